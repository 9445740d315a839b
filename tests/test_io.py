"""sklspec.io: model files that round-trip exactly and never execute code when loaded."""

import json
import os
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from sklearn.cross_decomposition import PLSRegression
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.preprocessing import StandardScaler
from test_common import _instances

from sklspec.exceptions import ModelFileError
from sklspec.io import FORMAT_VERSION, load, read_info, save
from sklspec.io._allowlist import allowed_class_paths
from sklspec.io._encoding import Encoder
from sklspec.papers import wrap_transfer_model
from sklspec.transfer import (
    LatentLibrary,
    LatentTransferRegressor,
    SpectralMLPRegressor,
    StandardizationRegressor,
)
from sklspec.vae import VAEEncoder

safetensors = pytest.importorskip("safetensors.numpy")
CUDA = torch.cuda.is_available()


def test_the_allow_list_holds_every_public_estimator():
    from sklspec.io._allowlist import _SKLSPEC, allowed_class_paths, class_path
    from sklspec.utils import all_estimators

    assert set(_SKLSPEC) == {class_path(cls) for _, cls in all_estimators()}
    assert set(_SKLSPEC) <= allowed_class_paths()


def test_files_name_classes_by_their_public_paths_and_earlier_paths_still_load():
    from sklspec.io._allowlist import (
        _EARLIER_PATHS,
        _SKLSPEC,
        _THIRD_PARTY,
        class_path,
        import_allowed,
    )

    for path in (*_THIRD_PARTY, *_SKLSPEC):
        assert class_path(import_allowed(path)) == path
    # Only a class that no public module exports keeps its private path.
    private = [path for path in (*_THIRD_PARTY, *_SKLSPEC) if "._" in path]
    assert private == [
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    ]
    for earlier, public in _EARLIER_PATHS.items():
        assert import_allowed(earlier) is import_allowed(public), earlier
        assert class_path(import_allowed(earlier)) == public


def test_a_file_of_the_first_format_loads_and_predicts_as_it_did(tmp_path):
    # tests/data/model_file_v1.sklspec was written at e67e287, when files named classes
    # by their private modules (tests/data/make_model_file_fixture.py); users have such
    # files, and they must keep working.
    data = Path(__file__).parent / "data"
    path = data / "model_file_v1.sklspec"
    expected = np.load(data / "model_file_v1.npz")
    assert "sklearn.preprocessing._data.StandardScaler" in read_info(path)["classes"]
    X = expected["X"]
    model = load(path)
    np.testing.assert_array_equal(model.predict(X), expected["model"])
    for name in ("knn", "coral", "mlp", "reliability"):
        companion = load(path, companion=name)
        data_in = X.astype(np.float32) if name == "mlp" else X
        out = companion.transform(X) if name == "reliability" else companion.predict(data_in)
        np.testing.assert_array_equal(out, expected[name], err_msg=name)
    # Saved again, it names the public paths.
    save(model, tmp_path / "again.sklspec")
    classes = read_info(tmp_path / "again.sklspec")["classes"]
    assert "sklearn.preprocessing.StandardScaler" in classes
    assert all("._" not in path for path in classes), classes


def _outputs(model, X):
    """What a fitted model computes: predictions, transforms or samples."""
    if hasattr(model, "predict"):
        return [model.predict(X)]
    if hasattr(model, "fit_resample"):
        return list(model.sample(10))
    return [model.transform(X)]


@pytest.mark.parametrize("estimator", list(_instances()), ids=lambda e: type(e).__name__)
def test_every_public_estimator_round_trips_exactly_in_both_formats(tmp_path, estimator):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5)), rng.normal(size=(40, 5))
    if type(estimator).__name__ == "VAEDecoder":
        X = X[:, :2]
    if type(estimator).__name__ == "SlopeBiasCorrection":
        # A calibration a model file may hold (test_common's is a test class).
        y = y[:, 0]
        estimator = estimator.set_params(calibration=FrozenEstimator(PLSRegression(2).fit(X, y)))
    model = estimator.fit(X, y)
    save(model, tmp_path / "model.sklspec")
    joblib.dump(model, tmp_path / "model.joblib")
    for loaded in (load(tmp_path / "model.sklspec"), joblib.load(tmp_path / "model.joblib")):
        assert type(loaded) is type(model)
        assert loaded.get_params().keys() == model.get_params().keys()
        for got, expected in zip(_outputs(loaded, X), _outputs(model, X), strict=True):
            np.testing.assert_array_equal(got, expected)


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    amounts = rng.uniform(size=(200, 3))
    Y = 10 * amounts @ np.abs(rng.normal(size=(3, 30)))
    X = 10 * amounts @ np.abs(rng.normal(size=(3, 30)))
    return X, Y


