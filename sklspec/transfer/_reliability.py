"""TransferReliability: how far new secondary spectra lie from those a transfer model knows."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from sklspec.utils._fit import fit_context
from sklspec.utils._optional import import_optional

# Rows scored at a time: chemotools works in float64, so a large map is
# converted block by block, never whole.
_BLOCK_ROWS = 4096


class TransferReliability(TransformerMixin, BaseEstimator):
    """A per-spectrum warning for transferred spectra: Q residuals of the secondary spectra.

    Fitted on the secondary spectra a transfer model was trained on, it
    scores each new secondary spectrum by its Q residual (squared
    prediction error, SPE): the part of the standardized spectrum that the
    training spectra's first ``n_components`` principal components do not
    explain, divided by the Q limit: the ``confidence`` quantile of the
    Q residuals of training spectra left out of the fit (``cv`` folds).
    Residuals of the spectra a PCA was fitted on are too small (it fitted
    their noise too): on the corn data (60 training spectra, 10 components)
    the in-sample limit put 8 of 20 new spectra of the same instrument
    beyond it; chemotools' Jackson-Mudholkar limit put most training
    spectra of a test beyond it. The residuals are chemotools'
    (:class:`chemotools.outliers.QResiduals`). A
    ratio above 1 lies outside what the training spectra span, where a
    transfer model extrapolates. It needs neither the primary spectrum nor
    the transfer model, so it serves any model (PLS, DS, the VAE + MLP).

    The score was chosen by measurement: on simulated LIBS maps (a VAE +
    MLP and a PLS trained on 3,072 shots, scored on a held-out map of the
    same day and on one of another day), its Spearman correlation with the
    per-spectrum Euclidean error of the transferred spectra was 0.77 and
    0.75 for the VAE + MLP, 0.71 and 0.37 for PLS (Hotelling's T2: 0.61,
    0.74, 0.51, 0.37; the distance of the mapped latent point to the
    primary codes: 0.56 and 0.55; the spread of an ensemble of three
    mapping networks: 0.07 and 0.19). On these maps the error grows with a
    spectrum's brightness, and the score ranks spectra about as well as the
    norm of the transferred spectrum does; see ``benchmarks/RESULTS.md``.
    Needs the ``[transfer]`` extra (chemotools).

    Parameters
    ----------
    n_components : int, default=10
        Principal components of the standardized training spectra that
        count as known variation.
    confidence : float in (0, 1), default=0.95
        Quantile of the training spectra's Q residuals taken as the limit
        the ratio is expressed in.
    cv : int or None, default=5
        Folds for the limit: each training spectrum's Q residual comes from
        components fitted without it (``KFold``, shuffled with a fixed seed,
        so the limit is reproducible). None: the residuals of the fit itself
        (a limit too low on small sets).

    Attributes
    ----------
    detector_ : chemotools.outliers.QResiduals
        The fitted Q-residual detector (standardization and PCA inside).
    critical_value_ : float
        The Q limit: the ``confidence`` quantile of the training spectra's
        Q residuals (out of fold, unless ``cv=None``).
    n_features_in_ : int
        Channels of the secondary spectra.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names, when ``X`` has string column names.

    See Also
    --------
    chemotools.outliers.QResiduals : The statistic and its limit.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.transfer import TransferReliability
    >>> rng = np.random.default_rng(0)
    >>> X_train = rng.uniform(size=(200, 3)) @ rng.normal(size=(3, 50))
    >>> X_train += rng.normal(0, 0.01, size=(200, 50))
    >>> reliability = TransferReliability(n_components=3).fit(X_train)
    >>> known = X_train[:2]
    >>> unknown = known + rng.normal(0, 0.5, size=(2, 50))  # variation never seen
    >>> reliability.transform(np.vstack([known, unknown])).ravel().round(1) > 1
    array([False, False,  True,  True])
    >>> reliability.predict(np.vstack([known, unknown]))
    array([ 1,  1, -1, -1])
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "cv": [Interval(Integral, 2, None, closed="left"), None],
    }

    def __init__(self, n_components=10, confidence=0.95, cv=5):
        self.n_components = n_components
        self.confidence = confidence
        self.cv = cv

    @fit_context
    def fit(self, X, y=None):
        """Fit the principal components and the Q limit on the training secondary spectra.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            The secondary spectra the transfer model was trained on.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        import_optional("chemotools.outliers", "TransferReliability")
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        n_fit = len(X) if self.cv is None else len(X) - -(-len(X) // self.cv)
        if self.cv is not None and self.cv > len(X):
            raise ValueError(
                f"cv={self.cv} folds need at least {self.cv} spectra; got n_samples = {len(X)}."
            )
        if self.n_components >= min(n_fit, X.shape[1]):
            raise ValueError(
                f"n_components={self.n_components} leaves no residual to measure: the "
                f"components are fitted on {n_fit} spectra (n_samples = {len(X)}, "
                f"cv={self.cv}) of n_features = {X.shape[1]} channels, and must be fewer than "
                "both."
            )
        detector = self._detector(X)
        critical_value = float(detector.critical_value_)
        if self.cv is not None:
            q = np.empty(len(X))
            for train, test in KFold(self.cv, shuffle=True, random_state=0).split(X):
                fold = self._detector(X[train])
                q[test] = fold.predict_residuals(np.asarray(X[test], dtype=np.float64))
            critical_value = float(np.percentile(q, 100 * self.confidence))
        self.detector_, self.critical_value_ = detector, critical_value
        return self

    def _detector(self, X):
        outliers = import_optional("chemotools.outliers", "TransferReliability")
        # covariance_eigh: exact and deterministic, fast for many spectra of
        # fewer channels (a map).
        pca = PCA(self.n_components, svd_solver="covariance_eigh")
        model = make_pipeline(StandardScaler(), pca).fit(X)
        detector = outliers.QResiduals(model, confidence=self.confidence, method="percentile")
        return detector.fit(X)

    def _q(self, X):
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        q = np.empty(len(X))
        for start in range(0, len(X), _BLOCK_ROWS):
            block = np.asarray(X[start : start + _BLOCK_ROWS], dtype=np.float64)
            q[start : start + _BLOCK_ROWS] = self.detector_.predict_residuals(block)
        return q

    def transform(self, X):
        """Q residual of each spectrum over the Q limit (above 1: outside the training span).

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            New secondary spectra.

        Returns
        -------
        ratio : ndarray of shape (n_spectra, 1)
            Q / Q limit, float64.
        """
        check_is_fitted(self)
        return (self._q(X) / self.critical_value_)[:, None]

    def predict(self, X):
        """1 for spectra within the Q limit, -1 for those beyond it (scikit-learn's outliers).

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            New secondary spectra.

        Returns
        -------
        labels : ndarray of shape (n_spectra,)
        """
        check_is_fitted(self)
        return np.where(self._q(X) > self.critical_value_, -1, 1)

    def get_feature_names_out(self, input_features=None):
        """The one output column: ``["q_ratio"]``.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray(["q_ratio"], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
