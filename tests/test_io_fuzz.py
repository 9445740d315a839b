"""A property-based fuzzer of the model loader: genuine files, mutated as an attacker would.

Each example takes a genuine file's description, replaces one node (chosen
anywhere in the tree) by a value hypothesis generates (JSON values, the
format's tagged nodes with hostile contents, payload class names, huge
sizes), recomputes the checksum, and loads it. The loader must return a
model or raise ModelFileError: no other exception, no code run, and memory
within a bound. ``pytest -s`` prints the counts.
"""

import json
import os
import resource
import tempfile
from collections import Counter

import numpy as np
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.preprocessing import StandardScaler

from sklspec.exceptions import ModelFileError
from sklspec.io import load, read_info, save
from sklspec.papers import wrap_transfer_model
from sklspec.transfer import SpectralMLPRegressor
from sklspec.vae import VAEEncoder

hypothesis = pytest.importorskip("hypothesis")
safetensors = pytest.importorskip("safetensors.numpy")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

MARKER = os.path.join(tempfile.gettempdir(), f"sklspec-fuzz-{os.getpid()}")
PAYLOAD_CLASSES = [
    "posix.system",
    "builtins.eval",
    "os.system",
    "subprocess.Popen",
    "importlib.import_module",
    "joblib.load",
    "pickle.loads",
]
COUNTS = Counter()


def _genuine_files():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 6)).astype(np.float32)
    models = {
        "pls": wrap_transfer_model(PLSRegression(2), StandardScaler()).fit(X, X),
        "mlp": SpectralMLPRegressor((4,), max_epochs=1, device="cpu", random_state=0).fit(X, X),
        "vae": VAEEncoder((4,), 2, max_epochs=1, device="cpu", random_state=0).fit(X),
    }
    files = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, model in models.items():
            path = os.path.join(folder, f"{name}.sklspec")
            save(model, path, info={"primary_wavelengths": list(range(6))})
            with safetensors.safe_open(path, framework="np") as handle:
                metadata = handle.metadata()
                tensors = {key: handle.get_tensor(key) for key in handle.keys()}
            files[name] = (json.loads(metadata["sklspec"]), tensors)
    return files


GENUINE = _genuine_files()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 10**9, 2**31, 2**63]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        [
            "t0",
            "t1",
            "t999",
            "<U100000000",
            "|V1",
            "O",
            "MT19937",
            "inf",
            "nan",
            f"touch {MARKER}",
            "__import__('os').system('touch x')",
        ]
    ),
)


def _tagged(children):
    """The format's tagged nodes with contents an attacker chooses."""
    dtype = st.sampled_from(["<f4", "<f8", "<i8", "|b1", "<U5", "<U100000000", "|V8", "O", "x"])
    return st.one_of(
        st.builds(lambda v: {"__dict__": v}, st.dictionaries(st.text(max_size=8), children)),
        st.builds(lambda v: {"__items__": v}, st.lists(st.lists(children, max_size=3))),
        st.builds(lambda v: {"__tuple__": v}, children),
        st.builds(lambda v: {"__float__": v}, scalars),
        st.builds(lambda v: {"__array__": v}, scalars),
        st.builds(lambda v: {"__farray__": v}, scalars),
        st.builds(lambda d, v: {"__str_array__": [v, d]}, dtype, st.lists(st.text(max_size=5))),
        st.builds(
            lambda v, s: {"__object_array__": [v, s]},
            st.lists(children, max_size=3),
            st.lists(st.integers(-5, 10**6), max_size=3),
        ),
        st.builds(lambda d, v: {"__scalar__": [d, v]}, dtype, children),
        st.builds(lambda v: {"__dtype__": v}, dtype),
        st.builds(lambda v: {"__random_state__": v}, st.lists(children, max_size=6)),
        st.builds(
            lambda c, s, e: {"__object__": [c, s, e]},
            st.sampled_from(
                [*PAYLOAD_CLASSES, "sklearn.linear_model.Ridge", "sklspec.vae.VAEEncoder"]
            ),
            st.one_of(
                children,
                st.builds(
                    lambda v: {"__dict__": v}, st.dictionaries(st.text(max_size=8), children)
                ),
            ),
            st.one_of(children, st.dictionaries(st.text(max_size=8), children)),
        ),
        st.builds(lambda v: {"__eval__": v}, children),
    )


nodes = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=3),
        _tagged(children),
    ),
    max_leaves=12,
)


def _paths(node, path=()):
    """Every place in a description a value can be replaced at."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


PATHS = {name: list(_paths(header)) for name, (header, _) in GENUINE.items()}


def _replaced(node, path, value):
    if not path:
        return value
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[path[0]] = _replaced(node[path[0]], path[1:], value)
    return copy


@pytest.fixture(scope="module")
def memory_ceiling():
    """Loading runs under an address-space ceiling 2 GB above what the process maps.

    Prints the counts at the end (``pytest -s``).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status") as status:
        mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))
    resource.setrlimit(resource.RLIMIT_AS, (mapped + 2 * 2**30, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    print(
        f"\nfuzzer: {COUNTS['files']} files tried, {COUNTS['refused']} refused, "
        f"{COUNTS['loaded']} loaded"
    )
    assert COUNTS["refused"] + COUNTS["loaded"] == COUNTS["files"] > 0


@settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_mutated_genuine_file_loads_or_is_refused_cleanly(data, memory_ceiling, tmp_path):
    from sklspec.io._format import _checksum

    name = data.draw(st.sampled_from(sorted(GENUINE)), label="file")
    header, tensors = GENUINE[name]
    where = data.draw(st.sampled_from(PATHS[name]), label="path")
    mutated = _replaced(header, where, data.draw(nodes, label="value"))
    try:
        structure = json.dumps(mutated, allow_nan=False)
    except ValueError:
        return
    metadata = {"sklspec": structure, "checksum": _checksum(structure, tensors)}
    path = tmp_path / "fuzzed.sklspec"
    path.write_bytes(safetensors.save(tensors, metadata=metadata))
    COUNTS["files"] += 1
    try:
        read_info(path)
        load(path)
    except ModelFileError as exc:
        assert str(exc).startswith(str(path))  # every message names the file
        COUNTS["refused"] += 1
    else:
        COUNTS["loaded"] += 1
    assert not os.path.exists(MARKER)
