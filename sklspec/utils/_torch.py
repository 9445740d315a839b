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
