"""Hyperspectral maps: raster orders and map images of per-spectrum values."""

from sklspec.maps._map_display import MapDisplay, summed_emissivity
from sklspec.maps._raster import RASTER_ORDERS, map_to_spectra, raster_coordinates, spectra_to_map
from sklspec.maps._spectra_display import SpectraDisplay

__all__ = [
    "RASTER_ORDERS",
    "MapDisplay",
    "SpectraDisplay",
    "map_to_spectra",
    "raster_coordinates",
    "spectra_to_map",
    "summed_emissivity",
]
