"""Sample weights in the estimators' fits, and metadata routing through the meta-estimators.

Routing is checked the way scikit-learn checks its own meta-estimators
(``sklearn.tests.metadata_routing_common``): consuming sub-estimators record
what reaches them, and ``check_recorded_metadata`` compares it with what was
passed.
"""

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold
from sklearn.preprocessing import FunctionTransformer
from sklearn.tests.metadata_routing_common import (
    ConsumingRegressor,
    assert_request_is_empty,
    check_recorded_metadata,
)

from sklspec.augmentation import AugmentedRegressor, VAEAugmenter
from sklspec.metrics import relative_squared_error
from sklspec.model_selection import (
    compare_transfer_models,
    transfer_learning_curve,
    tune_transfer_models,
)
from sklspec.transfer import (
    GCTPLSRegression,
    LatentTransferRegressor,
    ResidualMLPRegressor,
    SpectralMLPRegressor,
)
from sklspec.utils.validation import normalized_sample_weight
from sklspec.vae import VAEEncoder


class Registry(list):
    """A list that survives ``clone``: every clone of a consumer records into it."""

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _pairs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    amounts = rng.uniform(size=(n, 2))
    X = amounts @ rng.normal(size=(2, 8)) + rng.normal(0, 0.01, size=(n, 8))
    Y = amounts @ rng.normal(size=(2, 6))
    return X, Y, rng.integers(0, 4, n).astype(float)


def _tiny_vae(latent_dim=2, **params):
    return VAEEncoder(
        (8,),
        latent_dim=latent_dim,
        max_epochs=3,
        batch_size=16,
        device="cpu",
        random_state=0,
        **params,
    )


#: One batch of everything, no validation split: the loss is then a sum over
#: rows, where an integer weight is exactly that many copies.
FULL_BATCH = dict(
    max_epochs=15,
    batch_size=1000,
    early_stopping=False,
    validation_fraction=None,
    device="cpu",
    random_state=0,
)


def _full_batch_mlp():
    return SpectralMLPRegressor((8,), lr=1e-2, **FULL_BATCH)


# ----------------------------------------------------------------- the weights


def test_weights_are_rescaled_to_mean_one_and_equal_weights_change_nothing():
    X = np.zeros((4, 2))
    assert_weights = normalized_sample_weight([1, 1, 2, 4], X)
    np.testing.assert_allclose(assert_weights, [0.5, 0.5, 1.0, 2.0])
    assert normalized_sample_weight(None, X) is None
    assert normalized_sample_weight([3, 3, 3, 3], X) is None
    with pytest.raises(ValueError, match="non-zero|zero for every sample"):
        normalized_sample_weight([0, 0, 0, 0], X)
    with pytest.raises(ValueError, match="Negative values"):
        normalized_sample_weight([1, -1, 1, 1], X)
    with pytest.raises(ValueError, match=r"shape == \(3,\), expected \(4,\)"):
        normalized_sample_weight([1, 1, 1], X)


@pytest.mark.parametrize(
    "make",
    [
        _full_batch_mlp,
        lambda: ResidualMLPRegressor(Ridge(1.0), hidden_layer_sizes=(8,), **FULL_BATCH),
    ],
    ids=["SpectralMLPRegressor", "ResidualMLPRegressor"],
)
def test_an_integer_weight_counts_as_that_many_copies(make):
    X, Y, weights = _pairs()
    weighted = make().fit(X, Y, sample_weight=weights).predict(X)
    copies = (
        make()
        .fit(np.repeat(X, weights.astype(int), axis=0), np.repeat(Y, weights.astype(int), axis=0))
        .predict(X)
    )
    unweighted = make().fit(X, Y).predict(X)
    np.testing.assert_allclose(weighted, copies, atol=2e-5)
    assert np.abs(weighted - unweighted).max() > 1e-3


def test_ones_as_weights_give_the_unweighted_fit_exactly():
    X, Y, _ = _pairs()
    mlp = SpectralMLPRegressor((8,), max_epochs=3, device="cpu", random_state=0)
    np.testing.assert_array_equal(
        mlp.fit(X, Y).predict(X), mlp.fit(X, Y, sample_weight=np.full(len(X), 2.0)).predict(X)
    )


