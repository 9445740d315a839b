"""The epoch loop of every sklspec skorch net: CUDA graphs, batch values kept on the device."""

import numpy as np
import torch
from skorch.dataset import get_len
from skorch.utils import to_tensor

from sklspec._neural._callbacks import TrainingInterrupted, _StopTraining

#: Eager training steps on a GPU before the step is captured as a CUDA graph
#: (they set up cuBLAS and the optimiser's state, as capture requires).
GRAPH_WARMUP_STEPS = 3


class _CapturedStep:
    """A training step captured as one CUDA graph, with its static inputs and outputs."""

    def __init__(self):
        self.eager_steps = 0
        self.graph = None
        self.batch = self.step = self.values = None


def _copy_into(static, batch):
    if isinstance(static, dict):
        for key, value in static.items():
            _copy_into(value, batch[key])
    else:
        static.copy_(batch, non_blocking=True)


def _detached(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)):
        return type(value)(_detached(item) for item in value)
    return value


#: The key of the per-row loss weights in a batch's input dict (see :func:`with_sample_weight`).
SAMPLE_WEIGHT = "sample_weight"


def with_sample_weight(X, sample_weight):
    """Training inputs carrying per-row loss weights (mean 1), or ``X`` for None.

    The weights travel with the rows (batches, the validation split, the
    GPU staging) as one more entry of the input dict; the net's ``infer``
    takes them out before the module sees its input, and ``get_loss``
    reads them with :func:`batch_weights`.
    """
    if sample_weight is None:
        return X
    inputs = dict(X) if isinstance(X, dict) else {"x": X}
    inputs[SAMPLE_WEIGHT] = np.asarray(sample_weight, dtype=np.float32)
    return inputs


def batch_weights(X, device):
    """The batch's per-row loss weights as a 1-d tensor on ``device``, or None."""
    if not isinstance(X, dict) or SAMPLE_WEIGHT not in X:
        return None
    return to_tensor(X[SAMPLE_WEIGHT], device=device).reshape(-1)


def _on_device(batch, device):
    if isinstance(batch, dict):
        return {key: _on_device(value, device) for key, value in batch.items()}
    return batch.to(device).clone()


class TrainingLoopMixin:
    """skorch's epoch loop, without a wait for the GPU at every batch; Ctrl-C kept.

    - On a GPU, every full training batch after the first
      :data:`GRAPH_WARMUP_STEPS` replays one CUDA graph of the whole step
      (forward, loss, backward, Adam's update) instead of queueing its
      hundred-odd kernels one by one from Python: on an H100 the paper's
      VAE step went from 2.9 ms (the CPU could not queue kernels faster)
      to 0.7 ms. Values the loss depends on that change during training
      (the annealed KL weight) live in device tensors that
      ``_refresh_step_constants`` fills before each step; the values a net
      records per batch are set in ``_batch_values`` by ``get_loss``.
    - Batch losses (and any other tensor a net records with
      ``history.record_batch``) stay tensors until the epoch's batches are
      done, then become floats in one transfer. skorch calls ``.item()`` on
      every batch loss, which makes the CPU wait for the GPU to finish each
      step before it can queue the next; on the transfer paper's VAE that
      wait was a third of the step. Callbacks that need a batch's value
      while the epoch runs read it with ``float()``; callbacks with an
      ``on_batches_recorded(net, training)`` method are called once the
      values are floats, before the epoch's end.
    - skorch ends training on any ``KeyboardInterrupt`` and returns the net
      as if training had finished; early stopping uses that exit too.
      Ctrl-C leaves as :class:`TrainingInterrupted`, early stopping keeps
      skorch's way.
    """

    #: What training sets on the net that must not outlive it.
    _transient_attributes = ("_captured_step", "_batch_values")

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except _StopTraining:
            raise
        except KeyboardInterrupt as exc:
            raise TrainingInterrupted from exc
        finally:
            # A graph holds GPU memory and cannot be pickled; device tensors
            # of the loss would tie the pickled net to a GPU.
            for name in self._transient_attributes:
                self.__dict__.pop(name, None)

    def infer(self, x, **fit_params):
        # The loss weights ride with the rows but are not the module's input.
        if isinstance(x, dict) and SAMPLE_WEIGHT in x:
            x = {key: value for key, value in x.items() if key != SAMPLE_WEIGHT}
            if list(x) == ["x"]:
                x = x["x"]
        return super().infer(x, **fit_params)

    def _refresh_step_constants(self):
        """Fill the device tensors the loss reads (e.g. an annealed weight); nothing here."""

    def validation_step(self, batch, **fit_params):
        self._refresh_step_constants()
        return super().validation_step(batch, **fit_params)

    def train_step(self, batch, **fit_params):
        step = self._train_step(batch, **fit_params)
        # Detached, so that no step's autograd graph outlives it (a graph
        # kept alive across steps would tie its nodes to the wrong stream).
        return {key: _detached(value) for key, value in step.items()}

    def _train_step(self, batch, **fit_params):
        self._refresh_step_constants()
        X, y = batch
        full = get_len(X) == self.batch_size
        if torch.device(self.device).type != "cuda" or fit_params or not full:
            return super().train_step(batch, **fit_params)
        captured = self.__dict__.setdefault("_captured_step", _CapturedStep())
        if captured.graph is None and captured.eager_steps < GRAPH_WARMUP_STEPS:
            captured.eager_steps += 1
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                step = super().train_step(batch)
            torch.cuda.current_stream().wait_stream(side)
            return step
        if captured.graph is None:
            captured.batch = (_on_device(X, self.device), _on_device(y, self.device))
            captured.graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(captured.graph):
                step = super().train_step(captured.batch)
            # Detached, so that the captured step's autograd graph is freed.
            captured.step = {key: _detached(value) for key, value in step.items()}
            del step
            captured.values = self.__dict__.pop("_batch_values", {})
        _copy_into(captured.batch[0], X)
        _copy_into(captured.batch[1], y)
        captured.graph.replay()
        # The graph's outputs are overwritten by the next replay: keep copies.
        self._batch_values = {key: value.clone() for key, value in captured.values.items()}
        return {"loss": captured.step["loss"].clone(), "y_pred": captured.step["y_pred"]}

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        first = len(self.history[-1]["batches"])
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            self.history.record_batch(prefix + "_loss", step["loss"].detach())
            for key, value in self.__dict__.pop("_batch_values", {}).items():
                self.history.record_batch(f"{prefix}_{key}", value)
            self.history.record_batch(prefix + "_batch_size", get_len(batch[0]))
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
        _tensors_to_floats(self.history[-1]["batches"][first:])
        for _, callback in self.callbacks_:
            if hasattr(callback, "on_batches_recorded"):
                callback.on_batches_recorded(self, training=training)
        self.history.record(prefix + "_batch_count", batch_count)


def _tensors_to_floats(batches):
    """Replace the tensors recorded in ``batches`` by floats, with one device transfer."""
    places = [
        (record, key)
        for record in batches
        for key, value in record.items()
        if isinstance(value, torch.Tensor)
    ]
    if not places:
        return
    values = torch.stack([record[key].float().reshape(()) for record, key in places]).tolist()
    for (record, key), value in zip(places, values, strict=True):
        record[key] = value
