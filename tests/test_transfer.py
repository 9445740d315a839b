"""LatentTransferRegressor, SpectralMLPRegressor and the paper's models."""

import os
import subprocess
import sys

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, ShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.exceptions import TrainingDivergedError
from sklspec.metrics import relative_squared_error, spectral_scoring
from sklspec.papers import paper_transfer_models
from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import VAEEncoder

CUDA = torch.cuda.is_available()
VAE = dict(hidden_layer_sizes=(32,), latent_dim=3, lr=1e-2, max_epochs=40, device="cpu")
MLP = dict(hidden_layer_sizes=(32,), lr=1e-2, max_epochs=60, patience=10, device="cpu")


def paired_spectra(n_samples, n_secondary=40, seed=0, instrument=0):
    """Primary (60 channels) and secondary spectra of the same 3-component samples."""
    rng = np.random.default_rng(seed)
    amounts = rng.uniform(0, 1, (n_samples, 3))
    channels = np.arange(60)
    primary_bands = np.exp(-0.5 * ((channels - np.array([[10], [30], [48]])) / 3.0) ** 2)
    # Each secondary instrument sees the samples through its own bands.
    instrument_rng = np.random.default_rng(100 + instrument)
    secondary_bands = np.abs(instrument_rng.normal(size=(3, n_secondary)))
    # Amplitudes of order 10: a VAE needs a reconstruction error that outweighs
    # the KL term (scaled spectra, in practice).
    Y = 10 * amounts @ primary_bands + rng.normal(0, 0.1, (n_samples, 60))
    X = amounts @ secondary_bands + rng.normal(0, 0.01, (n_samples, n_secondary))
    return X, Y


def latent_model(vae):
    """The VAE + MLP model with the small test MLP as its mapper, seeded."""
    return LatentTransferRegressor(vae, SpectralMLPRegressor(**MLP), random_state=0)


@pytest.fixture(scope="module")
def data():
    X, Y = paired_spectra(500)
    return X[:400], Y[:400], X[400:], Y[400:]


@pytest.fixture(scope="module")
def fitted(data):
    X, Y, _, _ = data
    return LatentTransferRegressor(
        VAEEncoder(**VAE, random_state=0), SpectralMLPRegressor(**MLP), random_state=0
    ).fit(X, Y)


def test_latent_transfer_predicts_held_out_primary_spectra(data, fitted):
    _, _, X_test, Y_test = data
    Y_pred = fitted.predict(X_test)
    assert Y_pred.shape == Y_test.shape
    rse = relative_squared_error(Y_test, Y_pred)
    assert rse < 0.2, rse
    Z = fitted.transform(X_test)
    assert Z.shape == (100, 3) and fitted.latent_dim_ == 3
    np.testing.assert_allclose(fitted.vae_.inverse_transform(Z), Y_pred, rtol=1e-5)
    assert list(fitted.get_feature_names_out()) == ["vaeencoder0", "vaeencoder1", "vaeencoder2"]


def test_one_step_mlp_predicts_held_out_primary_spectra(data):
    X, Y, X_test, Y_test = data
    one_step = SpectralMLPRegressor((32, 3, 32), lr=1e-2, max_epochs=80, device="cpu")
    one_step.set_params(random_state=0).fit(X, Y)
    assert relative_squared_error(Y_test, one_step.predict(X_test)) < 0.2
    assert one_step.history_[-1, "valid_loss"] is not None


def test_same_seed_same_model(data, fitted):
    X, Y, X_test, _ = data
    again = clone(fitted).fit(X, Y)
    np.testing.assert_array_equal(again.predict(X_test), fitted.predict(X_test))


def test_one_frozen_primary_vae_serves_two_secondary_systems():
    # A primary library larger than either paired set, fitted once.
    _, library = paired_spectra(600, seed=1)
    vae = VAEEncoder(**VAE, random_state=0).fit(library)
    weights = {k: v.clone() for k, v in vae.net_.module_.state_dict().items()}
    frozen = FrozenEstimator(vae)

    X_a, Y_a = paired_spectra(300, n_secondary=40, seed=2, instrument=1)
    X_b, Y_b = paired_spectra(300, n_secondary=25, seed=3, instrument=2)
    model_a = latent_model(frozen).fit(X_a[:250], Y_a[:250])
    model_b = latent_model(frozen).fit(X_b[:250], Y_b[:250])

    assert model_a.vae_ is frozen and model_b.vae_ is frozen
    for name, value in vae.net_.module_.state_dict().items():
        assert torch.equal(value, weights[name]), name
    # Both secondaries land in the one latent space, decoded by one decoder.
    for model, X, Y in ((model_a, X_a, Y_a), (model_b, X_b, Y_b)):
        assert relative_squared_error(Y[250:], model.predict(X[250:])) < 0.3
        np.testing.assert_array_equal(
            model.predict(X[250:]), vae.inverse_transform(model.transform(X[250:]))
        )

    # Clone and grid search keep the very same frozen VAE, unrefitted.
    assert clone(model_a).vae is frozen
    search = GridSearchCV(
        latent_model(frozen),
        {"mapper__lr": [1e-2, 3e-3]},
        cv=ShuffleSplit(n_splits=1, test_size=0.25, random_state=0),
    ).fit(X_a, Y_a)
    assert search.best_estimator_.vae_ is frozen
    for name, value in vae.net_.module_.state_dict().items():
        assert torch.equal(value, weights[name]), name


