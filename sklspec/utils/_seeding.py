"""Seeds: one integer from a ``random_state``, and seeding estimators built internally."""

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.utils import check_random_state

_MAX_SEED = np.iinfo(np.int32).max


def seed_from(random_state):
    """An integer seed drawn from a scikit-learn ``random_state`` (int, RandomState or None).

    A RandomState instance advances by one draw, so successive calls give
    the successive seeds of one stream.
    """
    return int(check_random_state(random_state).randint(_MAX_SEED))


def seed_random_states(estimator, seed):
    """Set every ``random_state`` of ``estimator``, nested ones included, to ``seed``.

    Meta-estimators keep their inner estimator's seed as a nested parameter
    (``MultiOutputRegressor(MLPRegressor())`` has ``estimator__random_state``
    and no ``random_state``), so seeding only the top level leaves such a
    model unseeded. Parameters under a ``FrozenEstimator`` stay as they are:
    a frozen model is already fitted and refuses new parameters.

    Returns
    -------
    estimator : the same estimator, seeded in place.
    """
    if isinstance(estimator, FrozenEstimator):
        return estimator
    params = estimator.get_params(deep=True)
    frozen = tuple(f"{key}__" for key, obj in params.items() if isinstance(obj, FrozenEstimator))
    seeds = {
        key: seed
        for key in params
        if key.rsplit("__", 1)[-1] == "random_state" and not key.startswith(frozen)
    }
    return estimator.set_params(**seeds)