def test_the_vae_reconstructs_best_what_it_is_weighted_towards():
    rng = np.random.default_rng(0)
    shapes = rng.normal(size=(2, 12))
    group = np.repeat([0, 1], 100)
    X = shapes[group] * rng.uniform(0.5, 1.5, size=(200, 1)) + rng.normal(0, 0.3, (200, 12))
    errors = {}
    for favoured in (0, 1):
        weights = np.where(group == favoured, 20.0, 0.05)
        vae = VAEEncoder(
            (16,), latent_dim=1, max_epochs=60, lr=1e-2, beta=0.01, device="cpu", random_state=0
        ).fit(X, sample_weight=weights)
        error = ((vae.inverse_transform(vae.transform(X)) - X) ** 2).mean(axis=1)
        errors[favoured] = [error[group == g].mean() for g in (0, 1)]
    assert errors[0][0] < errors[1][0]
    assert errors[1][1] < errors[0][1]


def test_gct_pls_weights_equal_copies_with_standards():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 10))
    y = X @ rng.normal(size=10) + rng.normal(0, 0.1, 30)
    primary = rng.normal(size=(4, 10))
    secondary = primary + rng.normal(0, 0.3, size=(4, 10))
    counts = rng.integers(0, 4, 30)
    model = GCTPLSRegression(3, penalty=100.0)
    weighted = model.fit(
        X, y, X_primary=primary, X_secondary=secondary, sample_weight=counts
    ).predict(X)
    copies = model.fit(
        np.repeat(X, counts, 0), np.repeat(y, counts), X_primary=primary, X_secondary=secondary
    ).predict(X)
    np.testing.assert_allclose(weighted, copies, rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match="non-zero|zero for every sample"):
        model.fit(X, y, sample_weight=np.zeros(30))


# ------------------------------------------------- meta-estimators, routing off


def test_latent_transfer_passes_the_weights_to_the_mapper_and_the_vae():
    X, Y, weights = _pairs()
    mapper = _full_batch_mlp()
    model = LatentTransferRegressor(_tiny_vae(), mapper, random_state=0)
    model.fit(X, Y, sample_weight=weights)
    vae = _tiny_vae().fit(Y, sample_weight=weights)
    np.testing.assert_array_equal(model.vae_.transform(Y), vae.transform(Y))
    direct = _full_batch_mlp().set_params(random_state=model.mapper_.random_state)
    direct.fit(X, vae.transform(Y), sample_weight=weights)
    np.testing.assert_array_equal(model.transform(X), direct.predict(X))
    unweighted = LatentTransferRegressor(_tiny_vae(), mapper, random_state=0).fit(X, Y)
    assert np.abs(unweighted.transform(X) - model.transform(X)).max() > 1e-4


def test_a_frozen_vae_is_not_refitted_with_the_weights():
    X, Y, weights = _pairs()
    vae = _tiny_vae().fit(Y)
    model = LatentTransferRegressor(FrozenEstimator(vae), _full_batch_mlp(), random_state=0)
    model.fit(X, Y, sample_weight=weights)
    assert model.vae_.estimator is vae


def test_weights_for_a_mapper_that_takes_none_are_refused():
    class NoWeights(Ridge):
        def fit(self, X, y):
            return super().fit(X, y)

    X, Y, weights = _pairs()
    model = LatentTransferRegressor(FrozenEstimator(_tiny_vae().fit(Y)), NoWeights())
    with pytest.raises(TypeError, match="mapper NoWeights.fit takes no sample_weight"):
        model.fit(X, Y, sample_weight=weights)
    with pytest.raises(TypeError, match="regressor NoWeights.fit takes no sample_weight"):
        AugmentedRegressor(NoWeights(), _augmenter(), amounts=None).fit(X, Y, sample_weight=weights)


def test_other_metadata_needs_routing():
    X, Y, _ = _pairs()
    with pytest.raises(ValueError, match="groups: metadata other than sample_weight"):
        LatentTransferRegressor(_tiny_vae(), Ridge()).fit(X, Y, groups=np.arange(len(X)))


