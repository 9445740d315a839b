"""Shared fixtures: the authors' reference outputs and small simulated spectra."""

from pathlib import Path

import numpy as np
import pytest

REFERENCE_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference"


@pytest.fixture(scope="session")
def baseline_reference():
    """Outputs of the published baseline code (shared/reference/README.md)."""
    path = REFERENCE_DIR / "baseline_reference.npz"
    if not path.exists():
        pytest.fail(f"Reference fixture missing: {path} (../shared/reference beside the repo).")
    with np.load(path) as data:
        return dict(data)
