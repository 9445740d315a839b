"""Transferred spectra judged by what a lab does with them: a primary calibration."""

from collections.abc import Callable

import numpy as np
from sklearn.metrics import make_scorer, root_mean_squared_error
from sklearn.utils.validation import check_is_fitted

from sklspec.metrics._spectral import _check_spectra_pair
from sklspec.utils._sklearn_compat import HasMethods, validate_params
from sklspec.utils._typing import ArrayLike, EstimatorLike


@validate_params(
    {
        "X_true": ["array-like"],
        "X_pred": ["array-like"],
        "calibration": [HasMethods(["predict"])],
        "targets": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def calibration_error(
    X_true: ArrayLike,
    X_pred: ArrayLike,
    *,
    calibration: EstimatorLike,
    targets: ArrayLike | None = None,
) -> float:
    """RMSE of a primary calibration applied to predicted (transferred) spectra.

    A calibration model fitted on the primary instrument (spectra to
    analyte, e.g. a PLS of oil content) predicts the analyte from the
    transferred secondary spectra ``X_pred``. Its error against the known
    analyte values ``targets`` is the root mean squared error of prediction
    (RMSEP) a lab gets by running its primary calibration on the secondary
    instrument. Without ``targets``, the reference is what the calibration
    says on the true primary spectra ``X_true``: the analyte error caused by
    the transfer alone. A transfer can have a low spectral error and still
    lose the small spectral signal a calibration relies on; this metric sees
    that.

    Parameters
    ----------
    X_true : array-like of shape (n_samples, n_primary_channels)
        True primary spectra.
    X_pred : array-like of shape (n_samples, n_primary_channels)
        Predicted primary spectra (e.g. transferred from the secondary
        instrument), in the units the calibration was fitted on.
    calibration : fitted regressor
        Maps primary spectra to analyte values (any number of analytes).
    targets : array-like of shape (n_samples,) or (n_samples, n_analytes), default=None
        Known analyte values of the samples. None compares with the
        calibration's predictions on ``X_true``.

    Returns
    -------
    rmse : float
        Root mean squared error of the analyte predictions, averaged over
        analytes (lower is better; 0 is perfect).

    See Also
    --------
    make_calibration_scorer : The scorer, for ``GridSearchCV``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cross_decomposition import PLSRegression
    >>> from sklspec.metrics import calibration_error
    >>> rng = np.random.default_rng(0)
    >>> oil = rng.uniform(2, 5, size=60)
    >>> spectra = np.outer(oil, rng.uniform(size=20)) + rng.normal(0, 0.01, size=(60, 20))
    >>> calibration = PLSRegression(n_components=1).fit(spectra, oil)
    >>> transferred = spectra * 1.02  # a 2% gain error of the transfer
    >>> round(calibration_error(spectra, transferred, calibration=calibration, targets=oil), 2)
    0.07
    """
    check_is_fitted(calibration, msg="The calibration is not fitted; fit it on primary spectra.")
    X_true, X_pred = _check_spectra_pair(X_true, X_pred)
    predicted = np.asarray(calibration.predict(X_pred), dtype=np.float64)
    if targets is None:
        reference = np.asarray(calibration.predict(X_true), dtype=np.float64)
    else:
        reference = np.asarray(targets, dtype=np.float64)
        if len(reference) != len(X_pred):
            raise ValueError(
                f"targets has {len(reference)} rows but the spectra have {len(X_pred)}; "
                "give one analyte value (or row of values) per spectrum."
            )
    predicted = predicted.reshape(len(predicted), -1)
    reference = reference.reshape(len(reference), -1)
    if reference.shape[1] != predicted.shape[1]:
        raise ValueError(
            f"targets has {reference.shape[1]} analyte(s) but the calibration predicts "
            f"{predicted.shape[1]}."
        )
    return float(root_mean_squared_error(reference, predicted))


def make_calibration_scorer(calibration: EstimatorLike) -> Callable[..., float]:
    """A scorer: minus :func:`calibration_error` of a primary calibration.

    For ``GridSearchCV`` over transfer models: the candidate whose
    transferred spectra give the best analyte predictions through
    ``calibration`` wins. Greater is better (the error is negated).

    Without further set-up the reference is the calibration's prediction on
    the true primary spectra of each validation fold. To score against
    known analyte values, enable scikit-learn's metadata routing, request
    ``targets`` and pass them to the search's ``fit``; they are split with
    the folds::

        sklearn.set_config(enable_metadata_routing=True)
        scorer = make_calibration_scorer(calibration).set_score_request(targets=True)
        GridSearchCV(model, grid, scoring=scorer, cv=cv).fit(X_secondary, Y_primary,
                                                             targets=oil)

    Parameters
    ----------
    calibration : fitted regressor
        Maps primary spectra to analyte values.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``; ``y`` are the true primary spectra.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cross_decomposition import PLSRegression
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklspec.metrics import make_calibration_scorer
    >>> rng = np.random.default_rng(0)
    >>> oil = rng.uniform(2, 5, size=80)
    >>> primary = np.outer(oil, rng.uniform(size=20)) + rng.normal(0, 0.01, size=(80, 20))
    >>> secondary = primary[:, ::2] * 1.5 + rng.normal(0, 0.01, size=(80, 10))
    >>> calibration = PLSRegression(n_components=1).fit(primary, oil)
    >>> search = GridSearchCV(Ridge(), {"alpha": [1e-3, 1e3]},
    ...                       scoring=make_calibration_scorer(calibration))
    >>> search.fit(secondary, primary).best_params_
    {'alpha': 0.001}
    """
    check_is_fitted(calibration, msg="The calibration is not fitted; fit it on primary spectra.")
    return make_scorer(calibration_error, greater_is_better=False, calibration=calibration)
