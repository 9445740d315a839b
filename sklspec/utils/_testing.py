"""Helpers for sklspec's tests and benchmarks (not public API)."""

import numpy as np


def published_baseline_pandas(spectrum, ww_min=100, ww_smooth=50):
    """Baseline of one spectrum, computed the way the published code does.

    A straightforward per-spectrum pandas implementation of the transfer
    paper's ``estimate_baseline`` (see ``shared/reference/README.md``). It is
    the oracle the vectorized ``BaselineSubtractor`` is tested and
    benchmarked against. Requires pandas.
    """
    import pandas as pd

    series = pd.Series(np.asarray(spectrum, dtype=np.float64))
    left = series.rolling(ww_min, min_periods=1).min()
    right = series[::-1].rolling(ww_min, min_periods=1).min()[::-1]
    minima = (left + right) / 2

    zeros = np.zeros(ww_smooth)
    padded = pd.Series(np.concatenate([zeros, minima.to_numpy(), zeros]))
    trailing = padded.rolling(ww_smooth, win_type="gaussian").mean(std=ww_smooth)
    leading = padded[::-1].rolling(ww_smooth, win_type="gaussian").mean(std=ww_smooth)[::-1]
    smooth = (trailing + leading) / 2
    return smooth.to_numpy()[ww_smooth:-ww_smooth]
