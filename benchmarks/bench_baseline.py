"""Throughput of BaselineSubtractor against the published per-spectrum pandas code.

Both compute the transfer paper's baseline (rolling minimum + Gaussian
smoothing) of 2000 spectra x 4062 channels; the script checks that they
agree, then prints spectra per second for each and the ratio.

    python benchmarks/bench_baseline.py [--n-spectra 2000] [--repeats 3]
"""

import argparse
import time

import numpy as np

from sklspec.preprocessing import BaselineSubtractor
from sklspec.utils._testing import published_baseline_pandas


def libs_like_spectra(n_spectra, n_channels, seed=0):
    """Sloped continuum, Lorentzian lines and noise, like the reference fixture."""
    rng = np.random.default_rng(seed)
    channels = np.arange(n_channels)
    centers = rng.uniform(0, n_channels, 60)
    widths = rng.uniform(1, 4, 60)
    lines = 1 / (1 + ((channels[:, None] - centers) / widths) ** 2)
    amplitudes = rng.gamma(1.0, 200, size=(n_spectra, 60))
    continuum = 50 + 30 * np.sin(channels / n_channels * np.pi)
    return continuum + amplitudes @ lines.T + rng.normal(0, 3, (n_spectra, n_channels))


def best_time(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-spectra", type=int, default=2000)
    parser.add_argument("--n-channels", type=int, default=4062)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    X = libs_like_spectra(args.n_spectra, args.n_channels)
    subtractor = BaselineSubtractor(min_window=100, smooth_window=50).fit(X)

    def pandas_all():
        return np.vstack([published_baseline_pandas(x, 100, 50) for x in X])

    expected = pandas_all()
    np.testing.assert_allclose(subtractor.estimate_baseline(X), expected, rtol=1e-9, atol=1e-9)

    t_pandas = best_time(pandas_all, 1)
    t_one = best_time(lambda: subtractor.estimate_baseline(X), args.repeats)
    threaded = BaselineSubtractor(min_window=100, smooth_window=50, n_jobs=-1).fit(X)
    t_all = best_time(lambda: threaded.estimate_baseline(X), args.repeats)

    n = args.n_spectra
    print(f"spectra: {n} x {args.n_channels}, windows 100/50, outputs agree to 1e-9")
    print(f"published pandas, per spectrum : {n / t_pandas:10.0f} spectra/s ({t_pandas:.2f} s)")
    print(f"BaselineSubtractor, n_jobs=1   : {n / t_one:10.0f} spectra/s ({t_one:.3f} s)")
    print(f"BaselineSubtractor, n_jobs=-1  : {n / t_all:10.0f} spectra/s ({t_all:.3f} s)")
    print(f"speed-up (n_jobs=1 vs pandas)  : {t_pandas / t_one:10.1f}x  (target >= 20x)")


if __name__ == "__main__":
    main()
