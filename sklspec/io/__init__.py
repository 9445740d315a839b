"""Model files that are safe to share: loading one never executes code from it.

:func:`save` writes a model as JSON (structure, parameters) and tensors
(arrays, network weights) in a safetensors file; :func:`load` rebuilds it
from an allow-list of classes only; :func:`read_info` tells what a file
holds without building anything. ``joblib``/pickle files, by contrast, run
whatever code they contain when loaded: open those only from sources you
trust. Files can be signed (``key=``): with a secret shared by the labs
(HMAC-SHA256), or an Ed25519 key pair whose public key anyone can check
them with (:func:`read_signing_key` reads either from a file). Built on
safetensors, a dependency of sklspec.
"""

from sklspec.io._format import FORMAT_VERSION, load, read_info, save
from sklspec.io._signing import read_signing_key

__all__ = ["FORMAT_VERSION", "load", "read_info", "read_signing_key", "save"]
