"""GCTPLSRegression: PLS whose latent variables give paired standards the same scores."""

from numbers import Integral, Real

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from sklspec.base import DocLinkMixin
from sklspec.transfer._standards import check_standards
from sklspec.utils._fit import fit_context
from sklspec.utils._sklearn_compat import Interval, StrOptions, check_sample_weight
from sklspec.utils._typing import ArrayLike, Self
from sklspec.utils.validation import validate_data


def _penalised_pls1(centred, target, differences, weight, n_components, *, deflate=True):
    """Coefficients of one analyte's PLS, each weight vector shrunk along the pairs' differences.

    Each weight is ``(I + weight * D'D)^(-1) X'y``, normalised, where the rows
    of ``D`` are the standards' secondary-minus-primary spectra, deflated as
    new spectra are when ``deflate``; it is computed in the pairs' space
    (Woodbury), so no channels x channels matrix is formed.
    """
    X, f, D = centred.copy(), target.copy(), differences.copy()
    weights, loadings, y_loadings = [], [], []
    tiny = np.finfo(np.float64).tiny
    for _ in range(n_components):
        w = X.T @ f
        if weight > 0 and len(D):
            inner = np.eye(len(D)) / weight + D @ D.T
            w = w - D.T @ scipy.linalg.solve(inner, D @ w, assume_a="pos")
        norm = np.linalg.norm(w)
        if norm <= tiny:  # nothing left to explain
            break
        w /= norm
        t = X @ w
        tt = t @ t
        if tt <= tiny:
            break
        p = X.T @ t / tt
        q = f @ t / tt
        X -= np.outer(t, p)
        f -= q * t
        if deflate:
            D -= np.outer(D @ w, p)
        weights.append(w)
        loadings.append(p)
        y_loadings.append(q)
    if not weights:
        return np.zeros(centred.shape[1])
    W, P = np.column_stack(weights), np.column_stack(loadings)
    return W @ np.linalg.solve(P.T @ W, np.asarray(y_loadings))


