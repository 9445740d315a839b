import os
import subprocess
import sys
import tracemalloc

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.exceptions import DeviceWarning

from sklspec.datasets import make_peak_spectra
from sklspec.exceptions import TrainingDivergedError
from sklspec.metrics import relative_squared_error
from sklspec.vae import (
    PRESETS,
    ConditionalVAE,
    CyclicalKLAnnealing,
    VAEDecoder,
    VAEEncoder,
    cyclical_linear_beta,
)

CUDA = torch.cuda.is_available()
SMALL = dict(
    hidden_layer_sizes=(32,), latent_dim=3, max_epochs=8, lr=3e-3, device="cpu", random_state=0
)


@pytest.fixture(scope="module")
def spectra():
    X, y = make_peak_spectra(n_samples=300, n_channels=80, random_state=0)
    return StandardScaler().fit_transform(X).astype(np.float32), y


@pytest.fixture(scope="module")
def fitted(spectra):
    return VAEEncoder(**SMALL).fit(spectra[0])


def _linear_shapes(sequential):
    return [
        tuple(layer.weight.shape[::-1])
        for layer in sequential
        if isinstance(layer, torch.nn.Linear)
    ]


def _activations(sequential):
    return {type(layer).__name__ for layer in sequential if not isinstance(layer, torch.nn.Linear)}


def test_transfer_paper_architecture():
    vae = VAEEncoder(
        **{**PRESETS["vrabel2023"], "max_epochs": 1, "device": "cpu", "random_state": 0}
    )
    vae.fit(np.random.default_rng(0).normal(size=(20, 4062)).astype(np.float32))
    module = vae.net_.module_
    # 1024-512-64 leaky ReLU encoder, linear bottleneck (mean and log-variance), mirrored decoder.
    assert _linear_shapes(module.encoder) == [(4062, 1024), (1024, 512), (512, 128)]
    assert _linear_shapes(module.decoder) == [(64, 512), (512, 1024), (1024, 4062)]
    assert _activations(module.encoder) == _activations(module.decoder) == {"LeakyReLU"}
    assert isinstance(module.decoder[-1], torch.nn.Linear)  # linear output
    assert vae.net_.lr == 1e-4 and vae.net_.batch_size == 128
    assert "kl_annealing" in dict(vae.net_.callbacks)
    groups = vae.net_.optimizer_.param_groups
    assert sorted(g["weight_decay"] for g in groups) == [0.0, 2e-6]  # l2(1e-6) on weights only


def test_augmentation_paper_architecture():
    vae = VAEEncoder(
        **{**PRESETS["mushchina2025"], "max_epochs": 1, "device": "cpu", "random_state": 0}
    )
    vae.fit(np.random.default_rng(0).normal(size=(30, 911)).astype(np.float32))
    module = vae.net_.module_
    assert _linear_shapes(module.encoder) == [(911, 256), (256, 182)]
    assert _linear_shapes(module.decoder) == [(91, 256), (256, 911)]
    assert _activations(module.encoder) == {"Sigmoid"}
    assert vae.net_.lr == 1e-3 and vae.net_.batch_size == 64
    assert dict(vae.net_.callbacks)["early_stopping"].patience == 250


def test_reconstructs_held_out_spectra():
    raw, _ = make_peak_spectra(n_samples=300, n_channels=80, random_state=0)
    train, test = raw[:250], raw[250:]
    scaler = StandardScaler().fit(train)
    vae = VAEEncoder(
        hidden_layer_sizes=(64,), latent_dim=4, max_epochs=40, lr=3e-3, device="cpu", random_state=0
    ).fit(scaler.transform(train))
    reconstruction = scaler.inverse_transform(
        vae.inverse_transform(vae.transform(scaler.transform(test)))
    )
    # As the paper reports it: on unscaled spectra (scaled, every noise-only
    # channel would weigh as much as a peak).
    rse = relative_squared_error(test, reconstruction)
    assert rse < 0.1, rse
    # score is minus the reconstruction MSE: better than an untrained model's.
    scaled_test = scaler.transform(test)
    untrained = VAEEncoder(**{**SMALL, "max_epochs": 1, "lr": 1e-6}).fit(scaler.transform(train))
    assert vae.score(scaled_test) > untrained.score(scaled_test)
    scaled_reconstruction = vae.inverse_transform(vae.transform(scaled_test))
    assert vae.score(scaled_test) == pytest.approx(
        -np.mean((scaled_reconstruction - scaled_test) ** 2), rel=1e-4
    )


