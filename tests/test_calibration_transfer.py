"""EPO and GCT-PLS: calibrations refitted to read the same from both instruments."""

import numpy as np
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.model_selection import KFold
from sklearn.utils._param_validation import InvalidParameterError

from sklspec.io import load, save
from sklspec.model_selection import (
    fit_calibration,
    fit_calibration_transfer,
    transfer_candidates,
    tune_transfer_models,
)
from sklspec.transfer import EPORegressor, GCTPLSRegression

pytest.importorskip("chemotools")


@pytest.fixture(scope="module")
def instruments():
    """Two instruments on one grid: the secondary has a gain, an offset and a band of its own."""
    rng = np.random.default_rng(0)
    channels = np.linspace(0, 1, 40)
    bands = np.stack([np.exp(-(((channels - c) / 0.08) ** 2)) for c in (0.2, 0.45, 0.7)])
    amounts = rng.uniform(size=(90, 3))
    primary = amounts @ bands + rng.normal(0, 0.002, (90, 40))
    drift = rng.uniform(0.5, 1.5, (90, 1)) * np.exp(-(((channels - 0.55) / 0.1) ** 2))
    secondary = 1.1 * primary + 0.05 + 0.3 * drift
    oil = amounts @ [1.0, 0.5, -0.3]
    return primary, secondary, oil


def _rmse(predicted, true):
    return float(np.sqrt(np.mean((np.ravel(predicted) - np.ravel(true)) ** 2)))


def _gct_by_hand(X, y, differences, weight, n_components, deflate=True):
    """GCT-PLS written out densely: the channels x channels inverse, NIPALS deflation."""
    E, f, D = X - X.mean(axis=0), y - y.mean(), differences.copy()
    W, P, q = [], [], []
    for _ in range(n_components):
        inverse = np.linalg.inv(np.eye(X.shape[1]) + weight * D.T @ D)
        w = inverse @ (E.T @ f)
        w /= np.linalg.norm(w)
        t = E @ w
        p = E.T @ t / (t @ t)
        q.append(f @ t / (t @ t))
        E, f = E - np.outer(t, p), f - q[-1] * t
        D = D - np.outer(D @ w, p) if deflate else D
        W.append(w)
        P.append(p)
    W, P = np.column_stack(W), np.column_stack(P)
    coef = W @ np.linalg.inv(P.T @ W) @ np.array(q)
    return coef, y.mean() - coef @ X.mean(axis=0)


def test_gct_pls_matches_the_dense_formula_and_plain_pls(instruments):
    primary, secondary, oil = instruments
    standards = slice(60, 70)
    differences = secondary[standards] - primary[standards]
    gct = GCTPLSRegression(3, penalty=50.0).fit(
        primary[:60], oil[:60], X_primary=primary[standards], X_secondary=secondary[standards]
    )
    weight = 50.0 / np.linalg.norm(differences, 2) ** 2
    coef, intercept = _gct_by_hand(primary[:60], oil[:60], differences, weight, 3)
    np.testing.assert_allclose(gct.coef_[0], coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gct.intercept_[0], intercept, rtol=1e-9)
    # alignment="weights": the raw differences penalise every weight vector.
    raw = GCTPLSRegression(3, penalty=50.0, alignment="weights").fit(
        primary[:60], oil[:60], X_primary=primary[standards], X_secondary=secondary[standards]
    )
    coef, _ = _gct_by_hand(primary[:60], oil[:60], differences, weight, 3, deflate=False)
    np.testing.assert_allclose(raw.coef_[0], coef, rtol=1e-9, atol=1e-12)
    assert not np.allclose(raw.coef_, gct.coef_)
    # Two analytes: one PLS each, as the dense formula gives them.
    both = GCTPLSRegression(3, penalty=50.0).fit(
        primary[:60],
        np.column_stack([oil[:60], 2 - oil[:60]]),
        X_primary=primary[standards],
        X_secondary=secondary[standards],
    )
    second, _ = _gct_by_hand(primary[:60], 2 - oil[:60], differences, weight, 3)
    np.testing.assert_allclose(both.coef_[1], second, rtol=1e-9, atol=1e-12)
    assert both.predict(secondary).shape == (90, 2)
    # Without a penalty (or standards) it is scikit-learn's PLS, unscaled.
    pls = PLSRegression(3, scale=False).fit(primary[:60], oil[:60])
    for plain in (
        GCTPLSRegression(3, penalty=0.0).fit(
            primary[:60], oil[:60], X_primary=primary[60:70], X_secondary=secondary[60:70]
        ),
        GCTPLSRegression(3).fit(primary[:60], oil[:60]),
    ):
        np.testing.assert_allclose(plain.predict(secondary), pls.predict(secondary), atol=1e-10)


