"""The neural core shared by every torch estimator: validation, atomic fits,
divergence, interrupts, and the composite fits built on it."""

import numpy as np
import pytest
import skorch
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted

from sklspec.augmentation import AugmentedRegressor, VAEAugmenter
from sklspec.exceptions import TrainingDivergedError
from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import ConditionalVAE, VAEEncoder

TINY = dict(max_epochs=5, device="cpu", random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    amounts = rng.uniform(0, 1, (300, 3))
    X = amounts @ np.abs(rng.normal(size=(3, 40))) + rng.normal(0, 0.01, (300, 40))
    return X, 3 * amounts  # targets in [0, 3]


# ------------------------------------------------------------ divergence


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_huge_learning_rate_raises_instead_of_predicting_garbage(data, early_stopping):
    # Before: both fits finished, with a first-epoch loss of 1e29, and
    # predicted about 1e14 for targets in [0, 3].
    X, y = data
    mlp = SpectralMLPRegressor((32,), lr=1e6, early_stopping=early_stopping, **TINY)
    with pytest.raises(TrainingDivergedError, match=r"The MLP training diverged: .* lr=1000000.0"):
        mlp.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(mlp)
    latent = LatentTransferRegressor(
        VAEEncoder((16,), 2, max_epochs=5, device="cpu", random_state=0),
        SpectralMLPRegressor((32,), lr=1e6, early_stopping=early_stopping, **TINY),
    )
    with pytest.raises(TrainingDivergedError, match="lower lr"):
        latent.fit(X, np.hstack([y, y]))


def test_a_loss_far_above_the_untrained_networks_is_divergence():
    from skorch.history import History

    net = SpectralMLPRegressor((8,), early_stopping=True)._build_net(4, 2, "cpu", 0)
    check = dict(net.callbacks)["divergence"].initialize()
    assert check.monitor is None  # with early stopping, no best-epoch rule
    net.history = History()
    net.history.new_epoch()
    import torch

    check.on_batch_end(net, training=True, loss=torch.tensor(2.0))  # the untrained net
    check.on_batch_end(net, training=True, loss=torch.tensor(1500.0))
    net.history.record("train_loss", 1999.0)  # 999.5x the first batch: rough, not diverged
    check.on_epoch_end(net)
    net.history.new_epoch()
    net.history.record("train_loss", 2001.0)
    with pytest.raises(TrainingDivergedError, match=r"rose from 2 \(the untrained network"):
        check.on_epoch_end(net)
    with pytest.raises(TrainingDivergedError, match="NaN or infinite in epoch 2"):
        check.on_batch_end(net, training=False, loss=torch.tensor(float("nan")))


# ------------------------------------------------------------ atomic fits


@pytest.mark.parametrize(
    "estimator, fit_y",
    [
        (VAEEncoder(latent_dim=0), False),
        (SpectralMLPRegressor(validation_fraction=1.5), True),
        (LatentTransferRegressor(mapper=SpectralMLPRegressor(batch_size=0)), True),
        (VAEEncoder(**{**TINY, "validation_fraction": 0.999}), False),  # data-dependent check
    ],
    ids=["latent_dim=0", "validation_fraction=1.5", "mapper batch_size=0", "no spectra left"],
)
def test_a_failed_fit_leaves_the_estimator_unfitted(data, estimator, fit_y):
    # Before: validate_data had set n_features_in_, so check_is_fitted passed
    # and predict failed with AttributeError 'net_'.
    X, y = data
    before = dict(vars(estimator))
    with pytest.raises(ValueError):
        estimator.fit(X, y) if fit_y else estimator.fit(X)
    assert vars(estimator) == before
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)


def test_a_failed_refit_keeps_the_previous_fit(data):
    X, y = data
    mlp = SpectralMLPRegressor((16,), lr=1e-2, **{**TINY, "max_epochs": 10}).fit(X, y)
    state, prediction = dict(vars(mlp)), mlp.predict(X)
    mlp.set_params(lr=1e6)
    with pytest.raises(TrainingDivergedError):
        mlp.fit(X, y)
    assert all(vars(mlp)[key] is value for key, value in state.items() if key != "lr")
    assert mlp.lr == 1e6  # parameters are the user's, not restored
    np.testing.assert_array_equal(mlp.predict(X), prediction)


# ------------------------------------------------------------ Ctrl-C


@pytest.fixture
def ctrl_c_in_second_epoch(monkeypatch):
    """Make the user's Ctrl-C arrive during the second epoch run by any skorch net."""
    calls = []
    run_single_epoch = skorch.NeuralNet.run_single_epoch

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # epoch 1 train, epoch 1 valid, epoch 2 train
            raise KeyboardInterrupt
        return run_single_epoch(self, *args, **kwargs)

    monkeypatch.setattr(skorch.NeuralNet, "run_single_epoch", interrupted)
    return calls


