"""The sklspec model file: a safetensors file whose metadata holds the structure as JSON."""

import hashlib
import json
import os
from datetime import datetime, timezone
from typing import Any

import numpy as np

from sklspec.exceptions import ModelFileError
from sklspec.io._allowlist import allowed_class_paths, class_path, public_class_path
from sklspec.io._checks import TreeChecker, memory_budget
from sklspec.io._encoding import Decoder, Encoder, class_paths
from sklspec.io._signing import sign, verify
from sklspec.utils._text import printable
from sklspec.utils._typing import EstimatorLike, PathLike

#: Version of the file layout; files of a newer version are refused.
FORMAT_VERSION = 2
_FORMAT = "sklspec-model"
#: Longest JSON description read (genuine ones: kilobytes to a few MiB).
MAX_DESCRIPTION = 64 * 2**20


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
    key: Any = None,
) -> None:
    """Save a model to a file that loading can never execute code from.

    The model's structure and parameters are written as JSON, its arrays
    and network weights as tensors of a `safetensors
    <https://huggingface.co/docs/safetensors>`_ file: no pickle anywhere.
    Any sklspec estimator, and the scikit-learn and chemotools estimators of
    sklspec's workflows (``Pipeline``, ``TransformedTargetRegressor``,
    ``StandardScaler``, ``MinMaxScaler``, ``PLSRegression``,
    ``KNeighborsRegressor``, ``FrozenEstimator``, ``MultiOutputRegressor``,
    ``MLPRegressor``, ``Ridge``, ``GridSearchCV``, DS and PDS), fitted or
    not, in any combination, can be saved; :func:`load` gives back a model with
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
    key : bytes, str or Ed25519PrivateKey, default=None
        Sign the file (over its checksum, so over its description and
        every tensor): a secret of at least 16 bytes shared with those who
        will load it (HMAC-SHA256), or an Ed25519 private key (extra
        ``sklspec[signing]``) whose public key anyone can check it with.
        ``load(path, key=...)`` then refuses a file not signed with that
        key or changed after signing. Without a key the file carries a
        checksum only, which detects damage but not deliberate edits
        (anyone can recompute it). :func:`read_signing_key` reads either
        kind from a file.

    A fitted ``GridSearchCV`` is saved with what predicting needs (its
    ``best_estimator_``, ``best_params_`` and ``best_score_``): its
    ``cv_results_`` are left out and its scorer is rebuilt from
    ``scoring``, which must be a scorer's name.

    Raises
    ------
    ModelFileError
        If the model holds an object that the format cannot represent (a
        class outside the allow-list, a function); the message lists the
        classes a file can hold.

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
    checksum = _checksum(structure, encoder.tensors)
    metadata = {"sklspec": structure, "checksum": checksum}
    if key is not None:
        metadata["signature_scheme"], metadata["signature"] = sign(checksum, key)
    try:
        content = safetensors.save(encoder.tensors, metadata=metadata)
        # Written with open(): the file gets the user's umask like any other
        # (safetensors' save_file creates it readable by its owner only).
        with open(path, "wb") as file:
            file.write(content)
    except OSError as exc:
        raise ModelFileError(f"{os.fspath(path)}: cannot write the model file ({exc}).") from exc


def _read(path, *, tensors, key=None):
    """The checked description and tensors of a model file; ModelFileError for anything wrong."""
    import safetensors

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ModelFileError(f"{path}: no such model file.")
    try:
        with safetensors.safe_open(path, framework="np") as handle:
            metadata = handle.metadata() or {}
            shapes = {}
            for name in handle.keys():
                tensor = handle.get_slice(name)
                shapes[name] = (tensor.get_shape(), tensor.get_dtype())
            arrays = {name: handle.get_tensor(name) for name in handle.keys()} if tensors else {}
    except Exception as exc:  # safetensors' own error type is private to its Rust module
        raise ModelFileError(
            f"{path}: not a readable sklspec model file ({exc}). It may be truncated or of "
            "another format (a joblib/pickle file cannot be loaded this way)."
        ) from exc
    structure = metadata.get("sklspec")
    if structure is None:
        raise ModelFileError(f"{path}: a safetensors file, but not a sklspec model file.")
    if len(structure) > MAX_DESCRIPTION:
        # Parsed JSON takes several times its text in memory: refused before parsing.
        raise ModelFileError(
            f"{path}: its model description holds {len(structure) / 2**20:.0f} MiB of JSON, "
            f"more than a model needs (at most {MAX_DESCRIPTION // 2**20} MiB; the weights "
            "are tensors)."
        )
    try:
        header = json.loads(structure)
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(f"{path}: damaged model description ({exc}).") from exc
    if not isinstance(header, dict) or header.get("format") != _FORMAT:
        raise ModelFileError(f"{path}: not a sklspec model file.")
    version = header.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION:
        saved_with = header.get("versions")
        saved_with = saved_with.get("sklspec") if isinstance(saved_with, dict) else None
        raise ModelFileError(
            f"{path}: written in model format {printable(version)}, newer than this sklspec "
            f"reads ({FORMAT_VERSION}); upgrade sklspec (it was saved with sklspec "
            f"{printable(saved_with or '?')})."
        )
    try:
        _check_header(header)
        checker = TreeChecker(shapes, memory_budget(os.path.getsize(path)))
        checker.check(header["model"], "model")
        for name, tree in header.get("companions", {}).items():
            checker.check(tree, f"companion {name}")
    except ModelFileError as exc:
        raise ModelFileError(f"{path}: damaged or hostile model description: {exc}.") from exc
    if tensors:
        checksum = _checksum(structure, arrays)
        if metadata.get("checksum") != checksum:
            raise ModelFileError(
                f"{path}: the checksum does not match: the file was modified or damaged after "
                "it was saved."
            )
        if key is not None:
            scheme = metadata.get("signature_scheme")
            verify(path, scheme, metadata.get("signature"), checksum, key)
    return header, arrays, "signature" in metadata


def _check_header(header):
    """The description's fields beside the model have the types ``save`` writes."""
    if "model" not in header:
        raise ModelFileError("it holds no model")
    versions = header.get("versions", {})
    if not isinstance(versions, dict) or not all(
        isinstance(name, str) and isinstance(value, str) and len(name) + len(value) < 200
        for name, value in versions.items()
    ):
        raise ModelFileError("'versions' must map package names to version strings")
    if not isinstance(header.get("created", ""), str) or len(header.get("created", "")) > 64:
        raise ModelFileError("'created' must be a date")
    info = header.get("info", {})
    if not isinstance(info, dict):
        raise ModelFileError("'info' must be a dict")
    for name, value in info.items():
        if name.endswith("_wavelengths") and value is not None:
            _check_wavelengths(name, value)
    companions = header.get("companions", {})
    if not isinstance(companions, dict):
        raise ModelFileError("'companions' must map names to models")


