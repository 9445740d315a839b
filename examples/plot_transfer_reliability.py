"""
Which transferred spectra can a lab trust?
==========================================

A transfer model predicts a primary spectrum for every secondary one, but
it is reliable only where the new secondary spectra resemble those it was
trained on. :class:`~sklspec.transfer.TransferReliability` scores each new
spectrum without its true primary spectrum: the Q residual (squared
prediction error) of the standardized secondary spectrum outside the first
principal components of the training spectra, over its 95 % limit on the
training spectra. Above 1, the spectrum lies outside what the model saw.

Here, on simulated LIBS maps (:func:`~sklspec.datasets.make_libs_transfer`),
a PLS transfer is trained on one map and applied to a map of another area
measured the same day, and to one measured on another day (a shifted
baseline). The score's map is drawn beside the map of the true error, as
the transfer paper draws its error maps (its Fig. 8); the Spearman
correlation says how well the score ranks the errors.
"""

# %%
# Train a transfer model and its reliability score
# ------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import spearmanr
from sklearn.compose import TransformedTargetRegressor
from sklearn.cross_decomposition import PLSRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.datasets import make_libs_transfer
from sklspec.maps import MapDisplay
from sklspec.transfer import TransferReliability

shape = (32, 40)
maps = {
    region: make_libs_transfer(shape, region=region, grain_size=12, random_state=0)
    for region in ("train", "validation", "test")
}
train = maps["train"]
model = TransformedTargetRegressor(
    make_pipeline(StandardScaler(), PLSRegression(n_components=8, scale=False)),
    transformer=StandardScaler(),
).fit(train.X_secondary, train.X_primary)
reliability = TransferReliability(n_components=10).fit(train.X_secondary)

# %%
# Error and score, map by map
# ---------------------------
# Each row: the Euclidean error of every transferred spectrum (counts) and
# its reliability score (Q over its limit; dimensionless, 1 = the limit).
# The error maps share one colour scale, and so do the score maps, so that
# the two days compare at a glance.
rows = {"same day, other area": "validation", "another day": "test"}
errors, scores = {}, {}
for title, region in rows.items():
    data = maps[region]
    predicted = model.predict(data.X_secondary)
    errors[title] = np.linalg.norm(predicted - data.X_primary, axis=1)
    scores[title] = reliability.transform(data.X_secondary).ravel()

error_limits = np.quantile(np.concatenate(list(errors.values())), [0.01, 0.99])
score_limits = np.quantile(np.concatenate(list(scores.values())), [0.01, 0.99])
fig, axes = plt.subplots(2, 2, figsize=(10, 7.5), layout="constrained")
for (title, region), (left, right) in zip(rows.items(), axes, strict=True):
    data = maps[region]
    rho = spearmanr(scores[title], errors[title]).statistic
    outside = np.mean(scores[title] > 1)
    MapDisplay.from_values(
        errors[title],
        data.map_shape,
        order=data.raster_order,
        vmin=error_limits[0],
        vmax=error_limits[1],
        title=f"{title}: true error",
        label="Euclidean error (counts)",
        ax=left,
    )
    MapDisplay.from_values(
        scores[title],
        data.map_shape,
        order=data.raster_order,
        vmin=score_limits[0],
        vmax=score_limits[1],
        title=f"score: Spearman {rho:.2f}, {outside:.0%} above 1",
        label="Q residual / Q limit",
        ax=right,
    )
    print(f"{title}: Spearman {rho:.2f}, {outside:.0%} of the spectra beyond the limit")
plt.show()

# %%
# What it shows
# -------------
# Within a day the score ranks the transferred spectra by their error and
# flags few of them. On the other day nearly every spectrum lies beyond the
# limit: the shifted baseline takes the spectra outside what the model was
# trained on, which is the warning a lab needs before trusting a transfer
# on a new day. The score does not know the transfer model: it measures
# the secondary spectra only, so it serves PLS, DS or the VAE + MLP alike.
# On these maps the errors grow with a spectrum's brightness, and the
# score ranks them about as well as the transferred spectrum's norm does
# (``benchmarks/RESULTS.md``).
