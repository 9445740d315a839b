"""The neural core shared by every torch estimator: validation, atomic fits,
divergence, interrupts, and the composite fits built on it."""

import os
import sys
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted
from skorch.dataset import Dataset
from torch.utils.data import DataLoader

from sklspec._neural import TrainingLoopMixin
from sklspec._neural._loader import BatchLoader, stage_on_device
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
    for loss in (2.0, 1500.0):  # the untrained net's first batch, then a rough one
        net.history.new_batch()
        net.history.record_batch("train_loss", loss)
    check.on_batches_recorded(net, training=True)
    net.history.record("train_loss", 1999.0)  # 999.5x the first batch: rough, not diverged
    check.on_epoch_end(net)
    net.history.new_epoch()
    net.history.new_batch()
    net.history.record_batch("train_loss", 2001.0)
    check.on_batches_recorded(net, training=True)
    net.history.record("train_loss", 2001.0)
    with pytest.raises(TrainingDivergedError, match=r"rose from 2 \(the untrained network"):
        check.on_epoch_end(net)
    net.history.new_batch()
    net.history.record_batch("valid_loss", float("nan"))
    with pytest.raises(TrainingDivergedError, match="NaN or infinite in epoch 2"):
        check.on_batches_recorded(net, training=False)


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
    run_single_epoch = TrainingLoopMixin.run_single_epoch

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # epoch 1 train, epoch 1 valid, epoch 2 train
            raise KeyboardInterrupt
        return run_single_epoch(self, *args, **kwargs)

    monkeypatch.setattr(TrainingLoopMixin, "run_single_epoch", interrupted)
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
    regressor = AugmentedRegressor(Ridge(), augmenter, amounts=None)
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
        AugmentedRegressor(Ridge(), augmenter, amounts=None).fit(X, y)
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
    bar = dict(model.net_.callbacks_)["progress_bar"]
    # The bar shows each batch's loss as a number, though the loop keeps it
    # on the device until the epoch ends.
    model.net_.history.new_epoch()
    model.net_.history.new_batch()
    model.net_.history.record_batch("train_loss", torch.tensor(0.25))
    shown = bar._get_postfix_dict(model.net_)["train_loss"]
    assert type(shown) is float and shown == 0.25
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


# ------------------------------------------------------------ data path


def _loader_batches(loader_class, dataset, generator, epochs=2):
    loader_batches = []
    for _ in range(epochs):
        loader = loader_class(dataset, batch_size=32, shuffle=True, generator=generator)
        loader_batches += list(loader)
    return loader_batches


