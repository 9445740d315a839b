"""SpectraFile: training and predicting from HDF5 and zarr without reading the file whole."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone

from sklspec.datasets import SpectraFile
from sklspec.transfer import LatentTransferRegressor, SpectralMLPRegressor
from sklspec.vae import VAEEncoder

h5py = pytest.importorskip("h5py")

VAE = dict(hidden_layer_sizes=(16,), latent_dim=2, max_epochs=3, batch_size=16, device="cpu")


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    amounts = rng.uniform(0, 1, (120, 3))
    primary = amounts @ np.abs(rng.normal(size=(3, 30))) + rng.normal(0, 0.01, (120, 30))
    secondary = amounts @ np.abs(rng.normal(size=(3, 20))) + rng.normal(0, 0.01, (120, 20))
    return secondary, primary


def write_hdf5(path, **arrays):
    with h5py.File(path, "w") as handle:
        for key, values in arrays.items():
            handle.create_dataset(key, data=values, chunks=(16, values.shape[1]))
    return path


def write_zarr(path, values):
    zarr = pytest.importorskip("zarr")
    array = zarr.open_array(str(path), mode="w", shape=values.shape,
                            chunks=(16, values.shape[1]), dtype=values.dtype)  # fmt: skip
    array[:] = values
    return path


@pytest.fixture(params=["hdf5", "zarr"])
def files(request, tmp_path, pairs):
    secondary, primary = pairs
    if request.param == "hdf5":
        path = write_hdf5(tmp_path / "map.h5", secondary=secondary, primary=primary)
        return SpectraFile(path, "secondary"), SpectraFile(path, "primary")
    return (
        SpectraFile(write_zarr(tmp_path / "secondary.zarr", secondary)),
        SpectraFile(write_zarr(tmp_path / "primary.zarr", primary)),
    )


@pytest.fixture
def never_whole(monkeypatch):
    """Make reading a SpectraFile whole an error: the estimators must read blocks of rows."""

    def whole(self, dtype=None, copy=None):
        raise AssertionError(f"{self!r} was read whole")

    monkeypatch.setattr(SpectraFile, "__array__", whole)


def test_rows_come_back_in_the_order_asked(files, pairs):
    secondary, _ = files
    expected = pairs[0]
    assert secondary.shape == expected.shape and secondary.dtype == np.float64
    rows = [7, 3, 99, 3, -1]
    np.testing.assert_array_equal(secondary[rows], expected[rows])
    np.testing.assert_array_equal(secondary[10:20], expected[10:20])
    np.testing.assert_array_equal(np.asarray(secondary), expected)


def test_training_and_prediction_read_blocks_and_match_arrays(files, pairs, never_whole):
    secondary, primary = files
    X, Y = pairs
    vae = VAEEncoder(**VAE, random_state=0)
    on_disk = VAEEncoder(**VAE, random_state=0).fit(primary)
    in_memory = vae.fit(Y)
    assert on_disk.n_features_in_ == 30
    np.testing.assert_array_equal(on_disk.transform(primary), in_memory.transform(Y))
    np.testing.assert_array_equal(on_disk.history_[:, "train_loss"], vae.history_[:, "train_loss"])

    mapper = SpectralMLPRegressor((16,), max_epochs=3, batch_size=16, device="cpu")
    model = LatentTransferRegressor(VAEEncoder(**VAE, random_state=0), mapper, random_state=0)
    reference = clone(model).fit(X, Y)
    model.fit(secondary, primary)
    np.testing.assert_array_equal(model.predict(secondary), reference.predict(X))
    with pytest.raises(ValueError, match="X has 30 features, but LatentTransferRegressor"):
        model.predict(primary)


def test_each_process_opens_the_file_itself(files, pairs):
    secondary, _ = files
    secondary[:2]  # opened here
    copy = pickle.loads(pickle.dumps(secondary))
    assert copy._array is None
    blocks = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(lambda f, start: f[start : start + 30])(secondary, start)
        for start in range(0, 120, 30)
    )
    np.testing.assert_array_equal(np.vstack(blocks), pairs[0])


def test_bad_files_give_one_clear_error(tmp_path, pairs):
    X = pairs[0].copy()
    with pytest.raises(FileNotFoundError, match="no such file"):
        SpectraFile(tmp_path / "missing.h5")
    (tmp_path / "notes.txt").write_text("not spectra")
    with pytest.raises(ValueError, match="not an HDF5 file"):
        SpectraFile(tmp_path / "notes.txt")
    path = write_hdf5(tmp_path / "two.h5", a=X, b=X)
    with pytest.raises(ValueError, match="holds 2 datasets .*give the key"):
        SpectraFile(path)
    with pytest.raises(ValueError, match="no dataset 'c'"):
        SpectraFile(path, "c")
    with h5py.File(tmp_path / "flat.h5", "w") as handle:
        handle.create_dataset("spectra", data=X[0])
        handle.create_dataset("labels", data=np.array([[b"a", b"b"]]))
    with pytest.raises(ValueError, match="must be a 2-D array"):
        SpectraFile(tmp_path / "flat.h5", "spectra")
    with pytest.raises(ValueError, match="not floating-point"):
        SpectraFile(tmp_path / "flat.h5", "labels")
    X[77, 5] = np.nan
    broken = SpectraFile(write_hdf5(tmp_path / "nan.h5", spectra=X))
    with pytest.raises(ValueError, match="Input X contains NaN or infinity .*row 77"):
        VAEEncoder(**VAE).fit(broken)
