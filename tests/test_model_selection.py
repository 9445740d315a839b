"""sklspec.model_selection: one registry of transfer candidates, one tuning loop."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.cross_decomposition import PLSRegression
from sklearn.model_selection import KFold

import sklspec
from sklspec.exceptions import TransferSelectionError
from sklspec.model_selection import (
    NEEDS,
    PRESETS,
    TRANSFER_CANDIDATES,
    fit_calibration,
    in_user_terms,
    model_label,
    transfer_candidates,
    tune_transfer_models,
)

PACKAGE = Path(sklspec.__file__).parent


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    amounts = rng.uniform(size=(60, 3))
    X = amounts @ rng.normal(size=(3, 20)) + rng.normal(0, 0.01, (60, 20))
    Y = amounts @ rng.normal(size=(3, 25))
    return X, Y, amounts[:, 0]


class _Failing(RegressorMixin, BaseEstimator):
    """A model whose every fit fails, as a diverged network's does."""

    def __init__(self, size=1):
        self.size = size

    def fit(self, X, y):
        raise FloatingPointError(f"diverged at size {self.size}")

    def predict(self, X):  # never reached
        raise AssertionError


def test_every_candidate_is_described_and_builds_in_each_of_its_presets():
    assert list(TRANSFER_CANDIDATES)[:2] == ["library_ridge", "library_residual"]
    for name, candidate in TRANSFER_CANDIDATES.items():
        assert candidate.name == name and candidate.label and candidate.summary
        assert candidate.kind in {
            "library",
            "network",
            "linear",
            "neighbours",
            "calibration",
            "robust_calibration",
        }
        # What transfers the calibration is given the comparison's calibration, and
        # needs the analyte values to be scored.
        assert (candidate.calibration_params is not None) == candidate.predicts_analytes
        assert candidate.predicts_analytes <= ("targets" in candidate.needs)
        assert candidate.needs <= set(NEEDS)
        assert (candidate.package is None) == (candidate.extra is None)
        assert set(candidate.presets) <= set(PRESETS)
    for preset, names in PRESETS.items():
        assert all(preset in TRANSFER_CANDIDATES[n].presets for n in names)
    assert PRESETS["paper"] == ("vae_mlp", "one_step", "knn", "pls")
    from sklspec.transfer import LatentLibrary

    library = LatentLibrary(decoder="pca", n_components=2).fit(np.eye(12) + 1)
    for preset in PRESETS:
        names = [n for n, c in TRANSFER_CANDIDATES.items() if preset in c.presets]
        models = transfer_candidates(
            names, preset=preset, n_pairs=10, n_channels=12, library=library
        )
        assert list(models) == names
        for estimator, grid in models.values():
            assert hasattr(estimator, "fit") and isinstance(grid, dict)


def test_the_grids_are_cut_to_the_data():
    models = transfer_candidates(["pls", "knn", "pds"], n_pairs=4, n_channels=6)
    assert models["pls"][1] == {"n_components": [1, 2, 3]}
    assert models["knn"][1] == {"n_neighbors": [1, 2, 3]}
    assert models["pds"][1] == {"standardizer__window_length": [3, 5]}
    paper = transfer_candidates(preset="paper", max_epochs=3, random_state=0)
    assert paper["pls"][1] == {"n_components": [2, 3, 4, 8, 16, 32, 64]}
    assert paper["vae_mlp"][0].vae.max_epochs == 3
    with pytest.raises(ValueError, match=r"Unknown transfer candidate\(s\) \['svm'\]"):
        transfer_candidates(["svm"])
    with pytest.raises(ValueError, match="Unknown preset 'lab2'"):
        transfer_candidates(preset="lab2")
    with pytest.raises(ValueError, match="need a fitted library"):
        transfer_candidates(["library_ridge"], preset="few_standards")


