"""SpectralScaler: centring with one global scale, per-channel scales, or none."""

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklspec.preprocessing import SpectralScaler


@pytest.fixture(scope="module")
def spectra():
    rng = np.random.default_rng(0)
    # A strong line on channel 3 and quiet channels around it.
    X = rng.normal(0, 0.1, (50, 8))
    X[:, 3] += rng.uniform(0, 100, 50)
    return X + 5.0


def test_global_scaling_keeps_the_shape_of_the_spectra(spectra):
    scaler = SpectralScaler().fit(spectra)
    centred = spectra - spectra.mean(axis=0)
    rms = np.sqrt(np.mean(centred**2))
    np.testing.assert_allclose(scaler.scale_, np.full(8, rms))
    Xt = scaler.transform(spectra)
    np.testing.assert_allclose(Xt, centred / rms)
    assert np.mean(Xt**2) == pytest.approx(1.0)
    # The quiet channels stay quiet: the line is 1000 times larger, as before.
    assert Xt[:, 3].std() / Xt[:, 0].std() == pytest.approx(
        spectra[:, 3].std() / spectra[:, 0].std()
    )


def test_channel_scaling_is_a_standard_scaler_and_none_only_centres(spectra):
    channel = SpectralScaler("channel").fit(spectra)
    np.testing.assert_allclose(channel.transform(spectra), StandardScaler().fit_transform(spectra))
    none = SpectralScaler("none").fit(spectra)
    np.testing.assert_allclose(none.transform(spectra), spectra - spectra.mean(axis=0))
    np.testing.assert_array_equal(none.scale_, np.ones(8))


@pytest.mark.parametrize("scaling", ["global", "channel", "none"])
def test_round_trip_dtype_and_constant_input(spectra, scaling):
    scaler = SpectralScaler(scaling).fit(spectra.astype(np.float32))
    Xt = scaler.transform(spectra.astype(np.float32))
    assert Xt.dtype == np.float32
    np.testing.assert_allclose(scaler.inverse_transform(Xt), spectra, rtol=1e-5)
    constant = SpectralScaler(scaling).fit(np.ones((4, 3)))
    np.testing.assert_array_equal(constant.scale_, np.ones(3))
    np.testing.assert_array_equal(constant.transform(np.ones((2, 3))), np.zeros((2, 3)))


def test_wavelength_columns_come_back_through_set_output(spectra):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(spectra, columns=[400.0 + i for i in range(8)])
    out = SpectralScaler().set_output(transform="pandas").fit(frame).transform(frame)
    assert list(out.columns) == [str(400.0 + i) for i in range(8)]


def test_bad_scaling_is_named():
    with pytest.raises(InvalidParameterError, match="'scaling' parameter of SpectralScaler"):
        SpectralScaler("unit").fit(np.ones((3, 2)))
