"""``sklspec transfer``: predict primary spectra with a fitted model, block by block."""

import os

import numpy as np

from sklspec._cli._files import SPECTRA_FORMATS, CommandError, check_output, signing_key
from sklspec._cli._fit_transfer import header_option
from sklspec._cli._stream import BlockReader, BlockWriter, transfer_blocks


def run_transfer(args):
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

    key = signing_key(args)
    model = load(args.model, key=key)
    described = read_info(args.model)
    info = described["info"]
    reader = BlockReader(
        args.spectra, key=args.key, header=header_option(args), block_rows=args.block_size
    )
    n_rows, n_channels = reader.shape
    if n_channels != model.n_features_in_:
        hint = (
            " One more: is its first column sample IDs? Remove it."
            if n_channels == model.n_features_in_ + 1
            else ""
        )
        raise CommandError(
            f"{args.spectra} has spectra of {n_channels} channels; the model was "
            f"fitted on secondary spectra of {model.n_features_in_} channels.{hint}"
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
        detector = load(args.model, companion="reliability", key=key)

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
