"""How many shared standards does a transfer need? Test error against the number of pairs."""

import time
import warnings
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.validation import check_is_fitted

from sklspec.metrics import calibration_error, relative_squared_error
from sklspec.model_selection._metadata import check_params, routed_fit_params
from sklspec.model_selection._registry import check_spectral_models
from sklspec.utils._optional import import_optional
from sklspec.utils._sklearn_compat import HasMethods, Interval, validate_params
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike

#: Fewest pairs a curve may start at: one pair cannot show a map between instruments.
MIN_PAIRS = 2


def _check_n_pairs(n_pairs, n_pool):
    sizes = np.unique(np.asarray(n_pairs).ravel())
    if sizes.size == 0:
        raise ValueError("n_pairs must hold at least one number of pairs.")
    if not np.issubdtype(sizes.dtype, np.integer):
        raise ValueError(f"n_pairs must be whole numbers of pairs; got {n_pairs!r}.")
    if sizes[0] < MIN_PAIRS:
        raise ValueError(f"n_pairs must be at least {MIN_PAIRS}; got {sizes[0]}.")
    if sizes[-1] > n_pool:
        raise ValueError(
            f"n_pairs asks for {sizes[-1]} pairs, but the pool holds {n_pool}; "
            "give more pairs or a smaller n_pairs."
        )
    return [int(n) for n in sizes]