def test_composes_with_pipeline_and_transformed_target(data):
    X, Y, X_test, Y_test = data
    model = TransformedTargetRegressor(
        regressor=make_pipeline(
            StandardScaler(),
            LatentTransferRegressor(
                VAEEncoder(**VAE, random_state=0), SpectralMLPRegressor(**MLP), random_state=0
            ),
        ),
        transformer=StandardScaler(),
        check_inverse=False,
    )
    model.fit(X * 1000.0, Y * 1000.0)  # counts-like scales on both sides
    Y_pred = model.predict(X_test * 1000.0)
    # Predictions come back in the primary's own units.
    assert relative_squared_error(Y_test * 1000.0, Y_pred) < 0.2
    search = GridSearchCV(
        model,
        {"regressor__latenttransferregressor__vae__latent_dim": [2, 3]},
        scoring=spectral_scoring("neg_relative_squared_error", "neg_mean_euclidean_distance"),
        refit="neg_relative_squared_error",
        cv=ShuffleSplit(n_splits=1, test_size=0.25, random_state=0),
    ).fit(X * 1000.0, Y * 1000.0)
    assert search.best_params_ == {"regressor__latenttransferregressor__vae__latent_dim": 3}
    assert search.cv_results_["mean_test_neg_relative_squared_error"].max() > -0.3


def test_joblib_round_trip(tmp_path, data, fitted):
    X, Y, X_test, _ = data
    one_step = SpectralMLPRegressor(**MLP, random_state=0).fit(X, Y)
    for model in (fitted, one_step):
        joblib.dump(model, tmp_path / "model.joblib")
        loaded = joblib.load(tmp_path / "model.joblib")
        np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))


def test_model_saved_as_cuda_loads_on_cpu(tmp_path, data):
    if CUDA:
        pytest.skip("checks loading without CUDA; see test_cuda_fit_then_cpu_load")
    X, Y, X_test, _ = data
    model = SpectralMLPRegressor(**MLP, random_state=0).fit(X, Y)
    expected = model.predict(X_test)
    model.net_.device = "cuda"  # as if trained on a GPU
    joblib.dump(model, tmp_path / "model.joblib")
    with pytest.warns(UserWarning, match="CUDA"):
        loaded = joblib.load(tmp_path / "model.joblib")
    assert str(loaded.net_.device) == "cpu"
    np.testing.assert_array_equal(loaded.predict(X_test), expected)


@pytest.mark.cuda
@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
def test_cuda_fit_then_cpu_load(tmp_path, data):
    X, Y, X_test, _ = data
    vae = VAEEncoder(**{**VAE, "device": "cuda"}, random_state=0)
    mapper = SpectralMLPRegressor(**{**MLP, "device": "cuda"})
    model = LatentTransferRegressor(vae, mapper, random_state=0).fit(X, Y)
    assert next(model.mapper_.net_.module_.parameters()).is_cuda
    np.save(tmp_path / "X.npy", X_test)
    np.save(tmp_path / "expected.npy", model.predict(X_test))
    joblib.dump(model, tmp_path / "model.joblib")
    script = (
        "import os, joblib, numpy as np, torch;"
        "assert not torch.cuda.is_available();"
        f"m = joblib.load({str(tmp_path / 'model.joblib')!r});"
        f"X = np.load({str(tmp_path / 'X.npy')!r});"
        f"e = np.load({str(tmp_path / 'expected.npy')!r});"
        "np.testing.assert_allclose(m.predict(X), e, rtol=1e-4, atol=1e-5)"
    )
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}  # PYTHONPATH etc. kept
    subprocess.run([sys.executable, "-c", script], check=True, env=env)


