"""
How many measured spectra does augmentation save?
=================================================

The question to ask of data augmentation is not "is the error lower?" but
"how many calibration samples do I no longer have to measure?". A learning
curve answers it: train on growing shares of the measured spectra, with and
without augmentation, and read where the curves meet.
:func:`~sklspec.papers.augmentation_learning_curve` does it over random
splits, with the mean predictor and PLS as context, on the corn NIR data
(oil content from the m5 instrument's spectra).
"""

# %%
# The curves
# ----------
# Two random splits and three training sizes keep this example short; the
# benchmark ``compare_augmentation_datasets.py corn --learning-curve`` runs
# more. The reference networks are capped at 200 L-BFGS iterations here.
import matplotlib.pyplot as plt

from sklspec.augmentation import reference_regressor
from sklspec.datasets import load_corn
from sklspec.papers import (
    augmentation_learning_curve,
    paper_augmentation_strategies,
    plot_augmentation_learning_curve,
)
from sklspec.vae import VAEEncoder

X, y = load_corn(return_X_y=True, instrument="m5")
vae = VAEEncoder(
    (64,), latent_dim=8, activation="sigmoid", lr=3e-3, batch_size=16, max_epochs=100,
    device="cpu",
)  # fmt: skip
strategies = paper_augmentation_strategies(vae)
strategies = {name: strategies[name] for name in ("E", "E+VAE(u)", "E+VAE(interp)")}
result = augmentation_learning_curve(
    X,
    y,
    fractions=[0.25, 0.5, 1.0],
    strategies=strategies,
    regressor=reference_regressor().set_params(regressor__estimator__estimator__max_iter=200),
    n_splits=2,
    target_names=["oil"],
    random_state=0,
)
print(result.table.round(4).to_string())

# %%
# Dashed lines are the context: the training mean, and PLS on each training
# set. ``equivalent_n_E`` in the table is the number of measured spectra E
# needs to match a row's error (NaN where E never gets that good, or is
# always better); compare it with ``n_train``.
axes = plot_augmentation_learning_curve(result)
axes[0].set_ylabel("test MAE (oil, %)")
plt.show()
