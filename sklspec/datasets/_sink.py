"""Where simulated spectra go: arrays in memory, or .npy files written block by block."""

import os

import numpy as np

from sklspec.datasets._spectrometers import PRIMARY, SECONDARY

# Shots are simulated in blocks of this many; noise streams are seeded per
# block, so results do not depend on memory or on where they are written.
BLOCK = 4096


class SpectraSink:
    """Where simulated blocks go: arrays in memory, or .npy files on disk.

    On disk, blocks are appended to the files with plain writes, so memory
    holds one block whatever the map size (writing through a memory map
    would keep every written page resident until the kernel flushes it).
    """

    def __init__(self, out, n_shots, *, noiseless=False):
        self.out = out
        # The third array, when asked for: the primary spectra without noise.
        self._names = ("primary", "secondary", "primary_noiseless")[: 3 if noiseless else 2]
        widths = (PRIMARY.n_pixels, SECONDARY.n_pixels, PRIMARY.n_pixels)
        self.shapes = [(n_shots, width) for width in widths[: len(self._names)]]
        if out is None:
            self.arrays = [np.empty(shape, dtype=np.float32) for shape in self.shapes]
            return
        os.makedirs(out, exist_ok=True)
        self.staging = np.empty(min(BLOCK, n_shots) * PRIMARY.n_pixels, dtype=np.float32)
        self.files = []
        for name, shape in zip(self._names, self.shapes, strict=True):
            handle = open(self._path(name), "wb")  # closed in close()
            header = {"descr": "<f4", "fortran_order": False, "shape": shape}
            np.lib.format.write_array_header_1_0(handle, header)
            self.files.append(handle)

    def _path(self, name):
        return os.path.join(self.out, f"X_{name}.npy")

    def block(self, k, part):
        if self.out is None:
            return self.arrays[k][part]
        n = part.stop - part.start
        width = self.shapes[k][1]
        return self.staging[: n * width].reshape(n, width)

    def commit(self, k, block):
        if self.out is not None:
            block.tofile(self.files[k])

    def close(self):
        if self.out is None:
            return self.arrays
        for handle in self.files:
            handle.close()
        return [np.load(self._path(name), mmap_mode="r") for name in self._names]
