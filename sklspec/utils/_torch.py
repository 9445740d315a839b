"""torch helpers shared by the estimators that train networks."""

import warnings
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state


def resolve_device(device):
    """Turn ``"auto"`` into ``"cuda"`` when a GPU is present, else ``"cpu"``; check the rest."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, str | torch.device):
        raise TypeError(f"device must be 'auto', 'cpu', 'cuda' or a torch.device; got {device!r}.")
    if torch.device(device).type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; use device='auto' or 'cpu'."
        )
    return str(device)


def seed_from(random_state):
    """A torch seed drawn from a scikit-learn ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def as_float32(X, name="X"):
    """``X`` as float32 without copying float32 input, refusing values float32 cannot hold."""
    # The overflow is detected and reported below; numpy need not warn too.
    with np.errstate(over="ignore", invalid="ignore"):
        X32 = X.astype(np.float32, copy=False)
        too_large = X32 is not X and not np.isfinite(X32.sum(dtype=np.float64))
    if too_large:
        raise ValueError(
            f"{name} has values too large for float32 (|x| > 3.4e38), the precision "
            "the networks train in; rescale the spectra."
        )
    return X32


def batched_forward(function, X, n_outputs, *, device, batch_size, out_dtype):
    """Apply a torch ``function`` to ``X`` in row batches and return a numpy array.

    Only one batch is on the device at a time, so memory stays bounded for
    large inputs (memmaps included).
    """
    out = np.empty((X.shape[0], n_outputs), dtype=out_dtype)
    with torch.inference_mode():
        for start in range(0, X.shape[0], batch_size):
            batch = np.ascontiguousarray(X[start : start + batch_size], dtype=np.float32)
            result = function(torch.from_numpy(batch).to(device))
            out[start : start + batch_size] = result.cpu().numpy()
    return out


@contextmanager
def reading_read_only_arrays():
    """Silence torch's warning about tensors made from read-only arrays.

    skorch turns rows of ``X`` into tensors; for a read-only memmap torch
    warns that writing to them would be undefined. Training only reads its
    batches, so the warning says nothing useful to the user.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        yield


def fit_seeded(net, X, y, *, seed, device):
    """Train a skorch ``net`` with weights and noise seeded from ``seed``.

    ``fork_rng`` keeps the caller's global torch RNG untouched, so fitting
    an estimator never changes random numbers drawn elsewhere.
    """
    cuda_devices = list(range(torch.cuda.device_count())) if device.startswith("cuda") else []
    with torch.random.fork_rng(devices=cuda_devices), reading_read_only_arrays():
        torch.manual_seed(seed)
        net.fit(X, y)
    net.module_.eval()
    return net


def check_validation_fraction(fraction, n_samples, early_stopping):
    """Check ``validation_fraction`` and that it leaves spectra to train on."""
    if fraction is None:
        if early_stopping:
            raise ValueError("early_stopping=True needs a validation_fraction, not None.")
        return
    if isinstance(fraction, bool) or not isinstance(fraction, float | int) or not 0 < fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1) or None; got {fraction!r}.")
    n_valid = int(np.ceil(fraction * n_samples))
    if n_samples - n_valid < 1:
        raise ValueError(
            f"Too few samples to hold out validation_fraction={fraction}: "
            f"n_samples = {n_samples} leaves no spectrum to train on. "
            "Pass more spectra, or validation_fraction=None."
        )
