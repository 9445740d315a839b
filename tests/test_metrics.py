import numpy as np
import pytest
from scipy.spatial.distance import cosine as scipy_cosine
from sklearn.cluster import KMeans
from sklearn.compose import TransformedTargetRegressor
from sklearn.cross_decomposition import PLSRegression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, ShuffleSplit
from sklearn.neighbors import KNeighborsRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklspec.metrics import (
    compression_ratio,
    get_scorer,
    get_scorer_names,
    k_score,
    mean_cosine_distance,
    mean_euclidean_distance,
    relative_squared_error,
    rowwise_cosine_distance,
    rowwise_euclidean_distance,
    spectral_scoring,
)

RNG = np.random.default_rng(0)
X_TRUE = RNG.normal(size=(30, 12))
X_PRED = X_TRUE + RNG.normal(scale=0.3, size=X_TRUE.shape)


def test_euclidean_matches_definition():
    expected = np.sqrt(((X_TRUE - X_PRED) ** 2).sum(axis=1))
    np.testing.assert_allclose(rowwise_euclidean_distance(X_TRUE, X_PRED), expected)
    assert mean_euclidean_distance(X_TRUE, X_PRED) == pytest.approx(expected.mean())
    weights = np.arange(1, 31)
    assert mean_euclidean_distance(X_TRUE, X_PRED, sample_weight=weights) == pytest.approx(
        np.average(expected, weights=weights)
    )


def test_cosine_has_the_papers_sign():
    # Paper's eq. 3: minus the cosine similarity; scipy's is 1 - similarity.
    expected = np.array([scipy_cosine(a, b) - 1 for a, b in zip(X_TRUE, X_PRED, strict=True)])
    np.testing.assert_allclose(rowwise_cosine_distance(X_TRUE, X_PRED), expected, atol=1e-12)
    assert mean_cosine_distance(X_TRUE, X_TRUE) == pytest.approx(-1.0)
    assert mean_cosine_distance(X_TRUE, -X_TRUE) == pytest.approx(1.0)
    assert mean_cosine_distance([[1.0, 0.0]], [[0.0, 5.0]]) == pytest.approx(0.0)
    # Zero-norm spectra count as orthogonal, not NaN.
    assert rowwise_cosine_distance([[0.0, 0.0]], [[1.0, 2.0]])[0] == 0.0


def test_rse_equals_one_minus_pooled_r2_and_reference_points():
    rse = relative_squared_error(X_TRUE, X_PRED)
    pooled_r2 = r2_score(X_TRUE.ravel(), X_PRED.ravel())  # not the same: pooled mean
    expected = ((X_TRUE - X_PRED) ** 2).sum() / ((X_TRUE - X_TRUE.mean(axis=0)) ** 2).sum()
    assert rse == pytest.approx(expected)
    assert rse != pytest.approx(1 - pooled_r2)  # RSE uses the per-channel mean spectrum
    assert relative_squared_error(X_TRUE, X_TRUE) == 0.0
    mean_spectrum = np.broadcast_to(X_TRUE.mean(axis=0), X_TRUE.shape)
    assert relative_squared_error(X_TRUE, mean_spectrum) == pytest.approx(1.0)
    assert relative_squared_error(X_TRUE, X_TRUE + 10) > 1


def test_k_score():
    centers = np.array([[0.0] * 5, [10.0] * 5, [0, 10, 0, 10, 0]])
    labels = np.repeat([0, 1, 2], 20)
    X = centers[labels] + RNG.normal(scale=0.5, size=(60, 5))
    assert k_score(X, X + 0.1, n_clusters=3, random_state=0) == 1.0
    swapped = X.copy()
    swapped[:5] = centers[1]  # 5 of 60 predictions land in another cluster
    assert k_score(X, swapped, n_clusters=3, random_state=0) == pytest.approx(55 / 60)
    kmeans = KMeans(n_clusters=3, n_init=10, random_state=0).fit(X)
    assert k_score(X, swapped, clusterer=kmeans) == pytest.approx(55 / 60)
    assert k_score(X, swapped, X_reference=X[::2], n_clusters=3, random_state=0) == pytest.approx(
        55 / 60
    )


def test_k_score_errors():
    with pytest.raises(ValueError, match="n_clusters=10 must be between 1 and the number"):
        k_score(X_TRUE[:5], X_PRED[:5], n_clusters=10)
    with pytest.raises(Exception, match="not fitted"):
        k_score(X_TRUE, X_PRED, clusterer=KMeans(2))
    with pytest.raises(ValueError, match="X_reference has 3 channels but X_true has 12"):
        k_score(X_TRUE, X_PRED, X_reference=np.ones((5, 3)))


