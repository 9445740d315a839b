import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from sklspec.preprocessing import BaselineSubtractor, WavelengthCropper, WavelengthResampler

PRIMARY = np.linspace(245.0, 407.0, 163)  # 1 nm steps


def test_cropper_keeps_inclusive_range_and_names():
    X = np.tile(PRIMARY, (2, 1))
    cropper = WavelengthCropper(260, 370, wavelengths=PRIMARY).fit(X)
    out = cropper.transform(X)
    np.testing.assert_array_equal(out[0], np.arange(260.0, 371.0))
    np.testing.assert_array_equal(cropper.wavelengths_out_, np.arange(260.0, 371.0))
    assert cropper.get_feature_names_out()[0] == "260"
    assert cropper.get_feature_names_out()[-1] == "370"


def test_cropper_reads_axis_from_dataframe_columns():
    X = pd.DataFrame(np.tile(PRIMARY, (2, 1)), columns=PRIMARY)
    cropper = WavelengthCropper(max_wavelength=250).set_output(transform="pandas")
    out = cropper.fit_transform(X)
    assert list(out.columns) == ["245.0", "246.0", "247.0", "248.0", "249.0", "250.0"]
    np.testing.assert_array_equal(out.to_numpy()[0], np.arange(245.0, 251.0))

    string_columns = X.rename(columns=lambda w: f"{w:.2f}")
    names = WavelengthCropper(max_wavelength=246).fit(string_columns).get_feature_names_out()
    assert list(names) == ["245.00", "246.00"]


def test_cropper_decreasing_axis():
    axis = PRIMARY[::-1]
    X = np.tile(axis, (1, 1))
    out = WavelengthCropper(300, 302, wavelengths=axis).fit_transform(X)
    np.testing.assert_array_equal(out, [[302.0, 301.0, 300.0]])


def test_cropper_errors():
    X = np.ones((2, PRIMARY.size))
    with pytest.raises(ValueError, match="No channel lies between 500.0 and 600.0"):
        WavelengthCropper(500, 600, wavelengths=PRIMARY).fit(X)
    with pytest.raises(ValueError, match="larger than max_wavelength"):
        WavelengthCropper(300, 260, wavelengths=PRIMARY).fit(X)
    with pytest.raises(ValueError, match="has 163 points but the spectra have 10 channels"):
        WavelengthCropper(wavelengths=PRIMARY).fit(np.ones((2, 10)))
    bumpy = PRIMARY.copy()
    bumpy[5] = bumpy[4]
    with pytest.raises(ValueError, match="strictly increasing or strictly decreasing"):
        WavelengthCropper(wavelengths=bumpy).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        WavelengthCropper(wavelengths=np.r_[np.nan, PRIMARY[1:]]).fit(X)


def test_resampler_is_exact_on_linear_spectra():
    # Linear interpolation reproduces a linear function exactly.
    secondary = np.linspace(260.0, 370.0, 3872)
    X = np.vstack([2 * secondary + 1, -secondary])
    target = np.linspace(261.3, 368.9, 500)
    out = WavelengthResampler(target, wavelengths=secondary).fit_transform(X)
    np.testing.assert_allclose(out, np.vstack([2 * target + 1, -target]), rtol=1e-12)


def test_resampler_matches_numpy_interp_with_decreasing_source():
    rng = np.random.default_rng(0)
    source = np.sort(rng.uniform(0, 100, 80))[::-1]
    X = rng.normal(size=(6, 80))
    target = np.linspace(5, 95, 40)
    out = WavelengthResampler(target, wavelengths=source).fit_transform(X)
    expected = np.vstack([np.interp(target, source[::-1], x[::-1]) for x in X])
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_resampler_out_of_range_policies():
    source = np.array([1.0, 2.0, 3.0])
    X = np.array([[10.0, 20.0, 30.0]])
    target = [0.0, 1.5, 4.0]
    with pytest.raises(ValueError, match="2 of 3 target wavelengths lie outside the source range"):
        WavelengthResampler(target, wavelengths=source).fit(X)
    crop = WavelengthResampler(target, wavelengths=source, out_of_range="crop").fit(X)
    np.testing.assert_array_equal(crop.transform(X), [[15.0]])
    assert list(crop.get_feature_names_out()) == ["1.5"]
    nearest = WavelengthResampler(target, wavelengths=source, out_of_range="nearest")
    np.testing.assert_array_equal(nearest.fit_transform(X), [[10.0, 15.0, 30.0]])
    fill = WavelengthResampler(target, wavelengths=source, out_of_range="fill", fill_value=-1)
    np.testing.assert_array_equal(fill.fit_transform(X), [[-1.0, 15.0, -1.0]])
    with pytest.raises(ValueError, match="'out_of_range' parameter of WavelengthResampler"):
        WavelengthResampler(target, wavelengths=source, out_of_range="extrapolate").fit(X)


