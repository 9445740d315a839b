"""MapDisplay: a map image of one value per pixel (scikit-learn style display)."""

from typing import Any

import numpy as np
from sklearn.utils import check_array

from sklspec.maps._axes import axes_or_new
from sklspec.maps._raster import spectra_to_map
from sklspec.utils._optional import import_optional
from sklspec.utils._typing import ArrayLike, Self
from sklspec.utils.validation import check_wavelengths


def summed_emissivity(
    X: ArrayLike,
    wavelengths: ArrayLike | None = None,
    wavelength_range: tuple[float, float] | None = None,
) -> tuple[np.ndarray, str]:
    """Each spectrum's emissivity summed over a wavelength range (all channels if None).

    The value an emissivity map shows per pixel (the transfer paper's maps
    sum the intensity around one emission line).

    Parameters
    ----------
    X : array-like of shape (n_spectra, n_channels)
        Spectra.
    wavelengths : array-like of shape (n_channels,), default=None
        Wavelength of each channel; needed with ``wavelength_range``.
    wavelength_range : (float, float), default=None
        Sum only the channels in this range; None sums all.

    Returns
    -------
    values : ndarray of shape (n_spectra,)
        The sums.
    label : str
        What was summed, as a colour bar says it: ``"emissivity 394-397
        nm"``, or ``"total emissivity"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.maps import summed_emissivity
    >>> X = np.ones((2, 5))
    >>> summed_emissivity(X, np.linspace(390, 400, 5), (394, 397))
    (array([1., 1.]), 'emissivity 394-397 nm')
    """
    X = check_array(X, dtype=np.float64, input_name="X")  # 2-D, finite, numbers
    if wavelength_range is None:
        return X.sum(axis=1), "total emissivity"
    if wavelengths is None:
        raise ValueError("wavelength_range needs the wavelengths of the channels.")
    axis = check_wavelengths(wavelengths, n_features=X.shape[1])
    low, high = wavelength_range
    inside = (axis >= low) & (axis <= high)
    if not inside.any():
        raise ValueError(f"No channel lies in wavelength_range {wavelength_range}.")
    return X[:, inside].sum(axis=1), f"emissivity {low:g}-{high:g} nm"


