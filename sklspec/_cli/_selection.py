"""Choosing a lab's transfer model: each candidate tuned on a validation part, the best kept.

Every candidate is wrapped alike (secondary-side preprocessing, a standardized
primary side) and tuned by ``GridSearchCV`` on one predefined split: trained
on the training pairs, scored on the validation pairs. The table holds each
model's best validation scores; the model with the lowest validation RSE is
refitted on all pairs.
"""

import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, ParameterGrid, PredefinedSplit

from sklspec._cli._files import CommandError
from sklspec.metrics import spectral_scoring

MODEL_LABELS = {
    "library_ridge": "library + ridge",
    "library_residual": "library + residual MLP",
    "vae_mlp": "VAE + MLP",
    "one_step": "one-step MLP",
    "pls": "PLS",
    "knn": "KNN",
    "ds": "DS",
    "pds": "PDS",
}
SAME_GRID_MODELS = ("ds", "pds")
_SETTING_LABELS = {
    "mapper__lr": "MLP lr",
    "mapper__alpha": "MLP alpha",
    "lr": "lr",
    "n_components": "components",
    "n_neighbors": "neighbours",
    "standardizer__window_length": "window",
}
_SCORERS = {
    "rse": "neg_relative_squared_error",
    "euclidean": "neg_mean_euclidean_distance",
    "cosine": "neg_mean_cosine_distance",
}


def candidate_models(names, *, n_train, n_channels, n_primary, settings):
    """``{name: (estimator, grid)}`` for the chosen models, grids cut to the data's size.

    ``settings`` holds the command's network options: ``latent_dim``,
    ``vae_hidden``, ``epochs``, ``lr``, ``seed`` and ``verbose``; and the
    library's: ``library`` (a fitted ``LatentLibrary``, frozen into the
    library models, or None: they fit one on the training pairs),
    ``decoder``, ``components`` and ``scaling``.
    """
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import RidgeCV
    from sklearn.neighbors import KNeighborsRegressor

    from sklspec.transfer import (
        RIDGE_ALPHAS,
        LatentTransferRegressor,
        ResidualMLPRegressor,
        SpectralMLPRegressor,
        StandardizationRegressor,
    )
    from sklspec.vae import VAEEncoder

    lr, seed, verbose = settings["lr"], settings["seed"], settings["verbose"]
    epochs, hidden = settings["epochs"], tuple(settings["vae_hidden"])
    mlp = dict(max_epochs=epochs, random_state=seed, verbose=verbose)
    learning_rates = [lr, lr / 10]

    def library():
        if settings.get("library") is not None:
            return FrozenEstimator(settings["library"])
        return library_model(settings, n_spectra=n_train, n_channels=n_primary)

    builders = {
        "library_ridge": lambda: (
            LatentTransferRegressor(library(), RidgeCV(alphas=RIDGE_ALPHAS)),
            {},
        ),
        "library_residual": lambda: (
            LatentTransferRegressor(
                library(),
                ResidualMLPRegressor(hidden_layer_sizes=(64,), lr=lr, **mlp),
                random_state=seed,
            ),
            {"mapper__alpha": [1e-3, 1e-2, 1e-1]},
        ),
        "vae_mlp": lambda: (
            LatentTransferRegressor(
                VAEEncoder(
                    hidden_layer_sizes=hidden,
                    latent_dim=settings["latent_dim"],
                    lr=lr,
                    **mlp,
                ),
                SpectralMLPRegressor(lr=lr, **mlp),
                random_state=seed,
                verbose=verbose,
            ),
            {"mapper__lr": learning_rates},
        ),
        "one_step": lambda: (
            # The paper's one-step baseline: the mapping layers, the latent width,
            # then the decoder's layers, trained end to end.
            SpectralMLPRegressor((128, settings["latent_dim"], *hidden[::-1]), lr=lr, **mlp),
            {"lr": learning_rates},
        ),
        "pls": lambda: (
            PLSRegression(scale=False),
            {
                "n_components": [
                    k for k in (1, 2, 3, 4, 8, 16, 32, 64) if k <= min(n_channels, n_train - 1)
                ]
            },
        ),
        "knn": lambda: (
            KNeighborsRegressor(),
            {"n_neighbors": [k for k in (1, 2, 3, 5, 10, 20) if k <= n_train]},
        ),
        "ds": lambda: (StandardizationRegressor(), {}),
        "pds": lambda: (
            StandardizationRegressor(_piecewise_standardization()),
            {"standardizer__window_length": [w for w in (3, 5, 11, 25) if w <= n_channels]},
        ),
    }
    return {name: builders[name]() for name in names}


