"""Transformers that act on the wavelength axis: cropping and resampling."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_selection import SelectorMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from sklspec.base import DocLinkMixin, input_channel_names
from sklspec.utils._fit import fit_context
from sklspec.utils._sklearn_compat import StrOptions
from sklspec.utils._typing import ArrayLike, Self
from sklspec.utils.validation import (
    check_wavelength_columns,
    check_wavelengths,
    format_wavelengths,
    validate_data,
    wavelengths_from_columns,
)

_OUT_OF_RANGE = ("error", "crop", "nearest", "fill")


def _source_axis(wavelengths, X_raw, n_features):
    """The wavelength axis of ``X``: the parameter, else numeric columns, else channel index."""
    if wavelengths is not None:
        return check_wavelengths(wavelengths, n_features=n_features)
    from_columns = wavelengths_from_columns(X_raw)
    if from_columns is not None:
        return check_wavelengths(from_columns, n_features=n_features, name="the column names of X")
    columns = getattr(X_raw, "columns", None)
    if columns is not None:
        shown = ", ".join(repr(c) for c in list(columns)[:3])
        raise ValueError(
            f"The column names of X ({shown}, ...) cannot be read as wavelengths: name the "
            "columns by numbers (e.g. X.columns = [1100.0, 1102.0, ...]) or give "
            "wavelengths=..."
        )
    return np.arange(n_features, dtype=np.float64)


class WavelengthCropper(DocLinkMixin, SelectorMixin, BaseEstimator):
    """Keep the channels whose wavelength lies in a range.

    The wavelength axis is taken from ``wavelengths`` if given, else from the
    column names of a DataFrame ``X`` (numbers, or strings that parse as
    numbers), else it is the channel index ``0, 1, ...``.

    Parameters
    ----------
    min_wavelength : float, default=None
        Smallest wavelength kept (inclusive). None keeps from the start.
    max_wavelength : float, default=None
        Largest wavelength kept (inclusive). None keeps to the end.
    wavelengths : array-like of shape (n_channels,), default=None
        Wavelength of each channel, strictly increasing or decreasing.

    Attributes
    ----------
    wavelengths_in_ : ndarray of shape (``n_features_in_``,)
        The axis of the input spectra.
    wavelengths_out_ : ndarray of shape (n_features_out,)
        The wavelengths kept.
    n_features_in_ : int
        Number of channels seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of channels seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    WavelengthResampler : Bring spectra onto another wavelength grid.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.preprocessing import WavelengthCropper
    >>> wavelengths = np.linspace(245.0, 407.0, 7)
    >>> X = np.arange(14.0).reshape(2, 7)
    >>> cropper = WavelengthCropper(min_wavelength=260, max_wavelength=370,
    ...                             wavelengths=wavelengths)
    >>> cropper.fit_transform(X)
    array([[ 1.,  2.,  3.,  4.],
           [ 8.,  9., 10., 11.]])
    >>> cropper.get_feature_names_out()
    array(['272', '299', '326', '353'], dtype=object)
    """

    _parameter_constraints: dict = {
        "min_wavelength": [Real, None],
        "max_wavelength": [Real, None],
        "wavelengths": ["array-like", None],
    }

    def __init__(
        self,
        min_wavelength: float | None = None,
        max_wavelength: float | None = None,
        *,
        wavelengths: ArrayLike | None = None,
    ) -> None:
        self.min_wavelength = min_wavelength
        self.max_wavelength = max_wavelength
        self.wavelengths = wavelengths

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Find the channels inside the wavelength range.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra, one per row.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        axis_source = X
        X = validate_data(self, X, dtype="numeric")  # records wavelength columns
        self.wavelengths_in_ = _source_axis(self.wavelengths, axis_source, X.shape[1])
        low = -np.inf if self.min_wavelength is None else float(self.min_wavelength)
        high = np.inf if self.max_wavelength is None else float(self.max_wavelength)
        if low > high:
            raise ValueError(
                f"min_wavelength={self.min_wavelength} is larger than "
                f"max_wavelength={self.max_wavelength}."
            )
        self.support_ = (self.wavelengths_in_ >= low) & (self.wavelengths_in_ <= high)
        if not self.support_.any():
            raise ValueError(
                f"No channel lies between {low} and {high}; the wavelength axis "
                f"spans {self.wavelengths_in_.min()} to {self.wavelengths_in_.max()}."
            )
        self.wavelengths_out_ = self.wavelengths_in_[self.support_]
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Keep the channels inside the wavelength range.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra on the axis seen in ``fit``; a DataFrame whose column
            wavelengths differ from those is refused.

        Returns
        -------
        X_cropped : ndarray of shape (n_spectra, n_kept)
            The kept channels.
        """
        check_is_fitted(self)
        check_wavelength_columns(self, X, reset=False)
        return super().transform(X)

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the kept channels: their wavelengths.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input channel names; by default the column names seen in
            ``fit``, else the wavelengths.

        Returns
        -------
        feature_names_out : ndarray of str objects
            Names of the kept channels.
        """
        check_is_fitted(self)
        if input_features is not None:
            return super().get_feature_names_out(input_features)
        named_columns = hasattr(self, "feature_names_in_") or self._numeric_columns is not None
        if self.wavelengths is not None and not named_columns:
            return format_wavelengths(self.wavelengths_out_)
        return input_channel_names(self)[self.support_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


class WavelengthResampler(DocLinkMixin, TransformerMixin, BaseEstimator):
    """Resample spectra onto a target wavelength grid by linear interpolation.

    Typical use: bring two instruments onto a common grid. The source axis is
    taken from ``wavelengths`` if given, else from the column names of a
    DataFrame ``X``, else it is the channel index. Interpolation weights are
    computed once in ``fit``; ``transform`` is a vectorized gather over
    all spectra.

    Parameters
    ----------
    target_wavelengths : array-like of shape (n_targets,)
        The grid to resample onto; strictly increasing or decreasing.
    wavelengths : array-like of shape (n_channels,), default=None
        Wavelength of each input channel, strictly increasing or decreasing.
    out_of_range : {"error", "crop", "nearest", "fill"}, default="error"
        What to do with target points outside the source range:

        - ``"error"``: raise a ``ValueError`` in ``fit``;
        - ``"crop"``: drop them from the output;
        - ``"nearest"``: repeat the nearest edge value of the spectrum;
        - ``"fill"``: set them to ``fill_value``.
    fill_value : float, default=0.0
        Value for out-of-range points with ``out_of_range="fill"``.

    Attributes
    ----------
    wavelengths_in_ : ndarray of shape (``n_features_in_``,)
        The source axis.
    wavelengths_out_ : ndarray of shape (n_features_out,)
        The output axis (``target_wavelengths``, less the cropped points).
    n_features_in_ : int
        Number of channels seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of channels seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    WavelengthCropper : Keep a wavelength range without interpolating.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.preprocessing import WavelengthResampler
    >>> X = np.array([[0.0, 10.0, 20.0, 30.0]])
    >>> resampler = WavelengthResampler([250.5, 251.5, 252.0],
    ...                                 wavelengths=[250, 251, 252, 253])
    >>> resampler.fit_transform(X)
    array([[ 5., 15., 20.]])
    >>> resampler.get_feature_names_out()
    array(['250.5', '251.5', '252'], dtype=object)
    """

    _parameter_constraints: dict = {
        "target_wavelengths": ["array-like"],
        "wavelengths": ["array-like", None],
        "out_of_range": [StrOptions(set(_OUT_OF_RANGE))],
        "fill_value": [Real],
    }

    def __init__(
        self,
        target_wavelengths: ArrayLike,
        *,
        wavelengths: ArrayLike | None = None,
        out_of_range: str = "error",
        fill_value: float = 0.0,
    ) -> None:
        self.target_wavelengths = target_wavelengths
        self.wavelengths = wavelengths
        self.out_of_range = out_of_range
        self.fill_value = fill_value

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Compute the interpolation weights from the source to the target grid.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra, one per row.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        axis_source = X
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if X.shape[1] < 2:
            raise ValueError(
                f"Interpolation needs at least 2 channels; got 1 feature(s) "
                f"(n_features = {X.shape[1]})."
            )
        source = _source_axis(self.wavelengths, axis_source, X.shape[1])
        target = check_wavelengths(self.target_wavelengths, name="target_wavelengths")
        self.wavelengths_in_ = source
        self._order, self._left, self._weight, self._outside, self.wavelengths_out_ = (
            _interpolation(source, target, self.out_of_range)
        )
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Interpolate the spectra at the target wavelengths.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra on the source axis.

        Returns
        -------
        X_resampled : ndarray of shape (n_spectra, n_features_out)
            Spectra on ``wavelengths_out_``, same dtype as ``X``.
        """
        check_is_fitted(self)
        new_axis = None if self.wavelengths is not None else wavelengths_from_columns(X)
        if new_axis is not None and not np.array_equal(new_axis, self.wavelengths_in_):
            return self._resample_from(new_axis, X)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return _interpolate(X, self._order, self._left, self._weight, self._outside,
                            self.fill_value)  # fmt: skip

    def _resample_from(self, axis, X):
        """Spectra of a DataFrame on another axis (its column names), onto the fitted targets."""
        X = check_array(X, dtype=[np.float64, np.float32], input_name="X")
        axis = check_wavelengths(axis, n_features=X.shape[1], name="the column names of X")
        if X.shape[1] < 2:
            raise ValueError("Interpolation needs at least 2 channels; X has 1.")
        # The fitted output points, every one of them: "crop" dropped what the fit's axis
        # did not cover, and the output keeps its width.
        mode = "error" if self.out_of_range == "crop" else self.out_of_range
        order, left, weight, outside, _ = _interpolation(axis, self.wavelengths_out_, mode)
        return _interpolate(X, order, left, weight, outside, self.fill_value)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Names of the output channels: the target wavelengths.

        Parameters
        ----------
        input_features : None
            Ignored; present for API consistency.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The output wavelengths, formatted as the shortest exact decimal.
        """
        check_is_fitted(self)
        return format_wavelengths(self.wavelengths_out_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _interpolation(source, target, out_of_range):
    """``(order, left, weight, outside, target)`` of linear interpolation from ``source``."""
    order = np.argsort(source)
    order_or_none = None if np.all(order == np.arange(order.size)) else order
    sorted_source = source[order]
    inside = (target >= sorted_source[0]) & (target <= sorted_source[-1])
    if not inside.all() and out_of_range == "error":
        raise ValueError(
            f"{np.count_nonzero(~inside)} of {target.size} target wavelengths lie "
            f"outside the source range {sorted_source[0]} to {sorted_source[-1]}. "
            "Choose out_of_range='crop', 'nearest' or 'fill' to handle them."
        )
    if out_of_range == "crop":
        if not inside.any():
            raise ValueError("No target wavelength lies inside the source range.")
        target, inside = target[inside], inside[inside]
    clipped = np.clip(target, sorted_source[0], sorted_source[-1])
    left = np.clip(np.searchsorted(sorted_source, clipped, side="right") - 1, 0, source.size - 2)
    step = sorted_source[left + 1] - sorted_source[left]
    weight = (clipped - sorted_source[left]) / step
    outside = None if inside.all() or out_of_range != "fill" else ~inside
    return order_or_none, left, weight, outside, target


def _interpolate(X, order, left, weight, outside, fill_value):
    if order is not None:
        X = X[:, order]
    weight = weight.astype(X.dtype)
    out = X[:, left] * (1 - weight) + X[:, left + 1] * weight
    if outside is not None:
        out[:, outside] = fill_value
    return out
