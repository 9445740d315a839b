"""EPORegressor: a primary calibration made blind to what the standards show differs."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.cross_decomposition import PLSRegression
from sklearn.utils.validation import check_is_fitted

from sklspec.base import DocLinkMixin
from sklspec.transfer._standards import check_standards
from sklspec.utils._fit import fit_context
from sklspec.utils._optional import import_optional
from sklspec.utils._routing import check_takes_sample_weight
from sklspec.utils._sklearn_compat import HasMethods, Interval, check_sample_weight
from sklspec.utils._typing import ArrayLike, EstimatorLike, Self
from sklspec.utils.validation import validate_data


class EPORegressor(DocLinkMixin, RegressorMixin, BaseEstimator):
    """External parameter orthogonalisation (EPO) of a calibration against the instrument.

    EPO (Roger, Chauchard and Bellon-Maurel 2003) removes from every
    spectrum the directions along which the two instruments differ, then
    fits the calibration on what is left, so that it reads the same value
    from either instrument. The directions are the leading principal
    directions of the standards' differences ``X_secondary - X_primary``
    (uncentred: a constant offset between the instruments is a direction
    too), found by chemotools'
    :class:`~chemotools.projection.ExternalParameterOrthogonalization`.

    Like :class:`SlopeBiasCorrection` it transfers the calibration, not the
    spectra: it predicts analyte values, from spectra of either instrument.

    Parameters
    ----------
    regressor : regressor, default=None
        The calibration fitted on the orthogonalised primary spectra. None:
        ``PLSRegression(n_components=2, scale=False)``.
    n_components : int, default=2
        Directions of instrument difference to remove; at most the number
        of pairs of standards.

    Attributes
    ----------
    epo_ : ExternalParameterOrthogonalization
        The fitted projection (its ``V_epo_`` holds the removed directions,
        none without standards).
    regressor_ : regressor
        The calibration fitted on the orthogonalised spectra.
    n_features_in_ : int
        Channels of the spectra.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names of ``X``, when it had string column names.

    See Also
    --------
    GCTPLSRegression : A PLS calibration whose latent variables the standards align.
    SlopeBiasCorrection : Corrects the primary calibration's predictions instead.

    References
    ----------
    J.-M. Roger, F. Chauchard and V. Bellon-Maurel, "EPO-PLS external
    parameter orthogonalisation of PLS application to temperature-independent
    measurement of sugar content of intact fruits", Chemometr. Intell. Lab.
    Syst. 66 (2003) 191-204.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.transfer import EPORegressor
    >>> rng = np.random.default_rng(0)
    >>> bands = rng.normal(size=(2, 30))
    >>> amounts = rng.uniform(size=(40, 2))
    >>> primary, oil = amounts @ bands, amounts[:, 0]
    >>> secondary = primary + rng.normal(size=30)            # the other instrument's offset
    >>> epo = EPORegressor(n_components=1).fit(
    ...     primary, oil, X_primary=primary[:5], X_secondary=secondary[:5])
    >>> bool(np.abs(epo.predict(secondary) - oil).max() < 0.05)
    True
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"]), None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, regressor: EstimatorLike | None = None, *, n_components: int = 2) -> None:
        self.regressor = regressor
        self.n_components = n_components

    @fit_context
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        X_primary: ArrayLike | None = None,
        X_secondary: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> Self:
        """Find the instrument's directions from the standards; fit the calibration without them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Primary spectra of the calibration set.
        y : array-like of shape (n_samples,) or (n_samples, n_analytes)
            Their analyte values.
        X_primary, X_secondary : array-like of shape (n_standards, n_channels), default=None
            The same standards measured on each instrument, row by row.
            None (both): no direction is removed, the calibration is the
            regressor alone.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each calibration sample in the regressor's fit, whose
            ``fit`` must take it (the default ``PLSRegression`` does not;
            a ``Ridge`` does). The directions come from the standards,
            unweighted.

        Returns
        -------
        self : EPORegressor
            The fitted calibration.
        """
        projection = import_optional("chemotools.projection", "EPORegressor")
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True)
        standards = check_standards(self, X, X_primary, X_secondary, needed=self.n_components)
        if self.regressor is None and X.shape[1] < 2:
            raise ValueError(
                f"EPORegressor's default calibration, PLSRegression(2), needs 2 channels; X "
                f"has {X.shape[1]} feature(s). Pass a regressor."
            )
        if standards is not None and self.n_components >= X.shape[1]:
            raise ValueError(
                f"EPORegressor(n_components={self.n_components}) would remove every direction "
                f"of spectra with {X.shape[1]} feature(s); remove fewer."
            )
        epo = projection.ExternalParameterOrthogonalization(n_components=self.n_components)
        if standards is None:
            epo.fit(X)
        else:
            primary, secondary = standards
            pairs = np.arange(len(primary))
            epo.fit(X, X_external=np.vstack([primary, secondary]), sample_ids=np.r_[pairs, pairs])
        regressor = PLSRegression(2, scale=False) if self.regressor is None else self.regressor
        params = {}
        if sample_weight is not None:
            check_takes_sample_weight(regressor, "regressor")
            params["sample_weight"] = check_sample_weight(sample_weight, X)
        fitted = clone(regressor).fit(epo.transform(X), y, **params)
        self.epo_, self.regressor_ = epo, fitted
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict analyte values from spectra of either instrument.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Secondary (or primary) spectra.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_analytes)
            The predicted analyte values.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.regressor_.predict(self.epo_.transform(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
