"""Time VAEAugmenter doubling the augmentation paper's training set (2620 x 911).

Fits the reference MLPs (the labelers) once and shares them, frozen,
between the modes; trains the VAE once per mode (the paper's 256 sigmoid
units and 91 latent dimensions, capped at ``--epochs``), then
times generating 2620 new spectra: latent draws, decoding, clipping,
labelling and rejection, repeated ``--repeat`` times. Prints the training
and generation seconds and the acceptance rate per mode.

    python benchmarks/bench_augmentation.py --epochs 200
"""

import argparse
import time

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.preprocessing import MinMaxScaler

from sklspec.augmentation import VAEAugmenter, reference_regressor
from sklspec.datasets import make_absorption_mixtures
from sklspec.vae import PRESETS, VAEEncoder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=2620)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    X, y = make_absorption_mixtures(args.n_train, return_X_y=True, random_state=0)
    X = MinMaxScaler().fit_transform(X)
    vae = VAEEncoder(**{**PRESETS["mushchina2025"], "max_epochs": args.epochs, "device": "cpu"})
    start = time.perf_counter()
    labeler = FrozenEstimator(reference_regressor(random_state=0).fit(X, y))
    print(f"training set {X.shape}; reference MLPs fitted in {time.perf_counter() - start:.1f} s")
    print(f"VAE epochs <= {args.epochs}")
    for name, params in {
        "VAE(n)": dict(sampling="normal"),
        "VAE(u)": dict(sampling="uniform"),
        "VAE(agg)": dict(sampling="aggregate"),
        "cVAE(n)": dict(sampling="normal", conditional=True),
    }.items():
        augmenter = VAEAugmenter(vae, labeler=labeler, random_state=0, **params)
        start = time.perf_counter()
        augmenter.fit(X, y)
        fit_s = time.perf_counter() - start
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            X_new, _ = augmenter.sample()
            times.append(time.perf_counter() - start)
        print(
            f"{name:9s} VAE fit {fit_s:6.1f} s | generate {len(X_new)} spectra: "
            f"median {np.median(times):5.2f} s | acceptance {augmenter.acceptance_rate_:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
