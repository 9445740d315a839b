"""Preprocessing of spectra: baseline subtraction, scaling and the wavelength axis."""

from sklspec.preprocessing._baseline import BaselineSubtractor
from sklspec.preprocessing._rolling import rolling_min_gaussian_baseline
from sklspec.preprocessing._scaling import SpectralScaler
from sklspec.preprocessing._wavelength import WavelengthCropper, WavelengthResampler

__all__ = [
    "BaselineSubtractor",
    "SpectralScaler",
    "WavelengthCropper",
    "WavelengthResampler",
    "rolling_min_gaussian_baseline",
]
