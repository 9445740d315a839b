"""Scaling out with dask: searches on a LocalCluster, predictions over dask arrays."""

import numpy as np
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.exceptions import NotFittedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV

from sklspec.parallel import predict_blocks
from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import VAEEncoder

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


def paired_spectra(n_samples, seed=0):
    """Secondary (30 channels) and primary (40 channels) spectra of 3-component samples."""
    rng = np.random.default_rng(seed)
    amounts = rng.uniform(0, 1, (n_samples, 3))
    X = amounts @ np.abs(rng.normal(size=(3, 30))) + rng.normal(0, 0.01, (n_samples, 30))
    Y = 10 * amounts @ np.abs(rng.normal(size=(3, 40))) + rng.normal(0, 0.1, (n_samples, 40))
    return X.astype(np.float32), Y.astype(np.float32)


def mlp(**params):
    return SpectralMLPRegressor(
        (16,), lr=1e-2, max_epochs=8, device="cpu", random_state=0, **params
    )


@pytest.fixture(scope="module")
def client():
    # Two worker processes, as on a real cluster: estimators and data travel
    # between processes (pickled), and each worker imports torch itself.
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
    assert cluster.status.name == "closed"


def test_grid_search_runs_its_fits_on_the_cluster(client):
    X, Y = paired_spectra(200)
    grid = {"lr": [1e-3, 1e-2], "hidden_layer_sizes": [(8,), (16,)]}
    local = GridSearchCV(mlp(), grid, cv=2).fit(X, Y)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        remote = GridSearchCV(mlp(), grid, cv=2, n_jobs=-1).fit(X, Y)
    workers = {task["worker"] for task in tasks.data}
    assert len(workers) == 2  # both workers fitted models
    # Same seeds, same scores: where a fit runs does not change it.
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-4
    )
    assert remote.best_params_ == local.best_params_


def test_successive_halving_over_epochs_on_the_cluster(client):
    # Hyperband's building block: many settings trained for few epochs, the
    # best third trained longer (scikit-learn's HalvingGridSearchCV with
    # max_epochs as the resource; dask-ml's HyperbandSearchCV fails with
    # dask >= 2025.3, dask/dask-ml#1016).
    X, Y = paired_spectra(200)
    search = HalvingGridSearchCV(
        mlp(early_stopping=False, validation_fraction=None),
        {"lr": [1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 3e-2, 1e-1]},
        resource="max_epochs",
        min_resources=3,
        max_resources=27,
        factor=3,
        cv=2,
        random_state=0,
    )
    with joblib.parallel_backend("dask"):
        search.fit(X, Y)
    assert search.n_resources_ == [3, 9, 27]
    assert search.n_candidates_ == [9, 3, 1]
    assert search.best_estimator_.max_epochs == 27
    assert search.best_estimator_.n_iter_ == 27
    assert search.best_params_["lr"] >= 1e-3  # lr 1e-4 learns nothing in 27 epochs


def test_predict_blocks_on_the_cluster_matches_predict(client):
    X, Y = paired_spectra(400)
    vae = VAEEncoder((16,), latent_dim=3, lr=1e-2, max_epochs=10, device="cpu", random_state=0)
    model = LatentTransferRegressor(vae, mlp(), random_state=0).fit(X[:200], Y[:200])
    spectra = da.from_array(X, chunks=(150, 10))  # split channels too: merged
    transferred = predict_blocks(model, spectra)
    assert transferred.shape == (400, 40) and transferred.chunks[0] == (150, 150, 100)
    np.testing.assert_allclose(transferred.compute(), model.predict(X), rtol=1e-5, atol=1e-6)
    codes = predict_blocks(model.vae_, da.from_array(Y, chunks=100), method="transform")
    np.testing.assert_allclose(codes.compute(), model.vae_.transform(Y), rtol=1e-5, atol=1e-6)
    assert codes.dtype == model.vae_.transform(Y[:1]).dtype


def test_predict_blocks_keeps_one_dimensional_outputs_and_explains_bad_input():
    X, Y = paired_spectra(100)
    ridge = Ridge().fit(X, Y[:, 0])
    result = predict_blocks(ridge, da.from_array(X, chunks=30))
    assert result.shape == (100,) and result.chunks == ((30, 30, 30, 10),)
    np.testing.assert_allclose(result.compute(scheduler="sync"), ridge.predict(X), rtol=1e-6)
    with pytest.raises(TypeError, match="2-D dask array of spectra"):
        predict_blocks(ridge, X)
    with pytest.raises(TypeError, match="with 1 dimensions"):
        predict_blocks(ridge, da.from_array(X[0]))
    with pytest.raises(NotFittedError):
        predict_blocks(PLSRegression(), da.from_array(X))
    with pytest.raises(AttributeError, match="Ridge has no method 'transform'"):
        predict_blocks(ridge, da.from_array(X), method="transform")
    with pytest.raises(ValueError, match="'method' parameter of predict_blocks must be"):
        predict_blocks(ridge, da.from_array(X), method="fit")
