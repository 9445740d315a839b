"""Figures of merit for predicted spectra, and their scorers.

Importing this module registers the scorers ``"neg_mean_euclidean_distance"``,
``"neg_mean_cosine_distance"``, ``"neg_relative_squared_error"`` and
``"k_score"`` by name with scikit-learn, so that ``GridSearchCV`` and
``cross_validate`` accept them as ``scoring`` strings.
"""

from sklspec.metrics._scorer import SCORERS, _register_with_sklearn, get_scorer, get_scorer_names
from sklspec.metrics._spectral import (
    compression_ratio,
    k_score,
    mean_cosine_distance,
    mean_euclidean_distance,
    relative_squared_error,
    rowwise_cosine_distance,
    rowwise_euclidean_distance,
)

_register_with_sklearn()

__all__ = [
    "SCORERS",
    "compression_ratio",
    "get_scorer",
    "get_scorer_names",
    "k_score",
    "mean_cosine_distance",
    "mean_euclidean_distance",
    "relative_squared_error",
    "rowwise_cosine_distance",
    "rowwise_euclidean_distance",
]
