"""The ``sklspec`` command: the transfer comparison demo, and transfer for a lab's own data.

sklspec demo [-o FOLDER]
sklspec fit-transfer --primary P --secondary S -o model.sklspec
sklspec transfer model.sklspec S_NEW -o OUT
sklspec info model.sklspec
"""

import argparse
import os
import sys
import time

import numpy as np

from sklspec import __version__
from sklspec._cli._files import (
    SPECTRA_FORMATS,
    CommandError,
    check_output,
    describe,
    read_spectra,
    read_targets,
)
from sklspec._cli._standards import (
    cv_folds,
    library_floor_note,
    read_calibration_set,
    read_library,
)
from sklspec._cli._stream import BlockReader, BlockWriter, transfer_blocks

_MODEL_EXTENSIONS = (".sklspec",)
_DEMO_FILES = ("comparison.csv", "maps.png", "spectra.png")


def _header(args):
    return {"auto": None, "yes": True, "no": False}[args.header]


def _read_pairs(primary_path, secondary_path, args):
    primary = read_spectra(primary_path, key=args.primary_key or args.key, header=_header(args))
    secondary = read_spectra(
        secondary_path, key=args.secondary_key or args.key, header=_header(args)
    )
    if len(primary.values) != len(secondary.values):
        raise CommandError(
            f"{primary_path} has {len(primary.values)} spectra and {secondary_path} "
            f"{len(secondary.values)}; rows must be the same samples measured on both "
            "instruments."
        )
    return primary, secondary


def _validation_part(args, primary, secondary, targets=None):
    """(X_train, Y_train, X_val, Y_val, t_train, t_val): given validation files, or a fraction.

    ``t_*`` are the analyte values (None without ``targets``).
    """
    X, Y = secondary.values, primary.values
    if args.validation_primary:
        val_primary, val_secondary = _read_pairs(
            args.validation_primary, args.validation_secondary, args
        )
        for name, fitted, given in (
            ("primary", Y, val_primary.values),
            ("secondary", X, val_secondary.values),
        ):
            if given.shape[1] != fitted.shape[1]:
                raise CommandError(
                    f"the validation {name} spectra have {given.shape[1]} channels and the "
                    f"training ones {fitted.shape[1]}."
                )
        t_val = None
        if targets is not None:
            if not args.validation_targets:
                raise CommandError(
                    "--targets with separate validation files needs --validation-targets too."
                )
            t_val = read_targets(
                args.validation_targets,
                key=args.key,
                n_rows=len(val_primary.values),
                rows_of=args.validation_primary,
            )
            if t_val.shape[1] != targets.shape[1]:
                raise CommandError(
                    f"{args.validation_targets} has {t_val.shape[1]} analyte(s) per row and "
                    f"{args.targets} {targets.shape[1]}."
                )
        return X, Y, val_secondary.values, val_primary.values, targets, t_val
    if args.validation_targets:
        raise CommandError(
            "--validation-targets goes with --validation-primary/--validation-secondary."
        )
    fraction = 0.2 if args.validation_fraction is None else args.validation_fraction
    if not 0 < fraction < 1:
        raise CommandError(f"--validation-fraction must be between 0 and 1; got {fraction:g}.")
    n_validation = round(fraction * len(X))
    if n_validation < 2 or len(X) - n_validation < 3:
        raise CommandError(
            f"too few pairs ({len(X)}) to hold out {fraction:g} of them for "
            "validation: need at least 2 validation and 3 training pairs; give more pairs, "
            "a larger --validation-fraction, or --validation-primary/--validation-secondary."
        )
    order = np.random.default_rng(args.seed).permutation(len(X))
    val, train = np.sort(order[:n_validation]), np.sort(order[n_validation:])
    if targets is None:
        return X[train], Y[train], X[val], Y[val], None, None
    return X[train], Y[train], X[val], Y[val], targets[train], targets[val]


def _same_grid(primary, secondary):
    """Whether both instruments' spectra share one wavelength grid (DS and PDS need it)."""
    if primary.values.shape[1] != secondary.values.shape[1]:
        return False
    if primary.wavelengths is None or secondary.wavelengths is None:
        return True
    return bool(np.allclose(primary.wavelengths, secondary.wavelengths, rtol=0, atol=1e-6))


