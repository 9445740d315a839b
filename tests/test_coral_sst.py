"""CORAL and SST transfer, each against a computation written out by hand."""

import numpy as np
import pytest
from scipy.linalg import sqrtm
from sklearn.utils._param_validation import InvalidParameterError

from sklspec.metrics import relative_squared_error
from sklspec.model_selection import transfer_candidates
from sklspec.transfer import CORALRegressor, StandardizationRegressor


def _coral_by_hand(X, Y, alpha):
    """Sun et al. (2016), with dense matrix square roots."""
    width = X.shape[1]
    covariances = []
    for spectra in (X, Y):
        covariance = np.cov(spectra, rowvar=False)
        covariances.append(covariance + alpha * np.trace(covariance) / width * np.eye(width))
    whiten = np.linalg.inv(sqrtm(covariances[0]).real)
    return (X - X.mean(axis=0)) @ whiten @ sqrtm(covariances[1]).real + Y.mean(axis=0)


@pytest.mark.parametrize("n_spectra", [5, 40])  # fewer spectra than channels, and more
def test_coral_matches_the_dense_formula(n_spectra):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_spectra, 12)) @ rng.normal(size=(12, 12))
    Y = rng.normal(size=(n_spectra, 12)) @ rng.normal(size=(12, 12)) + 3.0
    for alpha in (1e-3, 0.1, 10.0):
        predicted = CORALRegressor(alpha=alpha).fit(X, Y).predict(X)
        np.testing.assert_allclose(predicted, _coral_by_hand(X, Y, alpha), atol=1e-10)


def test_coral_learns_an_instrument_response_from_unpaired_spectra():
    # The secondary instrument scales and offsets each channel its own way;
    # CORAL sees spectra of different samples on each side.
    rng = np.random.default_rng(1)
    bands = np.abs(rng.normal(size=(3, 30)))
    gain, offset = rng.uniform(0.6, 1.4, 30), rng.normal(0, 0.3, 30)

    def samples(n):
        return rng.uniform(size=(n, 3)) @ bands

    Y_library, X_other = samples(400), samples(400) * gain + offset
    Y_test = samples(50)
    X_test = Y_test * gain + offset
    coral = CORALRegressor(alpha=1e-4).fit(X_other, Y_library)
    assert relative_squared_error(Y_test, coral.predict(X_test)) < 0.03  # measured 0.018
    assert relative_squared_error(Y_test, X_test) > 0.5  # untransferred
    with pytest.raises(ValueError, match="y must have X's 30 channels, got 29"):
        CORALRegressor().fit(X_other, Y_library[:, :29])
    with pytest.raises(InvalidParameterError, match="'alpha' parameter"):
        CORALRegressor(alpha=0).fit(X_other, Y_library)


def test_sst_matches_the_published_transformation():
    # Du et al. (2011): SVD of [primary | secondary] centred standards; the
    # secondary loadings P2 and primary P1 give X (I + pinv(P2) (P1 - P2)).
    pytest.importorskip("chemotools")
    rng = np.random.default_rng(2)
    Y = rng.normal(size=(20, 15)) @ rng.normal(size=(15, 15))
    X = 0.9 * Y + rng.normal(0, 0.05, Y.shape) + 0.2
    (model, grid), = transfer_candidates(["sst"], n_pairs=20, n_channels=15).values()
    assert isinstance(model, StandardizationRegressor)
    assert grid == {"standardizer__n_components": [1, 2, 3, 4, 6, 8, 12, 16]}
    model.set_params(standardizer__n_components=3).fit(X, Y)
    _, _, vt = np.linalg.svd(np.hstack([Y - Y.mean(0), X - X.mean(0)]), full_matrices=False)
    P1, P2 = vt[:3, :15], vt[:3, 15:]
    by_hand = (X - X.mean(0)) @ (np.eye(15) + np.linalg.pinv(P2) @ (P1 - P2)) + Y.mean(0)
    np.testing.assert_allclose(model.predict(X), by_hand, atol=1e-10)
    assert relative_squared_error(Y, model.predict(X)) < relative_squared_error(Y, X)
