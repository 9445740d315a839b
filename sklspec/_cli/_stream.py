"""Block-by-block reading and writing of spectra files, for maps larger than memory."""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sklspec._cli._files import (
    CommandError,
    check_block,
    check_path,
    read_csv_header,
    spectra_dataset,
)


class BlockReader:
    """Rows of a spectra file in blocks: .npy memory-mapped, HDF5 sliced, CSV parsed in chunks.

    ``.npz`` archives are read whole (a zip member cannot be sliced).
    """

    def __init__(self, path, *, key=None, header=None, block_rows=4096):
        self.path, self.block_rows = path, block_rows
        self.wavelengths, self._values, self._npy_offset = None, None, None
        extension = os.path.splitext(path)[1].lower()
        self._csv = extension == ".csv"
        if self._csv:
            check_path(path)
            self.wavelengths, self._skip, n_channels = read_csv_header(path, header)
            with open(path) as handle:
                n_rows = sum(1 for line in handle if line.strip()) - self._skip
            self.shape = (n_rows, n_channels)
        else:
            self._values, self._close = spectra_dataset(path, key)
            self.shape = self._values.shape
        # A C-ordered .npy is read with plain file reads: pages of a memory
        # map stay resident once touched, so a pass over a map through one
        # would hold the whole file in memory.
        if isinstance(self._values, np.memmap) and self._values.flags.c_contiguous:
            self._npy_offset, self._dtype = self._values.offset, self._values.dtype
            self._values = None
        if self.shape[0] == 0:
            raise CommandError(f"{path}: holds no spectra.")

    def __iter__(self):
        if self._csv:
            with open(self.path) as handle:
                for _ in range(self._skip):
                    handle.readline()
                start = 0
                while start < self.shape[0]:
                    block = np.loadtxt(handle, delimiter=",", ndmin=2, max_rows=self.block_rows)
                    yield check_block(self.path, block, start)
                    start += len(block)
            return
        if self._npy_offset is not None:
            yield from self._npy_blocks()
            return
        try:
            for start in range(0, self.shape[0], self.block_rows):
                block = np.asarray(self._values[start : start + self.block_rows])
                yield check_block(self.path, block, start)
        finally:
            self._close()

    def _npy_blocks(self):
        n_rows, n_channels = self.shape
        with open(self.path, "rb") as handle:
            handle.seek(self._npy_offset)
            for start in range(0, n_rows, self.block_rows):
                rows = min(self.block_rows, n_rows - start)
                block = np.fromfile(handle, dtype=self._dtype, count=rows * n_channels)
                yield check_block(self.path, block.reshape(rows, n_channels), start)


class BlockWriter:
    """Writes rows block by block to .npy, .csv or HDF5 (``.npz`` is written at the end)."""

    def __init__(self, path, n_rows, n_channels, wavelengths=None):
        if wavelengths is not None and len(wavelengths) != n_channels:
            raise CommandError(
                f"the model file gives {len(wavelengths)} output wavelengths, but the model "
                f"predicts spectra of {n_channels} channels: the file is damaged or was edited; "
                "nothing was written."
            )
        self.path, self.shape, self.wavelengths = path, (n_rows, n_channels), wavelengths
        self.extension = os.path.splitext(path)[1].lower()
        self._blocks, self._row = [], 0
        if self.extension == ".npy":
            self._handle = open(path, "wb")  # closed in close()
            header = {"descr": "<f4", "fortran_order": False, "shape": self.shape}
            np.lib.format.write_array_header_1_0(self._handle, header)
        elif self.extension == ".csv":
            self._handle = open(path, "w")  # closed in close()
            if wavelengths is not None:
                # Shortest text that reads back as the same float: never rounded.
                self._handle.write(",".join(repr(float(w)) for w in wavelengths) + "\n")
        elif self.extension in (".h5", ".hdf5"):
            from sklspec.utils._optional import import_optional

            h5py = import_optional("h5py", "Writing HDF5 files")
            self._handle = h5py.File(path, "w")
            self._dataset = self._handle.create_dataset("spectra", self.shape, dtype="f4")
            if wavelengths is not None:
                self._handle["wavelengths"] = wavelengths
        else:
            self._handle = None

    def write(self, block):
        block = np.ascontiguousarray(block, dtype=np.float32)
        if self.extension == ".npy":
            block.tofile(self._handle)
        elif self.extension == ".csv":
            np.savetxt(self._handle, block, delimiter=",", fmt="%.7g")
        elif self._handle is not None:
            self._dataset[self._row : self._row + len(block)] = block
        else:
            self._blocks.append(block)
        self._row += len(block)

    def close(self):
        if self._handle is not None:
            self._handle.close()
        else:
            np.savez(self.path, spectra=np.concatenate(self._blocks))

    def discard(self):
        """Close and remove a partly written output."""
        if self._handle is not None:
            self._handle.close()
        if os.path.exists(self.path):
            os.remove(self.path)


def transfer_blocks(outputs, reader):
    """Each output's ``compute`` over ``reader``'s blocks, into its writer.

    ``outputs``: ``(compute, make_writer)`` pairs; ``compute(block)`` gives a
    2-D array, ``make_writer(n_columns)`` the writer of its rows (made at
    the first block, once the width is known). One block is read ahead and
    the previous one written while the models compute: file reads and
    writes release the GIL, as torch does, so disk and compute overlap. On
    any error the partial outputs are removed.
    """
    writers, pending = [None] * len(outputs), []
    blocks = iter(reader)
    with ThreadPoolExecutor(max_workers=2) as pool:
        try:
            upcoming = pool.submit(next, blocks, None)
            while (block := upcoming.result()) is not None:
                upcoming = pool.submit(next, blocks, None)
                results = [compute(block) for compute, _ in outputs]
                for k, ((_, make_writer), result) in enumerate(zip(outputs, results, strict=True)):
                    if writers[k] is None:
                        writers[k] = make_writer(result.shape[1])
                for write in pending:
                    write.result()
                pending = [
                    pool.submit(writer.write, result)
                    for writer, result in zip(writers, results, strict=True)
                ]
            for write in pending:
                write.result()
        except BaseException:
            for write in pending:
                write.exception()  # let the last writes finish before removing the files
            for writer in writers:
                if writer is not None:
                    writer.discard()
            raise
    for writer in writers:
        writer.close()
