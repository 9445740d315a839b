"""Figures of merit for predicted spectra, and their scorers.

Scorers (greater is better): ``"neg_mean_euclidean_distance"``,
``"neg_mean_cosine_distance"``, ``"neg_relative_squared_error"`` and
``"k_score"``; get them with :func:`get_scorer` or, for a search,
:func:`spectral_scoring`. :func:`make_calibration_scorer` judges transferred
spectra by a primary calibration's analyte error.
"""

from sklspec.metrics._calibration import calibration_error, make_calibration_scorer
from sklspec.metrics._scorer import get_scorer, get_scorer_names, spectral_scoring
from sklspec.metrics._spectral import (
    compression_ratio,
    k_score,
    mean_cosine_distance,
    mean_euclidean_distance,
    relative_squared_error,
    rowwise_cosine_distance,
    rowwise_euclidean_distance,
)

__all__ = [
    "calibration_error",
    "compression_ratio",
    "get_scorer",
    "get_scorer_names",
    "k_score",
    "make_calibration_scorer",
    "mean_cosine_distance",
    "mean_euclidean_distance",
    "relative_squared_error",
    "rowwise_cosine_distance",
    "rowwise_euclidean_distance",
    "spectral_scoring",
]
