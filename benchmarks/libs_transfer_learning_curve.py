"""Transfer between the simulated LIBS spectrometers, against the number of shared standards.

    python benchmarks/libs_transfer_learning_curve.py
    python benchmarks/libs_transfer_learning_curve.py --pairs 10 20 --repeats 2  # quicker
    python benchmarks/libs_transfer_learning_curve.py --models library_ridge pls

The transfer paper's realistic case on ``make_libs_transfer``'s maps (the
view physics on, the paper's baseline subtracted from both instruments):
the primary lab has a library of its own spectra (a training-region map,
``--library`` shots, unpaired), the two instruments share a few standards
drawn from a pool (a validation-region map) and the models are scored on a
test map recorded on another day. ``transfer_learning_curve`` draws N pairs
(``--pairs``, ``--repeats`` nested draws, the same for every model) and fits
``few_standards_models``' candidates on them:

- on a frozen ``LatentLibrary`` of the library's primary spectra (its
  decoder by ``--decoder``; one global scale), only the mapping learns from
  the N pairs: ridge into the latent codes, ridge plus a residual MLP, and
  the paper's MLP mapper without and with fine-tuning through the decoder;
- the one-step MLP; PLS (up to 16 components) and KNN (up to 10
  neighbours); every grid (the networks' L2 penalty too) tuned by 5-fold
  cross-validation on the N pairs. DS and PDS need the same channels on
  both instruments, which these two spectrometers do not have.

``--extra-decoders`` adds the ridge mapper onto libraries with other
decoders (``library_ridge[pca]`` and the like).

Scores: RSE of the test spectra against the recorded and the noiseless
primary spectra (the floor: the primary noise alone), and the error of a
calibration of ``--element`` (K by default: the test map holds quartz and
muscovite; PLS, 8 components, mass fraction) fitted on the library's primary
spectra and applied to the transferred test spectra; its floor is the same
calibration on the true primary test spectra.
"""

import argparse
import time

from sklearn.cross_decomposition import PLSRegression
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline

from sklspec.datasets import make_libs_transfer
from sklspec.model_selection import transfer_learning_curve
from sklspec.papers import few_standards_models
from sklspec.preprocessing import BaselineSubtractor, SpectralScaler
from sklspec.transfer import RIDGE_ALPHAS, LatentLibrary, LatentTransferRegressor

NETWORK = dict(lr=1e-3, batch_size=16, max_epochs=100, early_stopping=False, device="cpu")


def library_for(decoder, primary, seed, latent_dim):
    return LatentLibrary(decoder=decoder, n_components=latent_dim, random_state=seed).fit(primary)


def maps(args):
    """Baseline-subtracted library, pool and test maps; the test's noiseless truth."""
    baseline = BaselineSubtractor()
    shape = tuple(int(n) for n in args.library.split("x"))
    out = {}
    for name, region, size in (
        ("library", "train", shape),
        ("pool", "validation", (10, 40)),
        ("test", "test", (20, 40)),
    ):
        data = make_libs_transfer(
            size, region=region, random_state=args.seed, return_noiseless=True
        )
        Y = baseline.fit_transform(data.X_primary)
        out[name] = {
            "X": baseline.fit_transform(data.X_secondary),
            "Y": Y,
            # The recorded spectrum's own baseline, subtracted from the noiseless one.
            "Y_clean": data.X_primary_noiseless - (data.X_primary - Y),
            "composition": data.composition,
            "elements": data.element_names,
        }
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[5, 10, 20, 40, 80])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--library", default="40x100", help="library map shape, rows x cols")
    parser.add_argument("--element", default="K", help="the calibration's analyte")
    parser.add_argument("--decoder", default="pca", choices=["vae", "pca", "pca+vae"])
    parser.add_argument("--extra-decoders", nargs="*", default=[], choices=["vae", "pca+vae"])
    parser.add_argument("--latent-dim", type=int, default=16, help="the library's width")
    parser.add_argument("--models", nargs="+", help="a subset of the candidates")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    data = maps(args)
    library, pool, test = data["library"], data["pool"], data["test"]
    analyte = library["elements"].index(args.element)
    calibration = PLSRegression(n_components=8).fit(
        library["Y"], library["composition"][:, analyte]
    )
    primary_library = library_for(args.decoder, library["Y"], args.seed, args.latent_dim)
    models = few_standards_models(
        primary_library,
        fewest_pairs=min(args.pairs),
        network=NETWORK,
        one_step_layers=(64, 8, 256),
        random_state=args.seed,
    )
    if args.models:
        models = {name: models[name] for name in args.models}
    for decoder in args.extra_decoders:
        other = library_for(decoder, library["Y"], args.seed, args.latent_dim)
        mapper = RidgeCV(alphas=RIDGE_ALPHAS)
        models[f"library_ridge[{decoder}]"] = make_pipeline(
            SpectralScaler(), LatentTransferRegressor(FrozenEstimator(other), mapper)
        )
    print(
        f"maps simulated, libraries fitted ({time.perf_counter() - start:.0f} s); the "
        f"{args.decoder} library's floor on the test map: "
        f"{primary_library.reconstruction_error(test['Y']):.4f}"
    )
    result = transfer_learning_curve(
        pool["X"],
        pool["Y"],
        test["X"],
        test["Y"],
        models=models,
        n_pairs=args.pairs,
        n_repeats=args.repeats,
        calibration=calibration,
        test_targets=test["composition"][:, analyte],
        Y_test_clean=test["Y_clean"],
        random_state=args.seed,
        verbose=1,
    )
    print(
        f"\n{time.perf_counter() - start:.0f} s: test RSE (against the recorded and the "
        f"noiseless spectra) and {args.element} error (mass fraction) by number of standards; "
        f"library {len(library['Y'])} shots, pool {len(pool['Y'])}, test {len(test['Y'])}; "
        f"noise floor {result.noise_floor:.4f}; calibration floor "
        f"{result.calibration_floor:.4f}; predicting the test map's mean {args.element}: "
        f"{test['composition'][:, analyte].std():.4f}"
    )
    for columns in (["rse", "rse_std"], ["rse_clean"], ["calibration_rmse"]):
        table = result.table[columns].unstack("n_pairs").reindex(list(models))
        print(table.round(4).to_string())


if __name__ == "__main__":
    main()
