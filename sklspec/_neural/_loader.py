"""Mini-batches by slicing: the training data path of every neural estimator.

torch's ``DataLoader`` builds a batch row by row (one ``__getitem__`` and one
tensor per spectrum, then a stack), and skorch's dataset hands it whole
float32 copies of the data. :class:`BatchLoader` takes each batch with one
fancy index instead: from a numpy array or memory map of any float dtype
(converted to float32 one batch at a time, so a float64 input is never
copied whole), or from tensors already on the GPU (one gather kernel; see
:func:`stage_on_device`).
"""

import numpy as np
import torch
from skorch.dataset import Dataset

from sklspec._neural._torch import reading_read_only_arrays

#: Rows converted and copied to the GPU at a time by :func:`stage_on_device`.
STAGING_ROWS = 16_384
#: Largest share of the GPU's free memory the staged training data may take.
STAGING_SHARE = 0.5


def _float32_tensor(rows):
    if isinstance(rows, torch.Tensor):
        return rows
    return torch.from_numpy(np.ascontiguousarray(rows, dtype=np.float32))


def _take(data, index):
    """Rows ``index`` (a 1-d int64 tensor) of an array, a tensor or a dict of them."""
    if isinstance(data, dict):
        return {key: _take(value, index) for key, value in data.items()}
    if isinstance(data, torch.Tensor):
        return data[index.to(data.device)]
    return _float32_tensor(data[index.cpu().numpy()])


def _device_of(data):
    if isinstance(data, dict):
        data = next(iter(data.values()))
    return data.device if isinstance(data, torch.Tensor) else torch.device("cpu")


def _unwrap(dataset):
    """The skorch ``Dataset`` under ``dataset`` and the row positions it covers (or None)."""
    positions = None
    while isinstance(dataset, torch.utils.data.Subset):
        index = np.asarray(dataset.indices)
        # The outer positions index this subset: map them through its indices.
        positions = index if positions is None else index[positions]
        dataset = dataset.dataset
    if not isinstance(dataset, Dataset):
        raise TypeError(f"BatchLoader needs a skorch Dataset, got {type(dataset).__name__}.")
    return dataset, positions


class BatchLoader:
    """Iterate over a skorch dataset in mini-batches, as skorch's ``iterator_train``.

    Yields ``(X_batch, y_batch)`` as torch's ``DataLoader`` with the default
    collation would, in the same order for the same ``generator``: it draws
    the same random numbers (the loader's seed, then one permutation per
    epoch, then one more as it ends), so a fit is the same whichever of the
    two serves its batches. A missing ``y`` is skorch's placeholder (zeros
    of shape ``(n, 1)``).

    Parameters
    ----------
    dataset : skorch.dataset.Dataset or torch.utils.data.Subset of one
        ``X`` (and ``y``): numpy arrays (any float dtype, memory maps
        included), torch tensors or dicts of them.
    batch_size : int
        Rows per batch; the last batch holds the rest.
    shuffle : bool, default=False
        Draw a new order of the rows for each pass.
    generator : torch.Generator or None, default=None
        Source of the order (and of the seed torch's loader draws).
    """

    def __init__(self, dataset, batch_size, shuffle=False, generator=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        base, positions = _unwrap(self.dataset)
        n = len(self.dataset)
        # torch's DataLoader draws a seed for its workers from the generator
        # (the global one without) when an epoch starts; drawing it too keeps
        # every later random number, and so the fit, the same as with it.
        torch.empty((), dtype=torch.int64).random_(generator=self.generator)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        if positions is not None:
            order = torch.as_tensor(np.asarray(positions, dtype=np.int64).copy())[order]
        # Staged data: the epoch's order goes to the GPU once, not per batch.
        order = order.to(_device_of(base.X))
        for index in order.split(self.batch_size):
            X = _take(base.X, index)
            if base.y is None:
                y = torch.zeros(len(index), 1, device=index.device)
            else:
                y = _take(base.y, index)
            yield X, y
        if self.shuffle:
            # torch's RandomSampler draws a second permutation once a pass
            # ends (for its num_samples % n remaining rows, none here).
            torch.randperm(n, generator=self.generator)


def _staged_nbytes(data):
    if isinstance(data, dict):
        return sum(_staged_nbytes(value) for value in data.values())
    return 0 if data is None else 4 * int(np.prod(data.shape))


def _to_device(data, device):
    if isinstance(data, dict):
        return {key: _to_device(value, device) for key, value in data.items()}
    staged = torch.empty(data.shape, dtype=torch.float32, device=device)
    with reading_read_only_arrays():  # a memory map's rows are copied, never written
        for start in range(0, len(data), STAGING_ROWS):
            rows = _float32_tensor(data[start : start + STAGING_ROWS])
            staged[start : start + STAGING_ROWS] = rows.to(device)
    return staged


def stage_on_device(X, y, device):
    """``X`` and ``y`` as float32 tensors on a GPU ``device``, when they fit; else as given.

    On a GPU, taking each batch from host memory costs more than the step
    itself (a 128 x 4062 batch: a gather, a copy over PCIe and a wait).
    Staged once, in blocks of :data:`STAGING_ROWS` rows (no whole float32
    copy in host memory), the data stays on the GPU for all epochs when it
    needs at most :data:`STAGING_SHARE` of the free GPU memory; larger data
    is read from host memory batch by batch.
    """
    if torch.device(device).type != "cuda":
        return X, y
    free, _ = torch.cuda.mem_get_info(torch.device(device))
    if _staged_nbytes(X) + _staged_nbytes(y) > STAGING_SHARE * free:
        return X, y
    return _to_device(X, device), (None if y is None else _to_device(y, device))