def test_labels_and_settings_read_as_a_user_reads_them():
    assert model_label("library_residual") == "library + residual MLP"
    assert model_label("svm") == "svm"
    assert in_user_terms({"mapper__alpha": 0.001, "standardizer__window_length": 5}) == (
        "MLP alpha 0.001, window 5"
    )
    assert in_user_terms({"mapper__hidden_layer_sizes": (64,)}) == "MLP hidden_layer_sizes (64,)"


def test_one_registry_and_one_loop_in_the_package():
    # Every label is written once, in the registry; the command and the papers'
    # harness take them, the candidates and the tuning loop from it.
    sources = {
        path.relative_to(PACKAGE).as_posix(): path.read_text()
        for path in PACKAGE.rglob("*.py")
    }
    for candidate in TRANSFER_CANDIDATES.values():
        quoted = re.compile(rf"[\"']{re.escape(candidate.label)}[\"']")
        defining = sorted(p for p, text in sources.items() if quoted.search(text))
        assert defining == ["model_selection/_registry.py"], (candidate.label, defining)
    splitting = sorted(p for p, text in sources.items() if "PredefinedSplit(" in text)
    assert splitting == ["model_selection/_search.py"]
    for user in ("_cli/_fit_transfer.py", "papers/_demo.py", "papers/_transfer_models.py"):
        assert "transfer_candidates(" in sources[user], user


@pytest.mark.parametrize("by_cv", [False, True])
def test_tuning_ranks_the_models_on_a_split_or_by_cross_validation(pairs, by_cv, capsys):
    X, Y, _ = pairs
    models = transfer_candidates(["knn", "pls"], n_pairs=40, n_channels=20)
    if by_cv:
        result = tune_transfer_models(models, X, Y, cv=KFold(4), verbose=2)
    else:
        result = tune_transfer_models(models, X[:40], Y[:40], X[40:], Y[40:], verbose=2)
    assert [row["model"] for row in result.rows] == ["pls", "knn"]
    pls = result.rows[0]
    assert pls["settings"] == {"n_components": 3} and pls["rse"] < 1e-3
    assert result.rows[1]["rse"] > 10 * pls["rse"]
    out = capsys.readouterr().out
    n_fits = 8 * (4 if by_cv else 1)
    assert f"PLS {n_fits}/{n_fits} (components 64)" not in out  # cut to the pairs
    assert "KNN: 6 setting(s) to try" in out and "validation RSE" in out
    assert set(result.searches) == {"pls", "knn"}


def test_a_failing_model_gets_a_row_and_all_failing_raise_our_error(pairs):
    X, Y, _ = pairs
    models = {"broken": (_Failing(), {"size": [1, 2]}), "pls": (PLSRegression(3), {})}
    result = tune_transfer_models(models, X[:40], Y[:40], X[40:], Y[40:], verbose=0)
    assert [row["model"] for row in result.rows] == ["pls", "broken"]
    assert result.rows[1]["error"] == "FloatingPointError: diverged at size 2"
    assert set(result.searches) == {"pls"}
    with pytest.raises(TransferSelectionError, match="every model failed .broken: Floating"):
        tune_transfer_models({"broken": models["broken"]}, X, Y, cv=KFold(3), verbose=0)
    with pytest.raises(FloatingPointError, match="diverged at size 1"):
        tune_transfer_models(
            {"broken": models["broken"]}, X, Y, cv=KFold(3), debug=True, verbose=0
        )
    with pytest.raises(ValueError, match="either validation pairs"):
        tune_transfer_models(models, X, Y, verbose=0)


