"""Scorers for the spectral metrics, usable by name in GridSearchCV.

All scorers follow scikit-learn's convention that greater is better: the
distances and the RSE are negated (``neg_...``), the k-score is not.
"""

import copy

from sklearn.metrics import get_scorer as _sklearn_get_scorer
from sklearn.metrics import get_scorer_names as _sklearn_get_scorer_names
from sklearn.metrics import make_scorer

from sklspec.metrics._spectral import (
    k_score,
    mean_cosine_distance,
    mean_euclidean_distance,
    relative_squared_error,
)

SCORERS = {
    "neg_mean_euclidean_distance": make_scorer(mean_euclidean_distance, greater_is_better=False),
    "neg_mean_cosine_distance": make_scorer(mean_cosine_distance, greater_is_better=False),
    "neg_relative_squared_error": make_scorer(relative_squared_error, greater_is_better=False),
    # k-means fitted on the true spectra of each scored fold, seeded so that
    # every candidate of a search is judged by the same clustering.
    "k_score": make_scorer(k_score, n_clusters=4, random_state=0),
}


def get_scorer(scoring):
    """Get a scorer by name: sklspec's spectral scorers or any of scikit-learn's.

    Parameters
    ----------
    scoring : str or callable
        A name from :func:`get_scorer_names`, or a callable returned as is.

    Returns
    -------
    scorer : callable
        Call it as ``scorer(estimator, X, y)``; greater is better.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyRegressor
    >>> from sklspec.metrics import get_scorer
    >>> Y = np.array([[0.0, 0.0], [3.0, 4.0]])
    >>> model = DummyRegressor().fit(np.zeros((2, 1)), Y)  # predicts [1.5, 2]
    >>> get_scorer("neg_mean_euclidean_distance")(model, np.zeros((2, 1)), Y)
    -2.5
    """
    if isinstance(scoring, str) and scoring in SCORERS:
        return copy.deepcopy(SCORERS[scoring])
    return _sklearn_get_scorer(scoring)


def get_scorer_names():
    """Names accepted by :func:`get_scorer`, sklspec's and scikit-learn's.

    Returns
    -------
    names : list of str
    """
    return sorted(set(SCORERS) | set(_sklearn_get_scorer_names()))


def _register_with_sklearn():
    """Make the spectral scorers available by name to scikit-learn's searches.

    scikit-learn has no public hook for third-party scorer names, and
    ``GridSearchCV(scoring="neg_mean_euclidean_distance")`` looks names up in
    its private registry. Add ours there (never overwriting a name it
    already has). If a future scikit-learn moves the registry, names still
    work through :func:`sklspec.metrics.get_scorer`.
    """
    try:
        from sklearn.metrics import _scorer
    except ImportError:  # pragma: no cover
        return
    registry = getattr(_scorer, "_SCORERS", None)
    if isinstance(registry, dict):
        for name, scorer in SCORERS.items():
            registry.setdefault(name, scorer)
