"""Write ``model_file_v1.sklspec``: a model file in the format of sklspec 0.1.0.dev0 (2026-12-05).

    python tests/data/make_model_file_fixture.py

Run once, at commit e67e287, before model files named classes by their
public import paths; kept so that ``tests/test_io.py`` checks that files
written then still load and predict the same. Do not regenerate it: it
stands for the files users already have. ``model_file_v1.npz`` holds the
input spectra and what the model predicted when it was saved.
"""

from pathlib import Path

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.cross_decomposition import PLSRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.io import save
from sklspec.preprocessing import SpectralScaler
from sklspec.transfer import CORALRegressor, SpectralMLPRegressor, TransferReliability

HERE = Path(__file__).parent


def main():
    rng = np.random.default_rng(0)
    amounts = rng.uniform(size=(40, 3))
    Y = amounts @ np.abs(rng.normal(size=(3, 12)))
    X = 1.1 * Y + 0.05 + rng.normal(0, 0.01, Y.shape)
    pls = TransformedTargetRegressor(
        Pipeline([("scale", StandardScaler()), ("pls", PLSRegression(3, scale=False))]),
        transformer=SpectralScaler("global"),
    ).fit(X, Y)
    companions = {
        "knn": KNeighborsRegressor(3).fit(X, Y),
        "coral": CORALRegressor(alpha=0.1).fit(X, Y),
        "mlp": SpectralMLPRegressor(
            (8,), max_epochs=5, batch_size=16, device="cpu", random_state=0
        ).fit(X.astype(np.float32), Y.astype(np.float32)),
        "reliability": TransferReliability(n_components=2).fit(X),
    }
    save(pls, HERE / "model_file_v1.sklspec", info={"fixture": "v1"}, companions=companions)
    predictions = {"model": pls.predict(X)}
    for name, model in companions.items():
        data = X.astype(np.float32) if name == "mlp" else X
        predictions[name] = model.transform(X) if name == "reliability" else model.predict(data)
    np.savez(HERE / "model_file_v1.npz", X=X, **predictions)


if __name__ == "__main__":
    main()
