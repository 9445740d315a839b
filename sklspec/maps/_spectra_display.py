"""SpectraDisplay: spectra overlaid on a wavelength axis (scikit-learn style display)."""

from typing import Any

import numpy as np

from sklspec.maps._axes import axes_or_new
from sklspec.utils._typing import ArrayLike, Self
from sklspec.utils.validation import check_wavelengths


class SpectraDisplay:
    """Spectra overlaid on a wavelength axis, e.g. a true and a predicted spectrum.

    Build it with :meth:`from_spectra`.

    Parameters
    ----------
    wavelengths : ndarray of shape (n_channels,)
        The x axis.
    spectra : dict of str to ndarray of shape (n_channels,)
        The curves, by legend label.
    title : str, default=None
        Axes title.
    ylabel : str, default="intensity"
        Label of the y axis; give the unit, or "a.u." when there is none.

    Attributes
    ----------
    lines_ : list of matplotlib.lines.Line2D
        One line per spectrum.
    ax_ : matplotlib.axes.Axes
        Axes with the spectra.
    figure_ : matplotlib.figure.Figure
        Figure with the spectra.

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.maps import SpectraDisplay
    >>> wavelengths = np.linspace(245, 407, 100)
    >>> true = np.exp(-0.5 * ((wavelengths - 300) / 2) ** 2)
    >>> display = SpectraDisplay.from_spectra(true, 0.9 * true, wavelengths=wavelengths,
    ...                                       labels=["true", "predicted"])
    >>> [line.get_label() for line in display.lines_]
    ['true', 'predicted']
    """

    def __init__(
        self,
        wavelengths: ArrayLike,
        spectra: ArrayLike,
        *,
        title: str | None = None,
        ylabel: str = "intensity",
    ) -> None:
        self.wavelengths = wavelengths
        self.spectra = spectra
        self.title = title
        self.ylabel = ylabel

    def plot(self, ax: Any = None, **plot_kwargs: Any) -> Self:
        """Draw the spectra.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure if None.
        **plot_kwargs
            Passed to ``Axes.plot`` for every line (default ``lw=0.8``).

        Returns
        -------
        display : SpectraDisplay
        """
        ax = axes_or_new(ax)
        plot_kwargs = {"lw": 0.8, **plot_kwargs}
        self.lines_ = [
            ax.plot(self.wavelengths, values, label=label, **plot_kwargs)[0]
            for label, values in self.spectra.items()
        ]
        ax.set_xlabel("wavelength (nm)")
        ax.set_ylabel(self.ylabel)
        ax.legend()
        if self.title:
            ax.set_title(self.title)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_spectra(
        cls,
        *spectra,
        wavelengths=None,
        labels=None,
        title=None,
        ylabel="intensity",
        ax=None,
        **plot_kwargs,
    ):
        """Overlay spectra of the same channels.

        Parameters
        ----------
        *spectra : array-like of shape (n_channels,)
            The spectra to overlay.
        wavelengths : array-like of shape (n_channels,), default=None
            The x axis; the channel index if None.
        labels : list of str, default=None
            Legend labels; ``spectrum 0, spectrum 1, ...`` if None.
        title : str, default=None
            Axes title.
        ylabel : str, default="intensity"
            Label of the y axis; give the unit, or "a.u." when there is none.
        ax : matplotlib Axes, default=None
            Where to draw.
        **plot_kwargs
            Passed to ``Axes.plot``.

        Returns
        -------
        display : SpectraDisplay
        """
        if not spectra:
            raise ValueError("from_spectra needs at least one spectrum.")
        curves = [np.asarray(s, dtype=np.float64).ravel() for s in spectra]
        n_channels = curves[0].size
        if any(c.size != n_channels for c in curves):
            sizes = [c.size for c in curves]
            raise ValueError(f"All spectra must have the same number of channels; got {sizes}.")
        if wavelengths is None:
            axis = np.arange(n_channels, dtype=np.float64)
        else:
            axis = check_wavelengths(wavelengths, n_features=n_channels)
        labels = labels or [f"spectrum {i}" for i in range(len(curves))]
        if len(labels) != len(curves):
            raise ValueError(f"Got {len(labels)} labels for {len(curves)} spectra.")
        display = cls(axis, dict(zip(labels, curves, strict=True)), title=title, ylabel=ylabel)
        return display.plot(ax=ax, **plot_kwargs)