def test_compression_ratio_paper_value():
    # The paper: the one-step MLP needs "about 50 times" more data than the latent space.
    decoder_params = 64 * 512 + 512 + 512 * 1024 + 1024 + 1024 * 4062 + 4062
    assert compression_ratio(313_600, 4062, 64, decoder_params) == pytest.approx(51.38, abs=0.01)
    assert compression_ratio(10, 100, 100, 0) == 1.0
    with pytest.raises(ValueError, match="latent_dim must be >= 1"):
        compression_ratio(10, 100, 0, 5)
    with pytest.raises(TypeError, match="n_spectra must be an integer"):
        compression_ratio(10.5, 100, 2, 5)


@pytest.mark.parametrize(
    "metric",
    [
        rowwise_euclidean_distance,
        rowwise_cosine_distance,
        mean_euclidean_distance,
        mean_cosine_distance,
        relative_squared_error,
        k_score,
    ],
)
def test_bad_input(metric):
    with pytest.raises(ValueError, match=r"same shape .* got \(30, 12\) and \(30, 11\)"):
        metric(X_TRUE, X_PRED[:, :11])
    with pytest.raises(ValueError, match=r"got \(30, 12\) and \(29, 12\)"):
        metric(X_TRUE, X_PRED[:29])
    bad = X_PRED.copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match="X_pred contains NaN"):
        metric(X_TRUE, bad)


def test_rse_undefined_for_identical_true_spectra():
    with pytest.raises(ValueError, match="all true spectra are identical"):
        relative_squared_error(np.ones((4, 3)), np.zeros((4, 3)))


def test_scorers_by_name_are_greater_is_better():
    model = KNeighborsRegressor(n_neighbors=1).fit(X_PRED, X_TRUE)
    perfect = {
        "neg_mean_euclidean_distance": 0.0,
        "neg_mean_cosine_distance": 1.0,
        "neg_relative_squared_error": 0.0,
        "k_score": 1.0,
    }
    for name, best in perfect.items():
        assert name in get_scorer_names()
        assert get_scorer(name)(model, X_PRED, X_TRUE) == pytest.approx(best)
    worse = KNeighborsRegressor(n_neighbors=15).fit(X_PRED, X_TRUE)
    assert get_scorer("neg_relative_squared_error")(worse, X_PRED, X_TRUE) < -0.1
    assert get_scorer("r2") is not None  # scikit-learn's names still resolve


def test_grid_search_with_spectral_scorers_in_transformed_target_regressor():
    # Secondary -> primary style: multi-output target scaled for the model,
    # scored on unscaled spectra.
    Y = X_TRUE @ RNG.normal(size=(12, 40)) + 100
    X = X_TRUE + RNG.normal(scale=0.05, size=X_TRUE.shape)
    model = TransformedTargetRegressor(PLSRegression(), transformer=StandardScaler())
    search = GridSearchCV(
        model,
        {"regressor__n_components": [1, 12]},
        scoring=spectral_scoring(
            "neg_mean_euclidean_distance", "neg_relative_squared_error", "k_score"
        ),
        refit="neg_mean_euclidean_distance",
        cv=ShuffleSplit(n_splits=2, test_size=0.3, random_state=0),
    ).fit(X, Y)
    assert search.best_params_ == {"regressor__n_components": 12}
    assert search.cv_results_["mean_test_neg_relative_squared_error"][1] > -0.05


def test_single_scorer_object_in_grid_search():
    Y = X_TRUE @ RNG.normal(size=(12, 20))
    search = GridSearchCV(
        KNeighborsRegressor(),
        {"n_neighbors": [1, 10]},
        scoring=get_scorer("neg_mean_cosine_distance"),
        cv=3,
    ).fit(X_TRUE, Y)
    # Greater is better: the winner has the larger (less negative) score.
    scores = search.cv_results_["mean_test_score"]
    assert search.best_score_ == scores.max()
    assert -1 <= search.best_score_ <= 1


def test_k_score_with_float32_predictions_and_float64_centres():
    from sklearn.cluster import KMeans

    from sklspec.metrics import k_score

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.1, (20, 5)), rng.normal(5, 0.1, (20, 5))])
    clusterer = KMeans(2, n_init=2, random_state=0).fit(X)
    assert k_score(X, X.astype(np.float32), clusterer=clusterer) == 1.0


# --- calibration_error and make_calibration_scorer -------------------------


