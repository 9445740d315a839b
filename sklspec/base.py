"""Base classes and mixins shared by sklspec's estimators."""

import numpy as np
from sklearn.base import OneToOneFeatureMixin
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted

from sklspec import __version__
from sklspec.utils._typing import ArrayLike, EstimatorLike

#: Where the documentation is published (see RELEASING.md); ``latest`` for development versions.
DOCS_URL = "https://sklspec.readthedocs.io/en/{}/".format(
    "latest" if "dev" in __version__ else __version__
)


class DocLinkMixin:
    """Links an estimator's HTML display to its API page, as scikit-learn's own do.

    scikit-learn's HTML representation (``estimator`` shown in Jupyter)
    draws a "?" linking to the page made from ``_doc_link_template``, for
    estimators of the package ``_doc_link_module``. Put first among the
    bases, so that these class attributes override ``BaseEstimator``'s.
    """

    _doc_link_module = "sklspec"
    _doc_link_template = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"


def unwrap_frozen(estimator: EstimatorLike) -> EstimatorLike:
    """The estimator inside a ``FrozenEstimator``, or ``estimator`` itself."""
    return estimator.estimator if isinstance(estimator, FrozenEstimator) else estimator


def input_channel_names(estimator: EstimatorLike) -> np.ndarray:
    """Names of the channels a fitted estimator saw in ``fit``.

    String column names (``feature_names_in_``), else numeric (wavelength)
    column names recorded as strings in ``_numeric_columns`` (set it with
    ``sklspec.utils.validation.numeric_column_names(X)`` in ``fit``, before
    validating ``X``), else ``x0, x1, ...``.
    """
    if hasattr(estimator, "feature_names_in_"):
        return np.asarray(estimator.feature_names_in_, dtype=object)
    numeric = getattr(estimator, "_numeric_columns", None)
    if numeric is not None:
        return numeric.copy()
    return np.asarray([f"x{i}" for i in range(estimator.n_features_in_)], dtype=object)


class OneToOneWavelengthMixin(OneToOneFeatureMixin):
    """One output channel per input channel, keeping numeric column names.

    scikit-learn only records string column names as ``feature_names_in_``.
    Spectra in DataFrames usually have float wavelengths as columns; this
    mixin gives them back (as strings) through ``get_feature_names_out`` and
    ``set_output(transform="pandas")``, from ``_numeric_columns`` (see
    :func:`input_channel_names`).
    """

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get output feature names: the input channel names.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names. If None, the names seen in ``fit`` are
            used: string column names, numeric (wavelength) column names as
            strings, or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            Same as the input names.
        """
        check_is_fitted(self, "n_features_in_")
        if input_features is None:
            return input_channel_names(self)
        return super().get_feature_names_out(input_features)
