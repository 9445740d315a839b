"""The only classes a model file may name: everything else is refused before loading."""

import functools
import importlib

# Estimators and helpers of other libraries that sklspec's workflows use, by
# their public import path. A file naming anything outside these lists (and
# the earlier paths below) is refused: loading imports these names from their
# own packages, never code from the file.
_THIRD_PARTY = (
    "sklearn.compose.TransformedTargetRegressor",
    "sklearn.cross_decomposition.PLSRegression",
    "sklearn.dummy.DummyRegressor",
    "sklearn.frozen.FrozenEstimator",
    "sklearn.linear_model.Ridge",
    "sklearn.linear_model.RidgeCV",
    "sklearn.multioutput.MultiOutputRegressor",
    "sklearn.neighbors.KNeighborsRegressor",
    "sklearn.neural_network.MLPRegressor",
    # An MLPRegressor's optimiser has no public path.
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "sklearn.decomposition.PCA",
    # Saved without cv_results_ (see sklspec.io._encoding): the default
    # labeller of the augmenters searches each network's L2.
    "sklearn.model_selection.GridSearchCV",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing.MinMaxScaler",
    "sklearn.preprocessing.StandardScaler",
    # The identity on the primary side of a model that scales them itself
    # (func and inverse_func None: a file cannot hold a function).
    "sklearn.preprocessing.FunctionTransformer",
    "chemotools.adaptation.DirectStandardization",
    "chemotools.adaptation.PiecewiseDirectStandardization",
    "chemotools.adaptation.SpectralSpaceTransform",
    "chemotools.outliers.QResiduals",
    "chemotools.projection.ExternalParameterOrthogonalization",
)


# sklspec's public estimators, listed rather than discovered: discovery
# imports every module of the package, seconds at each load.
# tests/test_io.py checks this list against sklspec.utils.all_estimators.
_SKLSPEC = (
    "sklspec.augmentation.VAEAugmenter",
    "sklspec.augmentation.AugmentedRegressor",
    "sklspec.preprocessing.BaselineSubtractor",
    "sklspec.preprocessing.SpectralScaler",
    "sklspec.preprocessing.WavelengthCropper",
    "sklspec.preprocessing.WavelengthResampler",
    "sklspec.transfer.CORALRegressor",
    "sklspec.transfer.EPORegressor",
    "sklspec.transfer.GCTPLSRegression",
    "sklspec.transfer.LatentTransferRegressor",
    "sklspec.transfer.LatentLibrary",
    "sklspec.transfer.SpectralMLPRegressor",
    "sklspec.transfer.ResidualMLPRegressor",
    "sklspec.transfer.SlopeBiasCorrection",
    "sklspec.transfer.TransferReliability",
    "sklspec.transfer.StandardizationRegressor",
    "sklspec.vae.ConditionalVAE",
    "sklspec.vae.VAEDecoder",
    "sklspec.vae.VAEEncoder",
)

