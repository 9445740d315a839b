"""Base classes and mixins shared by sklspec's estimators."""

from sklearn.base import OneToOneFeatureMixin
from sklearn.utils.validation import check_is_fitted

from sklspec.utils.validation import numeric_column_names


class OneToOneWavelengthMixin(OneToOneFeatureMixin):
    """One output channel per input channel, keeping numeric column names.

    scikit-learn only records string column names as ``feature_names_in_``.
    Spectra in DataFrames usually have float wavelengths as columns; this
    mixin remembers them (as strings) so that ``get_feature_names_out`` and
    ``set_output(transform="pandas")`` give them back. Call
    ``self._remember_columns(X)`` in ``fit`` before validating ``X``.
    """

    def _remember_columns(self, X):
        self._numeric_columns = numeric_column_names(X)

    def get_feature_names_out(self, input_features=None):
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
        numeric = getattr(self, "_numeric_columns", None)
        if input_features is None and numeric is not None:
            return numeric.copy()
        return super().get_feature_names_out(input_features)
