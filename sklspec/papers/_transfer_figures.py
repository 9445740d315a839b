"""Figures of a transfer comparison on a hyperspectral map (the paper's Figs. 6-12)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.utils import Bunch

from sklspec.maps import MapDisplay, SpectraDisplay, summed_emissivity
from sklspec.metrics import rowwise_cosine_distance, rowwise_euclidean_distance
from sklspec.model_selection import model_label
from sklspec.utils._optional import import_optional
from sklspec.utils._typing import ArrayLike


def _clusters(clusterer, Y):
    # compare_transfer_models fits its k-means on float64 spectra; KMeans
    # predicts only in the dtype it was fitted in.
    return clusterer.predict(np.asarray(Y, dtype=np.float64))


def _shared_limits(values, quantile_range=(0.01, 0.99)):
    """One pair of colour limits for several maps: quantiles of all their values together."""
    pooled = np.concatenate([np.ravel(v) for v in values]).astype(np.float64)
    return tuple(np.nanquantile(pooled, quantile_range))


def plot_transfer_maps(
    result: Bunch,
    Y_test: ArrayLike,
    map_shape: tuple[int, int],
    *,
    order: str = "row",
    wavelengths: ArrayLike | None = None,
    wavelength_range: tuple[float, float] | None = None,
    intensity_unit: str = "a.u.",
) -> Any:
    """Maps per model: predicted emissivity, errors and misclustered pixels, on shared scales.

    The top row holds the truth once: the true emissivity map and the true
    k-means clusters. Below it, one row per model: the predicted emissivity
    (on the true map's colour scale), the Euclidean error and the cosine
    distance of every pixel, and the pixels whose predicted spectrum falls
    in another k-means cluster than the true one (red). Every column shares
    one colour scale across models, with one labelled colour bar, so that
    models can be compared at a glance.

    Parameters
    ----------
    result : Bunch
        The output of :func:`~sklspec.model_selection.compare_transfer_models`.
    Y_test : array-like of shape (n_rows * n_columns, n_channels)
        True primary spectra of the test map, in acquisition order.
    map_shape : (int, int)
        ``(n_rows, n_columns)`` of the test map.
    order : str, default="row"
        Raster order of the test map.
    wavelengths : array-like of shape (n_channels,), default=None
        The primary wavelength axis, for ``wavelength_range``.
    wavelength_range : (float, float), default=None
        Emissivity summed over this range; None sums all channels.
    intensity_unit : str, default="a.u."
        Unit of the spectra's intensities (and so of the emissivity and of
        the Euclidean error), for the colour bars; "a.u." (arbitrary units)
        when the counts are not calibrated.

    Returns
    -------
    fig : matplotlib Figure
        ``1 + n_models`` rows of four maps.
    """
    plt = import_optional("matplotlib.pyplot", "Transfer figures")

    Y_test = np.asarray(Y_test, dtype=np.float64)
    names = list(result.predictions)
    true_emissivity, summed = summed_emissivity(Y_test, wavelengths, wavelength_range)
    predicted = {name: np.asarray(Y, dtype=np.float64) for name, Y in result.predictions.items()}
    emissivity = {
        name: summed_emissivity(Y, wavelengths, wavelength_range)[0]
        for name, Y in predicted.items()
    }
    euclidean = {name: rowwise_euclidean_distance(Y_test, Y) for name, Y in predicted.items()}
    cosine = {name: rowwise_cosine_distance(Y_test, Y) for name, Y in predicted.items()}
    true_clusters = _clusters(result.clusterer, Y_test)
    misclustered = {
        name: _clusters(result.clusterer, Y) != true_clusters for name, Y in predicted.items()
    }

    emissivity_limits = _shared_limits([true_emissivity])
    euclidean_limits = (0.0, _shared_limits(euclidean.values())[1])
    cosine_limits = (-1.0, max(_shared_limits(cosine.values())[1], -0.999))
    fig, axes = plt.subplots(
        len(names) + 1, 4, figsize=(16, 2.6 * (len(names) + 1)), squeeze=False, layout="constrained"
    )
    maps = dict(map_shape=map_shape, order=order, colorbar=False)
    MapDisplay.from_values(
        true_emissivity, title="true emissivity", ax=axes[0, 0], vmin=emissivity_limits[0],
        vmax=emissivity_limits[1], **maps
    )  # fmt: skip
    MapDisplay.from_values(
        true_clusters, categorical=True, title=f"true k-means clusters (k={result.n_clusters})",
        ax=axes[0, 3], cmap="Pastel2", **maps
    )  # fmt: skip
    for ax in axes[0, 1:3]:
        ax.set_axis_off()
    note = axes[0, 1].text(
        0.0,
        0.5,
        "How to read: each column shares one colour scale across the models.\n"
        "Predicted emissivity: on the true map's scale.\n"
        f"Euclidean error: distance to the true spectrum, in {intensity_unit}; 0 is perfect.\n"
        "Cosine distance: -1 is the true spectrum's shape, 0 orthogonal.\n"
        "Misclustered (red): the prediction falls in another k-means\n"
        "cluster than the true spectrum. Lower is better in all three.",
        transform=axes[0, 1].transAxes,
        va="center",
    )
    note.set_in_layout(False)  # it spans the two empty panels; the layout ignores it
    columns = [[axes[0, 0]], [], [], []]
    images = {}
    for row, name in enumerate(names, start=1):
        share, label = misclustered[name].mean(), model_label(name)
        displays = [
            MapDisplay.from_values(
                emissivity[name], title=f"{label}: predicted emissivity", ax=axes[row, 0],
                vmin=emissivity_limits[0], vmax=emissivity_limits[1], **maps
            ),
            MapDisplay.from_values(
                euclidean[name], title=f"{label}: Euclidean error", ax=axes[row, 1],
                vmin=euclidean_limits[0], vmax=euclidean_limits[1], cmap="magma", **maps
            ),
            MapDisplay.from_values(
                cosine[name], title=f"{label}: cosine distance", ax=axes[row, 2],
                vmin=cosine_limits[0], vmax=cosine_limits[1], cmap="magma", **maps
            ),
            MapDisplay.from_values(
                true_clusters, categorical=True, highlight=misclustered[name], cmap="Pastel2",
                highlight_label=f"misclustered\n({share:.0%})",
                title=f"{label}: misclustered", ax=axes[row, 3], **maps
            ),
        ]  # fmt: skip
        for column, display in enumerate(displays):
            columns[column].append(display.ax_)
            images[column] = display.im_
    labels = [
        f"{summed} ({intensity_unit})",
        f"Euclidean error ({intensity_unit})",
        "cosine distance (-1: true shape)",
        "k-means cluster of the true spectrum",
    ]
    for column, label in enumerate(labels):
        bar = fig.colorbar(
            images[column], ax=columns[column], location="bottom", shrink=0.9, label=label
        )
        if column == 3:
            bar.set_ticks(np.unique(true_clusters))
    return fig


def plot_transfer_spectra(
    result: Bunch,
    Y_test: ArrayLike,
    rows: ArrayLike,
    *,
    wavelengths: ArrayLike | None = None,
    labels: Sequence[str] | None = None,
    intensity_unit: str = "a.u.",
) -> Any:
    """True and predicted spectra of chosen test spectra, with each model's residual below.

    Predictions of good models lie on top of the true spectrum and of each
    other; the residual panel (prediction minus truth, one line per model,
    on one scale for all panels) is where they can be told apart.

    Parameters
    ----------
    result : Bunch
        The output of :func:`~sklspec.model_selection.compare_transfer_models`.
    Y_test : array-like of shape (n_spectra, n_channels)
        True primary test spectra.
    rows : list of int
        Which test spectra to show (e.g. one pixel of each main phase).
    wavelengths : array-like of shape (n_channels,), default=None
        The x axis.
    labels : list of str, default=None
        Panel titles, one per row.
    intensity_unit : str, default="a.u."
        Unit of the intensities, for the y axes.

    Returns
    -------
    fig : matplotlib Figure
        Two panels per chosen spectrum: spectra, and residuals.
    """
    plt = import_optional("matplotlib.pyplot", "Transfer figures")

    Y_test = np.asarray(Y_test)
    names = list(result.predictions)
    residuals = {name: np.asarray(result.predictions[name])[rows] - Y_test[rows] for name in names}
    limit = np.nanmax([np.abs(r).max() for r in residuals.values()])
    fig, axes = plt.subplots(
        2 * len(rows),
        1,
        figsize=(12, 3.6 * len(rows)),
        squeeze=False,
        sharex=True,
        gridspec_kw={"height_ratios": [2, 1] * len(rows)},
        layout="constrained",
    )
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (row, label) in enumerate(zip(rows, labels or [None] * len(rows), strict=True)):
        spectra_ax, residual_ax = axes[2 * i, 0], axes[2 * i + 1, 0]
        display = SpectraDisplay.from_spectra(
            Y_test[row],
            *(result.predictions[name][row] for name in names),
            wavelengths=wavelengths,
            labels=["true", *map(model_label, names)],
            title=label if label is not None else f"test spectrum {row}",
            ylabel=f"intensity ({intensity_unit})",
            ax=spectra_ax,
        )
        display.lines_[0].set(color="black", lw=1.6, zorder=0)
        for line, colour in zip(display.lines_[1:], colours, strict=False):
            line.set_color(colour)
        spectra_ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize="small")
        spectra_ax.set_xlabel("")
        axis = display.wavelengths
        residual_ax.axhline(0, color="black", lw=0.8)
        for name, colour in zip(names, colours, strict=False):
            residual_ax.plot(
                axis, residuals[name][i], color=colour, lw=0.8, label=model_label(name)
            )
        residual_ax.set_ylim(-1.05 * limit, 1.05 * limit)
        residual_ax.set_ylabel(f"predicted - true\n({intensity_unit})")
        residual_ax.set_xlabel("wavelength (nm)" if wavelengths is not None else "channel")
    return fig
