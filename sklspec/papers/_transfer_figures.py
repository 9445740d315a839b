"""Figures of a transfer comparison on a hyperspectral map (the paper's Figs. 6-12)."""

import numpy as np

from sklspec.maps import MapDisplay, SpectraDisplay
from sklspec.metrics import rowwise_cosine_distance, rowwise_euclidean_distance
from sklspec.utils._optional import import_optional


def _clusters(clusterer, Y):
    # compare_transfer_models fits its k-means on float64 spectra; KMeans
    # predicts only in the dtype it was fitted in.
    return clusterer.predict(np.asarray(Y, dtype=np.float64))


def plot_transfer_maps(
    result, Y_test, map_shape, *, order="row", wavelengths=None, wavelength_range=None
):
    """Maps per model: true and predicted emissivity, errors, misclustered pixels.

    Parameters
    ----------
    result : Bunch
        The output of :func:`~sklspec.papers.compare_transfer_models`.
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

    Returns
    -------
    fig : matplotlib Figure
        One row per model: true emissivity, predicted emissivity, Euclidean
        error, cosine distance, and the pixels whose k-means cluster differs
        between truth and prediction (red).
    """
    plt = import_optional("matplotlib.pyplot", "Transfer figures")

    Y_test = np.asarray(Y_test, dtype=np.float64)
    names = list(result.predictions)
    fig, axes = plt.subplots(len(names), 5, figsize=(18, 3.0 * len(names)), squeeze=False)
    true_clusters = _clusters(result.clusterer, Y_test)
    emissivity = dict(wavelengths=wavelengths, wavelength_range=wavelength_range, order=order)
    for row, name in enumerate(names):
        Y_pred = result.predictions[name]
        MapDisplay.from_spectra(Y_test, map_shape, title="true", ax=axes[row, 0], **emissivity)
        MapDisplay.from_spectra(
            Y_pred, map_shape, title=f"{name}: predicted", ax=axes[row, 1], **emissivity
        )
        MapDisplay.from_values(
            rowwise_euclidean_distance(Y_test, Y_pred),
            map_shape,
            order=order,
            title=f"{name}: Euclidean error",
            ax=axes[row, 2],
        )
        MapDisplay.from_values(
            rowwise_cosine_distance(Y_test, Y_pred),
            map_shape,
            order=order,
            title=f"{name}: cosine distance",
            ax=axes[row, 3],
        )
        MapDisplay.from_values(
            true_clusters,
            map_shape,
            order=order,
            categorical=True,
            highlight=_clusters(result.clusterer, Y_pred) != true_clusters,
            title=f"{name}: misclustered (red)",
            ax=axes[row, 4],
            colorbar=False,
        )
    fig.tight_layout()
    return fig


def plot_transfer_spectra(result, Y_test, rows, *, wavelengths=None, labels=None):
    """True and predicted spectra of chosen test spectra, one panel each.

    Parameters
    ----------
    result : Bunch
        The output of :func:`~sklspec.papers.compare_transfer_models`.
    Y_test : array-like of shape (n_spectra, n_channels)
        True primary test spectra.
    rows : list of int
        Which test spectra to show (e.g. one pixel of each main phase).
    wavelengths : array-like of shape (n_channels,), default=None
        The x axis.
    labels : list of str, default=None
        Panel titles, one per row.

    Returns
    -------
    fig : matplotlib Figure
    """
    plt = import_optional("matplotlib.pyplot", "Transfer figures")

    Y_test = np.asarray(Y_test)
    fig, axes = plt.subplots(len(rows), 1, figsize=(12, 2.8 * len(rows)), squeeze=False)
    for ax, row, label in zip(axes[:, 0], rows, labels or [None] * len(rows), strict=True):
        SpectraDisplay.from_spectra(
            Y_test[row],
            *(Y_pred[row] for Y_pred in result.predictions.values()),
            wavelengths=wavelengths,
            labels=["true", *result.predictions],
            title=label if label is not None else f"test spectrum {row}",
            ax=ax,
        )
    fig.tight_layout()
    return fig
