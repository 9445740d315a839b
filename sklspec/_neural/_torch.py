"""torch helpers of the neural estimators: devices, float32 batches, seeded training."""

import copy
import warnings
from contextlib import contextmanager

import numpy as np
import torch
from skorch.history import History

from sklspec._neural._callbacks import TrainingInterrupted
from sklspec.utils._sklearn_compat import InvalidParameterError


def resolve_device(device, owner):
    """``"auto"`` becomes ``"cuda"`` when a GPU is present, else ``"cpu"``; others are checked."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError):
        raise InvalidParameterError(
            f"The 'device' parameter of {owner} must be 'auto', 'cpu', 'cuda', 'cuda:N' or "
            f"a torch.device. Got {device!r} instead."
        ) from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; use device='auto' or 'cpu'."
        )
    return str(device)


def as_float32(X, name="X"):
    """``X`` as float32 without copying float32 input, refusing values float32 cannot hold."""
    # The overflow is detected and reported below; numpy need not warn too.
    with np.errstate(over="ignore", invalid="ignore"):
        X32 = X.astype(np.float32, copy=False)
        too_large = X32 is not X and not np.isfinite(X32.sum(dtype=np.float64))
    if too_large:
        raise ValueError(
            f"{name} has values too large for float32 (|x| > 3.4e38), the precision "
            f"the networks train in; rescale {'the targets' if name == 'y' else 'the spectra'}."
        )
    return X32


@contextmanager
def reading_read_only_arrays():
    # skorch turns rows of X into tensors; for a read-only memmap torch warns
    # that writing to them would be undefined. Training only reads them.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        yield


def check_float32_range(X, name="X", block_rows=65_536):
    """Return ``X`` as it is, after checking that float32 can hold its values.

    The networks train on float32 batches converted one at a time (see
    ``BatchLoader``); this scans a float64 input block by block instead of
    converting it whole, and refuses what float32 would turn into inf.
    """
    if isinstance(X, dict):  # a conditional VAE's {"x": spectra, "y": conditions}
        return {
            key: check_float32_range(value, name if key == "x" else key, block_rows)
            for key, value in X.items()
        }
    if X.dtype == np.float32:
        return X
    limit = np.finfo(np.float32).max
    for start in range(0, len(X), block_rows):
        block = X[start : start + block_rows]  # max and min: no temporary array, as abs makes
        if max(np.max(block, initial=0.0), -np.min(block, initial=0.0)) > limit:
            raise ValueError(
                f"{name} has values too large for float32 (|x| > 3.4e38), the precision "
                f"the networks train in; rescale {'the targets' if name == 'y' else 'the spectra'}."
            )
    return X


def batched_forward(function, X, n_outputs, *, device, batch_size, out_dtype, name="X"):
    """Apply a torch ``function`` to ``X`` in row batches and return a numpy array.

    Each batch is converted to float32 on its own, so a float64 input (or a
    memmap) is never copied whole; one batch is on the device at a time.
    """
    out = np.empty((X.shape[0], n_outputs), dtype=out_dtype)
    with torch.inference_mode(), reading_read_only_arrays():
        for start in range(0, X.shape[0], batch_size):
            batch = as_float32(np.asarray(X[start : start + batch_size]), name)
            batch = np.ascontiguousarray(batch)
            result = function(torch.from_numpy(batch).to(device))
            out[start : start + batch_size] = result.cpu().numpy()
    return out


def fit_seeded(net, X, y, *, seed, device):
    """Train a skorch ``net`` with weights and noise seeded from ``seed``; return it.

    ``fork_rng`` keeps the caller's global torch RNG untouched, so fitting an
    estimator never changes random numbers drawn elsewhere. A Ctrl-C during
    training reaches the caller as ``KeyboardInterrupt`` (skorch would end
    training quietly and return a half-trained net).
    """
    cuda_devices = list(range(torch.cuda.device_count())) if device.startswith("cuda") else []
    with torch.random.fork_rng(devices=cuda_devices), reading_read_only_arrays():
        torch.manual_seed(seed)
        try:
            net.fit(X, y)
        except TrainingInterrupted:
            raise KeyboardInterrupt from None
    net.module_.eval()
    return net


def train_one_epoch(net, X, y, *, seed, device, continue_from=None):
    """One epoch of a fresh skorch ``net``, started from ``continue_from``'s state if given.

    The weights, the optimiser's state (Adam's moments) and the history of
    ``continue_from`` are copied in, so that it is never changed: a failed
    or interrupted epoch leaves the caller's net as it was. ``seed`` seeds
    the initial weights and the epoch's randomness: give each epoch its own
    (as its batch order already is, by the net's generator).
    """
    cuda_devices = list(range(torch.cuda.device_count())) if device.startswith("cuda") else []
    with torch.random.fork_rng(devices=cuda_devices), reading_read_only_arrays():
        torch.manual_seed(seed)
        net.initialize()
        if continue_from is not None:
            net.module_.load_state_dict(continue_from.module_.state_dict())
            net.optimizer_.load_state_dict(continue_from.optimizer_.state_dict())
            net.history = History(copy.deepcopy(list(continue_from.history)))
        try:
            net.partial_fit(X, y, epochs=1)
        except TrainingInterrupted:
            raise KeyboardInterrupt from None
    net.module_.eval()
    return net


def check_validation_fraction(fraction, n_samples, early_stopping):
    """Check ``validation_fraction`` against ``early_stopping`` and the number of samples."""
    if fraction is None:
        if early_stopping:
            raise ValueError("early_stopping=True needs a validation_fraction, not None.")
        return
    n_valid = int(np.ceil(fraction * n_samples))
    if n_samples - n_valid < 1:
        raise ValueError(
            f"Too few samples to hold out validation_fraction={fraction}: "
            f"n_samples = {n_samples} leaves no spectrum to train on. "
            "Pass more spectra, or validation_fraction=None."
        )
