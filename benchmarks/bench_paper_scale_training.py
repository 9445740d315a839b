"""Training the transfer paper's models on its full training map, streamed from disk.

The simulated paper map (560 x 560 = 313,600 shots; 4062 primary and 3872
secondary channels, float32: 5.1 and 4.9 GB) is written to ``--map`` once
(``make_libs_transfer("paper", out=...)``) and read back as memory maps.
Then, on the same memory-mapped primary spectra:

- a bare PyTorch loop (``bench_vae_training.py``'s): the paper's VAE, Adam,
  shuffled batches of 128 read from the map (the reference for the cost of
  the data path);
- ``VAEEncoder(**PRESETS["vrabel2023"])``, for ``--epochs`` epochs;
- with ``--transfer``, ``LatentTransferRegressor`` (that VAE, then the
  paper's mapping MLP from the secondary spectra to the latent means).

For each: seconds per epoch, spectra per second, and the peak of the
process's anonymous resident memory (its own allocations: weights,
batches, copies) next to its peak total resident memory, which also counts
the pages of the memory maps the kernel keeps cached (file-backed, dropped
under memory pressure, shared with other readers of the file).

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

from sklspec.datasets import make_libs_transfer
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--map", default="paper_map", help="folder of the simulated map")
    parser.add_argument("--shape", default="paper", help='"paper" or ROWSxCOLUMNS')
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--transfer", action="store_true", help="also fit the VAE + MLP")
    parser.add_argument("--skip-bare", action="store_true")
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
            (128, 512), activation="leaky_relu", lr=1e-4, batch_size=128,
            max_epochs=args.epochs, early_stopping=False, validation_fraction=None,
            device=args.device,
        )  # fmt: skip
        model = LatentTransferRegressor(vae, mapper, random_state=0)
        with MemoryPeaks() as memory:
            start = time.perf_counter()
            model.fit(secondary, primary)
            total = time.perf_counter() - start
        print(f"LatentTransferRegressor.fit, {args.epochs} epoch(s) each: {total:7.0f} s, {memory}")


if __name__ == "__main__":
    main()
