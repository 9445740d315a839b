"""
======================================================
A simulated LIBS map seen by two spectrometers at once
======================================================

:func:`~sklspec.datasets.make_libs_transfer` simulates the transfer paper's
experiment: a granitic pegmatite mapped shot by shot, each plasma recorded
simultaneously by a primary spectrometer (245-407 nm, 4062 pixels) and a
secondary one (260-370 nm, 3872 pixels, finer resolution). Emission comes
from an LTE plasma model with NIST line data (libskit), so lines sit where
the elements put them.
"""

# %%
# Simulate a training map
# -----------------------
# A small map keeps this example quick; ``map_shape="paper"`` gives the
# paper's 560 x 560 training map (written in chunks with ``out=``).
import matplotlib.pyplot as plt
import numpy as np

from sklspec.datasets import make_libs_transfer
from sklspec.maps import MapDisplay, SpectraDisplay

libs = make_libs_transfer((60, 80), grain_size=16, random_state=2)
print(libs.X_primary.shape, libs.X_secondary.shape)
print(dict(zip(libs.phase_names, np.bincount(libs.phase, minlength=6), strict=True)))

# %%
# The sample and what each spectrometer sees of it
# ------------------------------------------------
# The mineral phases, then the emissivity of the Al I 394/396 nm doublet
# (primary only: beyond the secondary's range) and of the Al I 308/309 nm
# lines, which both record. Feldspar and mica light up; quartz stays dark.
fig, axes = plt.subplots(1, 3, figsize=(14, 3.4))
MapDisplay.from_values(
    libs.phase,
    libs.map_shape,
    order=libs.raster_order,
    categorical=True,
    title="phase (" + ", ".join(f"{i} {n}" for i, n in enumerate(libs.phase_names)) + ")",
    ax=axes[0],
)
axes[0].title.set_fontsize(7)
MapDisplay.from_spectra(
    libs.X_primary,
    libs.map_shape,
    order=libs.raster_order,
    wavelengths=libs.wavelengths_primary,
    wavelength_range=(394, 397),
    title="primary, Al I 394-396 nm",
    ax=axes[1],
)
MapDisplay.from_spectra(
    libs.X_secondary,
    libs.map_shape,
    order=libs.raster_order,
    wavelengths=libs.wavelengths_secondary,
    wavelength_range=(308, 310),
    title="secondary, Al I 308-309 nm",
    ax=axes[2],
)
fig.tight_layout()

# %%
# One shot, two spectrometers
# ---------------------------
# A pure muscovite shot: Si, Al, K and Fe lines in the primary; the
# secondary covers less of the spectrum, at finer resolution. The transfer
# task is to predict the left panel from the right one.
shot = np.flatnonzero((libs.phase == 2) & (libs.phase_fractions[:, 2] > 0.99))[0]
fig, axes = plt.subplots(1, 2, figsize=(14, 3.6), sharey=True)
SpectraDisplay.from_spectra(
    libs.X_primary[shot], wavelengths=libs.wavelengths_primary, title="primary", ax=axes[0]
)
SpectraDisplay.from_spectra(
    libs.X_secondary[shot], wavelengths=libs.wavelengths_secondary, title="secondary", ax=axes[1]
)
for ax in axes:
    ax.set_xlim(245, 407)
    ax.get_legend().remove()
for line, name in [(288.16, "Si"), (309.27, "Al"), (396.15, "Al"), (404.41, "K")]:
    axes[0].annotate(name, (line, libs.X_primary[shot].max() * 0.9), ha="center")
fig.tight_layout()

# %%
# The test map, "on another day"
# ------------------------------
# Test maps come from another area of the same sample (same integer
# ``random_state``), recorded with a raised and tilted baseline, as in the
# paper's Fig. 5. Models must transfer across that shift too.
test = make_libs_transfer((30, 40), region="test", grain_size=16, random_state=2)
fig, ax = plt.subplots(figsize=(8, 3.4))
SpectraDisplay.from_spectra(
    np.median(libs.X_primary, axis=0),
    np.median(test.X_primary, axis=0),
    wavelengths=libs.wavelengths_primary,
    labels=["training map (median)", "test map (median)"],
    title="primary spectrometer, two days",
    ax=ax,
)
ax.set_ylim(0, 3000)
plt.show()