def _augmenter():
    return VAEAugmenter(_tiny_vae(), labeler=Ridge(), target_range=None, random_state=0)


def test_augmented_regressor_gives_synthetic_samples_the_mean_weight():
    X, Y, weights = _pairs()
    registry = Registry()
    model = AugmentedRegressor(ConsumingRegressor(registry), _augmenter(), amounts=None)
    model.fit(X, Y, sample_weight=weights)
    n_new = len(model.augmenter_.fit_resample(X, Y)[0]) - len(X)
    assert n_new > 0
    expected = np.r_[weights, np.full(n_new, weights.mean())]
    check_recorded_metadata(registry[-1], method="fit", parent="fit", sample_weight=expected)


# -------------------------------------------------- meta-estimators, routing on


def test_routers_request_nothing_until_asked():
    for model in (LatentTransferRegressor(), AugmentedRegressor(Ridge())):
        assert_request_is_empty(model.get_metadata_routing())


def test_weighted_grid_search_routes_the_weights_to_each_fold_and_the_refit(routing):
    X, Y, weights = _pairs()
    metadata = np.arange(len(X), dtype=float)
    registry = Registry()
    mapper = ConsumingRegressor(registry).set_fit_request(sample_weight=True, metadata=True)
    vae = FrozenEstimator(_tiny_vae(latent_dim=1).fit(Y))
    search = GridSearchCV(
        LatentTransferRegressor(vae, mapper), {"random_state": [0, 1]}, cv=KFold(3), refit=True
    )
    search.fit(X, Y, sample_weight=weights, metadata=metadata)
    assert len(registry) == 2 * 3 + 1
    for mapper in registry:
        check_recorded_metadata(
            mapper,
            method="fit",
            parent="fit",
            split_params=("sample_weight", "metadata"),
            sample_weight=weights,
            metadata=metadata,
        )
    # The refit saw every sample's weight.
    np.testing.assert_array_equal(registry[-1]._records["fit"]["fit"][0]["sample_weight"], weights)


def test_weighted_grid_search_of_a_latent_transfer_model_equals_a_weighted_fit(routing):
    X, Y, weights = _pairs()
    vae = _tiny_vae().set_fit_request(sample_weight=True)
    mapper = _full_batch_mlp().set_fit_request(sample_weight=True)
    model = LatentTransferRegressor(vae, mapper, random_state=0)
    search = GridSearchCV(model, {"mapper__lr": [1e-3, 1e-2]}, cv=KFold(3))
    search.fit(X, Y, sample_weight=weights)
    best = model.set_params(**search.best_params_)
    direct = LatentTransferRegressor(**best.get_params(deep=False)).fit(X, Y, sample_weight=weights)
    np.testing.assert_array_equal(search.predict(X), direct.predict(X))
    unweighted = LatentTransferRegressor(**best.get_params(deep=False))
    with sklearn.config_context(enable_metadata_routing=False):
        unweighted.fit(X, Y)
    assert np.abs(unweighted.predict(X) - direct.predict(X)).max() > 1e-4


def test_unrequested_weights_are_an_error_naming_the_sub_estimator(routing):
    X, Y, weights = _pairs()
    vae = FrozenEstimator(_tiny_vae().fit(Y))
    with pytest.raises(UnsetMetadataPassedError, match="SpectralMLPRegressor.fit"):
        LatentTransferRegressor(vae, _full_batch_mlp()).fit(X, Y, sample_weight=weights)
    with pytest.raises(UnsetMetadataPassedError, match="Ridge.fit"):
        AugmentedRegressor(Ridge(), _augmenter(), amounts=None).fit(X, Y, sample_weight=weights)


def test_augmented_regressor_refuses_per_sample_metadata_it_cannot_extend(routing):
    X, Y, _ = _pairs()
    regressor = ConsumingRegressor().set_fit_request(metadata=True)
    with pytest.raises(ValueError, match="metadata has a value per training sample"):
        AugmentedRegressor(regressor, _augmenter(), amounts=None).fit(
            X, Y, metadata=np.arange(len(X))
        )


