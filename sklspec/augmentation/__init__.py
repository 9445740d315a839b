"""Data augmentation for spectra-to-target regression with variational autoencoders."""

from sklspec.augmentation._augmenter import REFERENCE_ALPHAS, VAEAugmenter, reference_regressor
from sklspec.augmentation._regressor import AugmentedRegressor

__all__ = ["REFERENCE_ALPHAS", "AugmentedRegressor", "VAEAugmenter", "reference_regressor"]
