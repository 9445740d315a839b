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
)
from sklspec._cli._stream import BlockReader, BlockWriter, transfer_blocks

_MODEL_EXTENSIONS = (".sklspec",)
_DEMO_FILES = ("comparison.csv", "maps.png", "spectra.png")


def _header(args):
    return {"auto": None, "yes": True, "no": False}[args.header]


def _fit_transfer(args):
    check_output(
        args.output,
        extensions=_MODEL_EXTENSIONS,
        inputs=(args.primary, args.secondary),
        force=args.force,
        kind="model file",
    )
    primary = read_spectra(args.primary, key=args.primary_key or args.key, header=_header(args))
    secondary = read_spectra(
        args.secondary, key=args.secondary_key or args.key, header=_header(args)
    )
    Y, X = primary.values, secondary.values
    print(f"primary: {describe(primary)}; secondary: {describe(secondary)}")
    if len(X) != len(Y):
        raise CommandError(
            f"{args.primary} has {len(Y)} spectra and {args.secondary} {len(X)}; rows must be "
            "the same samples measured on both instruments."
        )

    from sklearn.preprocessing import StandardScaler

    from sklspec.io import save
    from sklspec.papers import wrap_transfer_model
    from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
    from sklspec.vae import VAEEncoder

    vae = VAEEncoder(
        hidden_layer_sizes=args.vae_hidden,
        latent_dim=args.latent_dim,
        lr=args.lr,
        max_epochs=args.epochs,
        random_state=args.seed,
        verbose=args.verbose,
    )
    mapper = SpectralMLPRegressor(lr=args.lr, max_epochs=args.epochs, verbose=args.verbose)
    model = wrap_transfer_model(
        LatentTransferRegressor(vae, mapper, random_state=args.seed, verbose=args.verbose),
        StandardScaler(),
    )
    print(f"fitting on {len(X)} pairs: secondary {X.shape[1]} -> primary {Y.shape[1]} channels")
    start = time.perf_counter()
    model.fit(X, Y)
    info = {"command": "fit-transfer", "pairs": len(X)}
    for name, spectra in (("primary", primary), ("secondary", secondary)):
        if spectra.wavelengths is not None:
            info[f"{name}_wavelengths"] = spectra.wavelengths.tolist()
    save(model, args.output, info=info)
    print(f"saved {args.output} ({time.perf_counter() - start:.0f} s)")


def _transfer(args):
    check_output(
        args.output,
        extensions=SPECTRA_FORMATS,
        inputs=(args.model, args.spectra),
        force=args.force,
        kind="spectra file",
    )
    from sklspec.io import load, read_info

    info = read_info(args.model)["info"]
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
    transfer_blocks(
        model, reader, lambda n_outputs: BlockWriter(args.output, n_rows, n_outputs, axis)
    )
    print(f"wrote {n_rows} primary spectra to {args.output}")


def _info(args):
    from sklspec.io import read_info

    info = read_info(args.model)
    print(f"{args.model}: {info['model_class'].rsplit('.', 1)[-1]}")
    print(f"  saved {info['created']} with format {info['format_version']}")
    versions = ", ".join(f"{name} {version}" for name, version in info["versions"].items())
    print(f"  versions: {versions}")
    print(f"  made of: {', '.join(path.rsplit('.', 1)[-1] for path in info['classes'])}")
    for key, value in info["info"].items():
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
        help="fit a VAE + MLP transfer model on paired spectra",
        formatter_class=_Formatter,
    )
    formats = " ".join(SPECTRA_FORMATS)
    fit.add_argument("--primary", required=True, help=f"primary spectra, one per row ({formats})")
    fit.add_argument("--secondary", required=True, help="secondary spectra of the same samples")
    fit.add_argument("-o", "--output", required=True, help="model file to write (.sklspec)")
    fit.add_argument("--latent-dim", type=int, default=16, help="width of the VAE's latent space")
    fit.add_argument(
        "--vae-hidden", type=int, nargs="+", default=[256], help="hidden layers of the VAE encoder"
    )
    fit.add_argument("--epochs", type=int, default=100, help="epochs of the VAE and of the MLP")
    fit.add_argument("--lr", type=float, default=1e-3, help="learning rate of both networks")
    fit.add_argument("--seed", type=int, default=0, help="seed of the networks")
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
    except KeyboardInterrupt:
        print(f"sklspec {args.command}: interrupted; nothing was saved.", file=sys.stderr)
        return 130
    except Exception as exc:  # the user gets one line; --debug shows the traceback
        if args.debug:
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"sklspec {args.command}: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
