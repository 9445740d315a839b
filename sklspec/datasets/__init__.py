"""Data sets: real spectra that install from the package registries, and generators."""

from sklspec.datasets._absorption import make_absorption_mixtures
from sklspec.datasets._corn import load_corn
from sklspec.datasets._peaks import make_peak_spectra

__all__ = ["load_corn", "make_absorption_mixtures", "make_peak_spectra"]
