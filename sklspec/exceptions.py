"""Exceptions and warnings raised by sklspec."""

__all__ = [
    "CollapsedGenerationWarning",
    "LibraryFloorWarning",
    "LowAcceptanceWarning",
    "ModelFileError",
    "TrainingDivergedError",
    "TransferSelectionError",
]


class ModelFileError(ValueError):
    """A model file cannot be saved or loaded: damaged, tampered, too new, or not allowed.

    Raised before anything from the file is built: a file that names a class
    outside the allow-list, fails its checksum or comes from a newer format
    is refused whole.

    Examples
    --------
    >>> from sklspec.exceptions import ModelFileError
    >>> issubclass(ModelFileError, ValueError)
    True
    """


class TrainingDivergedError(FloatingPointError):
    """A network's training diverged: its loss became NaN, infinite, or exploded.

    Raised by the fit of every torch estimator instead of returning a model
    that predicts garbage. The message names the model, what happened and the
    learning rate; a lower ``lr`` or scaled inputs usually help.

    Examples
    --------
    >>> from sklspec.exceptions import TrainingDivergedError
    >>> issubclass(TrainingDivergedError, FloatingPointError)
    True
    """


class LowAcceptanceWarning(UserWarning):
    """Few generated spectra had plausible targets, or fewer than requested were kept.

    Examples
    --------
    >>> from sklspec.exceptions import LowAcceptanceWarning
    >>> issubclass(LowAcceptanceWarning, UserWarning)
    True
    """


class CollapsedGenerationWarning(UserWarning):
    """Generated spectra vary far less than the real ones: the generator has collapsed.

    A VAE that has not learnt the training spectra (too few epochs, too
    strong a KL weight) decodes nearly the same spectrum wherever it is
    sampled; a model trained on such spectra learns the mean. The warning
    names the measured spread and the fixes.

    Examples
    --------
    >>> from sklspec.exceptions import CollapsedGenerationWarning
    >>> issubclass(CollapsedGenerationWarning, UserWarning)
    True
    """


class LibraryFloorWarning(UserWarning):
    """A latent library reconstructs spectra worse than a linear model of its width would.

    No mapping onto a :class:`~sklspec.transfer.LatentLibrary` can be more
    accurate than the library's own reconstruction of the true spectra:
    when that floor is above what principal components (or a linear
    transfer of the same pairs) reach, the library costs accuracy.

    Examples
    --------
    >>> from sklspec.exceptions import LibraryFloorWarning
    >>> issubclass(LibraryFloorWarning, UserWarning)
    True
    """


class TransferSelectionError(ValueError):
    """No transfer candidate could be tuned: every setting of every model failed.

    Raised by :func:`~sklspec.model_selection.tune_transfer_models` (and so
    by ``sklspec fit-transfer``) with each model's last failure.

    Examples
    --------
    >>> from sklspec.exceptions import TransferSelectionError
    >>> issubclass(TransferSelectionError, ValueError)
    True
    """
