"""Baseline (continuum) subtraction for spectra."""

import inspect
from numbers import Integral
from typing import Any

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sklspec.base import DocLinkMixin, OneToOneWavelengthMixin
from sklspec.preprocessing._rolling import _rolling_min_gaussian
from sklspec.utils._fit import fit_context
from sklspec.utils._optional import import_optional
from sklspec.utils._sklearn_compat import Interval
from sklspec.utils._typing import ArrayLike, Self
from sklspec.utils.validation import validate_data

ROLLING_MIN_GAUSSIAN = "rolling_min_gaussian"


def _pybaselines_fitter():
    feature = "BaselineSubtractor methods other than 'rolling_min_gaussian'"
    return import_optional("pybaselines", feature).Baseline


def _pybaselines_chunk(X, method, method_params):
    """Fit one pybaselines algorithm to each row of ``X``."""
    fitter = _pybaselines_fitter()(x_data=np.arange(X.shape[1], dtype=np.float64))
    algorithm = getattr(fitter, method)
    return np.vstack([algorithm(row, **method_params)[0] for row in X])


class BaselineSubtractor(DocLinkMixin, OneToOneWavelengthMixin, TransformerMixin, BaseEstimator):
    """Subtract an estimated baseline (continuum) from each spectrum.

    The default method is the transfer paper's (Vrábel et al., JAAS 2023):
    a two-sided rolling minimum of width ``min_window`` followed by a
    two-sided Gaussian-weighted rolling mean of width ``smooth_window``,
    computed for all spectra at once. Other algorithms come from
    `pybaselines <https://pybaselines.readthedocs.io>`_ (optional extra
    ``sklspec[baselines]``).

    The transformer is stateless: ``fit`` only validates the input and
    records its width.

    Parameters
    ----------
    method : str, default="rolling_min_gaussian"
        ``"rolling_min_gaussian"`` for the published algorithm, or the name of
        any algorithm of :class:`pybaselines.Baseline` (``"snip"``,
        ``"arpls"``, ``"asls"``, ``"modpoly"``, ...).
    min_window : int, default=100
        Width, in channels, of the rolling minimum (``rolling_min_gaussian``
        only). The paper's text states 100; its published results were in
        fact computed with 200 (see the user guide).
    smooth_window : int, default=50
        Width, and standard deviation, in channels, of the Gaussian-weighted
        rolling mean (``rolling_min_gaussian`` only). The paper's text states
        50; its published results used 100.
    method_params : dict, default=None
        Keyword arguments for the pybaselines algorithm, e.g.
        ``{"max_half_window": 40}`` for ``"snip"`` or ``{"lam": 1e5}`` for
        ``"arpls"``. Must be None for ``rolling_min_gaussian``.
    n_jobs : int, default=None
        Parallel jobs. For ``rolling_min_gaussian``, threads that each
        compute blocks of 16 spectra (numpy, scipy and FFTW release the GIL:
        no copies, no processes); for pybaselines methods, spectra are split
        into ``n_jobs`` blocks fitted in parallel with joblib. None means 1,
        -1 means all processors.

    Attributes
    ----------
    n_features_in_ : int
        Number of channels seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of channels seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    WavelengthCropper : Keep a wavelength range.
    sklearn.preprocessing.StandardScaler : The paper's scaling after baseline
        subtraction.

    Notes
    -----
    The published implementation pads the spectrum with ``smooth_window``
    zeros before smoothing, which pulls the baseline down within about
    ``smooth_window`` channels of both ends. This implementation keeps that
    behaviour so that it reproduces the published outputs (to about 1e-14
    relative error).

    The smoothing is an FFT convolution. With the optional extra
    ``sklspec[fftw]`` (pyFFTW) installed, float64 spectra are smoothed with
    FFTW's plans, about 1.5 times faster than with scipy.fft; the results
    differ by about 1e-15 relative.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.preprocessing import BaselineSubtractor
    >>> channels = np.arange(500)
    >>> peaks = 50 * np.exp(-0.5 * ((channels - 250) / 3) ** 2)
    >>> X = np.vstack([peaks + 10 + 0.01 * channels, peaks + 20])
    >>> corrected = BaselineSubtractor(min_window=60, smooth_window=30).fit_transform(X)
    >>> corrected.shape
    (2, 500)
    >>> bool(abs(corrected[1, 100]) < 1e-6)  # flat continuum removed
    True
    >>> round(float(corrected[1, 250]), 1)  # peak height kept
    50.0
    """

    _parameter_constraints: dict = {
        "method": [str],
        "min_window": [Interval(Integral, 1, None, closed="left")],
        "smooth_window": [Interval(Integral, 1, None, closed="left")],
        "method_params": [dict, None],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        method: str = ROLLING_MIN_GAUSSIAN,
        *,
        min_window: int = 100,
        smooth_window: int = 50,
        method_params: dict[str, Any] | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.method = method
        self.min_window = min_window
        self.smooth_window = smooth_window
        self.method_params = method_params
        self.n_jobs = n_jobs

    @fit_context
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> Self:
        """Validate the spectra and the parameters.

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
        self._check_method()
        X = validate_data(self, X, dtype=[np.float64, np.float32])  # records wavelength columns
        self._check_windows(X.shape[1])
        return self

    def _check_method(self):
        if self.method == ROLLING_MIN_GAUSSIAN:
            if self.method_params:
                raise ValueError(
                    "method_params is for pybaselines algorithms; "
                    "'rolling_min_gaussian' takes min_window and smooth_window instead."
                )
            return
        Baseline = _pybaselines_fitter()
        if self.method.startswith("_") or not callable(getattr(Baseline, self.method, None)):
            raise ValueError(
                f"Unknown baseline method {self.method!r}. Use "
                f"'{ROLLING_MIN_GAUSSIAN}' or an algorithm of pybaselines.Baseline "
                "such as 'snip', 'arpls', 'asls' or 'modpoly'."
            )
        # Keys checked by name: some algorithms take **kwargs and ignore what they do not use.
        named = [
            name
            for name, parameter in inspect.signature(
                getattr(Baseline, self.method)
            ).parameters.items()
            if name not in ("self", "data") and parameter.kind is not parameter.VAR_KEYWORD
        ]
        unknown = sorted(set(self.method_params or {}) - set(named))
        if unknown:
            raise ValueError(
                f"method_params {unknown} are not parameters of pybaselines' {self.method!r}; "
                f"it takes {', '.join(named)}."
            )

    def _check_windows(self, n_features):
        if self.method != ROLLING_MIN_GAUSSIAN:
            return
        for name in ("min_window", "smooth_window"):
            width = getattr(self, name)
            if width > n_features:
                raise ValueError(
                    f"{name}={width} is wider than the spectra (n_features = "
                    f"{n_features}); use a window of at most {n_features} channels."
                )

    def estimate_baseline(self, X: ArrayLike) -> np.ndarray:
        """Return the estimated baseline of each spectrum.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra, one per row.

        Returns
        -------
        baseline : ndarray of shape (n_spectra, n_channels)
            The baseline; ``transform(X)`` is ``X - baseline``. float32 input
            gives float32 output.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self._baseline(X)

    def _baseline(self, X):
        if self.method == ROLLING_MIN_GAUSSIAN:
            return _rolling_min_gaussian(X, self.min_window, self.smooth_window, self.n_jobs)
        params = self.method_params or {}
        n_blocks = min(effective_n_jobs(self.n_jobs), X.shape[0])
        try:
            blocks = Parallel(n_jobs=self.n_jobs)(
                delayed(_pybaselines_chunk)(block, self.method, params)
                for block in np.array_split(X, n_blocks)
            )
        except TypeError as exc:
            raise ValueError(
                f"method_params {params!r} were not accepted by pybaselines' {self.method!r}: {exc}"
            ) from exc
        return np.vstack(blocks).astype(X.dtype, copy=False)

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Subtract the baseline from each spectrum.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_channels)
            Spectra, one per row.

        Returns
        -------
        X_corrected : ndarray of shape (n_spectra, n_channels)
            Spectra minus their baseline.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        if self.method == ROLLING_MIN_GAUSSIAN:
            return _rolling_min_gaussian(
                X, self.min_window, self.smooth_window, self.n_jobs, subtract=True
            )
        return X - self._baseline(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