def _check_wavelengths(name, value):
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(w, int | float) and not isinstance(w, bool) for w in value)
    ):
        raise ModelFileError(f"info {name!r} must be a list of numbers")
    axis = np.asarray(value, dtype=float)
    steps = np.diff(axis)
    if not np.all(np.isfinite(axis)) or not (np.all(steps > 0) or np.all(steps < 0)):
        raise ModelFileError(f"info {name!r} must be finite and strictly monotonic")


def read_info(path: PathLike, *, key: Any = None) -> dict[str, Any]:
    """What a model file holds, read without building the model.

    The description is checked as :func:`load` checks it (its structure,
    the classes it names), but nothing is built.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.
    key : bytes, str, Ed25519PublicKey or Ed25519PrivateKey, default=None
        Check the file's signature with this key first (see :func:`save`):
        what is returned then comes from the file's signer.

    Returns
    -------
    info : dict
        ``model_class`` (the class of the model the file holds, read from
        the model itself), ``versions`` (sklspec, scikit-learn, torch, numpy,
        skorch at saving time), ``format_version``, ``created`` (UTC),
        ``classes`` (every class the model is made of), ``info`` (what
        was passed to :func:`save`), ``companions`` (their names) and
        ``signed`` (whether the file carries a signature; only a ``key``
        checks it).

    Raises
    ------
    ModelFileError
        If the file is not a sklspec model file, is from a newer format,
        has a malformed description, or (with ``key``) is not signed with
        that key.

    Examples
    --------
    >>> from sklspec.io import read_info
    >>> read_info("pls.sklspec")["info"]  # doctest: +SKIP
    {'instrument': 'mp5'}
    """
    header, _, signed = _read(path, tensors=key is not None, key=key)
    model = header["model"]
    return {
        "model_class": public_class_path(model["__object__"][0])
        if isinstance(model, dict) and "__object__" in model
        else type(model).__name__,
        "versions": header.get("versions", {}),
        "format_version": header["format_version"],
        "created": header.get("created"),
        "info": header.get("info", {}),
        "classes": sorted(class_paths(model)),
        "companions": sorted(header.get("companions", {})),
        "signed": signed,
    }


