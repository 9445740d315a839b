"""
=============================================
Two spectrometers on a common wavelength grid
=============================================

The transfer paper's two spectrometers see the same plasma on different
axes: the primary covers 245-407 nm in 4062 pixels, the secondary 260-370 nm
in 3872. :class:`~sklspec.preprocessing.WavelengthResampler` puts spectra on
another grid by linear interpolation, and
:class:`~sklspec.preprocessing.WavelengthCropper` keeps a range.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sklspec.preprocessing import WavelengthCropper, WavelengthResampler

primary_axis = np.linspace(245, 407, 4062)
secondary_axis = np.linspace(260, 370, 3872)
lines = {"Si I 288.2": 288.16, "Al I 308.2": 308.22, "Al I 309.3": 309.27, "Mn II 293.3": 293.31}


def emission(axis, width):
    return sum(np.exp(-0.5 * ((axis - line) / width) ** 2) for line in lines.values())


# Spectra as DataFrames with the wavelengths as columns, as they often come.
primary = pd.DataFrame(emission(primary_axis, 0.04)[None, :], columns=primary_axis)
secondary = pd.DataFrame(emission(secondary_axis, 0.03)[None, :], columns=secondary_axis)

# %%
# Resample the primary onto the secondary's grid. The primary extends beyond
# the secondary on both sides; ``out_of_range="crop"`` keeps the overlap only
# (the default, ``"error"``, would refuse to extrapolate).
resampler = WavelengthResampler(secondary_axis, out_of_range="crop").set_output(transform="pandas")
on_secondary_grid = resampler.fit_transform(primary)
print(on_secondary_grid.shape, on_secondary_grid.columns[:3].tolist())

# %%
# Keep a window around the Al I doublet in both and compare.
window = WavelengthCropper(306, 312).set_output(transform="pandas")
fig, ax = plt.subplots(figsize=(8, 3.5))
for name, frame in [
    ("primary, native grid", primary),
    ("secondary", secondary),
    ("primary on secondary grid", on_secondary_grid),
]:
    cropped = window.fit_transform(frame)
    ax.plot(cropped.columns.astype(float), cropped.iloc[0], marker=".", ms=3, lw=0.8, label=name)
ax.set_xlabel("wavelength (nm)")
ax.set_ylabel("intensity")
ax.legend()
fig.tight_layout()

plt.show()
