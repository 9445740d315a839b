"""The one tuning loop: every candidate searched alike, on a validation split or by CV."""

import contextlib
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, ParameterGrid, PredefinedSplit
from sklearn.utils import Bunch

from sklspec.exceptions import TransferSelectionError
from sklspec.metrics import (
    calibration_error,
    mean_cosine_distance,
    mean_euclidean_distance,
    relative_squared_error,
)
from sklspec.model_selection._calibration import cross_validated_rmsep, fold_calibrations
from sklspec.model_selection._metadata import check_params, routed_fit_params
from sklspec.model_selection._progress import ProgressScorer
from sklspec.model_selection._registry import (
    TRANSFER_CANDIDATES,
    calibration_candidates,
    model_label,
)
from sklspec.model_selection._wrapping import wrap_transfer_model
from sklspec.utils._training_progress import TrainingReporter, reporting_training
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike

#: The scores of every search, by the name a table gives them.
SCORERS = {
    "rse": "neg_relative_squared_error",
    "euclidean": "neg_mean_euclidean_distance",
    "cosine": "neg_mean_cosine_distance",
}
_SCORE_NAMES = {
    "rse": "RSE",
    "euclidean": "mean Euclidean distance",
    "cosine": "mean cosine distance",
}
#: Where the wrapped model's parameters live (``wrap_transfer_model``).
PREFIX = "regressor__model__"


def _last_line(text):
    """The exception line that ends scikit-learn's fit-failure report, without module paths."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if not lines:
        return "its fits failed"
    name, colon, message = lines[-1].partition(": ")
    return f"{name.rsplit('.', 1)[-1]}{colon}{message}"


def _plain(value):
    """A setting as JSON keeps it (tuples as lists, numpy scalars as numbers)."""
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value.item() if isinstance(value, np.generic) else value


def _run_search(search, scorer, X, Y, debug, params):
    """Fit the search; the reason when no setting could be scored, else None."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitFailedWarning)
        try:
            search.fit(X, Y, **params)
        except Exception as exc:
            # Nothing scored: every fit failed, and the search says why. A
            # failure after some scores (its refit) is not the candidate's.
            if debug or scorer.done:
                raise
            return _last_line(exc)
    # When no score could be computed scikit-learn keeps a single "score" column.
    rse = search.cv_results_.get(f"mean_test_{SCORERS['rse']}")
    if rse is not None and not np.all(np.isnan(np.asarray(rse, dtype=float))):
        return None
    failures = [w for w in caught if issubclass(w.category, FitFailedWarning)]
    if failures:
        return _last_line(failures[0].message)
    if scorer.failure is not None:
        return f"no setting could be scored: {scorer.failure}"
    return "no setting could be scored"


def _lab_wrapping(preprocessing, scaling):
    from sklspec.base import unwrap_frozen
    from sklspec.preprocessing import SpectralScaler
    from sklspec.transfer import LatentLibrary

    if preprocessing is None:
        preprocessing = SpectralScaler(scaling)

    def wrap(estimator):
        # A library scales the primary spectra itself (a frozen one, as it was fitted).
        library = unwrap_frozen(getattr(estimator, "vae", None))
        own = None if isinstance(library, LatentLibrary) else scaling
        return wrap_transfer_model(estimator, preprocessing, scaling=own)

    return wrap


def _check_no_calibration_candidates(models, params):
    if not params:
        return
    calibrations = calibration_candidates(models)
    if calibrations:
        raise ValueError(
            f"params go to the models that transfer spectra; {', '.join(calibrations)} "
            "transfer(s) the calibration, fitted on the calibration set: tune them in a "
            "call without params."
        )


def best_setting(
    models: dict[str, Any], wrap: Callable[[Any], Any], row: dict[str, Any]
) -> EstimatorLike:
    """A table row's model with its best settings, wrapped and unfitted.

    Parameters
    ----------
    models : dict
        The ``{name: (estimator, param_grid)}`` that were tuned.
    wrap : callable
        The wrapping they were tuned in (``tune_transfer_models(...).wrap``).
    row : dict
        A row of :func:`tune_transfer_models`.

    Returns
    -------
    model : estimator
        Unfitted: fit it on all pairs to keep it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.model_selection import (
    ...     best_setting, transfer_candidates, tune_transfer_models)
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(2, 30, 8))
    >>> models = transfer_candidates(["pls"], n_pairs=20, n_channels=8)
    >>> result = tune_transfer_models(models, X[:20], Y[:20], X[20:], Y[20:], verbose=0)
    >>> model = best_setting(models, result.wrap, result.rows[0]).fit(X, Y)
    >>> model.regressor_[-1].n_components == result.rows[0]["settings"]["n_components"]
    True
    """
    estimator, _ = models[row["model"]]
    params = {f"{PREFIX}{key}": value for key, value in _row_params(row).items()}
    return clone(wrap(estimator)).set_params(**params)


