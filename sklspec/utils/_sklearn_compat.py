"""Every private scikit-learn name sklspec uses, in one place.

scikit-learn changes private API without deprecation (1.7 removed
``BaseEstimator._validate_data``). sklspec imports its private names only
from here, and ``tests/test_sklearn_compat.py`` checks that each one still
behaves as sklspec relies on it, so an upgrade that moves one fails there,
loudly, instead of somewhere in an estimator.
"""

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils._param_validation import validate_params as _validate_params
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_sample_weight,
)

_Function = TypeVar("_Function", bound=Callable[..., object])


def validate_params(
    parameter_constraints: dict[str, Any], *, prefer_skip_nested_validation: bool
) -> Callable[[_Function], _Function]:
    """scikit-learn's ``validate_params``, typed: a decorated function keeps its signature."""
    return _validate_params(
        parameter_constraints, prefer_skip_nested_validation=prefer_skip_nested_validation
    )


__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "check_feature_names",
    "check_n_features",
    "check_sample_weight",
    "neighbors_training_data",
    "validate_parameter_constraints",
    "validate_params",
]


def check_feature_names(estimator, X, *, reset):
    """Record (``reset``) or check ``feature_names_in_``, as ``validate_data`` does."""
    _check_feature_names(estimator, X, reset=reset)


def check_n_features(estimator, X, *, reset):
    """Record (``reset``) or check ``n_features_in_``, as ``validate_data`` does."""
    _check_n_features(estimator, X, reset=reset)


def check_sample_weight(sample_weight, X):
    """``sample_weight`` as a float64 array of one non-negative weight per row of ``X``.

    None gives ones. Raises ValueError for a wrong length, negative, NaN or
    infinite weights, or weights that are all zero, as scikit-learn's
    estimators do.
    """
    weights = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    if len(weights) and not weights.any():
        # scikit-learn checks this itself from 1.9 on; 1.8 does not.
        raise ValueError("sample_weight is zero for every sample; at least one must be positive.")
    return weights


#: A fitted neighbours estimator's attributes: its training data, targets and search tree.
NEIGHBORS_DATA, NEIGHBORS_TARGETS, NEIGHBORS_TREE = "_fit_X", "_y", "_tree"


def neighbors_training_data(estimator):
    """``(X, y)`` a fitted ``KNeighborsRegressor`` keeps, or None when it holds none."""
    if not hasattr(estimator, NEIGHBORS_DATA):
        return None
    return getattr(estimator, NEIGHBORS_DATA), getattr(estimator, NEIGHBORS_TARGETS)
