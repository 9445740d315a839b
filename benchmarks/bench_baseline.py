"""Throughput of BaselineSubtractor against the published per-spectrum pandas code.

Both compute the transfer paper's baseline (rolling minimum + Gaussian
smoothing) of 2000 spectra x 4062 channels; the script checks that they
agree to 1e-9, then prints spectra per second for the published code, for
``BaselineSubtractor`` on one thread and on all cores (``n_jobs=-1``:
threads over blocks of rows), in float64 and float32, and the speed-up.
The machine's speed drifts, so the script alternates: in each of
``--rounds`` rounds it times one run of the published code and the best of
``--repeats`` runs of each subtractor setting, and reports the median over
rounds of the speed-up within a round. With pyFFTW installed
(``sklspec[fftw]``) the subtractor uses it; the script then also times the
scipy.fft path.

``--stream-map N`` also writes N float32 spectra (the paper's training map:
313,600) to a file and streams them through the subtractor in blocks, file
to file, printing throughput and the process's peak resident memory: the
map is 5.1 GB, the memory needed is a few blocks.

    python benchmarks/bench_baseline.py [--n-spectra 2000] [--repeats 5] [--rounds 5]
    python benchmarks/bench_baseline.py --stream-map 313600 --block-rows 8192
    python benchmarks/bench_baseline.py --stream-only --stream-map 313600
"""

import argparse
import contextlib
import os
import resource
import tempfile
import time

import numpy as np

from sklspec.preprocessing import BaselineSubtractor, _rolling
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


@contextlib.contextmanager
def scipy_fft_only():
    """Run the subtractor as it runs without pyFFTW."""
    original = _rolling._pyfftw
    _rolling._pyfftw = lambda: None
    try:
        yield
    finally:
        _rolling._pyfftw = original


def peak_memory_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB on Linux


def reset_peak_memory():
    """Restart the kernel's resident-memory high-water mark (Linux); False if it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def high_water_mark_gb():
    """Peak resident memory since the last reset_peak_memory() (VmHWM), in GB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e6
    return float("nan")


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
        reset = reset_peak_memory()
        start_time = time.perf_counter()
        # Plain file reads, not a memory map: a map's pages stay resident
        # once touched, so one pass would hold the whole file.
        with open(source, "rb") as reader, open(target, "wb") as writer:
            for start in range(0, n_spectra, block_rows):
                rows = min(block_rows, n_spectra - start)
                block = np.fromfile(reader, np.float32, rows * n_channels)
                writer.write(subtractor.transform(block.reshape(rows, n_channels)))
        elapsed = time.perf_counter() - start_time
        stream_peak = f"{high_water_mark_gb():.2f} GB" if reset else "not measurable here"
        size_gb = n_spectra * row_bytes / 1e9
        check = np.fromfile(target, np.float32, count=n_channels).reshape(1, -1)
        # The first row of the first block (a block's noise depends on its size).
        first = libs_like_spectra(min(block_rows, n_spectra), n_channels, dtype=np.float32)[:1]
        assert np.allclose(check, subtractor.transform(first), atol=1e-3)
    print(
        f"streamed map, float32 file to file: {n_spectra} x {n_channels} ({size_gb:.1f} GB), "
        f"blocks of {block_rows}, n_jobs={n_jobs}: {elapsed:.1f} s, "
        f"{n_spectra / elapsed:.0f} spectra/s; peak resident memory while streaming "
        f"{stream_peak}, whole script {peak_memory_gb():.2f} GB ({memory_before:.2f} GB "
        "before streaming)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-spectra", type=int, default=2000)
    parser.add_argument("--n-channels", type=int, default=4062)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5, help="alternations with the pandas code")
    parser.add_argument("--stream-map", type=int, default=0, help="spectra in the streamed map")
    parser.add_argument("--block-rows", type=int, default=8192)
    parser.add_argument(
        "--stream-only",
        action="store_true",
        help="skip the comparison with the published code: the peak memory is the stream's own",
    )
    args = parser.parse_args()
    if args.stream_only:
        stream_map(args.stream_map or 313600, args.n_channels, args.block_rows, n_jobs=-1)
        return

    X = libs_like_spectra(args.n_spectra, args.n_channels)
    X32 = X.astype(np.float32)

    def pandas_all():
        return np.vstack([published_baseline_pandas(x, 100, 50) for x in X])

    expected = pandas_all()
    fftw = _rolling._pyfftw() is not None
    backends = ("fftw", "scipy") if fftw else ("scipy",)
    subtractors = {}
    for backend in backends:
        with scipy_fft_only() if backend == "scipy" else contextlib.nullcontext():
            for n_jobs in (1, -1):
                subtractor = BaselineSubtractor(min_window=100, smooth_window=50, n_jobs=n_jobs)
                subtractor.fit(X)
                result = subtractor.estimate_baseline(X)
                np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9)
                np.testing.assert_allclose(
                    subtractor.estimate_baseline(X32), expected, rtol=1e-4, atol=1e-2
                )
                subtractors[backend, n_jobs] = subtractor

    # The VM's speed drifts by up to 2x over seconds, so the published code
    # and the subtractor are timed in alternation and compared round by round.
    pandas_times, ratios = [], {}
    for _ in range(args.rounds):
        t_pandas = best_time(pandas_all, 1)
        pandas_times.append(t_pandas)
        for (backend, n_jobs), subtractor in subtractors.items():
            with scipy_fft_only() if backend == "scipy" else contextlib.nullcontext():
                for dtype, spectra in (("float64", X), ("float32", X32)):
                    seconds = best_time(
                        lambda s=subtractor, x=spectra: s.estimate_baseline(x), args.repeats
                    )
                    ratios.setdefault((backend, n_jobs, dtype), []).append(
                        (t_pandas / seconds, seconds)
                    )

    n = args.n_spectra
    print(f"spectra: {n} x {args.n_channels}, windows 100/50, float64 outputs agree to 1e-9")
    print(f"cores: {os.cpu_count()}; pyFFTW installed: {fftw}; rounds: {args.rounds}")
    seconds = " ".join(f"{t:.2f}" for t in pandas_times)
    print(f"published pandas, per spectrum: {n / min(pandas_times):6.0f} spectra/s ({seconds} s)")
    print("speed-up: median over rounds (range); throughput: best round")
    for (backend, n_jobs, dtype), rounds in ratios.items():
        speedups = sorted(ratio for ratio, _ in rounds)
        best = min(seconds for _, seconds in rounds)
        print(
            f"BaselineSubtractor, {backend:5s}, n_jobs={n_jobs:>2}, {dtype}: "
            f"{np.median(speedups):5.1f}x ({speedups[0]:.1f}-{speedups[-1]:.1f}), "
            f"{n / best:6.0f} spectra/s"
        )
    headline = max(np.median([r for r, _ in ratios[backends[0], j, "float64"]]) for j in (1, -1))
    print(f"speed-up, float64, best n_jobs ({backends[0]}): {headline:5.1f}x  (target >= 50x)")
    if args.stream_map:
        stream_map(args.stream_map, args.n_channels, args.block_rows, n_jobs=-1)


if __name__ == "__main__":
    main()
