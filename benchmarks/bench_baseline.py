"""Throughput of BaselineSubtractor against the published per-spectrum pandas code.

Both compute the transfer paper's baseline (rolling minimum + Gaussian
smoothing) of 2000 spectra x 4062 channels; the script checks that they
agree to 1e-9, then prints spectra per second for the published code, for
``BaselineSubtractor`` on one thread and on all cores (``n_jobs=-1``:
threads over blocks of rows), in float64 and float32, and the speed-up.

``--stream-map N`` also writes N float32 spectra (the paper's training map:
313,600) to a file and streams them through the subtractor in blocks, file
to file, printing throughput and the process's peak resident memory: the
map is 5.1 GB, the memory needed is a few blocks.

    python benchmarks/bench_baseline.py [--n-spectra 2000] [--repeats 5]
    python benchmarks/bench_baseline.py --stream-map 313600 --block-rows 8192
"""

import argparse
import os
import resource
import tempfile
import time

import numpy as np

from sklspec.preprocessing import BaselineSubtractor
from sklspec.utils._testing import published_baseline_pandas


def libs_like_spectra(n_spectra, n_channels, seed=0, dtype=np.float64):
    """Sloped continuum, Lorentzian lines and noise, like the reference fixture."""
    rng = np.random.default_rng(seed)
    channels = np.arange(n_channels)
    centers = rng.uniform(0, n_channels, 60)
    widths = rng.uniform(1, 4, 60)
    lines = 1 / (1 + ((channels[:, None] - centers) / widths) ** 2)
    amplitudes = rng.gamma(1.0, 200, size=(n_spectra, 60))
    continuum = 50 + 30 * np.sin(channels / n_channels * np.pi)
    spectra = continuum + amplitudes @ lines.T + rng.normal(0, 3, (n_spectra, n_channels))
    return spectra.astype(dtype, copy=False)


def best_time(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_memory_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB on Linux


def stream_map(n_spectra, n_channels, block_rows, n_jobs):
    """Write a float32 map, stream it file to file through the subtractor; time and memory."""
    row_bytes = n_channels * 4
    with tempfile.TemporaryDirectory() as folder:
        source, target = os.path.join(folder, "map.f32"), os.path.join(folder, "baseline.f32")
        with open(source, "wb") as handle:
            for start in range(0, n_spectra, block_rows):
                rows = min(block_rows, n_spectra - start)
                handle.write(libs_like_spectra(rows, n_channels, seed=start, dtype=np.float32))
        subtractor = BaselineSubtractor(min_window=100, smooth_window=50, n_jobs=n_jobs)
        subtractor.fit(np.zeros((1, n_channels), np.float32))
        memory_before = peak_memory_gb()
        start_time = time.perf_counter()
        # Plain file reads, not a memory map: a map's pages stay resident
        # once touched, so one pass would hold the whole file.
        with open(source, "rb") as reader, open(target, "wb") as writer:
            for start in range(0, n_spectra, block_rows):
                rows = min(block_rows, n_spectra - start)
                block = np.fromfile(reader, np.float32, rows * n_channels)
                writer.write(subtractor.transform(block.reshape(rows, n_channels)))
        elapsed = time.perf_counter() - start_time
        size_gb = n_spectra * row_bytes / 1e9
        check = np.fromfile(target, np.float32, count=n_channels).reshape(1, -1)
        # The first row of the first block (a block's noise depends on its size).
        first = libs_like_spectra(min(block_rows, n_spectra), n_channels, dtype=np.float32)[:1]
        assert np.allclose(check, subtractor.transform(first), atol=1e-3)
    print(
        f"streamed map, float32 file to file: {n_spectra} x {n_channels} ({size_gb:.1f} GB), "
        f"blocks of {block_rows}, n_jobs={n_jobs}: {elapsed:.1f} s, "
        f"{n_spectra / elapsed:.0f} spectra/s, peak resident memory {peak_memory_gb():.2f} GB "
        f"({memory_before:.2f} GB before streaming)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-spectra", type=int, default=2000)
    parser.add_argument("--n-channels", type=int, default=4062)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--stream-map", type=int, default=0, help="spectra in the streamed map")
    parser.add_argument("--block-rows", type=int, default=8192)
    args = parser.parse_args()

    X = libs_like_spectra(args.n_spectra, args.n_channels)
    X32 = X.astype(np.float32)

    def pandas_all():
        return np.vstack([published_baseline_pandas(x, 100, 50) for x in X])

    expected = pandas_all()
    timings = {}
    for n_jobs in (1, -1):
        subtractor = BaselineSubtractor(min_window=100, smooth_window=50, n_jobs=n_jobs).fit(X)
        result = subtractor.estimate_baseline(X)
        np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(
            subtractor.estimate_baseline(X32), expected, rtol=1e-4, atol=1e-2
        )
        for dtype, spectra in (("float64", X), ("float32", X32)):
            timings[n_jobs, dtype] = best_time(
                lambda s=subtractor, x=spectra: s.estimate_baseline(x), args.repeats
            )
    t_pandas = best_time(pandas_all, 1)

    n = args.n_spectra
    print(f"spectra: {n} x {args.n_channels}, windows 100/50, float64 outputs agree to 1e-9")
    print(f"cores: {os.cpu_count()}")
    print(f"published pandas, per spectrum     : {n / t_pandas:8.0f} spectra/s ({t_pandas:.2f} s)")
    for (n_jobs, dtype), seconds in timings.items():
        print(
            f"BaselineSubtractor, n_jobs={n_jobs:>2}, {dtype}: {n / seconds:8.0f} spectra/s "
            f"({seconds:.3f} s, {t_pandas / seconds:5.1f}x)"
        )
    best = min(timings[-1, "float64"], timings[1, "float64"])
    print(f"speed-up, float64, best n_jobs      : {t_pandas / best:8.1f}x  (target >= 50x)")
    if args.stream_map:
        stream_map(args.stream_map, args.n_channels, args.block_rows, n_jobs=-1)


if __name__ == "__main__":
    main()
