"""sklspec: scikit-learn compatible machine learning on spectra.

Estimators are importable from their subpackages (``sklspec.preprocessing``,
``sklspec.vae``, ...) and, lazily, from the top level.
"""

import importlib

__version__ = "0.1.0.dev0"

_LAZY = {
    "BaselineSubtractor": "sklspec.preprocessing",
    "WavelengthCropper": "sklspec.preprocessing",
    "WavelengthResampler": "sklspec.preprocessing",
    "VAEEncoder": "sklspec.vae",
    "VAEDecoder": "sklspec.vae",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    # Lazy so that `import sklspec` does not import torch until a VAE is used.
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sklspec' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
