"""Training the transfer paper's models on its full training map, streamed from disk.

The simulated paper map (560 x 560 = 313,600 shots; 4062 primary and 3872
secondary channels, float32: 5.1 and 4.9 GB) is written to ``--map`` once
(``make_libs_transfer("paper", out=...)``) and read back as memory maps.
Then, on the same memory-mapped primary spectra:

- a bare PyTorch loop (``bench_vae_training.py``'s): the paper's VAE, Adam,
  shuffled batches of 128 read from the map (the reference for the cost of
  the data path);
- ``VAEEncoder(**PRESETS["vrabel2023"])``, for ``--epochs`` epochs;
- with ``--transfer``, ``LatentTransferRegressor`` (that VAE, frozen, and
  the paper's mapping MLP from the secondary spectra to the latent means).

For each: seconds per epoch, spectra per second, and the peak of the
process's anonymous resident memory (its own allocations: weights,
batches, copies) next to its peak total resident memory, which also counts
the pages of the memory maps the kernel keeps cached (file-backed, dropped
under memory pressure, shared with other readers of the file).

With ``--standardize``, both maps are first standardized channel by
channel into memory maps of their own (as the paper's models see them),
block by block. ``--evaluate ROWSxCOLUMNS`` then simulates a test map of
that size, transfers it and prints its RSE against the true primary
spectra (the paper's full run on a GPU:
``--device cuda --epochs 50 --mapper-epochs 100 --transfer --standardize``).

    python benchmarks/bench_paper_scale_training.py --map /tmp/paper_map
    python benchmarks/bench_paper_scale_training.py --map /tmp/small --shape 40x50  # smoke test
"""

import argparse
import os
import threading
import time
import warnings

import numpy as np
import torch
from bench_vae_training import bare_loop_epoch_times
from sklearn.frozen import FrozenEstimator
from sklearn.preprocessing import StandardScaler

from sklspec.datasets import make_libs_transfer
from sklspec.metrics import relative_squared_error
from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import PRESETS, VAEEncoder

PAPER = {**PRESETS["vrabel2023"], "validation_fraction": None}


class MemoryPeaks:
    """Peaks of RssAnon and VmRSS of this process, sampled every ``interval`` seconds."""

    def __init__(self, interval=0.2):
        self.interval, self.anon, self.total = interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status)
        self.anon = max(self.anon, int(fields["RssAnon"].split()[0]) * 1024)
        self.total = max(self.total, int(fields["VmRSS"].split()[0]) * 1024)

    def _run(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self):
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    def __str__(self):
        anon, total = self.anon / 1e9, self.total / 1e9
        return f"peak anonymous {anon:.2f} GB, peak total resident {total:.2f} GB"


