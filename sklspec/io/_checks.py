"""Checks of a model file's description before anything is built from it.

A file from someone else is hostile until checked: every node of its JSON
tree must have the shape :class:`~sklspec.io._encoding.Encoder` writes, the
tree is bounded in depth, dtypes come from an allow-list, and what decoding
would allocate beyond the file's own bytes (strings of arrays, object arrays)
is counted against a budget that grows with the file's size.
"""

import math
import numbers

import numpy as np

from sklspec.exceptions import ModelFileError

#: Deepest nesting of a model's description (genuine files: about 25 to 40).
MAX_DEPTH = 128
#: Longest string of a string array or scalar, in characters.
MAX_STRING_LENGTH = 4096
#: Decoding may allocate this multiple of the file's size (plus a floor).
MEMORY_FACTOR = 8
MEMORY_FLOOR = 16 * 2**20

# Numbers and booleans, and strings of bounded length; never void or objects.
_NUMBER_KINDS = "biufc"
_SCALAR_KINDS = _NUMBER_KINDS + "U"
_RANDOM_STATE_KEYS = 624

# Attributes that may hold an array of Python strings: column names (scikit-learn's
# string names, sklspec's wavelength names).
_OBJECT_ARRAY_KEYS = frozenset({"feature_names_in_", "_numeric_columns"})


def memory_budget(file_size):
    """Bytes that decoding a file of ``file_size`` bytes may allocate beyond its own."""
    return MEMORY_FACTOR * file_size + MEMORY_FLOOR


def checked_dtype(text, kinds, where):
    """``np.dtype(text)`` when it is a dtype of ``kinds`` of a sane size, else ModelFileError."""
    if not isinstance(text, str) or len(text) > 16:
        raise ModelFileError(f"{where}: {text!r:.40} is not a dtype")
    try:
        dtype = np.dtype(text)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{where}: {text!r} is not a dtype") from exc
    if dtype.kind not in kinds or dtype.subdtype is not None or dtype.fields is not None:
        raise ModelFileError(f"{where}: dtype {text!r} is not allowed in a model file")
    if dtype.kind == "U" and dtype.itemsize // 4 > MAX_STRING_LENGTH:
        raise ModelFileError(
            f"{where}: strings of {dtype.itemsize // 4} characters (at most {MAX_STRING_LENGTH})"
        )
    if dtype.kind != "U" and dtype.itemsize > 16:
        raise ModelFileError(f"{where}: dtype {text!r} is not allowed in a model file")
    return dtype


