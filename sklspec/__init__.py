"""sklspec: scikit-learn compatible machine learning on spectra.

Estimators live in their subpackages, as in scikit-learn:
``sklspec.preprocessing``, ``sklspec.vae``, ``sklspec.transfer``,
``sklspec.augmentation``; ``sklspec.papers`` reproduces the two papers.
``import sklspec`` alone imports neither torch nor any estimator.
"""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
