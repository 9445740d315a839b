"""Choosing a transfer model: the candidates, their tuning, comparisons and learning curves.

One registry (:data:`TRANSFER_CANDIDATES`) holds every transfer method the
package compares, with its label, what it needs and how it is built for a
preset (:func:`transfer_candidates`: ``"lab"`` for ``sklspec
fit-transfer``, ``"paper"`` for the transfer paper's settings,
``"few_standards"`` for a handful of pairs). :func:`tune_transfer_models`
tunes candidates alike on a validation split or by cross-validation, and
scores them by a primary calibration's RMSEP when analyte values are
known; :func:`compare_transfer_models` adds a test set (the transfer
paper's Table 1) and :func:`transfer_learning_curve` the error against the
number of shared standards. The command and :mod:`sklspec.papers` use
these; a new method is added to the registry alone.
"""

from sklspec.model_selection._calibration import fit_calibration
from sklspec.model_selection._comparison import choose_n_clusters, compare_transfer_models
from sklspec.model_selection._learning_curve import transfer_learning_curve
from sklspec.model_selection._progress import in_user_terms
from sklspec.model_selection._registry import (
    NEEDS,
    PRESETS,
    TRANSFER_CANDIDATES,
    TransferCandidate,
    lab_library,
    model_label,
    transfer_candidates,
)
from sklspec.model_selection._search import (
    best_setting,
    fit_calibration_transfer,
    tune_transfer_models,
)
from sklspec.model_selection._wrapping import wrap_transfer_model

__all__ = [
    "NEEDS",
    "PRESETS",
    "TRANSFER_CANDIDATES",
    "TransferCandidate",
    "best_setting",
    "choose_n_clusters",
    "compare_transfer_models",
    "fit_calibration",
    "fit_calibration_transfer",
    "in_user_terms",
    "lab_library",
    "model_label",
    "transfer_candidates",
    "transfer_learning_curve",
    "tune_transfer_models",
    "wrap_transfer_model",
]
