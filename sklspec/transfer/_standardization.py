"""StandardizationRegressor: classic calibration transfer (DS, PDS) as a regressor."""

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from sklspec.base import DocLinkMixin
from sklspec.utils._fit import fit_context
from sklspec.utils._optional import import_optional
from sklspec.utils._sklearn_compat import HasMethods
from sklspec.utils._typing import ArrayLike, EstimatorLike, Self
from sklspec.utils.validation import check_same_channels, validate_data


def _direct_standardization():
    adaptation = import_optional(
        "chemotools.adaptation", "StandardizationRegressor's default (DirectStandardization)"
    )
    return adaptation.DirectStandardization()


class StandardizationRegressor(DocLinkMixin, RegressorMixin, BaseEstimator):
    """Direct or piecewise direct standardization, as a transfer regressor.

    Classic calibration transfer maps the secondary instrument's spectra onto
    the primary instrument's with a linear transform fitted on paired
    spectra: direct standardization (DS, one full matrix) or piecewise direct
    standardization (PDS, a local PLS model per channel over a window of
    neighbouring channels). ``chemotools`` implements both as transformers
    fitted with ``fit(X_secondary, X_source=X_primary)``; this adapter gives
    them the regression API of the other transfer models, so they compose
    with ``Pipeline``, ``TransformedTargetRegressor``, ``GridSearchCV`` and
    :func:`compare_transfer_models`.

    Both methods map each channel onto the same channel of the primary
    system, so secondary and primary spectra must share one wavelength grid
    (resample one onto the other's with :class:`~sklspec.preprocessing.WavelengthResampler`).

    Parameters
    ----------
    standardizer : transformer, default=None
        A transformer with ``fit(X, X_source=...)`` and ``transform``, e.g.
        ``chemotools.adaptation.PiecewiseDirectStandardization(window_length=5)``.
        It is cloned in ``fit``. None means chemotools'
        ``DirectStandardization()`` (needs ``sklspec[transfer]``).

    Attributes
    ----------
    standardizer_ : transformer
        The fitted clone of ``standardizer``.
    n_features_in_ : int
        Channels of the secondary spectra (and of the primary spectra).
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names of ``X``, when it had string column names.

    See Also
    --------
    LatentTransferRegressor : Non-linear transfer through a VAE's latent space,
        between different wavelength grids.

    Examples
    --------
    >>> import numpy as np
    >>> from chemotools.adaptation import PiecewiseDirectStandardization
    >>> from sklspec.transfer import StandardizationRegressor
    >>> rng = np.random.default_rng(0)
    >>> Y = rng.uniform(size=(30, 3)) @ rng.normal(size=(3, 50))
    >>> X = 0.9 * Y + 0.1                  # the secondary instrument's response
    >>> ds = StandardizationRegressor().fit(X, Y)
    >>> bool(np.allclose(ds.predict(X), Y))
    True
    >>> pds = StandardizationRegressor(PiecewiseDirectStandardization(window_length=3))
    >>> pds.fit(X, Y).predict(X).shape
    (30, 50)
    """

    _parameter_constraints: dict = {"standardizer": [HasMethods(["fit", "transform"]), None]}

    def __init__(self, standardizer: EstimatorLike | None = None) -> None:
        self.standardizer = standardizer

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        """Fit the standardization from secondary spectra ``X`` to primary ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Secondary spectra.
        y : array-like of shape (n_samples, n_channels)
            The same samples' primary spectra, on the same channels.

        Returns
        -------
        self : StandardizationRegressor
            The fitted regressor.
        """
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True)
        check_same_channels(self, X, y)
        standardizer = self.standardizer
        standardizer = _direct_standardization() if standardizer is None else clone(standardizer)
        self.standardizer_ = standardizer.fit(X, X_source=y)
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Transfer secondary spectra onto the primary system.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Secondary spectra.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_channels)
            Predicted primary spectra.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.standardizer_.transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags
