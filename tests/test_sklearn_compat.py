"""The private scikit-learn names sklspec uses (``sklspec.utils._sklearn_compat``) still work.

A scikit-learn upgrade that moves or changes one fails here, by name.
"""

import ast
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.neighbors import KNeighborsRegressor

import sklspec
from sklspec.utils import _sklearn_compat as compat


def test_parameter_validation_names_the_parameter_and_the_value():
    @compat.validate_params(
        {
            "n": [compat.Interval(Integral, 1, None, closed="left")],
            "kind": [compat.StrOptions({"a", "b"})],
            "model": [compat.HasMethods(["fit"]), None],
        },
        prefer_skip_nested_validation=True,
    )
    def f(n, kind, model=None):
        return n

    assert f(2, "a") == 2
    with pytest.raises(compat.InvalidParameterError, match="'n' parameter .* Got 0 instead"):
        f(0, "a")
    with pytest.raises(compat.InvalidParameterError, match="'kind' parameter .* Got 'c'"):
        f(1, "c")
    with pytest.raises(compat.InvalidParameterError, match="'model' parameter"):
        f(1, "a", model=3)
    assert issubclass(compat.InvalidParameterError, ValueError)
    constraints = {"n": [compat.Interval(Integral, 1, None, closed="left")]}
    compat.validate_parameter_constraints(constraints, {"n": 3}, caller_name="Thing")
    with pytest.raises(compat.InvalidParameterError, match="'n' parameter of Thing .* Got 0"):
        compat.validate_parameter_constraints(constraints, {"n": 0}, caller_name="Thing")


def test_feature_names_and_counts_are_recorded_then_checked():
    estimator = BaseEstimator()
    frame = pd.DataFrame(np.zeros((3, 2)), columns=["1100", "1102"])
    compat.check_feature_names(estimator, frame, reset=True)
    compat.check_n_features(estimator, frame, reset=True)
    assert list(estimator.feature_names_in_) == ["1100", "1102"]
    assert estimator.n_features_in_ == 2
    with pytest.raises(ValueError, match="X has 3 features, but BaseEstimator is expecting 2"):
        compat.check_n_features(estimator, np.zeros((3, 3)), reset=False)
    with pytest.raises(ValueError, match="feature names should match"):
        renamed = pd.DataFrame(np.zeros((3, 2)), columns=["1100", "1104"])
        compat.check_feature_names(estimator, renamed, reset=False)


def test_a_fitted_knn_keeps_its_training_data_and_tree():
    X, y = np.arange(12.0).reshape(6, 2), np.arange(6.0)
    knn = KNeighborsRegressor(2).fit(X, y)
    data, targets = compat.neighbors_training_data(knn)
    np.testing.assert_array_equal(data, X)
    np.testing.assert_array_equal(targets, y)
    assert hasattr(knn, compat.NEIGHBORS_TREE)
    assert compat.neighbors_training_data(KNeighborsRegressor()) is None


def test_no_other_module_imports_private_scikit_learn_names():
    root = Path(sklspec.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "_sklearn_compat.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sklearn"):
                private_module = any(part.startswith("_") for part in node.module.split("."))
                private_name = any(alias.name.startswith("_") for alias in node.names)
                if private_module or private_name:
                    offenders.append(f"{path.relative_to(root)}: from {node.module} import ...")
    assert offenders == []


def test_sample_weights_are_checked_alike_on_every_supported_version():
    X = np.zeros((3, 2))
    np.testing.assert_array_equal(compat.check_sample_weight(None, X), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(compat.check_sample_weight([1, 2, 0], X), [1.0, 2.0, 0.0])
    with pytest.raises(ValueError, match="zero for every sample|non-zero"):
        compat.check_sample_weight([0, 0, 0], X)
    with pytest.raises(ValueError, match="Negative values"):
        compat.check_sample_weight([1, -1, 0], X)
    with pytest.raises(ValueError, match=r"shape == \(2,\), expected \(3,\)"):
        compat.check_sample_weight([1, 1], X)
