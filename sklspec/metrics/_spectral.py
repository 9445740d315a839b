"""Figures of merit for predicted spectra (Vrábel et al., JAAS 2023, section 4.4).

``X_true`` and ``X_pred`` hold one spectrum per row (n_spectra x n_channels).
A 1-D array is read as scikit-learn reads ``y``: one value per sample, i.e.
spectra of a single channel.
"""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.metrics.pairwise import paired_euclidean_distances
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils.validation import check_is_fitted

from sklspec.utils._sklearn_compat import check_sample_weight, validate_params
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike

_WEIGHTED = {
    "X_true": ["array-like"],
    "X_pred": ["array-like"],
    "sample_weight": ["array-like", None],
}


def _check_spectra_pair(X_true, X_pred):
    X_true = check_array(
        X_true, ensure_2d=False, dtype=[np.float64, np.float32], input_name="X_true"
    )
    X_pred = check_array(
        X_pred, ensure_2d=False, dtype=[np.float64, np.float32], input_name="X_pred"
    )
    X_true = X_true.reshape(X_true.shape[0], -1) if X_true.ndim == 1 else X_true
    X_pred = X_pred.reshape(X_pred.shape[0], -1) if X_pred.ndim == 1 else X_pred
    if X_true.shape != X_pred.shape:
        raise ValueError(
            f"X_true and X_pred must have the same shape (n_spectra, n_channels); "
            f"got {X_true.shape} and {X_pred.shape}."
        )
    return X_true, X_pred


def rowwise_euclidean_distance(X_true: ArrayLike, X_pred: ArrayLike) -> np.ndarray:
    """Euclidean distance between each true spectrum and its prediction.

    ``Euclid_i = sqrt(sum_j (x_ij - x^_ij)^2)`` (the paper's eq. 2). Lower is
    better; 0 is a perfect prediction.

    Parameters
    ----------
    X_true : array-like of shape (n_spectra, n_channels)
        True spectra.
    X_pred : array-like of shape (n_spectra, n_channels)
        Predicted spectra.

    Returns
    -------
    distances : ndarray of shape (n_spectra,)
        One distance per spectrum, e.g. for an error map.

    Examples
    --------
    >>> from sklspec.metrics import rowwise_euclidean_distance
    >>> rowwise_euclidean_distance([[0, 0], [1, 1]], [[3, 4], [1, 1]])
    array([5., 0.])
    """
    X_true, X_pred = _check_spectra_pair(X_true, X_pred)
    return paired_euclidean_distances(X_true, X_pred)


def rowwise_cosine_distance(X_true: ArrayLike, X_pred: ArrayLike) -> np.ndarray:
    """The paper's cosine distance: minus the cosine similarity of each pair.

    ``Cosine_i = -(x_i . x^_i) / (|x_i| |x^_i|)`` (the paper's eq. 3). It
    ranges from -1 (same shape, the best value) through 0 (orthogonal) to 1
    (opposite). **Lower is better**, and note the sign: this is not
    scikit-learn's ``paired_cosine_distances`` (``1 - similarity``, range 0
    to 2). A spectrum of zero norm has similarity 0, as in scikit-learn's
    ``cosine_similarity``.

    Parameters
    ----------
    X_true : array-like of shape (n_spectra, n_channels)
        True spectra.
    X_pred : array-like of shape (n_spectra, n_channels)
        Predicted spectra.

    Returns
    -------
    distances : ndarray of shape (n_spectra,)
        One value in [-1, 1] per spectrum.

    Examples
    --------
    >>> from sklspec.metrics import rowwise_cosine_distance
    >>> rowwise_cosine_distance([[1, 0], [1, 0]], [[3, 0], [0, 2]])
    array([-1.,  0.])
    """
    X_true, X_pred = _check_spectra_pair(X_true, X_pred)
    X_true = X_true.astype(np.float64, copy=False)
    X_pred = X_pred.astype(np.float64, copy=False)
    norms = np.linalg.norm(X_true, axis=1) * np.linalg.norm(X_pred, axis=1)
    dots = np.einsum("ij,ij->i", X_true, X_pred)
    similarity = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return 0.0 - np.clip(similarity, -1.0, 1.0)  # 0.0 - x: no negative zeros


