"""The sklspec model file: a safetensors file whose metadata holds the structure as JSON."""

import hashlib
import json
import os
from datetime import datetime, timezone
from typing import Any

import numpy as np

from sklspec.exceptions import ModelFileError
from sklspec.io._allowlist import allowed_class_paths, class_path
from sklspec.io._encoding import Decoder, Encoder, class_paths
from sklspec.utils._typing import EstimatorLike, PathLike

#: Version of the file layout; files of a newer version are refused.
FORMAT_VERSION = 2
_FORMAT = "sklspec-model"


def _versions():
    from importlib.metadata import version

    import sklearn
    import torch

    import sklspec

    versions = {"sklspec": sklspec.__version__, "scikit-learn": sklearn.__version__}
    versions["torch"] = torch.__version__
    versions["numpy"] = np.__version__
    try:
        versions["skorch"] = version("skorch")
    except Exception:
        pass
    return versions


def _checksum(structure, tensors):
    digest = hashlib.sha256(structure.encode())
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def save(
    model: EstimatorLike,
    path: PathLike,
    *,
    info: dict[str, Any] | None = None,
    companions: dict[str, PathLike] | None = None,
) -> None:
    """Save a model to a file that loading can never execute code from.

    The model's structure and parameters are written as JSON, its arrays
    and network weights as tensors of a `safetensors
    <https://huggingface.co/docs/safetensors>`_ file: no pickle anywhere.
    Any sklspec estimator, and the scikit-learn and chemotools estimators of
    sklspec's workflows (``Pipeline``, ``TransformedTargetRegressor``,
    ``StandardScaler``, ``MinMaxScaler``, ``PLSRegression``,
    ``KNeighborsRegressor``, ``FrozenEstimator``, ``MultiOutputRegressor``,
    ``MLPRegressor``, ``Ridge``, DS and PDS), fitted or not, in any
    combination, can be saved; :func:`load` gives back a model with
    bitwise-identical predictions, on the CPU whatever device it was fitted
    on. The file records the package and format versions.

    Parameters
    ----------
    model : estimator
        The model to save.
    path : str or path-like
        The file to write (overwritten if it exists).
    info : dict, default=None
        JSON-serializable facts to store beside the model (e.g. the
        comparison that chose it, wavelengths); :func:`read_info` returns
        them without loading the model.
    companions : dict of str to estimator, default=None
        Other fitted estimators that belong with the model and travel in
        the same file, by name (e.g. ``{"reliability":
        TransferReliability(...)}``, which ``sklspec fit-transfer`` stores);
        ``load(path, companion=name)`` returns one.

    Raises
    ------
    ModelFileError
        If the model holds an object that the format cannot represent (a
        class outside the allow-list, a function).

    See Also
    --------
    load : Load a model saved with this function.
    read_info : What a model file holds, without loading it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cross_decomposition import PLSRegression
    >>> from sklspec.io import load, save
    >>> X, Y = np.random.default_rng(0).normal(size=(2, 30, 5))
    >>> model = PLSRegression(2).fit(X, Y)
    >>> save(model, "pls.sklspec", info={"instrument": "mp5"})  # doctest: +SKIP
    >>> np.array_equal(load("pls.sklspec").predict(X), model.predict(X))  # doctest: +SKIP
    True
    """
    import safetensors.numpy as safetensors

    encoder = Encoder(allowed_class_paths())
    header = {
        "format": _FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model_class": class_path(type(model)),
        "info": info or {},
        "model": encoder.encode(model),
    }
    if companions:
        if not all(isinstance(name, str) for name in companions):
            raise ModelFileError("companions must be a dict keyed by names (str).")
        header["companions"] = {name: encoder.encode(obj) for name, obj in companions.items()}
    try:
        structure = json.dumps(header, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"info must hold JSON values only: {exc}") from exc
    metadata = {"sklspec": structure, "checksum": _checksum(structure, encoder.tensors)}
    try:
        safetensors.save_file(encoder.tensors, os.fspath(path), metadata=metadata)
    except Exception as exc:  # safetensors' own error type is private to its Rust module
        raise ModelFileError(f"{os.fspath(path)}: cannot write the model file ({exc}).") from exc


