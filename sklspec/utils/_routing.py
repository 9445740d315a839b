"""Metadata routing of the meta-estimators: scikit-learn's MetadataRouter, fit to fit."""

import numpy as np
from sklearn import get_config
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.validation import has_fit_parameter


def routing_enabled():
    """Whether ``sklearn.set_config(enable_metadata_routing=True)`` is in effect."""
    return bool(get_config().get("enable_metadata_routing", False))


def fit_router(owner, **children):
    """A ``MetadataRouter`` sending ``owner.fit``'s metadata to each child's ``fit``."""
    router = MetadataRouter(owner=owner)
    for name, child in children.items():
        router.add(**{name: child}, method_mapping=MethodMapping().add(caller="fit", callee="fit"))
    return router


def routed_fit_params(owner, sample_weight, fit_params):
    """Per child, the metadata its ``fit`` requested; None when routing is off.

    With routing enabled, ``sample_weight`` and ``fit_params`` go where the
    children's requests say (scikit-learn raises for metadata nobody
    requested or whose request is unset). With routing off, only
    ``sample_weight`` is accepted, and the caller decides where it goes.
    """
    if routing_enabled():
        if sample_weight is not None:
            fit_params = {**fit_params, "sample_weight": sample_weight}
        return process_routing(owner, "fit", **fit_params)
    if fit_params:
        raise ValueError(
            f"{type(owner).__name__}.fit got {', '.join(sorted(fit_params))}: metadata other "
            "than sample_weight reaches the sub-estimators only through metadata routing. "
            "Call sklearn.set_config(enable_metadata_routing=True) and request it, e.g. "
            "mapper.set_fit_request(groups=True)."
        )
    return None


def take_rows(params, n_rows, rows):
    """``params`` with every per-sample value (``n_rows`` long) taken at ``rows``."""
    return {
        key: np.asarray(value)[rows] if _per_sample(value, n_rows) else value
        for key, value in params.items()
    }


def _per_sample(value, n_rows):
    return (
        hasattr(value, "__len__")
        and not isinstance(value, str | bytes | dict)
        and np.ndim(value) >= 1
        and len(value) == n_rows
    )


def check_takes_sample_weight(estimator, role):
    """Raise TypeError unless ``estimator.fit`` takes ``sample_weight``."""
    if not has_fit_parameter(estimator, "sample_weight"):
        raise TypeError(
            f"sample_weight was given, but the {role} {type(estimator).__name__}.fit takes no "
            "sample_weight; use one that does, or leave the weights out."
        )
