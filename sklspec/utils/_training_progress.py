"""Signs of life from the nets a comparison trains: epoch and time left, every few seconds.

A comparison (``tune_transfer_models``) runs each search inside
:func:`reporting_training`; every net trained meanwhile, however deeply
nested in pipelines and searches, reports its epochs to that reporter. On
a terminal the line is rewritten in place; otherwise plain lines are
printed, less often.
"""

import contextlib
import contextvars
import sys
import time

_REPORTER = contextvars.ContextVar("sklspec_training_reporter", default=None)


class TrainingReporter:
    """Prints what the current net is doing: which setting, which net, epoch, time left."""

    def __init__(self, label, *, stream=None, terminal_interval=5.0, log_interval=15.0):
        self.label = label
        self.stream = sys.stdout if stream is None else stream
        self.on_terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = terminal_interval if self.on_terminal else log_interval
        self.setting = ""
        self._last = time.monotonic()
        self._width = 0

    def epoch(self, model, epoch, max_epochs, seconds_per_epoch, early_stopping):
        """Report an epoch's end, when ``interval`` seconds have passed since the last line."""
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        left = (max_epochs - epoch) * seconds_per_epoch
        bound = "at most " if early_stopping else "about "
        text = (
            f"  {self.label}{self.setting}: {model} epoch {epoch}/{max_epochs}, "
            f"{seconds_per_epoch:.2g} s per epoch, {bound}{left:.0f} s left"
        )
        if self.on_terminal:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def end_line(self):
        """End a line rewritten in place, before other output."""
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


@contextlib.contextmanager
def reporting_training(reporter):
    """Nets trained inside report their epochs to ``reporter``."""
    token = _REPORTER.set(reporter)
    try:
        yield reporter
    finally:
        reporter.end_line()
        _REPORTER.reset(token)


def training_reporter():
    """The reporter of the comparison running now, or None."""
    return _REPORTER.get()