def test_gct_pls_reads_the_same_value_from_both_instruments(instruments):
    primary, secondary, oil = instruments
    pls = PLSRegression(3, scale=False).fit(primary[:60], oil[:60])
    gct = GCTPLSRegression(3, penalty=1e4).fit(
        primary[:60], oil[:60], X_primary=primary[60:70], X_secondary=secondary[60:70]
    )
    # The standards' two spectra give nearly one value (the gain, along the bands
    # themselves, cannot be projected out), and new secondary spectra are read several
    # times better than by the primary calibration.
    gap = gct.predict(secondary[60:70]) - gct.predict(primary[60:70])
    unaligned = pls.predict(secondary[60:70]).ravel() - pls.predict(primary[60:70]).ravel()
    assert np.abs(gap).max() < 0.05 * np.ptp(oil) < np.abs(unaligned).max() / 3
    plain, aligned = (
        _rmse(pls.predict(secondary[70:]), oil[70:]),
        _rmse(gct.predict(secondary[70:]), oil[70:]),
    )
    assert aligned < plain / 5, (aligned, plain)


def test_epo_is_the_projection_written_out(instruments):
    primary, secondary, oil = instruments
    standards = slice(60, 70)
    epo = EPORegressor(PLSRegression(3, scale=False), n_components=2).fit(
        primary[:60], oil[:60], X_primary=primary[standards], X_secondary=secondary[standards]
    )
    # By hand: the leading right singular vectors of the (uncentred) differences.
    _, _, directions = np.linalg.svd(secondary[standards] - primary[standards])
    V = directions[:2].T
    mean = primary[:60].mean(axis=0)

    def project(spectra):
        return (spectra - mean) @ (np.eye(40) - V @ V.T) + mean

    by_hand = PLSRegression(3, scale=False).fit(project(primary[:60]), oil[:60])
    np.testing.assert_allclose(
        epo.predict(secondary), by_hand.predict(project(secondary)), atol=1e-9
    )
    plain = PLSRegression(3, scale=False).fit(primary[:60], oil[:60])
    assert (
        _rmse(epo.predict(secondary[70:]), oil[70:])
        < _rmse(plain.predict(secondary[70:]), oil[70:]) / 5
    )
    # Without standards nothing is removed: the regressor alone.
    alone = EPORegressor(PLSRegression(3, scale=False)).fit(primary[:60], oil[:60])
    np.testing.assert_allclose(alone.predict(secondary), plain.predict(secondary), atol=1e-10)


@pytest.mark.parametrize("estimator", [EPORegressor, GCTPLSRegression])
def test_clear_errors(instruments, estimator):
    primary, secondary, oil = instruments
    fit = estimator(n_components=2).fit
    with pytest.raises(ValueError, match="needs X_primary and X_secondary together"):
        fit(primary, oil, X_primary=primary[:5])
    with pytest.raises(ValueError, match="rows must be the same standards"):
        fit(primary, oil, X_primary=primary[:5], X_secondary=secondary[:6])
    with pytest.raises(ValueError, match="the standards have 39 channels and X has 40"):
        fit(primary, oil, X_primary=primary[:5, 1:], X_secondary=secondary[:5, 1:])
    with pytest.raises(ValueError, match="X_secondary contains NaN"):
        fit(primary, oil, X_primary=primary[:5], X_secondary=np.full((5, 40), np.nan))
    with pytest.raises(InvalidParameterError, match="'n_components' parameter"):
        estimator(n_components=0).fit(primary, oil)
    unfitted = estimator(n_components=2)
    with pytest.raises(ValueError):
        unfitted.fit(primary, oil, X_primary=primary[:5], X_secondary=secondary[:5, :3])
    assert not hasattr(unfitted, "n_features_in_")  # a failed fit leaves it unfitted


def test_settings_the_data_cannot_give():
    X = np.random.default_rng(1).normal(size=(6, 10))
    with pytest.raises(ValueError, match=r"EPORegressor\(n_components=4\) needs at least 4 pairs"):
        EPORegressor(n_components=4).fit(X, X[:, 0], X_primary=X[:3], X_secondary=X[:3] + 1)
    with pytest.raises(ValueError, match="6 sample.s. of 10 channels give 5 latent"):
        GCTPLSRegression(n_components=6).fit(X, X[:, 0])
    with pytest.raises(InvalidParameterError, match="'penalty' parameter"):
        GCTPLSRegression(penalty=-1.0).fit(X, X[:, 0])


@pytest.mark.parametrize("estimator", [EPORegressor(n_components=2), GCTPLSRegression(3)])
def test_model_files_keep_them(instruments, tmp_path, estimator):
    primary, secondary, oil = instruments
    estimator.fit(primary, oil, X_primary=primary[:8], X_secondary=secondary[:8])
    save(estimator, tmp_path / "calibration.sklspec")
    loaded = load(tmp_path / "calibration.sklspec")
    np.testing.assert_array_equal(loaded.predict(secondary), estimator.predict(secondary))


