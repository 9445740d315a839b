import numpy as np
import pytest

from sklspec.maps import (
    RASTER_ORDERS,
    MapDisplay,
    SpectraDisplay,
    map_to_spectra,
    raster_coordinates,
    spectra_to_map,
)


@pytest.mark.parametrize(
    "order, expected",
    [
        ("row", [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]),
        ("column", [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8, 11]]),
        ("snake_row", [[0, 1, 2, 3], [7, 6, 5, 4], [8, 9, 10, 11]]),
        ("snake_column", [[0, 5, 6, 11], [1, 4, 7, 10], [2, 3, 8, 9]]),
    ],
)
def test_raster_orders(order, expected):
    image = spectra_to_map(np.arange(12), (3, 4), order=order)
    np.testing.assert_array_equal(image, expected)
    np.testing.assert_array_equal(map_to_spectra(image, order=order), np.arange(12))


@pytest.mark.parametrize("order", RASTER_ORDERS)
def test_spectra_round_trip(order):
    spectra = np.random.default_rng(0).normal(size=(5 * 7, 10))
    image = spectra_to_map(spectra, (5, 7), order=order)
    assert image.shape == (5, 7, 10)
    np.testing.assert_array_equal(map_to_spectra(image, order=order), spectra)
    rows, cols = raster_coordinates((5, 7), order)
    # Consecutive shots are neighbours in every order but at row/column ends.
    steps = np.abs(np.diff(rows)) + np.abs(np.diff(cols))
    if order.startswith("snake"):
        assert steps.max() == 1


def test_raster_errors():
    with pytest.raises(ValueError, match=r"one row per map pixel \(12 for map_shape \(3, 4\)\)"):
        spectra_to_map(np.arange(10), (3, 4))
    with pytest.raises(ValueError, match="order must be one of"):
        raster_coordinates((3, 4), order="spiral")
    with pytest.raises(ValueError, match=r"map_shape must be \(n_rows, n_columns\)"):
        raster_coordinates(12)
    with pytest.raises(ValueError, match="image must have shape"):
        map_to_spectra(np.arange(5))


def test_map_display_quantile_clipping():
    values = np.r_[np.linspace(0, 1, 98), 50.0, -50.0]  # two outliers
    display = MapDisplay.from_values(values, (10, 10), label="error")
    low, high = display.im_.get_clim()
    assert low == pytest.approx(np.quantile(values, 0.01))
    assert high == pytest.approx(np.quantile(values, 0.99))
    assert high < 2  # the outliers do not stretch the colour scale
    assert display.colorbar_.ax.get_ylabel() == "error"
    full = MapDisplay.from_values(values, (10, 10), quantile_range=None)
    assert full.im_.get_clim() == (-50.0, 50.0)


def test_map_display_categorical_with_highlight():
    labels = np.repeat([0, 1, 2, 3], 25)
    wrong = np.zeros(100, dtype=bool)
    wrong[[3, 40]] = True
    display = MapDisplay.from_values(
        labels, (10, 10), categorical=True, highlight=wrong, order="snake_row"
    )
    assert display.im_.get_cmap().N == 4
    offsets = display.ax_.collections[0].get_offsets()
    assert len(offsets) == 2


def test_map_display_from_spectra_emissivity_range():
    wavelengths = np.linspace(245, 407, 50)
    X = np.zeros((6, 50))
    X[:, wavelengths < 300] = 1.0
    X[2, wavelengths > 350] = 10.0
    in_range = MapDisplay.from_spectra(
        X, (2, 3), wavelengths=wavelengths, wavelength_range=(350, 407), quantile_range=None
    )
    np.testing.assert_allclose(
        in_range.image.ravel(), [0, 0, 10 * (wavelengths > 350).sum(), 0, 0, 0]
    )
    assert "350-407 nm" in in_range.colorbar_.ax.get_ylabel()
    with pytest.raises(ValueError, match="wavelength_range needs the wavelengths"):
        MapDisplay.from_spectra(X, (2, 3), wavelength_range=(300, 310))


def test_spectra_display():
    wavelengths = np.linspace(245, 407, 30)
    display = SpectraDisplay.from_spectra(
        np.ones(30),
        np.zeros(30),
        wavelengths=wavelengths,
        labels=["true", "predicted"],
        title="albite",
    )
    np.testing.assert_array_equal(display.lines_[0].get_xdata(), wavelengths)
    assert display.ax_.get_title() == "albite"
    with pytest.raises(ValueError, match="same number of channels"):
        SpectraDisplay.from_spectra(np.ones(30), np.ones(29))
    with pytest.raises(ValueError, match="has 29 points but the spectra have 30"):
        SpectraDisplay.from_spectra(np.ones(30), wavelengths=wavelengths[:29])
