"""The only classes a model file may name: everything else is refused before loading."""

import importlib

# Estimators and helpers of other libraries that sklspec's workflows use. A
# file naming anything outside this list and sklspec's own estimators is
# refused: loading imports these names from their own packages, never code
# from the file.
_THIRD_PARTY = (
    "sklearn.compose._target.TransformedTargetRegressor",
    "sklearn.cross_decomposition._pls.PLSRegression",
    "sklearn.dummy.DummyRegressor",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.linear_model._ridge.Ridge",
    "sklearn.linear_model._ridge.RidgeCV",
    "sklearn.multioutput.MultiOutputRegressor",
    "sklearn.neighbors._regression.KNeighborsRegressor",
    "sklearn.neural_network._multilayer_perceptron.MLPRegressor",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "sklearn.decomposition._pca.PCA",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.MinMaxScaler",
    "sklearn.preprocessing._data.StandardScaler",
    # The identity on the primary side of a model that scales them itself
    # (func and inverse_func None: a file cannot hold a function).
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "chemotools.adaptation._direct_standardization.DirectStandardization",
    "chemotools.adaptation._piecewise_direct_standardization.PiecewiseDirectStandardization",
    "chemotools.adaptation._spectral_space_transform.SpectralSpaceTransform",
    "chemotools.outliers._q_residuals.QResiduals",
    "chemotools.projection._external_parameter_orthogonalization."
    "ExternalParameterOrthogonalization",
)


# sklspec's public estimators, listed rather than discovered: discovery
# imports every module of the package, seconds at each load.
# tests/test_io.py checks this list against sklspec.utils.all_estimators.
_SKLSPEC = (
    "sklspec.augmentation._augmenter.VAEAugmenter",
    "sklspec.augmentation._regressor.AugmentedRegressor",
    "sklspec.preprocessing._baseline.BaselineSubtractor",
    "sklspec.preprocessing._scaling.SpectralScaler",
    "sklspec.preprocessing._wavelength.WavelengthCropper",
    "sklspec.preprocessing._wavelength.WavelengthResampler",
    "sklspec.transfer._coral.CORALRegressor",
    "sklspec.transfer._epo.EPORegressor",
    "sklspec.transfer._gct_pls.GCTPLSRegression",
    "sklspec.transfer._latent.LatentTransferRegressor",
    "sklspec.transfer._library.LatentLibrary",
    "sklspec.transfer._mlp.SpectralMLPRegressor",
    "sklspec.transfer._residual.ResidualMLPRegressor",
    "sklspec.transfer._slope_bias.SlopeBiasCorrection",
    "sklspec.transfer._reliability.TransferReliability",
    "sklspec.transfer._standardization.StandardizationRegressor",
    "sklspec.vae._conditional.ConditionalVAE",
    "sklspec.vae._decoder.VAEDecoder",
    "sklspec.vae._encoder.VAEEncoder",
)


def class_path(cls):
    """``module.QualName`` of a class, as model files name it."""
    return f"{cls.__module__}.{cls.__qualname__}"


def allowed_class_paths():
    """Every class path a model file may name."""
    return set(_THIRD_PARTY) | set(_SKLSPEC)


def import_allowed(path):
    """The class named ``path``, which must be on the allow-list (checked by the caller)."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)
