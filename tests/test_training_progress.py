"""Signs of life during a comparison: each net's epoch and time left, every few seconds."""

import functools
import io

import numpy as np

from sklspec.model_selection import _search, transfer_candidates, tune_transfer_models
from sklspec.transfer import SpectralMLPRegressor
from sklspec.utils._training_progress import TrainingReporter, reporting_training


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_net_reports_its_epochs_inside_a_comparison_only():
    X = np.random.default_rng(0).normal(size=(40, 4))
    log = io.StringIO()
    reporter = TrainingReporter("one-step MLP", stream=log, log_interval=0)
    reporter.setting = " 1/2"
    with reporting_training(reporter):
        SpectralMLPRegressor((8,), max_epochs=3, early_stopping=False, random_state=0).fit(X, X)
    lines = log.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        f"  one-step MLP 1/2: MLP epoch {epoch}/3" for epoch in (1, 2, 3)
    ]
    assert lines[0].endswith(" s left") and "about" in lines[0]
    # Outside a comparison nothing is reported (and nothing is added to the net).
    model = SpectralMLPRegressor((8,), max_epochs=3, random_state=0).fit(X, X)
    assert "training_progress" not in dict(model.net_.callbacks_)


def test_on_a_terminal_the_line_is_rewritten_in_place():
    terminal = _Terminal()
    reporter = TrainingReporter("VAE + MLP", stream=terminal, terminal_interval=0)
    with reporting_training(reporter):
        reporter.epoch("VAE", 1, 30, 2.0, early_stopping=True)
        reporter.epoch("VAE", 2, 30, 2.0, early_stopping=True)
    text = terminal.getvalue()
    assert text.count("\r") == 4 and "\n" not in text  # two updates, then the line cleared
    assert "VAE + MLP: VAE epoch 2/30, 2 s per epoch, at most 56 s left" in text


def test_the_comparison_reports_every_setting(monkeypatch, capsys):
    monkeypatch.setattr(
        _search, "TrainingReporter", functools.partial(TrainingReporter, log_interval=0)
    )
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(30, 6)), rng.normal(size=(30, 6))
    models = transfer_candidates(["one_step"], max_epochs=2, latent_dim=2, vae_hidden=(4,))
    tune_transfer_models(models, X[:20], Y[:20], X[20:], Y[20:], verbose=2)
    out = capsys.readouterr().out
    assert "  one-step MLP 1/2: MLP epoch 2/2" in out
    assert "  one-step MLP 2/2: MLP epoch 1/2" in out
    assert "  one-step MLP 2/2 (lr 0.0001): validation RSE" in out
