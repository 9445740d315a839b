"""Data sets: generators of simulated spectra."""

from sklspec.datasets._peaks import make_peak_spectra

__all__ = ["make_peak_spectra"]
