"""Model files from others: every crafted file is a clean ModelFileError, never a crash or a hog.

Each case is a genuine file edited as an attacker would (checksum
recomputed), with the error the loader must give. ``resource`` bounds the
memory of the cases that once allocated gigabytes.
"""

import json
import os
import resource
import stat
import time

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from test_io import _rewrite

from sklspec.cli import main
from sklspec.exceptions import ModelFileError
from sklspec.io import load, read_info, save
from sklspec.transfer import SpectralMLPRegressor
from sklspec.vae import VAEEncoder

safetensors = pytest.importorskip("safetensors.numpy")
KEY = b"a secret shared by two labs"


@pytest.fixture(scope="module")
def spectra():
    return np.random.default_rng(0).normal(size=(30, 6)).astype(np.float32)


@pytest.fixture
def mlp_file(tmp_path, spectra):
    model = SpectralMLPRegressor((4,), max_epochs=1, device="cpu", random_state=0)
    model.fit(spectra, spectra)
    save(model, tmp_path / "mlp.sklspec")
    return tmp_path / "mlp.sklspec", model


@pytest.fixture
def vae_file(tmp_path, spectra):
    vae = VAEEncoder((4,), 2, max_epochs=1, device="cpu", random_state=0).fit(spectra)
    save(vae, tmp_path / "vae.sklspec")
    return tmp_path / "vae.sklspec", vae


def _state(header):
    return header["model"]["__object__"][1]["__dict__"]


def _refused(path, match, *, info_too=False):
    with pytest.raises(ModelFileError, match=match):
        load(path)
    if info_too:
        with pytest.raises(ModelFileError, match=match):
            read_info(path)


def test_network_shapes_are_checked_before_anything_is_allocated(mlp_file):
    path, _ = mlp_file
    _rewrite(
        path,
        lambda h: _state(h).update(hidden_layer_sizes={"__tuple__": [20000]}, n_features_in_=20000),
    )
    start = time.perf_counter()
    _refused(path, "stored network weights do not match the network its parameters")
    assert time.perf_counter() - start < 2  # was 11 s and 2.9 GB
    _rewrite(path, lambda h: _state(h).update(n_features_in_=10**9))
    _refused(path, "do not match")


def test_parameters_are_validated_by_the_class_constraints(mlp_file):
    path, _ = mlp_file
    _rewrite(path, lambda h: _state(h).update(hidden_layer_sizes={"__tuple__": [-5]}))
    _refused(path, "hidden_layer_sizes")  # was torch's "negative dimension"
    _rewrite(path, lambda h: _state(h).update(hidden_layer_sizes={"__tuple__": [4]}, lr=-1))
    _refused(path, r"The 'lr' parameter of SpectralMLPRegressor must be .* Got -1")
    _rewrite(path, lambda h: _state(h).update(lr=1e-3, activation="rm -rf"))
    _refused(path, "'activation' parameter of SpectralMLPRegressor")
    _rewrite(path, lambda h: _state(h).pop("alpha"))
    _refused(path, "gives no value for its parameters alpha")


def test_weights_of_other_names_or_dtypes_are_refused(mlp_file, tmp_path):
    path, _ = mlp_file
    with safetensors.safe_open(str(path), framework="np") as handle:
        metadata = handle.metadata()
        tensors = {name: handle.get_tensor(name) for name in handle.keys()}
    first = sorted(tensors)[0]
    for changed in (tensors[first].astype(np.float64), tensors[first][:1]):
        edited = {**tensors, first: changed}
        safetensors.save_file(edited, str(path), metadata=metadata)
        _rewrite(path, lambda h: None)  # the checksum recomputed
        _refused(path, "do not match")


def test_huge_strings_are_refused_before_they_are_allocated(mlp_file):
    path, _ = mlp_file
    huge = {"__str_array__": [["a"], "<U100000000"]}
    _rewrite(path, lambda h: _state(h).update(a=huge, b=huge, c=huge, d=huge))
    _refused(path, "strings of 100000000 characters", info_too=True)
    # 3.3 GB of 4096-character slots from 1 MB of one-character strings.
    wide = {"__str_array__": [["x"] * 200_000, "<U4096"]}
    _rewrite(path, lambda h: _state(h).update(a=wide, b=None, c=None, d=None))
    _refused(path, "far more memory than the file's size justifies", info_too=True)


