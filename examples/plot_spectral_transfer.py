"""
========================================================
Spectral transfer between two LIBS spectrometers
========================================================

The transfer paper's task: predict what the primary spectrometer would have
recorded from what the secondary one did. :class:`~sklspec.transfer.LatentTransferRegressor`
learns a VAE of the primary spectra and an MLP from secondary spectra into
its latent space; :func:`~sklspec.model_selection.compare_transfer_models` pits it
against the one-step MLP, KNN and PLS, each tuned on the same validation
split, and scores them once on a test map recorded "on another day".

Small maps and small networks keep this example to a minute on a laptop;
``sklspec demo`` runs the paper's architectures.
"""

# %%
# Simulated training, validation and test maps
# ---------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform
from sklearn.cross_decomposition import PLSRegression
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV, ShuffleSplit
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.datasets import make_libs_transfer
from sklspec.model_selection import compare_transfer_models
from sklspec.papers import plot_transfer_maps, plot_transfer_spectra
from sklspec.preprocessing import BaselineSubtractor
from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import VAEEncoder

maps = {
    region: make_libs_transfer(shape, region=region, grain_size=12, random_state=0)
    for region, shape in [("train", (30, 40)), ("validation", (12, 40)), ("test", (20, 30))]
}
baseline = BaselineSubtractor()
Y = {region: baseline.fit_transform(m.X_primary) for region, m in maps.items()}
X = {region: m.X_secondary for region, m in maps.items()}
print({region: x.shape for region, x in X.items()})

# %%
# Four models, tuned alike
# ------------------------
# Small networks (the paper's are 1024-512-64 for the VAE and 128-512 for
# the MLP); the one-step MLP stacks the MLP's and the decoder's layers.
small = dict(lr=1e-3, batch_size=64, max_epochs=15, device="cpu", random_state=0)
vae = VAEEncoder(hidden_layer_sizes=(256,), latent_dim=16, **small)
models = {
    "vae_mlp": (
        LatentTransferRegressor(vae, SpectralMLPRegressor((128,), **small), random_state=0),
        {},
    ),
    "one_step": (SpectralMLPRegressor((128, 16, 256), **small), {}),
    "knn": (KNeighborsRegressor(), {"n_neighbors": [2, 5, 10, 20]}),
    "pls": (PLSRegression(scale=False), {"n_components": [4, 8, 16]}),
}
result = compare_transfer_models(
    X["train"],
    Y["train"],
    X["validation"],
    Y["validation"],
    X["test"],
    Y["test"],
    models=models,
    preprocessing=make_pipeline(BaselineSubtractor(), StandardScaler()),
    random_state=0,
)
print(result.table[["euclidean", "cosine", "rse", "k_score", "n_parameters"]].round(3))

# %%
# Maps of the test region
# -----------------------
# True and predicted emissivity of the Al I 394-396 nm lines (outside the
# secondary's range: every model has to infer them), per-pixel errors, and
# pixels whose k-means cluster changes between truth and prediction.
test = maps["test"]
plot_transfer_maps(
    result,
    Y["test"],
    test.map_shape,
    order=test.raster_order,
    wavelengths=test.wavelengths_primary,
    wavelength_range=(394, 397),
)

# %%
# Spectra of one pixel per main phase
# -----------------------------------
rows = [int(np.flatnonzero(test.phase == p)[0]) for p in range(3) if np.any(test.phase == p)]
fig = plot_transfer_spectra(
    result,
    Y["test"],
    rows,
    wavelengths=test.wavelengths_primary,
    labels=[test.phase_names[test.phase[r]] for r in rows],
)
for ax in fig.axes:
    ax.set_xlim(380, 407)

# %%
# Choosing the architecture: successive halving
# ---------------------------------------------
# The paper chose its layer sizes, latent width and learning rate with
# Hyperband. scikit-learn's counterpart is successive halving: many random
# candidates on a few training pairs, the best ones on more. Here the
# resource is the number of training samples.
search = HalvingRandomSearchCV(
    make_pipeline(
        StandardScaler(),
        LatentTransferRegressor(vae, SpectralMLPRegressor(**small), random_state=0),
    ),
    {
        "latenttransferregressor__mapper__hidden_layer_sizes": [(64,), (128,), (128, 256)],
        "latenttransferregressor__vae__latent_dim": [4, 8, 16],
        "latenttransferregressor__mapper__lr": loguniform(1e-4, 1e-2),
    },
    n_candidates=4,
    factor=2,
    resource="n_samples",
    min_resources=400,
    cv=ShuffleSplit(n_splits=1, test_size=0.2, random_state=0),
    random_state=0,
).fit(X["train"], (Y["train"] - Y["train"].mean(0)) / Y["train"].std(0))
print("best:", search.best_params_)
plt.show()
