"""Vectorized rolling-window kernels used by the baseline estimators.

They work on blocks of spectra (rows) at once; there is no loop over
individual spectra.
"""

import functools
import importlib
import threading
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from scipy import fft as sp_fft
from scipy.signal.windows import gaussian
from sklearn.utils import check_array

from sklspec.utils._sklearn_compat import Interval, validate_params
from sklspec.utils._typing import ArrayLike

# Rows processed together: the three work buffers of a block of 16
# 4062-channel float64 spectra (1.6 MB) fit in a 2 MB L2 cache.
_CHUNK_ROWS = 16
_BLOCKS_PER_TASK = 8


@functools.cache
def _pyfftw():
    """pyFFTW (extra ``sklspec[fftw]``) when installed, else None.

    FFTW's plans ran the smoothing's FFT pair in 17 us per 4062-channel
    float64 spectrum against 25-32 us for scipy's pocketfft; the outputs
    agree to about 1e-15. Without it, scipy.fft does the same work.
    """
    try:
        return importlib.import_module("pyfftw")
    except ImportError:
        return None


def _fftw_fast_length(n):
    """Smallest length >= n of the form FFTW is fastest at.

    That is 2^a 3^b 5^c 7^d, times at most one 11 or 13 (FFTW's manual).
    """
    length = n
    while True:
        rest = length
        for factor in (2, 3, 5, 7):
            while rest % factor == 0:
                rest //= factor
        if rest in (1, 11, 13):
            return length
        length += 1


class _Workspace:
    """Buffers (and FFTW plans) one thread reuses for every block of rows.

    Fresh arrays of this size for each block were returned to the system
    and faulted back in: about 60,000 page faults and twice the time for
    2000 spectra. The FFT's spectrum and output reuse the memory of the
    rolling minimum's two buffers, which are free by then, so that a block
    needs three buffers, not five.
    """

    def __init__(self, n_rows, n_channels, min_window, n_fft, dtype, fftw=None):
        padded = n_channels + 2 * (min_window - 1)
        dtype = np.dtype(dtype)
        n_freq = n_fft // 2 + 1
        # Each buffer holds a block of padded spectra for the minimum, or of
        # FFT spectra (2 * n_freq reals a row) or outputs (n_fft a row).
        size = n_rows * max(padded, 2 * n_freq, n_fft)
        allocate = np.empty if fftw is None else fftw.empty_aligned
        first, second = allocate(size, dtype=dtype), allocate(size, dtype=dtype)
        self.minima = first[: n_rows * padded].reshape(n_rows, padded)
        self.spare = second[: n_rows * padded].reshape(n_rows, padded)
        self.n_fft = n_fft
        self._plans = None
        # The minima are written into the first n_channels columns; the rest
        # stays zero, the padding of the linear convolution.
        self.smooth_input = (np.zeros if fftw is None else fftw.zeros_aligned)(
            (n_rows, n_fft), dtype=dtype
        )
        if fftw is None:
            return
        complex_dtype = np.result_type(dtype, 1j)
        spectrum = first[: n_rows * 2 * n_freq].view(complex_dtype).reshape(n_rows, n_freq)
        smoothed = second[: n_rows * n_fft].reshape(n_rows, n_fft)
        # FFTW_ESTIMATE plans in milliseconds; measuring plans took 0.5-1.8 s
        # for 10% more speed. A real-to-complex plan keeps its input (and so
        # the zero padding).
        forward = fftw.FFTW(self.smooth_input, spectrum, axes=(1,), flags=("FFTW_ESTIMATE",))
        backward = fftw.FFTW(
            spectrum,
            smoothed,
            axes=(1,),
            direction="FFTW_BACKWARD",
            flags=("FFTW_ESTIMATE", "FFTW_DESTROY_INPUT"),
        )
        self._plans = forward, spectrum, backward, smoothed

    def convolve(self, n_rows, kernel_fft):
        """Linear convolution of the first ``n_rows`` rows of ``smooth_input``, all columns."""
        if self._plans is None:
            spectrum = sp_fft.rfft(self.smooth_input[:n_rows], axis=1)
            spectrum *= kernel_fft
            return sp_fft.irfft(spectrum, self.n_fft, axis=1, overwrite_x=True)
        forward, spectrum, backward, smoothed = self._plans
        # The plans are for whole blocks; the rows past n_rows of the last,
        # shorter block are left over from the one before and discarded.
        forward()
        np.multiply(spectrum, kernel_fft, out=spectrum)
        backward()  # calling the plan (not .execute()) divides by n_fft
        return smoothed[:n_rows]


