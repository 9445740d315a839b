"""The figure of a transfer learning curve: test error against shared standards."""

from typing import Any

from sklearn.utils import Bunch

from sklspec.model_selection import model_label
from sklspec.utils._optional import import_optional


def plot_transfer_learning_curve(result: Bunch, *, metric: str = "rse", ax: Any = None) -> Any:
    """Test error against shared standards: a line per model, a band of one standard deviation.

    Parameters
    ----------
    result : Bunch
        The output of :func:`transfer_learning_curve`.
    metric : {"rse", "calibration_rmse"}, default="rse"
        What to draw. ``"calibration_rmse"`` needs a result computed with a
        calibration; its floor (the calibration on the true spectra) is
        drawn as a dotted line when known.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> from sklspec.papers import plot_transfer_learning_curve  # doctest: +SKIP
    >>> plot_transfer_learning_curve(result, metric="calibration_rmse")  # doctest: +SKIP
    """
    plt = import_optional("matplotlib.pyplot", "plot_transfer_learning_curve")
    table = result.table
    if metric not in table.columns:
        raise ValueError(
            f"metric={metric!r} is not in this result; it has "
            f"{[c for c in ('rse', 'calibration_rmse') if c in table.columns]}."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.0), layout="constrained")
    for name in dict.fromkeys(table.index.get_level_values("model")):
        curve = table.xs(name, level="model")
        sizes = curve.index.to_numpy()
        line = ax.plot(sizes, curve[metric], marker="o", label=model_label(name))
        ax.fill_between(
            sizes,
            curve[metric] - curve[f"{metric}_std"],
            curve[metric] + curve[f"{metric}_std"],
            color=line[0].get_color(),
            alpha=0.12,
        )
    if metric == "calibration_rmse" and result.calibration_floor is not None:
        ax.axhline(
            result.calibration_floor, color="0.3", ls=":", label="calibration on true spectra"
        )
    ax.set_xscale("log")
    ax.set_xticks(result.n_pairs, [str(n) for n in result.n_pairs])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ylabel = {"rse": "test RSE", "calibration_rmse": "analyte RMSEP of transferred spectra"}
    ax.set(xlabel="shared standards (pairs)", ylabel=ylabel[metric])
    ax.legend(fontsize="small")
    return ax