def test_same_random_state_same_model(spectra, fitted):
    X, _ = spectra
    again = VAEEncoder(**SMALL).fit(X)
    np.testing.assert_array_equal(fitted.transform(X), again.transform(X))
    other = VAEEncoder(**{**SMALL, "random_state": 1}).fit(X)
    assert not np.allclose(fitted.transform(X), other.transform(X))


def test_fit_leaves_global_torch_rng_alone(spectra):
    state = torch.get_rng_state()
    VAEEncoder(**{**SMALL, "max_epochs": 1}).fit(spectra[0])
    assert torch.equal(state, torch.get_rng_state())


def test_history_and_verbose_table(spectra, capsys):
    X, _ = spectra
    vae = VAEEncoder(
        **{
            **SMALL,
            "max_epochs": 4,
            "kl_schedule": "cyclical",
            "kl_cycles": 2,
            "beta": 0.5,
            "verbose": 1,
        }
    ).fit(X)
    table = capsys.readouterr().out
    for column in (
        "train_loss",
        "train_recon",
        "train_kl",
        "valid_loss",
        "valid_recon",
        "valid_kl",
        "beta",
    ):
        assert column in table
    assert len(vae.history_) == 4
    recon = vae.history_[:, "train_recon"]
    assert recon[-1] < recon[0]
    # Two cycles over 4 epochs: the weight ends each epoch on the schedule.
    n_batches = vae.history_[0, "train_batch_count"]
    expected = [
        cyclical_linear_beta((e + (n_batches - 1) / n_batches) / 4, beta_max=0.5, n_cycles=2)
        for e in range(4)
    ]
    np.testing.assert_allclose(vae.history_[:, "beta"], expected)


def test_cyclical_schedule_values():
    progress = np.linspace(0, 1, 17)[:-1]
    betas = [cyclical_linear_beta(p, beta_max=0.5, n_cycles=4, ratio=0.5) for p in progress]
    # Each quarter: 0 -> 0.5 linearly over its first half, then flat at 0.5.
    np.testing.assert_allclose(betas, [0, 0.25, 0.5, 0.5] * 4)
    assert "beta_max=0.5" in repr(CyclicalKLAnnealing())


def test_early_stopping_stops_and_keeps_best(spectra):
    X, _ = spectra
    vae = VAEEncoder(
        **{**SMALL, "max_epochs": 300, "early_stopping": True, "patience": 3, "lr": 1e-2}
    ).fit(X)
    n_epochs = len(vae.history_)
    assert n_epochs < 300
    valid = np.asarray(vae.history_[:, "valid_loss"])
    assert np.argmin(valid) == n_epochs - 1 - 3  # stopped `patience` epochs after the best


def test_no_validation_split(spectra):
    vae = VAEEncoder(**{**SMALL, "max_epochs": 2, "validation_fraction": None}).fit(spectra[0])
    assert "valid_loss" not in vae.history_[-1]
    with pytest.raises(ValueError, match="early_stopping=True needs a validation_fraction"):
        VAEEncoder(**{**SMALL, "validation_fraction": None, "early_stopping": True}).fit(spectra[0])


def test_sample_distributions(spectra, fitted):
    X, _ = spectra
    normal = fitted.sample(500, distribution="normal", random_state=0)
    assert normal.shape == (500, X.shape[1]) and normal.dtype == np.float32
    np.testing.assert_array_equal(normal, fitted.sample(500, random_state=0))
    uniform = fitted.sample(500, distribution="uniform", random_state=0)
    assert not np.allclose(normal, uniform)
    # Samples resemble the data: their mean spectrum is close to the data's.
    mean_error = np.abs(normal.mean(axis=0) - X.mean(axis=0)).mean()
    assert mean_error < 0.3 * np.abs(X).mean()
    with pytest.raises(ValueError, match="distribution must be one of"):
        fitted.sample(3, distribution="cauchy")
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        fitted.sample(0)


def test_uniform_bounds_are_the_training_codes_range(spectra, fitted):
    Z = fitted.transform(spectra[0])
    np.testing.assert_allclose(fitted.latent_min_, Z.min(axis=0), rtol=1e-5)
    np.testing.assert_allclose(fitted.latent_max_, Z.max(axis=0), rtol=1e-5)
    np.testing.assert_allclose(fitted.latent_std_, Z.std(axis=0), rtol=1e-4)


