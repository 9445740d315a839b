"""
=====================================================================
Transferring the calibration: slope/bias, EPO and GCT-PLS on corn
=====================================================================

A lab with a moisture calibration on its primary NIR instrument (corn
``m5``) wants to read moisture from a second instrument (``mp6``). It can
transfer the *spectra* (DS, SST, ... then the primary calibration reads
them), or transfer the *calibration*:

- :class:`~sklspec.transfer.SlopeBiasCorrection` corrects the primary
  calibration's predictions with a line fitted on the standards;
- :class:`~sklspec.transfer.EPORegressor` refits the calibration without
  the directions along which the standards' two spectra differ;
- :class:`~sklspec.transfer.GCTPLSRegression` refits a PLS calibration
  whose latent variables give each standard the same scores on both
  instruments.

EPO and GCT-PLS take the calibration set (primary spectra and reference
values) as ``X`` and ``y`` and the paired standards as ``X_primary`` and
``X_secondary``. Each method is tuned here as ``sklspec fit-transfer``
tunes it, by cross-validation over the standards, and scored on the 20
test samples, for 5 to 60 standards.
"""

# %%
# The calibration, and what the second instrument does to it
# ------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import KFold

from sklspec.datasets import load_corn
from sklspec.model_selection import (
    TRANSFER_CANDIDATES,
    best_setting,
    fit_calibration,
    fit_calibration_transfer,
    transfer_candidates,
    tune_transfer_models,
)

corn = load_corn(analyte="moisture")
pool, test = np.flatnonzero(corn.split != "test"), corn.split == "test"
primary, secondary = corn.spectra["m5"], corn.spectra["mp6"]
calibration_set = (primary[pool], corn.target[pool])
calibration = fit_calibration(*calibration_set)
moisture = corn.target[test]


def rmsep(predicted):
    return root_mean_squared_error(moisture, np.ravel(predicted))


floor = rmsep(calibration.predict(primary[test]))
untransferred = rmsep(calibration.predict(secondary[test]))
print(f"{calibration.n_components}-component PLS moisture calibration on m5")
print(f"test RMSEP on m5 spectra {floor:.3f} %, on mp6 spectra {untransferred:.3f} %")

# %%
# Tuned on N standards, scored on the test samples
# ------------------------------------------------
methods = ["ds", "sst", "slope_bias", "epo", "gct_pls"]
order = np.random.default_rng(0).permutation(pool)
n_standards = [5, 10, 20, 40, 60]
scores = {name: [] for name in methods}
kept = {}
for n in n_standards:
    chosen = np.sort(order[:n])
    X, Y, y = secondary[chosen], primary[chosen], corn.target[chosen]
    folds = min(5, n // 2)
    models = transfer_candidates(methods, n_pairs=n - -(-n // folds), n_channels=X.shape[1])
    tuned = tune_transfer_models(
        models,
        X,
        Y,
        cv=KFold(folds, shuffle=True, random_state=0),  # 2 pairs or more held out
        calibration=calibration,
        targets=y,
        calibration_set=calibration_set,
        rank_by=None,
        verbose=0,
    )
    for row in tuned.rows:
        name, candidate = row["model"], TRANSFER_CANDIDATES[row["model"]]
        if "error" in row:  # e.g. too few standards for a setting
            scores[name].append(np.nan)
            continue
        if candidate.predicts_analytes:  # the calibration, refitted as the folds were
            model = fit_calibration_transfer(
                models, row, X, Y, y, calibration=calibration, calibration_set=calibration_set
            )
            predicted = model.predict(secondary[test])
        else:
            model = best_setting(models, tuned.wrap, row).fit(X, Y)
            predicted = calibration.predict(model.predict(secondary[test]))
        scores[name].append(rmsep(predicted))
        kept[name] = predicted
for name in methods:
    values = " ".join(f"{value:6.3f}" for value in scores[name])
    print(f"{TRANSFER_CANDIDATES[name].label:<11} {values}")

# %%
# The error against the number of standards
# -----------------------------------------
# The dotted line is the calibration on the true m5 spectra, the dashed one
# on the raw mp6 spectra. Transferring the spectra and transferring the
# calibration reach the floor with enough standards; with few, the methods
# that fit fewer numbers from the standards (slope/bias: two) are safer.
fig, (curve, scatter) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for name in methods:
    style = "-o" if TRANSFER_CANDIDATES[name].predicts_analytes else "--s"
    curve.plot(n_standards, scores[name], style, label=TRANSFER_CANDIDATES[name].label)
curve.axhline(floor, color="k", linestyle=":", label="m5 spectra (floor)")
curve.axhline(untransferred, color="0.5", linestyle="--", label="mp6, no transfer")
curve.set(
    xlabel="standards measured on both instruments",
    ylabel="test RMSEP (% moisture)",
    xscale="log",
    yscale="log",
    xticks=n_standards,
    xticklabels=[str(n) for n in n_standards],
)
curve.legend(fontsize="small")

# %%
# Predicted against reference moisture, with all 60 standards
# -------------------------------------------------------------
# One colour per method on shared axes; the diagonal is a perfect reading.
for name in ("slope_bias", "epo", "gct_pls"):
    scatter.scatter(moisture, np.ravel(kept[name]), s=18, label=TRANSFER_CANDIDATES[name].label)
scatter.scatter(
    moisture, calibration.predict(secondary[test]), s=18, marker="x", c="0.5", label="no transfer"
)
limits = [moisture.min() - 0.3, moisture.max() + 0.3]
scatter.plot(limits, limits, "k:", linewidth=1)
scatter.set(
    xlabel="reference moisture (%)",
    ylabel="predicted from mp6 spectra (%)",
    xlim=limits,
    aspect="equal",
)
scatter.legend(fontsize="small")
plt.show()