def test_two_instruments_onto_a_common_grid():
    primary = np.linspace(245, 407, 4062)
    secondary = np.linspace(260, 370, 3872)
    common = secondary
    lines = [288.16, 308.2, 309.27, 394.4, 396.15]

    def spectrum(axis):
        return sum(np.exp(-0.5 * ((axis - line) / 0.1) ** 2) for line in lines)[None, :]

    to_common = make_pipeline(
        WavelengthResampler(common, wavelengths=primary, out_of_range="crop"),
        BaselineSubtractor(min_window=50, smooth_window=25),
    )
    out = to_common.fit_transform(spectrum(primary))
    assert out.shape == (1, common.size)
    assert to_common.get_feature_names_out()[0] == "260"
    # The Si I 288.16 nm line lands on the right channel of the common grid.
    near_si = (common > 280) & (common < 295)
    assert abs(common[near_si][np.argmax(out[0, near_si])] - 288.16) < 0.03


def test_resampler_errors():
    X = np.ones((2, 5))
    with pytest.raises(ValueError, match="target_wavelengths must be strictly"):
        WavelengthResampler([1.0, 1.0, 2.0]).fit(X)
    with pytest.raises(ValueError, match="target_wavelengths must be one-dimensional"):
        WavelengthResampler([[1.0, 2.0]]).fit(X)
    with pytest.raises(ValueError, match=r"n_features = 1"):
        WavelengthResampler([0.0]).fit(np.ones((2, 1)))
    with pytest.raises(ValueError, match="infinity"):
        WavelengthResampler([1.0, 2.0]).fit(np.array([[1.0, np.inf, 3.0]]))
    fitted = WavelengthResampler([1.0, 2.0]).fit(X)
    with pytest.raises(
        ValueError, match="X has 4 features, but WavelengthResampler is expecting 5"
    ):
        fitted.transform(np.ones((2, 4)))


# ------------------------------------------- wavelength columns are never ignored


@pytest.fixture(scope="module")
def corn_frame():
    from sklspec.datasets import load_corn

    X = load_corn(as_frame=True).spectra["m5"]
    shifted = X.copy()
    shifted.columns = X.columns + 0.5
    return X, shifted


def test_a_fitted_pipeline_refuses_frames_on_another_grid(corn_frame):
    from sklearn.cross_decomposition import PLSRegression

    from sklspec.datasets import load_corn
    from sklspec.preprocessing import SpectralScaler

    X, shifted = corn_frame
    model = make_pipeline(SpectralScaler(), PLSRegression(3)).fit(X, load_corn().target)
    model.predict(X)  # the fitted grid, and arrays, pass
    model.predict(shifted.to_numpy())
    message = (
        r"X's columns are wavelengths 1100.5 to 2498.5, but SpectralScaler was fitted on "
        r"wavelengths 1100.0 to 2498.0 \(column 0"
    )
    with pytest.raises(ValueError, match=message):
        model.predict(shifted)


@pytest.mark.parametrize("make", [
    lambda: BaselineSubtractor(),
    lambda: WavelengthCropper(1200, 2000),
], ids=["baseline", "cropper"])  # fmt: skip
def test_transformers_refuse_frames_on_another_grid(corn_frame, make):
    X, shifted = corn_frame
    transformer = make().fit(X)
    transformer.transform(X)
    with pytest.raises(ValueError, match="was fitted on wavelengths 1100.0 to 2498.0"):
        transformer.transform(shifted)


def test_a_network_refuses_frames_on_another_grid(corn_frame):
    from sklspec.vae import VAEEncoder

    X, shifted = corn_frame
    vae = VAEEncoder((8,), 2, max_epochs=1, device="cpu", random_state=0).fit(X)
    with pytest.raises(ValueError, match="VAEEncoder was fitted on wavelengths 1100.0"):
        vae.transform(shifted)


def test_the_resampler_resamples_a_frame_from_its_own_axis(corn_frame):
    X, shifted = corn_frame
    target = np.arange(1200.0, 2400.0, 10.0)
    resampler = WavelengthResampler(target).fit(X)
    # As if fitted on the shifted frame: its own column wavelengths are the source.
    np.testing.assert_array_equal(
        resampler.transform(shifted), WavelengthResampler(target).fit(shifted).transform(shifted)
    )
    assert np.abs(resampler.transform(shifted) - resampler.transform(X)).max() > 1e-3
    # Arrays have no axis of their own: the fitted one.
    np.testing.assert_array_equal(resampler.transform(shifted.to_numpy()), resampler.transform(X))
    narrow = shifted.loc[:, 1500.5:2000.5]
    with pytest.raises(ValueError, match="target wavelengths lie outside the source range"):
        WavelengthResampler(target, out_of_range="crop").fit(X).transform(narrow)


def test_column_names_that_are_not_wavelengths_are_named(corn_frame):
    X, _ = corn_frame
    named = X.copy()
    named.columns = [f"{w:g} nm" for w in X.columns]
    for transformer in (WavelengthCropper(1200, 2000), WavelengthResampler([1200.0, 1300.0])):
        with pytest.raises(ValueError, match=r"The column names of X \('1100 nm', '1102 nm'"):
            transformer.fit(named)
    # Given explicitly, the axis needs no names.
    WavelengthCropper(1200, 2000, wavelengths=X.columns.to_numpy(float)).fit(named)


def test_wavelength_columns_travel_in_model_files(corn_frame, tmp_path):
    from sklspec.io import load, save
    from sklspec.preprocessing import SpectralScaler

    X, shifted = corn_frame
    save(SpectralScaler().fit(X), tmp_path / "s.sklspec")
    with pytest.raises(ValueError, match="was fitted on wavelengths 1100.0"):
        load(tmp_path / "s.sklspec").transform(shifted)
