"""SlopeBiasCorrection, and calibration-level candidates in the comparison."""

import numpy as np
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold

from sklspec.io import load, save
from sklspec.model_selection import fit_calibration, transfer_candidates, tune_transfer_models
from sklspec.transfer import SlopeBiasCorrection


@pytest.fixture(scope="module")
def instruments():
    rng = np.random.default_rng(0)
    bands = np.abs(rng.normal(size=(3, 25)))
    amounts = rng.uniform(size=(60, 3))
    primary = amounts @ bands + rng.normal(0, 0.005, (60, 25))
    # The secondary instrument reads 15% higher with an offset, and a tilt.
    secondary = 1.15 * primary + 0.2 + np.linspace(0, 0.1, 25)
    return primary, secondary, amounts[:, :2] @ [2.0, 1.0]


def test_the_correction_is_the_least_squares_line_through_the_standards(instruments):
    primary, secondary, oil = instruments
    calibration = PLSRegression(3).fit(primary[:40], oil[:40])
    raw = calibration.predict(secondary).ravel()
    slope, bias = np.polyfit(raw[40:50], oil[40:50], 1)  # by hand
    corrected = SlopeBiasCorrection(FrozenEstimator(calibration)).fit(secondary[40:50], oil[40:50])
    np.testing.assert_allclose([corrected.slope_[0], corrected.bias_[0]], [slope, bias])
    np.testing.assert_allclose(corrected.predict(secondary[50:]), slope * raw[50:] + bias)
    error = np.sqrt(np.mean((corrected.predict(secondary[50:]) - oil[50:]) ** 2))
    assert error < 0.1 * np.sqrt(np.mean((raw[50:] - oil[50:]) ** 2))
    bias_only = SlopeBiasCorrection(FrozenEstimator(calibration), fit_slope=False)
    bias_only.fit(secondary[40:41], oil[40:41])  # one standard is enough for a bias
    assert bias_only.slope_[0] == 1.0
    assert bias_only.bias_[0] == pytest.approx(oil[40] - raw[40])


def test_several_analytes_and_clear_errors(instruments):
    primary, secondary, oil = instruments
    targets = np.column_stack([oil, 2 * oil + 1])
    calibration = FrozenEstimator(PLSRegression(3).fit(primary, targets))
    corrected = SlopeBiasCorrection(calibration).fit(secondary[:10], targets[:10])
    assert corrected.predict(secondary).shape == (60, 2)
    with pytest.raises(ValueError, match="calibration predicts 2 analyte.s. but y has 1"):
        SlopeBiasCorrection(calibration).fit(secondary[:10], oil[:10])
    with pytest.raises(ValueError, match="at least 2 standard.s. to fit a slope and a bias"):
        SlopeBiasCorrection(calibration).fit(secondary[:1], targets[:1])
    with pytest.raises(NotFittedError, match="calibration is not fitted"):
        SlopeBiasCorrection(PLSRegression(3)).fit(secondary[:10], oil[:10])
    with pytest.raises(ValueError, match="needs the primary calibration it corrects"):
        SlopeBiasCorrection().fit(secondary[:10], oil[:10])


def test_a_model_file_keeps_the_calibration_and_the_line(instruments, tmp_path):
    primary, secondary, oil = instruments
    calibration = FrozenEstimator(PLSRegression(3).fit(primary, oil))
    corrected = SlopeBiasCorrection(calibration).fit(secondary[:10], oil[:10])
    save(corrected, tmp_path / "sbc.sklspec")
    np.testing.assert_array_equal(
        load(tmp_path / "sbc.sklspec").predict(secondary), corrected.predict(secondary)
    )


@pytest.mark.parametrize("by_cv", [False, True])
def test_the_comparison_scores_it_by_the_rmsep_alone(instruments, by_cv):
    primary, secondary, oil = instruments
    models = transfer_candidates(["slope_bias", "pls"], n_pairs=30, n_channels=25)
    if by_cv:
        result = tune_transfer_models(
            models, secondary, primary, cv=KFold(3), targets=oil, rank_by="rmsep", verbose=0
        )
    else:
        calibration = fit_calibration(primary[:40], oil[:40])
        result = tune_transfer_models(
            models,
            secondary[:40],
            primary[:40],
            secondary[40:],
            primary[40:],
            calibration=calibration,
            targets=oil[40:],
            train_targets=oil[:40],
            rank_by="rmsep",
            verbose=0,
        )
    rows = {row["model"]: row for row in result.rows}
    corrected = rows["slope_bias"]
    assert corrected["output"] == "analyte" and "rse" not in corrected
    assert corrected["settings"]["fit_slope"] in (True, False)
    assert 0 < corrected["rmsep"] < 0.05 and corrected["floor"] == rows["pls"]["floor"]
    assert "slope_bias" not in result.searches


def test_the_command_compares_it_and_keeps_a_spectral_model(instruments, tmp_path, capsys):
    from sklspec.cli import main
    from sklspec.io import read_info

    primary, secondary, oil = instruments
    for name, values in (("p", primary), ("s", secondary), ("oil", oil)):
        np.save(tmp_path / f"{name}.npy", values)
    command = ["fit-transfer", "--primary", str(tmp_path / "p.npy"), "--secondary"]
    command += [str(tmp_path / "s.npy"), "--targets", str(tmp_path / "oil.npy")]
    command += ["--models", "slope_bias,ds", "--select-by", "rmsep", "-o"]
    assert main([*command, str(tmp_path / "m.sklspec")]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("slope/bias "))
    assert row.split()[1] == "-" and float(row.split()[2]) > 0
    assert "slope/bias: transfers the calibration instead of the spectra" in out
    info = read_info(tmp_path / "m.sklspec")["info"]
    assert info["model"] == "DS"
    assert load(tmp_path / "m.sklspec").predict(secondary).shape == primary.shape
    assert main(["info", str(tmp_path / "m.sklspec")]) == 0
    assert "slope/bias" in capsys.readouterr().out
    no_targets = [c for c in command if c not in ("--targets", str(tmp_path / "oil.npy"))]
    no_targets = [c for c in no_targets if c not in ("--select-by", "rmsep")]
    assert main([*no_targets, str(tmp_path / "n.sklspec")]) == 2
    assert "--models: slope_bias needs --targets" in capsys.readouterr().err
