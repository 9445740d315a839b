import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.preprocessing import BaselineSubtractor, _rolling, rolling_min_gaussian_baseline
from sklspec.utils._testing import published_baseline_pandas


@pytest.fixture(params=["fftw", "scipy"])
def fft_backend(request, monkeypatch):
    """Run a test with pyFFTW's plans (extra ``sklspec[fftw]``) and with scipy.fft."""
    if request.param == "fftw":
        if _rolling._pyfftw() is None:
            pytest.skip("pyfftw is not installed")
    else:
        monkeypatch.setattr(_rolling, "_pyfftw", lambda: None)
    return request.param


@pytest.mark.parametrize("prefix", ["", "short_"])
@pytest.mark.parametrize("min_window, smooth_window", [(100, 50), (200, 100)])
def test_reproduces_published_baseline(
    baseline_reference, fft_backend, prefix, min_window, smooth_window
):
    spectra = baseline_reference[f"{prefix}spectra"]
    expected = baseline_reference[f"{prefix}baseline_w{min_window}_s{smooth_window}"]
    subtractor = BaselineSubtractor(min_window=min_window, smooth_window=smooth_window).fit(spectra)

    baseline = subtractor.estimate_baseline(spectra)
    np.testing.assert_allclose(baseline, expected, rtol=1e-9, atol=0)
    np.testing.assert_allclose(
        subtractor.transform(spectra), spectra - expected, rtol=1e-9, atol=1e-9
    )


@pytest.mark.parametrize(
    "n_channels, min_window, smooth_window",
    [(1, 1, 1), (37, 1, 1), (37, 2, 2), (37, 37, 37), (120, 7, 12), (120, 64, 9), (300, 100, 50)],
)
def test_matches_pandas_reference_on_odd_shapes(
    fft_backend, n_channels, min_window, smooth_window
):
    # Edge cases the fixture does not cover: windows equal to the spectrum,
    # windows of 1 and 2, odd and even widths, a single channel, one spectrum.
    rng = np.random.default_rng(0)
    X = rng.normal(100, 5, size=(5, n_channels)) + np.linspace(0, 30, n_channels)
    expected = np.vstack([published_baseline_pandas(x, min_window, smooth_window) for x in X])
    result = rolling_min_gaussian_baseline(X, min_window, smooth_window)
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        rolling_min_gaussian_baseline(X[:1], min_window, smooth_window), expected[:1], rtol=1e-9
    )
    subtractor = BaselineSubtractor(min_window=min_window, smooth_window=smooth_window).fit(X)
    np.testing.assert_allclose(subtractor.transform(X), X - expected, rtol=1e-9, atol=1e-9)


def test_removes_flat_continuum_and_keeps_peaks():
    channels = np.arange(1000)
    peak = 40 * np.exp(-0.5 * ((channels - 500) / 2) ** 2)
    X = np.vstack([peak + 10, peak + 25])
    corrected = BaselineSubtractor().fit_transform(X)
    # Away from the ends (where the published zero padding pulls the baseline
    # down) the continuum is gone and the peak keeps its height.
    np.testing.assert_allclose(corrected[:, 150:450], 0, atol=1e-9)
    np.testing.assert_allclose(corrected[:, 500], 40, atol=1e-6)


def test_float32_stays_float32_and_close_to_float64(baseline_reference):
    spectra = baseline_reference["spectra"][:4]
    subtractor = BaselineSubtractor().fit(spectra)
    result32 = subtractor.transform(spectra.astype(np.float32))
    assert result32.dtype == np.float32
    np.testing.assert_allclose(result32, subtractor.transform(spectra), rtol=1e-4, atol=1e-3)


def test_n_jobs_does_not_change_result(baseline_reference, fft_backend):
    spectra = baseline_reference["spectra"]
    one = BaselineSubtractor(n_jobs=1).fit_transform(spectra)
    two = BaselineSubtractor(n_jobs=2).fit_transform(spectra)
    np.testing.assert_array_equal(one, two)
    # Blocks of 16 rows: 150 rows are 10 blocks, the last short, one block a
    # task; 610 rows are 39 blocks, handed to threads 4 at a time, the last
    # task short.
    for n_rows in (150, 610):
        X = np.random.default_rng(1).normal(100, 5, size=(n_rows, 200))
        expected = np.vstack([published_baseline_pandas(x, 50, 20) for x in X])
        for dtype in (np.float64, np.float32):
            single = rolling_min_gaussian_baseline(X.astype(dtype), 50, 20)
            rtol = 1e-9 if dtype == np.float64 else 1e-5
            np.testing.assert_allclose(single, expected, rtol=rtol)
            for workers in (2, 3, -1):
                threaded = rolling_min_gaussian_baseline(X.astype(dtype), 50, 20, workers=workers)
                assert threaded.dtype == dtype
                np.testing.assert_array_equal(threaded, single)


def test_reads_a_memory_map_block_by_block(tmp_path, fft_backend):
    X = np.random.default_rng(2).normal(100, 5, size=(40, 300)).astype(np.float32)
    path = tmp_path / "map.npy"
    mapped = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=X.shape)
    mapped[:] = X
    mapped.flush()
    readonly = np.load(path, mmap_mode="r")
    subtractor = BaselineSubtractor(min_window=30, smooth_window=10, n_jobs=2).fit(X)
    np.testing.assert_array_equal(subtractor.transform(readonly), subtractor.transform(X))


def test_no_spectra_give_an_empty_baseline():
    assert rolling_min_gaussian_baseline(np.empty((0, 40)), 5, 5).shape == (0, 40)


