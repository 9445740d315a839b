"""Input validation shared by sklspec's estimators and functions."""

import numbers
from typing import Any

import numpy as np

from sklspec.utils._sklearn_compat import check_sample_weight
from sklspec.utils._typing import ArrayLike, EstimatorLike

__all__ = [
    "check_wavelengths",
    "is_lazy_spectra",
    "validate_spectra",
    "wavelengths_from_columns",
]


def check_wavelengths(
    wavelengths: ArrayLike, *, n_features: int | None = None, name: str = "wavelengths"
) -> np.ndarray:
    """Validate a wavelength axis and return it as a float64 array.

    Parameters
    ----------
    wavelengths : array-like of shape (n_features,)
        The axis. Must be one-dimensional, finite and strictly monotonic
        (increasing or decreasing).
    n_features : int, default=None
        If given, the axis must have exactly this many points.
    name : str, default="wavelengths"
        Name used in error messages.

    Returns
    -------
    wavelengths : ndarray of shape (n_features,)
        The axis as float64.

    Raises
    ------
    ValueError
        If the axis is not 1-D, is empty, contains NaN or inf, is not
        strictly monotonic, or does not have ``n_features`` points.
    """
    try:
        axis = np.asarray(wavelengths, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers; got {wavelengths!r}.") from exc
    if axis.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {axis.shape}.")
    if axis.size == 0:
        raise ValueError(f"{name} must hold at least one wavelength; got none.")
    if not np.all(np.isfinite(axis)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if n_features is not None and axis.shape[0] != n_features:
        raise ValueError(
            f"{name} has {axis.shape[0]} points but the spectra have {n_features} "
            "channels; the axis must have one value per channel."
        )
    if axis.shape[0] > 1:
        steps = np.diff(axis)
        if not (np.all(steps > 0) or np.all(steps < 0)):
            raise ValueError(
                f"{name} must be strictly increasing or strictly decreasing; "
                "found repeated values or a change of direction."
            )
    return axis


def wavelengths_from_columns(X: ArrayLike) -> np.ndarray | None:
    """Read a wavelength axis from the column names of a DataFrame.

    Columns may be numbers (``245.01``) or strings that parse as numbers
    (``"245.01"``).

    Parameters
    ----------
    X : object
        Anything; only objects with a ``columns`` attribute are looked at.

    Returns
    -------
    wavelengths : ndarray of shape (n_features,) or None
        The parsed axis, or None when ``X`` has no columns or they are not
        all numeric.
    """
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    try:
        return np.asarray([float(c) for c in columns], dtype=np.float64)
    except (TypeError, ValueError):
        return None


def check_positive_int(value, name, *, minimum=1):
    """Raise a clear error unless ``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    return int(value)


def format_wavelengths(wavelengths):
    """Feature names for a wavelength axis: the shortest exact decimal of each value."""
    return np.asarray(
        [np.format_float_positional(float(w), trim="-") for w in wavelengths], dtype=object
    )


def numeric_column_names(X):
    """Column names of a DataFrame whose columns are numbers, as strings.

    scikit-learn records ``feature_names_in_`` only for string column names;
    spectra often come with float wavelengths as columns. This keeps them, as
    strings, so that ``get_feature_names_out`` and ``set_output`` can give
    them back. Returns None for anything else.
    """
    if wavelengths_from_columns(X) is None:
        return None
    columns = X.columns
    if all(isinstance(c, str) for c in columns):
        return None  # scikit-learn keeps these itself
    return np.asarray([str(c) for c in columns], dtype=object)


def check_map_shape(map_shape):
    """``(n_rows, n_columns)`` of a map as two positive ints."""
    try:
        n_rows, n_cols = map_shape
    except (TypeError, ValueError):
        raise ValueError(f"map_shape must be (n_rows, n_columns); got {map_shape!r}.") from None
    return check_positive_int(n_rows, "n_rows of map_shape"), check_positive_int(
        n_cols, "n_columns of map_shape"
    )


def is_lazy_spectra(X: ArrayLike) -> bool:
    """Whether ``X`` is spectra that stay on disk (e.g. :class:`~sklspec.datasets.SpectraFile`)."""
    return getattr(type(X), "_lazy_spectra", False) is True


def _check_lazy_spectra(X, name):
    """Check spectra on disk for NaN and inf, block by block (shape and dtype: on opening)."""
    for start in range(0, len(X), 16_384):
        finite = np.isfinite(X[start : start + 16_384]).all(axis=1)
        if not finite.all():
            row = start + int(np.flatnonzero(~finite)[0])
            raise ValueError(
                f"Input {name} contains NaN or infinity (first in row {row} of {X!r})."
            )


def validate_spectra(
    estimator: EstimatorLike,
    X: ArrayLike,
    y: ArrayLike | str = "no_validation",
    *,
    reset: bool = True,
    **check_params: Any,
) -> Any:
    """scikit-learn's ``validate_data``, keeping spectra on disk where they are.

    ``X`` (and ``y``) that are arrays go through ``validate_data`` with
    ``check_params`` unchanged. Spectra on disk (:func:`is_lazy_spectra`)
    are checked block by block (NaN and inf; their shape and dtype were
    checked when opened) and returned as they are; the other side, if any,
    is validated as an array. The number of features is recorded or
    checked either way.
    """
    from sklearn.utils import check_array, check_consistent_length

    from sklspec.utils._sklearn_compat import check_feature_names, check_n_features

    no_y = isinstance(y, str) and y == "no_validation"
    lazy_X, lazy_y = is_lazy_spectra(X), not no_y and is_lazy_spectra(y)
    if not (lazy_X or lazy_y):
        return validate_data(estimator, X, y, reset=reset, **check_params)
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None."
        )
    if lazy_X:
        _check_lazy_spectra(X, "X")
    else:
        X = check_array(X, dtype=[np.float32, np.float64], input_name="X")
    if not no_y:
        if lazy_y:
            _check_lazy_spectra(y, "y")
        else:
            y = check_array(y, ensure_2d=False, dtype=[np.float32, np.float64], input_name="y")
        check_consistent_length(X, y)
    check_feature_names(estimator, X, reset=reset)
    check_n_features(estimator, X, reset=reset)
    check_wavelength_columns(estimator, X, reset=reset)
    return X if no_y else (X, y)


def validate_data(
    estimator: EstimatorLike,
    X: ArrayLike | str = "no_validation",
    y: ArrayLike | str = "no_validation",
    *,
    reset: bool = True,
    **check_params: Any,
) -> Any:
    """scikit-learn's ``validate_data``, also recording or checking wavelength columns.

    scikit-learn records and checks the column names of a DataFrame only
    when they are strings. Spectra usually come with their wavelengths as
    numeric column names: with ``reset`` these are recorded (as strings, in
    ``_numeric_columns``), and otherwise a DataFrame whose wavelengths differ
    from those seen in ``fit`` is refused (:func:`check_wavelength_columns`).
    """
    from sklearn.utils.validation import validate_data as sklearn_validate_data

    result = sklearn_validate_data(estimator, X, y, reset=reset, **check_params)
    if not (isinstance(X, str) and X == "no_validation"):
        check_wavelength_columns(estimator, X, reset=reset)
    return result


def check_wavelength_columns(estimator: EstimatorLike, X: ArrayLike, *, reset: bool) -> None:
    """Record (``reset``) or check the numeric column names (wavelengths) of a DataFrame ``X``.

    The check refuses a DataFrame whose numeric column names differ from
    those ``estimator`` was fitted on (spectra on another wavelength grid,
    which an array of the same width would hide); arrays, and estimators
    fitted on arrays, are not checked.
    """
    if reset:
        estimator._numeric_columns = numeric_column_names(X)
        return
    fitted = getattr(estimator, "_numeric_columns", None)
    given = numeric_column_names(X)
    if fitted is None or given is None or len(fitted) != len(given):
        return
    fitted_axis, given_axis = fitted.astype(float), given.astype(float)
    tolerance = 1e-9 * max(1.0, float(np.abs(fitted_axis).max()))
    differs = np.abs(fitted_axis - given_axis) > tolerance
    if differs.any():
        first = int(np.argmax(differs))
        raise ValueError(
            f"X's columns are wavelengths {given[0]} to {given[-1]}, but "
            f"{type(estimator).__name__} was fitted on wavelengths {fitted[0]} to {fitted[-1]} "
            f"(column {first}: {given[first]}, fitted on {fitted[first]}). Resample the spectra "
            "onto the fitted grid (sklspec.preprocessing.WavelengthResampler), or pass "
            "X.to_numpy() if they are the same channels."
        )


def as_2d_targets(y):
    """``y`` with one column per target: 1-D arrays become a column, 2-D (or on-disk) stay."""
    return y if is_lazy_spectra(y) else y.reshape(len(y), -1)


def check_same_channels(estimator, X, y):
    """Refuse a ``y`` that is not as wide as ``X``, for methods that map channel to channel.

    DS, PDS, SST and CORAL map each secondary channel onto the same primary
    channel: both spectra must be on one wavelength grid.
    """
    if y.ndim != 2 or y.shape[1] != X.shape[1]:
        width = 1 if y.ndim == 1 else y.shape[1]
        raise ValueError(
            f"{type(estimator).__name__} maps each secondary channel onto the same primary "
            f"channel: y must have X's {X.shape[1]} channels, got {width}. Resample both "
            "onto one wavelength grid first."
        )


def normalized_sample_weight(sample_weight, X):
    """Per-row weights of mean 1 for a loss, or None when ``sample_weight`` weighs rows alike.

    Scaled to mean 1, weights change what a mean loss emphasises, not its
    size: the learning rate, the weight decay and the divergence checks
    mean what they meant without weights, and an integer weight counts as
    that many copies of the row. Equal weights (None included) give None,
    so that the unweighted computation, and its exact result, is kept.

    Raises
    ------
    ValueError
        For a wrong length, negative, NaN or infinite weights, or weights
        that are all zero.
    """
    if sample_weight is None:
        return None
    weights = check_sample_weight(sample_weight, X)
    total = float(weights.sum())  # > 0: check_sample_weight refuses all-zero weights
    if np.all(weights == weights[0]):
        return None
    return weights * (len(weights) / total)
