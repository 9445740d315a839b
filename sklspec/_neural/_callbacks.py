"""skorch callbacks and net behaviour shared by the neural estimators."""

import math
import re
import sys

from skorch.callbacks import Callback, EarlyStopping, PrintLog, ProgressBar

from sklspec.exceptions import TrainingDivergedError


class TrainingInterrupted(BaseException):
    """A Ctrl-C during training, carried past skorch (which swallows ``KeyboardInterrupt``)."""


class _StopTraining(KeyboardInterrupt):
    """Early stopping's way out of skorch's training loop (skorch ends training on it)."""


class StopOnPatience(EarlyStopping):
    """skorch's ``EarlyStopping`` whose stop is told apart from the user's Ctrl-C."""

    def on_epoch_end(self, net, **kwargs):
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            raise _StopTraining from None


def diverged_message(model, what, lr):
    """The one message of :class:`TrainingDivergedError`."""
    return (
        f"The {model} training diverged: {what} at lr={lr}. Try a lower lr, scale the "
        "inputs (e.g. StandardScaler) or a larger batch_size."
    )


class DivergenceCheck(Callback):
    """Stop with :class:`TrainingDivergedError` when the loss diverges.

    - any batch loss (training or validation) that is NaN or infinite,
      checked once the epoch's batches have run (see ``TrainingLoopMixin``);
    - an epoch whose mean training loss is ``initial_factor`` times the loss
      of the very first batch, which the untrained network produced: a
      network that much worse than untrained has diverged, whatever its
      best epoch was (with early stopping too);
    - with ``monitor`` (used without early stopping, which would restore the
      best weights anyway): an epoch whose ``monitor`` value is
      ``best_factor`` times the best epoch's.
    """

    def __init__(self, model, *, monitor=None, best_factor=100.0, initial_factor=1000.0):
        self.model = model
        self.monitor = monitor
        self.best_factor = best_factor
        self.initial_factor = initial_factor

    def initialize(self):
        self.initial_loss_ = None
        return self

    def on_batches_recorded(self, net, training=None, **kwargs):
        # Called by TrainingLoopMixin once an epoch's batch losses are floats:
        # checking them one by one as they come would wait for the GPU at each.
        key = "train_loss" if training else "valid_loss"
        values = [batch[key] for batch in net.history[-1]["batches"] if key in batch]
        if not all(math.isfinite(value) for value in values):
            what = f"the loss became NaN or infinite in epoch {len(net.history)}"
            raise TrainingDivergedError(diverged_message(self.model, what, net.lr))
        if training and self.initial_loss_ is None and values:
            self.initial_loss_ = values[0]

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if self.monitor is not None:
            values = net.history[:, self.monitor]
            best = min(range(len(values)), key=values.__getitem__)
            if values[-1] > self.best_factor * values[best]:
                what = (
                    f"{self.monitor} rose from {values[best]:.4g} (epoch {best + 1}) "
                    f"to {values[-1]:.4g} (epoch {epoch})"
                )
                raise TrainingDivergedError(diverged_message(self.model, what, net.lr))
        train_loss = net.history[-1, "train_loss"]
        if self.initial_loss_ and train_loss > self.initial_factor * self.initial_loss_:
            what = (
                f"train_loss rose from {self.initial_loss_:.4g} (the untrained network's "
                f"first batch) to {train_loss:.4g} (epoch {epoch})"
            )
            raise TrainingDivergedError(diverged_message(self.model, what, net.lr))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _is_terminal(stream):
    return hasattr(stream, "isatty") and stream.isatty()


class EpochTable(PrintLog):
    """skorch's per-epoch table, without colour codes when the output is not a terminal.

    Redirected to a file or a log, the codes that highlight the best epochs
    would only clutter it.
    """

    def format_row(self, row, key, color):
        text = super().format_row(row, key, color)
        return text if _is_terminal(sys.stdout) else _ANSI.sub("", text)


class _ProgressBar(ProgressBar):
    """skorch's progress bar, showing batch losses that are still tensors as numbers."""

    def _get_postfix_dict(self, net):
        # The one place a batch value is needed before the epoch ends: only
        # with the bar on does each batch wait for the GPU.
        return {key: float(value) for key, value in super()._get_postfix_dict(net).items()}


def progress_callbacks(verbose):
    """On a terminal with ``verbose`` >= 2, a progress bar per epoch (batches, time left, loss)."""
    if verbose >= 2 and _is_terminal(sys.stderr):
        # tqdm redraws one line: a terminal shows it, a log file would get
        # every redraw, so redirected output keeps the epoch table only.
        return [("progress_bar", _ProgressBar(postfix_keys=["train_loss"]))]
    return []