def test_joblib_round_trip(tmp_path, spectra, fitted):
    X, _ = spectra
    path = tmp_path / "vae.joblib"
    joblib.dump(fitted, path)
    loaded = joblib.load(path)
    Z = fitted.transform(X)
    np.testing.assert_array_equal(loaded.transform(X), Z)
    np.testing.assert_array_equal(loaded.inverse_transform(Z), fitted.inverse_transform(Z))
    np.testing.assert_array_equal(loaded.decoder_.transform(Z), fitted.decoder_.transform(Z))
    np.testing.assert_array_equal(
        loaded.sample(5, random_state=3), fitted.sample(5, random_state=3)
    )


def test_model_saved_as_cuda_loads_on_cpu(tmp_path, spectra, fitted):
    # What a GPU-fitted model pickles: skorch saves the module with device
    # "cuda". On a machine without CUDA it must load onto the CPU and predict.
    if CUDA:
        pytest.skip("checks loading without CUDA; see test_cuda_fit_then_cpu_load")
    X, _ = spectra
    model = clone(fitted).fit(X)
    model.net_.device = "cuda"
    path = tmp_path / "gpu_vae.joblib"
    joblib.dump(model, path)
    with pytest.warns(DeviceWarning) as warned:
        loaded = joblib.load(path)
    assert any("no CUDA devices are available" in str(w.message) for w in warned)
    assert str(loaded.net_.device) == "cpu"
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))