def load(path: PathLike, *, companion: str | None = None, key: Any = None) -> Any:
    """Load a model saved with :func:`save`, never executing code from the file.

    The file is treated as hostile until checked. Before anything is built:
    every class its description names must be on sklspec's allow-list (its
    estimators, and the scikit-learn and chemotools ones its workflows use);
    every node of the description must have the form :func:`save` writes,
    nested at most 128 levels, with dtypes of numbers, booleans or bounded
    strings only; what decoding allocates beyond the file's own bytes is
    bounded by a multiple of its size; the checksum must match the content
    (and, with ``key``, the signature the key); and the format must not be
    newer than this version of sklspec reads. Objects are then rebuilt from
    data: attributes are set, no ``__init__``, ``__setstate__`` or pickle
    runs. Each estimator's parameters are validated by its own constraints,
    and a network's stored weights must have exactly the shapes its
    parameters describe before any of it is built (on the CPU).

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.
    companion : str, default=None
        Load the companion estimator of this name (see :func:`save`)
        instead of the model.
    key : bytes, str, Ed25519PublicKey or Ed25519PrivateKey, default=None
        The secret the file was signed with, or the signer's Ed25519 public
        key (see :func:`save`): a file that is unsigned, signed with another
        key or changed after signing is refused. Without a key, a signature
        is not checked.

    Returns
    -------
    model : estimator
        The model (or the companion), with bitwise-identical predictions.

    Raises
    ------
    ModelFileError
        If the file is missing, truncated, modified after saving, from a
        newer format, not a sklspec model file, names a class outside the
        allow-list, holds anything the format does not write or
        parameters its classes refuse, or (with ``key``) is not signed with
        that key. The message says what is wrong; nothing is returned.

    Examples
    --------
    >>> from sklspec.io import load
    >>> model = load("pls.sklspec")  # doctest: +SKIP
    """
    header, tensors, _ = _read(path, tensors=True, key=key)
    path = os.fspath(path)
    if companion is None:
        tree = header["model"]
    else:
        companions = header.get("companions", {})
        if companion not in companions:
            held = ", ".join(printable(name, 60) for name in sorted(companions)) or "none"
            raise ModelFileError(f"{path}: holds no companion {companion!r} (it holds: {held}).")
        tree = companions[companion]
    refused = class_paths(tree) - allowed_class_paths()
    if refused:
        raise ModelFileError(
            f"{path}: refused: it names classes outside the allow-list of loadable "
            f"types: {printable(', '.join(sorted(refused)), 400)}. Nothing was loaded."
        )
    try:
        return Decoder(tensors).decode(tree)
    except ModelFileError as exc:
        raise ModelFileError(f"{path}: damaged or hostile model description ({exc}).") from exc
    except Exception as exc:
        # The checks above refuse what the format never writes; what they let
        # through and still fails (a parameter an older class lacked, say) is
        # reported the same way, never as the library's own exception.
        raise ModelFileError(
            f"{path}: the model cannot be rebuilt ({type(exc).__name__}: {printable(exc)})."
        ) from exc
