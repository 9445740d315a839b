"""skorch callbacks for training variational autoencoders."""

import math
from numbers import Integral, Real
from typing import Any

from skorch.callbacks import Callback

from sklspec.utils._sklearn_compat import (
    Interval,
    validate_parameter_constraints,
    validate_params,
)


def _cyclical_beta(progress, beta_max, n_cycles, ratio):
    position = (progress * n_cycles) % 1.0
    return beta_max * min(1.0, position / ratio)


_SCHEDULE_CONSTRAINTS = {
    "beta_max": [Interval(Real, 0, None, closed="left")],
    "n_cycles": [Interval(Integral, 1, None, closed="left")],
    "ratio": [Interval(Real, 0, 1, closed="right")],
}


@validate_params(
    {"progress": [Interval(Real, 0, 1, closed="both")], **_SCHEDULE_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def cyclical_linear_beta(
    progress: float, *, beta_max: float = 0.5, n_cycles: int = 4, ratio: float = 0.5
) -> float:
    """KL weight of cyclical linear annealing (Fu et al., NAACL 2019).

    Training is cut into ``n_cycles`` equal cycles; in each, the weight rises
    linearly from 0 to ``beta_max`` during the first ``ratio`` of the cycle
    and then stays at ``beta_max``.

    Parameters
    ----------
    progress : float
        Fraction of training done, in [0, 1].
    beta_max : float, default=0.5
        Weight reached in each cycle.
    n_cycles : int, default=4
        Number of cycles.
    ratio : float, default=0.5
        Fraction of each cycle spent rising.

    Returns
    -------
    beta : float

    Examples
    --------
    >>> from sklspec.vae import cyclical_linear_beta
    >>> [cyclical_linear_beta(p) for p in (0.0, 0.0625, 0.125, 0.2, 0.25)]
    [0.0, 0.25, 0.5, 0.5, 0.0]
    """
    return _cyclical_beta(progress, beta_max, n_cycles, ratio)


class CyclicalKLAnnealing(Callback):
    """Anneal the KL weight of a VAE net cyclically, batch by batch.

    Before each training batch, sets ``net.kl_weight`` from
    :func:`cyclical_linear_beta` at the current fraction of ``max_epochs``,
    and records the weight of the epoch's last batch as ``beta`` in the
    history.

    Parameters
    ----------
    beta_max : float, default=0.5
        Weight reached in each cycle (the transfer paper: 0.5).
    n_cycles : int, default=4
        Number of cycles over ``max_epochs`` (the transfer paper: 4).
    ratio : float, default=0.5
        Fraction of each cycle spent rising.

    Examples
    --------
    >>> from sklspec.vae import CyclicalKLAnnealing
    >>> CyclicalKLAnnealing(beta_max=0.5, n_cycles=4)
    CyclicalKLAnnealing(beta_max=0.5, n_cycles=4, ratio=0.5)
    """

    def __init__(self, beta_max: float = 0.5, n_cycles: int = 4, ratio: float = 0.5) -> None:
        self.beta_max = beta_max
        self.n_cycles = n_cycles
        self.ratio = ratio

    def __repr__(self):
        return (
            f"{type(self).__name__}(beta_max={self.beta_max}, "
            f"n_cycles={self.n_cycles}, ratio={self.ratio})"
        )

    def initialize(self) -> "CyclicalKLAnnealing":
        """Check the parameters when the net is initialized (InvalidParameterError)."""
        params = {"beta_max": self.beta_max, "n_cycles": self.n_cycles, "ratio": self.ratio}
        validate_parameter_constraints(
            _SCHEDULE_CONSTRAINTS, params, caller_name=type(self).__name__
        )
        return self

    def on_epoch_begin(self, net: Any, dataset_train: Any = None, **kwargs: Any) -> None:
        batch_size = net.get_params().get("iterator_train__batch_size", net.batch_size)
        n_train = len(dataset_train) if dataset_train is not None else 1
        self.batches_per_epoch_ = max(1, math.ceil(n_train / max(1, batch_size)))
        self.epoch_ = len(net.history) - 1
        self.batch_ = 0

    def on_batch_begin(
        self, net: Any, batch: Any = None, training: bool | None = None, **kwargs: Any
    ) -> None:
        if not training:
            return
        progress = (self.epoch_ + self.batch_ / self.batches_per_epoch_) / net.max_epochs
        # Once per batch: the unvalidated kernel, the parameters were checked in fit.
        net.kl_weight = _cyclical_beta(progress, self.beta_max, self.n_cycles, self.ratio)
        self.batch_ += 1

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        net.history.record("beta", net.kl_weight)
