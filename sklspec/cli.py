"""The ``sklspec`` command: the transfer comparison demo, and transfer for a lab's own data.

sklspec demo [-o OUTPUT]
sklspec fit-transfer --primary P --secondary S -o model.sklspec
sklspec transfer model.sklspec S_NEW -o OUT
"""

import argparse
import os
import sys
import time

import numpy as np

_FORMATS = (".npy", ".npz", ".csv", ".h5", ".hdf5")
_HEADER_HELP = "CSV files start with a row of column names, e.g. numeric wavelengths"


class CommandError(Exception):
    """A problem with the command's input, reported without a traceback."""


def read_spectra(path, key=None, header=False):
    """Spectra (rows) from a .npy, .npz, .csv or HDF5 file, as a float array.

    A CSV file's first row is skipped when ``header`` is true or when it is
    not numeric (column names).
    """
    if not os.path.exists(path):
        raise CommandError(f"{path}: no such file.")
    extension = os.path.splitext(path)[1].lower()
    if extension not in _FORMATS:
        raise CommandError(
            f"{path}: unknown format {extension!r}; use one of {', '.join(_FORMATS)}."
        )
    try:
        if extension == ".npy":
            data = np.load(path, mmap_mode="r")
        elif extension == ".npz":
            with np.load(path) as archive:
                names = list(archive.files)
                name = key or (names[0] if len(names) == 1 else None)
                if name not in names:
                    raise CommandError(f"{path} holds arrays {names}; name the spectra with --key.")
                data = archive[name]
        elif extension == ".csv":
            skip = 1 if header else _header_rows(path)
            data = np.loadtxt(path, delimiter=",", ndmin=2, skiprows=skip)
        else:
            data = _read_hdf5(path, key)
    except (ValueError, OSError) as exc:
        raise CommandError(f"{path}: cannot read spectra ({exc}).") from exc
    data = np.asarray(data)
    if data.ndim != 2 or not np.issubdtype(data.dtype, np.number):
        raise CommandError(
            f"{path}: expected a 2-D numeric array of spectra; got shape {data.shape}."
        )
    return data


def _header_rows(path):
    with open(path) as handle:
        first = handle.readline().split(",")
    try:
        [float(value) for value in first]
    except ValueError:
        return 1  # a header of column names (e.g. wavelengths as text)
    return 0


def _read_hdf5(path, key):
    from sklspec.utils._optional import import_optional

    try:
        h5py = import_optional("h5py", "Reading HDF5 files")
    except ImportError as exc:
        raise CommandError(str(exc)) from exc
    with h5py.File(path, "r") as handle:
        names = [n for n in handle if isinstance(handle[n], h5py.Dataset)]
        name = key or (names[0] if len(names) == 1 else None)
        if name not in handle:
            raise CommandError(f"{path} holds datasets {names}; name the spectra with --key.")
        return handle[name][()]


def write_spectra(path, Y):
    extension = os.path.splitext(path)[1].lower()
    if extension == ".npy":
        np.save(path, Y)
    elif extension == ".npz":
        np.savez(path, spectra=Y)
    elif extension == ".csv":
        np.savetxt(path, Y, delimiter=",")
    else:
        raise CommandError(f"{path}: write .npy, .npz or .csv.")


def _fit_transfer(args):
    from sklearn.preprocessing import StandardScaler

    from sklspec.io import save
    from sklspec.papers import wrap_transfer_model
    from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
    from sklspec.vae import VAEEncoder

    Y = read_spectra(args.primary, args.key, args.header)
    X = read_spectra(args.secondary, args.key, args.header)
    if len(X) != len(Y):
        raise CommandError(
            f"The primary file has {len(Y)} spectra and the secondary file {len(X)}; "
            "rows must be the same samples measured on both instruments."
        )
    model = wrap_transfer_model(
        LatentTransferRegressor(
            VAEEncoder(
                hidden_layer_sizes=args.vae_hidden,
                latent_dim=args.latent_dim,
                lr=args.lr,
                max_epochs=args.epochs,
                random_state=args.seed,
                verbose=args.verbose,
            ),
            SpectralMLPRegressor(lr=args.lr, max_epochs=args.epochs, verbose=args.verbose),
            random_state=args.seed,
            verbose=args.verbose,
        ),
        StandardScaler(),
    )
    print(f"fitting on {len(X)} pairs: secondary {X.shape[1]} -> primary {Y.shape[1]} channels")
    start = time.perf_counter()
    model.fit(X, Y)
    save(model, args.output, info={"command": "fit-transfer", "pairs": len(X)})
    print(f"saved {args.output} ({time.perf_counter() - start:.0f} s)")


def _transfer(args):
    from sklspec.io import load

    model = load(args.model)
    X = read_spectra(args.spectra, args.key, args.header)
    expected = model.n_features_in_
    if X.shape[1] != expected:
        raise CommandError(
            f"{args.spectra} has spectra of {X.shape[1]} channels; the model was "
            f"fitted on secondary spectra of {expected} channels."
        )
    write_spectra(args.output, model.predict(X))
    print(f"wrote {len(X)} primary spectra to {args.output}")


def _demo(args):
    from sklspec.papers import run_demo

    run_demo(args.output, quick=args.quick, random_state=args.seed, verbose=1)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sklspec", description="Machine learning on spectra: spectral transfer."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="simulate LIBS maps, run the transfer paper's comparison, save figures"
    )
    demo.add_argument("-o", "--output", default="sklspec-demo", help="folder for the figures")
    demo.add_argument("--quick", action="store_true", help="smaller maps and fewer epochs")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)

    fit = commands.add_parser(
        "fit-transfer", help="fit a VAE + MLP transfer model on paired spectra"
    )
    fit.add_argument("--primary", required=True, help="primary spectra (.npy .npz .csv .h5)")
    fit.add_argument("--secondary", required=True, help="secondary spectra, same rows")
    fit.add_argument(
        "-o", "--output", required=True, help="model file to write (.sklspec, safe to share)"
    )
    fit.add_argument("--latent-dim", type=int, default=16)
    fit.add_argument("--vae-hidden", type=int, nargs="+", default=[256])
    fit.add_argument("--epochs", type=int, default=100)
    fit.add_argument("--lr", type=float, default=1e-3)
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--key", help="array name inside .npz or HDF5 files")
    fit.add_argument("--header", action="store_true", help=_HEADER_HELP)
    fit.add_argument("-v", "--verbose", action="count", default=0)
    fit.set_defaults(run=_fit_transfer)

    transfer = commands.add_parser("transfer", help="predict primary spectra with a fitted model")
    transfer.add_argument("model", help="model file from fit-transfer (.sklspec)")
    transfer.add_argument("spectra", help="new secondary spectra")
    transfer.add_argument("-o", "--output", required=True, help="output file (.npy .npz .csv)")
    transfer.add_argument("--key", help="array name inside .npz or HDF5 files")
    transfer.add_argument("--header", action="store_true", help=_HEADER_HELP)
    transfer.set_defaults(run=_transfer)
    return parser


def main(argv=None):
    from sklearn.utils._param_validation import InvalidParameterError

    from sklspec.exceptions import ModelFileError, TrainingDivergedError

    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (CommandError, InvalidParameterError, ModelFileError, TrainingDivergedError) as exc:
        # One line for the user; a diverged fit saves nothing.
        print(f"sklspec {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
