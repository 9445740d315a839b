"""The transfer paper's comparison: tune every model alike, evaluate once on a test set."""

import time
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.utils import Bunch, check_array, check_random_state
from sklearn.utils.validation import check_is_fitted

from sklspec.base import unwrap_frozen
from sklspec.metrics import (
    calibration_error,
    compression_ratio,
    k_score,
    mean_cosine_distance,
    mean_euclidean_distance,
    relative_squared_error,
)
from sklspec.model_selection._registry import (
    check_spectral_models,
    model_label,
    transfer_candidates,
)
from sklspec.model_selection._search import tune_transfer_models
from sklspec.model_selection._wrapping import wrap_transfer_model
from sklspec.preprocessing import SpectralScaler
from sklspec.utils._optional import import_optional
from sklspec.utils._seeding import seed_from
from sklspec.utils._sklearn_compat import Interval, validate_params
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike


@validate_params(
    {
        "Y": ["array-like"],
        "candidates": ["array-like"],
        "sample_size": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def choose_n_clusters(
    Y: ArrayLike,
    candidates: Sequence[int] = (3, 4, 5, 6, 7, 8, 9, 10, 15, 20),
    *,
    sample_size: int = 2000,
    random_state: RandomStateLike = None,
) -> tuple[int, dict[int, float]]:
    """Number of k-means clusters with the best silhouette on a subsample (paper, 4.4.1).

    The transfer paper chose the k-means behind its k-score this way (and
    found 4 clusters).

    Parameters
    ----------
    Y : array-like of shape (n_spectra, n_channels)
        Spectra to cluster, e.g. the primary training spectra.
    candidates : array-like of int, default=(3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
        Numbers of clusters to try; those not below the subsample's size are
        skipped.
    sample_size : int, default=2000
        Spectra drawn at random to cluster and score.
    random_state : int, RandomState instance or None, default=None
        Seed of the subsample and the k-means.

    Returns
    -------
    n_clusters : int
        The candidate with the highest silhouette score.
    scores : dict of int to float
        The silhouette score of each candidate tried.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.model_selection import choose_n_clusters
    >>> rng = np.random.default_rng(0)
    >>> Y = np.vstack([rng.normal(center, 0.1, (50, 4)) for center in (0, 5, 10)])
    >>> choose_n_clusters(Y, candidates=(2, 3, 4), random_state=0)[0]
    3
    """
    rng = check_random_state(random_state)
    Y = check_array(Y, input_name="Y")
    rows = rng.choice(len(Y), min(sample_size, len(Y)), replace=False)
    sample = Y[rows]
    scores = {}
    for k in candidates:
        if k >= len(sample):
            continue
        labels = KMeans(k, n_init=3, random_state=seed_from(rng)).fit_predict(sample)
        scores[k] = silhouette_score(sample, labels)
    return max(scores, key=scores.get), scores


def _n_parameters(model, n_outputs):
    """Parameters of a fitted model (the stored training pairs for KNN), and of its decoder."""
    model = model.regressor_.named_steps["model"]
    if hasattr(model, "mapper_"):  # LatentTransferRegressor: mapper + decoder
        latent = unwrap_frozen(model.vae_)
        if hasattr(latent, "n_decoder_parameters_"):  # a LatentLibrary
            decoder = latent.n_decoder_parameters_
        else:
            decoder = sum(p.numel() for p in latent.net_.module_.decoder.parameters())
        mapper, _ = _n_parameters_of(model.mapper_, model.latent_dim_)
        return (None if mapper is None else mapper + decoder), decoder
    return _n_parameters_of(model, n_outputs)


def _n_parameters_of(model, n_outputs):
    if hasattr(model, "base_"):  # ResidualMLPRegressor: the linear base and the correction
        base, _ = _n_parameters_of(model.base_, n_outputs)
        network = sum(p.numel() for p in model.net_.module_.parameters())
        return (None if base is None else base + network), None
    if hasattr(model, "net_"):
        return sum(p.numel() for p in model.net_.module_.parameters()), None
    if hasattr(model, "coef_"):  # PLS and linear models: coefficients and intercepts
        return model.coef_.size + np.size(getattr(model, "intercept_", 0)), None
    if hasattr(model, "n_samples_fit_"):  # KNN keeps the training pairs
        return model.n_samples_fit_ * (model.n_features_in_ + n_outputs), None
    return None, None


def compare_transfer_models(
    X_train: ArrayLike,
    Y_train: ArrayLike,
    X_val: ArrayLike,
    Y_val: ArrayLike,
    X_test: ArrayLike,
    Y_test: ArrayLike,
    *,
    models: dict[str, Any] | None = None,
    preprocessing: EstimatorLike | None = None,
    scaling: str = "global",
    n_clusters: int | None = None,
    calibration: EstimatorLike | None = None,
    test_targets: ArrayLike | None = None,
    Y_test_clean: ArrayLike | None = None,
    params: dict[str, Any] | None = None,
    random_state: RandomStateLike = None,
    verbose: int = 0,
) -> Bunch:
    """Run the transfer paper's comparison (Table 1) on paired spectra.

    Every model is wrapped alike: ``preprocessing`` on the secondary side,
    a :class:`~sklspec.preprocessing.SpectralScaler` on the primary side
    through ``TransformedTargetRegressor`` (:func:`wrap_transfer_model`),
    so predictions and metrics are in the primary spectra's own units. Each model's grid is
    searched by ``GridSearchCV`` on the one validation split (train on
    ``*_train``, score on ``*_val`` by mean Euclidean distance), the best
    is refitted on training plus validation data, and evaluated once on the
    test set.

    Parameters
    ----------
    X_train, Y_train : array-like
        Secondary and primary training spectra (same rows).
    X_val, Y_val : array-like
        Validation pairs, for the grid search.
    X_test, Y_test : array-like
        Held-out test pairs.
    models : dict, default=None
        ``{name: (estimator, param_grid)}``; None takes the paper's four
        (:func:`transfer_candidates` with ``preset="paper"``, its neural
        models at ``random_state``).
    preprocessing : transformer, default=None
        Secondary-side preprocessing in front of every model; None means
        ``SpectralScaler(scaling)``.
    scaling : {"global", "channel", "none"}, default="global"
        The primary side's scaling (and the secondary side's, when
        ``preprocessing`` is None): one scale for all channels, each
        channel's own (the paper's), or centring only.
    n_clusters : int, default=None
        Clusters of the k-means behind the k-score, fitted on the primary
        training spectra; None chooses it by silhouette on a subsample (the
        paper's procedure, which gave 4).
    calibration : fitted regressor, default=None
        A calibration of the primary instrument (primary spectra, in their
        own units, to analyte values). When given, each model is also
        judged by what a lab does with its transferred spectra: the table
        gains ``calibration_rmse``, :func:`~sklspec.metrics.calibration_error`
        of the calibration on the transferred test spectra.
    test_targets : array-like of shape (n_test,) or (n_test, n_analytes), default=None
        Known analyte values of the test samples, the reference of
        ``calibration_rmse`` (the RMSEP). None compares with the
        calibration's predictions on the true primary test spectra.
    Y_test_clean : array-like of shape (n_test, n_primary_channels), default=None
        The primary test spectra without noise, when known (a simulator's
        ``X_primary_noiseless``, preprocessed as ``Y_test``): the table
        gains ``rse_clean``, each model's RSE against them, and
        ``noise_floor`` is the RSE of the recorded test spectra against
        them (what even a perfect transfer scores against ``Y_test``).
    params : dict, default=None
        Metadata for the models' ``fit``, e.g. ``{"sample_weight": w}``
        with one weight per pair of ``X_train`` then ``X_val`` (the search
        trains on the first, the refit on both), routed by scikit-learn's
        metadata routing, which must be enabled; request it on the models
        (``model.set_fit_request(sample_weight=True)``).
    random_state : int, RandomState instance or None, default=None
        Seed for the k-means and the default models.
    verbose : int, default=0
        If > 0, report each model's search and score; if > 1, also each
        candidate of the search as it is scored, named in the model's terms
        (``MLP lr 0.001``), the sign of life while a large neural model
        trains.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``table`` (a pandas DataFrame, one row per model: mean Euclidean
        distance, mean cosine distance, RSE, k-score, parameter count,
        compression ratio, fit seconds, best parameters; with a
        ``calibration``, its error too; with ``Y_test_clean``,
        ``rse_clean``), ``noise_floor`` (with ``Y_test_clean``; else None),
        ``calibration_floor`` (with
        ``test_targets``: the calibration's RMSEP on the true primary test
        spectra, what a perfect transfer would reach), ``predictions``
        (``{name: Y_pred}``), ``searches`` (the fitted ``GridSearchCV``
        objects), ``clusterer`` (the k-means) and ``n_clusters``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cross_decomposition import PLSRegression
    >>> from sklspec.model_selection import compare_transfer_models
    >>> rng = np.random.default_rng(0)
    >>> amounts = rng.uniform(size=(300, 3))
    >>> Y, X = amounts @ rng.normal(size=(3, 40)), amounts @ rng.normal(size=(3, 30))
    >>> result = compare_transfer_models(
    ...     X[:200], Y[:200], X[200:250], Y[200:250], X[250:], Y[250:],
    ...     models={"pls": (PLSRegression(), {"n_components": [2, 3]})},
    ...     n_clusters=3, random_state=0)
    >>> result.table.loc["pls", "rse"] < 0.01
    np.True_
    """
    pd = import_optional("pandas", "compare_transfer_models")
    SpectralScaler(scaling)._validate_params()  # a bad name stops here, not after hours
    if calibration is not None:
        # Checked before hours of training, not after.
        check_is_fitted(
            calibration, msg="The calibration is not fitted; fit it on primary spectra."
        )
        if test_targets is not None and len(test_targets) != len(Y_test):
            raise ValueError(
                f"test_targets has {len(test_targets)} rows but Y_test has {len(Y_test)}."
            )
    Y_train, Y_val, Y_test = (np.asarray(Y, dtype=np.float64) for Y in (Y_train, Y_val, Y_test))
    noise_floor = None
    if Y_test_clean is not None:
        Y_test_clean = check_array(Y_test_clean, input_name="Y_test_clean")
        if Y_test_clean.shape != Y_test.shape:
            raise ValueError(
                f"Y_test_clean has shape {Y_test_clean.shape}, but Y_test has {Y_test.shape}; "
                "they must be the same spectra, with and without noise."
            )
        noise_floor = relative_squared_error(Y_test, Y_test_clean)
    if models is None:
        models = transfer_candidates(preset="paper", random_state=random_state)
    check_spectral_models(models, "compare_transfer_models")
    if preprocessing is None:
        preprocessing = SpectralScaler(scaling)
    rng = check_random_state(random_state)
    if n_clusters is None:
        n_clusters, _ = choose_n_clusters(Y_train, random_state=rng)
    clusterer = KMeans(n_clusters, n_init=10, random_state=seed_from(rng)).fit(Y_train)

    def wrap(estimator):
        return wrap_transfer_model(estimator, preprocessing, scaling=scaling)

    rows, predictions, searches = {}, {}, {}
    for name, estimator_grid in models.items():
        # One model at a time: each is tuned, then scored on the test pairs.
        start = time.perf_counter()
        tuned = tune_transfer_models(
            {name: estimator_grid},
            X_train,
            Y_train,
            X_val,
            Y_val,
            wrap=wrap,
            choose_by="euclidean",
            rank_by=None,
            refit=True,
            params=params,
            verbose=verbose,
        )
        fit_seconds = time.perf_counter() - start
        search = tuned.searches[name]
        Y_pred = search.predict(X_test)
        n_params, n_decoder = _n_parameters(search.best_estimator_, Y_test.shape[1])
        rows[name] = {
            "euclidean": mean_euclidean_distance(Y_test, Y_pred),
            "cosine": mean_cosine_distance(Y_test, Y_pred),
            "rse": relative_squared_error(Y_test, Y_pred),
            **(
                {}
                if Y_test_clean is None
                else {"rse_clean": relative_squared_error(Y_test_clean, Y_pred)}
            ),
            "k_score": k_score(Y_test, Y_pred, clusterer=clusterer),
            "n_parameters": n_params,
            "compression_ratio": (
                compression_ratio(
                    len(Y_test),
                    Y_test.shape[1],
                    search.best_estimator_.regressor_[-1].latent_dim_,
                    n_decoder,
                )
                if n_decoder is not None
                else np.nan
            ),
            **(
                {}
                if calibration is None
                else {
                    "calibration_rmse": calibration_error(
                        Y_test, Y_pred, calibration=calibration, targets=test_targets
                    )
                }
            ),
            "fit_seconds": fit_seconds,
            "best_params": {k.split("__")[-1]: v for k, v in search.best_params_.items()},
        }
        predictions[name] = Y_pred
        searches[name] = search
        if verbose:
            print(
                f"compare_transfer_models: {model_label(name)}: RSE {rows[name]['rse']:.3f}, "
                f"k-score {rows[name]['k_score']:.3f} ({fit_seconds:.0f} s)",
                flush=True,
            )
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    floor = None
    if calibration is not None and test_targets is not None:
        floor = calibration_error(Y_test, Y_test, calibration=calibration, targets=test_targets)
    return Bunch(
        table=table,
        noise_floor=noise_floor,
        calibration_floor=floor,
        predictions=predictions,
        searches=searches,
        clusterer=clusterer,
        n_clusters=n_clusters,
    )
