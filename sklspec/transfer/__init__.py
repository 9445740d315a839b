"""Spectral transfer between instruments: secondary spectra to primary spectra."""

from sklspec.transfer._latent import LatentTransferRegressor
from sklspec.transfer._mlp import SpectralMLPRegressor
from sklspec.transfer._paper import paper_transfer_models

__all__ = ["LatentTransferRegressor", "SpectralMLPRegressor", "paper_transfer_models"]