@pytest.mark.parametrize("by_cv", [False, True])
def test_the_comparison_refits_them_on_the_calibration_set(instruments, by_cv):
    primary, secondary, oil = instruments
    models = transfer_candidates(["epo", "gct_pls", "slope_bias"], n_pairs=20, n_channels=40)
    calibration_set = (primary[:50], oil[:50])
    pairs = slice(50, 80)
    if by_cv:
        tuned = tune_transfer_models(
            models,
            secondary[pairs],
            primary[pairs],
            cv=KFold(3, shuffle=True, random_state=0),
            calibration=fit_calibration(*calibration_set),
            targets=oil[pairs],
            calibration_set=calibration_set,
            rank_by="rmsep",
            verbose=0,
        )
    else:
        tuned = tune_transfer_models(
            models,
            secondary[50:70],
            primary[50:70],
            secondary[70:90],
            primary[70:90],
            calibration=fit_calibration(*calibration_set),
            targets=oil[70:90],
            train_targets=oil[50:70],
            calibration_set=calibration_set,
            rank_by="rmsep",
            verbose=0,
        )
    rows = {row["model"]: row for row in tuned.rows}
    calibration = fit_calibration(*calibration_set)
    scored = slice(50, 80) if by_cv else slice(70, 90)
    untransferred = _rmse(calibration.predict(secondary[scored]), oil[scored])
    for name in ("epo", "gct_pls"):
        assert rows[name]["output"] == "analyte" and "rse" not in rows[name]
        # Both read the secondary spectra several times better than the calibration does.
        assert rows[name]["rmsep"] < untransferred / 4, (rows[name], untransferred)
    assert rows["epo"]["settings"]["n_components"] in (1, 2, 3, 4, 6, 8)
    assert tuned.searches == {}
    if not by_cv:
        # The row is the fit on the calibration set with the training pairs as standards,
        # with the calibration's own components; fit_calibration_transfer makes it again.
        gct = GCTPLSRegression(calibration.n_components, **rows["gct_pls"]["settings"])
        gct.fit(*calibration_set, X_primary=primary[50:70], X_secondary=secondary[50:70])
        assert rows["gct_pls"]["rmsep"] == pytest.approx(
            _rmse(gct.predict(secondary[70:90]), oil[70:90])
        )
        again = fit_calibration_transfer(
            models,
            rows["gct_pls"],
            secondary[50:70],
            primary[50:70],
            oil[50:70],
            calibration=calibration,
            calibration_set=calibration_set,
        )
        np.testing.assert_array_equal(again.predict(secondary), gct.predict(secondary))
        kept = fit_calibration_transfer(
            models,
            rows["slope_bias"],
            secondary[50:70],
            primary[50:70],
            oil[50:70],
            calibration=calibration,
        )
        assert rows["slope_bias"]["rmsep"] == pytest.approx(
            _rmse(kept.predict(secondary[70:90]), oil[70:90])
        )


def test_the_command_compares_them(instruments, tmp_path, capsys):
    from sklspec.cli import main

    primary, secondary, oil = instruments
    for name, values in (("p", primary), ("s", secondary), ("oil", oil)):
        np.save(tmp_path / f"{name}.npy", values)
    command = ["fit-transfer", "--primary", str(tmp_path / "p.npy"), "--secondary"]
    command += [str(tmp_path / "s.npy"), "--targets", str(tmp_path / "oil.npy")]
    command += ["--models", "pls,epo,gct_pls", "-o", str(tmp_path / "m.sklspec")]
    assert main(command) == 0
    out = capsys.readouterr().out
    for label in ("EPO", "GCT-PLS"):
        row = next(line for line in out.splitlines() if line.startswith(f"{label} "))
        assert row.split()[1] == "-" and float(row.split()[2]) > 0
    assert "EPO and GCT-PLS: transfer the calibration instead of the spectra" in out
    assert "refitting PLS" in out


def test_a_spectral_row_is_refitted_with_best_setting_instead(instruments):
    primary, secondary, oil = instruments
    models = transfer_candidates(["pls"], n_pairs=20, n_channels=40)
    calibration = fit_calibration(primary[:50], oil[:50])
    row = {"model": "pls", "label": "PLS", "settings": {"n_components": 2}}
    with pytest.raises(ValueError, match="PLS transfers spectra, not the calibration"):
        fit_calibration_transfer(
            models, row, secondary[:20], primary[:20], oil[:20], calibration=calibration
        )


def test_the_spectral_comparisons_refuse_them(instruments):
    from sklspec.model_selection import compare_transfer_models, transfer_learning_curve

    primary, secondary, _ = instruments
    models = transfer_candidates(["pls", "epo", "gct_pls"], n_pairs=20, n_channels=40)
    with pytest.raises(ValueError, match="EPO, GCT-PLS transfer the calibration, not the"):
        transfer_learning_curve(
            secondary[:60],
            primary[:60],
            secondary[60:],
            primary[60:],
            models={name: model for name, (model, _) in models.items()},
            n_pairs=[20],
        )
    with pytest.raises(ValueError, match="compare_transfer_models scores transferred spectra"):
        compare_transfer_models(
            secondary[:40],
            primary[:40],
            secondary[40:60],
            primary[40:60],
            secondary[60:],
            primary[60:],
            models=models,
        )
