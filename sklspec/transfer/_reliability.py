"""TransferReliability: how far new secondary spectra lie from those a transfer model knows."""

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sklspec.base import DocLinkMixin
from sklspec.utils._fit import fit_context
from sklspec.utils._optional import import_optional
from sklspec.utils._sklearn_compat import Interval, StrOptions
from sklspec.utils._typing import ArrayLike, RandomStateLike, Self
from sklspec.utils.validation import validate_data

# Rows scored at a time: chemotools works in float64, so a large map is
# converted block by block, never whole.
_BLOCK_ROWS = 4096
_STATISTICS = ("q", "t2", "q+t2")


class TransferReliability(DocLinkMixin, TransformerMixin, BaseEstimator):
    """A per-spectrum warning for transferred spectra: how unlike the training spectra they are.

    Fitted on the secondary spectra a transfer model was trained on, it
    scores each new secondary spectrum by two classic statistics of the
    training spectra's first ``n_components`` principal components (of the
    standardized spectra): the Q residual (squared prediction error, SPE:
    the part of the spectrum the components do not explain; chemotools'
    :class:`chemotools.outliers.QResiduals`) and Hotelling's T2 (how far
    inside the components it lies, in units of the training spectra's
    spread). By default (``statistic="q+t2"``) the score is the sum of both,
    each over its own limit, over the limit of that sum. Each limit is the
    ``confidence`` quantile of training spectra left out of the fit (``cv``
    folds): residuals of the spectra a PCA was fitted on are too small (it
    fitted their noise too; on the corn data, 60 training spectra and 10
    components, the in-sample limit put 8 of 20 new spectra of the same
    instrument beyond it). A ratio above 1 lies outside what the training
    spectra span, where a transfer model extrapolates. It needs neither the
    primary spectrum nor the transfer model, so it serves any model (PLS,
    DS, a library, the VAE + MLP).

    The statistic was chosen by measurement (``benchmarks/reliability_scores.py``;
    Spearman correlation with the per-spectrum Euclidean error of the
    transferred spectra, for PLS and a library + ridge): on the LIBS
    simulator (a same-day and another day's map) Q gave 0.80-0.82, T2
    0.47-0.75 and Q+T2 0.73-0.82; on corn's 20 test spectra (mean over the
    six directions) Q gave 0.19-0.20, T2 0.33-0.37 and Q+T2 0.29-0.33. A
    bootstrap spread of the transfer model, the residual of re-encoding the
    transferred spectrum, its distance in a primary latent space and the
    errors of the nearest training pairs did no better on both. On corn no
    score reaches 0.5: the errors there are small and much alike. Needs the
    ``[transfer]`` extra (chemotools).

    Parameters
    ----------
    n_components : int, default=10
        Principal components of the standardized training spectra that
        count as known variation.
    confidence : float in (0, 1), default=0.95
        Quantile of the training spectra's statistic taken as the limit
        the ratio is expressed in.
    statistic : {"q+t2", "q", "t2"}, default="q+t2"
        What is measured: the sum of the Q residual and Hotelling's T2,
        each over its own limit first; the Q residual alone (variation
        outside the components); or T2 alone (how far inside them).
    cv : int or None, default=5
        Folds for the limit: each training spectrum's Q residual comes from
        components fitted without it. None: the residuals of the fit itself
        (a limit too low on small sets).
    random_state : int, RandomState instance or None, default=0
        Shuffles the spectra into the folds. They are put in an order of
        their own first (by their projection on a fixed direction), so the
        limit does not depend on the order of the rows given to ``fit``;
        the default seed makes it reproducible too.

    Attributes
    ----------
    detector_ : chemotools.outliers.QResiduals
        The fitted Q-residual detector (standardization and PCA inside).
    critical_value_ : float
        The limit of ``statistic``: the ``confidence`` quantile of the
        training spectra's values (out of fold, unless ``cv=None``).
    q_limit_, t2_limit_ : float
        The limits of Q and of T2 alone (``"q+t2"`` sums each over its own).
    score_variances_ : ndarray of shape (n_components,)
        Variance of the training spectra's component scores, the units of T2.
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
        "statistic": [StrOptions(set(_STATISTICS))],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components: int = 10,
        confidence: float = 0.95,
        cv: Any = 5,
        statistic: str = "q+t2",
        random_state: RandomStateLike = 0,
    ) -> None:
        self.n_components = n_components
        self.confidence = confidence
        self.cv = cv
        self.statistic = statistic
        self.random_state = random_state

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Fit the principal components and the limit on the training secondary spectra.

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
        if np.ptp(X, axis=0).max() == 0:
            raise ValueError(
                "The training spectra are all identical: there is no variation to model, and "
                "no limit to set. Fit on the spectra the model was trained on."
            )
        detector = self._detector(X)
        q, scores = self._q_and_scores(detector, X)
        spread = self._variances(scores)
        t2 = self._t2(scores, spread)
        if self.cv is not None:
            for train, test in self._folds(X):
                fold = self._detector(X[train])
                fold_spread = self._variances(self._q_and_scores(fold, X[train])[1])
                q[test], fold_scores = self._q_and_scores(fold, X[test])
                t2[test] = self._t2(fold_scores, fold_spread)
        quantile = 100 * self.confidence
        limits = {"q": float(np.percentile(q, quantile)), "t2": float(np.percentile(t2, quantile))}
        limits = {key: value if value > 0 else 1.0 for key, value in limits.items()}
        if self.statistic == "q+t2":
            combined = q / limits["q"] + t2 / limits["t2"]
            critical_value = float(np.percentile(combined, quantile))
        else:
            critical_value = limits[self.statistic]
        self.detector_, self.score_variances_ = detector, spread
        self.q_limit_, self.t2_limit_ = limits["q"], limits["t2"]
        self.critical_value_ = critical_value
        return self

    @staticmethod
    def _q_and_scores(detector, X):
        """Q residuals and component scores of ``X``, from one pass through the components.

        The same Q as chemotools' ``predict_residuals``: the squared part of
        the standardized spectrum the components do not reconstruct.
        """
        scaler, pca = detector.model[0], detector.model[-1]
        standardized = scaler.transform(np.asarray(X, dtype=np.float64))
        scores = pca.transform(standardized)
        residual = standardized - pca.inverse_transform(scores)
        return np.sum(residual**2, axis=1), scores

    @staticmethod
    def _variances(scores):
        # Components beyond the spectra's rank have variances of rounding
        # errors; dividing by them would make T2 rounding noise times 1e30.
        variances = scores.var(axis=0)
        informative = variances > 1e-12 * variances.max(initial=0.0)
        return np.where(informative, variances, 1.0)

    @staticmethod
    def _t2(scores, variances):
        return np.sum(scores**2 / variances, axis=1)

    def _folds(self, X):
        """``(train, test)`` row indices of the folds, the same whatever the rows' order."""
        direction = np.random.default_rng(0).standard_normal(X.shape[1])
        keys = np.concatenate(
            [
                np.asarray(X[start : start + _BLOCK_ROWS], dtype=np.float64) @ direction
                for start in range(0, len(X), _BLOCK_ROWS)
            ]
        )
        canonical = np.argsort(keys, kind="stable")
        folds = KFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(canonical):
            yield canonical[train], canonical[test]

    def _detector(self, X):
        outliers = import_optional("chemotools.outliers", "TransferReliability")
        # covariance_eigh: exact and deterministic, fast for many spectra of
        # fewer channels (a map).
        pca = PCA(self.n_components, svd_solver="covariance_eigh")
        model = make_pipeline(StandardScaler(), pca).fit(X)
        detector = outliers.QResiduals(model, confidence=self.confidence, method="percentile")
        return detector.fit(X)

    def _statistic(self, X):
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        values = np.empty(len(X))
        for start in range(0, len(X), _BLOCK_ROWS):
            block = X[start : start + _BLOCK_ROWS]
            q, scores = self._q_and_scores(self.detector_, block)
            t2 = self._t2(scores, self.score_variances_)
            values[start : start + _BLOCK_ROWS] = {
                "q": q,
                "t2": t2,
                "q+t2": q / self.q_limit_ + t2 / self.t2_limit_,
            }[self.statistic]
        return values

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Each spectrum's statistic over its limit (above 1: unlike the training spectra).

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            New secondary spectra.

        Returns
        -------
        ratio : ndarray of shape (n_spectra, 1)
            The statistic over its limit, float64.
        """
        check_is_fitted(self)
        return (self._statistic(X) / self.critical_value_)[:, None]

    def predict(self, X: ArrayLike) -> np.ndarray:
        """1 for spectra within the limit, -1 for those beyond it (scikit-learn's outliers).

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            New secondary spectra.

        Returns
        -------
        labels : ndarray of shape (n_spectra,)
        """
        check_is_fitted(self)
        return np.where(self._statistic(X) > self.critical_value_, -1, 1)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """The one output column: ``["q_ratio"]`` (``"t2_ratio"``, ``"q_t2_ratio"``).

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        name = {"q": "q_ratio", "t2": "t2_ratio", "q+t2": "q_t2_ratio"}[self.statistic]
        return np.asarray([name], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