def test_augmented_rows_must_come_after_the_training_rows():
    class Shuffling(BaseEstimator):
        def fit_resample(self, X, y):
            return np.r_[X, X][::-1], np.r_[y, y][::-1]

    X, Y, weights = _pairs()
    with pytest.raises(ValueError, match="does not return the training samples first"):
        AugmentedRegressor(Ridge(), Shuffling(), amounts=None).fit(X, Y, sample_weight=weights)


# ------------------------------------------------------------- the comparisons


def _ridge_models():
    ridge = Ridge().set_fit_request(sample_weight=True)
    return {"ridge": (ridge, {"alpha": [0.01, 1.0]})}


def test_tuning_with_zero_weights_equals_tuning_without_those_pairs(routing):
    X, Y, _ = _pairs(80)
    keep = np.arange(60) % 3 != 0
    identity = FunctionTransformer()
    tune = dict(preprocessing=identity, scaling="none", verbose=0)
    weighted = tune_transfer_models(
        _ridge_models(),
        X[:60],
        Y[:60],
        X[60:],
        Y[60:],
        params={"sample_weight": np.r_[keep, np.ones(20)].astype(float)},
        **tune,
    )
    subset = tune_transfer_models(
        _ridge_models(), X[:60][keep], Y[:60][keep], X[60:], Y[60:], **tune
    )
    unweighted = tune_transfer_models(_ridge_models(), X[:60], Y[:60], X[60:], Y[60:], **tune)
    (w,), (s,), (u,) = weighted.rows, subset.rows, unweighted.rows
    assert w["settings"] == s["settings"]
    np.testing.assert_allclose(w["rse"], s["rse"], rtol=1e-8)
    assert abs(w["rse"] - u["rse"]) > 1e-6


def test_groups_reach_the_splitter(routing):
    X, Y, _ = _pairs(60)
    groups = np.repeat(np.arange(6), 10)
    result = tune_transfer_models(
        {"ridge": (Ridge(), {"alpha": [1.0]})},
        X,
        Y,
        cv=GroupKFold(3),
        params={"groups": groups},
        verbose=0,
    )
    assert np.isfinite(result.rows[0]["rse"])
    with pytest.raises(ValueError, match="groups"):  # GroupKFold without them
        tune_transfer_models(
            {"ridge": (Ridge(), {"alpha": [1.0]})}, X, Y, cv=GroupKFold(3), verbose=0
        )


@pytest.mark.parametrize(
    "routing_on, models, n_weights, message",
    [
        (False, {"ridge": (Ridge(), {"alpha": [1.0]})}, 60, "enable_metadata_routing=True"),
        (True, {"ridge": (Ridge(), {"alpha": [1.0]})}, 40, r"one per row of X, then X_val \(60\)"),
        (True, {"slope_bias": (Ridge(), {})}, 60, "slope_bias transfer"),
    ],
    ids=["routing off", "one weight per training pair only", "a calibration candidate"],
)
def test_comparison_params_are_refused_with_the_reason(routing_on, models, n_weights, message):
    X, Y, _ = _pairs(60)
    with sklearn.config_context(enable_metadata_routing=routing_on):
        with pytest.raises(ValueError, match=message):
            tune_transfer_models(
                models,
                X[:40],
                Y[:40],
                X[40:],
                Y[40:],
                verbose=0,
                params={"sample_weight": np.ones(n_weights)},
            )


