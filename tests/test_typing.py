"""The public signatures are annotated (``py.typed``), and a type checker uses them."""

import importlib
import inspect
import re
import typing
from pathlib import Path

import pytest

import sklspec

ROOT = Path(sklspec.__file__).parent
PUBLIC_MODULES = [
    "sklspec",
    "sklspec.augmentation",
    "sklspec.base",
    "sklspec.cli",
    "sklspec.datasets",
    "sklspec.io",
    "sklspec.maps",
    "sklspec.metrics",
    "sklspec.model_selection",
    "sklspec.papers",
    "sklspec.parallel",
    "sklspec.preprocessing",
    "sklspec.transfer",
    "sklspec.utils",
    "sklspec.utils.discovery",
    "sklspec.utils.validation",
    "sklspec.vae",
]


def _public_callables():
    """``(name, function)`` for public functions and the public methods of public classes."""
    seen = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")])
        for name in names:
            obj = getattr(module, name)
            if not getattr(obj, "__module__", "").startswith("sklspec"):
                continue
            if inspect.isfunction(obj):
                functions = [(f"{module_name}.{name}", obj)]
            elif inspect.isclass(obj) and not issubclass(obj, BaseException):
                # Inherited from sklspec's private bases too (e.g. VAEEncoder.transform).
                functions = [
                    (f"{module_name}.{name}.{attr}", value)
                    for klass in obj.__mro__
                    if klass.__module__.startswith("sklspec")
                    for attr, value in vars(klass).items()
                    if inspect.isfunction(value) and (attr == "__init__" or attr[0] != "_")
                ]
            else:
                continue
            for qualified, function in functions:
                function = inspect.unwrap(function)
                if function not in seen and "<string>" not in str(function.__code__.co_filename):
                    seen.add(function)
                    yield qualified, function


def test_every_public_signature_is_annotated_and_resolves():
    checked, missing = 0, []
    for name, function in _public_callables():
        signature = inspect.signature(function)
        for parameter in signature.parameters.values():
            if parameter.name not in ("self", "cls") and parameter.annotation is parameter.empty:
                missing.append(f"{name}({parameter.name})")
        if signature.return_annotation is signature.empty:
            missing.append(f"{name} -> ?")
        typing.get_type_hints(function)  # every annotation names something real
        checked += 1
    assert not missing, f"unannotated: {missing}"
    assert checked > 140


def test_the_package_is_marked_typed():
    assert (ROOT / "py.typed").is_file()


USER_SCRIPT = """\
import numpy as np
from sklearn.frozen import FrozenEstimator

from sklspec.metrics import relative_squared_error
from sklspec.transfer import GCTPLSRegression, LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import VAEEncoder

X = np.zeros((10, 4))
vae = VAEEncoder((8,), latent_dim=2).fit(X, sample_weight=np.ones(10))
reveal_type(vae)
model = LatentTransferRegressor(FrozenEstimator(vae), SpectralMLPRegressor((8,)))
reveal_type(model.fit(X, X).predict(X))
score: float = relative_squared_error(X, X)
wrong: str = relative_squared_error(X, X)  # error: a float is not a str
GCTPLSRegression(n_components="two")  # error: not an int
"""


def test_a_type_checker_reads_the_annotations(tmp_path, monkeypatch):
    mypy_api = pytest.importorskip("mypy.api")
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT)
    config = tmp_path / "mypy.ini"
    # Only the user's script is reported: sklspec's internals are read, not judged.
    config.write_text(
        "[mypy]\nignore_missing_imports = True\n\n[mypy-sklspec.*]\nfollow_imports = silent\n"
    )
    monkeypatch.setenv("MYPYPATH", str(ROOT.parent))
    out, err, status = mypy_api.run(
        ["--config-file", str(config), "--cache-dir", str(tmp_path / "cache"), str(script)]
    )
    lines = out.splitlines()
    errors = [line for line in lines if ": error:" in line]
    assert len(errors) == 2, out + err
    assert re.search(r':14: error: Incompatible types in assignment .*"float".*"str"', out)
    assert re.search(r':15: error: Argument "n_components" .* "str"; expected "int"', out)
    assert re.search(r':10: note: Revealed type is "sklspec\.vae\._encoder\.VAEEncoder"', out)
    assert re.search(r':12: note: Revealed type is "numpy\.ndarray\[', out)
    assert status == 1
