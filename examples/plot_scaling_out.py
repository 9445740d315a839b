"""
Scaling out with dask: searches on a cluster, maps larger than memory
=====================================================================

Two things grow past one process in a LIBS imaging lab: hyperparameter
searches (each setting is a network to train) and the maps to transfer
(megapixels x thousands of channels). Neither needs new machinery:

- scikit-learn's searches run their fits through joblib, whose ``"dask"``
  backend sends them to the workers of a ``dask.distributed`` cluster. With
  ``resource="max_epochs"``, ``HalvingGridSearchCV`` is successive halving
  by epochs, Hyperband's building block: every setting trains a few epochs,
  the best third trains three times longer, and so on;
- :func:`~sklspec.parallel.predict_blocks` applies a fitted model to a dask
  array block by block, where each block lives, so a map is transferred
  without ever being gathered in one machine's memory.

Here the cluster is a ``LocalCluster`` on this machine (two workers); the
same code runs on a real one by passing its scheduler's address to
``Client``. Needs ``pip install 'sklspec[dask]'``.
"""

# %%
# A cluster, and a transfer problem
# ---------------------------------
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from joblib import parallel_backend
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklspec.datasets import make_libs_transfer
from sklspec.maps import MapDisplay
from sklspec.parallel import predict_blocks
from sklspec.transfer import SpectralMLPRegressor

# Workers as threads of this process (``processes=False``): a script run
# without an ``if __name__ == "__main__":`` guard cannot start worker
# processes. The package's tests run the same calls on worker processes.
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
client = Client(cluster)
train = make_libs_transfer((24, 40), region="train", grain_size=12, random_state=0)
test = make_libs_transfer((48, 64), region="test", grain_size=12, random_state=0)
print(f"training pairs: {train.X_secondary.shape[0]}, map to transfer: {test.map_shape}")

# %%
# Successive halving by epochs, on the workers
# --------------------------------------------
# Nine learning rates of the one-step MLP (secondary to primary spectra):
# nine networks train 4 epochs, the best three 12, the best one 36.
model = make_pipeline(
    StandardScaler(),
    SpectralMLPRegressor((64,), early_stopping=False, validation_fraction=None, random_state=0),
)
search = HalvingGridSearchCV(
    model,
    {"spectralmlpregressor__lr": np.geomspace(1e-4, 1e-1, 9)},
    resource="spectralmlpregressor__max_epochs",
    min_resources=4,
    max_resources=36,
    factor=3,
    cv=2,
    random_state=0,
)
with parallel_backend("dask"):
    search.fit(train.X_secondary, train.X_primary)
print("epochs per round:", search.n_resources_, "settings per round:", search.n_candidates_)
print("best learning rate:", search.best_params_["spectralmlpregressor__lr"].round(5))

# %%
# Transfer a map block by block
# -----------------------------
# The map as a dask array of 512-spectrum blocks (from ``dask.array.from_zarr``
# or ``from_array`` over an HDF5 dataset for a map on disk). Nothing is
# computed until ``compute()`` (or ``to_zarr()``, which writes the result
# block by block instead).
secondary = da.from_array(test.X_secondary.astype(np.float32), chunks=(512, -1))
transferred = predict_blocks(search.best_estimator_, secondary)
print(transferred)
error = np.linalg.norm(transferred.compute() - test.X_primary, axis=1)

# %%
# The Euclidean error of each transferred spectrum, mapped (the transfer
# paper's Fig. 8 draws such maps: errors concentrate where the matrix
# changes). The test map was measured on another day than the training map.
fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
MapDisplay.from_values(
    error,
    test.map_shape,
    order=test.raster_order,
    title="one-step MLP, chosen on the cluster",
    label="Euclidean error (counts)",
    ax=ax,
)
plt.show()

client.close()
cluster.close()
