"""Seconds per epoch of VAEEncoder.fit (skorch) against a bare PyTorch loop.

Same module (the transfer paper's 1024-512-64 VAE), data (20,000 x 4062
float32 by default), batch size (128), optimizer (Adam, lr 1e-4) and loss;
no validation split in either, so both do the same work per epoch. The
first epoch of each fit (allocation, warm-up) is dropped. Bare and wrapped
fits alternate for ``--rounds`` rounds, so that the machine's drift (several
percent between minutes on a shared VM) affects both alike; the medians over
all rounds are reported, with each round's overhead.

    python benchmarks/bench_vae_training.py [--n-spectra 20000] [--epochs 3] [--rounds 3]

On a GPU, ``--n-spectra 313600 --device cuda`` times a paper-scale epoch;
there the bare loop keeps the data on the GPU (as ``VAEEncoder`` does when
it fits), and a first line times the same loop taking its batches from
host memory.
"""

import argparse
import statistics
import time

import numpy as np
import torch

from sklspec.vae import PRESETS, VAEEncoder
from sklspec.vae._module import VAEModule

PAPER = PRESETS["vrabel2023"]


def bare_loop_epoch_times(X, epochs, device, seed=0, resident=False):
    """Seconds per epoch of a hand-written PyTorch loop over ``X``.

    ``resident=False``: batches gathered from host memory and copied to the
    device one at a time, the loss read back after every step (a typical
    loop). ``resident=True`` (a GPU): the data copied to the GPU once, the
    batches gathered there, Adam's fused kernel, and the losses summed on
    the GPU and read once per epoch, which is what ``VAEEncoder`` does.
    """
    torch.manual_seed(seed)
    module = VAEModule(
        X.shape[1],
        PAPER["hidden_layer_sizes"],
        PAPER["latent_dim"],
        PAPER["hidden_layer_sizes"][::-1],
        PAPER["activation"],
    ).to(device)
    fused = {"fused": True} if resident else {}
    optimizer = torch.optim.Adam(module.parameters(), lr=PAPER["lr"], **fused)
    data = torch.from_numpy(np.asarray(X))
    if resident:
        data = torch.cat([block.to(device) for block in data.split(16_384)])
    generator = torch.Generator().manual_seed(seed)
    batch_size = PAPER["batch_size"]
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        module.train()
        total = torch.zeros((), device=device)
        order = torch.randperm(len(data), generator=generator).to(data.device)
        for index in order.split(batch_size):
            x = data[index].to(device)
            reconstruction, mean, logvar = module(x)
            recon = torch.mean((reconstruction - x) ** 2)
            kl = torch.mean(-0.5 * torch.sum(1 + logvar - mean**2 - logvar.exp(), dim=1))
            loss = x.shape[1] * recon + PAPER["beta"] * kl
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if resident:
                total += loss.detach()
            else:
                loss.item()  # a loop logs its loss too
        total.item()
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
    X = rng.standard_normal((args.n_spectra, args.n_channels), dtype=np.float32)
    print(
        f"data: {X.shape[0]} x {X.shape[1]} float32, batch 128, device {args.device}, "
        f"torch threads {torch.get_num_threads()}"
    )

    if args.device.startswith("cuda"):
        host = bare_loop_epoch_times(X, args.epochs, args.device)[1:]
        print(f"bare loop, batches from host memory: {statistics.median(host):8.2f} s/epoch")
    bare_times, wrapped_times = [], []
    for round_ in range(args.rounds):
        resident = args.device.startswith("cuda")
        bare = bare_loop_epoch_times(X, args.epochs, args.device, resident=resident)[1:]
        wrapped = skorch_epoch_times(X, args.epochs, args.device)[1:]
        bare_times += bare
        wrapped_times += wrapped
        ratio = statistics.median(wrapped) / statistics.median(bare) - 1
        print(f"round {round_ + 1}: overhead {100 * ratio:5.1f} %", flush=True)
    bare, wrapped = statistics.median(bare_times), statistics.median(wrapped_times)
    n = len(X)
    print(f"bare PyTorch loop : {bare:8.2f} s/epoch, {n / bare:9.0f} spectra/s")
    print(f"VAEEncoder.fit    : {wrapped:8.2f} s/epoch, {n / wrapped:9.0f} spectra/s")
    if wrapped <= bare:
        print(f"VAEEncoder.fit is {bare / wrapped:.1f} times as fast as the bare loop")
    else:
        print(f"overhead          : {100 * (wrapped / bare - 1):8.1f} %  (target <= 10%)")


if __name__ == "__main__":
    main()