def _row_params(row):
    """A row's settings as parameters (JSON keeps tuples, e.g. layer sizes, as lists)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in row["settings"].items()}


def _fit_calibration_transfer(candidate, model, pairs, calibration_set):
    """Fit a candidate that transfers the calibration on one fold's training pairs.

    ``pairs`` is ``(X_secondary, Y_primary, targets)`` of the fold's training
    pairs; a ``"robust_calibration"`` refits the calibration on
    ``calibration_set`` (None: the pairs' primary spectra and targets).
    """
    secondary, primary, targets = pairs
    if candidate.kind == "calibration":
        return model.fit(secondary, targets)
    spectra, values = (primary, targets) if calibration_set is None else calibration_set
    return model.fit(spectra, values, X_primary=primary, X_secondary=secondary)


def fit_calibration_transfer(
    models: dict[str, Any],
    row: dict[str, Any],
    X: ArrayLike,
    Y: ArrayLike,
    targets: ArrayLike,
    *,
    calibration: EstimatorLike,
    calibration_set: tuple[ArrayLike, ArrayLike] | None = None,
) -> EstimatorLike:
    """A row's calibration-transfer model (slope/bias, EPO, GCT-PLS), fitted on all the pairs.

    What :func:`best_setting` is to the models that transfer spectra: the
    row's settings, the comparison's calibration given as the comparison
    gave it, fitted as each fold's was.

    Parameters
    ----------
    models : dict
        The ``{name: (estimator, param_grid)}`` that were tuned.
    row : dict
        A row of :func:`tune_transfer_models` whose model transfers the
        calibration (``row["output"] == "analyte"``).
    X, Y : array-like of shape (n_pairs, n_channels)
        Secondary and primary spectra of the pairs (the standards).
    targets : array-like of shape (n_pairs,) or (n_pairs, n_analytes)
        Their analyte values.
    calibration : fitted regressor
        The primary calibration the comparison scored with.
    calibration_set : tuple of (spectra, targets), default=None
        The primary calibration set that EPO and GCT-PLS refit on; None:
        the pairs' primary spectra and ``targets``.

    Returns
    -------
    model : estimator
        Fitted: ``model.predict(X_secondary)`` gives analyte values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.model_selection import (
    ...     fit_calibration, fit_calibration_transfer, transfer_candidates,
    ...     tune_transfer_models)
    >>> rng = np.random.default_rng(0)
    >>> amounts = rng.uniform(size=(40, 2))
    >>> Y = amounts @ rng.normal(size=(2, 30))
    >>> X, oil = 1.1 * Y + 0.2, amounts[:, 0]
    >>> models = transfer_candidates(["gct_pls"], n_pairs=30, n_channels=30)
    >>> calibration = fit_calibration(Y[:30], oil[:30])
    >>> result = tune_transfer_models(models, X[:30], Y[:30], X[30:], Y[30:],
    ...     calibration=calibration, targets=oil[30:], train_targets=oil[:30], verbose=0)
    >>> model = fit_calibration_transfer(
    ...     models, result.rows[0], X, Y, oil, calibration=calibration)
    >>> model.predict(X[:3]).shape
    (3,)
    """
    candidate = TRANSFER_CANDIDATES[row["model"]]
    if not candidate.predicts_analytes:
        raise ValueError(
            f"{candidate.label} transfers spectra, not the calibration: refit it with "
            "best_setting(models, wrap, row).fit(X, Y)."
        )
    estimator, _ = models[row["model"]]
    model = clone(estimator).set_params(
        **candidate.calibration_params(calibration), **_row_params(row)
    )
    pairs = (np.asarray(X), np.asarray(Y), np.asarray(targets, dtype=np.float64))
    return _fit_calibration_transfer(candidate, model, pairs, calibration_set)


def _tune_calibration_transfer(
    candidate, estimator, grid, pairs, *, folds, calibration, calibration_set, floor, debug
):
    """A row for a candidate that transfers the calibration: each setting's RMSEP."""
    from sklearn.metrics import root_mean_squared_error

    row = {"model": candidate.name, "label": candidate.label, "output": "analyte"}
    X, Y, X_val, Y_val, train_targets, scored_targets = pairs
    if folds is None:  # one validation split
        if calibration is None or scored_targets is None or train_targets is None:
            row["error"] = "needs the analyte values of the training and validation pairs"
            return row
        X_fit, Y_fit = np.concatenate([X, X_val]), np.concatenate([Y, Y_val])
        n_train = len(X)
        folds = [(np.arange(n_train), np.arange(n_train, len(X_fit)), calibration)]
        values = np.concatenate(
            [
                np.asarray(train_targets, dtype=np.float64).reshape(n_train, -1),
                np.asarray(scored_targets, dtype=np.float64).reshape(len(X_val), -1),
            ]
        )
    else:
        X_fit, Y_fit = X, Y
        values = np.asarray(scored_targets, dtype=np.float64).reshape(len(X), -1)
    if calibration_set is not None:
        spectra, analytes = calibration_set
        calibration_set = (
            np.asarray(spectra),
            np.asarray(analytes, dtype=np.float64).reshape(len(spectra), -1),
        )
    tested = np.concatenate([test for _, test, _ in folds])
    start, scores = time.perf_counter(), []
    for params in ParameterGrid(grid):
        predicted = np.empty_like(values)
        try:
            for train, test, fold_calibration in folds:
                model = clone(estimator).set_params(
                    **candidate.calibration_params(fold_calibration), **params
                )
                fold_pairs = (X_fit[train], Y_fit[train], values[train])
                _fit_calibration_transfer(candidate, model, fold_pairs, calibration_set)
                predicted[test] = np.asarray(model.predict(X_fit[test])).reshape(len(test), -1)
        except Exception as exc:
            if debug:
                raise
            scores.append((np.inf, params, f"{type(exc).__name__}: {exc}"))
            continue
        error = float(root_mean_squared_error(values[tested], predicted[tested]))
        scores.append((error, params, None))
    row["seconds"] = round(time.perf_counter() - start, 1)
    error, params, failure = min(scores, key=lambda score: score[0])
    if failure is not None:
        row["error"] = failure
        return row
    row.update(rmsep=error, floor=floor, settings={k: _plain(v) for k, v in params.items()})
    return row


def tune_transfer_models(
    models: dict[str, Any],
    X: ArrayLike,
    Y: ArrayLike,
    X_val: ArrayLike | None = None,
    Y_val: ArrayLike | None = None,
    *,
    cv: Any = None,
    preprocessing: EstimatorLike | None = None,
    scaling: str = "global",
    wrap: Callable[[Any], Any] | None = None,
    choose_by: str = "rse",
    rank_by: str | None = "rse",
    calibration: EstimatorLike | None = None,
    targets: ArrayLike | None = None,
    train_targets: ArrayLike | None = None,
    calibration_set: tuple[ArrayLike, ArrayLike] | None = None,
    refit: bool = False,
    params: dict[str, Any] | None = None,
    random_state: RandomStateLike = 0,
    debug: bool = False,
    verbose: int = 1,
) -> Bunch:
    """Tune each transfer candidate alike; a table row per model, best first.

    Every model is wrapped alike (``wrap``) and its grid searched by
    ``GridSearchCV``: trained on ``X``/``Y`` and scored on the validation
    pairs ``X_val``/``Y_val``, or, with ``cv``, by cross-validation over
    ``X``/``Y``. Each model's setting with the lowest ``choose_by`` score
    gives its row. A model whose every setting fails (diverged training, a
    size it cannot handle) gets a row with ``error`` instead of scores.

    Parameters
    ----------
    models : dict
        ``{name: (estimator, param_grid)}``, e.g. from
        :func:`transfer_candidates`.
    X, Y : array-like
        Secondary and primary spectra of the training pairs (all pairs with
        ``cv``).
    X_val, Y_val : array-like, default=None
        The validation pairs (None with ``cv``).
    cv : cross-validation generator, default=None
        A scikit-learn splitter over ``X``/``Y``; scores are means over its
        folds.
    preprocessing : transformer, default=None
        Secondary-side preprocessing in front of every model; None:
        ``SpectralScaler(scaling)``.
    scaling : {"global", "channel", "none"}, default="global"
        The primary side's :class:`~sklspec.preprocessing.SpectralScaler`
        (none around a model holding a
        :class:`~sklspec.transfer.LatentLibrary`, which scales the primary
        spectra itself), as ``sklspec fit-transfer`` wraps its models.
    wrap : callable, default=None
        ``wrap(estimator)`` puts the preprocessing around a model, keeping
        its parameters under ``regressor__model__``
        (:func:`wrap_transfer_model` does); None: the wrapping of
        ``preprocessing`` and ``scaling`` above.
    choose_by : {"rse", "euclidean", "cosine"}, default="rse"
        The validation score that picks each model's setting.
    rank_by : {"rse", "euclidean", "cosine", "rmsep"} or None, default="rse"
        The score that orders the rows; None keeps the order of ``models``.
    calibration : fitted regressor, default=None
        A primary calibration. With it (and the validation ``targets``)
        each model's best setting is refitted on the training pairs and its
        transferred validation spectra are scored by the calibration's
        RMSEP (``rmsep``); ``floor`` is the calibration's RMSEP on the true
        validation spectra. With ``cv``, ``targets`` holds every pair's, and
        without ``calibration`` each fold fits its own on its training pairs.
    targets : array-like, default=None
        Analyte values of the validation pairs (of all pairs with ``cv``).
    train_targets : array-like, default=None
        Analyte values of the training pairs, without ``cv``: what the
        candidates that transfer the calibration (kinds ``"calibration"``,
        slope/bias, and ``"robust_calibration"``, EPO and GCT-PLS) fit on.
        They are scored by the RMSEP alone, each fit given that split's (or
        fold's) calibration.
    calibration_set : tuple of (spectra, targets), default=None
        The primary calibration set that the ``"robust_calibration"``
        candidates refit their calibration on, the training pairs standing
        in as standards; None: the training pairs' primary spectra and
        analyte values.
    refit : bool, default=False
        Refit each model's best setting on all pairs (``searches`` then
        predict).
    params : dict, default=None
        Metadata for the models' ``fit`` and the splitter, e.g.
        ``{"sample_weight": w}`` or ``{"groups": g}`` with a ``GroupKFold``,
        routed by scikit-learn's metadata routing (which must be enabled;
        request it on the models, ``model.set_fit_request(sample_weight=True)``).
        Per-sample values cover the rows of ``X``, then those of ``X_val``
        (which the refit uses). Not for the candidates that transfer the
        calibration, which fit on the calibration set.
    random_state : int, default=0
        Seed of the folds' calibrations.
    debug : bool, default=False
        Raise the first failure, with its traceback.
    verbose : int, default=1
        0: silent; 1: a line per model; 2: also a line per scored fit.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``rows`` (a dict per model: ``model``, ``label``, ``seconds``,
        ``rse``, ``euclidean``, ``cosine``, ``settings``, and ``rmsep`` and
        ``floor`` with a calibration; or ``error``), ``searches`` (the
        fitted ``GridSearchCV`` per model that did not fail),
        ``calibration_floor`` and ``wrap`` (the wrapping used, for
        :func:`best_setting`).

    Raises
    ------
    TransferSelectionError
        When every model failed.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.model_selection import transfer_candidates, tune_transfer_models
    >>> rng = np.random.default_rng(0)
    >>> amounts = rng.uniform(size=(60, 3))
    >>> X, Y = amounts @ rng.normal(size=(3, 30)), amounts @ rng.normal(size=(3, 40))
    >>> models = transfer_candidates(["pls", "knn"], n_pairs=40, n_channels=30)
    >>> result = tune_transfer_models(models, X[:40], Y[:40], X[40:], Y[40:], verbose=0)
    >>> [(row["model"], row["settings"]) for row in result.rows]
    [('pls', {'n_components': 3}), ('knn', {'n_neighbors': 2})]
    """
    if wrap is None:
        wrap = _lab_wrapping(preprocessing, scaling)

    if (cv is None) == (X_val is None):
        raise ValueError("Give either validation pairs (X_val, Y_val) or a cv splitter.")
    X, Y = np.asarray(X), np.asarray(Y)
    groups = (params or {}).get("groups")
    held_out = (
        len(X_val) if cv is None else min(len(test) for _, test in cv.split(X, groups=groups))
    )
    if held_out < 2:
        raise ValueError(
            f"Every validation fold must hold at least 2 pairs (the RSE compares spectra "
            f"with their mean); one holds {held_out}. Use fewer folds or more pairs."
        )
    if cv is None:
        X_val, Y_val = np.asarray(X_val), np.asarray(Y_val)
        X_fit, Y_fit = np.concatenate([X, X_val]), np.concatenate([Y, Y_val])
        split = PredefinedSplit(np.r_[np.full(len(X), -1), np.zeros(len(X_val), dtype=int)])
    else:
        X_fit, Y_fit, split = X, Y, cv
    params = check_params(
        params, len(X_fit), "tune_transfer_models", "X, then X_val" if cv is None else "X"
    )
    _check_no_calibration_candidates(models, params)
    with_rmsep = targets is not None and (calibration is not None or cv is not None)
    floor = folds = None
    if with_rmsep:
        # The calibration's own RMSEP on the true spectra: one value for all rows.
        if cv is None:
            floor = calibration_error(Y_val, Y_val, calibration=calibration, targets=targets)
        else:
            folds = fold_calibrations(
                X,
                Y,
                targets,
                cv=cv,
                calibration=calibration,
                random_state=random_state,
                groups=groups,
            )
            floor = cross_validated_rmsep(None, X, Y, targets, folds)
    metrics = {
        SCORERS["rse"]: relative_squared_error,
        SCORERS["euclidean"]: mean_euclidean_distance,
        SCORERS["cosine"]: mean_cosine_distance,
    }
    rows, searches = [], {}
    for name, (estimator, grid) in models.items():
        label = model_label(name)
        candidate = TRANSFER_CANDIDATES.get(name)
        if candidate is not None and candidate.predicts_analytes:
            if verbose:
                print(f"{label}: {len(ParameterGrid(grid))} setting(s) to try", flush=True)
            rows.append(
                _tune_calibration_transfer(
                    candidate,
                    estimator,
                    grid,
                    (X, Y, X_val, Y_val, train_targets, targets),
                    folds=folds,
                    calibration=calibration,
                    calibration_set=calibration_set,
                    floor=floor,
                    debug=debug,
                )
            )
            if verbose and "error" in rows[-1]:
                print(f"{label}: failed ({rows[-1]['error']})", flush=True)
            continue
        n_settings = len(ParameterGrid(grid))
        if verbose:
            print(f"{label}: {n_settings} setting(s) to try", flush=True)
        n_fits = n_settings * (1 if cv is None else split.get_n_splits())
        scorer = ProgressScorer(
            metrics,
            label,
            list(grid),
            n_fits,
            shown=(_SCORE_NAMES[choose_by], SCORERS[choose_by]),  # the score that picks
            prefix=PREFIX,
            verbose=verbose > 1,
        )
        search = GridSearchCV(
            wrap(estimator),
            {f"{PREFIX}{key}": values for key, values in grid.items()},
            scoring=scorer,
            refit=SCORERS[choose_by] if refit else False,
            cv=split,
            error_score="raise" if debug else np.nan,
        )
        start = time.perf_counter()
        reporter = TrainingReporter(label) if verbose > 1 else None
        if reporter is not None:
            reporter.setting = f" 1/{n_fits}"
        scorer.reporter = reporter
        with reporting_training(reporter) if reporter else contextlib.nullcontext():
            failure = _run_search(search, scorer, X_fit, Y_fit, debug, params)
        row = {"model": name, "label": label, "seconds": round(time.perf_counter() - start, 1)}
        if failure:
            row["error"] = failure
            if verbose:
                print(f"{label}: failed ({failure})", flush=True)
            rows.append(row)
            continue
        searches[name] = search
        results = search.cv_results_
        chosen = -np.asarray(results[f"mean_test_{SCORERS[choose_by]}"], dtype=float)
        best = int(np.nanargmin(chosen))
        for metric, scorer_name in SCORERS.items():
            row[metric] = float(-results[f"mean_test_{scorer_name}"][best])
        chosen_setting = results["params"][best]
        row["settings"] = {key.removeprefix(PREFIX): _plain(v) for key, v in chosen_setting.items()}
        if with_rmsep:
            model = best_setting(models, wrap, row)
            if cv is None:
                fit_params = routed_fit_params(model, params, np.arange(len(X)), len(X_fit))
                predicted = model.fit(X, Y, **fit_params).predict(X_val)
                row["rmsep"] = calibration_error(
                    Y_val, predicted, calibration=calibration, targets=targets
                )
            else:
                row["rmsep"] = cross_validated_rmsep(model, X, Y, targets, folds, params)
            row["floor"] = floor
        rows.append(row)
    if rank_by is not None:
        rows.sort(key=lambda row: row.get(rank_by, np.inf))
    if all("error" in row for row in rows):
        reasons = "; ".join(f"{row['label']}: {row['error']}" for row in rows)
        raise TransferSelectionError(f"every model failed ({reasons}).")
    return Bunch(rows=rows, searches=searches, calibration_floor=floor, wrap=wrap)
