"""AugmentedRegressor: fit a regressor on training data augmented by a sampler."""

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.utils.metadata_routing import MetadataRouter
from sklearn.utils.validation import check_is_fitted, validate_data

from sklspec.augmentation._augmenter import VAEAugmenter, reference_regressor
from sklspec.base import DocLinkMixin
from sklspec.utils._fit import fit_context
from sklspec.utils._routing import check_takes_sample_weight, fit_router, routed_fit_params
from sklspec.utils._sklearn_compat import HasMethods, check_sample_weight
from sklspec.utils._typing import ArrayLike, EstimatorLike, Self


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


class AugmentedRegressor(DocLinkMixin, MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """A regressor trained on its training data plus synthetic samples.

    ``fit`` calls ``augmenter.fit_resample(X, y)`` on a clone of the
    augmenter and fits a clone of ``regressor`` on the result; ``predict``
    is the regressor's. Augmentation therefore happens only when fitting,
    on the training folds only, which makes it safe in a plain scikit-learn
    ``Pipeline``, ``cross_validate`` or ``GridSearchCV`` (tune the
    augmenter through ``augmenter__sampling`` and the like).

    Parameters
    ----------
    regressor : regressor or None, default=None
        The model to train. None means
        :func:`~sklspec.augmentation.reference_regressor`, the augmentation
        paper's one MLP per target (fitted on a 2-D ``y``; predictions come
        back in ``y``'s shape).
    augmenter : sampler or None, default=None
        Anything with ``fit_resample(X, y)``; None means ``VAEAugmenter()``.

    Attributes
    ----------
    augmenter_ : sampler
        The fitted clone of ``augmenter``.
    regressor_ : regressor
        The clone of ``regressor`` fitted on the augmented data.
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
    >>> X, y = make_absorption_mixtures(200, return_X_y=True, random_state=0)
    >>> vae = VAEEncoder((32,), latent_dim=4, max_epochs=20, device="cpu")
    >>> model = AugmentedRegressor(
    ...     Ridge(), VAEAugmenter(vae, conditional=True, random_state=0)).fit(X, y)
    >>> model.predict(X[:3]).shape
    (3, 8)
    >>> len(model.augmenter_.vae_.history_) > 0
    True
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"]), None],
        "augmenter": [HasMethods(["fit_resample"]), None],
    }

    def __init__(
        self, regressor: EstimatorLike | None = None, augmenter: EstimatorLike | None = None
    ) -> None:
        self.regressor = regressor
        self.augmenter = augmenter

    def _regressor_or_default(self):
        return reference_regressor() if self.regressor is None else self.regressor

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

    @fit_context
    def fit(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None, **fit_params: Any
    ) -> Self:
        """Augment ``(X, y)`` and fit the regressor on the result.

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
            augmenter is fitted unweighted. With
            ``sklearn.set_config(enable_metadata_routing=True)`` it goes to
            the regressor only if it requests it
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
        regressor = clone(self._regressor_or_default())
        routed = routed_fit_params(self, sample_weight, fit_params)
        if routed is not None:
            params = dict(routed.regressor.fit)
        elif sample_weight is not None:
            check_takes_sample_weight(regressor, "regressor")
            params = {"sample_weight": sample_weight}
        else:
            params = {}
        if "sample_weight" in params:
            params["sample_weight"] = check_sample_weight(params["sample_weight"], X)
        augmenter = VAEAugmenter() if self.augmenter is None else clone(self.augmenter)
        X_aug, y_aug = augmenter.fit_resample(X, y)
        params = _extended_to_synthetic(params, X, X_aug)
        if self.regressor is None:
            regressor.fit(X_aug, y_aug.reshape(len(y_aug), -1), **params)
        else:
            regressor.fit(X_aug, y_aug, **params)
        self.augmenter_, self.regressor_, self._y_ndim = augmenter, regressor, np.ndim(y)
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict with the regressor trained on the augmented data.

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
        y_pred = self.regressor_.predict(X)
        return y_pred.ravel() if self._y_ndim == 1 and y_pred.ndim == 2 else y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
