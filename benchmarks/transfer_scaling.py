"""Which scaling in front of a transfer model: per channel, one global scale, or centring only.

    python benchmarks/transfer_scaling.py                 # LIBS (PLS, the library VAE), corn
    python benchmarks/transfer_scaling.py --parts pls corn  # PLS only (about 3 minutes)

LIBS: ``make_libs_transfer`` with the view physics on (seed 0), the paper's
baseline subtracted from both instruments; a 40 x 100 training map (4,000
pairs), a 10 x 100 validation map that picks PLS's components (4 to 32) and
a 20 x 100 test map recorded on another day (its baseline shifted). Both
sides scaled alike by ``SpectralScaler(scaling)``; RSE of the test map
against the recorded primary spectra and against the noiseless ones (the
floor: the primary noise alone).

The library VAE's reconstruction floor: a VAE (the paper's 1024-512-64,
cyclical KL annealing) in a ``LatentLibrary``, fitted on the 4,000 primary
training spectra, encodes and decodes the TRUE primary spectra of each map.
No mapper onto that decoder can do better. The paper's settings (per-channel
scaling, KL weight 0.5, lr 1e-4) against one global scale and a small KL
weight. Then ``LatentLibrary``'s own decoders: its default VAE, principal
components, and both.

Corn: the 60 pool pairs fit PLS (components by 5-fold CV, 1 to 16), the 20
test samples are scored (RSE and oil RMSEP of an 8-component PLS
calibration on the primary pool spectra), in all six directions.
"""

import argparse
import itertools
import time
import warnings

from sklearn.compose import TransformedTargetRegressor
from sklearn.cross_decomposition import PLSRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

from sklspec.datasets import load_corn, make_libs_transfer
from sklspec.exceptions import TrainingDivergedError
from sklspec.metrics import calibration_error, relative_squared_error
from sklspec.preprocessing import BaselineSubtractor, SpectralScaler
from sklspec.transfer import LatentLibrary
from sklspec.vae import VAEEncoder

SCALINGS = ("channel", "global", "none")


def scaled(estimator, scaling):
    """``estimator`` between the same scaling of both sides."""
    return TransformedTargetRegressor(
        make_pipeline(SpectralScaler(scaling), estimator),
        transformer=SpectralScaler(scaling),
        check_inverse=False,
    )


def libs_maps(seed):
    baseline = BaselineSubtractor()
    maps = {}
    for region, shape in (("train", (40, 100)), ("validation", (10, 100)), ("test", (20, 100))):
        data = make_libs_transfer(shape, region=region, random_state=seed, return_noiseless=True)
        Y = baseline.fit_transform(data.X_primary)
        maps[region] = {
            "X": baseline.fit_transform(data.X_secondary),
            "Y": Y,
            # The recorded spectrum's baseline, subtracted from the noiseless one: a
            # baseline of its own would sit higher (no noise dips for the minimum).
            "Y_clean": data.X_primary_noiseless - (data.X_primary - Y),
        }
    return maps


def libs_pls(maps):
    train, validation, test = maps["train"], maps["validation"], maps["test"]
    print("\nLIBS, PLS (components chosen on the validation map): test RSE")
    print(f"{'scaling':<9}{'components':>11}{'RSE':>9}{'RSE vs noiseless':>18}{'s':>6}")
    for scaling in SCALINGS:
        start = time.perf_counter()
        best = None
        for k in (4, 8, 16, 32):
            model = scaled(PLSRegression(k, scale=False), scaling).fit(train["X"], train["Y"])
            rse = relative_squared_error(validation["Y"], model.predict(validation["X"]))
            if best is None or rse < best[0]:
                best = (rse, k, model)
        _, k, model = best
        predicted = model.predict(test["X"])
        print(
            f"{scaling:<9}{k:>11}{relative_squared_error(test['Y'], predicted):>9.4f}"
            f"{relative_squared_error(test['Y_clean'], predicted):>18.4f}"
            f"{time.perf_counter() - start:>6.0f}"
        )
    floor = relative_squared_error(test["Y"], test["Y_clean"])
    print(f"the primary noise alone (noiseless vs recorded test spectra): RSE {floor:.4f}")


