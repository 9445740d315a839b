"""The same preprocessing around every transfer model."""

from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline

from sklspec.preprocessing import SpectralScaler
from sklspec.utils._sklearn_compat import HasMethods, validate_params
from sklspec.utils._typing import EstimatorLike


@validate_params(
    {
        "estimator": [HasMethods(["fit", "predict"])],
        "preprocessing": [HasMethods(["fit", "transform"]), None],
        "scaling": [*SpectralScaler._parameter_constraints["scaling"], None],
    },
    prefer_skip_nested_validation=True,
)
def wrap_transfer_model(
    estimator: EstimatorLike, preprocessing: EstimatorLike, *, scaling: str = "global"
) -> EstimatorLike:
    """Secondary-side preprocessing and a scaled primary side.

    The primary spectra are centred and scaled for the model (a network
    needs values of order one) by
    :class:`~sklspec.preprocessing.SpectralScaler` and predictions come back
    in their own units.

    Parameters
    ----------
    estimator : regressor
        The transfer model, from secondary to primary spectra.
    preprocessing : transformer or None
        Secondary-side preprocessing in front of it (cloned).
    scaling : {"global", "channel", "none"} or None, default="global"
        The primary side's scaling: one scale for all channels, each
        channel's own (the paper's ``StandardScaler``), or centring only.
        Per-channel scaling amplifies quiet channels and, with them, any
        leftover baseline (the user guide's "Scaling" section). None: no
        scaling here, for a model that scales the primary spectra itself
        (a :class:`~sklspec.transfer.LatentLibrary` inside, frozen or not).

    Returns
    -------
    model : sklearn.compose.TransformedTargetRegressor
        ``preprocessing`` then ``estimator`` (the pipeline step ``"model"``),
        with a ``SpectralScaler`` on the primary spectra (none with
        ``scaling=None``).

    Examples
    --------
    >>> from sklearn.cross_decomposition import PLSRegression
    >>> from sklspec.model_selection import wrap_transfer_model
    >>> from sklspec.preprocessing import SpectralScaler
    >>> model = wrap_transfer_model(PLSRegression(2), SpectralScaler())
    >>> list(model.regressor.named_steps)
    ['preprocessing', 'model']
    >>> model.transformer
    SpectralScaler()
    """
    steps = [] if preprocessing is None else [("preprocessing", clone(preprocessing))]
    return TransformedTargetRegressor(
        regressor=Pipeline([*steps, ("model", estimator)]),
        transformer=None if scaling is None else SpectralScaler(scaling),
        check_inverse=False,
    )
