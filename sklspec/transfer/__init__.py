"""Spectral transfer between instruments: secondary spectra to primary spectra."""

from sklspec.transfer._latent import LatentTransferRegressor
from sklspec.transfer._library import LatentLibrary
from sklspec.transfer._mlp import SpectralMLPRegressor
from sklspec.transfer._reliability import TransferReliability
from sklspec.transfer._residual import ResidualMLPRegressor
from sklspec.transfer._standardization import StandardizationRegressor

__all__ = [
    "LatentLibrary",
    "LatentTransferRegressor",
    "ResidualMLPRegressor",
    "SpectralMLPRegressor",
    "StandardizationRegressor",
    "TransferReliability",
]
