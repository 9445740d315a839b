"""make_libs_transfer: the two-spectrometer LIBS map simulator."""

import sys

import numpy as np
import pytest
from scipy.ndimage import maximum_filter, minimum_filter

pytest.importorskip("libskit")

from sklspec.datasets import PAPER_MAP_SHAPES, make_libs_transfer
from sklspec.maps import raster_coordinates, spectra_to_map

# Every phase occurs in this small map (checked in test_all_phases_present).
SANITY = dict(map_shape=(48, 48), grain_size=12, random_state=2)


@pytest.fixture(scope="module")
def clean_map():
    """Noiseless pure-phase pixels, for line-by-line physics checks."""
    return make_libs_transfer(**SANITY, noise=0, contamination=0, boundary_width=0)


@pytest.fixture(scope="module")
def small_map():
    return make_libs_transfer((20, 30), random_state=0)


def line_height(X, wavelengths, line):
    """Median over spectra of a line's height above the local floor, relative
    to the spectrum's full range."""
    peak = X[:, np.abs(wavelengths - line) <= 0.08].max(axis=1)
    floor = X[:, np.abs(wavelengths - line) <= 1.0].min(axis=1)
    return float(np.median((peak - floor) / np.ptp(X, axis=1)))


def phase_height(data, phase, line, instrument="primary"):
    mask = data.phase == data.phase_names.index(phase)
    X = data[f"X_{instrument}"][mask]
    return line_height(X, data[f"wavelengths_{instrument}"], line)


def test_shapes_axes_and_bookkeeping(small_map):
    d = small_map
    assert d.X_primary.shape == (600, 4062) and d.X_secondary.shape == (600, 3872)
    assert d.X_primary.dtype == np.float32 and d.X_secondary.dtype == np.float32
    assert d.wavelengths_primary[[0, -1]].tolist() == [245.0, 407.0]
    assert d.wavelengths_secondary[[0, -1]].tolist() == [260.0, 370.0]
    assert d.map_shape == (20, 30) and d.raster_order == "snake_row"
    assert d.phase_names == ["quartz", "albite", "muscovite", "garnet", "beryl", "columbite"]
    assert d.phase.shape == (600,) and set(d.phase) <= set(range(6))
    np.testing.assert_allclose(d.phase_fractions.sum(axis=1), 1.0)
    np.testing.assert_allclose(d.composition.sum(axis=1), 1.0)
    assert d.composition.shape == (600, len(d.element_names))
    assert 6500 <= d.temperature.min() and d.temperature.max() <= 11500
    assert np.all(np.isfinite(d.X_primary)) and np.all(np.isfinite(d.X_secondary))
    # Shots of the same plasma: brighter plasma, brighter in both spectrometers.
    r = np.corrcoef(d.X_primary.sum(axis=1), d.X_secondary.sum(axis=1))[0, 1]
    assert r > 0.9


def test_all_phases_present(clean_map):
    counts = np.bincount(clean_map.phase, minlength=6)
    assert np.all(counts > 0), counts
    # Quartz, albite and muscovite dominate the pegmatite.
    assert counts[:3].sum() > 0.8 * counts.sum()


def test_aluminium_lines_in_feldspar_and_mica_not_quartz(clean_map):
    for line in (394.40, 396.15):
        assert phase_height(clean_map, "albite", line) > 0.1
        assert phase_height(clean_map, "muscovite", line) > 0.1
        assert phase_height(clean_map, "quartz", line) < 0.01


def test_potassium_doublet_in_muscovite(clean_map):
    for line in (404.41, 404.72):
        muscovite = phase_height(clean_map, "muscovite", line)
        assert muscovite > 5 * phase_height(clean_map, "quartz", line)
        assert muscovite > 5 * phase_height(clean_map, "albite", line)


def test_silicon_everywhere_but_the_oxide(clean_map):
    for phase in ("quartz", "albite", "muscovite", "garnet", "beryl"):
        assert phase_height(clean_map, phase, 288.16) > 0.3
        assert phase_height(clean_map, phase, 288.16, "secondary") > 0.3
    assert phase_height(clean_map, "columbite", 288.16) < 0.01


def test_beryllium_only_in_beryl(clean_map):
    assert phase_height(clean_map, "beryl", 313.11) > 0.3
    for phase in ("quartz", "albite", "muscovite", "garnet", "columbite"):
        assert phase_height(clean_map, phase, 313.11) < 0.01


