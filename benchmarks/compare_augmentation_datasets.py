"""The augmentation paper's Monte-Carlo comparison on simulated mixtures or the corn data.

    python benchmarks/compare_augmentation_datasets.py absorption --n-samples 1000
    python benchmarks/compare_augmentation_datasets.py corn
    python benchmarks/compare_augmentation_datasets.py corn --learning-curve --splits 4

8 random 7:2:1 splits; in each, the reference networks (one MLP per target,
64-16 sigmoid, ``reference_regressor()``, each target's L2 chosen by 3-fold
CV on E and held for the augmented sets) train on the experimental data
alone (E) and on E doubled by each strategy: VAE(n), VAE(u), cVAE(n), the
aggregate posterior and latent interpolation; the mean predictor and a PLS
tuned by 5-fold CV (on E and on each augmented set) are reported alongside.
Spectra are min-max scaled per channel on the training part. The VAE is the
paper's (256 sigmoid units) with a narrower latent space and capped epochs
(``--latent-dim``, ``--epochs``) to run on 2 CPU cores. Prints the table
(test MAE mean and spread over splits, change against E, or against PLS on
E for PLS rows, paired t-test p-value) and writes it and the figure to
``--out``. ``--learning-curve`` runs ``augmentation_learning_curve`` instead
(``--fractions`` of the training part).

A long comparison can be spread over several runs: ``--only-splits 0 1``
runs those splits and saves them to ``--out``; ``--combine`` then puts every
saved split together and prints the full table, as one run would have.

    python benchmarks/compare_augmentation_datasets.py absorption --choose 3 --only-splits 0 1
    python benchmarks/compare_augmentation_datasets.py absorption --choose 3 --combine
"""

import argparse
import glob
import os
import time

import joblib

from sklspec.augmentation import reference_regressor
from sklspec.datasets import load_corn, make_absorption_mixtures
from sklspec.papers import (
    augmentation_learning_curve,
    combine_augmentation_results,
    compare_augmentation,
    paper_augmentation_strategies,
    plot_augmentation_comparison,
    plot_augmentation_learning_curve,
)
from sklspec.vae import PRESETS, VAEEncoder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=["absorption", "corn"])
    parser.add_argument("--n-samples", type=int, default=1000, help="absorption spectra")
    parser.add_argument("--latent-dim", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--patience", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="augmentation")
    parser.add_argument("--splits", type=int, default=8)
    parser.add_argument("--strategies", nargs="+", help="names of the paper's strategies")
    parser.add_argument("--learning-curve", action="store_true")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.25, 0.5, 1.0])
    parser.add_argument(
        "--n-jobs", type=int, default=2, help="parallel fits of the reference networks' L2 search"
    )
    parser.add_argument(
        "--choose", type=int, help="inner folds that choose a strategy per target (E+CV rows)"
    )
    parser.add_argument(
        "--only-splits", type=int, nargs="+", help="run these splits and save them to --out"
    )
    parser.add_argument(
        "--combine", action="store_true", help="put the splits saved in --out together"
    )
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    if args.dataset == "absorption":
        data = make_absorption_mixtures(args.n_samples, random_state=args.seed)
        X, y, names = data.data, data.target, data.target_names
    else:
        corn = load_corn()
        X, y, names = corn.spectra["m5"], corn.target, corn.target_names
    vae = VAEEncoder(
        **{
            **PRESETS["mushchina2025"],
            "latent_dim": args.latent_dim,
            "max_epochs": args.epochs,
            "patience": args.patience,
            "batch_size": min(64, int(0.7 * len(X)) // 2),
            "device": "cpu",
        }
    )
    strategies = paper_augmentation_strategies(vae)
    if args.strategies:
        strategies = {name: strategies[name] for name in ["E", *args.strategies]}
    start = time.perf_counter()
    common = dict(
        strategies=strategies,
        regressor=reference_regressor(n_jobs=args.n_jobs),
        n_splits=args.splits,
        target_names=names,
        random_state=args.seed,
        verbose=1,
    )
    pieces = os.path.join(args.out, f"{args.dataset}-split*.joblib")
    if args.learning_curve:
        result = augmentation_learning_curve(X, y, fractions=args.fractions, **common)
    elif args.combine:
        # Our own files, written by --only-splits: joblib is safe to load here.
        result = combine_augmentation_results([joblib.load(f) for f in sorted(glob.glob(pieces))])
        print(f"combined splits {sorted(set(result.scores['split']))} from {pieces}")
    else:
        result = compare_augmentation(X, y, choose=args.choose, splits=args.only_splits, **common)
        if args.only_splits:
            for k in args.only_splits:
                part = {key: value for key, value in result.items()}
                for key in ("scores", "acceptance", "reference_params", "chosen"):
                    frame = result[key]
                    part[key] = frame[frame["split"] == k] if len(frame) else frame
                joblib.dump(type(result)(**part), pieces.replace("*", str(k)))
            print(f"saved splits {args.only_splits}; --combine once every split has run")
    print(f"\n{args.dataset}: {X.shape}, {time.perf_counter() - start:.0f} s")
    print(result.table.round(4).to_string())
    if "reference_params" in result and len(result.reference_params):
        chosen = result.reference_params.groupby("target", sort=False)["alpha"]
        print("L2 chosen on E per target (counts over splits):")
        print(chosen.value_counts().unstack(fill_value=0).to_string())
    if len(result.get("chosen", ())):
        print("Strategy chosen by inner CV (counts over splits):")
        counts = result.chosen.groupby(["model", "target"], sort=False)["strategy"]
        print(counts.value_counts().unstack(fill_value=0).to_string())
    kind = "learning-curve" if args.learning_curve else "comparison"
    result.table.to_csv(os.path.join(args.out, f"{args.dataset}-{kind}.csv"))

    import matplotlib

    matplotlib.use("Agg")
    if args.learning_curve:
        figure = plot_augmentation_learning_curve(result)[0].figure
    else:
        print(result.acceptance.groupby("strategy", sort=False)["acceptance_rate"].mean().round(3))
        figure = plot_augmentation_comparison(result).figure
    figure.savefig(os.path.join(args.out, f"{args.dataset}-{kind}.png"), dpi=110)


if __name__ == "__main__":
    main()
