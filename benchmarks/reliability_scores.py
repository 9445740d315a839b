"""Which per-spectrum score predicts a transferred spectrum's error? Spearman correlations.

    python benchmarks/reliability_scores.py                # corn, six directions, and LIBS
    python benchmarks/reliability_scores.py --skip-libs    # corn only (a minute)

For every held-out spectrum, the true error is the Euclidean distance
between its transferred and its true primary spectrum; each candidate score
is computed without the true primary spectrum, and the tables print its
Spearman correlation with the error. Candidates:

- ``Q``: the Q residual of the secondary spectrum beyond 10 principal
  components of the training secondary spectra (``TransferReliability``);
- ``T2``: Hotelling's T2 of the secondary spectrum in those components;
- ``Q+T2``: the sum of both, each over its out-of-fold 95% limit
  (``TransferReliability``'s default);
- ``bootstrap``: the spread of the transfer model (its chosen settings)
  refitted on 8 bootstrap draws of the training pairs;
- ``re-encoding``: the Q residual of the transferred spectrum beyond 10
  principal components of the primary training spectra;
- ``latent distance``: the Mahalanobis distance of the transferred
  spectrum's point in those primary components (a principal-component
  library's latent space) from the training spectra's points;
- ``norm``: the norm of the transferred spectrum (a trivial score: errors
  grow with brightness);
- ``neighbours``: the out-of-fold error (5-fold CV) of the 5 training pairs
  nearest in those components.

Transfer models: PLS (components by 5-fold CV, up to 16) and a ridge
mapping into a 16-component primary library (``library + ridge``), both on
globally scaled spectra.

Corn: the 60 pool pairs fit, the 20 test spectra are scored, in all six
directions. LIBS: ``make_libs_transfer`` with the view physics on, the
paper's baseline subtracted; a 20 x 100 training map, a 10 x 100
validation map (same day) and a 20 x 50 test map (another day).
"""

import argparse
import itertools
import time

import numpy as np
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.cross_decomposition import PLSRegression
from sklearn.decomposition import PCA
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV, KFold, cross_val_predict
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline

from sklspec.datasets import load_corn, make_libs_transfer
from sklspec.preprocessing import BaselineSubtractor, SpectralScaler
from sklspec.transfer import (
    RIDGE_ALPHAS,
    LatentLibrary,
    LatentTransferRegressor,
    TransferReliability,
)

SCORES = ("Q", "T2", "Q+T2", "bootstrap", "re-encoding", "latent distance", "norm", "neighbours")


def models(Y_train, seed):
    library = LatentLibrary(decoder="pca", n_components=16, random_state=seed).fit(Y_train)
    pls = GridSearchCV(
        PLSRegression(scale=False),
        {"n_components": [1, 2, 4, 8, 12, 16]},
        cv=KFold(5, shuffle=True, random_state=seed),
    )
    return {
        "PLS": TransformedTargetRegressor(
            make_pipeline(SpectralScaler(), pls), transformer=SpectralScaler(), check_inverse=False
        ),
        "library + ridge": make_pipeline(
            SpectralScaler(),
            LatentTransferRegressor(FrozenEstimator(library), RidgeCV(RIDGE_ALPHAS)),
        ),
    }


def scores(model, X_train, Y_train, X, predicted, seed):
    """Every candidate score of the spectra ``X``, transferred as ``predicted``."""
    statistics = {
        name: TransferReliability(statistic=statistic, random_state=seed).fit(X_train)
        for name, statistic in (("Q", "q"), ("T2", "t2"), ("Q+T2", "q+t2"))
    }
    pipeline = statistics["Q"].detector_.model
    train_scores, new_scores = pipeline.transform(X_train), pipeline.transform(X)
    rng = np.random.default_rng(seed)
    resampled = []
    for _ in range(8):
        rows = rng.integers(0, len(X_train), len(X_train))
        resampled.append(clone(model).fit(X_train[rows], Y_train[rows]).predict(X))
    # Out-of-fold errors of the training pairs, averaged over each spectrum's
    # nearest training spectra in the components.
    oof = cross_val_predict(model, X_train, Y_train, cv=KFold(5, shuffle=True, random_state=seed))
    oof_error = np.linalg.norm(oof - Y_train, axis=1)
    scaled_scores = train_scores / train_scores.std(axis=0)
    neighbours = NearestNeighbors(n_neighbors=5).fit(scaled_scores)
    _, nearest = neighbours.kneighbors(new_scores / train_scores.std(axis=0))
    primary = make_pipeline(SpectralScaler(), PCA(10, random_state=seed)).fit(Y_train)
    decoded = primary.inverse_transform(primary.transform(predicted))
    primary_spread = primary.transform(Y_train).var(axis=0)
    return {
        **{name: reliability.transform(X).ravel() for name, reliability in statistics.items()},
        "bootstrap": np.stack(resampled).std(axis=0).mean(axis=1),
        "re-encoding": np.linalg.norm(predicted - decoded, axis=1),
        "latent distance": np.sum(primary.transform(predicted) ** 2 / primary_spread, axis=1),
        "norm": np.linalg.norm(predicted, axis=1),
        "neighbours": oof_error[nearest].mean(axis=1),
    }


