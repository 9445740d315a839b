"""SpectralScaler: centre spectra, then scale every channel, all channels alike, or none."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted

from sklspec.base import DocLinkMixin, OneToOneWavelengthMixin
from sklspec.utils._fit import fit_context
from sklspec.utils._sklearn_compat import StrOptions
from sklspec.utils._typing import ArrayLike, Self
from sklspec.utils.validation import validate_data

SCALINGS = ("global", "channel", "none")


class SpectralScaler(DocLinkMixin, OneToOneWavelengthMixin, TransformerMixin, BaseEstimator):
    """Centre each channel, then divide by one scale for all channels, per channel, or not at all.

    The scaling in front of sklspec's transfer models and latent libraries.
    ``scaling="channel"`` is scikit-learn's ``StandardScaler``: every
    channel gets unit variance, so a quiet channel, whose variation is
    mostly noise and leftover baseline, weighs as much as a strong emission
    line. Under baseline drift between days (a LIBS test map whose
    continuum moved), those amplified channels carry the drift into every
    model. ``scaling="global"`` divides all channels by one number (the root
    mean square of the centred spectra), so the spectra keep their shape
    and the networks still see values of order one. ``"none"`` only
    centres. See the user guide's "Scaling" section for the measurements
    behind sklspec's default.

    Parameters
    ----------
    scaling : {"global", "channel", "none"}, default="global"
        ``"global"``: one scale for every channel, the root mean square of
        the centred training spectra; ``"channel"``: each channel's own
        standard deviation (as ``StandardScaler``); ``"none"``: centring
        only. Channels (or spectra) without variation are divided by 1.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Mean of each channel over the training spectra.
    scale_ : ndarray of shape (n_features,)
        What each centred channel is divided by (one value repeated for
        ``"global"``, ones for ``"none"``).
    n_features_in_ : int
        Number of channels seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Channel names, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The per-channel scaling.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.preprocessing import SpectralScaler
    >>> X = np.array([[0.0, 10.0], [2.0, 30.0], [4.0, 50.0]])
    >>> scaler = SpectralScaler().fit(X)
    >>> scaler.scale_.round(3)  # one scale for both channels
    array([11.605, 11.605])
    >>> Xt = scaler.transform(X)
    >>> Xt[[0, 2], 1] / Xt[[0, 2], 0]  # the shape of the spectra is kept
    array([10., 10.])
    >>> SpectralScaler(scaling="channel").fit_transform(X).round(3)
    array([[-1.225, -1.225],
           [ 0.   ,  0.   ],
           [ 1.225,  1.225]])
    """

    _parameter_constraints: dict = {"scaling": [StrOptions(set(SCALINGS))]}

    def __init__(self, scaling: str = "global") -> None:
        self.scaling = scaling

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Compute the channel means and the scale.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training spectra.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        X = validate_data(self, X, dtype=FLOAT_DTYPES)  # records wavelength columns
        mean = X.mean(axis=0)
        if self.scaling == "channel":
            scale = X.std(axis=0)
            scale[scale == 0] = 1.0
        elif self.scaling == "global":
            spread = float(np.sqrt(np.mean((X - mean) ** 2))) if X.size else 0.0
            scale = np.full(X.shape[1], spread if spread > 0 else 1.0, dtype=X.dtype)
        else:
            scale = np.ones(X.shape[1], dtype=X.dtype)
        self.mean_, self.scale_ = mean, scale.astype(X.dtype, copy=False)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Centre and scale spectra.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Spectra.

        Returns
        -------
        X_scaled : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=False)
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Spectra back in their own units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Scaled spectra (e.g. a model's predictions).

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=False)
        return X * self.scale_ + self.mean_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
