"""Signatures of model files: a shared secret (HMAC-SHA256) or an Ed25519 key pair.

Both sign the file's checksum, which covers its description and every
tensor. A shared secret proves that a holder of the secret made the file;
an Ed25519 signature that the holder of one private key did, and anyone can
check it with the public key (a primary lab publishes its public key, and
each secondary lab checks the library it downloads).
"""

import hashlib
import hmac
import os
from typing import Any

from sklspec.exceptions import ModelFileError
from sklspec.utils._optional import import_optional
from sklspec.utils._typing import PathLike

HMAC, ED25519 = "hmac-sha256", "ed25519"
_MIN_SECRET, _MAX_KEY_FILE = 16, 4096


def _ed25519():
    return import_optional(
        "cryptography.hazmat.primitives.asymmetric.ed25519", "Ed25519 signatures of model files"
    )


def _is_key_object(key):
    return type(key).__module__.startswith("cryptography")


def _secret(key):
    if isinstance(key, str):
        key = key.encode()
    if not isinstance(key, bytes | bytearray) or len(key) < _MIN_SECRET:
        raise ModelFileError(
            f"key must be a secret of at least {_MIN_SECRET} bytes (bytes or str) shared by the "
            "labs that sign and check model files, or an Ed25519 key (cryptography's "
            "Ed25519PrivateKey to sign, Ed25519PublicKey or the private key to check)."
        )
    return bytes(key)


def sign(checksum, key):
    """``(scheme, signature)`` of a checksum with a secret or an Ed25519 private key."""
    if not _is_key_object(key):
        return HMAC, hmac.new(_secret(key), checksum.encode(), hashlib.sha256).hexdigest()
    ed25519 = _ed25519()
    if isinstance(key, ed25519.Ed25519PublicKey):
        raise ModelFileError(
            "A public key checks signatures; sign with the private key (Ed25519PrivateKey)."
        )
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ModelFileError(f"Only Ed25519 keys sign model files; got a {type(key).__name__}.")
    return ED25519, key.sign(checksum.encode()).hex()


def verify(path, scheme, signature, checksum, key):
    """Refuse (ModelFileError) unless ``signature`` is the checksum's, made with ``key``."""
    expected_scheme = ED25519 if _is_key_object(key) else HMAC
    if signature is None:
        raise ModelFileError(
            f"{path}: the file is not signed, so it cannot be checked against the key given; "
            "ask its maker for a signed file (save(..., key=...), fit-transfer --signing-key)."
        )
    if scheme != expected_scheme:
        kinds = {HMAC: "a shared secret", ED25519: "an Ed25519 key"}
        raise ModelFileError(
            f"{path}: the file is signed with {kinds.get(scheme, repr(scheme)[:40])}, but the key "
            f"given is {kinds[expected_scheme]}; check it with the kind of key it was signed with."
        )
    if scheme == HMAC:
        expected = hmac.new(_secret(key), checksum.encode(), hashlib.sha256).hexdigest()
        valid = isinstance(signature, str) and hmac.compare_digest(signature, expected)
    else:
        valid = _ed25519_valid(key, signature, checksum)
    if not valid:
        raise ModelFileError(
            f"{path}: the signature does not match the key given: the file was signed with "
            "another key, or changed after it was signed. Nothing was loaded."
        )


def _ed25519_valid(key, signature, checksum):
    from cryptography.exceptions import InvalidSignature

    ed25519 = _ed25519()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ModelFileError(f"Only Ed25519 keys check model files; got a {type(key).__name__}.")
    try:
        key.verify(bytes.fromhex(signature), checksum.encode())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def read_signing_key(path: PathLike) -> Any:
    """The key in a file: an Ed25519 key in PEM format, or else the bytes of a shared secret.

    Parameters
    ----------
    path : str or path-like
        A PEM file of an Ed25519 private key (to sign, or check) or public
        key (to check), as ``openssl genpkey -algorithm ed25519`` and
        ``openssl pkey -pubout`` write them; or a file holding a shared
        secret of 16 to 4096 bytes (a final newline is not part of it).

    Returns
    -------
    key : bytes, Ed25519PrivateKey or Ed25519PublicKey
        What :func:`save` and :func:`load` take as ``key``.

    Raises
    ------
    ModelFileError
        If the file cannot be read, holds another kind of PEM key, or a
        secret of the wrong length.

    Examples
    --------
    >>> from sklspec.io import load, read_signing_key
    >>> model = load("library.sklspec", key=read_signing_key("primary.pub.pem"))  # doctest: +SKIP
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as file:
            data = file.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read the signing key ({exc.strerror}).") from None
    if data.lstrip().startswith(b"-----BEGIN"):
        return _pem_key(path, data)
    secret = data.rstrip(b"\r\n")
    if not _MIN_SECRET <= len(secret) <= _MAX_KEY_FILE:
        raise ModelFileError(
            f"{path}: a shared secret must hold {_MIN_SECRET} to {_MAX_KEY_FILE} bytes (it holds "
            f"{len(secret)}); make one with: python -c \"import secrets; "
            'print(secrets.token_hex(32))" > KEYFILE'
        )
    return secret


def _pem_key(path, data):
    ed25519 = _ed25519()
    from cryptography.hazmat.primitives import serialization

    try:
        if b"PUBLIC KEY" in data.split(b"\n", 1)[0]:
            key = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ModelFileError(f"{path}: not a readable PEM key ({exc}).") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        raise ModelFileError(
            f"{path}: a {type(key).__name__}; model files are signed with Ed25519 keys "
            "(openssl genpkey -algorithm ed25519 -out key.pem)."
        )
    return key