def correlations(model, X_train, Y_train, held_out, seed):
    fitted = clone(model).fit(X_train, Y_train)
    best = _chosen(fitted)
    rows = {}
    for name, (X, Y) in held_out.items():
        predicted = fitted.predict(X)
        error = np.linalg.norm(predicted - Y, axis=1)
        for score, values in scores(best, X_train, Y_train, X, predicted, seed).items():
            rows.setdefault(score, {})[name] = spearmanr(values, error).statistic
    return rows


def _chosen(fitted):
    """The fitted model's settings as an unfitted model (searches replaced by their choice)."""
    params = {}
    for key, value in fitted.get_params().items():
        if isinstance(value, GridSearchCV) and hasattr(value, "best_estimator_"):
            params[key] = clone(value.best_estimator_)
    inner = getattr(fitted, "regressor_", None)
    if inner is not None:
        for step, value in inner.named_steps.items():
            if isinstance(value, GridSearchCV):
                params[f"regressor__{step}"] = clone(value.best_estimator_)
    return clone(fitted).set_params(**params)


def corn(seed):
    data = load_corn()
    pool, test = data.split != "test", data.split == "test"
    table = {}
    for primary, secondary in itertools.permutations(["m5", "mp5", "mp6"], 2):
        X, Y = data.spectra[secondary], data.spectra[primary]
        for name, model in models(Y[pool], seed).items():
            rows = correlations(model, X[pool], Y[pool], {"test": (X[test], Y[test])}, seed)
            for score, values in rows.items():
                table.setdefault((score, name), {})[f"{secondary}->{primary}"] = values["test"]
    directions = list(next(iter(table.values())))
    print("\ncorn: Spearman of each score with the per-spectrum error of the 20 test spectra")
    print(f"{'score':<16}{'model':<17}" + "".join(f"{d:>10}" for d in directions) + f"{'mean':>7}")
    for (score, name), values in sorted(table.items(), key=lambda item: SCORES.index(item[0][0])):
        cells = [values[d] for d in directions]
        print(
            f"{score:<16}{name:<17}"
            + "".join(f"{c:>10.2f}" for c in cells)
            + f"{np.mean(cells):>7.2f}"
        )


def libs(seed):
    baseline = BaselineSubtractor()
    maps = {}
    for region, shape in (("train", (20, 100)), ("validation", (10, 100)), ("test", (20, 50))):
        data = make_libs_transfer(shape, region=region, random_state=seed)
        maps[region] = (
            baseline.fit_transform(data.X_secondary),
            baseline.fit_transform(data.X_primary),
        )
    X_train, Y_train = maps.pop("train")
    print("\nLIBS: Spearman of each score with the per-spectrum error (validation / test)")
    print(f"{'score':<16}{'model':<17}{'validation':>11}{'test':>7}")
    table = {}
    for name, model in models(Y_train, seed).items():
        for score, values in correlations(model, X_train, Y_train, maps, seed).items():
            table[(score, name)] = values
    for (score, name), values in sorted(table.items(), key=lambda item: SCORES.index(item[0][0])):
        print(f"{score:<16}{name:<17}{values['validation']:>11.2f}{values['test']:>7.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-libs", action="store_true")
    parser.add_argument("--skip-corn", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    if not args.skip_corn:
        corn(args.seed)
    if not args.skip_libs:
        libs(args.seed)
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
