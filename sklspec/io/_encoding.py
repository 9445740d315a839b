"""Objects to JSON plus arrays, and back, rebuilding only allow-listed classes.

Every node of the JSON tree is a JSON value or a one-key tagged dict. Arrays
of numbers go to the tensor store; the JSON names them. Nothing is pickled,
and decoding instantiates classes of the allow-list only, without calling
their ``__init__``: the attributes are set from data.
"""

import math
import numbers

import numpy as np

from sklspec.exceptions import ModelFileError
from sklspec.io._allowlist import class_path, import_allowed
from sklspec.utils._sklearn_compat import (
    NEIGHBORS_TREE,
    InvalidParameterError,
    neighbors_training_data,
)

# numpy dtypes that safetensors stores.
_TENSOR_KINDS = "biuf"


class Encoder:
    """Turns an object graph into JSON-able data and a dict of arrays.

    Objects are saved only if their class is on the allow-list ``allowed``:
    what could not be loaded is refused when saving already.
    """

    def __init__(self, allowed):
        self.allowed = allowed
        self.tensors = {}

    def _store(self, array):
        name = f"t{len(self.tensors)}"
        self.tensors[name] = np.ascontiguousarray(array)
        return name

    def encode(self, obj):
        if obj is None or isinstance(obj, bool | str):
            return obj
        if isinstance(obj, int) and not isinstance(obj, np.integer):
            return obj
        if isinstance(obj, float) and not isinstance(obj, np.floating):
            return obj if math.isfinite(obj) else {"__float__": repr(obj)}
        if isinstance(obj, list):
            return [self.encode(item) for item in obj]
        if isinstance(obj, tuple):
            return {"__tuple__": [self.encode(item) for item in obj]}
        if isinstance(obj, dict):
            if all(isinstance(key, str) for key in obj):
                return {"__dict__": {key: self.encode(value) for key, value in obj.items()}}
            return {"__items__": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        if isinstance(obj, np.ndarray):
            return self._encode_array(obj)
        if isinstance(obj, np.generic):
            return {"__scalar__": [obj.dtype.str, self.encode(obj.item())]}
        if isinstance(obj, np.dtype):
            return {"__dtype__": obj.str}
        if isinstance(obj, np.random.RandomState):
            kind, keys, position, has_gauss, cached = obj.get_state()
            return {"__random_state__": [kind, self._store(keys), position, has_gauss, cached]}
        if class_path(type(obj)) in self.allowed:
            return self._encode_object(obj)
        kind = type(obj)
        others = sorted(path.rsplit(".", 1)[-1] for path in self.allowed if "sklspec" not in path)
        raise ModelFileError(
            f"Cannot save an object of type {kind.__module__}.{kind.__qualname__} in a model "
            "file: it holds sklspec's estimators and these others only: "
            f"{', '.join(dict.fromkeys(others))}. Save a search's best_estimator_ rather than "
            "the search, or use joblib.dump for a file only you will load."
        )

    def _encode_array(self, array):
        if array.dtype.kind in _TENSOR_KINDS:
            # Memory order is kept: BLAS sums in another order on a copy of
            # another layout, and predictions must stay bit for bit.
            if array.ndim > 1 and array.flags.f_contiguous and not array.flags.c_contiguous:
                return {"__farray__": self._store(array.T)}
            return {"__array__": self._store(array)}
        if array.dtype.kind == "U":
            return {"__str_array__": [array.tolist(), array.dtype.str]}
        if array.dtype.kind == "O":
            items = [self.encode(item) for item in array.ravel().tolist()]
            return {"__object_array__": [items, list(array.shape)]}
        raise ModelFileError(f"Cannot save an array of dtype {array.dtype} in a model file.")

    def _encode_object(self, obj):
        state, extra = dict(vars(obj)), {}
        export = getattr(obj, "_export_state", None)
        if export is not None:  # neural estimators: the net as weights and history
            state, extra = export(state)
        elif _is_neighbors(obj):  # the search tree is rebuilt from the training data
            state.pop(NEIGHBORS_TREE, None)
        elif _is_search(obj):
            # What predicting needs (best_estimator_, best_params_ and
            # best_score_); the scorer is rebuilt from `scoring`, and
            # cv_results_ (masked arrays of Python objects) is not kept.
            if not (obj.scoring is None or isinstance(obj.scoring, str)):
                raise ModelFileError(
                    "Cannot save a GridSearchCV whose scoring is not a scorer's name in a model "
                    "file; save its best_estimator_."
                )
            for name in ("cv_results_", "scorer_", "_checked_cv_orig"):  # the last, fit's own
                state.pop(name, None)
        return {
            "__object__": [
                class_path(type(obj)),
                self.encode(state),
                {key: self.encode(value) for key, value in extra.items()},
            ]
        }


def class_paths(node):
    """Every class path a decoded tree would instantiate."""
    found = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "__object__" in item:
                found.add(item["__object__"][0])
            stack.extend(item.values())
    return found


class Decoder:
    """Rebuilds an object graph from JSON-able data and the tensors it names."""

    def __init__(self, tensors):
        self.tensors = tensors

    def decode(self, node):
        if node is None or isinstance(node, bool | str | numbers.Number):
            return node
        if isinstance(node, list):
            return [self.decode(item) for item in node]
        if not isinstance(node, dict) or len(node) != 1:
            raise ModelFileError(f"unexpected node {node!r:.80}")
        ((tag, value),) = node.items()
        if tag == "__dict__":
            return {key: self.decode(item) for key, item in value.items()}
        if tag == "__items__":
            return {self.decode(key): self.decode(item) for key, item in value}
        if tag == "__tuple__":
            return tuple(self.decode(item) for item in value)
        if tag == "__float__":
            return float(value)
        if tag == "__array__":
            return self.tensors[value]
        if tag == "__farray__":
            return self.tensors[value].T
        if tag == "__str_array__":
            items, dtype = value
            return np.asarray(items, dtype=np.dtype(dtype))
        if tag == "__object_array__":
            items, shape = value
            array = np.empty(len(items), dtype=object)
            array[:] = [self.decode(item) for item in items]
            return array.reshape(shape)
        if tag == "__scalar__":
            dtype, item = value
            return np.dtype(dtype).type(self.decode(item))
        if tag == "__dtype__":
            return np.dtype(value)
        if tag == "__random_state__":
            kind, keys, position, has_gauss, cached = value
            rng = np.random.RandomState()
            rng.set_state((kind, self.tensors[keys], position, has_gauss, cached))
            return rng
        if tag == "__object__":
            return self._decode_object(*value)
        raise ModelFileError(f"unknown tag {tag!r}")

    def _decode_object(self, path, state, extra):
        cls = import_allowed(path)
        obj = cls.__new__(cls)
        obj.__dict__.update(self.decode(state))
        _check_parameters(obj)
        if _is_function_transformer(obj) and (
            obj.__dict__.get("func") is not None or obj.__dict__.get("inverse_func") is not None
        ):
            raise ModelFileError("a FunctionTransformer may only be the identity in a model file")
        restore = getattr(obj, "_restore_state", None)
        if restore is not None:
            restore({key: self.decode(value) for key, value in extra.items()})
        elif _is_search(obj) and "best_index_" in vars(obj):
            from sklearn.metrics import check_scoring

            obj.scorer_ = check_scoring(obj.estimator, scoring=obj.scoring)
        elif _is_neighbors(obj) and neighbors_training_data(obj) is not None:
            # Refitting on the stored pairs rebuilds the same tree; names given
            # as DataFrame columns are kept from the file.
            refit = cls(**obj.get_params()).fit(*neighbors_training_data(obj))
            obj.__dict__.update({k: v for k, v in vars(refit).items() if k not in vars(obj)})
            setattr(obj, NEIGHBORS_TREE, getattr(refit, NEIGHBORS_TREE))
        return obj


def _check_parameters(obj):
    """The parameters a file gives an estimator pass the class's own constraints."""
    names = getattr(type(obj), "_get_param_names", None)
    missing = [name for name in names() if name not in vars(obj)] if names else []
    if missing:
        raise ModelFileError(
            f"{type(obj).__name__}: the file gives no value for its parameters "
            f"{', '.join(missing)}"
        )
    if not hasattr(type(obj), "_parameter_constraints") or not hasattr(obj, "_validate_params"):
        return
    try:
        obj._validate_params()
    except InvalidParameterError as exc:
        raise ModelFileError(str(exc)) from exc


def _is_function_transformer(obj):
    from sklearn.preprocessing import FunctionTransformer

    return isinstance(obj, FunctionTransformer)


def _is_search(obj):
    from sklearn.model_selection import GridSearchCV

    return isinstance(obj, GridSearchCV)


def _is_neighbors(obj):
    from sklearn.neighbors import KNeighborsRegressor

    return isinstance(obj, KNeighborsRegressor)
