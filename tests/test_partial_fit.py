"""partial_fit of the neural estimators: one more epoch, continuing weights and Adam's state."""

import numpy as np
import pytest
import torch

from sklspec.exceptions import TrainingDivergedError
from sklspec.io import load, save
from sklspec.transfer import SpectralMLPRegressor
from sklspec.vae import VAEEncoder


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 20))
    return X, X[:, :5] * 2.0


def _mlp(**params):
    return SpectralMLPRegressor((32,), lr=1e-2, device="cpu", random_state=0, **params)


def test_epochs_of_partial_fit_train_as_fit_does(data):
    X, Y = data
    stepwise = _mlp()
    for epoch in range(1, 31):
        assert stepwise.partial_fit(X, Y) is stepwise and stepwise.n_iter_ == epoch
    assert len(stepwise.history_) == 30
    whole = _mlp(max_epochs=30, early_stopping=False, validation_fraction=None).fit(X, Y)
    # Measured: R^2 0.9930 (30 partial fits) and 0.9929 (fit, 30 epochs).
    assert stepwise.score(X, Y) > 0.98 and abs(stepwise.score(X, Y) - whole.score(X, Y)) < 0.01
    # Adam's state continues: its step count is that of every batch so far.
    state = stepwise.net_.optimizer_.state_dict()["state"]
    assert int(next(iter(state.values()))["step"]) == 30 * int(np.ceil(300 / 128))
    again = _mlp()
    for _ in range(30):
        again.partial_fit(X, Y)
    np.testing.assert_array_equal(again.predict(X), stepwise.predict(X))


def test_partial_fit_checks_widths_and_leaves_a_failed_epoch_undone(data):
    X, Y = data
    model = _mlp().partial_fit(X, Y)
    with pytest.raises(ValueError, match="X has 10 features, but SpectralMLPRegressor"):
        model.partial_fit(X[:, :10], Y)
    with pytest.raises(ValueError, match="y has 3 columns, but this network was fitted with 5"):
        model.partial_fit(X, Y[:, :3])
    before = {k: v.clone() for k, v in model.net_.module_.state_dict().items()}
    n_iter = model.n_iter_
    with pytest.raises(TrainingDivergedError):
        model.set_params(lr=1e8).partial_fit(X, Y * 1e6)
    after = model.net_.module_.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before) and model.n_iter_ == n_iter


def test_a_loaded_model_goes_on_training(data, tmp_path):
    X, Y = data
    model = _mlp().partial_fit(X, Y).partial_fit(X, Y)
    save(model, tmp_path / "m.sklspec")
    loaded = load(tmp_path / "m.sklspec")
    error = np.mean((loaded.predict(X) - Y) ** 2)
    for _ in range(5):
        loaded.partial_fit(X, Y)
    assert loaded.n_iter_ == 7 and np.mean((loaded.predict(X) - Y) ** 2) < error


def test_vae_partial_fit_continues_the_kl_schedule():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(400, 3)) @ rng.normal(size=(3, 30))
    params = dict(lr=1e-2, device="cpu", random_state=0, max_epochs=20, kl_schedule="cyclical")
    vae = VAEEncoder((32,), latent_dim=3, **params)
    for _ in range(8):
        vae.partial_fit(X)
    # Four cycles over 20 epochs, rising half of each: 0.3, 0.7, 1.0 (beta), 1.0, 1.0, again.
    betas = [round(epoch["beta"], 3) for epoch in vae.history_]
    assert betas == [0.3, 0.7, 1.0, 1.0, 1.0, 0.3, 0.7, 1.0]
    assert vae.transform(X).shape == (400, 3) and vae.latent_mean_.shape == (3,)
    with pytest.raises(ValueError, match="X has 12 features, but VAEEncoder"):
        vae.partial_fit(X[:, :12])
    reconstruction = -vae.score(X)
    for _ in range(10):
        vae.partial_fit(X)
    assert -vae.score(X) < reconstruction
