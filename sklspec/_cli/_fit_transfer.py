"""``sklspec fit-transfer``: compare transfer models on paired spectra, save the best."""

import sys
import time

import numpy as np

from sklspec._cli._files import (
    CommandError,
    check_output,
    describe,
    read_spectra,
    read_targets,
    signing_key,
)
from sklspec._cli._standards import (
    cv_folds,
    library_floor_note,
    read_calibration_set,
    read_library,
)
from sklspec._cli._table import listed

MODEL_EXTENSIONS = (".sklspec",)


def header_option(args):
    """``--header`` as ``read_spectra`` takes it: None (auto), True or False."""
    return {"auto": None, "yes": True, "no": False}[args.header]


def _read_pairs(primary_path, secondary_path, args):
    header = header_option(args)
    primary = read_spectra(primary_path, key=args.primary_key or args.key, header=header)
    secondary = read_spectra(
        secondary_path, key=args.secondary_key or args.key, header=header_option(args)
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


def _model_names(args):
    """The names of ``--models``, checked before any file is read."""
    from sklspec.model_selection import PRESETS, TRANSFER_CANDIDATES

    lab = PRESETS["lab"]
    names = [name.strip() for name in args.models.split(",") if name.strip()]
    unknown = [name for name in names if name not in lab]
    if unknown or not names:
        raise CommandError(
            f"--models: unknown model {', '.join(unknown) or repr(args.models)}; choose from "
            f"{', '.join(lab)}."
        )
    for name in names:
        if "targets" in TRANSFER_CANDIDATES[name].needs and not args.targets:
            raise CommandError(f"--models: {name} needs --targets (the analyte values).")
    return names


def _chosen_models(args, primary, secondary):
    """The candidates to compare: ``--models``, or every lab candidate the inputs allow."""
    from sklspec.model_selection import NEEDS, PRESETS, TRANSFER_CANDIDATES

    lab = PRESETS["lab"]
    present = {"targets"} if args.targets else set()
    if _same_grid(primary, secondary):
        present.add("same_grid")
    if args.models is None:
        names, left_out = [], {}
        for name in lab:
            candidate = TRANSFER_CANDIDATES[name]
            missing = sorted(candidate.needs - present)
            if missing:
                reason = f"they need {' and '.join(NEEDS[need] for need in missing)}"
                left_out.setdefault(reason, []).append(candidate.label)
            elif not candidate.available:
                reason = (
                    f"{candidate.package} is not installed: "
                    f"pip install 'sklspec[{candidate.extra}]'"
                )
                left_out.setdefault(reason, []).append(candidate.label)
            else:
                names.append(name)
        for reason, labels in left_out.items():
            print(f"{listed(labels)} left out: {reason}.")
        return names
    names = _model_names(args)
    grid_bound = [name for name in names if "same_grid" in TRANSFER_CANDIDATES[name].needs]
    if grid_bound and "same_grid" not in present:
        raise CommandError(
            f"--models: {', '.join(grid_bound)} map each channel onto the same channel, but "
            f"the secondary spectra have {secondary.values.shape[1]} channels and the primary "
            f"{primary.values.shape[1]} (or other wavelengths); resample them onto one grid."
        )
    for name in names:
        candidate = TRANSFER_CANDIDATES[name]
        if "targets" in candidate.needs and "targets" not in present:
            raise CommandError(f"--models: {name} needs --targets (the analyte values).")
        if not candidate.available:
            raise CommandError(
                f"--models: {name} needs {candidate.package}, which is not installed; "
                f"pip install 'sklspec[{candidate.extra}]'"
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


def run_fit_transfer(args):
    _check_network_options(args)
    key = signing_key(args)  # read before hours of fitting, not after
    check_output(
        args.output,
        extensions=MODEL_EXTENSIONS,
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
    if args.models is not None:
        _model_names(args)
    primary, secondary = _read_pairs(args.primary, args.secondary, args)
    print(f"primary: {describe(primary)}; secondary: {describe(secondary)}")
    targets = None
    if args.targets:
        targets = read_targets(
            args.targets, key=args.key, n_rows=len(primary.values), rows_of=args.primary
        )
    library_spectra = read_library(args, primary, header_option(args))
    calibration_set = read_calibration_set(args, primary, header_option(args))
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

    from sklspec._cli._table import format_table
    from sklspec.io import save
    from sklspec.model_selection import (
        TRANSFER_CANDIDATES,
        best_setting,
        fit_calibration,
        lab_library,
        model_label,
        transfer_candidates,
        tune_transfer_models,
    )

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

    settings = dict(
        latent_dim=args.latent_dim,
        vae_hidden=args.vae_hidden,
        max_epochs=args.epochs,
        lr=args.lr,
        random_state=args.seed,
        verbose=args.verbose,
        scaling=args.scaling,
    )
    start = time.perf_counter()
    library = library_info = None
    if library_spectra is not None and any(
        TRANSFER_CANDIDATES[name].kind == "library" for name in names
    ):
        library = lab_library(
            len(library_spectra),
            library_spectra.shape[1],
            decoder=args.library_decoder,
            n_components=args.components,
            **settings,
        ).fit(library_spectra)
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
    candidates = transfer_candidates(
        names,
        n_pairs=n_fit,
        n_channels=X_train.shape[1],
        n_primary_channels=Y_train.shape[1],
        library=library,
        library_decoder=args.library_decoder,
        library_components=args.components,
        **settings,
    )
    _check_settings(candidates)
    scored_on = (
        f"on {len(X_train)} training and {len(X_val)} validation pairs"
        if folds is None
        else f"by {folds}-fold cross-validation over {len(X_train)} pairs"
    )
    print(
        f"comparing {', '.join(model_label(name) for name in names)} {scored_on}: secondary "
        f"{X_train.shape[1]} -> primary {Y_train.shape[1]} channels"
    )
    calibration = None
    calibrated_on = "the primary training spectra"
    if targets is not None:
        if calibration_set is not None:
            calibration = fit_calibration(*calibration_set, random_state=args.seed)
            calibrated_on = f"{len(calibration_set[0])} primary calibration spectra"
        elif folds is None:
            calibration = fit_calibration(Y_train, t_train, random_state=args.seed)
        else:
            calibrated_on = "each fold's primary training spectra"
        components = "" if calibration is None else f", {calibration.n_components} component(s)"
        print(
            f"calibration: PLS of {targets.shape[1]} analyte(s) on {calibrated_on}"
            f"{components}, chosen by 5-fold cross-validation"
        )
    tuned = tune_transfer_models(
        candidates,
        X_train,
        Y_train,
        X_val,
        Y_val,
        cv=None if folds is None else KFold(folds, shuffle=True, random_state=args.seed),
        preprocessing=_preprocessing(args),
        scaling=args.scaling,
        rank_by=args.select_by,
        calibration=calibration,
        targets=t_val if folds is None else t_train,
        train_targets=t_train if folds is None else None,
        calibration_set=calibration_set,
        random_state=args.seed,
        debug=args.debug,
        verbose=2,
    )
    rows = tuned.rows
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
    if library is not None:
        floor = library.reconstruction_error(Y_train if folds else Y_val)
        note = library_floor_note(rows, floor)
        if note:
            print(note)
    if folds is None:
        X_all, Y_all = np.concatenate([X_train, X_val]), np.concatenate([Y_train, Y_val])
    else:
        X_all, Y_all = X_train, Y_train
    criterion = "RSE" if args.select_by == "rse" else "RMSEP"
    by = "validation" if folds is None else "cross-validated"
    # The kept model transfers spectra; a transferred calibration is context.
    spectral = [row for row in rows if "error" not in row and row.get("output") != "analyte"]
    if not spectral:
        raise CommandError("every model that transfers spectra failed; see the table above.")
    best = spectral[0]
    among = "" if best is rows[0] else " among the models that transfer spectra"
    print(f"refitting {best['label']} (lowest {by} {criterion}{among}) on all {len(X_all)} pairs")
    rse = best.get("rse")
    if rse is not None and np.isfinite(rse) and rse >= 1:
        print(
            f"warning: the kept model's {by} RSE is {rse:.3f}: it transfers no better than "
            "predicting the mean primary spectrum (RSE 1). Check that the files pair the same "
            "samples row by row, and measure more pairs.",
            file=sys.stderr,
        )
    model = best_setting(candidates, tuned.wrap, best).fit(X_all, Y_all)
    info = {
        "command": "fit-transfer",
        "pairs": len(X_all),
        "model": best["label"],
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
    save(model, args.output, info=info, companions=companions, key=key)
    print(f"saved {args.output} ({time.perf_counter() - start:.0f} s)")


def _fit_reliability(X_secondary):
    """The per-spectrum reliability score of new secondary spectra, or None with too few pairs."""
    import importlib.util

    from sklspec.transfer import TransferReliability

    if importlib.util.find_spec("chemotools") is None:
        print("no reliability score: chemotools is not installed: pip install 'sklspec[transfer]'")
        return None
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


def _check_settings(candidates):
    """Validate every candidate's parameters, nested ones too, before any training starts.

    A bad option (``--epochs 0``) is the user's error, not a model that failed:
    it stops the command at once instead of becoming a failed row.
    """
    for estimator, _ in candidates.values():
        nested = [v for v in estimator.get_params().values() if hasattr(v, "_validate_params")]
        for model in (estimator, *nested):
            model._validate_params()
