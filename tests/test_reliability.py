"""TransferReliability: Q residuals and Hotelling's T2 of the secondary spectra as a warning."""

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
    # The limit comes from left-out spectra: about 5% of the training spectra exceed it.
    assert 0.03 < np.mean(train_ratio > 1) < 0.07
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
    assert list(reliability.get_feature_names_out()) == ["q_t2_ratio"]


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


def test_the_limit_holds_for_new_spectra_of_a_small_training_set():
    # 60 training spectra, 10 components: the PCA fits much of their noise,
    # so their own residuals set a limit that new spectra of the same kind
    # exceed. Left-out residuals set one that about 5% exceed.
    rng = np.random.default_rng(0)
    bands = rng.normal(size=(5, 200))

    def draw(n):
        return rng.normal(size=(n, 5)) @ bands + rng.normal(0, 0.3, (n, 200))

    X, new = draw(60), draw(2000)
    in_sample = TransferReliability(cv=None, statistic="q").fit(X)
    left_out = TransferReliability(statistic="q").fit(X)
    # Measured: 95.5% beyond the in-sample limit, 4.7% beyond the cross-validated one.
    assert np.mean(in_sample.predict(new) == -1) > 0.8
    assert 0.02 < np.mean(left_out.predict(new) == -1) < 0.1
    assert left_out.critical_value_ > 1.4 * in_sample.critical_value_  # 7.37 against 4.66
    again = TransferReliability(statistic="q").fit(X)
    assert again.critical_value_ == left_out.critical_value_  # the folds' seed is fixed
    with pytest.raises(ValueError, match="n_components=10 leaves no residual.*on 9 spectra"):
        TransferReliability().fit(X[:12])
    with pytest.raises(ValueError, match="cv=5 folds need at least 5 spectra; got n_samples = 3"):
        TransferReliability(n_components=1).fit(X[:3])


def test_the_limit_does_not_depend_on_the_order_of_the_rows():
    rng = np.random.default_rng(3)
    X = rng.uniform(size=(30, 3)) @ rng.normal(size=(3, 40)) + rng.normal(0, 0.05, (30, 40))
    limits = set()
    for seed in range(6):
        order = np.random.default_rng(seed).permutation(30)
        limits.add(TransferReliability(n_components=3).fit(X[order]).critical_value_)
    assert len(limits) == 1
    shuffled = {
        TransferReliability(n_components=3, random_state=7).fit(X[order]).critical_value_
        for order in (np.arange(30), np.arange(30)[::-1])
    }
    assert len(shuffled) == 1
    # Another shuffle of the folds gives another (as valid) limit.
    other = TransferReliability(n_components=3, random_state=8).fit(X).critical_value_
    assert other != shuffled.pop()


@pytest.mark.parametrize("statistic", ["t2", "q+t2"])
def test_t2_and_the_sum_have_limits_of_their_own(statistic):
    rng = np.random.default_rng(0)
    bands = rng.normal(size=(5, 60))
    X = rng.normal(size=(300, 5)) @ bands + rng.normal(0, 0.3, (300, 60))
    reliability = TransferReliability(n_components=5, statistic=statistic).fit(X)
    # New spectra like the training ones: about 5% beyond the limit.
    new = rng.normal(size=(2000, 5)) @ bands + rng.normal(0, 0.3, (2000, 60))
    assert 0.02 < np.mean(reliability.predict(new) == -1) < 0.1
    # Far along the known directions: T2 sees it; Q, the variation outside them, less.
    far = 6 * rng.normal(size=(50, 5)) @ bands + rng.normal(0, 0.3, (50, 60))
    flagged = np.mean(reliability.predict(far) == -1)
    q_only = TransferReliability(n_components=5, statistic="q").fit(X)
    assert flagged > 0.9 and flagged > np.mean(q_only.predict(far) == -1) + 0.3
    scores = reliability.detector_.model.transform(new[:3])
    t2 = np.sum(scores**2 / reliability.score_variances_, axis=1)
    statistic_values = t2
    if statistic == "q+t2":
        q = reliability.detector_.predict_residuals(new[:3])
        statistic_values = q / reliability.q_limit_ + t2 / reliability.t2_limit_
    else:
        assert reliability.critical_value_ == reliability.t2_limit_
    np.testing.assert_allclose(
        reliability.transform(new[:3]).ravel(),
        statistic_values / reliability.critical_value_,
        rtol=1e-10,
    )