@validate_params(
    {
        "X_pool": ["array-like"],
        "Y_pool": ["array-like"],
        "X_test": ["array-like"],
        "Y_test": ["array-like"],
        "models": [dict],
        "n_pairs": ["array-like"],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "calibration": [HasMethods(["predict"]), None],
        "test_targets": ["array-like", None],
        "Y_test_clean": ["array-like", None],
        "params": [dict, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def transfer_learning_curve(
    X_pool: ArrayLike,
    Y_pool: ArrayLike,
    X_test: ArrayLike,
    Y_test: ArrayLike,
    *,
    models: dict[str, Any],
    n_pairs: Sequence[int] = (5, 10, 20, 30),
    n_repeats: int = 5,
    calibration: EstimatorLike | None = None,
    test_targets: ArrayLike | None = None,
    Y_test_clean: ArrayLike | None = None,
    params: dict[str, Any] | None = None,
    random_state: RandomStateLike = None,
    verbose: int = 0,
) -> Bunch:
    """Transfer error against the number of shared standards, for several models.

    The realistic case of the transfer paper ("only a small number of
    shared samples", "max. tens"): a lab measures N standards on both
    instruments. For each N in ``n_pairs`` and each of ``n_repeats``
    draws, N pairs are drawn from the pool (the same pairs for every model;
    the draws are nested, so a curve adds pairs rather than replacing
    them), a clone of every model is fitted on them and scored on the test
    pairs. The primary system's own library, paired or not, enters through
    the models: e.g. a :class:`~sklspec.transfer.LatentTransferRegressor`
    whose VAE was fitted on all primary spectra and frozen.

    Parameters
    ----------
    X_pool, Y_pool : array-like of shape (n_pool, n_secondary) and (n_pool, n_primary)
        Secondary and primary spectra of the candidate standards (same rows).
    X_test, Y_test : array-like
        Held-out pairs to score on.
    models : dict
        ``{name: estimator}``, cloned and fitted as given for each draw (no
        search here: put a search CV inside, with a ``cv`` that works on
        the fewest pairs, if a model needs tuning). A fit that fails (e.g.
        more PLS components than pairs) scores NaN, is listed in
        ``failures`` and warned about; the other models go on.
    n_pairs : array-like of int, default=(5, 10, 20, 30)
        Numbers of pairs, each at least 2 and at most ``n_pool``.
    n_repeats : int, default=5
        Draws of the pairs per number; the spread over draws is reported. A
        number equal to the pool's size is fitted once (every draw would
        hold the same pairs); its spread is NaN.
    calibration : fitted regressor, default=None
        A primary calibration (primary spectra to analyte); adds the
        analyte error of the transferred test spectra
        (:func:`~sklspec.metrics.calibration_error`).
    test_targets : array-like of shape (n_test,) or (n_test, n_analytes), default=None
        Known analyte values of the test samples (the RMSEP's reference);
        None compares with the calibration on the true primary spectra.
    Y_test_clean : array-like of shape (n_test, n_primary_channels), default=None
        The primary test spectra without noise, when known: adds
        ``rse_clean``, the RSE against them, and ``noise_floor``, the RSE
        of ``Y_test`` against them (what a perfect transfer scores).
    params : dict, default=None
        Metadata for the models' ``fit``, e.g. ``{"sample_weight": w}``
        with one weight per pool pair (each fit gets its drawn pairs'),
        routed by scikit-learn's metadata routing, which must be enabled;
        request it on the models (``model.set_fit_request(sample_weight=True)``).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    verbose : int, default=0
        If > 0, print a line per number of pairs.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``table`` (a pandas DataFrame indexed by model and ``n_pairs``: the
        mean and standard deviation over draws of ``rse`` and, with a
        calibration, ``calibration_rmse``; ``fit_seconds``; ``n_failed``),
        ``scores`` (one row per model, number and draw), ``failures``
        (``(model, n_pairs, draw, message)``), ``calibration_floor`` (the
        calibration's error on the true test spectra, with
        ``test_targets``), ``noise_floor`` (with ``Y_test_clean``; else
        None) and ``n_pairs``.

    See Also
    --------
    sklspec.papers.plot_transfer_learning_curve : The figure.
    compare_transfer_models : One comparison, with a search per model.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cross_decomposition import PLSRegression
    >>> from sklearn.linear_model import Ridge
    >>> from sklspec.model_selection import transfer_learning_curve
    >>> rng = np.random.default_rng(0)
    >>> amounts = rng.uniform(size=(120, 3))
    >>> Y = amounts @ rng.normal(size=(3, 40))
    >>> X = amounts @ rng.normal(size=(3, 30)) + rng.normal(0, 0.05, size=(120, 30))
    >>> result = transfer_learning_curve(
    ...     X[:80], Y[:80], X[80:], Y[80:],
    ...     models={"pls": PLSRegression(3), "ridge": Ridge(1.0)},
    ...     n_pairs=[5, 40], n_repeats=3, random_state=0)
    >>> result.table["rse"].round(3).to_dict()
    {('pls', 5): 0.014, ('pls', 40): 0.005, ('ridge', 5): 0.094, ('ridge', 40): 0.001}
    """
    pd = import_optional("pandas", "transfer_learning_curve")
    X_pool, Y_pool = np.asarray(X_pool), np.asarray(Y_pool, dtype=np.float64)
    Y_test = np.asarray(Y_test, dtype=np.float64)
    if len(X_pool) != len(Y_pool):
        raise ValueError(
            f"X_pool has {len(X_pool)} rows but Y_pool has {len(Y_pool)}; they must be pairs."
        )
    if len(X_test) != len(Y_test):
        raise ValueError(
            f"X_test has {len(X_test)} rows but Y_test has {len(Y_test)}; they must be pairs."
        )
    if not models:
        raise ValueError("models must name at least one model.")
    check_spectral_models(models, "transfer_learning_curve")
    noise_floor = None
    if Y_test_clean is not None:
        Y_test_clean = np.asarray(Y_test_clean, dtype=np.float64)
        if Y_test_clean.shape != Y_test.shape:
            raise ValueError(
                f"Y_test_clean has shape {Y_test_clean.shape}, but Y_test has {Y_test.shape}; "
                "they must be the same spectra, with and without noise."
            )
        noise_floor = relative_squared_error(Y_test, Y_test_clean)
    if calibration is not None:
        check_is_fitted(
            calibration, msg="The calibration is not fitted; fit it on primary spectra."
        )
    params = check_params(params, len(X_pool), "transfer_learning_curve", "X_pool")
    for model in models.values():
        # A model that was not asked for the metadata fails here, not in every draw.
        routed_fit_params(model, params, [0], len(X_pool))
    sizes = _check_n_pairs(n_pairs, len(X_pool))
    rng = check_random_state(random_state)
    orders = [rng.permutation(len(X_pool)) for _ in range(n_repeats)]

    rows, failures = [], []
    for n in sizes:
        start = time.perf_counter()
        # Every draw of the whole pool holds the same pairs: fit them once.
        for draw, order in enumerate(orders if n < len(X_pool) else orders[:1]):
            chosen = order[:n]
            for name, model in models.items():
                row = {"model": name, "n_pairs": n, "draw": draw}
                begin = time.perf_counter()
                try:
                    with warnings.catch_warnings():
                        # e.g. PLS's "Y residual is constant" on very few pairs;
                        # the scores say what it cost.
                        warnings.simplefilter("ignore")
                        fit_params = routed_fit_params(model, params, chosen, len(X_pool))
                        fitted = clone(model).fit(X_pool[chosen], Y_pool[chosen], **fit_params)
                    Y_pred = np.asarray(fitted.predict(X_test), dtype=np.float64)
                except Exception as error:  # reported in failures; the other models go on
                    failures.append((name, n, draw, f"{type(error).__name__}: {error}"))
                    row.update(rse=np.nan, fit_seconds=np.nan)
                    if Y_test_clean is not None:
                        row["rse_clean"] = np.nan
                    if calibration is not None:
                        row["calibration_rmse"] = np.nan
                    rows.append(row)
                    continue
                row["fit_seconds"] = time.perf_counter() - begin
                row["rse"] = relative_squared_error(Y_test, Y_pred)
                if Y_test_clean is not None:
                    row["rse_clean"] = relative_squared_error(Y_test_clean, Y_pred)
                if calibration is not None:
                    row["calibration_rmse"] = calibration_error(
                        Y_test, Y_pred, calibration=calibration, targets=test_targets
                    )
                rows.append(row)
        if verbose:
            print(
                f"transfer_learning_curve: {n} pairs, {n_repeats} draw(s) "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    if failures:
        shown = "; ".join(f"{m} at {n} pairs: {msg}" for m, n, _, msg in failures[:3])
        warnings.warn(
            f"{len(failures)} fit(s) failed and score NaN (see result.failures): {shown}",
            UserWarning,
            stacklevel=2,
        )
    scores = pd.DataFrame(rows)
    metrics = ["rse", *(["rse_clean"] if Y_test_clean is not None else [])]
    metrics += ["calibration_rmse"] if calibration is not None else []
    grouped = scores.groupby(["model", "n_pairs"], sort=False)
    table = grouped[metrics].mean()
    for metric in metrics:
        table[f"{metric}_std"] = grouped[metric].std(ddof=1)
    table["fit_seconds"] = grouped["fit_seconds"].mean()
    table["n_failed"] = grouped["rse"].apply(lambda values: int(values.isna().sum()))
    table = table.reindex(
        pd.MultiIndex.from_product([list(models), sizes], names=table.index.names)
    )
    floor = None
    if calibration is not None and test_targets is not None:
        floor = calibration_error(Y_test, Y_test, calibration=calibration, targets=test_targets)
    return Bunch(
        table=table,
        scores=scores,
        failures=failures,
        calibration_floor=floor,
        noise_floor=noise_floor,
        n_pairs=sizes,
    )
