"""fit-transfer's inputs beyond the pairs: a primary library, a calibration set, few pairs."""

import numpy as np

from sklspec._cli._files import CommandError, describe, read_spectra, read_targets

#: With fewer pairs than this (and no validation files), models are ranked by
#: cross-validation over all pairs: a held-out fifth would be a handful of pairs.
CV_BELOW = 40
CV_FOLDS = 5


def cv_folds(args, n_pairs):
    """The number of folds to rank models by, or None to hold out a validation part."""
    if args.cv is not None:
        if args.validation_primary:
            raise CommandError("--cv and --validation-primary exclude each other; give one.")
        # Each fold holds out 2 pairs or more: the RSE compares spectra with their mean.
        if not 2 <= args.cv <= n_pairs // 2:
            raise CommandError(
                f"--cv must be between 2 and {n_pairs // 2} (half the {n_pairs} pairs: each "
                f"fold holds out at least 2); got {args.cv}."
            )
        return args.cv
    if args.validation_primary or args.validation_fraction is not None or n_pairs >= CV_BELOW:
        return None
    if n_pairs < 4:
        raise CommandError(
            f"too few pairs ({n_pairs}) to compare models: cross-validation needs at least 4 "
            "(2 folds, each holding out 2 pairs)."
        )
    return min(CV_FOLDS, n_pairs // 2)


def _same_channels(path, spectra, primary, what):
    width = primary.values.shape[1]
    if spectra.values.shape[1] != width:
        raise CommandError(
            f"{path}: {what} of {spectra.values.shape[1]} channels; the primary spectra of "
            f"the pairs have {width}."
        )
    if spectra.wavelengths is not None and primary.wavelengths is not None:
        if not np.allclose(spectra.wavelengths, primary.wavelengths, rtol=0, atol=1e-6):
            raise CommandError(
                f"{path}: its wavelengths ({spectra.wavelengths[0]:g}-"
                f"{spectra.wavelengths[-1]:g}) differ from the primary spectra's "
                f"({primary.wavelengths[0]:g}-{primary.wavelengths[-1]:g})."
            )


def read_library(args, primary, header):
    """The unpaired primary spectra of ``--primary-library``, checked against the pairs."""
    if not args.primary_library:
        return None
    library = read_spectra(args.primary_library, key=args.primary_key or args.key, header=header)
    _same_channels(args.primary_library, library, primary, "spectra")
    if len(library.values) < 3:
        raise CommandError(
            f"{args.primary_library}: {len(library.values)} spectra; a library needs at "
            "least 3 (a tenth is held out to measure its reconstruction floor)."
        )
    print(f"primary library: {describe(library)}")
    return library.values


def read_calibration_set(args, primary, header):
    """``(spectra, analyte values)`` of ``--calibration-primary``/``--calibration-targets``."""
    if bool(args.calibration_primary) != bool(args.calibration_targets):
        raise CommandError(
            "--calibration-primary and --calibration-targets go together: give both or neither."
        )
    if not args.calibration_primary:
        return None
    if not args.targets:
        raise CommandError(
            "--calibration-primary scores each model's transferred spectra by a calibration; "
            "it needs --targets, the analyte values of the pairs, to compare with."
        )
    spectra = read_spectra(args.calibration_primary, key=args.key, header=header)
    _same_channels(args.calibration_primary, spectra, primary, "spectra")
    values = read_targets(
        args.calibration_targets,
        key=args.key,
        n_rows=len(spectra.values),
        rows_of=args.calibration_primary,
    )
    if len(values) < 5:
        raise CommandError(
            f"{args.calibration_primary}: {len(values)} spectra; a calibration needs at "
            "least 5 to choose its components by cross-validation."
        )
    return spectra.values, values


def library_floor_note(rows, floor):
    """A line when the library's floor is above the best linear model's validation RSE."""
    from sklspec.model_selection import TRANSFER_CANDIDATES

    def is_linear(name):
        return name in TRANSFER_CANDIDATES and TRANSFER_CANDIDATES[name].kind == "linear"

    linear = [row for row in rows if is_linear(row["model"]) and "rse" in row]
    if floor is None or not linear:
        return None
    best = min(linear, key=lambda row: row["rse"])
    if floor <= best["rse"]:
        return None
    return (
        f"note: the library reconstructs the validation pairs' own primary spectra with an "
        f"RSE of {floor:.4g}, above {best['label']}'s validation RSE ({best['rse']:.4g}): no "
        "mapping onto this library can beat it here (try --library-decoder pca, more "
        "--components, or more library spectra)."
    )
