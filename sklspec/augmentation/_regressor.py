"""AugmentedRegressor: fit a regressor on training data augmented by a sampler."""

import warnings
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold, check_cv
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import MetadataRouter
from sklearn.utils.validation import check_is_fitted

from sklspec.augmentation._augmenter import VAEAugmenter, reference_regressor
from sklspec.base import DocLinkMixin
from sklspec.utils._fit import fit_context
from sklspec.utils._routing import (
    check_takes_sample_weight,
    fit_router,
    routed_fit_params,
    take_rows,
)
from sklspec.utils._seeding import seed_from
from sklspec.utils._sklearn_compat import (
    HasMethods,
    InvalidParameterError,
    check_sample_weight,
)
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike, Self
from sklspec.utils.validation import validate_data


def _extended_to_synthetic(params, X, X_aug):
    """Per-sample metadata of ``X`` extended to the augmented rows (``X`` first, then new ones)."""
    n, n_new = len(X), len(X_aug) - len(X)
    per_sample = {
        key: value for key, value in params.items() if np.ndim(value) >= 1 and len(value) == n
    }
    if not per_sample or n_new == 0:
        return params
    if not np.array_equal(np.asarray(X_aug[:n]), X):
        raise ValueError(
            "The augmenter's fit_resample does not return the training samples first, so "
            f"{', '.join(sorted(per_sample))} cannot be matched to its rows."
        )
    others = sorted(set(per_sample) - {"sample_weight"})
    if others:
        raise ValueError(
            f"{', '.join(others)} has a value per training sample, but the synthetic samples "
            "have none; only sample_weight is extended to them (with its mean)."
        )
    weights = per_sample["sample_weight"]
    return {**params, "sample_weight": np.r_[weights, np.full(n_new, weights.mean())]}


#: The candidate that adds nothing, always first: it wins ties.
NO_AUGMENTATION = ("none", 0.0)


