"""Metadata (``sample_weight``, ``groups``) routed from the comparisons to the candidates' fits."""

import numpy as np
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

from sklspec.utils._routing import routing_enabled, take_rows


def check_params(params, n_rows, function, rows_of="X"):
    """``params`` as a dict, once routing is on and every per-sample value has ``n_rows``.

    The comparisons fit models wrapped in pipelines, which pass metadata on
    only through scikit-learn's metadata routing; without it the weights
    would be refused deep inside a fit, or never reach the model.
    """
    if not params:
        return {}
    if not routing_enabled():
        raise ValueError(
            f"{function}(params=...) passes metadata to the models through scikit-learn's "
            "metadata routing: call sklearn.set_config(enable_metadata_routing=True) and "
            "request it on the models, e.g. model.set_fit_request(sample_weight=True)."
        )
    for key, value in params.items():
        if hasattr(value, "__len__") and np.ndim(value) >= 1 and len(value) != n_rows:
            raise ValueError(
                f"params[{key!r}] has {len(value)} values, but {function} needs one per row "
                f"of {rows_of} ({n_rows})."
            )
    return dict(params)


def routed_fit_params(model, params, rows, n_rows):
    """What ``model.fit`` requests of ``params``; per-sample values (of ``n_rows``) at ``rows``."""
    if not params:
        return {}
    router = MetadataRouter(owner="sklspec.model_selection").add(
        model=model, method_mapping=MethodMapping().add(caller="fit", callee="fit")
    )
    routed = dict(process_routing(router, "fit", **params).model.fit)
    return take_rows(routed, n_rows, rows)