def test_bad_input(data, fitted):
    X, Y, X_test, _ = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LatentTransferRegressor(VAEEncoder(**VAE)).fit(X[:50], Y[:60])
    with pytest.raises(ValueError, match="X has 39 features, but LatentTransferRegressor"):
        fitted.predict(X_test[:, :39])
    with pytest.raises(ValueError, match="X has 39 features, but LatentTransferRegressor"):
        fitted.transform(X_test[:, :39])

    frozen = FrozenEstimator(fitted.vae_)
    with pytest.raises(ValueError, match="fitted on primary spectra of 60 channels, but Y has 50"):
        LatentTransferRegressor(frozen, SpectralMLPRegressor(**MLP)).fit(X, Y[:, :50])
    with pytest.raises(TypeError, match="vae must be a VAEEncoder"):
        LatentTransferRegressor(StandardScaler(), SpectralMLPRegressor(**MLP)).fit(X, Y)
    with pytest.raises(ValueError, match="frozen VAE is not fitted"):
        LatentTransferRegressor(FrozenEstimator(VAEEncoder(**VAE))).fit(X, Y)

    bad = X.copy()
    bad[3, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LatentTransferRegressor(VAEEncoder(**VAE), SpectralMLPRegressor(**MLP)).fit(bad, Y)
    with pytest.raises(ValueError, match="NaN"):
        SpectralMLPRegressor(**MLP).fit(bad, Y)
    with pytest.raises(ValueError, match="X has 39 features, but SpectralMLPRegressor"):
        fitted.mapper_.predict(X_test[:, :39])
    with pytest.raises(ValueError, match="Too few samples"):
        SpectralMLPRegressor(validation_fraction=0.5).fit(X[:1], Y[:1])
    with pytest.raises(ValueError, match="'lr' parameter of SpectralMLPRegressor must be"):
        SpectralMLPRegressor(lr=0).fit(X, Y)
    with pytest.raises(TrainingDivergedError, match="lower lr"):
        SpectralMLPRegressor(**{**MLP, "lr": 1e12, "max_epochs": 3}).fit(X, Y * 1e6)


def test_mlp_without_early_stopping_stops_on_a_loss_explosion():
    from skorch.history import History

    from sklspec._neural._callbacks import DivergenceCheck

    net = SpectralMLPRegressor((8,), early_stopping=False)._build_net(4, 2, "cpu", 0)
    check = dict(net.callbacks)["divergence"].initialize()
    assert isinstance(check, DivergenceCheck) and check.monitor == "train_loss"
    net.history = History()
    for loss in (2.0, 0.5, 40.0):  # 80x the best epoch: rough, not diverged
        net.history.new_epoch()
        net.history.record("train_loss", loss)
        check.on_epoch_end(net)
    net.history.new_epoch()
    net.history.record("train_loss", 60.0)
    with pytest.raises(
        TrainingDivergedError,
        match=r"MLP training diverged: train_loss rose "
        r"from 0.5 \(epoch 2\) to 60 \(epoch 4\) at lr=0.0001",
    ):
        check.on_epoch_end(net)


def test_verbose_reports_the_stages(data, capsys):
    X, Y, _, _ = data
    LatentTransferRegressor(
        VAEEncoder(**{**VAE, "max_epochs": 2}),
        SpectralMLPRegressor(**{**MLP, "max_epochs": 2}, verbose=1),
        verbose=1,
    ).fit(X, Y)
    out = capsys.readouterr().out
    assert "fitting the VAE on the primary spectra" in out
    assert "fitting the MLP to the latent space" in out
    assert "valid_loss" in out


def test_paper_models_have_the_papers_settings():
    models = paper_transfer_models(random_state=0)
    vae_mlp, grid = models["vae_mlp"]
    mapper = vae_mlp.mapper
    assert mapper.hidden_layer_sizes == (128, 512) and mapper.lr == 1e-4
    assert mapper.batch_size == 128 and mapper.max_epochs == 100 and mapper.early_stopping
    assert vae_mlp.vae.hidden_layer_sizes == (1024, 512) and vae_mlp.vae.latent_dim == 64
    assert set(grid) == {"mapper__hidden_layer_sizes", "mapper__lr"}
    one_step, _ = models["one_step"]
    assert one_step.hidden_layer_sizes == (128, 512, 64, 512, 1024)
    assert models["knn"][0].n_neighbors == 10
    assert models["pls"][0].n_components == 16 and models["pls"][1]["n_components"][-1] == 64
    quick = paper_transfer_models(max_epochs=3)
    assert quick["vae_mlp"][0].vae.max_epochs == 3 and quick["one_step"][0].max_epochs == 3
