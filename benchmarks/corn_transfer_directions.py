"""Transfer between the corn instruments in all six directions, against the number of standards.

    python benchmarks/corn_transfer_directions.py
    python benchmarks/corn_transfer_directions.py --pairs 60 --repeats 1
    python benchmarks/corn_transfer_directions.py --pairs 10 20 --models library_ridge pls ds pds
    python benchmarks/corn_transfer_directions.py --analyte moisture --calibration-components 3

For each ordered pair of the three NIR instruments (m5, mp5, mp6; primary
and secondary), the file's 60 transfer and calibration samples are the pool
of standards and its 20 test samples are scored. ``transfer_learning_curve``
draws N standards (``--pairs``, ``--repeats`` nested draws, the same for
every model) and fits:

- on a ``LatentLibrary`` fitted on all 60 primary pool spectra (the
  primary lab's library, paired or not; its decoder by ``--decoder``,
  principal components by default) and frozen, only the mapping learns
  from the N pairs: ridge regression into the codes, ridge plus a residual
  MLP, and the paper's MLP mapper without and with fine-tuning through
  the decoder;
- the one-step MLP; PLS (up to 16 components) and KNN (up to 10
  neighbours); DS; PDS (window 5); SST; CORAL (its ridge tuned). Every
  grid (the networks' L2 penalty too) is tuned by 5-fold cross-validation
  on the N pairs, cut to what the fewest pairs allow; ``--models`` keeps
  some of them.

Scores: RSE of the test spectra, and the RMSEP of ``--analyte`` (oil by
default) of a PLS calibration (``--calibration-components``, 8 by default)
fitted on the primary instrument's pool spectra, applied to the
transferred test spectra (the floor: the same calibration on the true
primary test spectra; "no transfer": on the raw secondary test spectra).
Prints one table per direction and the summary at the largest N.
"""

import argparse
import itertools
import time

from sklearn.cross_decomposition import PLSRegression

from sklspec.datasets import load_corn
from sklspec.model_selection import transfer_learning_curve
from sklspec.papers import few_standards_models
from sklspec.transfer import LatentLibrary
from sklspec.vae import VAEEncoder

NETWORK = dict(lr=1e-3, batch_size=10, max_epochs=100, early_stopping=False, device="cpu")


def models_for(primary_library, seed, fewest_pairs, decoder, names, components=16):
    """The candidates, with a library fitted on the primary pool spectra."""
    vae = VAEEncoder((64,), latent_dim=8, beta=0.01, random_state=seed, **NETWORK)
    library = LatentLibrary(vae, decoder=decoder, n_components=components, random_state=seed)
    models = few_standards_models(
        library.fit(primary_library),
        fewest_pairs=fewest_pairs,
        network=NETWORK,
        standardization=True,
        random_state=seed,
    )
    return {name: models[name] for name in names or models}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[5, 10, 20, 40, 60])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--decoder", default="pca", choices=["vae", "pca", "pca+vae"])
    parser.add_argument("--components", type=int, default=16, help="the library's")
    parser.add_argument("--models", nargs="+", help="a subset of the candidates")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--analyte", default="oil", choices=["moisture", "oil", "protein", "starch"]
    )
    parser.add_argument("--calibration-components", type=int, default=8)
    parser.add_argument(
        "--directions", nargs="+", help="e.g. mp6:m5 (secondary:primary); default: all six"
    )
    args = parser.parse_args()
    corn = load_corn(analyte=args.analyte)
    directions = itertools.permutations(["m5", "mp5", "mp6"], 2)
    if args.directions:
        directions = [tuple(d.split(":")[::-1]) for d in args.directions]
    pool, test = corn.split != "test", corn.split == "test"
    summary = {}
    for primary_name, secondary_name in directions:
        start = time.perf_counter()
        primary, secondary = corn.spectra[primary_name], corn.spectra[secondary_name]
        calibration = PLSRegression(args.calibration_components).fit(
            primary[pool], corn.target[pool]
        )
        raw = calibration.predict(secondary[test]).ravel() - corn.target[test]
        result = transfer_learning_curve(
            secondary[pool],
            primary[pool],
            secondary[test],
            primary[test],
            models=models_for(
                primary[pool],
                args.seed,
                min(args.pairs),
                args.decoder,
                args.models,
                args.components,
            ),
            n_pairs=args.pairs,
            n_repeats=args.repeats,
            calibration=calibration,
            test_targets=corn.target[test],
            random_state=args.seed,
        )
        direction = f"{secondary_name} -> {primary_name}"
        print(
            f"\n{direction} ({time.perf_counter() - start:.0f} s): test RSE and {args.analyte} "
            f"RMSEP (%) by number of standards; floor {result.calibration_floor:.3f}, "
            f"no transfer {(raw**2).mean() ** 0.5:.3f}"
        )
        table = result.table[["rse", "calibration_rmse"]].unstack("n_pairs")
        print(table.round(3).to_string())
        largest = max(args.pairs)
        summary[direction] = result.table.xs(largest, level="n_pairs")["calibration_rmse"]
        summary[direction]["floor"] = result.calibration_floor
        summary[direction]["no transfer"] = (raw**2).mean() ** 0.5
    print(f"\n{args.analyte} RMSEP (%) with {max(args.pairs)} standards, every direction:")
    import pandas as pd

    print(pd.DataFrame(summary).T.round(3).to_string())


if __name__ == "__main__":
    main()
