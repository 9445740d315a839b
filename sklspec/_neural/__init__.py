"""The private neural core shared by every torch estimator of sklspec.

What scikit-learn's ``neural_network/_base.py`` and ``BaseMultilayerPerceptron``
are to its MLPs: the parameters and their validation, net assembly, the fit
template, divergence and interrupt handling, and the torch building blocks.
Not public API: the estimators built on it are.
"""

from sklspec._neural._base import BaseNeuralEstimator
from sklspec._neural._docs import (
    document_parameters,
    fill_shared_parameters,
    fill_shared_parameters_but,
)
from sklspec._neural._loop import TrainingLoopMixin, batch_weights, with_sample_weight
from sklspec._neural._modules import ACTIVATIONS, FrozenHeadModule, MLPModule, make_mlp
from sklspec._neural._torch import as_float32

__all__ = [
    "ACTIVATIONS",
    "BaseNeuralEstimator",
    "FrozenHeadModule",
    "MLPModule",
    "TrainingLoopMixin",
    "as_float32",
    "batch_weights",
    "document_parameters",
    "fill_shared_parameters",
    "fill_shared_parameters_but",
    "make_mlp",
    "with_sample_weight",
]
