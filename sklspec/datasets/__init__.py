"""Data sets: real spectra that install from the package registries, and generators."""

from sklspec.datasets._absorption import make_absorption_mixtures
from sklspec.datasets._corn import load_corn
from sklspec.datasets._files import SpectraFile
from sklspec.datasets._libs import LINEAR_VIEWS, PAPER_MAP_SHAPES, make_libs_transfer
from sklspec.datasets._peaks import make_peak_spectra

__all__ = [
    "LINEAR_VIEWS",
    "PAPER_MAP_SHAPES",
    "SpectraFile",
    "load_corn",
    "make_absorption_mixtures",
    "make_libs_transfer",
    "make_peak_spectra",
]