def test_the_calibration_floor_is_computed_once_and_ranks_by_rmsep(pairs):
    X, Y, oil = pairs
    models = transfer_candidates(["knn", "pls"], n_pairs=40, n_channels=20)
    calibration = fit_calibration(Y[:40], oil[:40])
    result = tune_transfer_models(
        models,
        X[:40],
        Y[:40],
        X[40:],
        Y[40:],
        calibration=calibration,
        targets=oil[40:],
        rank_by="rmsep",
        verbose=0,
    )
    floor = np.sqrt(np.mean((calibration.predict(Y[40:]).ravel() - oil[40:]) ** 2))
    assert all(row["floor"] == pytest.approx(floor) for row in result.rows)
    assert result.calibration_floor == pytest.approx(floor)
    assert result.rows[0]["rmsep"] <= result.rows[1]["rmsep"]
    # By cross-validation, each fold calibrates on its own training pairs.
    by_cv = tune_transfer_models(
        models, X, Y, cv=KFold(3), targets=oil, rank_by="rmsep", verbose=0
    )
    assert by_cv.rows[0]["model"] == "pls" and by_cv.rows[0]["rmsep"] < 0.05


def test_python_dash_m_runs_the_command():
    result = subprocess.run(
        [sys.executable, "-m", "sklspec", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == f"sklspec {sklspec.__version__}"


def test_the_command_leaves_out_a_candidate_whose_extra_is_missing(tmp_path, capsys, monkeypatch):
    from sklspec.cli import main

    rng = np.random.default_rng(0)
    amounts = rng.uniform(size=(50, 2))
    np.save(tmp_path / "p.npy", amounts @ rng.normal(size=(2, 12)))
    np.save(tmp_path / "s.npy", amounts @ rng.normal(size=(2, 12)))
    monkeypatch.setitem(sys.modules, "chemotools", None)
    assert not TRANSFER_CANDIDATES["pds"].available
    command = ["fit-transfer", "--primary", str(tmp_path / "p.npy"), "--secondary"]
    command += [str(tmp_path / "s.npy"), "-o", str(tmp_path / "m.sklspec"), "--epochs", "2"]
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "DS, PDS and SST left out: chemotools is not installed: pip install 'sklspec[" in out
    assert "VAE + MLP, one-step MLP, PLS, KNN, CORAL on 40 training" in out
    assert "no reliability score: chemotools is not installed" in out
    assert main([*command, "--force", "--models", "pls,pds"]) == 2
    assert "--models: pds needs chemotools, which is not installed; pip install" in (
        capsys.readouterr().err
    )


def test_the_demo_names_every_missing_extra_in_one_line(tmp_path, capsys, monkeypatch):
    from sklspec.cli import main

    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "libskit", None)
    assert main(["demo", "-o", str(tmp_path / "demo")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "sklspec demo: error: The demo needs pandas, libskit, not installed. "
        "Install them with: pip install 'sklspec[libs,pandas]'"
    )
    assert not (tmp_path / "demo" / "comparison.csv").exists()


def test_a_fold_of_one_pair_is_refused_with_the_reason():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(2, 5, 8))
    models = transfer_candidates(["pls"], n_pairs=4, n_channels=8)
    with pytest.raises(ValueError, match="at least 2 pairs .* one holds 1. Use fewer folds"):
        tune_transfer_models(models, X, Y, cv=KFold(5), verbose=0)
    result = tune_transfer_models(models, X, Y, cv=KFold(2), verbose=0)
    assert result.rows[0]["rse"] > 0


class _NaNSpectra(RegressorMixin, BaseEstimator):
    """Fits, then predicts NaN spectra: every score of its search fails."""

    def fit(self, X, y):
        self.width_ = np.shape(y)[1]
        return self

    def predict(self, X):
        return np.full((len(X), self.width_), np.nan)


def test_a_model_whose_every_score_fails_gets_a_row_that_says_why():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(2, 12, 8))
    models = {"nan": (_NaNSpectra(), {}), **transfer_candidates(["pls"], n_pairs=8, n_channels=8)}
    result = tune_transfer_models(models, X, Y, cv=KFold(3), verbose=0)
    rows = {row["model"]: row for row in result.rows}
    # The wrapping's inverse scaling refuses the NaN spectra; its first line is the reason.
    assert rows["nan"]["error"] == "no setting could be scored: ValueError: Input X contains NaN."
    assert rows["pls"]["rse"] > 0
