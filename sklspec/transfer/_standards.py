"""The paired standards that calibration-transfer estimators take in ``fit``."""

import numpy as np
from sklearn.utils import check_array


def check_standards(estimator, X, X_primary, X_secondary, *, needed=None):
    """``(primary, secondary)`` as float64 arrays, checked against ``X``; None without standards.

    Parameters
    ----------
    estimator : estimator
        Named in the errors.
    X : ndarray of shape (n_samples, n_channels)
        The validated calibration spectra.
    X_primary, X_secondary : array-like or None
        The same standards on each instrument, row by row (both or neither).
    needed : int, default=None
        The fewest pairs the estimator's settings need (its ``n_components``).
    """
    name = type(estimator).__name__
    if X_primary is None and X_secondary is None:
        return None
    if X_primary is None or X_secondary is None:
        raise ValueError(
            f"{name}.fit needs X_primary and X_secondary together: the same standards "
            "measured on each instrument."
        )
    primary = check_array(X_primary, dtype=np.float64, input_name="X_primary")
    secondary = check_array(X_secondary, dtype=np.float64, input_name="X_secondary")
    if primary.shape != secondary.shape:
        raise ValueError(
            f"{name}.fit: X_primary has shape {primary.shape} and X_secondary "
            f"{secondary.shape}; rows must be the same standards on each instrument."
        )
    if primary.shape[1] != X.shape[1]:
        raise ValueError(
            f"{name}.fit: the standards have {primary.shape[1]} channels and X has "
            f"{X.shape[1]}; put both instruments' spectra on the calibration's wavelengths."
        )
    if needed is not None and len(primary) < needed:
        raise ValueError(
            f"{name}(n_components={needed}) needs at least {needed} pairs of standards; "
            f"got {len(primary)}."
        )
    return primary, secondary
