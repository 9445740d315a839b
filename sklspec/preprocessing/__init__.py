"""Preprocessing of spectra: baseline subtraction and the wavelength axis."""

from sklspec.preprocessing._baseline import BaselineSubtractor
from sklspec.preprocessing._rolling import rolling_min_gaussian_baseline
from sklspec.preprocessing._wavelength import WavelengthCropper, WavelengthResampler

__all__ = [
    "BaselineSubtractor",
    "WavelengthCropper",
    "WavelengthResampler",
    "rolling_min_gaussian_baseline",
]
