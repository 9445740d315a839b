"""Time to simulate the transfer paper's training map (560 x 560 shots).

Writes both spectrometers' spectra in chunks to .npy memory maps, so the
10 GB of float32 spectra never sit in memory, and prints the wall time,
the peak memory of the process and the files' sizes.

    python benchmarks/bench_libs_map.py --out /tmp/paper_train_map
"""

import argparse
import os
import resource
import shutil
import time

from sklspec.datasets import PAPER_MAP_SHAPES, make_libs_transfer
from sklspec.datasets._spectrometers import PRIMARY, SECONDARY, emission_templates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="train", choices=list(PAPER_MAP_SHAPES))
    parser.add_argument("--out", default="paper_map", help="folder for the .npy files")
    parser.add_argument("--keep", action="store_true", help="keep the files afterwards")
    args = parser.parse_args()

    start = time.perf_counter()
    emission_templates(PRIMARY), emission_templates(SECONDARY)
    templates_s = time.perf_counter() - start

    start = time.perf_counter()
    data = make_libs_transfer(
        "paper", region=args.region, out=args.out, verbose=True, random_state=0
    )
    simulate_s = time.perf_counter() - start

    size_gb = (
        sum(os.path.getsize(os.path.join(args.out, name)) for name in os.listdir(args.out)) / 1e9
    )
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    n_shots = data.X_primary.shape[0]
    print(f"region {args.region}: {data.map_shape[0]} x {data.map_shape[1]} = {n_shots:,} shots")
    print(f"emission templates (libskit, both spectrometers): {templates_s:.1f} s")
    print(f"simulation and chunked write: {simulate_s:.1f} s ({n_shots / simulate_s:,.0f} shots/s)")
    print(
        f"on disk: {size_gb:.1f} GB; peak resident memory: {peak_gb:.2f} GB; "
        f"cores: {os.cpu_count()}"
    )
    if not args.keep:
        shutil.rmtree(args.out)


if __name__ == "__main__":
    main()