CANDIDATES = {
    "vae_mlp": lambda: LatentTransferRegressor(
        VAEEncoder((16,), 2, max_epochs=5, device="cpu", random_state=0),
        SpectralMLPRegressor((16,), max_epochs=5, device="cpu"),
        random_state=0,
    ),
    # On the CPU: a loaded model predicts there, and predictions are compared on one device.
    "one_step": lambda: SpectralMLPRegressor(
        (16, 2, 16), max_epochs=5, device="cpu", random_state=0
    ),
    "pls": lambda: PLSRegression(3, scale=False),
    "knn": lambda: KNeighborsRegressor(3),
    "ds": lambda: StandardizationRegressor(),
}


@pytest.mark.parametrize("name", CANDIDATES)
def test_the_commands_candidate_models_round_trip_exactly(tmp_path, pairs, name):
    X, Y = pairs
    model = wrap_transfer_model(CANDIDATES[name](), StandardScaler()).fit(X, Y)
    save(model, tmp_path / "model.sklspec", info={"rse": 0.05, "wavelengths": [250.0, 251.5]})
    np.testing.assert_array_equal(load(tmp_path / "model.sklspec").predict(X), model.predict(X))
    info = read_info(tmp_path / "model.sklspec")
    assert info["info"] == {"rse": 0.05, "wavelengths": [250.0, 251.5]}
    assert info["model_class"] == "sklearn.compose.TransformedTargetRegressor"
    assert info["format_version"] == FORMAT_VERSION and "sklspec" in info["versions"]


def test_a_frozen_primary_vae_round_trips(tmp_path, pairs):
    X, Y = pairs
    vae = VAEEncoder((16,), 2, max_epochs=5, device="cpu", random_state=0).fit(Y)
    model = LatentTransferRegressor(FrozenEstimator(vae), random_state=0).set_params(
        mapper=SpectralMLPRegressor((8,), max_epochs=3, device="cpu")
    )
    model.fit(X, Y)
    save(model, tmp_path / "m.sklspec")
    loaded = load(tmp_path / "m.sklspec")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.vae_.estimator.sample_latent(3, random_state=0),
                                  vae.sample_latent(3, random_state=0))  # fmt: skip


