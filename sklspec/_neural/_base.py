"""The base of every torch estimator: parameters, validation, net assembly, fit template."""

import contextlib
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from skorch.dataset import Dataset, ValidSplit
from skorch.helper import predefined_split
from skorch.history import History

from sklspec._neural._callbacks import (
    DivergenceCheck,
    EpochTable,
    StopOnPatience,
    progress_callbacks,
)
from sklspec._neural._loader import BatchLoader, stage_on_device
from sklspec._neural._modules import ACTIVATIONS
from sklspec._neural._progress import TrainingProgress
from sklspec._neural._torch import (
    batched_forward,
    check_float32_range,
    check_validation_fraction,
    fit_seeded,
    resolve_device,
    train_one_epoch,
)
from sklspec.base import DocLinkMixin
from sklspec.exceptions import ModelFileError
from sklspec.utils._seeding import seed_from
from sklspec.utils._sklearn_compat import Interval, InvalidParameterError, StrOptions
from sklspec.utils._threads import torch_threads_for_free_cpus
from sklspec.utils._training_progress import training_reporter


def _checked_for_float32(X, y):
    """``X`` and ``y`` as given, once float32 is known to hold their values."""
    return check_float32_range(X), None if y is None else check_float32_range(y, "y")



def _threads_for(device):
    """Torch's CPU threads sized to the free CPUs while a net trains on the CPU."""
    if str(device).startswith("cpu"):
        return torch_threads_for_free_cpus()
    return contextlib.nullcontext()

