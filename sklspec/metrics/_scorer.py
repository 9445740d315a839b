"""Scorers for the spectral metrics, for GridSearchCV and cross_validate.

All scorers follow scikit-learn's convention that greater is better: the
distances and the RSE are negated (``neg_...``), the k-score is not.

scikit-learn validates ``scoring`` strings against its own fixed list of
names, so third-party names cannot be passed as a bare string. Pass the
scorer object (``get_scorer(name)``), or a dict of them:
``spectral_scoring(name, ...)``. With a dict, searches report and refit
by name (``refit="neg_mean_euclidean_distance"``).
"""

import copy
from collections.abc import Callable

from sklearn.metrics import get_scorer as _sklearn_get_scorer
from sklearn.metrics import get_scorer_names as _sklearn_get_scorer_names
from sklearn.metrics import make_scorer

from sklspec.metrics._spectral import (
    k_score,
    mean_cosine_distance,
    mean_euclidean_distance,
    relative_squared_error,
)

_SCORERS = {
    "neg_mean_euclidean_distance": make_scorer(mean_euclidean_distance, greater_is_better=False),
    "neg_mean_cosine_distance": make_scorer(mean_cosine_distance, greater_is_better=False),
    "neg_relative_squared_error": make_scorer(relative_squared_error, greater_is_better=False),
    # k-means fitted on the true spectra of each scored fold, seeded so that
    # every candidate of a search is judged by the same clustering.
    "k_score": make_scorer(k_score, n_clusters=4, random_state=0),
}


def get_scorer(scoring: str) -> Callable[..., float]:
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
    if isinstance(scoring, str) and scoring in _SCORERS:
        return copy.deepcopy(_SCORERS[scoring])
    return _sklearn_get_scorer(scoring)


def get_scorer_names() -> list[str]:
    """Names accepted by :func:`get_scorer`, sklspec's and scikit-learn's.

    Returns
    -------
    names : list of str
    """
    return sorted(set(_SCORERS) | set(_sklearn_get_scorer_names()))


def spectral_scoring(*names: str) -> dict[str, Callable[..., float]]:
    """A ``scoring`` dict of spectral (or scikit-learn) scorers, by name.

    Parameters
    ----------
    *names : str
        Scorer names (see :func:`get_scorer_names`). None given means the four
        spectral scorers.

    Returns
    -------
    scoring : dict of str to callable
        Pass as ``scoring=`` to ``GridSearchCV`` or ``cross_validate``; the
        names become the keys of ``cv_results_`` and valid ``refit`` values.

    Examples
    --------
    >>> from sklspec.metrics import spectral_scoring
    >>> sorted(spectral_scoring("neg_mean_euclidean_distance", "k_score"))
    ['k_score', 'neg_mean_euclidean_distance']
    """
    return {name: get_scorer(name) for name in (names or _SCORERS)}
