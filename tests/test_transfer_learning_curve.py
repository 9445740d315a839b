"""transfer_learning_curve: transfer error against the number of shared standards."""

import matplotlib
import numpy as np
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.utils._param_validation import InvalidParameterError

from sklspec.metrics import relative_squared_error
from sklspec.papers import plot_transfer_learning_curve, transfer_learning_curve

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    amounts = rng.uniform(2.0, 5.0, size=(150, 3))
    primary = amounts @ np.abs(rng.normal(size=(3, 40)))
    secondary = amounts @ rng.normal(size=(3, 25)) + rng.normal(0, 0.05, size=(150, 25))
    calibration = LinearRegression().fit(primary[:100], amounts[:100, 0])
    return secondary, primary, amounts[:, 0], calibration


def test_curves_fall_with_more_pairs_and_are_nested_per_draw(pairs):
    X, Y, analyte, calibration = pairs
    result = transfer_learning_curve(
        X[:100],
        Y[:100],
        X[100:],
        Y[100:],
        models={"ridge": Ridge(1.0), "knn": KNeighborsRegressor(2)},
        n_pairs=[40, 5, 10],
        n_repeats=4,
        calibration=calibration,
        test_targets=analyte[100:],
        random_state=0,
    )
    table = result.table
    assert result.n_pairs == [5, 10, 40]
    assert list(table.index) == [(m, n) for m in ("ridge", "knn") for n in (5, 10, 40)]
    assert len(result.scores) == 2 * 3 * 4 and result.failures == []
    ridge = table.loc["ridge", "rse"]
    # Measured: the linear map is learned from a handful of pairs; KNN needs many.
    assert ridge[40] < ridge[5] and ridge[40] < 0.01
    assert table.loc[("knn", 40), "rse"] < table.loc[("knn", 5), "rse"]
    assert (table.loc["ridge", "rse"] < table.loc["knn", "rse"]).all()
    assert (table["rse_std"] > 0).all() and (table["n_failed"] == 0).all()
    # The RMSEP of a perfect transfer is the calibration's own error (0: exact).
    assert result.calibration_floor == pytest.approx(0.0, abs=1e-9)
    assert (table["calibration_rmse"] > 0).all()
    # Same seed, same draws and scores.
    again = transfer_learning_curve(
        X[:100],
        Y[:100],
        X[100:],
        Y[100:],
        models={"ridge": Ridge(1.0)},
        n_pairs=[5, 10, 40],
        n_repeats=4,
        random_state=0,
    )
    np.testing.assert_array_equal(again.table["rse"], table.loc[["ridge"], "rse"])
    assert "calibration_rmse" not in again.table and again.noise_floor is None


def test_scores_against_the_noiseless_truth(pairs):
    X, Y, _, _ = pairs
    noise = np.random.default_rng(1).normal(0, 0.2, size=(50, 40))
    result = transfer_learning_curve(
        X[:100], Y[:100], X[100:], Y[100:] + noise, models={"ridge": Ridge(1.0)},
        n_pairs=[40], n_repeats=2, Y_test_clean=Y[100:], random_state=0,
    )  # fmt: skip
    # Against the noisy test spectra the ridge cannot beat the noise; against the
    # clean ones it nearly vanishes.
    assert result.noise_floor == pytest.approx(relative_squared_error(Y[100:] + noise, Y[100:]))
    row = result.table.loc[("ridge", 40)]
    assert row["rse_clean"] < 0.2 * row["rse"] and row["rse"] > 0.9 * result.noise_floor
    with pytest.raises(ValueError, match="Y_test_clean has shape \\(5, 40\\)"):
        transfer_learning_curve(
            X[:100], Y[:100], X[100:], Y[100:], models={"ridge": Ridge()}, n_pairs=[5],
            Y_test_clean=Y[:5],
        )  # fmt: skip


def test_a_model_that_cannot_fit_few_pairs_scores_nan_and_is_reported(pairs):
    X, Y, _, _ = pairs
    with pytest.warns(UserWarning, match="3 fit\\(s\\) failed.*pls8 at 5 pairs"):
        result = transfer_learning_curve(
            X[:100],
            Y[:100],
            X[100:],
            Y[100:],
            models={"pls8": PLSRegression(8), "ridge": Ridge(1.0)},
            n_pairs=[5, 20],
            n_repeats=3,
            random_state=0,
        )
    table = result.table
    assert table.loc[("pls8", 5), "n_failed"] == 3 and np.isnan(table.loc[("pls8", 5), "rse"])
    assert table.loc[("pls8", 20), "n_failed"] == 0 and table.loc[("pls8", 20), "rse"] < 0.05
    assert table.loc["ridge", "n_failed"].sum() == 0
    assert all(name == "pls8" and n == 5 for name, n, _, _ in result.failures)


