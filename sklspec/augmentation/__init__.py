"""Data augmentation for spectra-to-target regression with variational autoencoders."""

from sklspec.augmentation._augmenter import LowAcceptanceWarning, VAEAugmenter, reference_regressor
from sklspec.augmentation._compare import (
    compare_augmentation,
    paper_augmentation_strategies,
    plot_augmentation_comparison,
)
from sklspec.augmentation._regressor import AugmentedRegressor

__all__ = [
    "AugmentedRegressor",
    "LowAcceptanceWarning",
    "VAEAugmenter",
    "compare_augmentation",
    "paper_augmentation_strategies",
    "plot_augmentation_comparison",
    "reference_regressor",
]
