"""
Training from spectra on disk: HDF5 and zarr
============================================

A LIBS imaging lab's maps live in HDF5 or zarr files, often larger than the
memory of the machine that trains on them. :class:`~sklspec.datasets.SpectraFile`
points at the spectra in such a file without reading them: the neural
estimators check it block by block (NaN, inf, width), read each training
batch's rows from the file, and predict block by block. It pickles without
its open file, so dask workers or joblib processes each open the file for
themselves.

Here a simulated map is written to an HDF5 file, a VAE learns its spectra
from the file; its latent space tells the map's minerals apart. Needs
``pip install 'sklspec[hdf5]'`` (``'sklspec[zarr]'`` for zarr stores).
"""

# %%
# A map in an HDF5 file
# ---------------------
# The file holds the spectra as the lab's preprocessing wrote them: here
# standardized per channel, as the networks need.
import os
import tempfile

import h5py
import matplotlib.pyplot as plt
import numpy as np

from sklspec.datasets import SpectraFile, make_libs_transfer
from sklspec.vae import VAEEncoder

libs = make_libs_transfer((32, 48), region="train", grain_size=12, random_state=0)
spectra = libs.X_primary
spectra = (spectra - spectra.mean(axis=0)) / (spectra.std(axis=0) + 1e-6)
path = os.path.join(tempfile.mkdtemp(), "map.h5")
with h5py.File(path, "w") as handle:
    handle.create_dataset("primary", data=spectra.astype(np.float32), chunks=(256, 4062))

on_disk = SpectraFile(path, "primary")
print(on_disk, on_disk.shape, on_disk.dtype)

# %%
# Train from the file
# -------------------
# ``fit`` reads the file in blocks to check it, then each batch of 64
# spectra from its rows; ``transform`` reads it block by block again.
vae = VAEEncoder((128,), latent_dim=2, max_epochs=15, batch_size=64, lr=1e-3, random_state=0)
vae.fit(on_disk)
latent = vae.transform(on_disk)

# %%
# What the VAE learned
# --------------------
# The training curve, and each shot's latent point coloured by the mineral
# the laser hit: the minerals spread along branches of their own.
fig, (curve, space) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
curve.plot(vae.history_[:, "epoch"], vae.history_[:, "train_recon"], label="training")
curve.plot(vae.history_[:, "epoch"], vae.history_[:, "valid_recon"], label="validation")
curve.set(xlabel="epoch", ylabel="reconstruction MSE (standardized units)", yscale="log")
curve.legend()
for index, name in enumerate(libs.phase_names):
    shots = libs.phase == index
    if shots.any():
        space.scatter(*latent[shots].T, s=6, label=f"{name} ({shots.sum()})")
space.set(xlabel="latent 1", ylabel="latent 2", title="latent means of the 1536 shots")
space.legend(markerscale=3, fontsize="small")
plt.show()
