"""Where a training step of the transfer paper's VAE spends its time on a GPU.

One step: a batch of 128 spectra (4062 channels, on the GPU), the VAE's
forward pass, the loss, the backward pass and Adam's update. Each variant
is timed over ``--steps`` steps after a warm-up (median of ``--repeats``
windows, host clock after a synchronize); per step and as seconds per
epoch of the paper's 313,600 spectra (2450 steps):

- eager, Adam (foreach) and Adam (fused);
- the CPU's share: the time to queue steps without waiting for the GPU;
- TF32 matrix products, and bf16 autocast (what faster arithmetic gives);
- the whole step captured as one CUDA graph (what fewer launches give),
  in float32 and with TF32.

The floor: about 7.3e9 FLOP per step (forward and backward of the matrix
products), at the GPU's float32 rate.

    python benchmarks/profile_vae_step_gpu.py [--steps 200] [--repeats 5]
"""

import argparse
import statistics
import time

import torch

from sklspec.vae import PRESETS
from sklspec.vae._module import VAEModule

PAPER = PRESETS["vrabel2023"]
N_CHANNELS, BATCH, STEPS_PER_EPOCH = 4062, 128, 2450


def make(fused, capturable=False):
    torch.manual_seed(0)
    module = VAEModule(
        N_CHANNELS, PAPER["hidden_layer_sizes"], PAPER["latent_dim"],
        PAPER["hidden_layer_sizes"][::-1], PAPER["activation"],
    ).cuda()  # fmt: skip
    options = {"fused": True} if fused else {"foreach": True}
    if capturable:
        options["capturable"] = True
    optimizer = torch.optim.Adam(module.parameters(), lr=PAPER["lr"], **options)
    return module, optimizer


def step(module, optimizer, x):
    reconstruction, mean, logvar = module(x)
    recon = torch.mean((reconstruction - x) ** 2)
    kl = torch.mean(-0.5 * torch.sum(1 + logvar - mean**2 - logvar.exp(), dim=1))
    loss = x.shape[1] * recon + PAPER["beta"] * kl
    optimizer.zero_grad(set_to_none=False)
    loss.backward()
    optimizer.step()
    return loss.detach()


def timed(run, steps, repeats):
    run(20)  # warm-up
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(steps)
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) / steps)
    return statistics.median(times)


def eager(data, fused, autocast=None):
    module, optimizer = make(fused)
    order = torch.randint(0, len(data), (10_000, BATCH), device="cuda")

    def run(steps):
        for i in range(steps):
            if autocast is None:
                step(module, optimizer, data[order[i]])
            else:
                with torch.autocast("cuda", dtype=autocast):
                    step(module, optimizer, data[order[i]])

    return run


def graphed(data):
    module, optimizer = make(fused=True, capturable=True)
    static_x = data[:BATCH].clone()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            step(module, optimizer, static_x)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        step(module, optimizer, static_x)
    order = torch.randint(0, len(data), (10_000, BATCH), device="cuda")

    def run(steps):
        for i in range(steps):
            torch.index_select(data, 0, order[i], out=static_x)
            graph.replay()

    return run


def queue_time(run, steps):
    """Seconds per step the CPU needs to queue ``steps`` steps (no wait for the GPU)."""
    run(20)
    torch.cuda.synchronize()
    start = time.perf_counter()
    run(steps)
    seconds = (time.perf_counter() - start) / steps
    torch.cuda.synchronize()
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data = torch.randn(20_000, N_CHANNELS, device="cuda")
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}")

    a = torch.randn(8192, 8192, device="cuda")
    seconds = timed(lambda n: [a @ a for _ in range(n)], 5, 3)
    fp32_rate = 2 * 8192**3 / seconds
    print(f"float32 matrix product 8192^3: {fp32_rate / 1e12:.1f} TFLOP/s (no TF32)")
    flop = 6 * BATCH * sum(
        i * o for i, o in [(4062, 1024), (1024, 512), (512, 128), (64, 512), (512, 1024),
                           (1024, 4062)]
    )  # fmt: skip
    print(f"floor at that rate: {flop / fp32_rate * 1e3:.3f} ms/step")

    rows = []
    for name, make_run, tf32 in [
        ("eager, Adam foreach", lambda: eager(data, fused=False), False),
        ("eager, Adam fused", lambda: eager(data, fused=True), False),
        ("eager, fused, TF32", lambda: eager(data, fused=True), True),
        ("eager, fused, bf16 autocast", lambda: eager(data, True, torch.bfloat16), False),
        ("CUDA graph, fused", lambda: graphed(data), False),
        ("CUDA graph, fused, TF32", lambda: graphed(data), True),
    ]:
        torch.backends.cuda.matmul.allow_tf32 = tf32
        run = make_run()
        per_step = timed(run, args.steps, args.repeats)
        queued = queue_time(run, 30)
        rows.append((name, per_step, queued))
        print(
            f"{name:30s} {per_step * 1e3:7.3f} ms/step  {per_step * STEPS_PER_EPOCH:6.2f} "
            f"s/epoch  (CPU queues a step in {queued * 1e3:.3f} ms)",
            flush=True,
        )
    torch.backends.cuda.matmul.allow_tf32 = False


if __name__ == "__main__":
    main()
