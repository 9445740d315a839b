"""Conversions between a spectra matrix and a hyperspectral map image.

A LIBS map is measured shot by shot along a raster; its spectra are stored
as a matrix in acquisition order. These functions translate between that
order and the (rows, columns) of the map image.
"""

import numpy as np

from sklspec.utils._typing import ArrayLike
from sklspec.utils.validation import check_map_shape

#: Raster orders: how acquisition index ``i`` walks the map.
RASTER_ORDERS = ("row", "column", "snake_row", "snake_column")


def raster_coordinates(
    map_shape: tuple[int, int], order: str = "row"
) -> tuple[np.ndarray, np.ndarray]:
    """Map coordinates of each acquisition, in acquisition order.

    Parameters
    ----------
    map_shape : (int, int)
        ``(n_rows, n_columns)`` of the map.
    order : {"row", "column", "snake_row", "snake_column"}, default="row"
        How the raster walks the map:

        - ``"row"``: row by row, each left to right;
        - ``"column"``: column by column, each top to bottom;
        - ``"snake_row"``: row by row, alternately left to right and right to
          left (boustrophedon);
        - ``"snake_column"``: column by column, alternately top to bottom and
          bottom to top.

    Returns
    -------
    rows, columns : ndarray of shape (n_rows * n_columns,)
        Where the ``i``-th spectrum was measured.

    Examples
    --------
    >>> from sklspec.maps import raster_coordinates
    >>> rows, cols = raster_coordinates((2, 3), order="snake_row")
    >>> rows.tolist(), cols.tolist()
    ([0, 0, 0, 1, 1, 1], [0, 1, 2, 2, 1, 0])
    """
    n_rows, n_cols = check_map_shape(map_shape)
    if order not in RASTER_ORDERS:
        raise ValueError(f"order must be one of {RASTER_ORDERS}; got {order!r}.")
    index = np.arange(n_rows * n_cols)
    if order in ("row", "snake_row"):
        rows, cols = np.divmod(index, n_cols)
        if order == "snake_row":
            cols = np.where(rows % 2 == 1, n_cols - 1 - cols, cols)
    else:
        cols, rows = np.divmod(index, n_rows)
        if order == "snake_column":
            rows = np.where(cols % 2 == 1, n_rows - 1 - rows, rows)
    return rows, cols


def spectra_to_map(values: ArrayLike, map_shape: tuple[int, int], order: str = "row") -> np.ndarray:
    """Arrange per-acquisition values (or whole spectra) as a map image.

    Parameters
    ----------
    values : array-like of shape (n_rows * n_columns,) or (n_rows * n_columns, n_channels)
        One value (e.g. an error or a cluster label) or one spectrum per
        acquisition, in acquisition order.
    map_shape : (int, int)
        ``(n_rows, n_columns)`` of the map.
    order : {"row", "column", "snake_row", "snake_column"}, default="row"
        The raster order of the acquisitions (see :func:`raster_coordinates`).

    Returns
    -------
    image : ndarray of shape (n_rows, n_columns) or (n_rows, n_columns, n_channels)

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.maps import spectra_to_map
    >>> spectra_to_map(np.arange(6), (2, 3), order="column")
    array([[0, 2, 4],
           [1, 3, 5]])
    """
    values = np.asarray(values)
    rows, cols = raster_coordinates(map_shape, order)
    if values.ndim not in (1, 2) or values.shape[0] != rows.size:
        raise ValueError(
            f"values must have one row per map pixel ({rows.size} for map_shape "
            f"{tuple(map_shape)}); got shape {values.shape}."
        )
    image = np.empty((*check_map_shape(map_shape), *values.shape[1:]), dtype=values.dtype)
    image[rows, cols] = values
    return image


def map_to_spectra(image: ArrayLike, order: str = "row") -> np.ndarray:
    """Flatten a map image back into acquisition order (inverse of :func:`spectra_to_map`).

    Parameters
    ----------
    image : array-like of shape (n_rows, n_columns) or (n_rows, n_columns, n_channels)
        The map.
    order : {"row", "column", "snake_row", "snake_column"}, default="row"
        The raster order to flatten in.

    Returns
    -------
    values : ndarray of shape (n_rows * n_columns,) or (n_rows * n_columns, n_channels)

    Examples
    --------
    >>> import numpy as np
    >>> from sklspec.maps import map_to_spectra
    >>> map_to_spectra(np.array([[0, 1, 2], [3, 4, 5]]), order="snake_row")
    array([0, 1, 2, 5, 4, 3])
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(
            f"image must have shape (n_rows, n_columns) or (n_rows, n_columns, n_channels); "
            f"got {image.shape}."
        )
    rows, cols = raster_coordinates(image.shape[:2], order)
    return image[rows, cols]
