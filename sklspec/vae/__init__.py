"""Variational autoencoders of spectra, trained through skorch."""

from sklspec.vae._callbacks import CyclicalKLAnnealing, cyclical_linear_beta
from sklspec.vae._conditional import ConditionalVAE
from sklspec.vae._decoder import VAEDecoder
from sklspec.vae._encoder import VAEEncoder
from sklspec.vae._module import VAEModule
from sklspec.vae._presets import PRESETS

__all__ = [
    "PRESETS",
    "ConditionalVAE",
    "CyclicalKLAnnealing",
    "VAEDecoder",
    "VAEEncoder",
    "VAEModule",
    "cyclical_linear_beta",
]