# Files written by sklspec up to 0.1.0.dev0 of 2026-12-05 name classes by the
# private module that defined them; they load as the public class.
_EARLIER_PATHS = {
    "sklearn.compose._target.TransformedTargetRegressor": (
        "sklearn.compose.TransformedTargetRegressor"
    ),
    "sklearn.cross_decomposition._pls.PLSRegression": "sklearn.cross_decomposition.PLSRegression",
    "sklearn.dummy.DummyRegressor": "sklearn.dummy.DummyRegressor",
    "sklearn.frozen._frozen.FrozenEstimator": "sklearn.frozen.FrozenEstimator",
    "sklearn.linear_model._ridge.Ridge": "sklearn.linear_model.Ridge",
    "sklearn.linear_model._ridge.RidgeCV": "sklearn.linear_model.RidgeCV",
    "sklearn.multioutput.MultiOutputRegressor": "sklearn.multioutput.MultiOutputRegressor",
    "sklearn.neighbors._regression.KNeighborsRegressor": "sklearn.neighbors.KNeighborsRegressor",
    "sklearn.neural_network._multilayer_perceptron.MLPRegressor": (
        "sklearn.neural_network.MLPRegressor"
    ),
    "sklearn.decomposition._pca.PCA": "sklearn.decomposition.PCA",
    "sklearn.preprocessing._data.MinMaxScaler": "sklearn.preprocessing.MinMaxScaler",
    "sklearn.preprocessing._data.StandardScaler": "sklearn.preprocessing.StandardScaler",
    "sklearn.preprocessing._function_transformer.FunctionTransformer": (
        "sklearn.preprocessing.FunctionTransformer"
    ),
    "chemotools.adaptation._direct_standardization.DirectStandardization": (
        "chemotools.adaptation.DirectStandardization"
    ),
    "chemotools.adaptation._piecewise_direct_standardization.PiecewiseDirectStandardization": (
        "chemotools.adaptation.PiecewiseDirectStandardization"
    ),
    "chemotools.adaptation._spectral_space_transform.SpectralSpaceTransform": (
        "chemotools.adaptation.SpectralSpaceTransform"
    ),
    "chemotools.outliers._q_residuals.QResiduals": "chemotools.outliers.QResiduals",
    "chemotools.projection._external_parameter_orthogonalization."
    "ExternalParameterOrthogonalization": (
        "chemotools.projection.ExternalParameterOrthogonalization"
    ),
    **{
        f"{package}.{module}.{name}": f"{package}.{name}"
        for package, module, name in (
            ("sklspec.augmentation", "_augmenter", "VAEAugmenter"),
            ("sklspec.augmentation", "_regressor", "AugmentedRegressor"),
            ("sklspec.preprocessing", "_baseline", "BaselineSubtractor"),
            ("sklspec.preprocessing", "_scaling", "SpectralScaler"),
            ("sklspec.preprocessing", "_wavelength", "WavelengthCropper"),
            ("sklspec.preprocessing", "_wavelength", "WavelengthResampler"),
            ("sklspec.transfer", "_coral", "CORALRegressor"),
            ("sklspec.transfer", "_epo", "EPORegressor"),
            ("sklspec.transfer", "_gct_pls", "GCTPLSRegression"),
            ("sklspec.transfer", "_latent", "LatentTransferRegressor"),
            ("sklspec.transfer", "_library", "LatentLibrary"),
            ("sklspec.transfer", "_mlp", "SpectralMLPRegressor"),
            ("sklspec.transfer", "_residual", "ResidualMLPRegressor"),
            ("sklspec.transfer", "_slope_bias", "SlopeBiasCorrection"),
            ("sklspec.transfer", "_reliability", "TransferReliability"),
            ("sklspec.transfer", "_standardization", "StandardizationRegressor"),
            ("sklspec.vae", "_conditional", "ConditionalVAE"),
            ("sklspec.vae", "_decoder", "VAEDecoder"),
            ("sklspec.vae", "_encoder", "VAEEncoder"),
        )
    },
}


@functools.cache
def class_path(cls):
    """The path a model file names a class by: its public import path where it has one.

    The module path without its private parts (``sklearn.preprocessing._data``
    -> ``sklearn.preprocessing``) when that module exports the class, else
    the defining module's path.
    """
    module = cls.__module__
    public = ".".join(part for part in module.split(".") if not part.startswith("_"))
    if public != module:
        try:
            if getattr(importlib.import_module(public), cls.__qualname__, None) is cls:
                return f"{public}.{cls.__qualname__}"
        except ImportError:
            pass
    return f"{module}.{cls.__qualname__}"


def allowed_class_paths():
    """Every class path a model file may name (public, and earlier versions' private paths)."""
    return set(_THIRD_PARTY) | set(_SKLSPEC) | set(_EARLIER_PATHS)


def public_class_path(path):
    """The public path of a class a file names (earlier files name private ones)."""
    return _EARLIER_PATHS.get(path, path)


def import_allowed(path):
    """The class named ``path``, which must be on the allow-list (checked by the caller)."""
    module, _, name = _EARLIER_PATHS.get(path, path).rpartition(".")
    return getattr(importlib.import_module(module), name)
