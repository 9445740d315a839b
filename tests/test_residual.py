"""ResidualMLPRegressor: a linear base plus an MLP correction of its residuals."""

import numpy as np
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, Ridge, RidgeCV

from sklspec.io import load, save
from sklspec.transfer import (
    LatentLibrary,
    LatentTransferRegressor,
    ResidualMLPRegressor,
    SpectralMLPRegressor,
)

SMALL = dict(hidden_layer_sizes=(32,), device="cpu", random_state=0)


def _pairs(rng, n, W):
    X = rng.normal(size=(n, 10))
    return X, X @ W + np.tanh(X[:, :4]) ** 2


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(10, 4))
    return _pairs(rng, 300, W), _pairs(rng, 100, W), _pairs(rng, 200, W)


def _mse(model, X, Y):
    return float(np.mean((model.predict(X) - Y) ** 2))


def test_the_correction_learns_what_the_base_misses(data):
    (X, Y), (X_val, Y_val), (X_test, Y_test) = data
    model = ResidualMLPRegressor(**SMALL).fit(X, Y, X_val=X_val, y_val=Y_val)
    assert isinstance(model.base_, RidgeCV)
    base = float(np.mean((model.base_.predict(X_test) - Y_test) ** 2))
    # Measured: 0.107 (ridge) against 0.020 (with the correction).
    assert _mse(model, X_test, Y_test) < base / 3
    assert model.base_validation_loss_ == pytest.approx(
        np.mean((model.base_.predict(X_val) - Y_val) ** 2)
    )
    # Losses are in units of the base's residuals: 1 is the base alone.
    assert model.history_[0, "valid_loss"] < 1.2 * model.base_validation_loss_ / (
        model.residual_scale_**2
    )
    assert model.net_.train_split is None  # the validation pairs stay out of the model


def test_an_untrained_correction_is_exactly_the_base(data):
    (X, Y), _, _ = data
    model = ResidualMLPRegressor(**SMALL, lr=1e-12, max_epochs=1, early_stopping=False)
    model.fit(X, Y)
    last = model.net_.module_.layers[-1]
    assert np.abs(last.weight.detach().numpy()).max() < 1e-9
    np.testing.assert_allclose(model.predict(X), model.base_.predict(X), atol=1e-9)


def test_never_worse_than_its_base_where_early_stopping_looks(data):
    (X, _), (X_val, _), _ = data
    # Purely linear targets: nothing is left for the correction to learn.
    W = np.random.default_rng(1).normal(size=(10, 3))
    Y, Y_val = X @ W, X_val @ W
    model = ResidualMLPRegressor(LinearRegression(), **SMALL, lr=1e-2, patience=3)
    model.fit(X, Y + 0.1 * np.random.default_rng(2).normal(size=Y.shape), X_val=X_val, y_val=Y_val)
    base = float(np.mean((model.base_.predict(X_val) - Y_val) ** 2))
    assert _mse(model, X_val, Y_val) <= base * 1.01


@pytest.mark.parametrize("base", [PLSRegression(4, scale=False), Ridge(1.0)])
def test_any_base_and_a_one_column_target(data, base):
    (X, Y), _, (X_test, Y_test) = data
    model = ResidualMLPRegressor(base, **SMALL).fit(X, Y[:, 0])
    assert model.predict(X_test).shape == (200,)
    assert _mse(model, X_test, Y_test[:, 0]) < np.var(Y_test[:, 0])


def test_same_seed_same_model_and_a_safe_file(data, tmp_path):
    (X, Y), (X_val, Y_val), (X_test, _) = data
    first = ResidualMLPRegressor(**SMALL, max_epochs=20).fit(X, Y, X_val=X_val, y_val=Y_val)
    second = ResidualMLPRegressor(**SMALL, max_epochs=20).fit(X, Y, X_val=X_val, y_val=Y_val)
    np.testing.assert_array_equal(first.predict(X_test), second.predict(X_test))
    save(first, tmp_path / "residual.sklspec")
    np.testing.assert_array_equal(
        load(tmp_path / "residual.sklspec").predict(X_test), first.predict(X_test)
    )


def test_validation_errors(data):
    (X, Y), (X_val, Y_val), _ = data
    model = ResidualMLPRegressor(**SMALL, max_epochs=2)
    with pytest.raises(ValueError, match="X_val and y_val go together"):
        model.fit(X, Y, X_val=X_val)
    with pytest.raises(ValueError, match="y_val has 2 columns, but y has 4"):
        model.fit(X, Y, X_val=X_val, y_val=Y_val[:, :2])
    with pytest.raises(ValueError, match="X has 9 features"):
        model.fit(X, Y, X_val=X_val[:, :9], y_val=Y_val)
    assert not hasattr(model, "net_")


def test_the_default_mapper_of_a_transfer_has_a_linear_path(data):
    (X, Y), (X_val, Y_val), (X_test, Y_test) = data
    rng = np.random.default_rng(3)
    lift = rng.normal(size=(4, 40))
    primary, primary_val, primary_test = (T @ lift for T in (Y, Y_val, Y_test))
    library = LatentLibrary(decoder="pca", n_components=4, random_state=0).fit(primary)
    model = LatentTransferRegressor(FrozenEstimator(library), random_state=0)
    model.set_params(mapper=ResidualMLPRegressor(**SMALL))
    model.fit(X, primary, X_val=X_val, y_val=primary_val)
    assert isinstance(model.mapper_, ResidualMLPRegressor)
    assert model.mapper_.base_validation_loss_ is not None  # the pairs reached the mapper
    ridge = LatentTransferRegressor(FrozenEstimator(library), RidgeCV()).fit(X, primary)
    error = np.mean((model.predict(X_test) - primary_test) ** 2)
    assert error < 0.5 * np.mean((ridge.predict(X_test) - primary_test) ** 2)
    default = LatentTransferRegressor(random_state=0).fit(X, primary)
    assert isinstance(default.vae_, LatentLibrary) and default.vae_.scaling == "global"
    assert isinstance(default.mapper_, ResidualMLPRegressor)


def test_validation_pairs_need_a_mapper_that_takes_them(data):
    (X, Y), (X_val, Y_val), _ = data
    model = LatentTransferRegressor(
        LatentLibrary(decoder="pca", n_components=2), SpectralMLPRegressor(max_epochs=2)
    )
    with pytest.raises(TypeError, match="SpectralMLPRegressor.fit takes no validation data"):
        model.fit(X, Y, X_val=X_val, y_val=Y_val)
    with pytest.raises(ValueError, match="X_val has 100 rows but y_val has 99"):
        LatentTransferRegressor(mapper=ResidualMLPRegressor()).fit(
            X, Y, X_val=X_val, y_val=Y_val[:99]
        )
