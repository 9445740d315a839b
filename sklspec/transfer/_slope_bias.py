"""SlopeBiasCorrection: the primary calibration's predictions corrected on a few standards."""

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import NotFittedError, check_is_fitted

from sklspec.base import DocLinkMixin, unwrap_frozen
from sklspec.utils._fit import fit_context
from sklspec.utils._sklearn_compat import HasMethods, check_sample_weight
from sklspec.utils._typing import ArrayLike, EstimatorLike, Self
from sklspec.utils.validation import validate_data


class SlopeBiasCorrection(DocLinkMixin, RegressorMixin, BaseEstimator):
    """A primary calibration applied to secondary spectra, its predictions corrected linearly.

    The first calibration transfer an NIR lab tries (Osborne and Fearn
    1983; Bouveresse et al. 1994): the primary instrument's calibration
    predicts the analyte from the secondary spectra of a few standards, and
    a straight line from those predictions to the standards' reference
    values corrects every later prediction::

        y = bias + slope * calibration.predict(X_secondary)

    It transfers the calibration, not the spectra: its output is analyte
    values. With one or two standards, ``fit_slope=False`` corrects the bias
    alone.

    Parameters
    ----------
    calibration : fitted regressor, default=None
        The primary instrument's calibration (primary spectra to analyte
        values), fitted. Wrap it in :class:`sklearn.frozen.FrozenEstimator`
        so that clones (searches, cross-validation) keep its fit; a plain
        fitted estimator is cloned with the rest and loses its fit. None
        (for a comparison that sets it per fold) must be replaced before
        ``fit``.
    fit_slope : bool, default=True
        Fit the slope too; False fixes it at 1 and fits the bias alone.

    Attributes
    ----------
    calibration_ : regressor
        The calibration used (the given one, not refitted).
    slope_, bias_ : ndarray of shape (n_analytes,)
        The correction of each analyte's prediction.
    n_features_in_ : int
        Channels of the secondary spectra.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names of ``X``, when it had string column names.

    See Also
    --------
    StandardizationRegressor : Transfers the spectra instead (DS, PDS, SST).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cross_decomposition import PLSRegression
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklspec.transfer import SlopeBiasCorrection
    >>> rng = np.random.default_rng(0)
    >>> bands = rng.normal(size=(2, 30))
    >>> amounts = rng.uniform(size=(40, 2))
    >>> primary, oil = amounts @ bands, amounts[:, 0]
    >>> calibration = PLSRegression(2).fit(primary, oil)
    >>> secondary = 1.2 * primary + 0.3          # the other instrument reads higher
    >>> corrected = SlopeBiasCorrection(FrozenEstimator(calibration)).fit(secondary[:6], oil[:6])
    >>> bool(np.abs(corrected.predict(secondary) - oil).max() < 1e-6)
    True
    """

    _parameter_constraints: dict = {
        "calibration": [HasMethods(["predict"]), None],
        "fit_slope": ["boolean"],
    }

    def __init__(self, calibration: EstimatorLike | None = None, *, fit_slope: bool = True) -> None:
        self.calibration = calibration
        self.fit_slope = fit_slope

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> Self:
        """Fit the correction on the standards' secondary spectra and reference values.

        Parameters
        ----------
        X : array-like of shape (n_standards, n_channels)
            Secondary spectra of the standards.
        y : array-like of shape (n_standards,) or (n_standards, n_analytes)
            Their reference values.
        sample_weight : array-like of shape (n_standards,), default=None
            Weight of each standard in the least-squares fit of the slope
            and the bias (e.g. the number of measurements averaged into
            its spectrum). None weighs all alike.

        Returns
        -------
        self : SlopeBiasCorrection
            The fitted correction.
        """
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True)
        if self.calibration is None:
            raise ValueError(
                "SlopeBiasCorrection needs the primary calibration it corrects: "
                "SlopeBiasCorrection(FrozenEstimator(calibration))."
            )
        try:
            check_is_fitted(unwrap_frozen(self.calibration))
        except NotFittedError:
            raise NotFittedError(
                "SlopeBiasCorrection's calibration is not fitted: fit it on primary spectra "
                "and pass it in a FrozenEstimator, so that clones keep its fit."
            ) from None
        fewest = 2 if self.fit_slope else 1
        if len(X) < fewest:
            raise ValueError(
                f"SlopeBiasCorrection needs at least {fewest} standard(s) to fit "
                f"{'a slope and a bias' if self.fit_slope else 'a bias'}; got {len(X)} sample(s)."
            )
        targets = y.reshape(len(y), -1).astype(np.float64)
        predicted = self._predict_calibration(self.calibration, X, targets.shape[1])
        weights = check_sample_weight(sample_weight, X)  # ones for None
        weights = weights[:, None]
        predicted_mean = (weights * predicted).sum(axis=0) / weights.sum()
        target_mean = (weights * targets).sum(axis=0) / weights.sum()
        if self.fit_slope:
            centred = predicted - predicted_mean
            spread = (weights * centred**2).sum(axis=0)
            slope = np.divide(
                (weights * centred * (targets - target_mean)).sum(axis=0),
                spread,
                out=np.ones_like(spread),
                where=spread > 0,
            )
        else:
            slope = np.ones(targets.shape[1])
        self.slope_ = slope
        self.bias_ = target_mean - slope * predicted_mean
        self.calibration_ = self.calibration
        self._y_ndim = y.ndim
        return self

    @staticmethod
    def _predict_calibration(calibration, X, n_analytes):
        predicted = np.asarray(calibration.predict(X), dtype=np.float64).reshape(len(X), -1)
        if predicted.shape[1] != n_analytes:
            raise ValueError(
                f"The calibration predicts {predicted.shape[1]} analyte(s) but y has {n_analytes}."
            )
        return predicted

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict analyte values from secondary spectra.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Secondary spectra.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_analytes)
            The corrected predictions (the shape of the ``y`` it was fitted on).
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        predicted = self._predict_calibration(self.calibration_, X, len(self.slope_))
        corrected = self.bias_ + self.slope_ * predicted
        return corrected.ravel() if self._y_ndim == 1 else corrected

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
