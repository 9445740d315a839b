"""TransferReliability: Q residuals of the secondary spectra as a per-spectrum warning."""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.io import load, save
from sklspec.transfer import TransferReliability, _reliability

pytest.importorskip("chemotools")


@pytest.fixture(scope="module")
def libs_maps():
    pytest.importorskip("libskit")
    from sklspec.datasets import make_libs_transfer

    maps = {
        region: make_libs_transfer(shape, region=region, random_state=0)
        for region, shape in (("train", (32, 40)), ("validation", (20, 40)), ("test", (20, 40)))
    }
    model = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), Ridge(10.0)), transformer=StandardScaler()
    ).fit(maps["train"].X_secondary, maps["train"].X_primary)
    return maps, model


def test_the_score_ranks_transfer_errors_and_flags_another_day(libs_maps):
    maps, model = libs_maps
    reliability = TransferReliability().fit(maps["train"].X_secondary)
    train_ratio = reliability.transform(maps["train"].X_secondary).ravel()
    assert np.mean(train_ratio > 1) == pytest.approx(0.05, abs=0.005)
    for region in ("validation", "test"):
        data = maps[region]
        error = np.linalg.norm(model.predict(data.X_secondary) - data.X_primary, axis=1)
        ratio = reliability.transform(data.X_secondary).ravel()
        # Measured with this Ridge: 0.76 (same day) and 0.77 (the other day).
        assert spearmanr(ratio, error).statistic > 0.6, region
    # The other day's shifted baseline lies outside the training spectra's span.
    same_day = reliability.predict(maps["validation"].X_secondary)
    other_day = reliability.predict(maps["test"].X_secondary)
    assert np.mean(same_day == -1) < 0.15 and np.mean(other_day == -1) > 0.9


def test_blocks_float32_and_a_model_file_give_the_same_scores(libs_maps, tmp_path, monkeypatch):
    maps, _ = libs_maps
    X = maps["validation"].X_secondary
    reliability = TransferReliability(n_components=5).fit(maps["train"].X_secondary)
    whole = reliability.transform(X)
    monkeypatch.setattr(_reliability, "_BLOCK_ROWS", 7)
    np.testing.assert_allclose(reliability.transform(X.astype(np.float32)), whole, rtol=1e-5)
    assert whole.dtype == np.float64 and whole.shape == (len(X), 1)
    save(reliability, tmp_path / "r.sklspec")
    np.testing.assert_allclose(load(tmp_path / "r.sklspec").transform(X), whole, rtol=1e-12)
    assert list(reliability.get_feature_names_out()) == ["q_ratio"]


def test_bad_input_gets_one_clear_error():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8))
    with pytest.raises(ValueError, match="n_components=8 leaves no residual.*n_features = 8"):
        TransferReliability(n_components=8).fit(X)
    with pytest.raises(ValueError, match="n_components=10 leaves no residual.*n_samples = 5"):
        TransferReliability().fit(X[:5])
    reliability = TransferReliability(n_components=2).fit(X)
    with pytest.raises(ValueError, match="X has 6 features, but TransferReliability"):
        reliability.transform(X[:, :6])
    bad = X.copy()
    bad[2, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        reliability.transform(bad)
    with pytest.raises(ValueError, match="'confidence' parameter"):
        TransferReliability(confidence=1.0).fit(X)
