"""Spectra files of the ``sklspec`` command: read and written with one clear error per problem."""

import os
from dataclasses import dataclass

import numpy as np

SPECTRA_FORMATS = (".npy", ".npz", ".csv", ".h5", ".hdf5")


class CommandError(Exception):
    """A problem with the command's input or output, reported in one line."""


@dataclass
class Spectra:
    """Spectra read from a file: one per row, with the wavelength axis when the file has one."""

    values: np.ndarray
    wavelengths: np.ndarray | None = None


def signing_key(args):
    """The key of ``--signing-key FILE`` (a shared secret or an Ed25519 PEM key), or None."""
    path = getattr(args, "signing_key", None)
    if path is None:
        return None
    from sklspec.exceptions import ModelFileError
    from sklspec.io import read_signing_key

    try:
        return read_signing_key(path)
    except (ModelFileError, ImportError) as exc:
        raise CommandError(str(exc)) from None


def check_path(path):
    if not os.path.isfile(path):
        raise CommandError(f"{path}: no such file.")
    extension = os.path.splitext(path)[1].lower()
    if extension not in SPECTRA_FORMATS:
        raise CommandError(
            f"{path}: unknown format {extension!r}; use one of {', '.join(SPECTRA_FORMATS)}."
        )
    return extension


def _reading_errors(path, read):
    """``read()``, with numpy's and h5py's exceptions turned into one-line errors."""
    try:
        return read()
    except CommandError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc) or "Python objects" in str(exc):
            raise CommandError(
                f"{path}: not an array of numbers (it holds Python objects)."
            ) from None
        raise CommandError(f"{path}: cannot read spectra ({exc}).") from exc
    except (OSError, EOFError) as exc:
        raise CommandError(f"{path}: cannot read spectra ({exc or type(exc).__name__}).") from exc


def read_spectra(path, *, key=None, header=None):
    """Spectra from a .npy (memory-mapped), .npz, .csv or HDF5 file.

    ``header``: None detects a CSV header (a row of column names, or a
    strictly increasing numeric first row: the wavelength axis); True and
    False force it. Every problem raises :class:`CommandError` naming the
    file.
    """
    extension = check_path(path)
    if extension == ".csv":
        wavelengths, skip, _ = read_csv_header(path, header)
        values = _reading_errors(
            path, lambda: np.loadtxt(path, delimiter=",", ndmin=2, skiprows=skip)
        )
        values = _check_values(path, values)
        if wavelengths is not None and wavelengths.size != values.shape[1]:
            raise CommandError(
                f"{path}: the header has {wavelengths.size} wavelengths but the spectra have "
                f"{values.shape[1]} channels."
            )
        return Spectra(values, wavelengths)
    values, close = spectra_dataset(path, key)
    try:
        values = values[()] if extension in (".h5", ".hdf5") else values
    finally:
        close()
    return Spectra(_check_values(path, values))


def read_targets(path, *, key=None, n_rows, rows_of):
    """Analyte values, one row (or one value) per pair, from the same formats as spectra."""
    extension = check_path(path)
    if extension == ".csv":
        _, skip, _ = read_csv_header(path, None)
        values = _reading_errors(
            path, lambda: np.loadtxt(path, delimiter=",", ndmin=2, skiprows=skip)
        )
    else:
        values, close = spectra_dataset(path, key, min_ndim=1)
        try:
            values = np.asarray(values[()])
        finally:
            close()
    values = _check_values(path, values.reshape(len(values), -1))
    if len(values) != n_rows:
        raise CommandError(
            f"{path} has {len(values)} rows of targets and {rows_of} {n_rows} spectra; "
            "give one row of analyte values per pair, in the same order."
        )
    return values


def spectra_dataset(path, key, min_ndim=2):
    """A sliceable view of the spectra of a .npy, .npz or HDF5 file, and its closer.

    Type and shape are checked here; values (NaN) by the caller, once, whole
    or block by block. ``min_ndim=1`` also accepts one value per row (targets).
    """
    extension = check_path(path)

    def nothing():
        pass

    if extension == ".npy":
        with open(path, "rb") as handle:
            if handle.read(6) != b"\x93NUMPY":
                raise CommandError(f"{path}: not a .npy array file (no NumPy header).")
        values = _reading_errors(path, lambda: np.load(path, mmap_mode="r", allow_pickle=False))
        return _check_values(path, values, scan=False, min_ndim=min_ndim), nothing
    if extension == ".npz":
        values = _reading_errors(path, lambda: _read_npz(path, key))
        return _check_values(path, values, scan=False, min_ndim=min_ndim), nothing
    handle, dataset = _reading_errors(path, lambda: _open_hdf5(path, key))
    try:
        _check_values(path, dataset, scan=False, min_ndim=min_ndim)
    except CommandError:
        handle.close()
        raise
    return dataset, handle.close


def _check_values(path, values, *, scan=True, min_ndim=2):
    if values.dtype.kind in "USO":
        raise CommandError(f"{path}: holds text, not numbers.")
    if values.dtype.kind == "c":
        raise CommandError(f"{path}: holds complex numbers; spectra must be real.")
    if values.dtype.kind not in "biuf":
        raise CommandError(f"{path}: holds values of type {values.dtype}, not numbers.")
    if values.ndim != 2 and not (min_ndim == 1 and values.ndim == 1):
        raise CommandError(
            f"{path}: expected a 2-D array, one spectrum per row; got shape {values.shape}."
        )
    if values.shape[0] == 0:
        raise CommandError(f"{path}: holds no spectra.")
    if values.ndim == 2 and values.shape[1] == 0:
        raise CommandError(f"{path}: its spectra have no channels.")
    if scan:
        # Row blocks: a memory-mapped file is checked without reading it whole into memory.
        for start in range(0, len(values), 4096):
            check_block(path, values[start : start + 4096], start)
    return values


