"""augmentation_learning_curve: test error against the number of measured spectra."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.preprocessing import MinMaxScaler

from sklspec.augmentation import VAEAugmenter
from sklspec.datasets import make_absorption_mixtures
from sklspec.papers import augmentation_learning_curve, plot_augmentation_learning_curve
from sklspec.papers._augmentation_learning_curve import _equivalent_sizes
from sklspec.vae import VAEEncoder

TINY_VAE = VAEEncoder((16,), latent_dim=3, max_epochs=5, batch_size=32, device="cpu")


@pytest.fixture(scope="module")
def data():
    X, y = make_absorption_mixtures(200, return_X_y=True, random_state=0)
    return X, y[:, [1, 2]]  # Cu2+ (absorbs) and Li+ (colourless)


def _curve(X, y, **params):
    return augmentation_learning_curve(
        X,
        y,
        **{
            "fractions": [0.1, 0.5, 1.0],
            "strategies": {"E": None, "E+VAE(u)": VAEAugmenter(TINY_VAE, labeler=Ridge())},
            "regressor": Ridge(1e-3),
            "n_splits": 2,
            "target_names": ["Cu", "Li"],
            "random_state": 0,
            **params,
        },
    )


def test_learning_curve_table_and_figure(data):
    X, y = data
    result = _curve(X, y)
    assert result.n_train == {0.1: 14, 0.5: 70, 1.0: 140}
    table = result.table
    models = ["mean:E", "E", "PLS:E", "E+VAE(u)", "PLS:E+VAE(u)"]
    assert list(dict.fromkeys(table.index.get_level_values("strategy"))) == models
    assert table.loc[("E", 0.5, "Cu"), "n_train"] == 70
    # Ridge on the Cu band: more measured spectra, lower error.
    cu = table.xs(("E", "Cu"), level=("strategy", "target"))["test_mae"]
    assert cu[1.0] < cu[0.1]
    assert (table.xs("mean:E")["test_mae"] > 0).all()
    # E's own sizes read back as themselves.
    e_rows = table.xs("E", level="strategy", drop_level=False)
    np.testing.assert_allclose(e_rows["equivalent_n_E"].to_numpy(), e_rows["n_train"].to_numpy())
    assert len(result.scores) == 2 * 3 * len(models) * 2
    axes = plot_augmentation_learning_curve(result)
    assert [ax.get_title() for ax in axes] == ["Cu", "Li"]
    assert axes[0].get_xlabel() == "measured training spectra" and len(axes[0].lines) == 5


def test_same_seed_same_curve(data):
    X, y = data
    first, second = (_curve(X, y, context=False).scores.test_mae for _ in range(2))
    np.testing.assert_array_equal(first, second)


def test_equivalent_size_reads_e_curve():
    import pandas as pd

    index = pd.MultiIndex.from_tuples(
        [("E", 0.25, "t"), ("E", 0.5, "t"), ("E", 1.0, "t"), ("A", 0.25, "t"), ("A", 0.5, "t")],
        names=["strategy", "fraction", "target"],
    )
    table = pd.DataFrame({"test_mae": [0.4, 0.2, 0.1, 0.2, 0.05]}, index=index)
    equivalent = _equivalent_sizes(table, {0.25: 10, 0.5: 20, 1.0: 40})
    # A at 10 spectra matches E at 20; A at 20 beats E at 40: off the curve.
    np.testing.assert_allclose(equivalent, [10, 20, 40, 20, np.nan])
    # A curve that rises (small-sample noise) is read as its running best:
    # 0.3 lies between E's best with 10 or 20 spectra (0.4) and with 40 (0.1).
    table["test_mae"] = [0.4, 0.5, 0.1, 0.3, 0.45]
    equivalent = _equivalent_sizes(table, {0.25: 10, 0.5: 20, 1.0: 40})
    np.testing.assert_allclose(equivalent, [10, np.nan, 40, 20 + 20 / 3, np.nan])


def test_each_model_family_reads_its_own_e_curve():
    import pandas as pd

    rows = [
        ("E", 0.5, 0.4), ("E", 1.0, 0.2), ("E+VAE", 0.5, 0.3),
        ("PLS:E", 0.5, 0.1), ("PLS:E", 1.0, 0.05), ("PLS:E+VAE", 0.5, 0.075),
        ("mean:E", 0.5, 0.6), ("mean:E", 1.0, 0.6),
    ]  # fmt: skip
    index = pd.MultiIndex.from_tuples(
        [(name, fraction, "t") for name, fraction, _ in rows],
        names=["strategy", "fraction", "target"],
    )
    table = pd.DataFrame({"test_mae": [error for *_, error in rows]}, index=index)
    equivalent = _equivalent_sizes(table, {0.5: 20, 1.0: 40})
    # The augmented networks (0.3) halfway along the networks' curve; the
    # augmented PLS (0.075) halfway along PLS's, not off the networks' curve
    # (where 0.075 would lie below E's best and read as NaN).
    np.testing.assert_allclose(equivalent, [20, 40, 30, 20, 40, 30, 20, 20])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"fractions": [0.0, 1.0]}, r"fractions must lie in \(0, 1\] .* got 0"),
        ({"fractions": [0.5, 1.5]}, r"fractions must lie in \(0, 1\] .* got 1.5"),
        ({"fractions": [0.02, 1.0]}, r"fraction 0.02 keeps 3 of the 140 training spectra"),
        ({"strategies": ["E", "E+VAE(x)"]}, r"Unknown strategy 'E\+VAE\(x\)'; choose from E, "),
        ({"strategies": {"E+VAE(u)": None}}, r'strategies must include "E": None'),
        ({"n_splits": 0}, r"'n_splits' parameter of augmentation_learning_curve must be"),
    ],
)
def test_bad_input(data, params, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        _curve(X, y, **params)


def test_names_of_the_papers_strategies(data):
    X, y = data
    X = MinMaxScaler().fit_transform(X)
    result = _curve(X[:80], y[:80], strategies=["E"], fractions=[0.5, 1.0], context=False)
    assert result.strategies == ["E"]