def test_secondary_records_nothing_beyond_370_nm(clean_map):
    assert clean_map.wavelengths_secondary.max() <= 370.0
    # The strong Al I 394/396 lines of albite are only seen by the primary.
    albite = clean_map.phase == 1
    assert clean_map.X_secondary[albite].shape[1] == 3872
    assert phase_height(clean_map, "albite", 396.15) > 0.1


def test_same_seed_same_data_and_regions_differ():
    a = make_libs_transfer((12, 10), random_state=3)
    b = make_libs_transfer((12, 10), random_state=3)
    np.testing.assert_array_equal(a.X_primary, b.X_primary)
    np.testing.assert_array_equal(a.X_secondary, b.X_secondary)
    c = make_libs_transfer((12, 10), random_state=4)
    assert not np.array_equal(a.X_primary, c.X_primary)
    v = make_libs_transfer((12, 10), region="validation", random_state=3)
    assert not np.array_equal(a.phase_fractions, v.phase_fractions)


def test_grains_are_spatially_coherent():
    d = make_libs_transfer((40, 40), grain_size=10, random_state=0, noise=0)
    image = spectra_to_map(d.phase, d.map_shape, d.raster_order)
    same_as_right = np.mean(image[:, 1:] == image[:, :-1])
    # Random labels with these abundances would agree about 30% of the time.
    assert same_as_right > 0.8


def test_boundary_mixing_and_contamination_from_previous_shot():
    kwargs = dict(map_shape=(30, 30), grain_size=8, random_state=1, noise=0)
    sharp = make_libs_transfer(**kwargs, boundary_width=0, contamination=0)
    assert np.all(sharp.phase_fractions.max(axis=1) == 1.0)

    mixed = make_libs_transfer(**kwargs, boundary_width=1.0, contamination=0)
    image = spectra_to_map(mixed.phase, mixed.map_shape, mixed.raster_order)
    # Interior: the 7 x 7 neighbourhood is one grain.
    interior_image = minimum_filter(image, size=7) == maximum_filter(image, size=7)
    rows, cols = raster_coordinates(mixed.map_shape, mixed.raster_order)
    interior = interior_image[rows, cols]
    pure = mixed.phase_fractions.max(axis=1) > 0.999
    assert interior.any() and (~interior).any()
    assert pure[interior].all()  # far from boundaries: one phase
    assert not pure[~interior].all()  # at boundaries: mixed

    carried = make_libs_transfer(**kwargs, boundary_width=0, contamination=0.3)
    change = np.flatnonzero(np.diff(carried.phase) != 0) + 1  # shot after a phase change
    previous_phase = carried.phase[change - 1]
    share = carried.phase_fractions[change, previous_phase]
    assert np.all(share > 0) and np.all(share < 0.3)
    steady = np.flatnonzero(np.diff(carried.phase) == 0) + 1
    assert np.all(carried.phase_fractions.max(axis=1)[steady] == 1.0)


def test_test_map_has_a_shifted_baseline():
    train = make_libs_transfer((16, 16), region="train", random_state=0)
    test = make_libs_transfer((16, 16), region="test", random_state=0)
    for name in ("X_primary", "X_secondary"):
        floor_train = np.percentile(train[name], 5, axis=1).mean()
        floor_test = np.percentile(test[name], 5, axis=1).mean()
        assert floor_test > 1.3 * floor_train
    same_day = make_libs_transfer((16, 16), region="test", baseline_shift=0.0, random_state=0)
    assert (
        np.percentile(same_day.X_primary, 5, axis=1).mean()
        < 1.1 * np.percentile(train.X_primary, 5, axis=1).mean()
    )


def test_chunked_write_to_disk_matches_memory(tmp_path):
    # 70 x 70 = 4900 shots: two simulation blocks.
    in_memory = make_libs_transfer((70, 70), random_state=5)
    on_disk = make_libs_transfer((70, 70), random_state=5, out=tmp_path / "map")
    assert isinstance(on_disk.X_primary, np.memmap) and not on_disk.X_primary.flags.writeable
    np.testing.assert_array_equal(on_disk.X_primary, in_memory.X_primary)
    np.testing.assert_array_equal(on_disk.X_secondary, in_memory.X_secondary)
    reloaded = np.load(tmp_path / "map" / "X_secondary.npy", mmap_mode="r")
    assert reloaded.shape == (4900, 3872)
    shots = np.load(tmp_path / "map" / "shots.npz")
    np.testing.assert_array_equal(shots["phase"], in_memory.phase)