def _chosen_models(args, primary, secondary):
    from sklspec._cli._selection import MODEL_LABELS, SAME_GRID_MODELS

    same_grid = _same_grid(primary, secondary)
    if args.models is None:
        names = [name for name in MODEL_LABELS if same_grid or name not in SAME_GRID_MODELS]
        if not same_grid:
            print("DS and PDS left out: the two instruments' wavelength grids differ.")
        return names
    names = [name.strip() for name in args.models.split(",") if name.strip()]
    unknown = [name for name in names if name not in MODEL_LABELS]
    if unknown or not names:
        raise CommandError(
            f"--models: unknown model {', '.join(unknown) or repr(args.models)}; choose from "
            f"{', '.join(MODEL_LABELS)}."
        )
    grid_bound = [name for name in names if name in SAME_GRID_MODELS]
    if grid_bound and not same_grid:
        raise CommandError(
            f"--models: {', '.join(grid_bound)} map each channel onto the same channel, but "
            f"the secondary spectra have {secondary.values.shape[1]} channels and the primary "
            f"{primary.values.shape[1]} (or other wavelengths); resample them onto one grid."
        )
    return list(dict.fromkeys(names))


def _preprocessing(args):
    from sklspec.preprocessing import SpectralScaler

    if args.baseline is None:
        return SpectralScaler(args.scaling)
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [("baseline", _baseline_subtractor(args)), ("scale", SpectralScaler(args.scaling))]
    )


