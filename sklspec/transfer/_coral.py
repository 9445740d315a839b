"""CORALRegressor: transfer without paired standards, by matching second-order statistics."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from sklspec.base import DocLinkMixin
from sklspec.utils._fit import fit_context
from sklspec.utils._sklearn_compat import Interval
from sklspec.utils._typing import ArrayLike, Self
from sklspec.utils.validation import check_same_channels, validate_data


def _covariance_factors(spectra, alpha):
    """Mean, principal directions, their variances and the ridge of ``cov + ridge * I``.

    The covariance of n spectra has rank n - 1 at most; with the ridge added
    it is kept as a low-rank part plus a multiple of the identity, so its
    powers never form a channels x channels matrix.
    """
    mean = spectra.mean(axis=0)
    centred = spectra - mean
    _, singular, directions = np.linalg.svd(centred, full_matrices=False)
    variances = singular**2 / max(len(spectra) - 1, 1)
    # The ridge is relative to the mean channel variance: alpha is unit-free.
    ridge = alpha * max(variances.sum() / spectra.shape[1], np.finfo(float).tiny)
    keep = variances > variances.max(initial=0) * 1e-12
    return mean, directions[keep], variances[keep], ridge


def _power(rows, directions, variances, ridge, exponent):
    """``rows @ (cov + ridge * I) ** exponent``, from the low-rank factors."""
    outside = ridge**exponent
    inside = (variances + ridge) ** exponent - outside
    return outside * rows + ((rows @ directions.T) * inside) @ directions


class CORALRegressor(DocLinkMixin, RegressorMixin, BaseEstimator):
    """CORrelation ALignment: secondary spectra recoloured with the primary's covariance.

    Correlation alignment (Sun, Feng and Saenko, AAAI 2016) needs no paired
    standards: only spectra of each instrument, of any samples. It whitens
    the secondary spectra with their own covariance and recolours them with
    the primary spectra's, after exchanging the means::

        Y_pred = (X - mean_X) (C_X + r_X I)^(-1/2) (C_Y + r_Y I)^(1/2) + mean_Y

    where ``C`` are the channel covariances and each ridge ``r`` is
    ``alpha`` times the mean channel variance of its side. Both instruments
    must share one wavelength grid (as for DS and PDS). It is the method to
    try when no standards were measured on both; with standards, the paired
    methods use what CORAL cannot: which spectrum belongs to which sample.

    Parameters
    ----------
    alpha : float, default=0.1
        Ridge added to both covariances, relative to their mean channel
        variance. Small values trust the (rank-deficient) covariances of few
        spectra; large ones reduce CORAL to exchanging the means and the
        overall scale.

    Attributes
    ----------
    secondary_mean_, primary_mean_ : ndarray of shape (n_channels,)
        The means of each side.
    secondary_directions_, primary_directions_ : ndarray of shape (n_kept, n_channels)
        Principal directions of each side's covariance.
    secondary_variances_, primary_variances_ : ndarray of shape (n_kept,)
        Their variances.
    secondary_ridge_, primary_ridge_ : float
        The ridge added to each covariance.
    n_features_in_ : int
        Channels of the spectra.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names of ``X``, when it had string column names.

    See Also
    --------
    StandardizationRegressor : DS, PDS and SST, from paired standards.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.transfer import CORALRegressor
    >>> rng = np.random.default_rng(0)
    >>> bands = rng.normal(size=(3, 40))
    >>> Y = rng.uniform(size=(60, 3)) @ bands                  # primary spectra
    >>> X = 0.8 * (rng.uniform(size=(60, 3)) @ bands) + 0.05  # other samples, secondary
    >>> coral = CORALRegressor(alpha=1e-3).fit(X, Y)
    >>> bool(np.allclose(coral.predict(X).mean(axis=0), Y.mean(axis=0)))
    True
    """

    _parameter_constraints: dict = {"alpha": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, alpha: float = 0.1) -> None:
        self.alpha = alpha

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        """Learn both sides' means and covariances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Secondary spectra.
        y : array-like of shape (n_samples, n_channels)
            Primary spectra on the same channels. The rows need not be the
            same samples as ``X``'s: only each side's statistics are used.

        Returns
        -------
        self : CORALRegressor
            The fitted regressor.
        """
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True)
        check_same_channels(self, X, y)
        if len(X) < 2:
            raise ValueError(f"CORALRegressor needs at least 2 spectra per side; got {len(X)}.")
        (
            self.secondary_mean_,
            self.secondary_directions_,
            self.secondary_variances_,
            self.secondary_ridge_,
        ) = _covariance_factors(X.astype(np.float64), self.alpha)
        (
            self.primary_mean_,
            self.primary_directions_,
            self.primary_variances_,
            self.primary_ridge_,
        ) = _covariance_factors(y.astype(np.float64), self.alpha)
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
        whitened = _power(
            X - self.secondary_mean_,
            self.secondary_directions_,
            self.secondary_variances_,
            self.secondary_ridge_,
            -0.5,
        )
        recoloured = _power(
            whitened,
            self.primary_directions_,
            self.primary_variances_,
            self.primary_ridge_,
            0.5,
        )
        return recoloured + self.primary_mean_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags
