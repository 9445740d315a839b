"""The transfer paper's comparison on simulated maps of 20,000 training shots.

Every model gets the same care: the paper's architectures and grids
(``paper_transfer_models``), one validation map for ``GridSearchCV``,
refit on training plus validation, one evaluation on the test map (recorded
"on another day", with a shifted baseline). The neural models train for
``--epochs`` epochs (VAE learning rate 1e-3, as in ``sklspec demo``) and
search the MLP learning rate over the paper's 1e-3 and 1e-4.

    python benchmarks/compare_libs_20k.py --out /tmp/libs20k

Prints the table (unscaled primary spectra, as the paper reports) and writes
it to ``comparison.csv`` with the figures in ``--out``.
"""

import argparse
import os
import time

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.datasets import make_libs_transfer
from sklspec.preprocessing import BaselineSubtractor
from sklspec.transfer import (
    compare_transfer_models,
    paper_transfer_models,
    plot_transfer_maps,
    plot_transfer_spectra,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", default="100x200", help="training map shape, rows x cols")
    parser.add_argument("--validation", default="25x200")
    parser.add_argument("--test", default="50x200")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="libs20k")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    start = time.perf_counter()
    maps = {}
    for region in ("train", "validation", "test"):
        shape = tuple(int(n) for n in getattr(args, region).split("x"))
        maps[region] = make_libs_transfer(shape, region=region, random_state=args.seed)
        print(f"[{time.perf_counter() - start:6.0f} s] {region} map {shape}", flush=True)

    baseline = BaselineSubtractor()
    Y = {region: baseline.fit_transform(data.X_primary) for region, data in maps.items()}
    X = {region: data.X_secondary for region, data in maps.items()}

    models = paper_transfer_models(random_state=args.seed, max_epochs=args.epochs)
    models["vae_mlp"][0].set_params(vae__lr=1e-3)
    models["vae_mlp"] = (models["vae_mlp"][0], {"lr": [1e-3, 1e-4]})
    result = compare_transfer_models(
        X["train"],
        Y["train"],
        X["validation"],
        Y["validation"],
        X["test"],
        Y["test"],
        models=models,
        preprocessing=make_pipeline(BaselineSubtractor(), StandardScaler()),
        random_state=args.seed,
        verbose=1,
    )
    print(f"\n[{time.perf_counter() - start:6.0f} s] done; training pairs: {len(Y['train'])}")
    with_params = result.table.copy()
    print(with_params.drop(columns="best_params").round(4).to_string())
    print(with_params["best_params"].to_string())
    with_params.to_csv(os.path.join(args.out, "comparison.csv"))

    import matplotlib

    matplotlib.use("Agg")
    test = maps["test"]
    plot_transfer_maps(
        result,
        Y["test"],
        test.map_shape,
        order=test.raster_order,
        wavelengths=test.wavelengths_primary,
        wavelength_range=(394, 397),
    ).savefig(os.path.join(args.out, "maps.png"), dpi=110)
    rows = [int(np.flatnonzero(test.phase == p)[0]) for p in range(3) if np.any(test.phase == p)]
    plot_transfer_spectra(result, Y["test"], rows, wavelengths=test.wavelengths_primary).savefig(
        os.path.join(args.out, "spectra.png"), dpi=110
    )


if __name__ == "__main__":
    main()