@pytest.mark.parametrize("kind", ["array", "float64", "dict", "no y", "subset", "nested subset"])
def test_batch_loader_serves_what_torchs_data_loader_serves(kind):
    # Same rows, order, dtypes and random numbers: a seeded fit is the same
    # as it was with torch's DataLoader (which builds batches row by row).
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(100, 7)).astype(np.float32), rng.normal(size=(100, 2))
    y = y.astype(np.float32)
    if kind == "float64":
        dataset, expected_X = Dataset(X.astype(np.float64), y), None
    elif kind == "dict":
        dataset = Dataset({"x": X, "y": y}, None)
    elif kind == "no y":
        dataset = Dataset(X, None)
    else:
        dataset = Dataset(X, y)
    if kind == "subset":
        dataset = torch.utils.data.Subset(dataset, np.arange(90)[::-1])
    if kind == "nested subset":  # a split of a split
        inner = torch.utils.data.Subset(dataset, np.arange(10, 100))
        dataset = torch.utils.data.Subset(inner, np.arange(80)[::-1])
    ours = _loader_batches(BatchLoader, dataset, torch.Generator().manual_seed(3))
    torch.manual_seed(0)
    ours.append(torch.rand(1))  # the global generator is left as torch's loader leaves it
    theirs = _loader_batches(DataLoader, dataset, torch.Generator().manual_seed(3))
    torch.manual_seed(0)
    theirs.append(torch.rand(1))
    if kind == "float64":  # torch would collate float64; the networks get float32
        expected_X = [batch[0].float() for batch in theirs[:-1]]
        assert all(batch[0].dtype == torch.float32 for batch in ours[:-1])
        for got, want in zip(ours[:-1], expected_X, strict=True):
            torch.testing.assert_close(got[0], want, rtol=0, atol=0)
        return
    assert len(ours) == len(theirs) == 2 * (-(-len(dataset) // 32)) + 1
    for got, want in zip(ours, theirs, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_a_fit_calls_item_once_per_epoch_not_once_per_batch(data, monkeypatch):
    # Each .item() makes the CPU wait for the GPU to finish the step; the
    # loop turns an epoch's batch losses into floats at its end, in one go.
    X, _ = data
    calls = []
    item = torch.Tensor.item

    def counted_item(self):
        # Adam reads its step counter, a CPU tensor (no wait), with .item().
        caller = sys._getframe(1).f_code.co_filename
        if os.sep + "optim" + os.sep not in caller:
            calls.append(caller)
        return item(self)

    monkeypatch.setattr(torch.Tensor, "item", counted_item)
    vae = VAEEncoder((16,), 2, batch_size=10, max_epochs=3, device="cpu", random_state=0).fit(X)
    n_batches = sum(len(epoch["batches"]) for epoch in vae.history_)
    assert n_batches == 3 * (27 + 3)  # 270 training and 30 validation spectra
    assert len(calls) < 10, len(calls)
    # What the steps used on the device does not stay on the fitted net.
    assert not {"_kl_weight_tensor", "_batch_values", "_captured_step"} & set(vars(vae.net_))
    losses = vae.history_[-1, "batches", :, "train_recon"]
    assert all(type(value) is float for value in losses)
    np.testing.assert_allclose(
        np.average(losses, weights=vae.history_[-1, "batches", :, "train_batch_size"]),
        vae.history_[-1, "train_recon"],
    )


def test_staging_on_a_cpu_keeps_the_arrays():
    X, y = np.zeros((4, 3)), np.ones((4, 1))
    staged_X, staged_y = stage_on_device(X, y, "cpu")
    assert staged_X is X and staged_y is y


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_staging_on_a_gpu_copies_float32_blocks_there(monkeypatch):
    import sklspec._neural._loader as loader

    monkeypatch.setattr(loader, "STAGING_ROWS", 7)  # several blocks
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 6)), rng.normal(size=(50, 2))
    staged_X, staged_y = stage_on_device({"x": X, "y": y}, y, "cuda")
    assert staged_X["x"].is_cuda and staged_X["x"].dtype == torch.float32
    np.testing.assert_array_equal(staged_X["x"].cpu().numpy(), X.astype(np.float32))
    np.testing.assert_array_equal(staged_y.cpu().numpy(), y.astype(np.float32))
    monkeypatch.setattr(loader, "STAGING_SHARE", 0.0)  # too large for the GPU: left on the host
    assert stage_on_device(X, y, "cuda")[0] is X


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_fit_replays_its_captured_step_and_matches_the_cpu_fit(data, monkeypatch):
    # No random numbers in an MLP's step, the same initial weights and
    # batch order: the replayed graph must train as the CPU's eager steps.
    X, y = data
    replays = []
    replay = torch.cuda.CUDAGraph.replay
    monkeypatch.setattr(torch.cuda.CUDAGraph, "replay", lambda g: replays.append(1) or replay(g))
    params = dict(hidden_layer_sizes=(32,), batch_size=32, max_epochs=4, early_stopping=False)
    on_cpu = SpectralMLPRegressor(**params, device="cpu", random_state=0).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        on_gpu = SpectralMLPRegressor(**params, device="cuda", random_state=0).fit(X, y)
    # No autograd graph outlives its step (torch warns when one is reused
    # across streams: the warm-up's, the capture's, the eager last batch's).
    assert not [w for w in caught if "AccumulateGrad" in str(w.message)]
    # 270 training rows: 8 full batches and one of 14 (eager) per epoch,
    # the first 3 full ones eager while the graph warms up.
    assert len(replays) == 4 * 8 - 3
    np.testing.assert_allclose(
        on_gpu.history_[:, "train_loss"], on_cpu.history_[:, "train_loss"], rtol=1e-4
    )
    np.testing.assert_allclose(on_gpu.predict(X), on_cpu.predict(X), rtol=1e-3, atol=1e-4)
    assert "_captured_step" not in vars(on_gpu.net_)  # dropped: the net pickles


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_the_annealed_kl_weight_reaches_the_captured_step(data):
    from sklspec.vae._callbacks import _cyclical_beta

    X, _ = data
    vae = VAEEncoder(
        (16,), 2, batch_size=30, max_epochs=4, beta=0.5, kl_schedule="cyclical",
        kl_cycles=2, device="cuda", random_state=0,
    ).fit(X)  # fmt: skip
    for epoch, record in enumerate(vae.history_):
        batches = [batch for batch in record["batches"] if "train_loss" in batch]
        assert len(batches) == 9  # 270 training spectra
        for index, batch in enumerate(batches):
            weight = _cyclical_beta((epoch + index / 9) / 4, 0.5, 2, 0.5)
            expected = X.shape[1] * batch["train_recon"] + weight * batch["train_kl"]
            np.testing.assert_allclose(batch["train_loss"], expected, rtol=1e-5)
