"""Settings in the user's terms, and the searches' progress lines."""

import time
from typing import Any

import numpy as np

# Grid parameters as a user reads them; others are shown by their owners' names.
_SETTING_LABELS = {
    "mapper__lr": "MLP lr",
    "mapper__alpha": "MLP alpha",
    "lr": "lr",
    "alpha": "alpha",
    "n_components": "components",
    "n_neighbors": "neighbours",
    "standardizer__window_length": "window",
    "standardizer__n_components": "components",
    "vae__n_components": "library components",
}
_OWNERS = {"mapper": "MLP", "vae": "VAE", "standardizer": "standardizer"}


def in_user_terms(params: dict[str, Any]) -> str:
    """Settings as a user reads them: ``{"mapper__lr": 0.001}`` -> ``"MLP lr 0.001"``.

    Examples
    --------
    >>> from sklspec.model_selection import in_user_terms
    >>> in_user_terms({"mapper__lr": 0.001, "n_neighbors": 5})
    'MLP lr 0.001, neighbours 5'
    >>> in_user_terms({})
    'no settings to tune'
    """
    parts = []
    for key, value in params.items():
        if key == "fit_slope":
            parts.append("slope and bias" if value else "bias only")
            continue
        if isinstance(value, float | np.floating):
            value = f"{value:g}"
        elif isinstance(value, list) and value and isinstance(value[0], float):
            value = "[" + ", ".join(f"{v:g}" for v in value) + "]"
        if key in _SETTING_LABELS:
            name = _SETTING_LABELS[key]
        else:
            *owners, leaf = key.split("__")
            name = " ".join([*(_OWNERS.get(owner, owner) for owner in owners), leaf])
        parts.append(f"{name} {value}")
    return ", ".join(parts) or "no settings to tune"


class ProgressScorer:
    """A search's scores from one prediction, counting each scored fit; with ``verbose``, a line.

    ``metrics`` are ``{scorer name: metric(y_true, y_pred)}``, lower better;
    the scores are their negatives, from one ``predict`` of the validation
    spectra. The count tells a search whose every fit failed (nothing
    scored) from one that failed for another reason.
    """

    def __init__(self, metrics, label, keys, n_fits, *, shown, prefix, verbose):
        self.metrics, self.label, self.keys = metrics, label, keys
        self.n_fits, self.shown, self.prefix, self.verbose = n_fits, shown, prefix, verbose
        self.done, self.start = 0, time.perf_counter()
        self.reporter = None  # the nets' progress line, ended before this one
        self.failure = None  # why a score failed (the first), said when none could be computed

    def __call__(self, estimator, X, y):
        try:
            predicted = estimator.predict(X)
            if self.failure is None and not np.all(np.isfinite(predicted)):
                self.failure = "its predictions hold NaN or infinity"
            scores = {name: -float(metric(y, predicted)) for name, metric in self.metrics.items()}
        except Exception as exc:
            first_line = next(iter(str(exc).splitlines()), "")
            self.failure = self.failure or f"{type(exc).__name__}: {first_line}"
            raise
        self.done += 1
        if self.reporter is not None:
            self.reporter.end_line()
            self.reporter.setting = f" {self.done + 1}/{self.n_fits}"
        if self.verbose:
            params = estimator.get_params()
            chosen = {key: params[f"{self.prefix}{key}"] for key in self.keys}
            metric, scorer_name = self.shown
            print(
                f"  {self.label} {self.done}/{self.n_fits} ({in_user_terms(chosen)}): "
                f"validation {metric} {-scores[scorer_name]:.4g} "
                f"({time.perf_counter() - self.start:.0f} s)",
                flush=True,
            )
        return scores