@pytest.mark.parametrize("depth", [900, 100_000])
def test_deep_nesting_is_refused(mlp_file, depth):
    path, _ = mlp_file
    _rewrite(path, lambda h: _state(h).update(n_iter_="NESTED"))
    with safetensors.safe_open(str(path), framework="np") as handle:
        metadata = handle.metadata()
        tensors = {name: handle.get_tensor(name) for name in handle.keys()}
    # Written as text: json.dumps itself cannot nest 100,000 levels.
    nested = "[" * depth + "0" + "]" * depth
    structure = metadata["sklspec"].replace('"NESTED"', nested)
    from sklspec.io._format import _checksum

    metadata.update(sklspec=structure, checksum=_checksum(structure, tensors))
    safetensors.save_file(tensors, str(path), metadata=metadata)
    _refused(path, "nested more than 128 levels|damaged model description", info_too=True)


@pytest.mark.parametrize(
    "node, match",
    [
        ({"__scalar__": ["|V1", 1e11]}, "dtype '|V1' is not allowed"),
        ({"__scalar__": ["<i2", 10**9]}, "does not fit dtype int16"),
        ({"__scalar__": ["O", 1]}, "dtype 'O' is not allowed"),
        ({"__dtype__": "V8"}, "dtype 'V8' is not allowed"),
        ({"__object__": 5}, "an object node must hold"),
        ({"__array__": "t999"}, "names a tensor the file does not hold"),
        ({"__float__": "1e400"}, "is not a non-finite float"),
        ({"__tuple__": 5}, "a tuple node holds"),
        ({"__items__": [[[1], 2]]}, "a dict key must be"),
        ({"__eval__": "os.system('x')"}, "unknown tag '__eval__'"),
        ({"a": 1, "b": 2}, "unexpected node"),
        ({"__random_state__": ["MT19937", "t0", 10**9, 0, 0.0]}, "not a valid random state"),
        ({"__random_state__": [1, 2]}, "a random state must hold 5 fields"),
    ],
)
def test_malformed_nodes_are_refused_by_name(mlp_file, node, match):
    path, _ = mlp_file
    _rewrite(path, lambda h: _state(h).update(verbose=node))
    _refused(path, match, info_too=True)


def test_an_object_array_where_numbers_belong_is_refused(vae_file):
    path, _ = vae_file
    objects = {"__object_array__": [["a", "b"], [2]]}
    _rewrite(path, lambda h: _state(h).update(latent_mean_=objects))
    _refused(path, "latent_mean_: an array of Python objects where numbers are expected")


def test_a_random_state_with_bad_keys_is_refused(tmp_path, spectra):
    model = Ridge()
    model.random_state_ = np.random.RandomState(0)  # the format stores RandomState instances
    save(model.fit(spectra, spectra), tmp_path / "r.sklspec")
    np.testing.assert_array_equal(
        load(tmp_path / "r.sklspec").random_state_.randint(0, 100, 5),
        np.random.RandomState(0).randint(0, 100, 5),
    )

    def corrupt(header):
        _state(header)["random_state_"]["__random_state__"][2] = 5000

    _rewrite(tmp_path / "r.sklspec", corrupt)
    _refused(tmp_path / "r.sklspec", "not a valid random state")


def test_a_file_without_a_model_or_with_malformed_fields_is_refused(mlp_file):
    path, _ = mlp_file
    _rewrite(path, lambda h: h.pop("model"))
    _refused(path, "it holds no model", info_too=True)
    for field, value, match in [
        ("versions", [1, 2], "'versions' must map package names"),
        ("versions", {"sklspec": 5}, "'versions' must map package names"),
        ("info", "x", "'info' must be a dict"),
        ("info", {"primary_wavelengths": ["a", "b"]}, "must be a list of numbers"),
        ("info", {"primary_wavelengths": [3, 2, 2]}, "strictly monotonic"),
        ("companions", [1], "'companions' must map names"),
    ]:
        save(Ridge().fit([[0.0], [1.0]], [0, 1]), path)
        _rewrite(path, lambda h, field=field, value=value: h.update({field: value}))
        _refused(path, match, info_too=True)


def test_read_info_reports_the_class_of_the_model_not_the_file_claim(mlp_file):
    path, _ = mlp_file
    _rewrite(path, lambda h: h.update(model_class="sklspec.transfer.LatentTransferRegressor"))
    assert read_info(path)["model_class"] == "sklspec.transfer.SpectralMLPRegressor"