def libs_vae_floor(maps, seed, epochs):
    print(f"\nLIBS, the library VAE's reconstruction floor (1024-512-64, {epochs} epochs)")
    print(f"{'scaling':<9}{'KL weight':>10}{'lr':>7}{'train':>8}{'valid':>8}{'test':>8}{'s':>6}")
    settings = [("channel", 0.5, 1e-4), ("channel", 0.01, 1e-4), ("global", 0.5, 1e-3)]
    settings += [("global", 0.01, 1e-3), ("global", 0.01, 1e-4)]
    for scaling, beta, lr in settings:
        start = time.perf_counter()
        vae = VAEEncoder(
            (1024, 512),
            64,
            beta=beta,
            kl_schedule="cyclical",
            lr=lr,
            batch_size=128,
            max_epochs=epochs,
            early_stopping=False,
            device="cpu",
            random_state=seed,
        )
        try:
            library = LatentLibrary(vae, scaling=scaling).fit(maps["train"]["Y"])
        except TrainingDivergedError as exc:
            print(f"{scaling:<9}{beta:>10g}{lr:>7g}  diverged: {exc}")
            continue
        floors = [
            relative_squared_error(
                maps[r]["Y"], library.inverse_transform(library.transform(maps[r]["Y"]))
            )
            for r in ("train", "validation", "test")
        ]
        print(
            f"{scaling:<9}{beta:>10g}{lr:>7g}"
            + "".join(f"{f:>8.4f}" for f in floors)
            + f"{time.perf_counter() - start:>6.0f}"
        )


def libs_libraries(maps, seed):
    print("\nLIBS, LatentLibrary's decoders (global scaling): reconstruction floor")
    print(f"{'library':<34}{'held out':>9}{'valid':>8}{'test':>8}{'s':>6}")
    candidates = {
        "LatentLibrary() (VAE 512-16)": LatentLibrary(random_state=seed),
        "PCA, 16 components": LatentLibrary(decoder="pca", n_components=16, random_state=seed),
        "PCA, 64 components": LatentLibrary(decoder="pca", n_components=64, random_state=seed),
        "PCA 16 + VAE 512-16": LatentLibrary(decoder="pca+vae", random_state=seed),
    }
    for name, library in candidates.items():
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            library.fit(maps["train"]["Y"])
        floors = [library.reconstruction_error(maps[r]["Y"]) for r in ("validation", "test")]
        print(
            f"{name:<34}{library.reconstruction_error_:>9.4f}"
            + "".join(f"{f:>8.4f}" for f in floors)
            + f"{time.perf_counter() - start:>6.0f}"
            + "".join(f"  ({w.message})" for w in caught if "Floor" in w.category.__name__)
        )


def corn_pls(seed):
    corn = load_corn()
    pool, test = corn.split != "test", corn.split == "test"
    print("\ncorn, PLS on the 60 pool pairs: test RSE / oil RMSEP (%)")
    print(f"{'secondary -> primary':<22}" + "".join(f"{s:>17}" for s in SCALINGS) + f"{'floor':>8}")
    for primary_name, secondary_name in itertools.permutations(["m5", "mp5", "mp6"], 2):
        primary, secondary = corn.spectra[primary_name], corn.spectra[secondary_name]
        calibration = PLSRegression(n_components=8).fit(primary[pool], corn.target[pool])
        cells = []
        for scaling in SCALINGS:
            search = GridSearchCV(
                scaled(PLSRegression(scale=False), scaling),
                {"regressor__plsregression__n_components": list(range(1, 17))},
                cv=KFold(5, shuffle=True, random_state=seed),
                scoring="neg_mean_squared_error",
            ).fit(secondary[pool], primary[pool])
            predicted = search.predict(secondary[test])
            rmsep = calibration_error(
                primary[test], predicted, calibration=calibration, targets=corn.target[test]
            )
            cells.append(f"{relative_squared_error(primary[test], predicted):.4f} / {rmsep:.3f}")
        floor = calibration_error(
            primary[test], primary[test], calibration=calibration, targets=corn.target[test]
        )
        print(f"{secondary_name + ' -> ' + primary_name:<22}" + "".join(f"{c:>17}" for c in cells)
              + f"{floor:>8.3f}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40, help="the library VAE's")
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=["pls", "corn", "vae", "library"],
        default=["pls", "corn", "vae", "library"],
    )
    args = parser.parse_args()
    start = time.perf_counter()
    maps = libs_maps(args.seed)
    print(f"LIBS maps simulated and baseline-subtracted: {time.perf_counter() - start:.0f} s")
    if "pls" in args.parts:
        libs_pls(maps)
    if "corn" in args.parts:
        corn_pls(args.seed)
    if "vae" in args.parts:
        libs_vae_floor(maps, args.seed, args.epochs)
    if "library" in args.parts:
        libs_libraries(maps, args.seed)
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
