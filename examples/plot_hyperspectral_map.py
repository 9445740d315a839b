"""
===========================================
Hyperspectral maps: raster order and errors
===========================================

LIBS maps are measured shot by shot along a raster and stored as a matrix of
spectra in acquisition order. :mod:`sklspec.maps` turns per-spectrum values
(an intensity, an error, a cluster label) back into map images, with the
transfer paper's Q0.01-Q0.99 colour clipping, and overlays spectra.
"""

# %%
# A small simulated map: three mineral grains on a snake raster
# -----------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklspec.maps import MapDisplay, SpectraDisplay, map_to_spectra, spectra_to_map

rng = np.random.default_rng(0)
n_rows, n_cols = 40, 60
rr, cc = np.mgrid[:n_rows, :n_cols]
grains = np.where((rr - 15) ** 2 + (cc - 20) ** 2 < 150, 1, 0)
grains = np.where((rr - 28) ** 2 + (cc - 45) ** 2 < 120, 2, grains)

wavelengths = np.linspace(245, 407, 400)
lines = {0: [288.2, 390.6], 1: [308.2, 309.3, 394.4, 396.2], 2: [394.4, 396.2, 404.4]}
pure = np.array(
    [
        sum(np.exp(-0.5 * ((wavelengths - line) / 0.4) ** 2) for line in lines[phase])
        for phase in range(3)
    ]
)
image = pure[grains] * rng.uniform(0.8, 1.2, (n_rows, n_cols, 1))
image += rng.normal(0, 0.02, image.shape)

# The instrument stores spectra in acquisition order (a snake raster here).
spectra = map_to_spectra(image, order="snake_row")
print(spectra.shape)

# %%
# Maps of per-spectrum values
# ---------------------------
# Total emissivity of the Al I 394/396 nm doublet, a "prediction error" with a
# few outliers (clipped to the Q0.01-Q0.99 colours), and cluster labels with
# the pixels a model would misassign highlighted.
error = rng.gamma(2.0, 1.0, spectra.shape[0])
error[rng.choice(error.size, 5)] = 100  # outliers
labels = map_to_spectra(grains, order="snake_row")
boundary = np.zeros_like(grains, dtype=bool)
boundary[1:] |= grains[1:] != grains[:-1]
misassigned = map_to_spectra(boundary, order="snake_row") & (rng.random(labels.size) < 0.5)

fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
MapDisplay.from_spectra(
    spectra,
    (n_rows, n_cols),
    order="snake_row",
    wavelengths=wavelengths,
    wavelength_range=(393, 397),
    ax=axes[0],
    title="Al I 394/396 nm",
)
MapDisplay.from_values(
    error,
    (n_rows, n_cols),
    order="snake_row",
    ax=axes[1],
    label="Euclidean distance",
    title="error, clipped at Q0.01-Q0.99",
)
MapDisplay.from_values(
    labels,
    (n_rows, n_cols),
    order="snake_row",
    categorical=True,
    highlight=misassigned,
    ax=axes[2],
    label="cluster",
    title="clusters, misassigned in red",
)
fig.tight_layout()

# %%
# True and "predicted" spectra of one pixel
# -----------------------------------------
pixel = spectra_to_map(np.arange(spectra.shape[0]), (n_rows, n_cols), order="snake_row")[28, 45]
fig, ax = plt.subplots(figsize=(8, 3))
SpectraDisplay.from_spectra(
    spectra[pixel],
    0.9 * pure[2],
    wavelengths=wavelengths,
    labels=["measured", "predicted"],
    title="pixel (28, 45)",
    ax=ax,
)
fig.tight_layout()

plt.show()
