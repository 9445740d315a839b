"""Hyperspectral maps: raster orders and map images of per-spectrum values."""

from sklspec.maps._display import MapDisplay, SpectraDisplay
from sklspec.maps._raster import RASTER_ORDERS, map_to_spectra, raster_coordinates, spectra_to_map

__all__ = [
    "RASTER_ORDERS",
    "MapDisplay",
    "SpectraDisplay",
    "map_to_spectra",
    "raster_coordinates",
    "spectra_to_map",
]