def test_ctrl_c_stops_the_whole_latent_transfer_fit(data, ctrl_c_in_second_epoch):
    # Before: skorch swallowed the interrupt, the VAE was cut short and the
    # fit went on through the MLP, returning a "fitted" model.
    X, y = data
    model = LatentTransferRegressor(
        VAEEncoder((16,), 2, **{**TINY, "max_epochs": 4}), SpectralMLPRegressor((16,), **TINY)
    )
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, np.hstack([y, y]))
    assert len(ctrl_c_in_second_epoch) == 3  # nothing ran after the interrupt
    with pytest.raises(NotFittedError):
        check_is_fitted(model)


def test_ctrl_c_stops_augmentation_fits(data, ctrl_c_in_second_epoch):
    X, y = data
    augmenter = VAEAugmenter(VAEEncoder((16,), 2, **TINY), labeler=Ridge(), random_state=0)
    with pytest.raises(KeyboardInterrupt):
        augmenter.fit_resample(X, y)
    ctrl_c_in_second_epoch.clear()
    regressor = AugmentedRegressor(Ridge(), augmenter)
    with pytest.raises(KeyboardInterrupt):
        regressor.fit(X, y)
    for estimator in (augmenter, regressor):
        with pytest.raises(NotFittedError):
            check_is_fitted(estimator)


def test_ctrl_c_in_a_scikit_learn_labeler_stops_the_augmenter(data, monkeypatch):
    # scikit-learn's MLPs swallow Ctrl-C ("Training interrupted by user.")
    # and return; inside a sklspec fit it stops the whole fit.
    from sklearn.neural_network import MLPRegressor

    from sklspec.augmentation import reference_regressor

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(MLPRegressor, "_update_no_improvement_count", interrupted)
    X, y = data
    labeler = reference_regressor(solver="adam", alpha=1e-4).set_params(
        regressor__estimator__max_iter=5
    )
    augmenter = VAEAugmenter(VAEEncoder((16,), 2, **TINY), labeler=labeler, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        AugmentedRegressor(Ridge(), augmenter).fit(X, y)
    with pytest.raises(KeyboardInterrupt):
        augmenter.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(augmenter)
    # Outside a sklspec fit, scikit-learn's own behaviour is left alone.
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        MLPRegressor(max_iter=5, early_stopping=True).fit(X, y)


def test_early_stopping_is_not_mistaken_for_ctrl_c(data):
    X, y = data
    mlp = SpectralMLPRegressor(
        (16,), lr=1e-2, max_epochs=500, patience=2, device="cpu", random_state=0
    ).fit(X, y)
    assert mlp.n_iter_ == len(mlp.history_) < 500


# ------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "estimator, name",
    [
        (SpectralMLPRegressor(device="tpu"), "device"),
        (SpectralMLPRegressor(hidden_layer_sizes=(8, 0)), "hidden_layer_sizes"),
        (VAEEncoder(decoder_hidden_layer_sizes=[4, 2.5]), "decoder_hidden_layer_sizes"),
        (VAEEncoder(kl_ratio=0.0), "kl_ratio"),
        (ConditionalVAE(beta=float("nan")), "beta"),
        (SpectralMLPRegressor(alpha=float("inf")), "alpha"),
    ],
)
def test_bad_parameters_name_the_parameter_and_value(data, estimator, name):
    X, y = data
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of .* Got .* instead"):
        estimator.fit(X, y)


def test_epoch_table_is_plain_when_redirected_and_coloured_on_a_terminal(data, capsys, monkeypatch):
    # Before: `-v` output kept the terminal colour codes in log files.
    X, y = data
    fit = dict(lr=1e-2, max_epochs=3, device="cpu", random_state=0)
    SpectralMLPRegressor((8,), verbose=1, **fit).fit(X, y)
    redirected = capsys.readouterr().out
    assert "train_loss" in redirected and "\x1b[" not in redirected
    monkeypatch.setattr("sklspec._neural._callbacks._is_terminal", lambda stream: True)
    model = SpectralMLPRegressor((8,), verbose=2, **fit).fit(X, y)
    assert "\x1b[36m" in capsys.readouterr().out  # the best train loss, highlighted
    assert "progress_bar" in dict(model.net_.callbacks_)
    model = SpectralMLPRegressor((8,), verbose=1, **fit).fit(X, y)
    assert "progress_bar" not in dict(model.net_.callbacks_)


def test_shared_parameters_are_documented_with_each_estimators_defaults():
    for cls in (VAEEncoder, ConditionalVAE, SpectralMLPRegressor):
        assert "{shared_parameters}" not in cls.__doc__ and "{vae_parameters}" not in cls.__doc__
    assert "lr : float, default=0.0001\n" in SpectralMLPRegressor.__doc__
    assert "lr : float, default=0.001\n" in VAEEncoder.__doc__
    assert 'activation : {"leaky_relu",' in VAEEncoder.__doc__
    assert "early_stopping : bool, default=True\n" in SpectralMLPRegressor.__doc__
    assert "latent_dim : int, default=16\n" in ConditionalVAE.__doc__