def two_sided_rolling_min(X, window, *, out=None, workspace=None, halve=True):
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

    ``out`` (same shape as ``X``) receives the result; ``workspace`` is a
    :class:`_Workspace` with at least as many rows as ``X``. ``halve=False``
    returns the sum of the two minima, for a caller that folds the halving
    into a later linear step.
    """
    n_rows, n = X.shape
    pad = window - 1
    length = n + 2 * pad
    if workspace is None:
        minima, spare = np.empty((2, n_rows, length), dtype=X.dtype)
    else:
        minima, spare = workspace.minima[:n_rows], workspace.spare[:n_rows]
    if out is None:
        out = np.empty(X.shape, dtype=X.dtype)
    if window == 1:
        minima[:] = X
        span = 1
    else:
        # The first step (windows of 2) reads X itself, not a padded copy.
        length -= 1
        minima[:, : pad - 1] = np.inf
        minima[:, pad - 1] = X[:, 0]
        np.minimum(X[:, :-1], X[:, 1:], out=minima[:, pad : pad + n - 1])
        minima[:, pad + n - 1] = X[:, -1]
        minima[:, pad + n : length] = np.inf
        span = 2
    while 2 * span <= window:
        # minima[p] = min(padded[p .. p + span - 1]) becomes the same over 2 * span.
        length -= span
        np.minimum(minima[:, :length], minima[:, span : length + span], out=spare[:, :length])
        minima, spare = spare, minima
        span *= 2
    n_windows = n + pad  # windows of w starting at padded positions 0 .. n + w - 2
    rest = window - span
    windows = spare[:, :n_windows]
    np.minimum(minima[:, :n_windows], minima[:, rest : rest + n_windows], out=windows)
    # left[i] is the window ending at x[i] (starting at padded i), right[i]
    # the one starting at x[i] (padded i + w - 1).
    np.add(windows[:, :n], windows[:, pad : pad + n], out=out)
    if halve:
        out *= 0.5
    return out


def gaussian_mean_kernel(window, n_channels, dtype=np.float64, n_fft=None, scale=1.0):
    """FFT of the two-sided Gaussian-weighted rolling mean, and the FFT length.

    Weights are ``scipy.signal.windows.gaussian(window, std=window)``. The
    trailing window (offsets ``-(w-1) .. 0``) and the leading one (``0 .. w-1``)
    averaged together are one correlation with a kernel of ``2w - 1`` taps.
    The published code pads ``window`` zeros on both ends, which pulls the
    result down near the ends; a linear (not circular) convolution reproduces
    that, so the FFT length leaves room for the kernel on both sides:
    ``n_fft`` (default: the next length scipy.fft is fast at) is at least
    ``n_channels + 2 * window - 2``. The kernel is multiplied by ``scale``.
    """
    weights = gaussian(window, std=window)
    kernel = np.zeros(2 * window - 1)
    kernel[:window] += weights
    kernel[window - 1 :] += weights
    kernel /= 2 * weights.sum()
    kernel *= scale
    if n_fft is None:
        n_fft = sp_fft.next_fast_len(n_channels + 2 * window - 2, real=True)
    return sp_fft.rfft(kernel.astype(dtype), n_fft), n_fft


@validate_params(
    {
        "X": ["array-like"],
        "min_window": [Interval(Integral, 1, None, closed="left")],
        "smooth_window": [Interval(Integral, 1, None, closed="left")],
        "workers": [
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
    },
    prefer_skip_nested_validation=True,
)
def rolling_min_gaussian_baseline(
    X: ArrayLike, min_window: int = 100, smooth_window: int = 50, *, workers: int | None = None
) -> np.ndarray:
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
        Threads, each computing blocks of rows (numpy's, scipy's and FFTW's
        kernels release the GIL, so threads share the work without copies).
        None means 1; -1 means one per core (``os.cpu_count()``).

    Returns
    -------
    baseline : ndarray of the same shape and dtype as ``X``

    Notes
    -----
    float64 spectra are smoothed with FFTW's plans when pyFFTW (extra
    ``sklspec[fftw]``) is installed, and with scipy.fft otherwise; the two
    agree to about 1e-15 relative. float32 spectra always use scipy.fft.

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
    if not isinstance(X, np.ndarray) or X.dtype not in (np.float32, np.float64) or X.ndim != 2:
        # Lists, DataFrames, ints: to a float array (a float ndarray, memmaps included, as it is).
        X = check_array(X, dtype=[np.float64, np.float32], ensure_all_finite=False, input_name="X")
    if X.shape[1] == 0:
        raise ValueError(f"X's spectra must have at least one channel; got shape {X.shape}.")
    _check_finite_rows(X)
    return _rolling_min_gaussian(X, min_window, smooth_window, workers)


def _check_finite_rows(X, block=4096):
    """NaN or inf anywhere in ``X`` (read block by block, a memmap too) is a ValueError."""
    for start in range(0, X.shape[0], block):
        finite = np.isfinite(X[start : start + block])
        if not finite.all():
            row, channel = np.argwhere(~finite)[0]
            raise ValueError(
                f"X contains NaN or infinity (first at row {start + int(row)}, channel "
                f"{int(channel)}); the baseline of such a spectrum is undefined."
            )


def _rolling_min_gaussian(X, min_window, smooth_window, workers, *, subtract=False):
    """The baseline of each row of ``X``, or ``X`` minus it when ``subtract``.

    Subtracting here, block by block while the block is in cache, saves
    the caller a pass over all the spectra and a second array of their size.
    """
    n_rows, n_channels = X.shape
    # FFTW's single-precision plans were slower than scipy's (17 against 15 us).
    fftw = _pyfftw() if X.dtype == np.float64 else None
    linear_length = n_channels + 2 * smooth_window - 2
    # The minima are summed, not averaged: the kernel halves them (exactly).
    kernel_fft, n_fft = gaussian_mean_kernel(
        smooth_window,
        n_channels,
        X.dtype,
        n_fft=None if fftw is None else _fftw_fast_length(linear_length),
        scale=0.5,
    )
    out = np.empty(X.shape, dtype=X.dtype)
    chunk_rows = max(1, min(_CHUNK_ROWS, n_rows))
    per_thread = threading.local()

    def process(start):
        workspace = getattr(per_thread, "workspace", None)
        if workspace is None:
            workspace = per_thread.workspace = _Workspace(
                chunk_rows, n_channels, min_window, n_fft, X.dtype, fftw
            )
        block = np.asarray(X[start : start + chunk_rows])
        rows = slice(start, start + block.shape[0])
        two_sided_rolling_min(
            block,
            min_window,
            out=workspace.smooth_input[: block.shape[0], :n_channels],
            workspace=workspace,
            halve=False,
        )
        convolved = workspace.convolve(block.shape[0], kernel_fft)
        baseline = convolved[:, smooth_window - 1 : smooth_window - 1 + n_channels]
        if subtract:
            np.subtract(block, baseline, out=out[rows])
        else:
            out[rows] = baseline

    starts = range(0, n_rows, chunk_rows)
    n_threads = min(effective_n_jobs(workers), len(starts))
    if n_threads <= 1:
        for start in starts:
            process(start)
        return out
    # Tasks of several blocks: one task per block spent a measurable share
    # of the time handing work to the pool, and a few tasks per thread still
    # balance threads that run at different speeds.
    blocks_per_task = max(1, min(_BLOCKS_PER_TASK, len(starts) // (4 * n_threads)))

    def process_task(first):
        for start in starts[first : first + blocks_per_task]:
            process(start)

    with ThreadPoolExecutor(n_threads) as pool:
        # list(): re-raise the first error of any task.
        list(pool.map(process_task, range(0, len(starts), blocks_per_task)))
    return out
