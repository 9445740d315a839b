"""Seconds per epoch of VAEEncoder.fit (skorch) against a bare PyTorch loop.

Same module (the transfer paper's 1024-512-64 VAE), data (20,000 x 4062
float32 by default), batch size (128), optimizer (Adam, lr 1e-4) and loss;
no validation split in either, so both do the same work per epoch. The
first epoch of each fit (allocation, warm-up) is dropped. Bare and wrapped
fits alternate for ``--rounds`` rounds, so that the machine's drift (several
percent between minutes on a shared VM) affects both alike; the medians over
all rounds are reported, with each round's overhead.

    python benchmarks/bench_vae_training.py [--n-spectra 20000] [--epochs 3] [--rounds 3]

On a GPU, ``--n-spectra 313600 --device cuda`` times a paper-scale epoch.
"""

import argparse
import statistics
import time

import numpy as np
import torch

from sklspec.vae import PRESETS, VAEEncoder
from sklspec.vae._module import VAEModule

PAPER = PRESETS["vrabel2023"]


def bare_loop_epoch_times(X, epochs, device, seed=0):
    torch.manual_seed(seed)
    module = VAEModule(
        X.shape[1],
        PAPER["hidden_layer_sizes"],
        PAPER["latent_dim"],
        PAPER["hidden_layer_sizes"][::-1],
        PAPER["activation"],
    ).to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=PAPER["lr"])
    data = torch.from_numpy(X)
    generator = torch.Generator().manual_seed(seed)
    batch_size = PAPER["batch_size"]
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        module.train()
        for index in torch.randperm(len(data), generator=generator).split(batch_size):
            x = data[index].to(device)
            reconstruction, mean, logvar = module(x)
            recon = torch.mean((reconstruction - x) ** 2)
            kl = torch.mean(-0.5 * torch.sum(1 + logvar - mean**2 - logvar.exp(), dim=1))
            loss = x.shape[1] * recon + PAPER["beta"] * kl
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()  # a loop logs its loss too
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times


def skorch_epoch_times(X, epochs, device, seed=0):
    vae = VAEEncoder(
        **{
            **PAPER,
            "kl_schedule": "constant",
            "alpha": 0.0,
            "max_epochs": epochs,
            "validation_fraction": None,
            "device": device,
            "random_state": seed,
        }
    ).fit(X)
    return list(vae.history_[:, "dur"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-spectra", type=int, default=20_000)
    parser.add_argument("--n-channels", type=int, default=4062)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.n_spectra, args.n_channels)).astype(np.float32)
    print(
        f"data: {X.shape[0]} x {X.shape[1]} float32, batch 128, device {args.device}, "
        f"torch threads {torch.get_num_threads()}"
    )

    bare_times, wrapped_times = [], []
    for round_ in range(args.rounds):
        bare = bare_loop_epoch_times(X, args.epochs, args.device)[1:]
        wrapped = skorch_epoch_times(X, args.epochs, args.device)[1:]
        bare_times += bare
        wrapped_times += wrapped
        ratio = statistics.median(wrapped) / statistics.median(bare) - 1
        print(f"round {round_ + 1}: overhead {100 * ratio:5.1f} %", flush=True)
    bare, wrapped = statistics.median(bare_times), statistics.median(wrapped_times)
    print(f"bare PyTorch loop : {bare:8.2f} s/epoch")
    print(f"VAEEncoder.fit    : {wrapped:8.2f} s/epoch")
    print(f"overhead          : {100 * (wrapped / bare - 1):8.1f} %  (target <= 10%)")


if __name__ == "__main__":
    main()
