"""
=========================================================
One workbench for every transfer method: the lab's preset
=========================================================

:mod:`sklspec.model_selection` holds every transfer method sklspec
compares in one registry, and one tuning loop that ``sklspec
fit-transfer`` and the papers' harnesses share. Here it runs what the
command runs, in Python, on the corn NIR data: ``m5`` as the primary
instrument, ``mp5`` as the secondary one (the direction of the README and
of every corn example), 48 training and 12 validation pairs, and an oil
calibration built on the primary spectra to judge each model's
transferred spectra by what a lab does with them (RMSEP, in % oil).
"""

# %%
# The candidates
# --------------
# Each candidate of the registry says what it needs: DS, PDS, SST and CORAL
# map each channel onto the same channel, so both instruments must share one
# grid (corn's do). Slope/bias, EPO and GCT-PLS transfer the calibration
# instead of the spectra, and need the analyte values: slope/bias corrects
# the calibration's predictions, EPO and GCT-PLS refit it so that it reads
# the same value from both instruments.
import matplotlib.pyplot as plt
import numpy as np

from sklspec.datasets import load_corn
from sklspec.model_selection import (
    PRESETS,
    TRANSFER_CANDIDATES,
    fit_calibration,
    transfer_candidates,
    tune_transfer_models,
)

for name in PRESETS["lab"]:
    candidate = TRANSFER_CANDIDATES[name]
    needs = ", ".join(sorted(candidate.needs)) or "-"
    print(f"{candidate.label:<24} needs: {needs:<10} {candidate.summary}")

# %%
# Tuning every candidate alike
# ----------------------------
corn = load_corn()
pool = np.flatnonzero(corn.split != "test")
order = np.random.default_rng(0).permutation(len(pool))
train, val = pool[np.sort(order[12:])], pool[np.sort(order[:12])]
X, Y = corn.spectra["mp5"], corn.spectra["m5"]  # secondary, primary

models = transfer_candidates(
    n_pairs=len(train), n_channels=X.shape[1], n_primary_channels=Y.shape[1], random_state=0
)
calibration = fit_calibration(Y[train], corn.target[train])
result = tune_transfer_models(
    models,
    X[train],
    Y[train],
    X[val],
    Y[val],
    calibration=calibration,
    targets=corn.target[val],
    train_targets=corn.target[train],  # what slope/bias, EPO and GCT-PLS fit on
    rank_by="rmsep",
    verbose=0,
)
for row in result.rows:
    rse = f"{row['rse']:.4f}" if "rse" in row else "   -  "  # a calibration: no spectra
    print(f"{row['label']:<24} RSE {rse}  RMSEP {row['rmsep']:.4f}")

# %%
# What the lab needs against what the spectra say
# -----------------------------------------------
# The ranking by RSE (how close the spectra are) and by the oil RMSEP (what
# the calibration makes of them) differ; the dotted line is the
# calibration on the true primary spectra. Slope/bias, EPO and GCT-PLS have
# no spectra to score: they transfer the calibration.
labels = [row["label"] for row in result.rows]
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True, layout="constrained")
left.barh(labels, [row.get("rse", np.nan) for row in result.rows], color="0.55")
left.set(xlabel="validation RSE (lower is better)")
right.barh(labels, [row["rmsep"] for row in result.rows], color="tab:orange")
right.axvline(result.calibration_floor, color="0.2", ls=":", label="true primary spectra")
right.set(xlabel="oil RMSEP of the transferred spectra (% oil)")
right.legend(fontsize="small")
left.invert_yaxis()
plt.show()
