"""Spectral transfer between instruments: secondary spectra to primary spectra."""

from sklspec.transfer._coral import CORALRegressor
from sklspec.transfer._epo import EPORegressor
from sklspec.transfer._gct_pls import GCTPLSRegression
from sklspec.transfer._latent import LatentTransferRegressor
from sklspec.transfer._library import LatentLibrary
from sklspec.transfer._mlp import SpectralMLPRegressor
from sklspec.transfer._reliability import TransferReliability
from sklspec.transfer._residual import RIDGE_ALPHAS, ResidualMLPRegressor
from sklspec.transfer._slope_bias import SlopeBiasCorrection
from sklspec.transfer._standardization import StandardizationRegressor

__all__ = [
    "RIDGE_ALPHAS",
    "CORALRegressor",
    "EPORegressor",
    "GCTPLSRegression",
    "LatentLibrary",
    "LatentTransferRegressor",
    "ResidualMLPRegressor",
    "SlopeBiasCorrection",
    "SpectralMLPRegressor",
    "StandardizationRegressor",
    "TransferReliability",
]