def _baseline_subtractor(args):
    from sklspec.preprocessing import BaselineSubtractor

    return BaselineSubtractor(min_window=args.baseline, smooth_window=max(1, args.baseline // 2))


def _check_network_options(args):
    """The network options' ranges, named as the user typed them."""
    for option, values in (
        ("--epochs", [args.epochs]),
        ("--latent-dim", [args.latent_dim]),
        ("--components", [args.components]),
        ("--vae-hidden", args.vae_hidden),
    ):
        if min(values) < 1:
            raise CommandError(f"{option} must be a positive integer; got {min(values)}.")
    if not (np.isfinite(args.lr) and args.lr > 0):
        raise CommandError(f"--lr must be a positive number; got {args.lr:g}.")
    if args.baseline is not None and args.baseline < 1:
        raise CommandError(f"--baseline must be a positive window; got {args.baseline}.")


def _fit_transfer(args):
    _check_network_options(args)
    check_output(
        args.output,
        extensions=_MODEL_EXTENSIONS,
        inputs=[
            path
            for path in (
                args.primary,
                args.secondary,
                args.validation_primary,
                args.validation_secondary,
                args.primary_library,
                args.calibration_primary,
            )
            if path
        ],
        force=args.force,
        kind="model file",
    )
    if bool(args.validation_primary) != bool(args.validation_secondary):
        raise CommandError(
            "--validation-primary and --validation-secondary go together: give both or neither."
        )
    if args.select_by == "rmsep" and not args.targets:
        raise CommandError("--select-by rmsep needs --targets (the analyte values of the pairs).")
    primary, secondary = _read_pairs(args.primary, args.secondary, args)
    print(f"primary: {describe(primary)}; secondary: {describe(secondary)}")
    targets = None
    if args.targets:
        targets = read_targets(
            args.targets, key=args.key, n_rows=len(primary.values), rows_of=args.primary
        )
    library_spectra = read_library(args, primary, _header(args))
    calibration_set = read_calibration_set(args, primary, _header(args))
    names = _chosen_models(args, primary, secondary)
    folds = cv_folds(args, len(primary.values))
    if folds is None:
        X_train, Y_train, X_val, Y_val, t_train, t_val = _validation_part(
            args, primary, secondary, targets
        )
    else:
        X_train, Y_train, t_train = secondary.values, primary.values, targets
        X_val = Y_val = t_val = None

    from sklearn.model_selection import KFold

    from sklspec._cli._selection import (
        candidate_models,
        check_settings,
        compare_candidates,
        fit_calibration,
        format_table,
        library_model,
        refit_best,
        scales_primary_itself,
    )
    from sklspec.io import save
    from sklspec.papers import wrap_transfer_model

    if args.baseline is not None:
        # The paper subtracts the baseline on both sides: the model predicts
        # baseline-free primary spectra, and applies the subtraction to new
        # secondary spectra itself.
        subtract = _baseline_subtractor(args)
        Y_train = subtract.fit_transform(Y_train)
        Y_val = None if Y_val is None else subtract.fit_transform(Y_val)
        if library_spectra is not None:
            library_spectra = subtract.fit_transform(library_spectra)
        if calibration_set is not None:
            calibration_set = (subtract.fit_transform(calibration_set[0]), calibration_set[1])
    preprocessing = _preprocessing(args)

    def wrap(estimator):
        # A library scales the primary spectra itself (a frozen one, as it was fitted).
        scaling = None if scales_primary_itself(estimator) else args.scaling
        return wrap_transfer_model(estimator, preprocessing, scaling=scaling)

    settings = {
        "latent_dim": args.latent_dim,
        "vae_hidden": args.vae_hidden,
        "epochs": args.epochs,
        "lr": args.lr,
        "seed": args.seed,
        "verbose": args.verbose,
        "decoder": args.library_decoder,
        "components": args.components,
        "scaling": args.scaling,
        "library": None,
    }
    start = time.perf_counter()
    library_info = None
    if library_spectra is not None and any(n.startswith("library_") for n in names):
        library = library_model(
            settings, n_spectra=len(library_spectra), n_channels=library_spectra.shape[1]
        )
        settings["library"] = library.fit(library_spectra)
        library_info = {
            "spectra": len(library_spectra),
            "decoder": library.decoder,
            "latent_dim": library.latent_dim_,
            "reconstruction_error": library.reconstruction_error_,
        }
        print(
            f"library: {library.decoder} decoder, {library.latent_dim_} latent dimensions, "
            f"fitted on {len(library_spectra)} primary spectra; reconstruction floor (RSE "
            f"of held-out library spectra): {library.reconstruction_error_:.4g}"
        )
    # The fewest pairs any fit of the comparison trains on.
    n_fit = len(X_train) if folds is None else len(X_train) - -(-len(X_train) // folds)
    candidates = candidate_models(
        names,
        n_train=n_fit,
        n_channels=X_train.shape[1],
        n_primary=Y_train.shape[1],
        settings=settings,
    )
    check_settings(candidates)
    scored_on = (
        f"on {len(X_train)} training and {len(X_val)} validation pairs"
        if folds is None
        else f"by {folds}-fold cross-validation over {len(X_train)} pairs"
    )
    print(
        f"comparing {', '.join(_label(name) for name in names)} {scored_on}: secondary "
        f"{X_train.shape[1]} -> primary {Y_train.shape[1]} channels"
    )
    calibration = None
    calibrated_on = "the primary training spectra"
    if targets is not None:
        if calibration_set is not None:
            calibration = fit_calibration(*calibration_set, seed=args.seed)
            calibrated_on = f"{len(calibration_set[0])} primary calibration spectra"
        elif folds is None:
            calibration = fit_calibration(Y_train, t_train, seed=args.seed)
        else:
            calibrated_on = "each fold's primary training spectra"
        components = "" if calibration is None else f", {calibration.n_components} component(s)"
        print(
            f"calibration: PLS of {targets.shape[1]} analyte(s) on {calibrated_on}"
            f"{components}, chosen by 5-fold cross-validation"
        )
    rows = compare_candidates(
        candidates,
        wrap,
        X_train,
        Y_train,
        X_val,
        Y_val,
        cv=None if folds is None else KFold(folds, shuffle=True, random_state=args.seed),
        calibration=calibration,
        targets=t_val if folds is None else t_train,
        seed=args.seed,
        select_by=args.select_by,
        debug=args.debug,
    )
    n_scored = len(X_train) if folds is not None else len(X_val)
    print(
        format_table(
            rows,
            n_scored,
            select_by=args.select_by,
            cv_folds=folds,
            calibrated_on=calibrated_on,
        )
    )
    if settings["library"] is not None:
        floor = settings["library"].reconstruction_error(Y_train if folds else Y_val)
        note = library_floor_note(rows, floor)
        if note:
            print(note)
    if folds is None:
        X_all, Y_all = np.concatenate([X_train, X_val]), np.concatenate([Y_train, Y_val])
    else:
        X_all, Y_all = X_train, Y_train
    criterion = "RSE" if args.select_by == "rse" else "RMSEP"
    by = "validation" if folds is None else "cross-validated"
    print(f"refitting {rows[0]['label']} (lowest {by} {criterion}) on all {len(X_all)} pairs")
    model = refit_best(candidates, wrap, rows, X_all, Y_all)
    info = {
        "command": "fit-transfer",
        "pairs": len(X_all),
        "model": rows[0]["label"],
        "validation_pairs": n_scored,
        "cv_folds": folds,
        "baseline_subtracted": args.baseline is not None,
        "scaling": args.scaling,
        "selected_by": args.select_by,
        "comparison": rows,
    }
    if library_info is not None:
        info["library"] = library_info
    if calibration_set is not None:
        info["calibration_spectra"] = len(calibration_set[0])
    if targets is not None:
        info["calibrated_on"] = calibrated_on
    for name, spectra in (("primary", primary), ("secondary", secondary)):
        if spectra.wavelengths is not None:
            info[f"{name}_wavelengths"] = spectra.wavelengths.tolist()
    companions = {}
    reliability = _fit_reliability(X_all)
    if reliability is not None:
        companions["reliability"] = reliability
        info["reliability_components"] = reliability.n_components
    save(model, args.output, info=info, companions=companions)
    print(f"saved {args.output} ({time.perf_counter() - start:.0f} s)")


def _fit_reliability(X_secondary):
    """The per-spectrum reliability score of new secondary spectra, or None with too few pairs."""
    from sklspec.transfer import TransferReliability

    # TransferReliability fits its components on 4/5 of the pairs (5 folds).
    n_fit = len(X_secondary) - -(-len(X_secondary) // 5)
    n_components = min(10, n_fit - 1, X_secondary.shape[1] - 1)
    if n_components < 1 or len(X_secondary) < 5:
        print("no reliability score: too few pairs to measure a residual")
        return None
    reliability = TransferReliability(n_components=n_components).fit(X_secondary)
    print(
        f"reliability score: Q residual and Hotelling's T2 in {n_components} principal "
        "components of the secondary training spectra, over their 95% limit (sklspec "
        "transfer --reliability)"
    )
    return reliability


def _label(name):
    from sklspec._cli._selection import MODEL_LABELS

    return MODEL_LABELS[name]


def _transfer(args):
    check_output(
        args.output,
        extensions=SPECTRA_FORMATS,
        inputs=(args.model, args.spectra),
        force=args.force,
        kind="spectra file",
    )
    if args.reliability:
        if os.path.abspath(args.reliability) == os.path.abspath(args.output):
            raise CommandError(f"{args.reliability}: is also --output; write the scores elsewhere.")
        check_output(
            args.reliability,
            extensions=SPECTRA_FORMATS,
            inputs=(args.model, args.spectra),
            force=args.force,
            kind="scores file",
        )
    from sklspec.io import load, read_info

    described = read_info(args.model)
    info = described["info"]
    model = load(args.model)
    reader = BlockReader(
        args.spectra, key=args.key, header=_header(args), block_rows=args.block_size
    )
    n_rows, n_channels = reader.shape
    if n_channels != model.n_features_in_:
        raise CommandError(
            f"{args.spectra} has spectra of {n_channels} channels; the model was "
            f"fitted on secondary spectra of {model.n_features_in_} channels."
        )
    fitted_axis = info.get("secondary_wavelengths")
    if reader.wavelengths is not None and fitted_axis is not None:
        if not np.allclose(reader.wavelengths, fitted_axis, rtol=0, atol=1e-6):
            raise CommandError(
                f"{args.spectra}: its wavelengths ({reader.wavelengths[0]:g}-"
                f"{reader.wavelengths[-1]:g}) differ from those the model was fitted on "
                f"({fitted_axis[0]:g}-{fitted_axis[-1]:g}); resample the spectra first."
            )
    # Block by block: memory holds a few blocks of input and output whatever the map size.
    axis = info.get("primary_wavelengths")
    outputs = [(model.predict, lambda n: BlockWriter(args.output, n_rows, n, axis))]
    beyond = []
    if args.reliability:
        if "reliability" not in described["companions"]:
            raise CommandError(
                f"{args.model}: holds no reliability score (fitted by an earlier sklspec); "
                "refit it with fit-transfer to get one."
            )
        detector = load(args.model, companion="reliability")

        def score(block):
            scores = detector.transform(block)
            beyond.append(int(np.sum(scores > 1)))
            return scores

        outputs.append((score, lambda n: BlockWriter(args.reliability, n_rows, n)))
    transfer_blocks(outputs, reader)
    print(f"wrote {n_rows} primary spectra to {args.output}")
    if args.reliability:
        share = sum(beyond) / n_rows
        print(
            f"wrote their reliability scores to {args.reliability}: {sum(beyond)} of {n_rows} "
            f"spectra ({share:.0%}) lie beyond the limit (score > 1; about 5% on spectra like "
            "the training ones)"
        )


def _info(args):
    from sklspec.io import read_info

    info = read_info(args.model)
    print(f"{args.model}: {info['model_class'].rsplit('.', 1)[-1]}")
    print(f"  saved {info['created']} with format {info['format_version']}")
    versions = ", ".join(f"{name} {version}" for name, version in info["versions"].items())
    print(f"  versions: {versions}")
    print(f"  made of: {', '.join(path.rsplit('.', 1)[-1] for path in info['classes'])}")
    if info["companions"]:
        print(f"  travels with: {', '.join(info['companions'])}")
    for key, value in info["info"].items():
        if key == "comparison":
            from sklspec._cli._selection import format_table

            n_validation = info["info"].get("validation_pairs", "?")
            select_by = info["info"].get("selected_by", "rse")
            table = format_table(
                value,
                n_validation,
                select_by=select_by,
                cv_folds=info["info"].get("cv_folds"),
                calibrated_on=info["info"].get("calibrated_on", "the primary training spectra"),
            )
            table = table.replace("\n", "\n    ")
            print(f"  models compared:\n    {table}")
            continue
        if key.endswith("_wavelengths") and value:
            value = f"{len(value)} channels, {value[0]:g}-{value[-1]:g}"
        print(f"  {key}: {value}")


def _demo(args):
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        raise CommandError(f"{args.output}: exists and is not a folder.")
    existing = [f for f in _DEMO_FILES if os.path.exists(os.path.join(args.output, f))]
    if existing and not args.force:
        raise CommandError(
            f"{args.output}: already holds {', '.join(existing)}; pass --force to overwrite."
        )
    from sklspec.papers import run_demo

    run_demo(args.output, quick=args.quick, random_state=args.seed, verbose=1)


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Help with every option's default."""


def _reading_options(parser, key_help):
    parser.add_argument("--key", help=key_help)
    parser.add_argument(
        "--header",
        choices=("auto", "yes", "no"),
        default="auto",
        help="whether a CSV file starts with a header row: 'auto' takes a row of names, or "
        "a strictly increasing numeric row (the wavelengths), as the header",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing output")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sklspec",
        description="Machine learning on spectra: spectral transfer between instruments.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"sklspec {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="simulate LIBS maps, run the transfer paper's comparison, save figures",
        formatter_class=_Formatter,
    )
    demo.add_argument("-o", "--output", default="sklspec-demo", help="folder for the figures")
    demo.add_argument("--quick", action="store_true", help="smaller maps and fewer epochs")
    demo.add_argument("--seed", type=int, default=0, help="seed of the maps and models")
    demo.add_argument("--force", action="store_true", help="overwrite an earlier demo's files")
    demo.add_argument("--debug", action="store_true", help="show the traceback of an error")
    demo.set_defaults(run=_demo)

    fit = commands.add_parser(
        "fit-transfer",
        help="compare transfer models on paired spectra, save the best",
        formatter_class=_Formatter,
    )
    formats = " ".join(SPECTRA_FORMATS)
    fit.add_argument("--primary", required=True, help=f"primary spectra, one per row ({formats})")
    fit.add_argument("--secondary", required=True, help="secondary spectra of the same samples")
    fit.add_argument("-o", "--output", required=True, help="model file to write (.sklspec)")
    fit.add_argument(
        "--models",
        help="comma-separated models to compare, from library_ridge and library_residual "
        "(a latent library of the primary spectra, mapped into by ridge regression, or by "
        "ridge plus an MLP correction), vae_mlp (the paper's VAE + MLP), one_step (one "
        "MLP), pls, knn, ds and pds (direct and piecewise direct standardization); "
        "default: all of them, DS and PDS only when both instruments share one wavelength "
        "grid",
    )
    fit.add_argument(
        "--validation-fraction",
        type=float,
        help="fraction of the pairs, drawn at random, held out to tune and compare the models "
        "(default: 0.2 from 40 pairs on; with fewer, models are compared by 5-fold "
        "cross-validation over all pairs)",
    )
    fit.add_argument(
        "--cv",
        type=int,
        metavar="K",
        help="compare the models by K-fold cross-validation over all pairs instead of a "
        "held-out part",
    )
    fit.add_argument(
        "--validation-primary",
        help="primary spectra of separate validation pairs (instead of --validation-fraction)",
    )
    fit.add_argument(
        "--validation-secondary", help="secondary spectra of the separate validation pairs"
    )
    fit.add_argument(
        "--targets",
        help="analyte values of the pairs (one row, or one value, per pair): each model "
        "is then also scored by a PLS calibration of them, fitted on the primary "
        "training spectra, applied to its transferred validation spectra (RMSEP)",
    )
    fit.add_argument("--validation-targets", help="analyte values of the separate validation pairs")
    fit.add_argument(
        "--primary-library",
        help="unpaired primary spectra (as many as you have) for the library models: a "
        "latent library is fitted on them, and only the mapping learns from the pairs",
    )
    fit.add_argument(
        "--calibration-primary",
        help="primary spectra of a calibration set: with --calibration-targets, the RMSEP "
        "calibration is fitted on them instead of the training pairs",
    )
    fit.add_argument("--calibration-targets", help="analyte values of the calibration set")
    fit.add_argument(
        "--select-by",
        choices=["rse", "rmsep"],
        default="rse",
        help="which validation score picks the model to keep (rmsep needs --targets)",
    )
    fit.add_argument(
        "--baseline",
        type=int,
        nargs="?",
        const=100,
        metavar="WINDOW",
        help="subtract the paper's baseline (rolling minimum over WINDOW channels, default "
        "100, then a Gaussian-weighted mean over WINDOW/2) from both instruments' spectra; "
        "the model then predicts baseline-free primary spectra",
    )
    fit.add_argument(
        "--scaling",
        choices=["global", "channel", "none"],
        default="global",
        help="how both instruments' spectra are scaled after centring, for every model: one "
        "scale for all channels, each channel's own (a StandardScaler; it amplifies quiet "
        "channels and any leftover baseline), or none",
    )
    fit.add_argument(
        "--library-decoder",
        choices=["pca", "vae", "pca+vae"],
        default="pca",
        help="the library models' latent space: principal components, a VAE, or components "
        "plus a VAE of what they leave",
    )
    fit.add_argument(
        "--components", type=int, default=16, help="principal components of the library"
    )
    fit.add_argument("--latent-dim", type=int, default=16, help="width of the VAE's latent space")
    fit.add_argument(
        "--vae-hidden", type=int, nargs="+", default=[256], help="hidden layers of the VAE encoder"
    )
    fit.add_argument("--epochs", type=int, default=100, help="epochs of every network")
    fit.add_argument(
        "--lr",
        type=float,
        default=1e-3,
        help="learning rate of the VAE; the MLPs try it and a tenth of it",
    )
    fit.add_argument(
        "--seed", type=int, default=0, help="seed of the validation split and networks"
    )
    _reading_options(fit, "array name in .npz/HDF5 files, for both inputs")
    fit.add_argument("--primary-key", help="array name in the primary file (overrides --key)")
    fit.add_argument("--secondary-key", help="array name in the secondary file")
    fit.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="-v: a table of every epoch; -vv: also a progress bar per epoch on a terminal",
    )
    fit.set_defaults(run=_fit_transfer)

    transfer = commands.add_parser(
        "transfer",
        help="predict primary spectra with a fitted model",
        formatter_class=_Formatter,
    )
    transfer.add_argument("model", help="model file from fit-transfer (.sklspec)")
    transfer.add_argument("spectra", help=f"new secondary spectra ({formats})")
    transfer.add_argument("-o", "--output", required=True, help=f"output file ({formats})")
    _reading_options(transfer, "array name in .npz/HDF5 files")
    transfer.add_argument(
        "--block-size", type=int, default=4096, help="spectra read, transferred and written at once"
    )
    transfer.add_argument(
        "--reliability",
        metavar="FILE",
        help=(
            "also write each spectrum's reliability score (Q residual and Hotelling's T2 over "
            "their 95%% limit on the training spectra: above 1, unlike what the model was "
            f"fitted on; {formats})"
        ),
    )
    transfer.set_defaults(run=_transfer)

    info = commands.add_parser(
        "info",
        help="what a model file holds (models, versions, channels), without loading it",
        formatter_class=_Formatter,
    )
    info.add_argument("model", help="model file (.sklspec)")
    info.add_argument("--debug", action="store_true", help="show the traceback of an error")
    info.set_defaults(run=_info)
    return parser


def main(argv=None):
    """Run the command; return its exit code (2 for any error, reported in one line)."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in Python's flush at exit
    except KeyboardInterrupt:
        print(f"sklspec {args.command}: interrupted; nothing was saved.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped reading (``sklspec info model | head``): not an
        # error. Python would report the pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the user gets one line; --debug shows the traceback
        if args.debug:
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"sklspec {args.command}: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
