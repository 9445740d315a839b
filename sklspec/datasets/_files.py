"""SpectraFile: spectra in an HDF5 dataset or a zarr array, read a block of rows at a time."""

import os

import numpy as np

from sklspec.utils._optional import import_optional
from sklspec.utils._typing import PathLike


def _open(path, key):
    """``(handle, array)`` of the spectra at ``path`` (``handle.close()`` frees it)."""
    if os.path.isdir(path):
        zarr = import_optional("zarr", "SpectraFile (zarr)")
        try:
            node = zarr.open(path, mode="r")
            array = node if key is None else node[key]
        except (KeyError, FileNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}: not a zarr array{'' if key is None else f' {key!r}'} "
                             f"({type(exc).__name__}: {exc}).") from None  # fmt: skip
        if not hasattr(array, "oindex"):
            raise ValueError(f"{path}: {key or '/'} is a zarr group; give the array's key.")
        return None, array
    h5py = import_optional("h5py", "SpectraFile (HDF5)")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file or folder.")
    try:
        handle = h5py.File(path, "r")
    except OSError:
        raise ValueError(f"{path}: not an HDF5 file (nor a zarr folder).") from None
    names = []
    handle.visititems(lambda name, obj: names.append(name) if hasattr(obj, "dtype") else None)
    if key is None and len(names) != 1:
        handle.close()
        raise ValueError(
            f"{path} holds {len(names)} datasets ({', '.join(names) or 'none'}); "
            "give the key of the spectra."
        )
    key = names[0] if key is None else key
    if key not in names:
        handle.close()
        raise ValueError(f"{path}: no dataset {key!r}; it holds {', '.join(names) or 'none'}.")
    return handle, handle[key]


class SpectraFile:
    """Spectra in an HDF5 dataset or a zarr array, read a block of rows at a time.

    The neural estimators (:class:`~sklspec.vae.VAEEncoder`,
    :class:`~sklspec.transfer.SpectralMLPRegressor`,
    :class:`~sklspec.transfer.LatentTransferRegressor`) train on it and
    predict from it without reading the file whole: the checks (shape,
    dtype, NaN and inf) read it block by block, each training batch reads
    its rows, and predictions go block by block. Anything else sees a
    numpy array of the whole file (``np.asarray``).

    The file is opened at the first read in each process and the handle is
    never pickled, so a ``SpectraFile`` can travel to dask workers or joblib
    processes, each of which opens the file for itself.

    Parameters
    ----------
    path : str or path-like
        An HDF5 file, or a zarr store (a folder).
    key : str, default=None
        The dataset (HDF5) or array (zarr group) holding the spectra, one
        per row; None takes the file's only dataset, or the zarr array at
        ``path``.

    Attributes
    ----------
    shape : tuple of int
        ``(n_spectra, n_channels)``.
    dtype : numpy.dtype
        The stored dtype (float32 or float64).

    Examples
    --------
    >>> import h5py, numpy as np, tempfile, os
    >>> from sklspec.datasets import SpectraFile
    >>> path = os.path.join(tempfile.mkdtemp(), "map.h5")
    >>> with h5py.File(path, "w") as f:
    ...     _ = f.create_dataset("spectra", data=np.arange(12.0).reshape(4, 3))
    >>> spectra = SpectraFile(path)
    >>> spectra.shape, len(spectra)
    ((4, 3), 4)
    >>> spectra[[2, 0]]
    array([[6., 7., 8.],
           [0., 1., 2.]])
    """

    #: How sklspec's validation recognises an array that must stay on disk.
    _lazy_spectra = True

    def __init__(self, path: PathLike, key: str | None = None) -> None:
        self.path = os.fspath(path)
        self.key = key
        handle, array = _open(self.path, key)
        self.shape, self.dtype = tuple(array.shape), np.dtype(array.dtype)
        if handle is not None:
            handle.close()
        if len(self.shape) != 2:
            raise ValueError(
                f"{self.path}: the spectra must be a 2-D array (spectra x channels); "
                f"got shape {self.shape}."
            )
        if self.dtype.kind != "f":
            raise ValueError(f"{self.path}: holds {self.dtype}, not floating-point spectra.")
        self._handle = self._array = None

    @property
    def ndim(self):
        return 2

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        key = "" if self.key is None else f", key={self.key!r}"
        return f"SpectraFile({self.path!r}{key})"

    def _data(self):
        if self._array is None:
            handle, array = _open(self.path, self.key)
            shape, dtype = tuple(array.shape), np.dtype(array.dtype)
            if shape != self.shape or dtype != self.dtype:
                if handle is not None:
                    handle.close()
                raise ValueError(
                    f"{self.path}: the file changed since it was opened: it now holds {shape} "
                    f"{dtype} spectra, not {self.shape} {self.dtype}. Open it again "
                    "(SpectraFile(...))."
                )
            self._handle, self._array = handle, array
        return self._array

    def __getitem__(self, rows):
        """Rows as a numpy array: a slice, or integer positions in any order, repeats included."""
        data = self._data()
        if isinstance(rows, slice):
            return np.asarray(data[rows])
        rows = np.asarray(rows)
        if rows.dtype == bool:
            if rows.shape != (len(self),):
                raise IndexError(
                    f"A boolean mask must have one value per spectrum ({len(self)}); got shape "
                    f"{rows.shape}."
                )
            rows = np.flatnonzero(rows)
        if rows.dtype.kind not in "iu":
            raise IndexError(f"Spectra are selected by integer positions; got {rows.dtype}.")
        outside = (rows < -len(self)) | (rows >= len(self))
        if outside.any():
            raise IndexError(
                f"Row {int(rows[outside].flat[0])} is out of range for {len(self)} spectra."
            )
        rows = np.where(rows < 0, rows + len(self), rows)
        # HDF5 reads only increasing positions: read each once, in order, then arrange.
        unique, inverse = np.unique(rows, return_inverse=True)
        block = data.oindex[unique] if hasattr(data, "oindex") else data[unique]
        return np.asarray(block)[inverse.reshape(rows.shape)]

    def __array__(self, dtype=None, copy=None):
        values = np.asarray(self._data()[:])
        return values if dtype is None else values.astype(dtype, copy=False)

    def close(self) -> None:
        """Close the file in this process (it reopens at the next read)."""
        if self._handle is not None:
            self._handle.close()
        self._handle = self._array = None

    def __getstate__(self):
        return {**vars(self), "_handle": None, "_array": None}
