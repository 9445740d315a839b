"""The context every sklspec ``fit`` runs in: validated parameters, all-or-nothing state."""

import functools


def fit_context(fit_method):
    """Decorate ``fit``-like methods: validate parameters first, and make the fit atomic.

    ``_parameter_constraints`` are checked with scikit-learn's machinery
    (``InvalidParameterError`` names the parameter and the value). If the fit
    raises anything, ``KeyboardInterrupt`` included, the estimator's
    attributes are put back exactly as they were before the call: an
    unfitted estimator stays unfitted, a fitted one keeps its previous fit.
    Fits assign new objects rather than mutate fitted ones, so restoring the
    attribute dictionary is enough.
    """

    @functools.wraps(fit_method)
    def wrapper(estimator, *args, **kwargs):
        state = dict(vars(estimator))
        try:
            estimator._validate_params()
            return fit_method(estimator, *args, **kwargs)
        except BaseException:
            vars(estimator).clear()
            vars(estimator).update(state)
            raise

    return wrapper
