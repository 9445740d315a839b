"""LatentLibrary: the primary side shared as latent codes and a decoder."""

import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator

from sklspec.exceptions import LibraryFloorWarning
from sklspec.io import load, save
from sklspec.metrics import compression_ratio, relative_squared_error
from sklspec.transfer import LatentLibrary, LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import VAEEncoder


def _vae(**params):
    return VAEEncoder(
        **{
            "hidden_layer_sizes": (32,),
            "latent_dim": 3,
            "lr": 1e-2,
            "max_epochs": 40,
            "device": "cpu",
            "random_state": 0,
            **params,
        }
    )


@pytest.fixture(scope="module")
def labs():
    rng = np.random.default_rng(0)
    amounts = rng.uniform(size=(400, 3))
    primary = 50 + 10 * amounts @ np.abs(rng.normal(size=(3, 200)))  # offset: units matter
    secondaries = [amounts @ rng.normal(size=(3, width)) for width in (30, 40)]
    with pytest.warns(LibraryFloorWarning, match="worse than 3 principal components"):
        # Linear spectra: 3 principal components decode them exactly.
        library = LatentLibrary(_vae(), random_state=0).fit(primary)
    return primary, secondaries, library


def _mapper():
    return SpectralMLPRegressor((32,), lr=1e-2, max_epochs=60, early_stopping=False)


def test_library_holds_codes_and_decodes_in_primary_units(labs):
    primary, _, library = labs
    assert library.codes_.shape == (400, 3) and library.codes_.dtype == np.float32
    np.testing.assert_allclose(library.codes_, library.transform(primary), rtol=1e-6)
    decoded = library.inverse_transform(library.codes_)
    assert abs(decoded.mean() - primary.mean()) < 0.5  # unscaled back to the offset of 50
    assert relative_squared_error(primary, decoded) < 0.05
    # The decoder: 3 -> 32 -> 200 (weights and biases).
    assert library.n_decoder_parameters_ == 3 * 32 + 32 + 32 * 200 + 200
    assert library.compression_ratio_ == pytest.approx(
        400 * 200 / (400 * 3 + library.n_decoder_parameters_)
    )
    assert library.compression_ratio_ == compression_ratio(400, 200, 3, 6728)
    # 40 of the 400 spectra held out: the floor on spectra the VAE never saw.
    assert 0 < library.training_reconstruction_error_ < library.reconstruction_error_ < 0.05
    assert library.reconstruction_error(primary) == pytest.approx(
        relative_squared_error(primary, decoded), rel=1e-6
    )


@pytest.mark.parametrize("scaling", ["global", "channel", "none"])
def test_scaling_is_undone_by_the_decoder(labs, scaling):
    primary = labs[0]
    library = LatentLibrary(
        decoder="pca", n_components=3, scaling=scaling, holdout_fraction=None
    ).fit(primary)
    np.testing.assert_allclose(library.inverse_transform(library.codes_), primary, atol=1e-3)
    spread = np.sqrt(np.mean((primary - primary.mean(0)) ** 2))
    expected = {"global": np.full(200, spread), "channel": primary.std(0), "none": np.ones(200)}
    np.testing.assert_allclose(library.scaler_.scale_, expected[scaling], rtol=1e-10)


def _curved_primary(rng, n=500):
    """Spectra with a linear part and a line that moves, which principal components miss."""
    amounts = rng.uniform(size=(n, 3))
    channels = np.arange(120)
    peaks = np.exp(-0.5 * ((channels - np.array([[30], [60], [90]])) / 4.0) ** 2)
    moving = np.exp(-0.5 * ((channels - 45 - 20 * amounts[:, :1]) / 3.0) ** 2)
    return amounts, 100 * amounts @ peaks + 30 * moving


def test_pca_library_is_a_linear_decoder_with_an_exact_torch_twin():
    _, primary = _curved_primary(np.random.default_rng(0))
    library = LatentLibrary(decoder="pca", n_components=3, random_state=0).fit(primary)
    assert library.vae_ is None and library.latent_dim_ == 3
    assert library.n_decoder_parameters_ == 3 * 120 + 120
    head = library._decoder_module()
    decoded = head(torch.as_tensor(library.codes_)).detach().numpy()
    np.testing.assert_allclose(
        library.scaler_.inverse_transform(decoded),
        library.inverse_transform(library.codes_),
        rtol=1e-4,
        atol=1e-3,
    )


def test_pca_plus_vae_lowers_the_floor_of_pca_alone():
    rng = np.random.default_rng(0)
    _, primary = _curved_primary(rng, n=800)
    linear = LatentLibrary(decoder="pca", n_components=2, random_state=0).fit(primary)
    vae = _vae(latent_dim=2, max_epochs=60, beta=0.01)
    both = LatentLibrary(vae, decoder="pca+vae", n_components=2, random_state=0).fit(primary)
    assert both.latent_dim_ == 4 and both.codes_.shape == (800, 4)
    # Measured: 0.279 (2 components), 0.0223 (4 components), 0.0135 (2 components
    # plus a VAE of 2 dimensions).
    assert both.reconstruction_error_ < linear.reconstruction_error_ / 10
    assert both.reconstruction_error_ < both.linear_reconstruction_error_
    head = both._decoder_module()
    decoded = head(torch.as_tensor(both.codes_[:50])).detach().numpy()
    np.testing.assert_allclose(
        both.scaler_.inverse_transform(decoded),
        both.inverse_transform(both.codes_[:50]),
        rtol=1e-4,
        atol=1e-2,
    )


