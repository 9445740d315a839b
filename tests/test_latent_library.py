"""LatentLibrary: the primary side shared as latent codes and a decoder."""

import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator

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
    library = LatentLibrary(_vae()).fit(primary)
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
    unscaled = LatentLibrary(_vae(), scale=False).fit(primary - 50)
    assert unscaled.scaler_ is None and unscaled.inverse_transform(unscaled.codes_).shape == (
        400,
        200,
    )


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
