"""Spectral transfer between instruments: secondary spectra to primary spectra."""

from sklspec.transfer._compare import choose_n_clusters, compare_transfer_models
from sklspec.transfer._latent import LatentTransferRegressor
from sklspec.transfer._mlp import SpectralMLPRegressor
from sklspec.transfer._paper import paper_transfer_models
from sklspec.transfer._plot import plot_transfer_maps, plot_transfer_spectra
from sklspec.transfer._standardization import StandardizationRegressor

__all__ = [
    "LatentTransferRegressor",
    "SpectralMLPRegressor",
    "StandardizationRegressor",
    "choose_n_clusters",
    "compare_transfer_models",
    "paper_transfer_models",
    "plot_transfer_maps",
    "plot_transfer_spectra",
]