class TreeChecker:
    """Walks a description once, iteratively, and refuses what the encoder never writes.

    ``tensors`` maps tensor names to their shapes and dtypes (as the
    safetensors header gives them); ``budget`` is how many bytes decoding may
    allocate for strings and object arrays. After :meth:`check`,
    ``class_paths`` holds every class the tree would instantiate.
    """

    def __init__(self, tensors, budget):
        self.tensors = tensors
        self.budget = budget
        self.class_paths = set()

    def _spend(self, n_bytes, where):
        self.budget -= n_bytes
        if self.budget < 0:
            raise ModelFileError(
                f"{where}: decoding would allocate far more memory than the file's size justifies"
            )

    def check(self, tree, where="model"):
        stack = [(tree, 0, where, None)]
        while stack:
            node, depth, where, key = stack.pop()
            if depth > MAX_DEPTH:
                raise ModelFileError(f"{where}: nested more than {MAX_DEPTH} levels deep")
            if node is None or isinstance(node, bool | str):
                continue
            if isinstance(node, numbers.Real):
                if isinstance(node, float) and not math.isfinite(node):
                    raise ModelFileError(f"{where}: a non-finite number outside a float tag")
                continue
            if isinstance(node, list):
                self._spend(8 * len(node), where)
                stack.extend((item, depth + 1, where, key) for item in node)
                continue
            if not isinstance(node, dict) or len(node) != 1:
                raise ModelFileError(f"{where}: unexpected node {_short(node)}")
            ((tag, value),) = node.items()
            check = getattr(self, f"_check{tag}", None) if tag.startswith("__") else None
            if check is None:
                raise ModelFileError(f"{where}: unknown tag {tag!r:.40}")
            for child in check(value, f"{where}", key):
                stack.append((*child[:1], depth + 1, *child[1:]))

    # Each returns the children to walk: (node, where, key).

    def _check__dict__(self, value, where, key):
        if not isinstance(value, dict):
            raise ModelFileError(f"{where}: a dict node holds {_short(value)}")
        self._spend(64 * len(value), where)
        return [(item, f"{where}.{name}"[:200], name) for name, item in value.items()]

    def _check__items__(self, value, where, key):
        if not isinstance(value, list) or not all(
            isinstance(pair, list) and len(pair) == 2 for pair in value
        ):
            raise ModelFileError(f"{where}: an items node must list key-value pairs")
        for pair in value:
            if isinstance(pair[0], list | dict) and not _is_tuple_of_scalars(pair[0]):
                raise ModelFileError(f"{where}: a dict key must be a number, string or tuple")
        return [(item, where, key) for pair in value for item in pair]

    def _check__tuple__(self, value, where, key):
        if not isinstance(value, list):
            raise ModelFileError(f"{where}: a tuple node holds {_short(value)}")
        return [(item, where, key) for item in value]

    def _check__float__(self, value, where, key):
        if value not in ("inf", "-inf", "nan"):
            raise ModelFileError(f"{where}: {_short(value)} is not a non-finite float")
        return []

    def _check_tensor(self, name, where):
        if not isinstance(name, str) or name not in self.tensors:
            raise ModelFileError(f"{where}: names a tensor the file does not hold ({_short(name)})")
        return self.tensors[name]

    def _check__array__(self, value, where, key):
        self._check_tensor(value, where)
        return []

    _check__farray__ = _check__array__

    def _check__str_array__(self, value, where, key):
        if not isinstance(value, list) or len(value) != 2:
            raise ModelFileError(f"{where}: a string array node must hold [items, dtype]")
        items, text = value
        dtype = checked_dtype(text, "U", where)
        count, longest = _count_strings(items, where)
        if longest > dtype.itemsize // 4:
            raise ModelFileError(f"{where}: strings longer than the array's dtype {text!r}")
        self._spend(count * dtype.itemsize, where)
        return []

    def _check__object_array__(self, value, where, key):
        if key not in _OBJECT_ARRAY_KEYS:
            raise ModelFileError(
                f"{where}: an array of Python objects where numbers are expected (allowed only "
                f"for {', '.join(sorted(_OBJECT_ARRAY_KEYS))})"
            )
        if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], list):
            raise ModelFileError(f"{where}: an object array node must hold [items, shape]")
        items, shape = value
        if shape != [len(items)] or not all(isinstance(item, str) for item in items):
            raise ModelFileError(f"{where}: must be a 1-D array of strings")
        self._spend(sum(64 + len(item) for item in items), where)
        return []

    def _check__scalar__(self, value, where, key):
        if not isinstance(value, list) or len(value) != 2:
            raise ModelFileError(f"{where}: a scalar node must hold [dtype, value]")
        dtype = checked_dtype(value[0], _SCALAR_KINDS, where)
        item = value[1]
        if dtype.kind == "U":
            if not isinstance(item, str) or len(item) > dtype.itemsize // 4:
                raise ModelFileError(f"{where}: a string scalar must hold a string of its dtype")
        elif not (
            (isinstance(item, bool | numbers.Real) and not isinstance(item, float))
            or (isinstance(item, float) and math.isfinite(item))
            or (isinstance(item, dict) and set(item) == {"__float__"})
        ):
            raise ModelFileError(f"{where}: a numeric scalar holds {_short(item)}")
        if isinstance(item, int) and not isinstance(item, bool):
            info = np.iinfo(dtype) if dtype.kind in "iu" else None
            if info is not None and not info.min <= item <= info.max:
                raise ModelFileError(f"{where}: {item} does not fit dtype {dtype}")
        return [(item, where, key)] if isinstance(item, dict) else []

    def _check__dtype__(self, value, where, key):
        checked_dtype(value, _SCALAR_KINDS, where)
        return []

    def _check__random_state__(self, value, where, key):
        if not isinstance(value, list) or len(value) != 5:
            raise ModelFileError(f"{where}: a random state must hold 5 fields")
        kind, keys, position, has_gauss, cached = value
        shape, dtype = self._check_tensor(keys, where)
        if (
            kind != "MT19937"
            or tuple(shape) != (_RANDOM_STATE_KEYS,)
            or dtype not in ("U32", "I32", "uint32")
            or isinstance(position, bool)
            or not isinstance(position, int)
            or not 0 <= position <= _RANDOM_STATE_KEYS
            or has_gauss not in (0, 1)
            or not isinstance(cached, int | float)
            or not math.isfinite(cached)
        ):
            raise ModelFileError(f"{where}: not a valid random state (MT19937, 624 keys)")
        return []

    def _check__object__(self, value, where, key):
        if (
            not isinstance(value, list)
            or len(value) != 3
            or not isinstance(value[0], str)
            or not isinstance(value[1], dict)
            or set(value[1]) != {"__dict__"}
            or not isinstance(value[2], dict)
        ):
            raise ModelFileError(f"{where}: an object node must hold [class, state, extra]")
        self.class_paths.add(value[0])
        where = f"{where}[{value[0].rsplit('.', 1)[-1]}]"[:200]
        return [(value[1], where, None), *((item, where, name) for name, item in value[2].items())]


def _count_strings(items, where):
    """Number of strings in a (nested, rectangular) list of them and the longest one's length."""
    count, longest, stack = 0, 0, [(items, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > 32:
            raise ModelFileError(f"{where}: a string array nested too deep")
        if isinstance(item, str):
            count, longest = count + 1, max(longest, len(item))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        else:
            raise ModelFileError(f"{where}: a string array holds {_short(item)}")
    return count, longest


def _is_tuple_of_scalars(node):
    return (
        isinstance(node, dict)
        and set(node) == {"__tuple__"}
        and isinstance(node["__tuple__"], list)
        and all(isinstance(item, str | int | float) for item in node["__tuple__"])
    )


def _short(value):
    return f"{type(value).__name__} {repr(value)[:60]}"