def test_bad_input_gets_one_clear_error(pairs):
    X, Y, _, _ = pairs
    common = dict(models={"ridge": Ridge()}, random_state=0)
    with pytest.raises(ValueError, match="asks for 200 pairs, but the pool holds 100"):
        transfer_learning_curve(X[:100], Y[:100], X[100:], Y[100:], n_pairs=[5, 200], **common)
    with pytest.raises(ValueError, match="at least 2; got 1"):
        transfer_learning_curve(X[:100], Y[:100], X[100:], Y[100:], n_pairs=[1, 5], **common)
    with pytest.raises(ValueError, match="whole numbers"):
        transfer_learning_curve(X[:100], Y[:100], X[100:], Y[100:], n_pairs=[2.5], **common)
    with pytest.raises(ValueError, match="X_pool has 100 rows but Y_pool has 90"):
        transfer_learning_curve(X[:100], Y[:90], X[100:], Y[100:], **common)
    with pytest.raises(ValueError, match="models must name at least one"):
        transfer_learning_curve(X[:100], Y[:100], X[100:], Y[100:], models={})
    whole = transfer_learning_curve(
        X[:20], Y[:20], X[100:], Y[100:], n_pairs=[5, 20], n_repeats=3, **common
    )
    # The whole pool is one draw, fitted once.
    assert list(whole.scores.groupby("n_pairs").size()) == [3, 1]
    assert np.isnan(whole.table.loc[("ridge", 20), "rse_std"])
    with pytest.raises(ValueError, match="'n_repeats' parameter"):
        transfer_learning_curve(X[:100], Y[:100], X[100:], Y[100:], n_repeats=0, **common)


def test_the_figure_draws_a_line_per_model_with_its_floor(pairs):
    X, Y, analyte, calibration = pairs
    result = transfer_learning_curve(
        X[:100],
        Y[:100],
        X[100:],
        Y[100:],
        models={"ridge": Ridge(1.0), "pls": PLSRegression(3)},
        n_pairs=[5, 20],
        n_repeats=2,
        calibration=calibration,
        test_targets=analyte[100:] + 0.1,  # a calibration with an error of its own
        random_state=0,
    )
    ax = plot_transfer_learning_curve(result, metric="calibration_rmse")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["ridge", "PLS", "calibration on true spectra"]
    assert ax.get_lines()[-1].get_ydata()[0] == pytest.approx(0.1)
    assert ax.get_xlabel() == "shared standards (pairs)"
    ax = plot_transfer_learning_curve(result)
    assert ax.get_ylabel() == "test RSE"
    with pytest.raises(ValueError, match="metric='k_score' is not in this result"):
        plot_transfer_learning_curve(result, metric="k_score")


def test_few_standards_models_fit_their_grids_to_the_fewest_pairs():
    from sklspec.papers import few_standards_models
    from sklspec.transfer import LatentLibrary

    Y = np.random.default_rng(0).normal(size=(30, 12))
    library = LatentLibrary(decoder="pca", n_components=2).fit(Y)
    models = few_standards_models(
        library, fewest_pairs=10, network={"max_epochs": 3}, standardization=True
    )
    assert list(models) == [
        "library_ridge",
        "library_residual",
        "vae_mlp",
        "vae_mlp_ft",
        "one_step",
        "pls",
        "knn",
        "ds",
        "pds",
        "sst",
        "coral",
    ]
    # 5-fold cross-validation on 10 pairs trains on 8.
    assert models["pls"].param_grid == {"n_components": [1, 2, 3, 4, 6, 8]}
    assert models["sst"].param_grid == {"standardizer__n_components": [1, 2, 3, 4, 6, 8]}
    assert models["coral"].param_grid == {"alpha": [1e-3, 1e-2, 1e-1, 1.0]}
    assert models["knn"].param_grid == {"n_neighbors": [1, 2, 3, 5]}
    # The networks' penalties are chosen on the pairs too.
    assert models["vae_mlp"].param_grid == {
        "latenttransferregressor__mapper__alpha": [1e-3, 1e-2, 1e-1]
    }
    assert models["vae_mlp_ft"].estimator[-1].objective == "spectra"
    assert models["library_ridge"][-1].vae.estimator is library
    assert models["library_ridge"][0].scaling == "global"
    untuned = few_standards_models(
        library, fewest_pairs=10, network={"max_epochs": 3}, alphas=None, scaling="channel"
    )
    assert untuned["vae_mlp"][0].scaling == "channel"
    assert untuned["library_residual"][-1].mapper.alpha == 1e-2
    with pytest.raises(InvalidParameterError, match="'fewest_pairs' parameter"):
        few_standards_models(library, fewest_pairs=1, network={})
