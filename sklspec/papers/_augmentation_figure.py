"""Figure of the augmentation comparison (the paper's Fig. 7)."""

from typing import Any

import numpy as np
from sklearn.utils import Bunch

from sklspec.papers._augmentation_comparison import BASELINE
from sklspec.utils._optional import import_optional
from sklspec.utils._typing import ArrayLike


def plot_augmentation_comparison(result: Bunch, *, ax: Any = None, alpha: float = 0.05) -> Any:
    """Test MAE per target and strategy, with spread over splits (the paper's Fig. 7).

    Bars are the mean test MAE over the Monte-Carlo splits, relative to the
    no-augmentation reference ``"E"`` of each target (so targets of
    different scales share one axis); error bars are one standard
    deviation; a star marks a paired-test p-value below ``alpha``. The
    context rows (mean predictor, PLS) are left to the table.

    Parameters
    ----------
    result : Bunch
        The output of :func:`compare_augmentation`.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    alpha : float, default=0.05
        Significance level for the stars.

    Returns
    -------
    ax : matplotlib Axes
    """
    plt = import_optional("matplotlib.pyplot", "plot_augmentation_comparison")

    table = result.table
    # The strategies only: the context rows (mean, PLS) have their own scale.
    strategies = result.get("strategies") or list(
        dict.fromkeys(table.index.get_level_values("strategy"))
    )
    targets = result.target_names
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 1.1 * len(targets) + 2), 3.8), layout="constrained")
    width = 0.8 / len(strategies)
    x = np.arange(len(targets))
    for k, name in enumerate(strategies):
        reference = table.loc[BASELINE, "test_mae"].loc[targets].to_numpy()
        mean = table.loc[name, "test_mae"].loc[targets].to_numpy() / reference
        std = table.loc[name, "test_mae_std"].loc[targets].to_numpy() / reference
        positions = x + (k - (len(strategies) - 1) / 2) * width
        ax.bar(positions, mean, width, yerr=std, capsize=2, label=name)
        significant = table.loc[name, "p_value"].loc[targets].to_numpy() < alpha
        for position, top in zip(positions[significant], (mean + std)[significant], strict=True):
            ax.annotate("*", (position, top), ha="center", va="bottom")
    ax.axhline(1, color="0.3", lw=0.8)
    ax.set_xticks(x, targets)
    ax.set_ylabel(f"test MAE / MAE of {BASELINE}")
    # Beside the bars, so that it never hides an error bar, however many strategies.
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_augmentation_learning_curve(
    result: Bunch, *, targets: ArrayLike | None = None, axes: Any = None
) -> Any:
    """Test MAE against measured training spectra, a line per model, one panel per target.

    Lines are the mean over splits, bands one standard deviation (for the
    strategies; the context, mean predictor and PLS, is dashed). A
    strategy's line below E's at the same size is a gain; the horizontal
    distance to E's line is the measured spectra it saves (the table's
    ``equivalent_n_E``).

    Parameters
    ----------
    result : Bunch
        The output of :func:`augmentation_learning_curve`.
    targets : list of str, default=None
        Targets to draw; None draws all.
    axes : array of matplotlib Axes, default=None
        One per target; None makes a new figure.

    Returns
    -------
    axes : ndarray of matplotlib Axes
    """
    plt = import_optional("matplotlib.pyplot", "plot_augmentation_learning_curve")

    table = result.table
    targets = result.target_names if targets is None else list(targets)
    if axes is None:
        _, axes = plt.subplots(
            1, len(targets), figsize=(4.2 * len(targets) + 1.5, 3.6), squeeze=False,
            layout="constrained",
        )  # fmt: skip
        axes = axes[0]
    models = list(dict.fromkeys(table.index.get_level_values("strategy")))
    for ax, target in zip(np.ravel(axes), targets, strict=True):
        for name in models:
            curve = table.xs((name, target), level=("strategy", "target"))
            context = name.startswith(("PLS:", "mean:"))
            style = {"ls": "--", "marker": "s", "ms": 4} if context else {"marker": "o"}
            line = ax.plot(curve["n_train"], curve["test_mae"], label=name, **style)
            if not context:  # spread of the strategies only, to keep the panel readable
                ax.fill_between(
                    curve["n_train"],
                    curve["test_mae"] - curve["test_mae_std"],
                    curve["test_mae"] + curve["test_mae_std"],
                    color=line[0].get_color(),
                    alpha=0.1,
                )
        sizes = sorted(set(table["n_train"]))
        ax.set_xscale("log")
        ax.set_xticks(sizes, [str(size) for size in sizes])
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
        ax.set(title=target, xlabel="measured training spectra", ylabel="test MAE")
    np.ravel(axes)[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small")
    return axes
