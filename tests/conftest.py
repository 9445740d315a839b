"""Shared fixtures: the authors' reference outputs and small simulated spectra."""

from pathlib import Path

import numpy as np
import pytest

DATA_DIR = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def baseline_reference():
    """Outputs of the published baseline code (tests/data/README.md)."""
    with np.load(DATA_DIR / "baseline_reference.npz") as data:
        return dict(data)
