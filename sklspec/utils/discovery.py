"""Discover sklspec's public estimators, as ``sklearn.utils.all_estimators`` does."""

import importlib
import inspect
import pkgutil
from collections.abc import Sequence

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
)

_TYPE_MIXINS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
    "cluster": ClusterMixin,
}


def all_estimators(type_filter: str | Sequence[str] | None = None) -> list[tuple[str, type]]:
    """List every public estimator class defined in sklspec.

    Walks all sklspec modules, so an estimator added later is found without
    being registered anywhere; the common tests rely on this.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster"} or list, default=None
        Keep only estimators of these kinds. None keeps all.

    Returns
    -------
    estimators : list of (name, class) tuples
        Sorted by name.

    Examples
    --------
    >>> from sklspec.utils import all_estimators
    >>> names = [name for name, _ in all_estimators(type_filter="transformer")]
    >>> "BaselineSubtractor" in names
    True
    """
    import sklspec

    found = {}
    for module_info in pkgutil.walk_packages(sklspec.__path__, prefix="sklspec."):
        if "._testing" in module_info.name or ".tests" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and cls.__module__.startswith("sklspec.")
                and not name.startswith("_")
                and not inspect.isabstract(cls)
            ):
                found[name] = cls

    if type_filter is not None:
        kinds = [type_filter] if isinstance(type_filter, str) else list(type_filter)
        unknown = set(kinds) - set(_TYPE_MIXINS)
        if unknown:
            raise ValueError(
                f"type_filter must be None or among {sorted(_TYPE_MIXINS)}; got {sorted(unknown)}."
            )
        found = {
            name: cls
            for name, cls in found.items()
            if any(issubclass(cls, _TYPE_MIXINS[kind]) for kind in kinds)
        }
    return sorted(found.items())
