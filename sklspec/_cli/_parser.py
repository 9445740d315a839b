"""The command line of ``sklspec``: its commands and their options."""

import argparse

from sklspec import __version__
from sklspec._cli._demo import run_demo_command
from sklspec._cli._files import SPECTRA_FORMATS
from sklspec._cli._fit_transfer import run_fit_transfer
from sklspec._cli._info import run_info
from sklspec._cli._transfer import run_transfer
from sklspec.model_selection import PRESETS


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Help with every option's default, where it has one."""

    def _get_help_string(self, action):
        if action.required or action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def _count(text, minimum, what):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be an integer; got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{what} must be {minimum} or more; got {value}")
    return value


def _seed(text):
    return _count(text, 0, "a seed")


def _positive(text):
    return _count(text, 1, "a number of spectra")


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


def _signing_option(parser, help):
    parser.add_argument("--signing-key", metavar="KEYFILE", help=help)


def build_parser() -> argparse.ArgumentParser:
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
    demo.add_argument("--seed", type=_seed, default=0, help="seed of the maps and models")
    demo.add_argument("--force", action="store_true", help="overwrite an earlier demo's files")
    demo.add_argument("--debug", action="store_true", help="show the traceback of an error")
    demo.set_defaults(run=run_demo_command)

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
        help=f"comma-separated models to compare, from {', '.join(PRESETS['lab'])}; "
        "default: all that the inputs allow (ds, pds, sst, coral, slope_bias, epo and "
        "gct_pls need both instruments on one wavelength grid; slope_bias, epo and gct_pls "
        "transfer the calibration, not the spectra, and need --targets)",
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
        "--seed", type=_seed, default=0, help="seed of the validation split and networks"
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
    _signing_option(fit, "sign the model file with the secret in this file (16 bytes or more)")
    fit.set_defaults(run=run_fit_transfer)

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
        "--block-size",
        type=_positive,
        default=4096,
        help="spectra read, transferred and written at once",
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
    _signing_option(
        transfer, "refuse the model unless it was signed with the secret in this file"
    )
    transfer.set_defaults(run=run_transfer)

    info = commands.add_parser(
        "info",
        help="what a model file holds (models, versions, channels), without loading it",
        formatter_class=_Formatter,
    )
    info.add_argument("model", help="model file (.sklspec)")
    _signing_option(info, "check the file's signature with the secret in this file")
    info.add_argument("--debug", action="store_true", help="show the traceback of an error")
    info.set_defaults(run=run_info)
    return parser
