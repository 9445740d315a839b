"""Data augmentation for spectra-to-target regression with variational autoencoders."""

from sklspec.augmentation._augmenter import VAEAugmenter, reference_regressor
from sklspec.augmentation._regressor import AugmentedRegressor

__all__ = ["AugmentedRegressor", "VAEAugmenter", "reference_regressor"]
