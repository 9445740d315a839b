"""Which per-spectrum score predicts the error of transferred spectra? Spearman correlations.

    python benchmarks/reliability_scores.py

Simulated LIBS maps (``make_libs_transfer``, seed 0): a 48 x 64 training
map, a 24 x 64 validation map (another area, same day) and a 32 x 64 test
map (another day). Two transfer models: a VAE + MLP (VAE 256-64, latent 16,
30 epochs; mapping MLP 128-256, 40 epochs) and a PLS (16 components), both
behind standard scaling. For every spectrum of the held-out maps, the true
error is the Euclidean distance between its transferred and its true
primary spectrum; each candidate score is computed without the true
primary spectrum, and the table prints its Spearman correlation with the
error (validation / test). Candidates: the Q residual and Hotelling's T2 of
the secondary spectrum (``TransferReliability`` and chemotools'
``HotellingT2``, 10 principal components), the norm of the transferred
spectrum (a trivial score: errors grow with brightness), and, for the VAE +
MLP, the mean distance of the mapped latent point to its 10 nearest
primary codes and the spread of three mapping networks (seeds 0-2) on one
frozen VAE.
"""

import time

import numpy as np
import torch
from scipy.stats import spearmanr
from sklearn.compose import TransformedTargetRegressor
from sklearn.cross_decomposition import PLSRegression
from sklearn.decomposition import PCA
from sklearn.frozen import FrozenEstimator
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.datasets import make_libs_transfer
from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor, TransferReliability
from sklspec.vae import VAEEncoder


def scaled(model):
    return TransformedTargetRegressor(
        make_pipeline(StandardScaler(), model), transformer=StandardScaler()
    )


def main():
    torch.set_num_threads(1)
    start = time.perf_counter()
    shapes = {"train": (48, 64), "validation": (24, 64), "test": (32, 64)}
    maps = {r: make_libs_transfer(s, region=r, random_state=0) for r, s in shapes.items()}
    train = maps["train"]
    target_scaler = StandardScaler().fit(train.X_primary)
    vae = VAEEncoder(
        (256, 64), latent_dim=16, lr=1e-3, max_epochs=30, batch_size=64, device="cpu",
        random_state=0,
    ).fit(target_scaler.transform(train.X_primary))  # fmt: skip

    def vae_mlp(seed):
        mapper = SpectralMLPRegressor((128, 256), lr=1e-3, max_epochs=40, batch_size=64)
        mapper.set_params(device="cpu")
        return scaled(LatentTransferRegressor(FrozenEstimator(vae), mapper, random_state=seed))

    models = {
        "VAE + MLP": [vae_mlp(seed).fit(train.X_secondary, train.X_primary) for seed in range(3)],
        "PLS": [scaled(PLSRegression(16, scale=False)).fit(train.X_secondary, train.X_primary)],
    }
    reliability = TransferReliability(n_components=10).fit(train.X_secondary)
    from chemotools.outliers import HotellingT2

    pca = make_pipeline(StandardScaler(), PCA(10, svd_solver="covariance_eigh"))
    hotelling = HotellingT2(pca.fit(train.X_secondary)).fit(train.X_secondary)
    codes = vae.transform(target_scaler.transform(train.X_primary))
    neighbours = NearestNeighbors(n_neighbors=10).fit(codes)

    rows = {}
    for name, fitted in models.items():
        for region in ("validation", "test"):
            data = maps[region]
            predicted = fitted[0].predict(data.X_secondary)
            error = np.linalg.norm(predicted - data.X_primary, axis=1)
            scores = {
                "Q residual (TransferReliability)": reliability.transform(data.X_secondary),
                "Hotelling's T2": hotelling.predict_residuals(data.X_secondary),
                "norm of the transferred spectrum": np.linalg.norm(predicted, axis=1),
            }
            if name == "VAE + MLP":
                inner = fitted[0].regressor_
                latent = inner[-1].transform(inner[0].transform(data.X_secondary))
                scores["latent distance to the primary codes"] = neighbours.kneighbors(latent)[
                    0
                ].mean(axis=1)
                spread = np.stack([m.predict(data.X_secondary) for m in fitted]).std(axis=0)
                scores["spread of 3 mapping networks"] = spread.mean(axis=1)
            for score, values in scores.items():
                rho = spearmanr(np.ravel(values), error).statistic
                rows.setdefault((score, name), {})[region] = rho
    print(f"{time.perf_counter() - start:.0f} s")
    print(f"{'score':<40}{'model':<12}{'validation':>11}{'test':>7}")
    for (score, name), values in rows.items():
        print(f"{score:<40}{name:<12}{values['validation']:>11.2f}{values['test']:>7.2f}")


if __name__ == "__main__":
    main()