def test_learning_curve_fits_each_draw_with_its_pairs_weights(routing):
    X, Y, _ = _pairs(80)
    rng = np.random.default_rng(3)
    weights = rng.uniform(0.1, 3.0, 60)
    ridge = Ridge(1.0).set_fit_request(sample_weight=True)
    curve = dict(n_pairs=[10, 60], n_repeats=2, random_state=0)
    weighted = transfer_learning_curve(
        X[:60],
        Y[:60],
        X[60:],
        Y[60:],
        models={"ridge": ridge},
        params={"sample_weight": weights},
        **curve,
    )
    ones = transfer_learning_curve(
        X[:60],
        Y[:60],
        X[60:],
        Y[60:],
        models={"ridge": ridge},
        params={"sample_weight": np.ones(60)},
        **curve,
    )
    plain = transfer_learning_curve(
        X[:60], Y[:60], X[60:], Y[60:], models={"ridge": Ridge(1.0)}, **curve
    )
    np.testing.assert_allclose(ones.scores["rse"], plain.scores["rse"], rtol=1e-10)
    # The whole pool, by hand: one weighted fit.
    direct = Ridge(1.0).fit(X[:60], Y[:60], sample_weight=weights).predict(X[60:])
    full = weighted.scores.query("n_pairs == 60")["rse"].iloc[0]
    np.testing.assert_allclose(full, relative_squared_error(Y[60:], direct), rtol=1e-10)
    assert abs(full - plain.scores.query("n_pairs == 60")["rse"].iloc[0]) > 1e-8
    with pytest.raises(UnsetMetadataPassedError, match="Ridge.fit"):
        transfer_learning_curve(
            X[:60],
            Y[:60],
            X[60:],
            Y[60:],
            models={"ridge": Ridge()},
            params={"sample_weight": weights},
            **curve,
        )


def test_compare_transfer_models_routes_the_weights_to_the_search_and_the_refit(routing):
    X, Y, _ = _pairs(90)
    keep = np.r_[np.arange(60) % 2 == 0, np.ones(15, bool)]
    compare = dict(models=_ridge_models(), n_clusters=2, random_state=0)
    weighted = compare_transfer_models(
        X[:60],
        Y[:60],
        X[60:75],
        Y[60:75],
        X[75:],
        Y[75:],
        params={"sample_weight": keep.astype(float)},
        **compare,
    )
    plain = compare_transfer_models(X[:60], Y[:60], X[60:75], Y[60:75], X[75:], Y[75:], **compare)
    assert weighted.table.loc["ridge", "rse"] != plain.table.loc["ridge", "rse"]
    refit = weighted.searches["ridge"].best_estimator_.regressor_[-1]
    assert refit.alpha in (0.01, 1.0)


def test_slope_bias_weights_equal_repeated_standards():
    from sklspec.transfer import SlopeBiasCorrection

    rng = np.random.default_rng(2)
    X = rng.normal(size=(8, 5))
    calibration = Ridge(1.0).fit(rng.normal(size=(30, 5)), rng.normal(size=30))
    y = 1.3 * calibration.predict(X) + 0.2 + rng.normal(0, 0.05, 8)
    counts = np.array([1, 3, 0, 2, 1, 1, 4, 2])
    model = SlopeBiasCorrection(FrozenEstimator(calibration))
    weighted = model.fit(X, y, sample_weight=counts)
    slope, bias = weighted.slope_.copy(), weighted.bias_.copy()
    repeated = model.fit(np.repeat(X, counts, 0), np.repeat(y, counts))
    np.testing.assert_allclose(slope, repeated.slope_, rtol=1e-12)
    np.testing.assert_allclose(bias, repeated.bias_, rtol=1e-12)
    plain = model.fit(X, y)
    assert abs(plain.slope_[0] - slope[0]) > 1e-3


def test_epo_passes_the_weights_to_its_regressor():
    pytest.importorskip("chemotools")
    from sklspec.transfer import EPORegressor

    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 10))
    y = X[:, 0] + rng.normal(0, 0.1, 30)
    primary = rng.normal(size=(4, 10))
    secondary = primary + rng.normal(0, 0.3, (4, 10))
    weights = rng.uniform(0.1, 3, 30)
    model = EPORegressor(Ridge(1.0), n_components=1).fit(
        X, y, X_primary=primary, X_secondary=secondary, sample_weight=weights
    )
    direct = Ridge(1.0).fit(model.epo_.transform(X), y, sample_weight=weights)
    np.testing.assert_allclose(model.regressor_.coef_, direct.coef_, rtol=1e-12)
    with pytest.raises(TypeError, match="regressor PLSRegression.fit takes no sample_weight"):
        EPORegressor().fit(X, y, sample_weight=weights)