def test_as_frame_and_verbose(capsys):
    d = make_libs_transfer((4, 5), as_frame=True, verbose=True, random_state=0)
    assert d.X_primary.shape == (20, 4062)
    assert d.X_secondary.columns[-1] == "370"
    assert list(d.composition.columns) == d.element_names
    assert "20/20 shots (100%)" in capsys.readouterr().out


def test_paper_sizes_are_available():
    from sklspec.datasets._libs import _map_shape

    assert PAPER_MAP_SHAPES == {"train": (560, 560), "validation": (266, 500), "test": (500, 500)}
    for region, shape in PAPER_MAP_SHAPES.items():
        assert _map_shape("paper", region) == shape


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(region="holdout"), "'region' parameter of make_libs_transfer must be"),
        (dict(map_shape=(0, 5)), "n_rows of map_shape"),
        (dict(map_shape="huge"), "'map_shape' parameter of make_libs_transfer must be"),
        (dict(raster_order="spiral"), "'raster_order' parameter"),
        (dict(grain_size=1), "'grain_size' parameter"),
        (dict(contamination=1.0), "'contamination' parameter"),
        (dict(noise=-1), "'noise' parameter"),
        (dict(boundary_width=float("nan")), "'boundary_width' parameter"),
        (dict(baseline_shift=-1.0), "'baseline_shift' parameter"),
        (dict(as_frame=True, out="somewhere"), "as_frame=True"),
    ],
)
def test_bad_arguments(kwargs, message):
    kwargs = {"map_shape": (4, 4), **kwargs}
    with pytest.raises(ValueError, match=message):
        make_libs_transfer(**kwargs)


def test_missing_libskit_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "libskit", None)
    with pytest.raises(ImportError, match=r"pip install 'sklspec\[libs\]'"):
        make_libs_transfer((4, 4))


# --- the physics that makes the two views differ ------------------------------

# Ideal views but for the effect under test.
_IDEAL = dict(
    noise=0,
    contamination=0,
    boundary_width=0,
    view_temperature_offset=0.0,
    view_temperature_scatter=0.0,
    view_density_offset=0.0,
    view_density_scatter=0.0,
    gain_drift=0.0,
    full_scale=None,
)


def test_the_secondary_view_reads_a_temperature_lower_by_the_set_offset():
    from sklearn.linear_model import RidgeCV

    kwargs = dict(map_shape=(40, 40), grain_size=12, random_state=2, **_IDEAL)
    same = make_libs_transfer(**kwargs)
    cooler = make_libs_transfer(**{**kwargs, "view_temperature_offset": -500.0})
    # The primary view is the same plasma in both maps.
    np.testing.assert_array_equal(same.X_primary, cooler.X_primary)
    inside = (cooler.temperature > 7100) & (cooler.temperature < 11400)  # offset not clipped
    np.testing.assert_allclose(
        cooler.temperature_secondary[inside] - cooler.temperature[inside], -500.0
    )
    # A spectroscopic thermometer: temperature from the log spectra (line
    # ratios), calibrated where both views see the same plasma.
    features = lambda X: np.log(X - X.min(axis=1, keepdims=True) + 1.0)  # noqa: E731
    thermometer = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(
        features(same.X_secondary), same.temperature_secondary
    )
    read_same = thermometer.predict(features(same.X_secondary))
    read_cooler = thermometer.predict(features(cooler.X_secondary))
    # Measured: -491 K (the thermometer's own error is 75 K per shot).
    shift = np.median(read_cooler[inside] - read_same[inside])
    assert -600 < shift < -400


def test_detectors_compress_and_clip_at_full_scale():
    kwargs = dict(map_shape=(12, 12), grain_size=8, random_state=0, **_IDEAL)
    ideal = make_libs_transfer(**kwargs)
    full_scale = 4000.0
    real = make_libs_transfer(**{**kwargs, "full_scale": full_scale, "nonlinearity": 0.02})
    below = ideal.X_primary < full_scale / 1.02
    # Response falls linearly: 2% lost at full scale.
    expected = ideal.X_primary * (1 - 0.02 * ideal.X_primary / full_scale)
    np.testing.assert_allclose(real.X_primary[below], expected[below], rtol=1e-5)
    saturated = real.X_primary == np.float32(full_scale)
    assert saturated.sum() > 10 and (ideal.X_primary[saturated] > 0.98 * full_scale).all()
    # A saturated line is flat at full scale: no pixel above it anywhere.
    assert real.X_primary.max() == np.float32(full_scale)
    flat_tops = saturated[:, 1:] & saturated[:, :-1]
    assert flat_tops.any()
    # The default 16-bit scale leaves this simulator's lines unclipped.
    default = make_libs_transfer((12, 12), grain_size=8, random_state=0)
    assert default.X_primary.max() < 65535 / 4


