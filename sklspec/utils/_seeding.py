"""Seeding estimators that the package builds or clones internally."""

from sklearn.frozen import FrozenEstimator


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
