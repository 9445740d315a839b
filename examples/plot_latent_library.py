"""
A primary library shared without its spectra
============================================

The transfer paper's client-server idea: one primary spectrometer, many
secondary ones. The primary lab fits a VAE on its spectra and shares a
:class:`~sklspec.transfer.LatentLibrary`: the scaling of its channels, the
VAE, and the latent codes of its spectra. A secondary lab that measured the
same positions fits its own mapping network onto the codes, and never
receives a primary spectrum. The library is much smaller than the spectra it
stands for (the paper's compression ratio, eq. 1), and the file is safe to
open (:mod:`sklspec.io`).
"""

# %%
# The primary lab: fit the library on its map and save it
# --------------------------------------------------------
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import make_pipeline

from sklspec.datasets import make_libs_transfer
from sklspec.io import load, save
from sklspec.metrics import compression_ratio, relative_squared_error
from sklspec.preprocessing import SpectralScaler
from sklspec.transfer import LatentLibrary, LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import VAEEncoder

train = make_libs_transfer((20, 40), region="train", random_state=0)
test = make_libs_transfer((10, 40), region="test", random_state=0)
Y_primary = train.X_primary.astype(np.float32)

vae = VAEEncoder((256,), latent_dim=8, beta=0.01, lr=1e-3, max_epochs=60, random_state=0)
library = LatentLibrary(vae, random_state=0).fit(Y_primary)
folder = tempfile.mkdtemp()
save(library, os.path.join(folder, "primary-library.sklspec"))
np.save(os.path.join(folder, "primary-spectra.npy"), Y_primary)

sizes = {
    name: os.path.getsize(os.path.join(folder, file)) / 1e6
    for name, file in [
        ("primary spectra (.npy)", "primary-spectra.npy"),
        ("library file (.sklspec)", "primary-library.sklspec"),
    ]
}
print(f"{len(Y_primary)} spectra of {Y_primary.shape[1]} channels, latent width 8")
print(f"compression ratio (eq. 1, codes + decoder): {library.compression_ratio_:.1f}")
for name, megabytes in sizes.items():
    print(f"{name}: {megabytes:.2f} MB")

# %%
# On 800 spectra the decoder (a million weights) is most of the library,
# and the file also holds the encoder, so that the library can encode more
# primary spectra: the saving is modest. The codes grow by 8 values per
# spectrum against 4062: at the paper's map size, the same decoder gives
print(
    "compression ratio at 313,600 spectra:",
    round(compression_ratio(313_600, 4062, 8, library.n_decoder_parameters_), 1),
)

# %%
# How good can a transfer through it be?
# --------------------------------------
# No mapping onto the library can beat the library's own reconstruction of
# the true primary spectra. ``fit`` held out a tenth of the spectra to
# measure it; ``reconstruction_error`` measures it on another day's map.
# Principal components of the same width are the linear yardstick (the
# library warns when they reconstruct better than its VAE).
linear = LatentLibrary(decoder="pca", n_components=8, random_state=0).fit(Y_primary)
for name, candidate in (("VAE", library), ("principal components", linear)):
    print(
        f"{name:>20}: floor {candidate.reconstruction_error_:.4f} on held-out library "
        f"spectra, {candidate.reconstruction_error(test.X_primary):.4f} on the test map"
    )

# %%
# On these spectra eight principal components reconstruct the test map
# twice as well as the VAE (0.015 against 0.031), and the VAE library said
# so when it was fitted (``LibraryFloorWarning``): ``decoder="pca"`` is the
# better library to share here; the VAE is kept below for the paper's
# model.
#
# The secondary lab: fit the mapping onto the codes
# -------------------------------------------------
# It measured the same 800 positions with its own spectrometer
# (``X_secondary``, row ``i`` the same position as the library's code ``i``).
library = load(os.path.join(folder, "primary-library.sklspec"))
model = make_pipeline(
    SpectralScaler(),
    LatentTransferRegressor(
        FrozenEstimator(library),
        SpectralMLPRegressor((128, 256), lr=1e-3, max_epochs=100),
        target="latent",
        random_state=0,
    ),
)
model.fit(train.X_secondary, library.codes_)
Y_predicted = model.predict(test.X_secondary)
print(f"test RSE: {relative_squared_error(test.X_primary, Y_predicted):.3f}")

# %%
# What was shared, and what came out
# -----------------------------------
fig, (ax_size, ax_spectrum) = plt.subplots(
    1, 2, figsize=(11, 3.5), width_ratios=[1, 2.2], layout="constrained"
)
ax_size.barh(list(sizes), list(sizes.values()), color=["grey", "tab:blue"])
ax_size.set_xlabel("size on disk (MB)")
ax_size.set_title("what the primary lab shares")
shot = 5
ax_spectrum.plot(test.wavelengths_primary, test.X_primary[shot], color="black", lw=1.2,
                 label="measured on the primary")  # fmt: skip
ax_spectrum.plot(test.wavelengths_primary, Y_predicted[shot], lw=0.8,
                 label="secondary, transferred through the library")  # fmt: skip
ax_spectrum.set_xlabel("wavelength (nm)")
ax_spectrum.set_ylabel("intensity (counts)")
ax_spectrum.set_title(f"test shot {shot}")
ax_spectrum.legend(loc="upper right", fontsize="small")
plt.show()