def _read(path, *, tensors):
    import safetensors

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ModelFileError(f"{path}: no such model file.")
    try:
        with safetensors.safe_open(path, framework="np") as handle:
            metadata = handle.metadata() or {}
            arrays = {name: handle.get_tensor(name) for name in handle.keys()} if tensors else {}
    except Exception as exc:  # safetensors' own error type is private to its Rust module
        raise ModelFileError(
            f"{path}: not a readable sklspec model file ({exc}). It may be truncated or of "
            "another format (a joblib/pickle file cannot be loaded this way)."
        ) from exc
    structure = metadata.get("sklspec")
    if structure is None:
        raise ModelFileError(f"{path}: a safetensors file, but not a sklspec model file.")
    try:
        header = json.loads(structure)
    except ValueError as exc:
        raise ModelFileError(f"{path}: damaged model description ({exc}).") from exc
    if not isinstance(header, dict) or header.get("format") != _FORMAT:
        raise ModelFileError(f"{path}: not a sklspec model file.")
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: written in model format {version!r}, newer than this sklspec reads "
            f"({FORMAT_VERSION}); upgrade sklspec (it was saved with sklspec "
            f"{header.get('versions', {}).get('sklspec', '?')})."
        )
    if tensors and metadata.get("checksum") != _checksum(structure, arrays):
        raise ModelFileError(
            f"{path}: the checksum does not match: the file was modified or damaged after "
            "it was saved."
        )
    return header, arrays


def read_info(path: PathLike) -> dict[str, Any]:
    """What a model file holds, read without building the model.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.

    Returns
    -------
    info : dict
        ``model_class``, ``versions`` (sklspec, scikit-learn, torch, numpy,
        skorch at saving time), ``format_version``, ``created`` (UTC),
        ``classes`` (every class the model is made of), ``info`` (what
        was passed to :func:`save`) and ``companions`` (their names).

    Raises
    ------
    ModelFileError
        If the file is not a sklspec model file, or from a newer format.

    Examples
    --------
    >>> from sklspec.io import read_info
    >>> read_info("pls.sklspec")["info"]  # doctest: +SKIP
    {'instrument': 'mp5'}
    """
    header, _ = _read(path, tensors=False)
    keys = ("model_class", "versions", "format_version", "created", "info")
    return {
        **{key: header.get(key) for key in keys},
        "classes": sorted(class_paths(header.get("model"))),
        "companions": sorted(header.get("companions", {})),
    }


def load(path: PathLike, *, companion: PathLike | None = None) -> Any:
    """Load a model saved with :func:`save`, never executing code from the file.

    The file's JSON description is checked before anything is built: every
    class it names must be on sklspec's allow-list (its estimators, and the
    scikit-learn and chemotools ones its workflows use), the checksum must
    match the content, and the format must not be newer than this version
    of sklspec reads. Objects are then rebuilt from data: attributes are
    set, no ``__init__``, ``__setstate__`` or pickle runs. Networks are
    rebuilt on the CPU.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.
    companion : str, default=None
        Load the companion estimator of this name (see :func:`save`)
        instead of the model.

    Returns
    -------
    model : estimator
        The model (or the companion), with bitwise-identical predictions.

    Raises
    ------
    ModelFileError
        If the file is missing, truncated, modified after saving, from a
        newer format, not a sklspec model file, or names a class outside
        the allow-list.

    Examples
    --------
    >>> from sklspec.io import load
    >>> model = load("pls.sklspec")  # doctest: +SKIP
    """
    header, tensors = _read(path, tensors=True)
    if companion is None:
        tree = header["model"]
    else:
        companions = header.get("companions", {})
        if companion not in companions:
            held = ", ".join(sorted(companions)) or "none"
            raise ModelFileError(
                f"{os.fspath(path)}: holds no companion {companion!r} (it holds: {held})."
            )
        tree = companions[companion]
    refused = class_paths(tree) - allowed_class_paths()
    if refused:
        raise ModelFileError(
            f"{os.fspath(path)}: refused: it names classes outside the allow-list of loadable "
            f"types: {', '.join(sorted(refused))}. Nothing was loaded."
        )
    try:
        return Decoder(tensors).decode(tree)
    except ModelFileError as exc:
        raise ModelFileError(f"{os.fspath(path)}: damaged model description ({exc}).") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelFileError(
            f"{os.fspath(path)}: damaged model description ({type(exc).__name__}: {exc})."
        ) from exc
