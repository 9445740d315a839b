"""Reproducing the two papers: their models and settings, comparisons, figures and the demo.

Not estimators: harnesses that run the papers' protocols on the package's
estimators. Vrábel et al. (JAAS 2023), spectral transfer:
:func:`paper_transfer_models` (the paper's preset of
:mod:`sklspec.model_selection`'s registry), the figures of
:func:`~sklspec.model_selection.compare_transfer_models` and of
:func:`~sklspec.model_selection.transfer_learning_curve` (error against
the number of shared standards) and its candidates
:func:`few_standards_models`, :func:`run_demo` (``sklspec demo``). Mushchina et al. (2025), VAE
augmentation: :func:`paper_augmentation_strategies`,
:func:`compare_augmentation` (:func:`combine_augmentation_results` puts
runs over different splits together), :func:`augmentation_learning_curve` and their
figures. They need the ``[pandas]`` and
``[plot]`` extras.
"""

# Defined in sklspec.model_selection; importable from here too, as before 0.1.
from sklspec.model_selection import (
    choose_n_clusters,
    compare_transfer_models,
    transfer_learning_curve,
    wrap_transfer_model,
)
from sklspec.papers._augmentation_comparison import (
    combine_augmentation_results,
    compare_augmentation,
    paper_augmentation_strategies,
)
from sklspec.papers._augmentation_figure import (
    plot_augmentation_comparison,
    plot_augmentation_learning_curve,
)
from sklspec.papers._augmentation_learning_curve import augmentation_learning_curve
from sklspec.papers._demo import run_demo
from sklspec.papers._transfer_figures import plot_transfer_maps, plot_transfer_spectra
from sklspec.papers._transfer_learning_curve import plot_transfer_learning_curve
from sklspec.papers._transfer_models import few_standards_models, paper_transfer_models

__all__ = [
    "augmentation_learning_curve",
    "choose_n_clusters",
    "combine_augmentation_results",
    "compare_augmentation",
    "compare_transfer_models",
    "few_standards_models",
    "paper_augmentation_strategies",
    "paper_transfer_models",
    "plot_augmentation_comparison",
    "plot_augmentation_learning_curve",
    "plot_transfer_learning_curve",
    "plot_transfer_maps",
    "plot_transfer_spectra",
    "run_demo",
    "transfer_learning_curve",
    "wrap_transfer_model",
]
