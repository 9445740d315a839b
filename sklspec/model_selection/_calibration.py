"""Scoring transferred spectra by what a lab does with them: a primary calibration's RMSEP."""

import numpy as np
from sklearn.base import clone
from sklearn.cross_decomposition import PLSRegression
from sklearn.model_selection import GridSearchCV, KFold

from sklspec.model_selection._metadata import routed_fit_params
from sklspec.utils._typing import ArrayLike, EstimatorLike, RandomStateLike


def fit_calibration(
    spectra: ArrayLike, targets: ArrayLike, *, random_state: RandomStateLike = 0
) -> EstimatorLike:
    """A PLS calibration of analytes on primary spectra, its components by 5-fold CV.

    Parameters
    ----------
    spectra : array-like of shape (n_spectra, n_channels)
        Primary spectra.
    targets : array-like of shape (n_spectra,) or (n_spectra, n_analytes)
        Their analyte values.
    random_state : int, default=0
        Seed of the folds.

    Returns
    -------
    calibration : PLSRegression
        Fitted with the components (1 to 10) of the lowest cross-validated
        RMSE.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.model_selection import fit_calibration
    >>> rng = np.random.default_rng(0)
    >>> spectra = rng.normal(size=(30, 20))
    >>> calibration = fit_calibration(spectra, spectra[:, :2] @ [1.0, -2.0])
    >>> calibration.n_components <= 10
    True
    """
    n_folds = min(5, len(spectra))
    largest = min(10, spectra.shape[1], len(spectra) - len(spectra) // n_folds - 1)
    search = GridSearchCV(
        PLSRegression(scale=False),
        {"n_components": list(range(1, max(1, largest) + 1))},
        cv=KFold(n_folds, shuffle=True, random_state=random_state),
        scoring="neg_root_mean_squared_error",
    )
    return search.fit(spectra, targets).best_estimator_


def fold_calibrations(X, Y, targets, *, cv, calibration=None, random_state=0, groups=None):
    """``[(train, test, calibration), ...]``: the folds and the RMSEP's calibration of each.

    ``calibration`` None: each fold's is fitted on that fold's training
    pairs, once for every model, so a held-out pair's primary spectrum never
    calibrates what scores it. ``groups`` goes to ``cv.split``.
    """
    targets = np.asarray(targets, dtype=np.float64).reshape(len(Y), -1)
    folds = []
    for train, test in cv.split(X, groups=groups):
        fold_calibration = calibration
        if fold_calibration is None:
            fold_calibration = fit_calibration(Y[train], targets[train], random_state=random_state)
        folds.append((train, test, fold_calibration))
    return folds


def cross_validated_rmsep(model, X, Y, targets, folds, params=None):
    """The RMSEP of a model's out-of-fold transfers through each fold's calibration.

    ``model`` None scores the true primary spectra (the floor). ``params``:
    metadata of the rows of ``X``, routed to each fold's fit.
    """
    from sklearn.metrics import root_mean_squared_error

    targets = np.asarray(targets, dtype=np.float64).reshape(len(Y), -1)
    predicted = np.empty_like(targets)
    for train, test, calibration in folds:
        if model is None:
            spectra = Y[test]
        else:
            fit_params = routed_fit_params(model, params, train, len(X))
            spectra = clone(model).fit(X[train], Y[train], **fit_params).predict(X[test])
        predicted[test] = np.asarray(calibration.predict(spectra)).reshape(len(test), -1)
    return float(root_mean_squared_error(targets, predicted))