@pytest.mark.cuda
@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
def test_cuda_fit_then_cpu_load(tmp_path, spectra):
    X, _ = spectra
    model = VAEEncoder(**{**SMALL, "device": "cuda"}).fit(X)
    assert next(model.net_.module_.parameters()).is_cuda
    path = tmp_path / "gpu_vae.joblib"
    joblib.dump(model, path)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "Z.npy", model.transform(X))
    script = (
        "import joblib, numpy as np, torch, warnings; warnings.simplefilter('ignore');"
        "assert not torch.cuda.is_available();"
        f"m = joblib.load(r'{path}'); Z = m.transform(np.load(r'{tmp_path / 'X.npy'}'));"
        f"np.testing.assert_allclose(Z, np.load(r'{tmp_path / 'Z.npy'}'), rtol=1e-4, atol=1e-5);"
        "print(m.net_.device)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},  # PYTHONPATH etc. kept
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "cpu"


@pytest.mark.skipif(CUDA, reason="checks the error on machines without CUDA")
def test_cuda_requested_without_gpu(spectra):
    with pytest.raises(ValueError, match="CUDA is not available on this machine"):
        VAEEncoder(**{**SMALL, "device": "cuda"}).fit(spectra[0])


def test_auto_device_uses_cuda_when_present(spectra):
    vae = VAEEncoder(**{**SMALL, "device": "auto", "max_epochs": 1}).fit(spectra[0])
    assert vae.net_.device == ("cuda" if CUDA else "cpu")


def _peak_increase(function):
    """Peak memory numpy and Python allocate while ``function`` runs, in bytes."""
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    result = function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - before, result


def test_neither_a_float32_memmap_nor_float64_input_is_copied(tmp_path):
    # 8000 x 500 float32 = 16 MB on disk. Training and encoding must not copy
    # it (to float64: 32 MB, or float32: 16 MB): only batches are in memory.
    rng = np.random.default_rng(0)
    path = tmp_path / "spectra.npy"
    np.save(path, rng.normal(size=(8000, 500)).astype(np.float32))
    X = np.load(path, mmap_mode="r")
    vae = VAEEncoder(
        hidden_layer_sizes=(16,),
        latent_dim=2,
        max_epochs=1,
        device="cpu",
        random_state=0,
        inference_batch_size=256,
        batch_size=256,
    )
    vae.fit(X[:300])  # warm-up: first-use imports are not part of the measure

    fit_peak, _ = _peak_increase(lambda: vae.fit(X))
    transform_peak, Z = _peak_increase(lambda: vae.transform(X))
    X64 = np.asarray(X, dtype=np.float64)
    float64_peak, _ = _peak_increase(lambda: vae.fit(X64))
    copy_peak, _ = _peak_increase(lambda: X64.astype(np.float32))
    assert Z.dtype == np.float32 and Z.shape == (8000, 2)
    assert fit_peak < 6_000_000, fit_peak
    assert transform_peak < 2_000_000, transform_peak
    # float64 input is converted batch by batch too (a whole copy: 16 MB,
    # which the measure sees).
    assert copy_peak > 16_000_000, copy_peak
    assert float64_peak < 6_000_000, float64_peak


def test_float64_input_is_converted_batch_by_batch():
    # Before: transform converted the whole float64 input to float32 first
    # (40 MB here, +791 MB for 200,000 x 1,000 spectra).
    X64 = np.random.default_rng(0).normal(size=(20000, 500))
    vae = VAEEncoder(
        hidden_layer_sizes=(16,),
        latent_dim=2,
        max_epochs=1,
        device="cpu",
        random_state=0,
        inference_batch_size=256,
    ).fit(X64[:500])
    vae.transform(X64[:300])  # warm-up
    peak, Z = _peak_increase(lambda: vae.transform(X64))
    assert Z.dtype == np.float64 and Z.shape == (20000, 2)
    assert peak < 2_000_000, peak  # the output and a few batches, not a 40 MB copy
    peak, _ = _peak_increase(lambda: vae.posterior(X64))
    assert peak < 2_000_000, peak


def test_posterior_and_latent_sampling(spectra, fitted):
    X, _ = spectra
    mean, std = fitted.posterior(X)
    np.testing.assert_allclose(mean, fitted.transform(X), rtol=1e-6)
    assert std.shape == mean.shape and np.all(std > 0)
    normal = fitted.sample_latent(4000, distribution="normal", random_state=0)
    np.testing.assert_allclose(normal.mean(axis=0), fitted.latent_mean_, atol=0.1)
    uniform = fitted.sample_latent(500, distribution="uniform", random_state=0)
    assert np.all((uniform >= fitted.latent_min_) & (uniform <= fitted.latent_max_))
    # The aggregate posterior of one spectrum is that spectrum's Gaussian.
    single = fitted.sample_latent(4000, distribution="aggregate", X=X[:1], random_state=0)
    np.testing.assert_allclose(single.mean(axis=0), mean[0], atol=4 * std[0].max() / 60)
    np.testing.assert_allclose(single.std(axis=0), std[0], rtol=0.1)
    with pytest.raises(ValueError, match="needs the spectra X"):
        fitted.sample_latent(3, distribution="aggregate")
    with pytest.raises(ValueError, match="X is only used"):
        fitted.sample_latent(3, X=X)


def test_decoder_is_built_from_the_encoder_without_stored_state(fitted):
    assert "decoder_" not in vars(fitted)
    assert fitted.decoder_.encoder_ is fitted
    with pytest.raises(NotFittedError):
        _ = VAEEncoder().decoder_


def test_float64_in_float64_out(spectra, fitted):
    X64 = spectra[0].astype(np.float64)
    assert fitted.transform(X64).dtype == np.float64
    assert fitted.inverse_transform(fitted.transform(X64)).dtype == np.float64


def test_pandas_output_names(spectra, fitted):
    out = clone(fitted).set_output(transform="pandas").fit_transform(spectra[0])
    assert list(out.columns) == ["vaeencoder0", "vaeencoder1", "vaeencoder2"]


@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_nan_or_inf_spectra(spectra, value, match):
    X = spectra[0].copy()
    X[5, 7] = value
    with pytest.raises(ValueError, match=match):
        VAEEncoder(**SMALL).fit(X)


def test_values_too_large_for_float32():
    X = np.random.default_rng(0).normal(size=(20, 6)) * 1e300
    with pytest.raises(ValueError, match="too large for float32"):
        VAEEncoder(**SMALL).fit(X)


def test_too_few_samples_for_validation_split():
    with pytest.raises(ValueError, match=r"n_samples = 1 leaves no spectrum to train on"):
        VAEEncoder(**SMALL).fit(np.ones((1, 10)))


def test_inverse_transform_wrong_latent_width(fitted):
    with pytest.raises(
        ValueError, match="have 5 columns but this VAE's latent space has latent_dim=3"
    ):
        fitted.inverse_transform(np.zeros((2, 5)))


def test_wrong_number_of_channels(fitted):
    with pytest.raises(ValueError, match="X has 79 features, but VAEEncoder is expecting 80"):
        fitted.transform(np.zeros((2, 79)))


def test_diverging_training_gives_a_clear_error(spectra):
    X = spectra[0] * 1e6
    with pytest.raises(TrainingDivergedError, match=r"NaN or infinite .*lr=1000000000.0.*lower lr"):
        VAEEncoder(**{**SMALL, "lr": 1e9}).fit(X)


def test_a_finite_loss_explosion_is_reported_not_returned(spectra):
    # The transfer paper's VAE at lr 1e-3 on 20,000 LIBS spectra went from a
    # reconstruction MSE of 0.4 to 8e7 in epoch 2, finite, and the model was
    # garbage. Here lr=0.3 does the same on small spectra.
    params = {**SMALL, "lr": 0.3, "activation": "leaky_relu"}
    with pytest.raises(
        TrainingDivergedError, match=r"training diverged: train_recon rose from 185.7 \(epoch 1\)"
    ):
        VAEEncoder(**params).fit(spectra[0])
    # With early stopping too: the epoch with the best validation loss had a
    # reconstruction MSE of 6072 per channel on standardized spectra
    # (predicting the mean gives 1), and was returned before.
    with pytest.raises(
        TrainingDivergedError,
        match=r"train_loss rose from 87.61 \(the untrained network's first batch\) "
        r"to 1.386e\+09 \(epoch 2\)",
    ):
        VAEEncoder(**{**params, "early_stopping": True, "patience": 1}).fit(spectra[0])


def test_log_variance_has_a_ceiling_but_no_floor():
    # Cyclical KL annealing restarts its weight near 0 and the encoder drives
    # logvar far down; a floor there would cut the KL gradient that pulls it
    # back (see _LOGVAR_MAX).
    from sklspec.vae._module import VAEModule
    from sklspec.vae._net import gaussian_kl

    module = VAEModule(4, (3,), 2, (3,), "relu")
    head = module.encoder[-1]
    with torch.no_grad():
        head.weight.zero_()
        head.bias.copy_(torch.tensor([0.0, 0.0, -50.0, 50.0]))  # means, logvars
    mean, logvar = module.encode(torch.ones(1, 4))
    assert logvar.tolist() == [[-50.0, 30.0]]
    gaussian_kl(mean, logvar).backward()
    # d KL / d logvar = (exp(logvar) - 1) / 2: -0.5 below, 0 past the ceiling.
    assert head.bias.grad[2:].tolist() == [-0.5, 0.0]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"latent_dim": 0}, r"'latent_dim' parameter of VAEEncoder must be .* Got 0"),
        ({"hidden_layer_sizes": (16, -2)}, r"'hidden_layer_sizes' parameter .* Got \(16, -2\)"),
        ({"activation": "swish"}, r"'activation' parameter of VAEEncoder must be a str among"),
        ({"kl_schedule": "sawtooth"}, r"'kl_schedule' parameter of VAEEncoder must be"),
        ({"lr": -1.0}, r"'lr' parameter of VAEEncoder must be a float in the range \(0.0, inf\)"),
        ({"validation_fraction": 1.5}, r"'validation_fraction' parameter .* Got 1.5"),
        ({"batch_size": 2.5}, r"'batch_size' parameter of VAEEncoder must be an int"),
    ],
)
def test_bad_parameters(spectra, params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        VAEEncoder(**{**SMALL, **params}).fit(spectra[0])


# ---------------------------------------------------------------- VAEDecoder


def test_decoder_as_last_pipeline_step(spectra, fitted):
    X, _ = spectra
    autoencoder = make_pipeline(FrozenEstimator(fitted), VAEDecoder(FrozenEstimator(fitted)))
    reconstruction = autoencoder.fit(X).transform(X)
    np.testing.assert_array_equal(reconstruction, fitted.inverse_transform(fitted.transform(X)))
    # Frozen: fitting the pipeline on other data changes nothing.
    np.testing.assert_array_equal(clone(autoencoder).fit(X[:10]).transform(X), reconstruction)


def test_decoder_survives_clone_and_grid_search(spectra, fitted):
    X, _ = spectra
    Z = fitted.transform(X)
    decoder = clone(fitted.decoder_).fit(Z)
    np.testing.assert_array_equal(decoder.transform(Z), fitted.decoder_.transform(Z))
    pipe = Pipeline(
        [("encode", FrozenEstimator(fitted)), ("decode", VAEDecoder(FrozenEstimator(fitted)))]
    )
    search = GridSearchCV(
        pipe, {"decode__encoder": [FrozenEstimator(fitted)]}, cv=2, scoring="neg_mean_squared_error"
    )
    # The pipeline's "prediction" is its transform; score it through a wrapper-free check.
    assert clone(search).estimator.steps[1][1].encoder.estimator is fitted


def test_decoder_feature_names_are_the_channels(spectra):
    X, _ = spectra
    wavelengths = np.linspace(245.0, 407.0, X.shape[1])
    vae = VAEEncoder(**{**SMALL, "max_epochs": 1}).fit(pd.DataFrame(X, columns=wavelengths))
    names = vae.decoder_.get_feature_names_out()
    assert list(names) == [str(w) for w in wavelengths]
    out = vae.decoder_.set_output(transform="pandas").transform(
        vae.transform(pd.DataFrame(X, columns=wavelengths))
    )
    assert list(out.columns) == [str(w) for w in wavelengths]


def test_decoder_round_trip_and_dtypes(tmp_path, spectra, fitted):
    X, _ = spectra
    Z = fitted.transform(X)
    decoder = VAEDecoder(FrozenEstimator(fitted)).fit(Z)
    np.testing.assert_allclose(decoder.inverse_transform(X), Z)
    assert decoder.transform(Z.astype(np.float64)).dtype == np.float64
    joblib.dump(decoder, tmp_path / "decoder.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "decoder.joblib").transform(Z), decoder.transform(Z)
    )


def test_decoder_bad_input(spectra, fitted):
    Z = fitted.transform(spectra[0])
    with pytest.raises(TypeError, match="needs a fitted VAEEncoder"):
        VAEDecoder().fit(Z)
    with pytest.raises(ValueError, match="not fitted; fit it first"):
        VAEDecoder(VAEEncoder()).fit(Z)
    with pytest.raises(
        ValueError, match="have 2 columns but this VAE's latent space has latent_dim=3"
    ):
        VAEDecoder(FrozenEstimator(fitted)).fit(Z[:, :2])
    decoder = VAEDecoder(FrozenEstimator(fitted)).fit(Z)
    bad = Z.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        decoder.transform(bad)
    with pytest.raises(ValueError, match="X has 2 features, but VAEDecoder is expecting 3"):
        decoder.transform(Z[:, :2])


# ------------------------------------------------------------ ConditionalVAE


@pytest.fixture(scope="module")
def conditional(spectra):
    X, amounts = spectra
    # One latent dimension for three amounts: the decoder has to use them.
    return ConditionalVAE(**{**SMALL, "latent_dim": 1, "max_epochs": 80}).fit(X, amounts)


def test_conditional_vae_decodes_sample_and_scores_with_the_targets(spectra, conditional):
    X, amounts = spectra
    assert conditional.n_conditions_ == 3 and conditional.n_iter_ == 80
    Z = conditional.transform(X)
    reconstruction = conditional.inverse_transform(Z, amounts)
    assert reconstruction.shape == X.shape and reconstruction.dtype == np.float32
    score = conditional.score(X, amounts)
    assert score == pytest.approx(-np.mean((reconstruction - X) ** 2), rel=1e-4)
    # The targets matter: decoding with other targets reconstructs worse.
    assert conditional.score(X, amounts[::-1]) < score - 0.3  # -1.06 against -0.42
    # Spectra generated for chosen amounts carry them: a calibration fitted
    # on the real spectra reads them back.
    from sklearn.linear_model import Ridge

    wanted = np.random.default_rng(1).uniform(0, 1, (200, 3))
    generated = conditional.sample(wanted, random_state=0)
    read_back = Ridge(1e-3).fit(X, amounts).predict(generated)
    correlations = [np.corrcoef(read_back[:, j], wanted[:, j])[0, 1] for j in range(3)]
    assert np.median(correlations) > 0.7 and min(correlations) > 0.3, correlations
    np.testing.assert_array_equal(generated, conditional.sample(wanted, random_state=0))


def test_conditional_vae_bad_input(spectra, conditional):
    X, amounts = spectra
    Z = conditional.transform(X[:5])
    with pytest.raises(ValueError, match="y has 2 targets per row but this ConditionalVAE"):
        conditional.inverse_transform(Z, amounts[:5, :2])
    with pytest.raises(ValueError, match="Found 5 latent points but 4 rows of y"):
        conditional.inverse_transform(Z, amounts[:4])
    with pytest.raises(ValueError, match="have 2 columns .* latent_dim=1"):
        conditional.inverse_transform(np.zeros((5, 2)), amounts[:5])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        ConditionalVAE(**SMALL).fit(X, amounts[:10])
    with pytest.raises(TypeError, match="a ConditionalVAE decodes with its targets"):
        VAEDecoder(FrozenEstimator(conditional)).fit(Z)
