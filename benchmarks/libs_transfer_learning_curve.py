"""Transfer between the simulated LIBS spectrometers, against the number of shared standards.

    python benchmarks/libs_transfer_learning_curve.py
    python benchmarks/libs_transfer_learning_curve.py --pairs 5 10 20 --repeats 2  # quicker

The transfer paper's realistic case on ``make_libs_transfer``'s maps (the
view physics on): the primary lab has a library of its own spectra (a
training-region map, ``--library`` shots), the two instruments share a few
standards drawn from a pool (a validation-region map) and the models are
scored on a test map recorded on another day. ``transfer_learning_curve``
draws N pairs (``--pairs``, ``--repeats`` nested draws, the same for every
model) and fits:

- VAE + MLP and VAE + MLP fine-tuned through the frozen decoder, on a
  ``LatentLibrary`` fitted on the library's primary spectra and frozen:
  only the mapping network sees the N pairs;
- the one-step MLP; PLS (up to 16 components) and KNN (up to 10
  neighbours) tuned by 5-fold cross-validation on the N pairs, their grids
  cut to what the fewest pairs allow. DS and PDS need the same channels on
  both instruments, which these two spectrometers do not have.

Scores: RSE of the test spectra, and the error of a calibration of
``--element`` (K by default: the test map holds quartz and muscovite;
PLS, 8 components, mass fraction) fitted on the library's primary spectra
and applied to the transferred test spectra; the floor is the same
calibration on the true primary test spectra.
"""

import argparse
import time

from sklearn.cross_decomposition import PLSRegression

from sklspec.datasets import make_libs_transfer
from sklspec.papers import few_standards_models, transfer_learning_curve
from sklspec.transfer import LatentLibrary
from sklspec.vae import VAEEncoder

NETWORK = dict(lr=1e-3, batch_size=16, max_epochs=100, early_stopping=False, device="cpu")


def models_for(primary_library, seed, fewest_pairs, latent_dim=8):
    """The candidates, with a library VAE fitted on the library's primary spectra."""
    # The paper's VAE learning rate: at 1e-3 this VAE diverged in epoch 12.
    vae = VAEEncoder(
        (256,),
        latent_dim=latent_dim,
        random_state=seed,
        **{**NETWORK, "batch_size": 64, "lr": 1e-4},
    )
    return few_standards_models(
        LatentLibrary(vae).fit(primary_library),
        fewest_pairs=fewest_pairs,
        network=NETWORK,
        one_step_layers=(64, 8, 256),
        random_state=seed,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[5, 10, 20, 40, 80])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--library", default="40x50", help="library map shape, rows x cols")
    parser.add_argument("--element", default="K", help="the calibration's analyte")
    parser.add_argument("--latent-dim", type=int, default=8, help="the library VAE's")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    shape = tuple(int(n) for n in args.library.split("x"))
    library = make_libs_transfer(shape, region="train", random_state=args.seed)
    pool = make_libs_transfer((10, 40), region="validation", random_state=args.seed)
    test = make_libs_transfer((20, 40), region="test", random_state=args.seed)
    analyte = library.element_names.index(args.element)
    calibration = PLSRegression(n_components=8).fit(
        library.X_primary, library.composition[:, analyte]
    )
    models = models_for(library.X_primary, args.seed, min(args.pairs), args.latent_dim)
    print(f"library, pool and test maps simulated, library VAE fitted: "
          f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    result = transfer_learning_curve(
        pool.X_secondary,
        pool.X_primary,
        test.X_secondary,
        test.X_primary,
        models=models,
        n_pairs=args.pairs,
        n_repeats=args.repeats,
        calibration=calibration,
        test_targets=test.composition[:, analyte],
        random_state=args.seed,
        verbose=1,
    )
    print(
        f"\n{time.perf_counter() - start:.0f} s: test RSE and {args.element} error (mass "
        f"fraction) by "
        f"number of standards; library {len(library.X_primary)} shots, pool "
        f"{len(pool.X_primary)}, test {len(test.X_primary)}; "
        f"floor {result.calibration_floor:.4f}; predicting the test map's mean {args.element}: "
        f"{test.composition[:, analyte].std():.4f}"
    )
    columns = ["rse", "rse_std", "calibration_rmse", "calibration_rmse_std"]
    print(result.table[columns].unstack("n_pairs").reindex(list(models)).round(4).to_string())


if __name__ == "__main__":
    main()
