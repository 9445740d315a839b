"""Where displays draw."""

from sklspec.utils._optional import import_optional


def axes_or_new(ax):
    """``ax``, or the axes of a new figure (needs matplotlib: the ``[plot]`` extra)."""
    if ax is None:
        _, ax = import_optional("matplotlib.pyplot", "Plotting").subplots()
    return ax
