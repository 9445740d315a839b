"""Streaming `sklspec transfer` on a LIBS-map-sized input: throughput and peak memory.

The transfer paper's architecture (VAE 1024-512-64 on 4062 primary channels,
mapping MLP 128-512 from 3872 secondary channels) behind the command's
scalers, briefly fitted (the weights do not change the cost). A map of
``--n-spectra`` x 3872 float32 secondary spectra is written to disk and
transferred with ``sklspec transfer`` in a subprocess, whose peak resident
memory is read from the kernel; the memory of a process that only loads the
model is subtracted. The in-memory reference loads ``--n-reference`` spectra
and calls ``predict`` on all of them at once (its float64 scaling needs
about 80 bytes per channel and spectrum, which is why it is not run on the
whole map). Both are timed inside their process, so Python's and torch's
start-up is left out of both; loading the model counts for the stream.

    python benchmarks/bench_transfer_stream.py [--n-spectra 250000] [--n-reference 50000]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

_MEMORY = (
    "import resource, sys; {body}; "
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6)"  # kB -> GB
)


def _run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(result.stderr)
    return result.stdout.split()


def fit_model(path):
    from sklearn.preprocessing import StandardScaler

    from sklspec.io import save
    from sklspec.model_selection import wrap_transfer_model
    from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
    from sklspec.vae import PRESETS, VAEEncoder

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(512, 3872)), rng.normal(size=(512, 4062))
    vae = VAEEncoder(**{**PRESETS["vrabel2023"], "max_epochs": 1, "device": "cpu"})
    mapper = SpectralMLPRegressor((128, 512), max_epochs=1, device="cpu")
    model = wrap_transfer_model(
        LatentTransferRegressor(vae, mapper, random_state=0), StandardScaler()
    )
    save(model.fit(X, Y), path)


def write_map(path, n_spectra, block=8192):
    rng = np.random.default_rng(1)
    with open(path, "wb") as handle:
        header = {"descr": "<f4", "fortran_order": False, "shape": (n_spectra, 3872)}
        np.lib.format.write_array_header_1_0(handle, header)
        for start in range(0, n_spectra, block):
            rows = min(block, n_spectra - start)
            rng.standard_normal((rows, 3872), dtype=np.float32).tofile(handle)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-spectra", type=int, default=250_000)
    parser.add_argument("--n-reference", type=int, default=50_000)
    parser.add_argument(
        "--folder", default=None, help="where to write the map (default: a temp dir)"
    )
    args = parser.parse_args()
    folder = args.folder or tempfile.mkdtemp()
    os.makedirs(folder, exist_ok=True)
    model, data, output = (os.path.join(folder, n) for n in ("m.sklspec", "map.npy", "out.npy"))
    fit_model(model)
    write_map(data, args.n_spectra)
    print(
        f"map: {args.n_spectra} x 3872 float32 ({os.path.getsize(data) / 1e9:.2f} GB) in {folder}"
    )

    loading = (
        "import time; from sklspec.io import load; t = time.perf_counter(); "
        f"load({model!r}); print(time.perf_counter() - t)"
    )
    load_seconds, model_gb = (float(v) for v in _run(_MEMORY.format(body=loading))[-2:])
    # Timed inside the process, as the reference is: start-up (importing torch)
    # is the same for both and not part of the transfer. Loading the model is.
    stream = (
        "import time; from sklspec.cli import main; t = time.perf_counter(); "
        f"assert main(['transfer', {model!r}, {data!r}, '-o', {output!r}, '--force']) == 0; "
        "print(time.perf_counter() - t)"
    )
    stream_seconds, stream_gb = (float(v) for v in _run(_MEMORY.format(body=stream))[-2:])
    reference = (
        "import time, numpy as np; from sklspec.io import load; "
        f"m = load({model!r}); "
        f"X = np.array(np.load({data!r}, mmap_mode='r')[:{args.n_reference}]); "
        "t = time.perf_counter(); m.predict(X); print(time.perf_counter() - t)"
    )
    reference_seconds, reference_gb = (float(v) for v in _run(_MEMORY.format(body=reference))[-2:])
    stream_rate = args.n_spectra / stream_seconds
    transfer_rate = args.n_spectra / (stream_seconds - load_seconds)
    reference_rate = args.n_reference / reference_seconds
    print(
        f"model alone           : {model_gb:6.2f} GB peak resident, loaded in {load_seconds:.1f} s"
    )
    print(
        f"streamed transfer     : {stream_seconds:6.1f} s, {stream_rate:7.0f} spectra/s, "
        f"{stream_gb:5.2f} GB peak ({stream_gb - model_gb:.2f} GB beyond "
        "the model; the process, reading, transfer and writing included)"
    )
    print(
        f"in-memory predict     : {reference_seconds:6.1f} s for {args.n_reference}, "
        f"{reference_rate:7.0f} spectra/s, {reference_gb:5.2f} GB peak"
    )
    print(f"throughput, streamed / in-memory: {100 * stream_rate / reference_rate:5.1f} %")
    print(
        f"the same, the model's loading left out: {transfer_rate:7.0f} spectra/s, "
        f"{100 * transfer_rate / reference_rate:5.1f} %"
    )


if __name__ == "__main__":
    main()