def test_a_model_fitted_for_cuda_loads_and_predicts_on_cpu(tmp_path, pairs):
    X, Y = pairs
    model = SpectralMLPRegressor((8,), max_epochs=3, device="cpu", random_state=0).fit(X, Y)
    expected = model.predict(X)
    model.set_params(device="cuda")  # as a GPU-fitted model records it
    save(model, tmp_path / "m.sklspec")
    loaded = load(tmp_path / "m.sklspec")
    assert str(loaded.net_.device) == "cpu"
    assert next(loaded.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(loaded.predict(X), expected)


@pytest.mark.cuda
@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
def test_cuda_fit_then_cpu_load(tmp_path, pairs):
    X, Y = pairs
    model = SpectralMLPRegressor((8,), max_epochs=3, device="cuda", random_state=0).fit(X, Y)
    save(model, tmp_path / "m.sklspec")
    loaded = load(tmp_path / "m.sklspec")
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------ untrusted files


def _rewrite(path, edit, *, keep_checksum=False):
    """Rewrite a model file's description with ``edit`` (as an attacker would)."""
    from safetensors import safe_open

    with safe_open(str(path), framework="np") as handle:
        metadata = handle.metadata()
        tensors = {name: handle.get_tensor(name) for name in handle.keys()}
    header = json.loads(metadata["sklspec"])
    edit(header)
    structure = json.dumps(header)
    if not keep_checksum:  # an attacker recomputes it: the allow-list must still refuse
        from sklspec.io._format import _checksum

        metadata["checksum"] = _checksum(structure, tensors)
    safetensors.save_file(tensors, str(path), metadata={**metadata, "sklspec": structure})


@pytest.fixture
def saved(tmp_path, pairs):
    X, Y = pairs
    model = wrap_transfer_model(PLSRegression(2), StandardScaler()).fit(X, Y)
    save(model, tmp_path / "model.sklspec")
    return tmp_path / "model.sklspec", model, X


def _payload(marker):
    """What ``os.system("touch marker")`` looks like to the format, in every spelling."""
    return {"__object__": ["posix.system", {"__dict__": {"command": f"touch {marker}"}}, {}]}


def test_a_file_naming_os_system_is_refused_and_runs_nothing(saved, tmp_path):
    path, _, _ = saved
    marker = tmp_path / "pwned"
    _rewrite(path, lambda header: header.update(model=_payload(marker)))
    with pytest.raises(ModelFileError, match=r"refused: .* outside the allow-list .*posix.system"):
        load(path)
    assert not marker.exists()


def test_a_payload_hidden_in_a_genuine_model_is_refused_whole(saved, tmp_path):
    # The genuine model with one parameter replaced by the payload: before,
    # the joblib equivalent ran the payload and returned the model.
    path, _, _ = saved
    marker = tmp_path / "pwned"

    def plant(header):
        params = header["model"]["__object__"][1]["__dict__"]
        params["inverse_func"] = _payload(marker)

    _rewrite(path, plant)
    with pytest.raises(ModelFileError, match="posix.system. Nothing was loaded"):
        load(path)
    assert not marker.exists()


def test_a_library_model_with_an_identity_primary_side_round_trips(tmp_path, pairs):
    X, Y = pairs
    library = LatentLibrary(decoder="pca", n_components=3, random_state=0).fit(Y)
    model = wrap_transfer_model(
        LatentTransferRegressor(FrozenEstimator(library), Ridge(1e-3)), StandardScaler(),
        scaling=None,
    ).fit(X, Y)  # fmt: skip
    save(model, tmp_path / "m.sklspec")
    np.testing.assert_array_equal(load(tmp_path / "m.sklspec").predict(X), model.predict(X))

    def plant(header):
        transformer = header["model"]["__object__"][1]["__dict__"]["transformer_"]
        state = transformer["__object__"][1]["__dict__"]
        state["func"] = Encoder(allowed_class_paths()).encode(Ridge())

    _rewrite(tmp_path / "m.sklspec", plant)
    # Refused by FunctionTransformer's own constraints (a file cannot hold a callable).
    with pytest.raises(ModelFileError, match="'func' parameter of FunctionTransformer must be"):
        load(tmp_path / "m.sklspec")


def test_a_pickle_payload_file_is_not_loaded(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    joblib.dump([Payload(), PLSRegression()], tmp_path / "model.joblib")
    with pytest.raises(ModelFileError, match="not a readable sklspec model file .*pickle"):
        load(tmp_path / "model.joblib")
    assert not marker.exists()


def test_damaged_tampered_and_newer_files_are_refused(saved, tmp_path):
    path, _, _ = saved
    raw = path.read_bytes()
    (tmp_path / "truncated.sklspec").write_bytes(raw[: len(raw) - 100])
    with pytest.raises(ModelFileError, match="not a readable sklspec model file"):
        load(tmp_path / "truncated.sklspec")

    flipped = bytearray(raw)
    flipped[-8] ^= 0xFF  # a weight changed after saving
    (tmp_path / "flipped.sklspec").write_bytes(bytes(flipped))
    with pytest.raises(ModelFileError, match="checksum does not match"):
        load(tmp_path / "flipped.sklspec")

    _rewrite(path, lambda header: header.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(ModelFileError, match="newer than this sklspec reads"):
        load(path)
    with pytest.raises(ModelFileError, match="newer than this sklspec reads"):
        read_info(path)

    safetensors.save_file({"w": np.ones(3)}, str(tmp_path / "weights.safetensors"))
    with pytest.raises(ModelFileError, match="not a sklspec model file"):
        load(tmp_path / "weights.safetensors")
    with pytest.raises(ModelFileError, match="no such model file"):
        load(tmp_path / "missing.sklspec")


def test_what_cannot_be_saved_is_refused_when_saving(tmp_path, pairs):
    from sklearn.compose import TransformedTargetRegressor

    X, Y = pairs
    model = TransformedTargetRegressor(PLSRegression(2), func=np.log1p, inverse_func=np.expm1)
    refusal = r"Cannot save an object of type numpy.ufunc in a model file: it holds .*Pipeline"
    with pytest.raises(ModelFileError, match=refusal + ".*best_estimator_"):
        save(model.fit(X, Y), tmp_path / "m.sklspec")
    with pytest.raises(ModelFileError, match="cannot write the model file"):
        save(PLSRegression(), tmp_path / "missing" / "m.sklspec")
    with pytest.raises(ModelFileError, match="info must hold JSON values"):
        save(PLSRegression(), tmp_path / "m.sklspec", info={"when": object()})


def test_companions_travel_in_the_model_file(tmp_path, pairs):
    from sklspec.transfer import TransferReliability

    X, Y = pairs
    # pairs' spectra have rank 3: add noise, or the residuals are rounding errors.
    X = X + np.random.default_rng(1).normal(0, 0.1, X.shape)
    model = PLSRegression(3).fit(X, Y)
    reliability = TransferReliability(n_components=4).fit(X)
    path = tmp_path / "model.sklspec"
    save(model, path, companions={"reliability": reliability})
    assert read_info(path)["companions"] == ["reliability"]
    assert read_info(path)["classes"] == ["sklearn.cross_decomposition.PLSRegression"]
    np.testing.assert_array_equal(load(path).predict(X), model.predict(X))
    loaded = load(path, companion="reliability")
    assert isinstance(loaded, TransferReliability)
    np.testing.assert_array_equal(loaded.transform(X[::-1]), reliability.transform(X[::-1]))
    with pytest.raises(ModelFileError, match=r"holds no companion 'scaler' \(it holds: reliab"):
        load(path, companion="scaler")
    save(model, path)
    assert read_info(path)["companions"] == []
    with pytest.raises(ModelFileError, match="holds no companion 'reliability' \\(it holds: none"):
        load(path, companion="reliability")
    with pytest.raises(ModelFileError, match="keyed by names"):
        save(model, path, companions={1: reliability})


def test_memory_order_is_kept_so_predictions_stay_bit_for_bit(tmp_path, pairs):
    from sklspec.io._allowlist import allowed_class_paths
    from sklspec.io._encoding import Decoder, Encoder

    encoder = Encoder(allowed_class_paths())
    fortran = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    nodes = encoder.encode([fortran, np.arange(12.0).reshape(3, 4)])
    decoded = Decoder(encoder.tensors).decode(nodes)
    assert decoded[0].flags.f_contiguous and not decoded[0].flags.c_contiguous
    assert decoded[1].flags.c_contiguous
    np.testing.assert_array_equal(decoded[0], fortran)
    # A file of format 1 (no memory-order tags, no companions) still loads.
    X, Y = pairs
    model = PLSRegression(2).fit(X, Y)
    save(model, tmp_path / "v1.sklspec")
    _rewrite(tmp_path / "v1.sklspec", lambda header: header.update(format_version=1))
    np.testing.assert_array_equal(load(tmp_path / "v1.sklspec").predict(X), model.predict(X))


def test_the_augmenters_with_their_default_labeller_round_trip(tmp_path):
    # The default labeller searches each network's L2 (a GridSearchCV): saved
    # with its best estimator, it labels new spectra exactly as before.
    import warnings

    from sklspec.augmentation import AugmentedRegressor, VAEAugmenter

    rng = np.random.default_rng(0)
    X, y = rng.uniform(size=(30, 8)), rng.uniform(size=(30, 1))
    vae = VAEEncoder((8,), 2, max_epochs=2, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an untrained VAE's collapse, the MLPs' convergence
        augmenter = VAEAugmenter(vae, random_state=0).fit(X, y)
        regressor = AugmentedRegressor(Ridge(), VAEAugmenter(vae), cv=2, random_state=0).fit(X, y)
    save(augmenter, tmp_path / "augmenter.sklspec")
    loaded = load(tmp_path / "augmenter.sklspec")
    search = loaded.labeler_.regressor_.estimators_[0]
    assert type(search).__name__ == "GridSearchCV" and not hasattr(search, "cv_results_")
    assert search.best_params_ == augmenter.labeler_.regressor_.estimators_[0].best_params_
    samples = zip(
        loaded.sample(5, random_state=1), augmenter.sample(5, random_state=1), strict=True
    )
    for got, expected in samples:
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(
        search.score(X, y[:, 0]), augmenter.labeler_.regressor_.estimators_[0].score(X, y[:, 0])
    )
    save(regressor, tmp_path / "regressor.sklspec")
    np.testing.assert_array_equal(
        load(tmp_path / "regressor.sklspec").predict(X), regressor.predict(X)
    )