def test_signed_files_are_checked_against_the_key(tmp_path, spectra):
    model = Ridge().fit(spectra, spectra)
    save(model, tmp_path / "signed.sklspec", key=KEY)
    save(model, tmp_path / "plain.sklspec")
    np.testing.assert_array_equal(
        load(tmp_path / "signed.sklspec", key=KEY).predict(spectra), model.predict(spectra)
    )
    assert read_info(tmp_path / "signed.sklspec", key=KEY)["signed"] is True
    assert read_info(tmp_path / "plain.sklspec")["signed"] is False
    load(tmp_path / "signed.sklspec")  # without a key, a signature is not checked
    with pytest.raises(ModelFileError, match="signature does not match the key given"):
        load(tmp_path / "signed.sklspec", key=b"another secret, 16+ bytes")
    with pytest.raises(ModelFileError, match="not signed, so it cannot be checked"):
        load(tmp_path / "plain.sklspec", key=KEY)
    with pytest.raises(ModelFileError, match="at least 16 bytes"):
        save(model, tmp_path / "short.sklspec", key="short")

    # Edited weights with the checksum recomputed: loads without a key
    # (the checksum only detects damage), refused with it.
    def edit(header):
        _state(header)["alpha"] = 1e9

    _rewrite(tmp_path / "signed.sklspec", edit)
    assert load(tmp_path / "signed.sklspec").alpha == 1e9
    with pytest.raises(ModelFileError, match="signature does not match"):
        load(tmp_path / "signed.sklspec", key=KEY)
    with pytest.raises(ModelFileError, match="signature does not match"):
        read_info(tmp_path / "signed.sklspec", key=KEY)


def test_model_files_get_the_users_umask(tmp_path, spectra):
    old = os.umask(0o022)
    try:
        save(Ridge().fit(spectra, spectra), tmp_path / "shared.sklspec")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "shared.sklspec").st_mode) == 0o644


def test_loading_a_hostile_file_stays_within_memory(mlp_file):
    # The cases that once allocated gigabytes, under a 1.5 GB address-space
    # ceiling above what this process already maps.
    path, _ = mlp_file
    _rewrite(
        path,
        lambda h: _state(h).update(hidden_layer_sizes={"__tuple__": [20000]}, n_features_in_=20000),
    )
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status") as status:
        mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))
    resource.setrlimit(resource.RLIMIT_AS, (mapped + 1_500_000_000, hard))
    try:
        _refused(path, "do not match")
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# ------------------------------------------------------------- the command


def test_info_prints_no_terminal_escapes_and_survives_a_malformed_table(tmp_path, capsys, spectra):
    path = tmp_path / "m.sklspec"
    save(
        Ridge().fit(spectra, spectra),
        path,
        info={"lab": "\x1b[2J\x1b[31mRED\x07", "comparison": [{"label": 5}]},
    )
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "?[2J?[31mRED?" in out
    assert "models compared: (the stored table is malformed)" in out

    _rewrite(path, lambda h: h.update(model={"__object__": 5}))
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "an object node must hold" in err


def test_the_command_signs_and_checks_model_files(tmp_path, capsys, spectra):
    keyfile, other = tmp_path / "lab.key", tmp_path / "other.key"
    keyfile.write_bytes(KEY + b"\n")
    other.write_bytes(b"0123456789abcdef0123")
    path = tmp_path / "m.sklspec"
    save(Ridge().fit(spectra, spectra), path, key=KEY)  # a trailing newline is not the key's
    np.save(tmp_path / "new.npy", spectra)
    assert main(["info", str(path), "--signing-key", str(keyfile)]) == 0
    assert "signature: checked" in capsys.readouterr().out
    assert main(["info", str(path)]) == 0
    assert "signature: present, not checked (give --signing-key)" in capsys.readouterr().out
    args = ["transfer", str(path), str(tmp_path / "new.npy"), "-o", str(tmp_path / "out.npy")]
    assert main([*args, "--signing-key", str(other)]) == 2
    assert "signature does not match the key given" in capsys.readouterr().err
    assert not (tmp_path / "out.npy").exists()
    assert main([*args, "--signing-key", str(keyfile)]) == 0
    (tmp_path / "short.key").write_bytes(b"short")
    assert main([*args, "--force", "--signing-key", str(tmp_path / "short.key")]) == 2
    assert "a shared secret must hold 16 to 4096 bytes" in capsys.readouterr().err