def test_fftw_lengths_have_small_factors():
    assert _rolling._fftw_fast_length(4160) == 4160  # 2^6 * 5 * 13
    assert _rolling._fftw_fast_length(4161) == 4200  # 2^3 * 3 * 5^2 * 7
    assert _rolling._fftw_fast_length(1) == 1
    for n in range(2, 3000, 37):
        length = _rolling._fftw_fast_length(n)
        assert n <= length < 1.1 * n + 2
        for factor in (2, 3, 5, 7):
            while length % factor == 0:
                length //= factor
        assert length in (1, 11, 13)


def test_rolling_min_sums_without_halving():
    X = np.random.default_rng(3).normal(size=(3, 50))
    halved = _rolling.two_sided_rolling_min(X, 9)
    np.testing.assert_array_equal(_rolling.two_sided_rolling_min(X, 9, halve=False), 2 * halved)
    left = pd.DataFrame(X.T).rolling(9, min_periods=1).min().to_numpy().T
    right = pd.DataFrame(X.T[::-1]).rolling(9, min_periods=1).min().to_numpy()[::-1].T
    np.testing.assert_array_equal(halved, (left + right) / 2)


def test_pandas_output_keeps_wavelength_columns():
    wavelengths = np.linspace(245.0, 407.0, 200)
    X = pd.DataFrame(np.random.default_rng(0).random((3, 200)), columns=wavelengths)
    subtractor = BaselineSubtractor(min_window=20, smooth_window=10).set_output(transform="pandas")
    out = subtractor.fit_transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [str(w) for w in wavelengths]
    assert out.columns.map(float).equals(pd.Index(wavelengths))

    named = X.rename(columns=lambda w: f"{w:.3f}")
    assert list(subtractor.fit(named).get_feature_names_out()) == list(named.columns)


def test_in_pipeline_with_scaler(baseline_reference):
    spectra = baseline_reference["spectra"]
    pipe = make_pipeline(BaselineSubtractor(), StandardScaler()).fit(spectra)
    out = pipe.transform(spectra)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-9)


@pytest.mark.parametrize(
    "method, params",
    [("snip", {"max_half_window": 30}), ("arpls", {"lam": 1e5}), ("asls", {"lam": 1e6, "p": 0.01})],
)
def test_pybaselines_methods_remove_a_sloped_continuum(method, params):
    channels = np.arange(400)
    peaks = 30 * np.exp(-0.5 * ((channels - 200) / 2) ** 2)
    continuum = 5 + 0.02 * channels
    X = np.vstack([peaks + continuum, 2 * peaks + continuum])
    subtractor = BaselineSubtractor(method, method_params=params).fit(X)
    baseline = subtractor.estimate_baseline(X)
    away_from_peak = np.r_[20:150, 250:380]
    expected = np.broadcast_to(continuum[away_from_peak], (2, away_from_peak.size))
    np.testing.assert_allclose(baseline[:, away_from_peak], expected, atol=0.6)
    # Parallel over spectra gives the same result.
    parallel = BaselineSubtractor(method, method_params=params, n_jobs=2).fit(X)
    np.testing.assert_allclose(parallel.estimate_baseline(X), baseline)


def test_unknown_method_and_bad_method_params():
    X = np.random.default_rng(0).random((2, 50))
    with pytest.raises(ValueError, match="Unknown baseline method 'wavelet_magic'"):
        BaselineSubtractor("wavelet_magic").fit(X)
    # Checked by name in fit, before any spectrum is processed.
    with pytest.raises(ValueError, match=r"\['no_such_param'\] are not parameters of pybaselines' "
                       "'arpls'; it takes lam, "):  # fmt: skip
        BaselineSubtractor("arpls", method_params={"no_such_param": 1}).fit(X)
    with pytest.raises(ValueError, match="method_params is for pybaselines"):
        BaselineSubtractor(method_params={"lam": 1}).fit(X)


def test_missing_pybaselines_says_which_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pybaselines", None)  # import now fails
    with pytest.raises(ImportError, match=r"pip install 'sklspec\[baselines\]'"):
        BaselineSubtractor("snip").fit(np.ones((2, 10)))


@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.array([[1.0, np.nan, 2.0]]), ValueError, "NaN"),
        (np.array([[1.0, np.inf, 2.0]]), ValueError, "infinity"),
        (np.ones(50), ValueError, "Expected 2D array"),
    ],
)
def test_bad_spectra(X, error, match):
    with pytest.raises(error, match=match):
        BaselineSubtractor(min_window=2, smooth_window=2).fit(X)


def test_windows_wider_than_spectrum():
    X = np.ones((2, 80))
    with pytest.raises(
        ValueError, match=r"min_window=100 is wider than the spectra \(n_features = 80\)"
    ):
        BaselineSubtractor().fit(X)
    with pytest.raises(ValueError, match=r"smooth_window=90 is wider"):
        BaselineSubtractor(min_window=10, smooth_window=90).fit(X)
    with pytest.raises(ValueError, match="'min_window' parameter of BaselineSubtractor"):
        BaselineSubtractor(min_window=0).fit(X)


def test_wrong_number_of_channels_at_transform():
    subtractor = BaselineSubtractor(min_window=5, smooth_window=5).fit(np.ones((2, 40)))
    with pytest.raises(
        ValueError, match="X has 30 features, but BaselineSubtractor is expecting 40"
    ):
        subtractor.transform(np.ones((2, 30)))