def check_block(path, block, start):
    """``block`` (rows ``start``...) as floats, or an error at its first NaN or infinity."""
    block = np.asarray(block)
    if block.dtype.kind == "f":
        finite = np.isfinite(block)
        if not finite.all():
            row, channel = np.argwhere(~finite)[0]
            raise CommandError(
                f"{path}: contains NaN or infinite values (first at row {start + int(row)}, "
                f"channel {int(channel)}); remove or repair those spectra."
            )
    return block


def _read_npz(path, key):
    with np.load(path, allow_pickle=False) as archive:
        names = list(archive.files)
        name = key or (names[0] if len(names) == 1 else None)
        if name not in names:
            raise CommandError(f"{path}: holds arrays {names}; name the spectra with a key option.")
        return archive[name]


def _parse_row(line):
    try:
        return np.array([float(value) for value in line.split(",")])
    except ValueError:
        return None


def read_csv_header(path, header):
    """``(wavelengths or None, rows to skip, channels)`` of a CSV file of spectra.

    Refuses, with what to change, what would otherwise be read wrongly: values
    separated by something else than commas, a first column of sample names
    or IDs, and a header of decreasing wavelengths.
    """
    with open(path) as handle:
        first = handle.readline().strip()
        second = handle.readline().strip()
    if not first:
        raise CommandError(f"{path}: holds no spectra (the file is empty).")
    _check_delimiter(path, first)
    _check_id_column(path, first, second)
    first_row = _parse_row(first)
    decreasing = (
        first_row is not None and first_row.size > 1 and bool(np.all(np.diff(first_row) < 0))
    )
    if header is None:
        increasing = first_row is not None and first_row.size > 1
        header = first_row is None or (increasing and bool(np.all(np.diff(first_row) > 0)))
        # A decreasing first row above rows that are not: a wavenumber axis (4000-400 cm-1).
        second_row = _parse_row(second) if second else None
        if decreasing and (second_row is None or not _monotonic(second_row)):
            header = True
    if header and decreasing:
        raise CommandError(
            f"{path}: its header's wavelengths decrease ({first_row[0]:g} to {first_row[-1]:g}); "
            "sklspec reads spectra with increasing wavelengths: reverse the order of the columns "
            "(header and spectra alike), e.g. with numpy: data[:, ::-1]."
        )
    wavelengths = first_row if header else None
    return wavelengths, int(bool(header)), len(first.split(","))


def _monotonic(row):
    steps = np.diff(row)
    return row.size > 1 and bool(np.all(steps > 0) or np.all(steps < 0))


def _check_delimiter(path, line):
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if separator in line:
            raise CommandError(
                f"{path}: its values are separated by {name}; sklspec reads comma-separated "
                f"files: replace the {name} by commas (and any decimal commas by points)."
            )
    if "," not in line and len(line.split()) > 1:
        raise CommandError(
            f"{path}: its values are separated by spaces; sklspec reads comma-separated files: "
            "replace the spaces by commas."
        )


def _check_id_column(path, first, second):
    """A first column of names or IDs beside numeric columns is refused, saying so."""
    for line, what in ((first, "first row"), (second, "second row")):
        cells = line.split(",")
        rest = _parse_row(",".join(cells[1:])) if len(cells) > 2 else None
        if rest is not None and _parse_row(line) is None:
            raise CommandError(
                f"{path}: its first column is not part of the spectra ({cells[0].strip()!r} in the "
                f"{what}, the other columns are numbers): sample names or IDs? Remove that "
                "column; sklspec reads one spectrum per row, numbers only (a header row of "
                "wavelengths is fine)."
            )


def _open_hdf5(path, key):
    from sklspec.utils._optional import import_optional

    try:
        h5py = import_optional("h5py", "Reading HDF5 files")
    except ImportError as exc:
        raise CommandError(str(exc)) from exc
    handle = h5py.File(path, "r")
    try:
        datasets = []
        handle.visititems(
            lambda name, obj: datasets.append(name) if isinstance(obj, h5py.Dataset) else None
        )
        found = ", ".join(datasets) or "no dataset"
        if key is None:
            if len(datasets) != 1:
                raise CommandError(f"{path}: holds {found}; name the spectra with a key option.")
            key = datasets[0]
        if key not in handle:
            raise CommandError(f"{path}: has no dataset {key!r}; it holds {found}.")
        if not isinstance(handle[key], h5py.Dataset):
            raise CommandError(f"{path}: {key!r} is a group, not a dataset; datasets: {found}.")
    except BaseException:
        handle.close()
        raise
    return handle, handle[key]


def describe(spectra):
    """``"N spectra of C channels (245-407 nm)"`` for the command's output."""
    rows, channels = spectra.values.shape
    text = f"{rows} spectra of {channels} channels"
    if spectra.wavelengths is not None:
        text += f" ({spectra.wavelengths[0]:g}-{spectra.wavelengths[-1]:g}, from the header)"
    return text


def check_output(path, *, extensions, inputs=(), force=False, kind="file"):
    """Refuse an output before any work: wrong extension, missing folder, an input, or existing."""
    extension = os.path.splitext(path)[1].lower()
    if extensions and extension not in extensions:
        raise CommandError(f"{path}: write a {' or '.join(extensions)} {kind}.")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CommandError(f"{path}: the folder {folder} does not exist.")
    for source in inputs:
        if os.path.exists(source) and os.path.exists(path) and os.path.samefile(source, path):
            raise CommandError(f"{path}: is one of the inputs; write the output elsewhere.")
    if os.path.exists(path) and not force:
        raise CommandError(f"{path}: exists; pass --force to overwrite it.")