class GCTPLSRegression(DocLinkMixin, RegressorMixin, BaseEstimator):
    """Graph-based calibration transfer PLS (GCT-PLS): one calibration for both instruments.

    A PLS calibration fitted on the primary calibration set whose latent
    variables are penalised for separating the two measurements of each
    standard (Nikzad-Langerodi and Sobieczky 2021): each weight vector
    solves

    .. math:: \\max_w \\; (w^\\top X^\\top y)^2 - \\lambda' \\,\\lVert D_a w \\rVert^2,
       \\quad \\lVert w \\rVert = 1,

    where the rows of :math:`D_a` are the standards' secondary-minus-primary
    spectra. The differences are not centred: a constant offset between the
    instruments is penalised too. ``penalty`` is unit-free: :math:`\\lambda'`
    is it divided by the largest squared singular value of :math:`D_0`, so
    ``penalty=1`` halves the weight along the largest difference.

    ``alignment`` says what the penalty aligns. ``"scores"``: the
    differences are deflated as new spectra are, so that each standard gets
    nearly the same scores, and the same prediction, from either
    instrument; best when the standards are samples like the calibration's.
    ``"weights"``: every weight vector is kept away from the raw
    differences (:math:`D_a = D_0`, the paper's penalty); best when the
    standards are unlike the samples, such as glass reference standards.

    Like :class:`SlopeBiasCorrection` it transfers the calibration, not the
    spectra: it predicts analyte values, from spectra of either instrument.
    Several analytes get one PLS each.

    Parameters
    ----------
    n_components : int, default=2
        Latent variables.
    penalty : float, default=10.0
        Weight of the standards' differences; 0 is ordinary PLS (without
        scaling the channels, as ``PLSRegression(scale=False)``).
    alignment : {"scores", "weights"}, default="scores"
        Align the standards' scores component by component (differences
        deflated), or keep every weight vector away from their raw
        differences.

    Attributes
    ----------
    coef_ : ndarray of shape (n_analytes, n_channels)
        The calibration's coefficients: ``y = X @ coef_.T + intercept_``.
    intercept_ : ndarray of shape (n_analytes,)
        Its intercepts.
    n_features_in_ : int
        Channels of the spectra.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names of ``X``, when it had string column names.

    See Also
    --------
    EPORegressor : Removes the instrument's directions before the calibration.
    sklearn.cross_decomposition.PLSRegression : The calibration without standards.

    Notes
    -----
    diPLSlib's ``GCTPLS`` (2.5.0) penalises, instead of the pairs'
    differences, the difference of the two instruments' uncentred second
    moments (its Laplacian branch is never reached); like
    ``alignment="weights"`` it does not deflate the standards.

    References
    ----------
    R. Nikzad-Langerodi and F. Sobieczky, "Graph-based calibration
    transfer", J. Chemometrics 35 (2021) e3319.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.transfer import GCTPLSRegression
    >>> rng = np.random.default_rng(0)
    >>> bands = rng.normal(size=(2, 30))
    >>> amounts = rng.uniform(size=(40, 2))
    >>> primary, oil = amounts @ bands, amounts[:, 0]
    >>> secondary = primary + 0.5 * rng.normal(size=30)      # the other instrument's offset
    >>> gct = GCTPLSRegression(2, penalty=1e4).fit(
    ...     primary, oil, X_primary=primary[:5], X_secondary=secondary[:5])
    >>> bool(np.abs(gct.predict(secondary) - oil).max() < 0.05)
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "penalty": [Interval(Real, 0, None, closed="left")],
        "alignment": [StrOptions({"scores", "weights"})],
    }

    def __init__(
        self, n_components: int = 2, *, penalty: float = 10.0, alignment: str = "scores"
    ) -> None:
        self.n_components = n_components
        self.penalty = penalty
        self.alignment = alignment

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
        """Fit the calibration, its latent variables aligned on the standards.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Primary spectra of the calibration set.
        y : array-like of shape (n_samples,) or (n_samples, n_analytes)
            Their analyte values.
        X_primary, X_secondary : array-like of shape (n_standards, n_channels), default=None
            The same standards measured on each instrument, row by row.
            None (both): ordinary PLS.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each calibration sample: weighted means, and each
            centred row scaled by the square root of its weight, so an
            integer weight gives the fit of that many copies. None weighs
            all alike.

        Returns
        -------
        self : GCTPLSRegression
            The fitted calibration.
        """
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=np.float64)
        standards = check_standards(self, X, X_primary, X_secondary)
        largest = min(len(X) - 1, X.shape[1])
        if self.n_components > largest:
            raise ValueError(
                f"GCTPLSRegression(n_components={self.n_components}) needs more spectra: "
                f"{len(X)} sample(s) of {X.shape[1]} channels give {largest} latent "
                "variable(s) at most."
            )
        targets = y.reshape(len(y), -1)
        if standards is None:
            differences = np.empty((0, X.shape[1]))
        else:
            differences = standards[1] - standards[0]
        largest_squared = np.linalg.norm(differences, 2) ** 2 if len(differences) else 0.0
        weight = self.penalty / largest_squared if largest_squared > 0 else 0.0
        if sample_weight is None:
            x_mean, y_mean = X.mean(axis=0), targets.mean(axis=0)
            root = np.ones(len(X))
            centred = X - x_mean
        else:
            weights = check_sample_weight(sample_weight, X)
            x_mean = np.average(X, axis=0, weights=weights)
            y_mean = np.average(targets, axis=0, weights=weights)
            root = np.sqrt(weights)
            centred = (X - x_mean) * root[:, None]
        coef = np.stack(
            [
                _penalised_pls1(
                    centred,
                    (column - mean) * root,
                    differences,
                    weight,
                    self.n_components,
                    deflate=self.alignment == "scores",
                )
                for column, mean in zip(targets.T, y_mean, strict=True)
            ]
        )
        self.coef_ = coef
        self.intercept_ = y_mean - coef @ x_mean
        self._y_ndim = y.ndim
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
            The predicted analyte values (the shape of the ``y`` it was fitted on).
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        predicted = X @ self.coef_.T + self.intercept_
        return predicted.ravel() if self._y_ndim == 1 else predicted

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