class MapDisplay:
    """A map image of one value per pixel: intensity, error, cluster label.

    Build it with :meth:`from_values` (one value per spectrum, in acquisition
    order) or :meth:`from_spectra` (total emissivity over a wavelength range),
    as scikit-learn's ``Display`` objects are built. Continuous values are
    coloured between two quantiles (by default the transfer paper's Q0.01 and
    Q0.99): values beyond them take the colour of the quantile, so that a few
    extreme pixels do not wash out the map.

    Parameters
    ----------
    image : ndarray of shape (n_rows, n_columns)
        The map.
    vmin, vmax : float, default=None
        Colour limits.
    categorical : bool, default=False
        Whether the values are labels (one colour each).
    highlight : ndarray of bool of shape (n_rows, n_columns), default=None
        Pixels to mark, e.g. misclustered ones.
    title : str, default=None
        Axes title.
    label : str, default=None
        Colour bar label.
    highlight_label : str, default=None
        Legend entry of the highlighted pixels; None draws no legend.

    Attributes
    ----------
    im_ : matplotlib.image.AxesImage
        The image.
    ax_ : matplotlib.axes.Axes
        Axes with the map.
    figure_ : matplotlib.figure.Figure
        Figure with the map.
    colorbar_ : matplotlib.colorbar.Colorbar or None
        The colour bar.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.maps import MapDisplay
    >>> errors = np.random.default_rng(0).gamma(2.0, size=12 * 20)
    >>> display = MapDisplay.from_values(errors, (12, 20), order="snake_row",
    ...                                  label="Euclidean distance")
    >>> display.image.shape
    (12, 20)
    """

    def __init__(
        self,
        image: ArrayLike,
        *,
        vmin: float | None = None,
        vmax: float | None = None,
        categorical: bool = False,
        highlight: ArrayLike | None = None,
        title: str | None = None,
        label: str | None = None,
        highlight_label: str | None = None,
    ) -> None:
        self.image = image
        self.vmin = vmin
        self.vmax = vmax
        self.categorical = categorical
        self.highlight = highlight
        self.title = title
        self.label = label
        self.highlight_label = highlight_label

    def plot(self, ax: Any = None, *, cmap: Any = None, colorbar: bool = True) -> Self:
        """Draw the map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure if None.
        cmap : str or Colormap, default=None
            Colour map; ``"viridis"``, or ``"tab10"`` for labels.
        colorbar : bool, default=True
            Whether to add a colour bar.

        Returns
        -------
        display : MapDisplay
            This display, with the matplotlib objects as attributes.
        """
        ax = axes_or_new(ax)
        plt = import_optional("matplotlib.pyplot", "MapDisplay")
        kwargs = {"interpolation": "nearest", "origin": "upper"}
        if self.categorical:
            labels = np.unique(self.image)
            cmap = plt.get_cmap(cmap or "tab10", labels.size)
            self.im_ = ax.imshow(
                self.image, cmap=cmap, vmin=labels.min() - 0.5, vmax=labels.max() + 0.5, **kwargs
            )
        else:
            self.im_ = ax.imshow(
                self.image, cmap=cmap or "viridis", vmin=self.vmin, vmax=self.vmax, **kwargs
            )
        if self.highlight is not None and np.any(self.highlight):
            rows, cols = np.nonzero(self.highlight)
            label = self.highlight_label or "highlighted"
            ax.scatter(cols, rows, s=4, c="red", marker="s", linewidths=0, label=label)
            if self.highlight_label:
                # Beside the map, never over its pixels.
                ax.legend(
                    loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small", markerscale=2
                )
        self.colorbar_ = None
        if colorbar:
            self.colorbar_ = ax.figure.colorbar(self.im_, ax=ax, label=self.label)
            if self.categorical:
                self.colorbar_.set_ticks(np.unique(self.image))
        if self.title:
            ax.set_title(self.title)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_values(
        cls,
        values,
        map_shape,
        *,
        order="row",
        quantile_range=(0.01, 0.99),
        vmin=None,
        vmax=None,
        categorical=False,
        highlight=None,
        highlight_label=None,
        title=None,
        label=None,
        ax=None,
        cmap=None,
        colorbar=True,
    ):
        """Map one value per spectrum, given in acquisition order.

        Parameters
        ----------
        values : array-like of shape (n_rows * n_columns,)
            A value per spectrum: a row-wise error, an intensity, a label.
        map_shape : (int, int)
            ``(n_rows, n_columns)`` of the map.
        order : {"row", "column", "snake_row", "snake_column"}, default="row"
            Raster order of the acquisitions.
        quantile_range : (float, float) or None, default=(0.01, 0.99)
            Colour limits as quantiles of the values; None uses the full
            range. Ignored for categorical values.
        vmin, vmax : float, default=None
            Colour limits that override ``quantile_range``: give the same
            limits to maps that must be compared (e.g. one model's error map
            against another's).
        categorical : bool, default=False
            The values are labels (e.g. clusters): one colour each.
        highlight : array-like of bool of shape (n_rows * n_columns,), default=None
            Pixels to mark in red, in acquisition order (e.g. spectra whose
            predicted cluster differs from the true one).
        highlight_label : str, default=None
            Legend entry of the highlighted pixels; None draws no legend.
        title : str, default=None
            Axes title.
        label : str, default=None
            Colour bar label.
        ax : matplotlib Axes, default=None
            Where to draw.
        cmap : str or Colormap, default=None
            Colour map.
        colorbar : bool, default=True
            Whether to add a colour bar.

        Returns
        -------
        display : MapDisplay
        """
        values = np.asarray(values)
        if values.ndim != 1:
            raise ValueError(
                f"values must be one-dimensional (one per pixel); got shape {values.shape}."
            )
        image = spectra_to_map(values, map_shape, order)
        if not categorical and quantile_range is not None and (vmin is None or vmax is None):
            low, high = quantile_range
            if not 0 <= low < high <= 1:
                raise ValueError(
                    f"quantile_range must satisfy 0 <= low < high <= 1; got {quantile_range}."
                )
            low, high = np.nanquantile(values.astype(np.float64), [low, high])
            vmin = low if vmin is None else vmin
            vmax = high if vmax is None else vmax
        if highlight is not None:
            highlight = spectra_to_map(np.asarray(highlight, dtype=bool), map_shape, order)
        display = cls(
            image,
            vmin=vmin,
            vmax=vmax,
            categorical=categorical,
            highlight=highlight,
            title=title,
            label=label,
            highlight_label=highlight_label,
        )
        return display.plot(ax=ax, cmap=cmap, colorbar=colorbar)

    @classmethod
    def from_spectra(
        cls,
        X,
        map_shape,
        *,
        wavelengths=None,
        wavelength_range=None,
        order="row",
        quantile_range=(0.01, 0.99),
        vmin=None,
        vmax=None,
        title=None,
        label=None,
        ax=None,
        cmap=None,
        colorbar=True,
    ):
        """Map the total emissivity of each spectrum (the sum over channels).

        Parameters
        ----------
        X : array-like of shape (n_rows * n_columns, n_channels)
            Spectra in acquisition order.
        map_shape : (int, int)
            ``(n_rows, n_columns)`` of the map.
        wavelengths : array-like of shape (n_channels,), default=None
            Wavelength of each channel; needed with ``wavelength_range``.
        wavelength_range : (float, float), default=None
            Sum only the channels in this range (e.g. around one emission
            line); None sums all.
        label : str, default=None
            Colour bar label; None says what was summed ("emissivity
            394-397 nm"). Give the unit when known, or "a.u.".
        order, quantile_range, vmin, vmax, title, ax, cmap, colorbar
            As for :meth:`from_values`.

        Returns
        -------
        display : MapDisplay
        """
        values, summed = summed_emissivity(X, wavelengths, wavelength_range)
        return cls.from_values(
            values,
            map_shape,
            order=order,
            quantile_range=quantile_range,
            vmin=vmin,
            vmax=vmax,
            title=title,
            label=summed if label is None else label,
            ax=ax,
            cmap=cmap,
            colorbar=colorbar,
        )