def test_holdout_and_its_errors(labs):
    primary = labs[0]
    whole = LatentLibrary(decoder="pca", n_components=3, holdout_fraction=None).fit(primary)
    assert whole.reconstruction_error_ is None and whole.linear_reconstruction_error_ is None
    with pytest.raises(ValueError, match="n_samples = 2 leaves fewer than 2"):
        LatentLibrary(decoder="pca", n_components=1).fit(primary[:2])
    with pytest.raises(ValueError, match="n_components=30 must be at most the number of spectra"):
        LatentLibrary(decoder="pca", n_components=30).fit(primary[:20])
    with pytest.raises(ValueError, match=r"Z has shape \(2, 5\), but this library's latent"):
        whole.inverse_transform(np.zeros((2, 5)))


def test_secondary_labs_fit_on_the_codes_without_primary_spectra(labs):
    primary, secondaries, library = labs
    decoder_before = [p.detach().clone() for p in library.vae_.net_.module_.parameters()]
    models = []
    for secondary in secondaries:
        model = LatentTransferRegressor(
            FrozenEstimator(library), _mapper(), target="latent", random_state=0
        )
        # Only the codes travel: fit never sees a primary spectrum.
        model.fit(secondary, library.codes_)
        models.append(model)
        assert model.n_outputs_ == 200 and model.latent_dim_ == 3
        assert relative_squared_error(primary, model.predict(secondary)) < 0.1
    # One shared latent space: both secondaries land on the same points.
    Z = [model.transform(secondary) for model, secondary in zip(models, secondaries, strict=True)]
    assert np.abs(Z[0] - Z[1]).mean() < 0.2 * np.abs(library.codes_).mean()
    for before, after in zip(decoder_before, library.vae_.net_.module_.parameters(), strict=True):
        assert torch.equal(before, after)


def test_target_latent_errors(labs):
    _, secondaries, library = labs
    with pytest.raises(ValueError, match=r"target='latent' needs the fitted primary VAE"):
        LatentTransferRegressor(library, _mapper(), target="latent").fit(
            secondaries[0], library.codes_
        )
    wrong = LatentTransferRegressor(FrozenEstimator(library), _mapper(), target="latent")
    with pytest.raises(ValueError, match=r"y has 5 columns, but the frozen LatentLibrary's "
                       r"latent space has 3 dimensions"):  # fmt: skip
        wrong.fit(secondaries[0], np.zeros((400, 5)))
    assert not hasattr(wrong, "mapper_")


def test_library_as_the_vae_of_a_transfer_model(labs):
    primary, secondaries, _ = labs
    model = LatentTransferRegressor(LatentLibrary(_vae()), _mapper(), random_state=0)
    model.fit(secondaries[0], primary)
    assert isinstance(model.vae_, LatentLibrary)
    assert relative_squared_error(primary, model.predict(secondaries[0])) < 0.1


@pytest.mark.filterwarnings("ignore::sklspec.exceptions.LibraryFloorWarning")  # 3 epochs
@pytest.mark.parametrize("decoder", ["pca", "pca+vae"])
def test_linear_libraries_round_trip_exactly(decoder, tmp_path):
    _, primary = _curved_primary(np.random.default_rng(0), n=200)
    library = LatentLibrary(
        _vae(latent_dim=2, max_epochs=3), decoder=decoder, n_components=2, random_state=0
    ).fit(primary)
    save(library, tmp_path / "library.sklspec")
    loaded = load(tmp_path / "library.sklspec")
    np.testing.assert_array_equal(loaded.transform(primary), library.transform(primary))
    np.testing.assert_array_equal(
        loaded.inverse_transform(library.codes_), library.inverse_transform(library.codes_)
    )


def test_library_file_is_safe_exact_and_smaller_than_the_spectra(labs, tmp_path):
    primary, _, library = labs
    save(library, tmp_path / "library.sklspec")
    np.save(tmp_path / "primary.npy", primary.astype(np.float32))
    loaded = load(tmp_path / "library.sklspec")
    np.testing.assert_array_equal(loaded.codes_, library.codes_)
    np.testing.assert_array_equal(
        loaded.inverse_transform(library.codes_), library.inverse_transform(library.codes_)
    )
    size = (tmp_path / "library.sklspec").stat().st_size
    spectra = (tmp_path / "primary.npy").stat().st_size
    # 400 x 200 float32 spectra (320 kB) against the codes, the VAE (encoder
    # and decoder: 13,358 weights), the scaling and about 30 kB of JSON (94 kB).
    assert size < spectra / 3, (size, spectra)