def library_model(settings, *, n_spectra, n_channels):
    """The unfitted ``LatentLibrary`` of the command's library options.

    Its principal components are cut to what ``n_spectra`` primary spectra
    of ``n_channels`` (less the held-out tenth) can give.
    """
    from sklspec.transfer import LatentLibrary
    from sklspec.vae import VAEEncoder

    n_fit = n_spectra - -(-n_spectra // 10)
    vae = VAEEncoder(
        tuple(settings["vae_hidden"]),
        settings["latent_dim"],
        beta=0.01,
        lr=settings["lr"],
        max_epochs=settings["epochs"],
        random_state=settings["seed"],
        verbose=settings["verbose"],
    )
    return LatentLibrary(
        vae,
        decoder=settings["decoder"],
        n_components=max(1, min(settings["components"], n_fit - 1, n_channels)),
        scaling=settings["scaling"],
        random_state=settings["seed"],
    )


def scales_primary_itself(estimator):
    """Whether a candidate holds a ``LatentLibrary``, which scales the primary spectra itself."""
    from sklspec.base import unwrap_frozen
    from sklspec.transfer import LatentLibrary

    return isinstance(unwrap_frozen(getattr(estimator, "vae", None)), LatentLibrary)


def check_settings(candidates):
    """Validate every candidate's parameters, nested ones too, before any training starts.

    A bad option (``--epochs 0``) is the user's error, not a model that failed:
    it stops the command at once instead of becoming a failed row.
    """
    for estimator, _ in candidates.values():
        nested = [v for v in estimator.get_params().values() if hasattr(v, "_validate_params")]
        for model in (estimator, *nested):
            model._validate_params()


def _piecewise_standardization():
    from sklspec.utils._optional import import_optional

    adaptation = import_optional("chemotools.adaptation", "the PDS transfer model")
    return adaptation.PiecewiseDirectStandardization(n_components=2)


def _in_user_terms(params):
    parts = []
    for key, value in params.items():
        if isinstance(value, float):
            value = f"{value:g}"
        parts.append(f"{_SETTING_LABELS.get(key, key)} {value}")
    return ", ".join(parts) or "no settings to tune"


class _ProgressScorer:
    """The search's scorers, printing one line per candidate as it is scored."""

    def __init__(self, scorers, label, keys, n_candidates):
        self.scorers, self.label, self.keys = scorers, label, keys
        self.n_candidates, self.done, self.start = n_candidates, 0, time.perf_counter()

    def __call__(self, estimator, X, y):
        scores = {name: scorer(estimator, X, y) for name, scorer in self.scorers.items()}
        self.done += 1
        params = estimator.get_params()
        chosen = {key: params[f"regressor__model__{key}"] for key in self.keys}
        print(
            f"  {self.label} {self.done}/{self.n_candidates} ({_in_user_terms(chosen)}): "
            f"validation RSE {-scores[_SCORERS['rse']]:.4g} "
            f"({time.perf_counter() - self.start:.0f} s)",
            flush=True,
        )
        return scores


def _last_line(text):
    """The exception line that ends scikit-learn's fit-failure report, without module paths."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if not lines:
        return "its fits failed"
    name, colon, message = lines[-1].partition(": ")
    return f"{name.rsplit('.', 1)[-1]}{colon}{message}"


def _run_search(search, X, Y):
    """Fit the search; the reason when no setting could be scored, else None.

    scikit-learn raises when every fit fails and warns when some do; either
    way its message ends with the last failure's exception.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitFailedWarning)
        try:
            search.fit(X, Y)
        except ValueError as exc:
            if "fits failed" not in str(exc):
                raise
            return _last_line(exc)
    rse = np.asarray(search.cv_results_[f"mean_test_{_SCORERS['rse']}"], dtype=float)
    if not np.all(np.isnan(rse)):
        return None
    failures = [w for w in caught if issubclass(w.category, FitFailedWarning)]
    return _last_line(failures[0].message) if failures else "no setting could be scored"


def fit_calibration(Y_train, targets, *, seed):
    """A PLS calibration of the analytes on primary spectra, components by 5-fold CV."""
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.model_selection import KFold

    n_folds = min(5, len(Y_train))
    largest = min(10, Y_train.shape[1], len(Y_train) - len(Y_train) // n_folds - 1)
    search = GridSearchCV(
        PLSRegression(scale=False),
        {"n_components": list(range(1, max(1, largest) + 1))},
        cv=KFold(n_folds, shuffle=True, random_state=seed),
        scoring="neg_root_mean_squared_error",
    )
    return search.fit(Y_train, targets).best_estimator_


def _fold_calibrations(X, Y, targets, *, cv, calibration, seed):
    """``[(train, test, calibration), ...]`` of the folds: the RMSEP's calibration per fold.

    ``calibration`` None: each fold's is fitted on that fold's training
    pairs, once for every model, so a held-out pair's primary spectrum never
    calibrates what scores it.
    """
    targets = np.asarray(targets, dtype=np.float64).reshape(len(Y), -1)
    folds = []
    for train, test in cv.split(X):
        fold_calibration = calibration
        if fold_calibration is None:
            fold_calibration = fit_calibration(Y[train], targets[train], seed=seed)
        folds.append((train, test, fold_calibration))
    return folds


def _cv_rmsep(model, X, Y, targets, folds):
    """The RMSEP of a model's out-of-fold transfers through each fold's calibration.

    ``model`` None scores the true primary spectra (the floor).
    """
    from sklearn.metrics import root_mean_squared_error

    targets = np.asarray(targets, dtype=np.float64).reshape(len(Y), -1)
    predicted = np.empty_like(targets)
    for train, test, calibration in folds:
        spectra = (
            Y[test] if model is None else clone(model).fit(X[train], Y[train]).predict(X[test])
        )
        predicted[test] = np.asarray(calibration.predict(spectra)).reshape(len(test), -1)
    return float(root_mean_squared_error(targets, predicted))


def _rmsep(candidates, wrap, row, data, scoring):
    """The calibration's analyte error on a model's transferred validation spectra.

    With ``folds`` in ``scoring`` (cross-validation), on the out-of-fold
    transfers of all pairs.
    """
    from sklspec.metrics import calibration_error

    X_train, Y_train, X_val, Y_val = data
    if scoring["folds"] is not None:
        model = _best_setting(candidates, wrap, row)
        return _cv_rmsep(model, X_train, Y_train, scoring["targets"], scoring["folds"])
    model = refit_best(candidates, wrap, [row], X_train, Y_train)
    predicted = model.predict(X_val)
    return calibration_error(
        Y_val, predicted, calibration=scoring["calibration"], targets=scoring["targets"]
    )


def compare_candidates(
    candidates,
    wrap,
    X_train,
    Y_train,
    X_val,
    Y_val,
    *,
    cv=None,
    calibration=None,
    targets=None,
    seed=0,
    select_by="rse",
    debug=False,
):
    """Tune each candidate on the validation pairs; one table row per model, best first.

    ``wrap(estimator)`` puts the preprocessing around an estimator. A model
    whose every setting fails (diverged training, a size it cannot handle)
    gets a row with ``error`` instead of scores; with ``debug`` the first
    failure raises, with its traceback. With a ``calibration`` (and the
    validation ``targets``), each model's best setting is refitted on the
    training pairs and its transferred validation spectra scored by the
    calibration's RMSEP (``rmsep``); ``floor`` is the calibration's own
    RMSEP on the true validation spectra. Rows are sorted by ``select_by``.

    With ``cv`` (a scikit-learn splitter; ``X_val`` and ``Y_val`` None),
    every score is the mean over its folds of all pairs in
    ``X_train``/``Y_train``, and the RMSEP is that of the out-of-fold
    transfers (``targets`` then holds every pair's); with ``targets`` and no
    ``calibration``, each fold fits its own (seeded by ``seed``) on its
    training pairs.
    """
    data = (X_train, Y_train, X_val, Y_val)
    if cv is None:
        X_fit = np.concatenate([X_train, X_val])
        Y_fit = np.concatenate([Y_train, Y_val])
        split = PredefinedSplit(np.r_[np.full(len(X_train), -1), np.zeros(len(X_val), dtype=int)])
    else:
        X_fit, Y_fit, split = X_train, Y_train, cv
    with_rmsep = calibration is not None or (cv is not None and targets is not None)
    scoring = {"calibration": calibration, "targets": targets, "folds": None}
    if with_rmsep:
        from sklspec.metrics import calibration_error

        # The calibration's own RMSEP on the true validation spectra: one value for all rows.
        if cv is None:
            floor = calibration_error(Y_val, Y_val, calibration=calibration, targets=targets)
        else:
            scoring["folds"] = _fold_calibrations(
                X_train, Y_train, targets, cv=cv, calibration=calibration, seed=seed
            )
            floor = _cv_rmsep(None, X_train, Y_train, targets, scoring["folds"])
    scorers = spectral_scoring(*_SCORERS.values())
    rows = []
    for name, (estimator, grid) in candidates.items():
        label = MODEL_LABELS[name]
        n_candidates = len(ParameterGrid(grid))
        print(f"{label}: {n_candidates} setting(s) to try", flush=True)
        n_fits = n_candidates * (1 if cv is None else cv.get_n_splits())
        search = GridSearchCV(
            wrap(estimator),
            {f"regressor__model__{key}": values for key, values in grid.items()},
            scoring=_ProgressScorer(scorers, label, list(grid), n_fits),
            refit=False,
            cv=split,
            error_score="raise" if debug else np.nan,
        )
        start = time.perf_counter()
        failure = _run_search(search, X_fit, Y_fit)
        row = {"model": name, "label": label, "seconds": round(time.perf_counter() - start, 1)}
        if failure:
            row["error"] = failure
            print(f"{label}: failed ({failure})", flush=True)
        else:
            results = search.cv_results_
            rse = -np.asarray(results[f"mean_test_{_SCORERS['rse']}"], dtype=float)
            best = int(np.nanargmin(rse))
            for metric, scorer in _SCORERS.items():
                row[metric] = float(-results[f"mean_test_{scorer}"][best])
            params = results["params"][best]
            row["settings"] = {
                key.removeprefix("regressor__model__"): _plain(value)
                for key, value in params.items()
            }
            if with_rmsep:
                row["rmsep"] = _rmsep(candidates, wrap, row, data, scoring)
                row["floor"] = floor
        rows.append(row)
    rows.sort(key=lambda row: row.get(select_by, np.inf))
    if "error" in rows[0]:
        reasons = "; ".join(f"{row['label']}: {row['error']}" for row in rows)
        raise CommandError(f"every model failed ({reasons}).")
    return rows


def _plain(value):
    """A setting as JSON keeps it (tuples as lists, numpy scalars as numbers)."""
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value.item() if isinstance(value, np.generic) else value


def _best_setting(candidates, wrap, row):
    """A row's model with its best settings, unfitted."""
    estimator, _ = candidates[row["model"]]
    params = {
        f"regressor__model__{key}": tuple(value) if isinstance(value, list) else value
        for key, value in row["settings"].items()
    }
    return clone(wrap(estimator)).set_params(**params)


def refit_best(candidates, wrap, rows, X, Y):
    """The winning model with its best settings, refitted on all pairs."""
    return _best_setting(candidates, wrap, rows[0]).fit(X, Y)


def format_table(
    rows,
    n_validation,
    *,
    select_by="rse",
    cv_folds=None,
    calibrated_on="the primary training spectra",
):
    """The comparison as the command prints it, with the direction of every column.

    ``cv_folds``: the scores are means over that many folds of
    ``n_validation`` pairs (else scores on ``n_validation`` held-out pairs).
    """
    with_rmsep = any("rmsep" in row for row in rows)
    rmsep_header = f"{'RMSEP':>10}" if with_rmsep else ""
    width = max(14, *(len(row["label"]) + 1 for row in rows))
    lines = [
        f"{'model':<{width}}{'RSE':>10}{rmsep_header}{'Euclidean':>12}{'cosine':>11}  "
        f"{'tune s':>7}  settings"
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"{row['label']:<{width}}{'failed: ' + row['error']}")
            continue
        rmsep = f"{row['rmsep']:>10.4g}" if with_rmsep else ""
        lines.append(
            f"{row['label']:<{width}}{row['rse']:>10.4g}{rmsep}{row['euclidean']:>12.4g}"
            f"{row['cosine']:>11.6f}  {row['seconds']:>7.1f}  {_in_user_terms(row['settings'])}"
        )
    scored = (
        f"Scores on the {n_validation} validation pairs"
        if cv_folds is None
        else f"Scores by {cv_folds}-fold cross-validation over the {n_validation} pairs"
    )
    lines.append(
        f"{scored}; lower is better in every column "
        "(cosine distance runs from -1, the same shape, to 1)."
    )
    if with_rmsep:
        floor = next(row["floor"] for row in rows if "floor" in row)
        lines.append(
            f"RMSEP: the analyte error of a PLS calibration on {calibrated_on}, "
            f"applied to each model's transferred spectra (on the true primary spectra: "
            f"{floor:.4g})."
        )
    criterion = {"rse": "RSE", "rmsep": "RMSEP"}[select_by]
    by = "validation" if cv_folds is None else "cross-validated"
    lines.append(f"Models are ranked by {by} {criterion}.")
    return "\n".join(lines)