@validate_params(_WEIGHTED, prefer_skip_nested_validation=True)
def mean_euclidean_distance(
    X_true: ArrayLike, X_pred: ArrayLike, *, sample_weight: ArrayLike | None = None
) -> float:
    """Mean over spectra of the Euclidean distance (the paper's <Euclid>).

    Lower is better. The scorer ``"neg_mean_euclidean_distance"`` is its
    negative, so that greater is better.

    Parameters
    ----------
    X_true : array-like of shape (n_spectra, n_channels)
        True spectra.
    X_pred : array-like of shape (n_spectra, n_channels)
        Predicted spectra.
    sample_weight : array-like of shape (n_spectra,), default=None
        Weights of the spectra.

    Returns
    -------
    distance : float

    Examples
    --------
    >>> from sklspec.metrics import mean_euclidean_distance
    >>> mean_euclidean_distance([[0, 0], [1, 1]], [[3, 4], [1, 1]])
    2.5
    """
    distances = rowwise_euclidean_distance(X_true, X_pred)
    check_consistent_length(distances, sample_weight)
    weights = None if sample_weight is None else check_sample_weight(sample_weight, distances)
    return float(np.average(distances, weights=weights))


@validate_params(_WEIGHTED, prefer_skip_nested_validation=True)
def mean_cosine_distance(
    X_true: ArrayLike, X_pred: ArrayLike, *, sample_weight: ArrayLike | None = None
) -> float:
    """Mean over spectra of the paper's cosine distance (the paper's <cosine>).

    In [-1, 1]; **lower is better**, -1 is perfect. The scorer
    ``"neg_mean_cosine_distance"`` is its negative (the mean cosine
    similarity), so that greater is better.

    Parameters
    ----------
    X_true : array-like of shape (n_spectra, n_channels)
        True spectra.
    X_pred : array-like of shape (n_spectra, n_channels)
        Predicted spectra.
    sample_weight : array-like of shape (n_spectra,), default=None
        Weights of the spectra.

    Returns
    -------
    distance : float

    Examples
    --------
    >>> from sklspec.metrics import mean_cosine_distance
    >>> mean_cosine_distance([[1, 0], [1, 0]], [[3, 0], [0, 2]])
    -0.5
    """
    distances = rowwise_cosine_distance(X_true, X_pred)
    check_consistent_length(distances, sample_weight)
    weights = None if sample_weight is None else check_sample_weight(sample_weight, distances)
    return float(np.average(distances, weights=weights))


def relative_squared_error(X_true: ArrayLike, X_pred: ArrayLike) -> float:
    """Relative squared error: the error relative to predicting the mean spectrum.

    ``RSE = sum_ij (x_ij - x^_ij)^2 / sum_ij (x_ij - mean_j)^2`` where
    ``mean_j`` is the mean of the true spectra at channel ``j``. 0 is perfect,
    1 is as good as always predicting the mean spectrum, above 1 is worse.
    Lower is better; it equals ``1 - R^2`` computed over all channels pooled.

    The paper's eq. 4 prints ``(mean_j - x^_ij)`` in the denominator, but its
    text defines RSE against "the mean spectrum of the test dataset as a naive
    baseline", which is the formula used here.

    Parameters
    ----------
    X_true : array-like of shape (n_spectra, n_channels)
        True spectra. Needs at least two distinct spectra.
    X_pred : array-like of shape (n_spectra, n_channels)
        Predicted spectra.

    Returns
    -------
    rse : float

    Examples
    --------
    >>> from sklspec.metrics import relative_squared_error
    >>> X = [[0.0, 2.0], [2.0, 4.0]]
    >>> relative_squared_error(X, X)
    0.0
    >>> relative_squared_error(X, [[1.0, 3.0], [1.0, 3.0]])  # the mean spectrum
    1.0
    """
    X_true, X_pred = _check_spectra_pair(X_true, X_pred)
    X_true = X_true.astype(np.float64, copy=False)
    residual = np.sum((X_true - X_pred) ** 2)
    spread = np.sum((X_true - X_true.mean(axis=0)) ** 2)
    # Spectra equal up to rounding have a spread of rounding errors, around
    # eps^2 times their squared size: dividing by it gave 4.7e30, not an error.
    if spread <= (64 * np.finfo(np.float64).eps) ** 2 * np.sum(X_true**2):
        raise ValueError(
            "relative_squared_error is undefined when all true spectra are "
            "identical (their spread around the mean spectrum is zero)."
        )
    return float(residual / spread)


