"""The skorch callback that reports a net's epochs to the comparison running it."""

import time

from skorch.callbacks import Callback

from sklspec.utils._training_progress import training_reporter


class TrainingProgress(Callback):
    """Reports each epoch to the active :class:`TrainingReporter`, if any."""

    def __init__(self, model, *, early_stopping):
        self.model = model
        self.early_stopping = early_stopping

    def on_train_begin(self, net, **kwargs):
        self.start_ = time.monotonic()
        self.first_epoch_ = len(net.history)

    def on_epoch_end(self, net, **kwargs):
        reporter = training_reporter()
        if reporter is None:
            return
        done = len(net.history) - self.first_epoch_
        per_epoch = (time.monotonic() - self.start_) / max(done, 1)
        reporter.epoch(
            self.model, len(net.history), net.max_epochs, per_epoch, self.early_stopping
        )
