"""Apply a fitted estimator to a dask array, one block of spectra at a time."""

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from sklspec.utils._optional import import_optional
from sklspec.utils._sklearn_compat import HasMethods, StrOptions, validate_params
from sklspec.utils._typing import ArrayLike, EstimatorLike

_METHODS = {"predict", "transform", "inverse_transform", "predict_proba", "score_samples"}


@validate_params(
    {
        "estimator": [HasMethods(["fit"])],
        "X": "no_validation",
        "method": [StrOptions(_METHODS)],
    },
    prefer_skip_nested_validation=True,
)
def predict_blocks(estimator: EstimatorLike, X: ArrayLike, *, method: str = "predict") -> Any:
    """Apply a fitted estimator's ``predict`` (or ``transform``) to a dask array block by block.

    Each block of rows (spectra) is computed where it lives, by the
    scheduler in use (threads, processes or a ``dask.distributed``
    cluster), so a map too large for one machine's memory is transferred
    without ever being gathered. The estimator is sent to each worker once
    per block: a fitted sklspec model is a few megabytes. Only the rows are
    split: blocks that also split the channels are merged first, since a
    model needs whole spectra.

    Parameters
    ----------
    estimator : fitted estimator
        Any fitted scikit-learn-compatible model or pipeline, e.g. a
        :class:`~sklspec.transfer.LatentTransferRegressor` or a
        :class:`~sklspec.vae.VAEEncoder` (``method="transform"``).
    X : dask.array.Array of shape (n_spectra, n_channels)
        Spectra, one per row, chunked along the rows (float32 stays
        float32 on the way in).
    method : {"predict", "transform", "inverse_transform", "predict_proba", \
"score_samples"}, default="predict"
        The estimator's method to apply.

    Returns
    -------
    result : dask.array.Array of shape (n_spectra, n_outputs) or (n_spectra,)
        Lazy: nothing is computed until ``.compute()``, ``.to_zarr()`` or
        ``.store()``. Same row chunks as ``X``; the output's width and dtype
        come from applying the method to the first spectrum.

    Raises
    ------
    TypeError
        If ``X`` is not a 2-D dask array.
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.

    See Also
    --------
    joblib.parallel_backend : ``"dask"`` runs a search's fits on a cluster.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sklearn.cross_decomposition import PLSRegression
    >>> from sklspec.parallel import predict_blocks
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(1000, 40)).astype(np.float32)
    >>> model = PLSRegression(3).fit(X[:200], X[:200, :5])
    >>> spectra = da.from_array(X, chunks=(250, 40))
    >>> transferred = predict_blocks(model, spectra)
    >>> transferred.shape, transferred.chunks[0]
    ((1000, 5), (250, 250, 250, 250))
    >>> bool(np.allclose(transferred.compute(), model.predict(X), atol=1e-5))
    True
    """
    da = import_optional("dask.array", "predict_blocks")
    if not isinstance(X, da.Array) or X.ndim != 2:
        raise TypeError(
            "predict_blocks needs a 2-D dask array of spectra (one per row); got "
            f"{type(X).__name__}{'' if not hasattr(X, 'ndim') else f' with {X.ndim} dimensions'}. "
            "Wrap an array with dask.array.from_array(X, chunks=(rows, -1))."
        )
    if not hasattr(estimator, method):
        raise AttributeError(f"{type(estimator).__name__} has no method {method!r}.")
    check_is_fitted(estimator)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    apply = getattr(estimator, method)
    # The output's width and dtype, from one spectrum (dask's own inference
    # would call the model on empty arrays, which validation rejects).
    first = np.asarray(apply(np.asarray(X[:1].compute())))
    if first.ndim == 1:
        return X.map_blocks(apply, dtype=first.dtype, drop_axis=1)
    return X.map_blocks(apply, dtype=first.dtype, chunks=(X.chunks[0], (first.shape[1],)))
