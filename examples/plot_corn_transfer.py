"""
=====================================================
Instrument-to-instrument transfer on the corn spectra
=====================================================

The transfer paper's comparison on real NIR data: 80 corn samples measured on
three spectrometers (:func:`~sklspec.datasets.load_corn`). The ``m5``
instrument is the primary system; ``mp5`` is the secondary one whose spectra
should look as if ``m5`` had measured them. The file's own split gives 30
transfer pairs (training), 30 calibration pairs (validation, for the grid
search) and 20 test samples.

Besides the transfer paper's models, two classic calibration-transfer
methods take part: direct standardization (DS) and piecewise direct
standardization (PDS), from ``chemotools`` through
:class:`~sklspec.transfer.StandardizationRegressor`. With 30 pairs the
neural models get small networks; every model gets a grid of the same size
of care and the same validation split.

The VAE + MLP also runs fine-tuned: its mapping network trained further on
the decoded spectra's error through the frozen decoder
(``objective="spectra"``).

Finally the transferred spectra go through what a lab would use them for: an
oil calibration built on ``m5`` alone predicts the oil content from
``mp5`` spectra, raw and transferred (``calibration_rmse`` in the table, the
:func:`~sklspec.metrics.calibration_error` against the known oil content).
"""

# %%
# The data and the models
# -----------------------
import matplotlib.pyplot as plt
import numpy as np
from chemotools.adaptation import PiecewiseDirectStandardization
from sklearn.cross_decomposition import PLSRegression
from sklearn.neighbors import KNeighborsRegressor

from sklspec.datasets import load_corn
from sklspec.metrics import calibration_error
from sklspec.model_selection import compare_transfer_models
from sklspec.transfer import (
    LatentTransferRegressor,
    SpectralMLPRegressor,
    StandardizationRegressor,
)
from sklspec.vae import VAEEncoder

corn = load_corn()
primary, secondary = corn.spectra["m5"], corn.spectra["mp5"]
train, val, test = (corn.split == part for part in ("transfer", "calibration", "test"))

small = dict(lr=1e-3, batch_size=10, max_epochs=100, early_stopping=False, random_state=0)
vae = VAEEncoder((64,), latent_dim=8, device="cpu", **small)
models = {
    "vae_mlp": (
        LatentTransferRegressor(
            vae, SpectralMLPRegressor((64,), device="cpu", **small), random_state=0
        ),
        {"mapper__alpha": [0.0, 1e-3]},
    ),
    "vae_mlp_ft": (
        LatentTransferRegressor(
            vae,
            SpectralMLPRegressor((64,), device="cpu", **small),
            objective="spectra",
            random_state=0,
        ),
        {"mapper__alpha": [0.0, 1e-3]},
    ),
    "one_step": (
        SpectralMLPRegressor((64, 8, 64), device="cpu", **small),
        {"alpha": [0.0, 1e-3]},
    ),
    "knn": (KNeighborsRegressor(), {"n_neighbors": [1, 2, 3, 5, 10]}),
    "pls": (PLSRegression(scale=False), {"n_components": [1, 2, 4, 8, 16]}),
    "ds": (StandardizationRegressor(), {}),
    "pds": (
        StandardizationRegressor(PiecewiseDirectStandardization()),
        {
            "standardizer__window_length": [3, 5, 10],
            "standardizer__n_components": [1, 2, 3],
        },
    ),
}
# The lab's oil calibration, built on the primary instrument's calibration
# spectra alone.
calibration = PLSRegression(n_components=8).fit(primary[val], corn.target[val])
result = compare_transfer_models(
    secondary[train],
    primary[train],
    secondary[val],
    primary[val],
    secondary[test],
    primary[test],
    models=models,
    calibration=calibration,
    test_targets=corn.target[test],
    random_state=0,
)
# NIR spectra of one sample differ little in shape: the cosine distance is
# within 1e-4 of its best value, -1, so the table shows 1 + cosine.
table = result.table.assign(cosine=result.table.cosine + 1).rename(columns={"cosine": "1+cosine"})
print(table.drop(columns="best_params").to_string(float_format="{:.4g}".format))
print(table.best_params.to_string())

# %%
# What the transfer is for: one oil calibration for both instruments
# -------------------------------------------------------------------
# The PLS calibration of the oil content on the primary instrument's
# calibration spectra, applied to the secondary instrument's test spectra,
# raw and transferred. Predicting from the primary instrument's own test
# spectra is the floor. RSE and oil RMSEP need not rank the models alike: a
# transfer can be close to the true spectra overall and still blur the small
# spectral signal the calibration reads.
rmse = {
    "m5 itself": result.calibration_floor,
    "mp5 raw": calibration_error(
        primary[test], secondary[test], calibration=calibration, targets=corn.target[test]
    ),
}
rmse.update(result.table.calibration_rmse.to_dict())
for name, value in rmse.items():
    print(f"oil RMSEP, {name:>10}: {value:.3f} %")

# %%
# Transferred spectra of one test sample
# --------------------------------------
# The residuals of each model on one test sample; the secondary spectrum's
# own difference to the primary one is the starting point.
row = 0
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
ax.plot(corn.wavelengths, secondary[test][row] - primary[test][row], color="0.6", label="mp5 raw")
for name in ("pds", "pls", "vae_mlp"):
    residual = result.predictions[name][row] - primary[test][row]
    ax.plot(corn.wavelengths, residual, lw=1, label=name)
ax.set(xlabel="wavelength (nm)", ylabel="predicted - m5 absorbance", title="test sample 1")
ax.legend()
plt.show()

# %%
# Errors of every model on every test sample
# ------------------------------------------
distances = {
    name: np.linalg.norm(Y_pred - primary[test], axis=1)
    for name, Y_pred in result.predictions.items()
}
fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
ax.boxplot(list(distances.values()), tick_labels=list(distances))
ax.set(ylabel="Euclidean distance to m5", yscale="log")
plt.show()
