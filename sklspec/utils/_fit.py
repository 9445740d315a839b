"""The context every sklspec ``fit`` runs in: validated parameters, all-or-nothing state."""

import functools
import warnings
from collections.abc import Callable
from typing import TypeVar

_Fit = TypeVar("_Fit", bound=Callable[..., object])

# scikit-learn's MLPs end training on Ctrl-C with this warning instead of
# raising; inside a sklspec fit it must stop the whole fit.
_SKLEARN_INTERRUPT = "Training interrupted by user."


def fit_context(fit_method: _Fit) -> _Fit:
    """Decorate ``fit``-like methods: validate parameters first, and make the fit atomic.

    ``_parameter_constraints`` are checked with scikit-learn's machinery
    (``InvalidParameterError`` names the parameter and the value). If the fit
    raises anything, ``KeyboardInterrupt`` included, the estimator's
    attributes are put back exactly as they were before the call: an
    unfitted estimator stays unfitted, a fitted one keeps its previous fit.
    Fits assign new objects rather than mutate fitted ones, so restoring the
    attribute dictionary is enough. A Ctrl-C that a nested scikit-learn MLP
    would swallow raises ``KeyboardInterrupt`` too.
    """

    @functools.wraps(fit_method)
    def wrapper(estimator, *args, **kwargs):
        state = dict(vars(estimator))
        try:
            estimator._validate_params()
            with warnings.catch_warnings():
                warnings.filterwarnings("error", message=_SKLEARN_INTERRUPT)
                return fit_method(estimator, *args, **kwargs)
        except BaseException as exc:
            vars(estimator).clear()
            vars(estimator).update(state)
            if isinstance(exc, UserWarning) and str(exc) == _SKLEARN_INTERRUPT:
                raise KeyboardInterrupt from None
            raise

    return wrapper  # type: ignore[return-value]  # same signature, by functools.wraps