def test_transfer_refuses_output_wavelengths_that_do_not_fit_the_model(tmp_path, capsys, spectra):
    path = tmp_path / "m.sklspec"
    np.savetxt(tmp_path / "new.csv", spectra, delimiter=",")
    for wavelengths, match in [
        ([1.0, 2.0, 3.0], "gives 3 output wavelengths, but the model predicts spectra of 6"),
        (["a", "b", "c", "d", "e", "f"], "must be a list of numbers"),
    ]:
        save(Ridge().fit(spectra, spectra), path, info={"primary_wavelengths": [1.0] * 6})
        _rewrite(path, lambda h, w=wavelengths: h["info"].update(primary_wavelengths=w))
        out = tmp_path / "out.csv"
        assert main(["transfer", str(path), str(tmp_path / "new.csv"), "-o", str(out)]) == 2
        assert match in capsys.readouterr().err
        assert not out.exists()


def test_transfer_writes_wavelengths_at_full_precision(tmp_path, spectra):
    path = tmp_path / "m.sklspec"
    axis = 245.012345 + 0.1234567 * np.arange(6)
    save(Ridge().fit(spectra, spectra), path, info={"primary_wavelengths": axis.tolist()})
    np.savetxt(tmp_path / "new.csv", spectra, delimiter=",")
    out = tmp_path / "out.csv"
    assert main(["transfer", str(path), str(tmp_path / "new.csv"), "-o", str(out)]) == 0
    header = np.array(out.read_text().splitlines()[0].split(","), dtype=float)
    np.testing.assert_array_equal(header, axis)


def test_a_hand_made_json_is_checked_too(tmp_path):
    # Not the encoder's output at all: a safetensors file with a description of our format.
    description = {"format": "sklspec-model", "format_version": 2, "model": [[[]]] * 3}
    safetensors.save_file(
        {},
        str(tmp_path / "x.sklspec"),
        metadata={"sklspec": json.dumps(description), "checksum": ""},
    )
    with pytest.raises(ModelFileError, match="checksum does not match"):
        load(tmp_path / "x.sklspec")
    assert read_info(tmp_path / "x.sklspec")["model_class"] == "list"


def test_a_huge_description_is_refused_before_it_is_parsed(mlp_file, monkeypatch):
    import sklspec.io._format as file_format

    path, _ = mlp_file
    monkeypatch.setattr(file_format, "MAX_DESCRIPTION", 1000)  # a genuine one is larger
    _refused(path, r"holds 0 MiB of JSON, more than a model needs", info_too=True)


def test_ed25519_signatures_are_checked_with_the_public_key(tmp_path, spectra, capsys):
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sklspec.io import read_signing_key

    private, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    (tmp_path / "primary.pem").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "primary.pub.pem").write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    public = read_signing_key(tmp_path / "primary.pub.pem")
    model = Ridge().fit(spectra, spectra)
    path = tmp_path / "library.sklspec"
    save(model, path, key=read_signing_key(tmp_path / "primary.pem"))
    np.testing.assert_array_equal(load(path, key=public).predict(spectra), model.predict(spectra))
    load(path, key=private)  # the private key checks too
    with pytest.raises(ModelFileError, match="signature does not match the key given"):
        load(path, key=other.public_key())
    with pytest.raises(ModelFileError, match="signed with an Ed25519 key, but the key given is a "
                       "shared secret"):  # fmt: skip
        load(path, key=KEY)
    with pytest.raises(ModelFileError, match="A public key checks signatures; sign with the"):
        save(model, path, key=public)

    _rewrite(path, lambda h: _state(h).update(alpha=1e9))  # edited, checksum recomputed
    with pytest.raises(ModelFileError, match="signature does not match"):
        load(path, key=public)

    # The command: the lab signs with its private key, a secondary lab checks with the public.
    np.save(tmp_path / "new.npy", spectra)
    save(model, path, key=private)
    args = ["transfer", str(path), str(tmp_path / "new.npy"), "-o", str(tmp_path / "out.npy")]
    assert main([*args, "--signing-key", str(tmp_path / "primary.pub.pem")]) == 0
    (tmp_path / "rsa.pem").write_text("-----BEGIN PUBLIC KEY-----\nnot a key\n")
    assert main([*args, "--force", "--signing-key", str(tmp_path / "rsa.pem")]) == 2
    assert "not a readable PEM key" in capsys.readouterr().err
