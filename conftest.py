"""pytest configuration shared by the tests and the doctests."""

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # plots render without a display


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    plt.close("all")
