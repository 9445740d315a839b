"""Transferring the calibration (slope/bias, EPO, GCT-PLS) or the spectra, on corn.

    python benchmarks/corn_calibration_transfer.py
    python benchmarks/corn_calibration_transfer.py --analytes moisture --directions mp6:m5 \\
        --calibration-components 3 --pairs 60

For each direction (secondary:primary) and analyte, the file's 60 transfer
and calibration samples are the pool and its 20 test samples are scored.
The primary calibration set is the pool's 60 primary spectra with their
reference values: a PLS calibration (``--calibration-components``, or
chosen by 5-fold cross-validation when not given). N standards
(``--pairs``; ``--repeats`` draws, nested, the same for every method) are
drawn from the pool, and every method is tuned as ``sklspec fit-transfer``
tunes it, by ``tune_transfer_models`` with 5-fold cross-validation over the
N standards (spectral methods by RSE, the others by RMSEP), then refitted
on all N:

- the spectral methods (PLS, DS, SST, CORAL) transfer the test spectra,
  which the calibration reads;
- slope/bias corrects the calibration's predictions; EPO and GCT-PLS refit
  the calibration on the calibration set, the N standards telling them
  what differs between the instruments, with the calibration's components.

Scores: test RMSEP of the analyte (in %), with the floor (the calibration
on the true primary test spectra) and "no transfer" (on the raw secondary
test spectra).
"""

import argparse
import itertools
import time

import numpy as np
import pandas as pd
from sklearn.cross_decomposition import PLSRegression
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

METHODS = ("pls", "ds", "sst", "coral", "slope_bias", "epo", "gct_pls")


def refit_and_score(name, models, tuned, row, data, calibration, calibration_set):
    """The test RMSEP of a tuned method refitted on all the standards."""
    X, Y, t, X_test, t_test = data
    if TRANSFER_CANDIDATES[name].predicts_analytes:
        model = fit_calibration_transfer(
            models, row, X, Y, t, calibration=calibration, calibration_set=calibration_set
        )
        predicted = model.predict(X_test)
    else:
        model = best_setting(models, tuned.wrap, row).fit(X, Y)
        predicted = calibration.predict(model.predict(X_test))
    return float(root_mean_squared_error(t_test, np.ravel(predicted)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[10, 20, 60])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--analytes", nargs="+", default=["moisture", "oil", "protein", "starch"])
    parser.add_argument("--calibration-components", type=int)
    parser.add_argument(
        "--directions", nargs="+", help="e.g. mp6:m5 (secondary:primary); default: all six"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    directions = [tuple(d.split(":")) for d in args.directions or []] or list(
        itertools.permutations(["mp5", "mp6", "m5"], 2)
    )
    rng = np.random.default_rng(args.seed)
    summary = []
    for analyte in args.analytes:
        corn = load_corn(analyte=analyte)
        pool = np.flatnonzero(corn.split != "test")
        test = corn.split == "test"
        draws = [rng.permutation(pool) for _ in range(args.repeats)]
        for secondary_name, primary_name in directions:
            start = time.perf_counter()
            primary, secondary = corn.spectra[primary_name], corn.spectra[secondary_name]
            calibration_set = (primary[pool], corn.target[pool])
            if args.calibration_components is None:
                calibration = fit_calibration(*calibration_set, random_state=args.seed)
            else:
                calibration = PLSRegression(args.calibration_components, scale=False)
                calibration.fit(*calibration_set)
            t_test = corn.target[test]
            scores = {
                "floor": root_mean_squared_error(t_test, calibration.predict(primary[test])),
                "no transfer": root_mean_squared_error(
                    t_test, calibration.predict(secondary[test])
                ),
            }
            for n_pairs, draw in itertools.product(args.pairs, range(args.repeats)):
                chosen = np.sort(draws[draw][:n_pairs])
                X, Y, t = secondary[chosen], primary[chosen], corn.target[chosen]
                folds = min(5, n_pairs // 2)  # each holds out 2 pairs or more
                models = transfer_candidates(
                    list(METHODS), n_pairs=n_pairs - -(-n_pairs // folds), n_channels=X.shape[1]
                )
                tuned = tune_transfer_models(
                    models,
                    X,
                    Y,
                    cv=KFold(folds, shuffle=True, random_state=args.seed),
                    calibration=calibration,
                    targets=t,
                    calibration_set=calibration_set,
                    rank_by=None,
                    random_state=args.seed,
                    verbose=0,
                )
                data = (X, Y, t, secondary[test], t_test)
                for row in tuned.rows:
                    if "error" in row:
                        continue
                    rmsep = refit_and_score(
                        row["model"], models, tuned, row, data, calibration, calibration_set
                    )
                    summary.append(
                        {
                            "analyte": analyte,
                            "direction": f"{secondary_name} -> {primary_name}",
                            "pairs": n_pairs,
                            "method": row["label"],
                            "rmsep": rmsep,
                        }
                    )
            for name, value in scores.items():
                summary.append(
                    {
                        "analyte": analyte,
                        "direction": f"{secondary_name} -> {primary_name}",
                        "pairs": 0,
                        "method": name,
                        "rmsep": float(value),
                    }
                )
            print(
                f"{analyte} {secondary_name} -> {primary_name}: "
                f"{calibration.n_components} calibration component(s), "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
    table = pd.DataFrame(summary)
    columns = [TRANSFER_CANDIDATES[name].label for name in METHODS]
    for n_pairs in args.pairs:
        at = table[table.pairs.isin([0, n_pairs])]
        wide = at.pivot_table(
            index=["analyte", "direction"], columns="method", values="rmsep", aggfunc="mean"
        )
        wide = wide[[*columns, "floor", "no transfer"]]
        print(f"\ntest RMSEP (%) with {n_pairs} standards, mean of {args.repeats} draw(s):")
        print(wide.round(3).to_string())
        best = wide[columns].idxmin(axis=1).value_counts()
        print("best method (cases): " + ", ".join(f"{k} {v}" for k, v in best.items()))


if __name__ == "__main__":
    main()