def standardized(X, path, block=16_384):
    """``X`` standardized per channel into a float32 memory map at ``path``, and the scaler."""
    scaler = StandardScaler()
    for start in range(0, len(X), block):
        scaler.partial_fit(X[start : start + block])
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=X.shape)
    for start in range(0, len(X), block):
        out[start : start + block] = scaler.transform(X[start : start + block])
    out.flush()
    return np.load(path, mmap_mode="r"), scaler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--map", default="paper_map", help="folder of the simulated map")
    parser.add_argument("--shape", default="paper", help='"paper" or ROWSxCOLUMNS')
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--transfer", action="store_true", help="also fit the VAE + MLP")
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--mapper-epochs", type=int, help="epochs of the MLP (default: --epochs)")
    parser.add_argument("--standardize", action="store_true", help="standardize both maps first")
    parser.add_argument("--evaluate", help="ROWSxCOLUMNS of a test map to transfer and score")
    args = parser.parse_args()
    shape = "paper" if args.shape == "paper" else tuple(map(int, args.shape.split("x")))

    if not os.path.exists(os.path.join(args.map, "X_primary.npy")):
        start = time.perf_counter()
        make_libs_transfer(shape, region="train", out=args.map, random_state=0)
        print(f"simulated the map into {args.map}: {time.perf_counter() - start:.0f} s")
    primary = np.load(os.path.join(args.map, "X_primary.npy"), mmap_mode="r")
    secondary = np.load(os.path.join(args.map, "X_secondary.npy"), mmap_mode="r")
    n = len(primary)
    size = (primary.nbytes + secondary.nbytes) / 1e9
    print(
        f"map: {n:,} shots, primary {primary.shape[1]} and secondary {secondary.shape[1]} "
        f"channels, {primary.dtype}, {size:.1f} GB on disk; device {args.device}; "
        f"torch threads {torch.get_num_threads()}; cores {os.cpu_count()}"
    )

    if args.standardize:
        start = time.perf_counter()
        primary, primary_scaler = standardized(primary, os.path.join(args.map, "P_std.npy"))
        secondary, secondary_scaler = standardized(secondary, os.path.join(args.map, "S_std.npy"))
        print(f"standardized both maps into memory maps: {time.perf_counter() - start:.0f} s")

    if not args.skip_bare:
        with MemoryPeaks() as memory:
            # The same loop as bench_vae_training.py's, over the memory map
            # (torch warns that the map is read-only: training only reads it).
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
                (seconds,) = bare_loop_epoch_times(primary, 1, args.device)
        print(
            f"bare PyTorch loop, 1 epoch  : {seconds:7.1f} s/epoch, "
            f"{n / seconds:7.0f} spectra/s, {memory}"
        )

    vae = VAEEncoder(
        **{**PAPER, "max_epochs": args.epochs, "device": args.device, "random_state": 0}
    )
    with MemoryPeaks() as memory:
        start = time.perf_counter()
        vae.fit(primary)
        total = time.perf_counter() - start
    per_epoch = float(np.median(vae.history_[:, "dur"]))
    print(
        f"VAEEncoder.fit, {args.epochs} epoch(s): {per_epoch:7.1f} s/epoch, {n / per_epoch:7.0f} "
        f"spectra/s ({total:.0f} s with validation and the latent statistics), {memory}"
    )

    if args.transfer:
        mapper = SpectralMLPRegressor(
            (128, 512), activation="leaky_relu", lr=1e-4, alpha=1e-6, batch_size=128,
            max_epochs=args.mapper_epochs or args.epochs, early_stopping=args.standardize,
            validation_fraction=0.1 if args.standardize else None, device=args.device,
        )  # fmt: skip
        # The VAE timed above, frozen: the fit trains the mapping network only.
        model = LatentTransferRegressor(FrozenEstimator(vae), mapper, random_state=0)
        with MemoryPeaks() as memory:
            start = time.perf_counter()
            model.fit(secondary, primary)
            total = time.perf_counter() - start
        mapper_epochs = model.mapper_.history_[:, "dur"]
        print(
            f"LatentTransferRegressor.fit (the mapping MLP): {total:7.0f} s, "
            f"{len(mapper_epochs)} epochs, {np.median(mapper_epochs):.2f} s/epoch, {memory}"
        )
        if args.evaluate:
            shape = tuple(map(int, args.evaluate.split("x")))
            test = make_libs_transfer(shape, region="test", random_state=0)
            X_test = (
                secondary_scaler.transform(test.X_secondary)
                if args.standardize
                else test.X_secondary
            )
            start = time.perf_counter()
            predicted = model.predict(X_test)
            seconds = time.perf_counter() - start
            if args.standardize:
                predicted = primary_scaler.inverse_transform(predicted)
            rse = relative_squared_error(test.X_primary, predicted)
            print(
                f"test map {shape[0]} x {shape[1]}: RSE {rse:.4f}, transferred in {seconds:.1f} s "
                f"({len(X_test) / seconds:.0f} spectra/s)"
            )


if __name__ == "__main__":
    main()