class AugmentedRegressor(DocLinkMixin, MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """A regressor trained on its training data plus synthetic samples, if they help.

    ``fit`` calls ``augmenter.fit_resample(X, y)`` on a clone of the
    augmenter and fits a clone of ``regressor`` on the result; ``predict``
    is the regressor's. Augmentation therefore happens only when fitting,
    on the training folds only, which makes it safe in a plain scikit-learn
    ``Pipeline``, ``cross_validate`` or ``GridSearchCV``.

    Whether to augment at all, how much and with which augmenter is chosen
    by an inner cross-validation on the real spectra (``amounts``,
    ``cv``): every candidate is trained on the inner training folds,
    augmented as it says, and scored on the held-out real spectra, which
    synthetic spectra never enter. "No augmentation" is a candidate and
    wins ties, so a model is not made worse by augmentation that the data
    do not support. On the augmentation paper's data, augmenting PLS made it
    worse on every set measured, and augmenting the reference networks
    rarely helped (see the user guide): ``amounts=None`` augments
    regardless, as the paper did.

    Parameters
    ----------
    regressor : regressor or None, default=None
        The model to train. None means
        :func:`~sklspec.augmentation.reference_regressor`, the augmentation
        paper's one MLP per target (fitted on a 2-D ``y``; predictions come
        back in ``y``'s shape).
    augmenter : sampler, dict of str to sampler, or None, default=None
        Anything with ``fit_resample(X, y)``; a dict names several to
        choose among (``{"uniform": VAEAugmenter(sampling="uniform"),
        ...}``); None means ``VAEAugmenter()``. With ``amounts``, each must
        take ``n_samples`` (how many spectra to add).
    amounts : array-like of float >= 0 or None, default=(0.0, 1.0)
        Synthetic spectra per real training spectrum to choose among by
        inner cross-validation, for each augmenter; 0 is no augmentation.
        None: no choice, augment as the augmenter says (a dict of
        augmenters needs a choice).
    cv : int or cross-validation splitter, default=5
        The inner cross-validation (an int: that many shuffled folds,
        seeded by ``random_state``).
    scoring : str or callable, default="neg_mean_absolute_error"
        The inner cross-validation's score (greater is better), on the
        real held-out spectra: the augmentation paper's mean absolute
        error by default. With several targets the score averages them; to
        choose for each target, fit one ``AugmentedRegressor`` per target.
    random_state : int, RandomState instance or None, default=None
        Seeds the inner folds.

    Attributes
    ----------
    augmenter_ : sampler or None
        The fitted clone of the chosen augmenter (None when no augmentation
        was chosen).
    regressor_ : regressor
        The clone of ``regressor`` fitted on the (augmented) data.
    best_strategy_ : str or None
        The chosen augmenter's name (``"none"`` for no augmentation;
        ``"augmenter"`` for a single augmenter); None without ``amounts``.
    best_amount_ : float or None
        The chosen amount of synthetic spectra per real one; None without
        ``amounts``.
    cv_results_ : dict of str to ndarray or None
        Per candidate: ``strategy``, ``amount``, ``mean_test_score``,
        ``std_test_score``, ``split<k>_test_score`` and ``n_warnings``
        (warnings its inner fits raised, e.g. a collapsed generator's,
        counted rather than repeated; the final fit of the chosen candidate
        warns as usual); None without ``amounts``.
    n_features_in_ : int
        Channels seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names, when ``X`` had string column names.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklspec.augmentation import AugmentedRegressor, VAEAugmenter
    >>> from sklspec.datasets import make_absorption_mixtures
    >>> from sklspec.vae import VAEEncoder
    >>> from sklearn.cross_decomposition import PLSRegression
    >>> X, y = make_absorption_mixtures(200, return_X_y=True, random_state=0)
    >>> vae = VAEEncoder((32,), latent_dim=4, lr=1e-2, max_epochs=20, device="cpu")
    >>> augmenter = VAEAugmenter(vae, labeler=Ridge(1e-3), random_state=0)
    >>> model = AugmentedRegressor(
    ...     PLSRegression(4), augmenter, amounts=(0, 1), cv=3, random_state=0
    ... ).fit(X, y[:, 1])
    >>> model.predict(X[:3]).shape
    (3,)

    A 4-component PLS learns Cu2+ better from spectra the ridge labeler
    labelled; the inner CV (mean absolute error, negated) says so:

    >>> model.best_strategy_, model.best_amount_
    ('augmenter', 1.0)
    >>> [round(float(score), 3) for score in model.cv_results_["mean_test_score"]]
    [-0.101, -0.024]
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"]), None],
        "augmenter": [HasMethods(["fit_resample"]), dict, None],
        "amounts": ["array-like", None],
        "cv": ["cv_object"],
        "scoring": [str, callable],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        regressor: EstimatorLike | None = None,
        augmenter: EstimatorLike | dict[str, EstimatorLike] | None = None,
        *,
        amounts: ArrayLike | None = (0.0, 1.0),
        cv: int | EstimatorLike = 5,
        scoring: str | Any = "neg_mean_absolute_error",
        random_state: RandomStateLike = None,
    ) -> None:
        self.regressor = regressor
        self.augmenter = augmenter
        self.amounts = amounts
        self.cv = cv
        self.scoring = scoring
        self.random_state = random_state

    def _regressor_or_default(self):
        return reference_regressor() if self.regressor is None else self.regressor

    def _augmenters(self):
        """``{name: augmenter}`` to choose among."""
        if isinstance(self.augmenter, dict):
            if not self.augmenter:
                raise InvalidParameterError(
                    "The 'augmenter' parameter of AugmentedRegressor must name at least one "
                    "augmenter when it is a dict. Got {} instead."
                )
            bad = [name for name, a in self.augmenter.items() if not hasattr(a, "fit_resample")]
            if bad:
                raise InvalidParameterError(
                    f"The 'augmenter' parameter of AugmentedRegressor holds {bad[0]!r}, which "
                    "has no fit_resample; every value must be a sampler."
                )
            return dict(self.augmenter)
        return {"augmenter": VAEAugmenter() if self.augmenter is None else self.augmenter}

    def _candidates(self):
        """``[(strategy, amount), ...]``: no augmentation first, then every augmenter's amounts."""
        amounts = np.asarray(self.amounts, dtype=np.float64).ravel()
        if amounts.size == 0 or not np.all(np.isfinite(amounts) & (amounts >= 0)):
            raise InvalidParameterError(
                "The 'amounts' parameter of AugmentedRegressor must be non-negative numbers "
                f"(synthetic spectra per real one) or None. Got {self.amounts!r} instead."
            )
        positive = sorted({float(a) for a in amounts if a > 0})
        candidates = [NO_AUGMENTATION] if np.any(amounts == 0) else []
        for name, augmenter in self._augmenters().items():
            if positive and "n_samples" not in augmenter.get_params():
                raise TypeError(
                    f"amounts sets how many spectra the augmenter adds (its n_samples), but "
                    f"{type(augmenter).__name__} has no n_samples; pass amounts=None."
                )
            candidates += [(name, amount) for amount in positive]
        return candidates

    def get_metadata_routing(self) -> MetadataRouter:
        """How ``fit`` routes metadata: to the regressor's ``fit``.

        The augmenter receives none: imbalanced-learn's ``fit_resample``
        takes no metadata.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
            The routing (used with ``enable_metadata_routing=True``).
        """
        return fit_router(self, regressor=self._regressor_or_default())

    def _fit_params(self, X, sample_weight, fit_params):
        routed = routed_fit_params(self, sample_weight, fit_params)
        if routed is not None:
            params = dict(routed.regressor.fit)
        elif sample_weight is not None:
            check_takes_sample_weight(self._regressor_or_default(), "regressor")
            params = {"sample_weight": sample_weight}
        else:
            params = {}
        if "sample_weight" in params:
            params["sample_weight"] = check_sample_weight(params["sample_weight"], X)
        return params

    def _fit_candidate(self, X, y, augmenter, amount, params):
        """``(fitted augmenter or None, fitted regressor)`` for one candidate on ``X``, ``y``."""
        regressor = clone(self._regressor_or_default())
        X_fit, y_fit = X, y
        if augmenter is not None:
            augmenter = clone(augmenter)
            if amount is not None:
                augmenter.set_params(n_samples=max(1, round(amount * len(X))))
            X_fit, y_fit = augmenter.fit_resample(X, y)
            params = _extended_to_synthetic(params, X, X_fit)
        if self.regressor is None:
            y_fit = np.asarray(y_fit).reshape(len(y_fit), -1)
        return augmenter, regressor.fit(X_fit, y_fit, **params)

    def _choose(self, X, y, params):
        """Score every candidate by inner CV; return the best and the results table."""
        candidates = self._candidates()
        augmenters = self._augmenters()
        cv = self.cv
        if isinstance(cv, Integral):
            seed = seed_from(check_random_state(self.random_state))
            cv = KFold(cv, shuffle=True, random_state=seed)
        cv = check_cv(cv)
        n_splits = cv.get_n_splits(X, y)
        if n_splits > len(X):
            raise ValueError(
                f"cv={self.cv!r} needs at least {n_splits} samples to choose the augmentation; "
                f"got n_samples = {len(X)}. Use fewer folds, or amounts=None."
            )
        scorer = check_scoring(self._regressor_or_default(), scoring=self.scoring)
        scores = np.empty((len(candidates), n_splits))
        n_warnings = np.zeros(len(candidates), dtype=int)
        for k, (train, test) in enumerate(cv.split(X, y)):
            fold_params = take_rows(params, len(X), train)
            for c, (name, amount) in enumerate(candidates):
                augmenter = None if amount == 0 else augmenters[name]
                # Counted, not repeated per fold: the refit of the chosen one warns anew.
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    _, fitted = self._fit_candidate(
                        X[train], y[train], augmenter, amount, fold_params
                    )
                n_warnings[c] += len(caught)
                scores[c, k] = scorer(_Predicting(fitted, np.ndim(y)), X[test], y[test])
        results = {
            "strategy": np.array([name for name, _ in candidates]),
            "amount": np.array([amount for _, amount in candidates]),
            "mean_test_score": scores.mean(axis=1),
            "std_test_score": scores.std(axis=1),
            "n_warnings": n_warnings,
            **{f"split{k}_test_score": scores[:, k] for k in range(n_splits)},
        }
        # The first of the best: no augmentation wins ties, then smaller amounts.
        best = int(np.argmax(results["mean_test_score"]))
        return candidates[best], results

    @fit_context
    def fit(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None, **fit_params: Any
    ) -> Self:
        """Choose the augmentation by inner CV (with ``amounts``), augment, fit the regressor.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Training spectra.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each training sample in the regressor's fit (whose
            ``fit`` must take it); each synthetic sample gets the mean
            weight, as it stands for the training set as a whole. The
            augmenter is fitted unweighted; the inner CV's scores are not
            weighted. With ``sklearn.set_config(enable_metadata_routing=True)``
            it goes to the regressor only if it requests it
            (``regressor.set_fit_request(sample_weight=True)``).
        **fit_params : dict
            Other metadata for the regressor's ``fit``; only with metadata
            routing enabled. Per-sample metadata other than
            ``sample_weight`` cannot be extended to the synthetic samples
            and is refused.

        Returns
        -------
        self : AugmentedRegressor
            The fitted regressor.
        """
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True)
        params = self._fit_params(X, sample_weight, fit_params)
        if self.amounts is None:
            augmenters = self._augmenters()
            if len(augmenters) > 1 or isinstance(self.augmenter, dict):
                raise ValueError(
                    "augmenter names several augmenters to choose among, but amounts=None "
                    "asks for no choice; give amounts (e.g. (0, 1))."
                )
            (augmenter,) = augmenters.values()
            augmenter, regressor = self._fit_candidate(X, y, augmenter, None, params)
            strategy = amount = results = None
        else:
            (strategy, amount), results = self._choose(X, y, params)
            chosen = None if amount == 0 else self._augmenters()[strategy]
            augmenter, regressor = self._fit_candidate(X, y, chosen, amount, params)
        self.augmenter_, self.regressor_, self._y_ndim = augmenter, regressor, np.ndim(y)
        self.best_strategy_, self.best_amount_, self.cv_results_ = strategy, amount, results
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict with the regressor trained on the (augmented) data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels)
            Spectra.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted targets.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return _Predicting(self.regressor_, self._y_ndim).predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class _Predicting(RegressorMixin, BaseEstimator):
    """A fitted regressor whose predictions come back in the training ``y``'s shape."""

    def __init__(self, regressor, y_ndim):
        self.regressor = regressor
        self.y_ndim = y_ndim

    def predict(self, X):
        y_pred = np.asarray(self.regressor.predict(X))
        return y_pred.ravel() if self.y_ndim == 1 and y_pred.ndim == 2 else y_pred