def k_score(
    X_true: ArrayLike,
    X_pred: ArrayLike,
    *,
    clusterer: EstimatorLike | None = None,
    X_reference: ArrayLike | None = None,
    n_clusters: int = 4,
    random_state: RandomStateLike = None,
) -> float:
    """Fraction of spectra clustered the same way from the truth and the prediction.

    ``k-score = mean_i [theta(x_i) == theta(x^_i)]`` (the paper's eq. 5),
    where ``theta`` assigns a cluster. Greater is better; 1 is perfect.

    Parameters
    ----------
    X_true : array-like of shape (n_spectra, n_channels)
        True spectra.
    X_pred : array-like of shape (n_spectra, n_channels)
        Predicted spectra.
    clusterer : fitted estimator with ``predict``, default=None
        Assigns clusters, e.g. a ``KMeans`` fitted on the primary training
        spectra, as the paper does. If None, a ``KMeans(n_clusters)`` is
        fitted on ``X_reference``.
    X_reference : array-like of shape (n_ref, n_channels), default=None
        Spectra to fit the default k-means on; defaults to ``X_true``.
        Ignored when ``clusterer`` is given.
    n_clusters : int, default=4
        Number of clusters of the default k-means (the paper chose 4).
    random_state : int, RandomState instance or None, default=None
        Seed of the default k-means.

    Returns
    -------
    score : float in [0, 1]

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.metrics import k_score
    >>> X = np.array([[0.0, 0], [0, 1], [10, 10], [10, 11]])
    >>> k_score(X, X + 0.1, n_clusters=2, random_state=0)
    1.0
    >>> k_score(X, X[::-1], n_clusters=2, random_state=0)
    0.0
    """
    X_true, X_pred = _check_spectra_pair(X_true, X_pred)
    if clusterer is None:
        if isinstance(n_clusters, bool) or not isinstance(n_clusters, numbers.Integral):
            raise TypeError(f"n_clusters must be an integer; got {n_clusters!r}.")
        reference = (
            X_true if X_reference is None else check_array(X_reference, input_name="X_reference")
        )
        if reference.shape[1] != X_true.shape[1]:
            raise ValueError(
                f"X_reference has {reference.shape[1]} channels but X_true has {X_true.shape[1]}."
            )
        if not 1 <= n_clusters <= reference.shape[0]:
            raise ValueError(
                f"n_clusters={n_clusters} must be between 1 and the number of "
                f"reference spectra ({reference.shape[0]})."
            )
        clusterer = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
        clusterer = clone(clusterer).fit(reference)
    else:
        if not hasattr(clusterer, "predict"):
            raise TypeError(f"clusterer must have a predict method; got {clusterer!r}.")
        check_is_fitted(clusterer)
    return float(
        np.mean(_predict_clusters(clusterer, X_true) == _predict_clusters(clusterer, X_pred))
    )


def _predict_clusters(clusterer, X):
    """Cluster labels of spectra from a fitted clusterer, whatever their float dtype.

    KMeans.predict needs the dtype its centres were fitted in; float32
    predictions against float64 centres would fail inside its Cython code.
    """
    centers = getattr(clusterer, "cluster_centers_", None)
    if centers is not None:
        X = np.asarray(X).astype(centers.dtype, copy=False)
    return clusterer.predict(X)


def compression_ratio(
    n_spectra: int, n_channels: int, latent_dim: int, n_decoder_params: int
) -> float:
    """How much less data a shared latent space needs than the full spectra.

    ``CR = M_X N / (M_L N + P)`` (the paper's eq. 1): ``N`` spectra of
    ``M_X`` channels, exchanged as ``M_L`` latent coordinates each plus a
    decoder of ``P`` parameters. Greater means more compression.

    Parameters
    ----------
    n_spectra : int
        ``N``, the number of spectra.
    n_channels : int
        ``M_X``, the channels of the primary spectra.
    latent_dim : int
        ``M_L``, the width of the latent space.
    n_decoder_params : int
        ``P``, the number of parameters of the decoder.

    Returns
    -------
    ratio : float

    Examples
    --------
    The paper's training map (560 x 560 spectra of 4062 channels) and its
    decoder (64-512-1024-4062, 4,722,142 parameters):

    >>> from sklspec.metrics import compression_ratio
    >>> round(compression_ratio(313_600, 4062, 64, 4_722_142), 1)
    51.4
    """
    values = {
        "n_spectra": n_spectra,
        "n_channels": n_channels,
        "latent_dim": latent_dim,
        "n_decoder_params": n_decoder_params,
    }
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer; got {value!r}.")
        minimum = 0 if name == "n_decoder_params" else 1
        if value < minimum:
            raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    return n_channels * n_spectra / (latent_dim * n_spectra + n_decoder_params)