@pytest.fixture(scope="module")
def oil_spectra():
    """Primary spectra: a large varying background plus a small oil signature."""
    rng = np.random.default_rng(0)
    n, channels = 120, 40
    oil = rng.uniform(2.0, 5.0, size=n)
    background = rng.uniform(0.5, 1.5, size=(n, 1)) * np.hanning(channels) * 100
    signature = np.exp(-0.5 * ((np.arange(channels) - 25) / 2.0) ** 2)
    spectra = background + np.outer(oil, signature) + rng.normal(0, 0.01, size=(n, channels))
    calibration = LinearRegression().fit(spectra, oil)
    return spectra, oil, signature, calibration


def test_calibration_error_sees_a_lost_analyte_signal_that_rse_hides(oil_spectra):
    from sklspec.metrics import calibration_error

    spectra, oil, signature, calibration = oil_spectra
    # Transfer 1 keeps everything but the oil signal (replaced by its mean).
    lost = spectra - np.outer(oil - oil.mean(), signature)
    # Transfer 2 misjudges the background's intensity by about 2% of its peak.
    amounts = np.random.default_rng(1).normal(0, 2.0, size=(len(spectra), 1))
    off = spectra + amounts * np.hanning(spectra.shape[1])
    # Measured RSE: 0.00024 (lost oil signal) against 0.0034 (background off).
    assert 10 * relative_squared_error(spectra, lost) < relative_squared_error(spectra, off)
    error_lost = calibration_error(spectra, lost, calibration=calibration, targets=oil)
    error_off = calibration_error(spectra, off, calibration=calibration, targets=oil)
    # The lost signal leaves the calibration predicting the mean oil content
    # (0.92 against an oil spread of 0.92); the background error costs nothing.
    assert error_lost == pytest.approx(oil.std(), rel=0.02)
    assert error_off < 0.01
    # Perfect transfer: the calibration's own error; with no targets, exactly 0.
    own = np.sqrt(np.mean((calibration.predict(spectra) - oil) ** 2))
    assert calibration_error(spectra, spectra, calibration=calibration, targets=oil) == (
        pytest.approx(own)
    )
    assert calibration_error(spectra, spectra, calibration=calibration) == 0.0
    # Without targets the reference is the calibration on the true spectra.
    shifted = spectra + 0.1 * signature
    expected = abs(calibration.predict(0.1 * signature[None, :]) - calibration.intercept_)[0]
    assert calibration_error(spectra, shifted, calibration=calibration) == pytest.approx(expected)


def test_calibration_error_errors(oil_spectra):
    from sklspec.metrics import calibration_error

    spectra, oil, _, calibration = oil_spectra
    with pytest.raises(ValueError, match="targets has 10 rows but the spectra have 120"):
        calibration_error(spectra, spectra, calibration=calibration, targets=oil[:10])
    with pytest.raises(ValueError, match="targets has 2 analyte.*predicts 1"):
        calibration_error(spectra, spectra, calibration=calibration, targets=np.c_[oil, oil])
    with pytest.raises(NotFittedError, match="calibration is not fitted"):
        calibration_error(spectra, spectra, calibration=LinearRegression())
    with pytest.raises(InvalidParameterError, match="'calibration' parameter"):
        calibration_error(spectra, spectra, calibration="pls")
    with pytest.raises(ValueError, match="same shape"):
        calibration_error(spectra, spectra[:, :5], calibration=calibration)


def test_calibration_scorer_in_a_search_with_and_without_routed_targets(oil_spectra):
    import sklearn
    from sklearn.model_selection import GridSearchCV, KFold

    from sklspec.metrics import calibration_error, make_calibration_scorer

    spectra, oil, _, calibration = oil_spectra
    rng = np.random.default_rng(2)
    secondary = spectra[:, ::2] * 1.3 + rng.normal(0, 0.01, size=(len(spectra), 20))
    grid = {"alpha": [1e-4, 1e4]}
    cv = KFold(3)
    search = GridSearchCV(Ridge(), grid, scoring=make_calibration_scorer(calibration), cv=cv)
    search.fit(secondary, spectra)
    # Strong shrinkage flattens the small oil signal: the calibration sees it.
    assert search.best_params_ == {"alpha": 1e-4}
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_calibration_scorer(calibration).set_score_request(targets=True)
        routed = GridSearchCV(Ridge(), grid, scoring=scorer, cv=cv)
        routed.fit(secondary, spectra, targets=oil)
    # Each fold was scored against its own rows' oil values.
    train, test = next(cv.split(secondary))
    model = Ridge(alpha=1e4).fit(secondary[train], spectra[train])
    expected = -calibration_error(
        spectra[test], model.predict(secondary[test]), calibration=calibration, targets=oil[test]
    )
    assert routed.cv_results_["split0_test_score"][1] == pytest.approx(expected)
    assert routed.best_params_ == {"alpha": 1e-4}
    with pytest.raises(NotFittedError, match="calibration is not fitted"):
        make_calibration_scorer(LinearRegression())