class BaseNeuralEstimator(DocLinkMixin, BaseEstimator, metaclass=ABCMeta):
    """Base of the estimators that train a torch module through a skorch net.

    Subclasses declare their ``__init__`` (the shared parameters after their
    own), ``_module_class``, ``_net_class``, ``_module_params``,
    ``_net_dims`` and ``fit``; the base validates the parameters, assembles
    the net (Adam, L2 on weights, seeded split and batch order, early
    stopping, the divergence check) and trains it (:meth:`_train`). It
    assigns nothing: ``fit`` assigns every fitted attribute once training has
    succeeded. ``_export_state`` and ``_restore_state`` let ``sklspec.io``
    save the net as weights and rebuild it on the CPU.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, np.inf, closed="left")],
        "lr": [Interval(Real, 0, np.inf, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "inference_batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    #: How error messages name the network.
    _model_name = "network"
    #: The optimiser; its weight decay comes from :meth:`_weight_decay`.
    _optimizer = torch.optim.Adam
    #: History key that the divergence check compares with its best epoch.
    _monitor = "train_loss"

    @property
    @abstractmethod
    def _module_class(self):
        """The torch module class."""

    @property
    @abstractmethod
    def _net_class(self):
        """The skorch net class (with ``TrainingLoopMixin``)."""

    @abstractmethod
    def _module_params(self, n_features, n_outputs):
        """Keyword arguments of the module for this data."""

    def _scoring_callbacks(self, validation=True):
        """Callbacks that record extra losses (``validation``: there is a split); placed first."""
        return []

    def _training_callbacks(self):
        """Callbacks that act on training (e.g. annealing); placed last."""
        return []

    def _net_params(self):
        """Extra keyword arguments of the skorch net."""
        return {}

    def _weight_decay(self):
        """The optimiser's ``weight_decay`` for ``alpha``."""
        # Adam's weight_decay adds wd * w to the gradient, the gradient of
        # (wd / 2) * ||w||^2: 2 * alpha gives Keras' l2(alpha).
        return 2 * self.alpha

    def _layer_sizes(self, name):
        """The layer sizes parameter ``name`` as a tuple of positive ints."""
        sizes = getattr(self, name)
        sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
        if any(isinstance(s, bool) or not isinstance(s, Integral) or s < 1 for s in sizes):
            raise InvalidParameterError(
                f"The '{name}' parameter of {type(self).__name__} must be an int >= 1 or a "
                f"sequence of them. Got {getattr(self, name)!r} instead."
            )
        return tuple(int(s) for s in sizes)

    def _build_net(
        self, n_features, n_outputs, device, seed, module=None, partial=False, validation=None
    ):
        # partial_fit trains one epoch per call on all it is given: no
        # validation split and no early stopping (as scikit-learn's MLPs).
        early_stopping = self.early_stopping and not partial
        validation_fraction = None if partial else self.validation_fraction
        has_validation = validation is not None or validation_fraction is not None
        callbacks = list(self._scoring_callbacks(validation=has_validation))
        if early_stopping:
            callbacks.append(
                ("early_stopping", StopOnPatience(patience=self.patience, load_best=True))
            )
        # After early stopping: the epoch it stops at is never kept, so the
        # check sees every epoch whose weights can be returned.
        monitor = None if early_stopping else self._monitor
        callbacks.append(("divergence", DivergenceCheck(self._model_name, monitor=monitor)))
        callbacks += self._training_callbacks()
        callbacks += progress_callbacks(self.verbose)
        if training_reporter() is not None and not self.verbose:
            # Inside a comparison: a line every few seconds instead of silence.
            progress = TrainingProgress(self._model_name, early_stopping=early_stopping)
            callbacks.append(("training_progress", progress))
        if validation is not None:
            # Validation data given by the caller (e.g. another day's spectra).
            train_split = predefined_split(Dataset(*validation))
        elif validation_fraction is None:
            train_split = None
        else:
            train_split = ValidSplit(validation_fraction, stratified=False, random_state=seed)
        if module is None:
            module = self._module_class
            module_params = self._module_params(n_features, n_outputs)
        else:
            # A module instance (e.g. this net's with a frozen head) is trained as it is.
            module_params = {}
        return self._net_class(
            module,
            **{f"module__{name}": value for name, value in module_params.items()},
            optimizer=self._optimizer,
            lr=self.lr,
            # Biases are not penalised.
            optimizer__weight_decay=self._weight_decay(),
            optimizer__param_groups=[("*.bias", {"weight_decay": 0.0})],
            # On a GPU: one fused kernel for Adam's update of all weights,
            # its step count on the device, as a CUDA graph of the step needs.
            **(
                {"optimizer__fused": True, "optimizer__capturable": True}
                if torch.device(device).type == "cuda"
                else {}
            ),
            batch_size=self.batch_size,
            max_epochs=self.max_epochs,
            train_split=train_split,
            iterator_train=BatchLoader,
            iterator_valid=BatchLoader,
            iterator_train__shuffle=True,
            iterator_train__generator=torch.Generator().manual_seed(seed),
            callbacks=callbacks,
            callbacks__print_log=EpochTable(),
            device=device,
            verbose=self.verbose,
            **self._net_params(),
        )

    def _train(self, X, y, n_features, n_outputs, module=None, validation=None):
        """Build the net for this data and train it, seeded; return the trained net.

        ``X`` (and ``y``) are validated float arrays (float64 is converted
        batch by batch, after a check that float32 holds its values), or a
        dict of them; on a GPU they are staged there when they fit
        (:func:`stage_on_device`).
        ``module``, a torch module instance, replaces the one this estimator
        would build (its weights are trained from where they are).
        ``validation``, ``(X_val, y_val)``, replaces the held-out fraction
        as the validation data (and early stopping's). Checks that depend
        on the data come first; nothing is assigned.
        """
        n_samples = len(X["x"]) if isinstance(X, dict) else len(X)
        if validation is None:
            check_validation_fraction(self.validation_fraction, n_samples, self.early_stopping)
        else:
            validation = _checked_for_float32(*validation)
        device = resolve_device(self.device, type(self).__name__)
        seed = seed_from(self.random_state)
        net = self._build_net(n_features, n_outputs, device, seed, module, validation=validation)
        X, y = stage_on_device(*_checked_for_float32(X, y), device)
        with _threads_for(device):
            return fit_seeded(net, X, y, seed=seed, device=device)

    def _train_one_epoch(self, X, y, n_features, n_outputs):
        """One more epoch over ``X`` (and ``y``): ``partial_fit``'s training; returns a new net.

        The first call builds and initialises the net; later calls continue
        the fitted net's weights, optimiser state and history on a copy.
        Nothing is assigned.
        """
        fitted = getattr(self, "net_", None)
        if fitted is None:
            device = resolve_device(self.device, type(self).__name__)
        else:
            device = str(fitted.device)
        # Each epoch its own seed (weights at the first, noise and batch order at all).
        seed = seed_from(self.random_state) + (0 if fitted is None else len(fitted.history))
        net = self._build_net(n_features, n_outputs, device, seed, partial=True)
        X, y = stage_on_device(*_checked_for_float32(X, y), device)
        with _threads_for(device):
            return train_one_epoch(net, X, y, seed=seed, device=device, continue_from=fitted)

    def _forward(self, function, X, n_outputs, out_dtype, name="X", net=None):
        """``function`` of the fitted net (or of ``net``) applied to ``X`` batch by batch."""
        return batched_forward(
            function,
            X,
            n_outputs,
            device=(self.net_ if net is None else net).device,
            batch_size=self.inference_batch_size,
            out_dtype=out_dtype,
            name=name,
        )

    @abstractmethod
    def _net_dims(self):
        """``(n_features, n_outputs)`` the fitted net was built for."""

    def _export_state(self, state):
        """Split ``vars(self)`` for a model file: the net becomes its weights and history."""
        state = dict(state)
        net = state.pop("net_", None)
        state.pop("history_", None)
        if net is None:
            return state, {}
        weights = {k: v.detach().cpu().numpy() for k, v in net.module_.state_dict().items()}
        # Epoch records only: the per-batch losses would make the file grow with
        # the data (about 12 MB of JSON for the paper's map), for no use after training.
        history = [{**epoch, "batches": []} for epoch in net.history]
        return state, {"weights": weights, "history": history}

    def _restore_state(self, extra):
        """Rebuild the fitted net on the CPU from weights and history (a model file's).

        The stored weights must have exactly the names, shapes and dtypes of
        the network the parameters describe, checked on torch's meta device
        (which allocates nothing) before the network is built: a file cannot
        make the loader allocate more than the weights it holds.
        """
        if not extra:
            return
        weights, history = extra.get("weights"), extra.get("history")
        if not isinstance(weights, dict) or not isinstance(history, list):
            raise ModelFileError(f"{type(self).__name__}: the network's weights are missing")
        with torch.device("meta"):
            expected = self._module_class(**self._module_params(*self._net_dims())).state_dict()
        described = {name: (tuple(t.shape), t.dtype) for name, t in expected.items()}
        stored = {
            name: (np.shape(array), getattr(array, "dtype", None))
            for name, array in weights.items()
        }
        if described.keys() != stored.keys() or any(
            shape != stored[name][0]
            or not isinstance(weights[name], np.ndarray)
            or torch.from_numpy(np.empty(0, weights[name].dtype)).dtype != dtype
            for name, (shape, dtype) in described.items()
        ):
            raise ModelFileError(
                f"{type(self).__name__}: the stored network weights do not match the network "
                "its parameters and fitted dimensions describe"
            )
        net = self._build_net(*self._net_dims(), "cpu", 0)
        with torch.random.fork_rng(devices=[]):  # initial weights are overwritten anyway
            net.initialize()
        weights = {k: torch.from_numpy(np.array(v)) for k, v in weights.items()}
        net.module_.load_state_dict(weights)
        net.module_.eval()
        net.history = History(history)
        self.net_, self.history_ = net, net.history

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # cuBLAS reductions may differ from run to run; CPU training is reproducible.
        tags.non_deterministic = self.device != "cpu" and torch.cuda.is_available()
        return tags
