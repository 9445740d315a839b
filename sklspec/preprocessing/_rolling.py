"""Vectorized rolling-window kernels used by the baseline estimators.

They work on blocks of spectra (rows) at once; there is no loop over
individual spectra.
"""

from concurrent.futures import ThreadPoolExecutor
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from scipy import fft as sp_fft
from scipy.signal.windows import gaussian
from sklearn.utils._param_validation import Interval, validate_params

# Rows processed together. Small chunks keep the temporaries (padded
# copies, FFT buffers) in cache, which measured ~25% faster than 512 rows,
# and bound memory whatever the number of spectra (memmaps included).
_CHUNK_ROWS = 32


def two_sided_rolling_min(X, window):
    """Average of the trailing and the leading rolling minimum of each row.

    ``left[i] = min(x[max(0, i-w+1) .. i])`` and
    ``right[i] = min(x[i .. min(n-1, i+w-1)])``; windows are truncated at the
    ends of the spectrum, as pandas' ``rolling(w, min_periods=1)`` does.

    Each row is padded with ``w - 1`` values of +inf on both sides (+inf
    never wins a minimum, which gives the truncated windows). The minimum of
    every window of ``w`` padded values comes from doubling: the minima of
    windows of 2, 4, ..., 2^k <= w values, each one elementwise minimum of
    two shifted copies of the last, and then two overlapping windows of
    2^k. That is log2(w) + 1 passes that numpy runs with SIMD, against the
    sequential scans of the cumulative minima (van Herk / Gil-Werman),
    which measured 1.8 times slower; the minima are exact either way.
    """
    n_rows, n = X.shape
    pad = window - 1
    length = n + 2 * pad
    minima = np.empty((n_rows, length), dtype=X.dtype)
    minima[:, :pad] = np.inf
    minima[:, pad : pad + n] = X
    minima[:, pad + n :] = np.inf
    spare = np.empty_like(minima)
    span = 1
    while 2 * span <= window:
        # minima[p] = min(padded[p .. p + span - 1]) becomes the same over 2 * span.
        length -= span
        np.minimum(minima[:, :length], minima[:, span : length + span], out=spare[:, :length])
        minima, spare = spare, minima
        span *= 2
    n_windows = n + pad  # windows of w starting at padded positions 0 .. n + w - 2
    rest = window - span
    windows = np.minimum(minima[:, :n_windows], minima[:, rest : rest + n_windows])
    # left[i] is the window ending at x[i] (starting at padded i), right[i]
    # the one starting at x[i] (padded i + w - 1).
    result = windows[:, :n] + windows[:, pad : pad + n]
    result *= 0.5
    return result


def gaussian_mean_kernel(window, n_channels, dtype=np.float64):
    """FFT of the two-sided Gaussian-weighted rolling mean, and the FFT length.

    Weights are ``scipy.signal.windows.gaussian(window, std=window)``. The
    trailing window (offsets ``-(w-1) .. 0``) and the leading one (``0 .. w-1``)
    averaged together are one correlation with a kernel of ``2w - 1`` taps.
    The published code pads ``window`` zeros on both ends, which pulls the
    result down near the ends; a linear (not circular) convolution reproduces
    that, so the FFT length leaves room for the kernel on both sides.
    """
    weights = gaussian(window, std=window)
    kernel = np.zeros(2 * window - 1)
    kernel[:window] += weights
    kernel[window - 1 :] += weights
    kernel /= 2 * weights.sum()
    n_fft = sp_fft.next_fast_len(n_channels + 2 * window - 2, real=True)
    return sp_fft.rfft(kernel.astype(dtype), n_fft), n_fft


def two_sided_gaussian_mean(X, window, kernel_fft, n_fft):
    """Average of the trailing and leading Gaussian-weighted rolling means of each row."""
    spectrum_fft = sp_fft.rfft(X, n_fft, axis=1)
    spectrum_fft *= kernel_fft
    full = sp_fft.irfft(spectrum_fft, n_fft, axis=1)
    return full[:, window - 1 : window - 1 + X.shape[1]]


@validate_params(
    {
        "X": ["array-like"],
        "min_window": [Interval(Integral, 1, None, closed="left")],
        "smooth_window": [Interval(Integral, 1, None, closed="left")],
        "workers": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def rolling_min_gaussian_baseline(X, min_window=100, smooth_window=50, *, workers=None):
    """Baseline of the transfer paper: rolling minimum, then Gaussian smoothing.

    Parameters
    ----------
    X : ndarray of shape (n_spectra, n_channels), float32 or float64
        Spectra, one per row. Must be finite. May be a memmap: it is read in
        blocks of rows.
    min_window : int, default=100
        Width of the two-sided rolling minimum.
    smooth_window : int, default=50
        Width (and standard deviation) of the Gaussian-weighted rolling mean.
    workers : int, default=None
        Threads, each computing blocks of rows (numpy's and scipy's kernels
        release the GIL, so threads share the work without copies). None
        means 1; -1 means one per core (``os.cpu_count()``).

    Returns
    -------
    baseline : ndarray of the same shape and dtype as ``X``

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.preprocessing import rolling_min_gaussian_baseline
    >>> X = np.full((2, 300), 10.0)
    >>> X[:, 150] += 50.0  # a line on a flat continuum
    >>> baseline = rolling_min_gaussian_baseline(X, min_window=40, smooth_window=20)
    >>> bool(np.allclose(baseline[:, 100:200], 10.0))
    True
    """
    kernel_fft, n_fft = gaussian_mean_kernel(smooth_window, X.shape[1], X.dtype)
    out = np.empty(X.shape, dtype=X.dtype)

    def baseline_of(start):
        rows = slice(start, start + _CHUNK_ROWS)
        minima = two_sided_rolling_min(np.asarray(X[rows]), min_window)
        out[rows] = two_sided_gaussian_mean(minima, smooth_window, kernel_fft, n_fft)

    starts = range(0, X.shape[0], _CHUNK_ROWS)
    n_threads = min(effective_n_jobs(workers), len(starts))
    if n_threads <= 1:
        for start in starts:
            baseline_of(start)
    else:
        with ThreadPoolExecutor(n_threads) as pool:
            # list(): re-raise the first error of any block.
            list(pool.map(baseline_of, starts))
    return out