def test_each_view_drifts_on_its_own_and_each_day_starts_elsewhere():
    from sklspec.datasets._libs import _DRIFT_SHOTS, _gain_drift

    gain = _gain_drift(300_000, 0.05, [0, 1])
    log_gain = np.log(gain.astype(np.float64))
    # Stationary spread and a correlation time of _DRIFT_SHOTS shots (an
    # Ornstein-Uhlenbeck process; ten correlation times give a loose estimate).
    assert 0.02 < log_gain.std() < 0.08
    lag = int(_DRIFT_SHOTS)
    centred = log_gain - log_gain.mean()
    correlation = (centred[:-lag] @ centred[lag:]) / (centred @ centred)
    assert 0.1 < correlation < 0.6  # e^-1 = 0.37
    assert abs(np.corrcoef(log_gain[1:] - log_gain[:-1], log_gain[:-1])[0, 1]) < 0.01

    kwargs = dict(map_shape=(12, 12), grain_size=8, random_state=0)
    drifting = make_libs_transfer(**kwargs, **{**_IDEAL, "gain_drift": 0.05})
    steady = make_libs_transfer(**kwargs, **_IDEAL)
    # The gain scales the collected light (dark offset excluded).
    dark = steady.X_primary.min()
    bright = steady.X_primary > 5 * dark
    ratio = np.ones_like(steady.X_primary)
    np.divide(drifting.X_primary - dark, steady.X_primary - dark, out=ratio, where=bright)
    np.testing.assert_allclose(
        ratio[bright],
        np.broadcast_to(drifting.gain_primary[:, None], ratio.shape)[bright],
        rtol=1e-3,
    )
    assert not np.allclose(drifting.gain_primary, drifting.gain_secondary, rtol=1e-3)
    test_day = make_libs_transfer(**kwargs, region="test", **{**_IDEAL, "gain_drift": 0.05})
    assert abs(test_day.gain_primary[0] - drifting.gain_primary[0]) > 1e-3
    assert (steady.gain_primary == 1).all()


def test_linear_views_are_the_earlier_simulator_and_physics_is_reproducible():
    from sklspec.datasets import LINEAR_VIEWS

    linear = make_libs_transfer((10, 10), random_state=1, **LINEAR_VIEWS)
    np.testing.assert_array_equal(linear.temperature_secondary, linear.temperature)
    np.testing.assert_array_equal(linear.electron_density_secondary, linear.electron_density)
    a = make_libs_transfer((10, 10), random_state=1)
    b = make_libs_transfer((10, 10), random_state=1)
    np.testing.assert_array_equal(a.X_secondary, b.X_secondary)
    # The primary view's plasma does not depend on the secondary view's settings.
    np.testing.assert_array_equal(a.temperature, linear.temperature)
    assert not np.allclose(a.X_secondary, linear.X_secondary, rtol=1e-2)
    with pytest.raises(ValueError, match="'gain_drift' parameter"):
        make_libs_transfer((4, 4), gain_drift=2.0)
    with pytest.raises(ValueError, match="'full_scale' parameter"):
        make_libs_transfer((4, 4), full_scale=0)


def test_noiseless_primary_spectra_are_the_same_shots_without_noise(tmp_path):
    noisy = make_libs_transfer((6, 10), region="test", random_state=0, return_noiseless=True)
    plain = make_libs_transfer((6, 10), region="test", random_state=0)
    quiet = make_libs_transfer((6, 10), region="test", random_state=0, noise=0)
    # Asking for them changes nothing else.
    np.testing.assert_array_equal(noisy.X_primary, plain.X_primary)
    np.testing.assert_array_equal(noisy.X_secondary, plain.X_secondary)
    np.testing.assert_array_equal(noisy.X_primary_noiseless, quiet.X_primary)
    residual = noisy.X_primary - noisy.X_primary_noiseless
    # Shot noise (variance = counts) and read noise: the residual grows with the signal.
    bright = noisy.X_primary_noiseless > np.percentile(noisy.X_primary_noiseless, 90)
    assert residual[bright].std() > 1.5 * residual[~bright].std() > 0
    on_disk = make_libs_transfer(
        (6, 10), region="test", random_state=0, return_noiseless=True, out=tmp_path / "m"
    )
    np.testing.assert_array_equal(on_disk.X_primary_noiseless, noisy.X_primary_noiseless)
    assert (tmp_path / "m" / "X_primary_noiseless.npy").exists()
    assert "X_primary_noiseless" not in plain
