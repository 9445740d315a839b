"""The sklspec command line."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from sklspec.cli import main
from sklspec.metrics import relative_squared_error


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pairs")
    rng = np.random.default_rng(0)
    amounts = rng.uniform(size=(300, 2))
    primary = 10 * amounts @ np.abs(rng.normal(size=(2, 30)))
    secondary = 10 * amounts @ np.abs(rng.normal(size=(2, 20)))
    np.save(folder / "primary.npy", primary)
    np.savetxt(
        folder / "secondary.csv",
        secondary,
        delimiter=",",
        header=",".join(f"{w:.1f}" for w in np.linspace(260, 370, 20)),
        comments="",
    )
    np.savez(folder / "new.npz", spectra=secondary[:10])
    return folder, primary, secondary


def fit_args(folder, **overrides):
    args = {
        "--primary": str(folder / "primary.npy"),
        "--secondary": str(folder / "secondary.csv"),
        "-o": str(folder / "model.sklspec"),
        "--epochs": "30",
        "--latent-dim": "2",
        "--vae-hidden": "16",
        "--lr": "1e-2",
        **overrides,
    }
    return ["fit-transfer", "--header", *[item for pair in args.items() for item in pair]]


def test_fit_transfer_then_transfer(pairs, capsys):
    folder, primary, _ = pairs
    assert main(fit_args(folder)) == 0
    assert (folder / "model.sklspec").exists()
    assert (
        main(
            [
                "transfer",
                str(folder / "model.sklspec"),
                str(folder / "new.npz"),
                "-o",
                str(folder / "out.npy"),
            ]
        )
        == 0
    )
    predicted = np.load(folder / "out.npy")
    assert predicted.shape == (10, 30)
    assert relative_squared_error(primary[:10], predicted) < 0.5
    assert "wrote 10 primary spectra" in capsys.readouterr().out


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--primary": "missing.npy"}, "no such file"),
        ({"--primary": "spectra.xlsx"}, "unknown format"),
    ],
)
def test_fit_transfer_input_errors(pairs, tmp_path, capsys, change, message):
    folder, _, _ = pairs
    if change["--primary"].endswith(".xlsx"):
        (tmp_path / "spectra.xlsx").write_text("x")
    change = {key: str(tmp_path / value) for key, value in change.items()}
    assert main(fit_args(folder, **change)) == 2
    assert message in capsys.readouterr().err


def test_mismatched_rows_and_channels(pairs, tmp_path, capsys):
    folder, primary, secondary = pairs
    np.save(tmp_path / "short.npy", primary[:100])
    assert main(fit_args(folder, **{"--primary": str(tmp_path / "short.npy")})) == 2
    assert "100 spectra and the secondary file 300" in capsys.readouterr().err

    main(fit_args(folder))
    np.save(tmp_path / "narrow.npy", secondary[:5, :15])
    code = main(
        [
            "transfer",
            str(folder / "model.sklspec"),
            str(tmp_path / "narrow.npy"),
            "-o",
            str(tmp_path / "out.npy"),
        ]
    )
    assert code == 2
    assert "15 channels; the model was fitted on secondary spectra of 20" in capsys.readouterr().err


def test_unreadable_file(tmp_path, capsys):
    (tmp_path / "bad.npy").write_text("not an array")
    (tmp_path / "other.npy").write_text("x")
    args = [
        "fit-transfer",
        "--primary",
        str(tmp_path / "bad.npy"),
        "--secondary",
        str(tmp_path / "other.npy"),
        "-o",
        str(tmp_path / "m.sklspec"),
    ]
    assert main(args) == 2
    assert "cannot read spectra" in capsys.readouterr().err


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--lr": "10"}, r"The VAE training diverged: .* lr=10.0"),
        ({"--latent-dim": "0"}, r"'latent_dim' parameter of VAEEncoder must be .* Got 0"),
    ],
)
def test_fit_transfer_bad_training_is_one_line_and_saves_nothing(
    pairs, tmp_path, capsys, change, message
):
    # Before: --lr 10 saved a model predicting ~1e13 and exited 0.
    folder, _, _ = pairs
    output = tmp_path / "diverged.sklspec"
    assert main(fit_args(folder, **{**change, "-o": str(output)})) == 2
    error = capsys.readouterr().err
    assert error.startswith("sklspec fit-transfer: error: ") and error.count("\n") == 1
    assert re.search(message, error), error
    assert not output.exists()


def test_transfer_reads_hdf5(pairs, tmp_path, capsys):
    h5py = pytest.importorskip("h5py")
    folder, _, secondary = pairs
    main(fit_args(folder))
    with h5py.File(tmp_path / "new.h5", "w") as handle:
        handle["spectra"] = secondary[:7]
    output = tmp_path / "out.npy"
    assert (
        main(
            ["transfer", str(folder / "model.sklspec"), str(tmp_path / "new.h5"), "-o", str(output)]
        )
        == 0
    )
    assert np.load(output).shape == (7, 30)


def test_missing_h5py_names_the_extra(pairs, tmp_path, capsys, monkeypatch):
    folder, _, _ = pairs
    (tmp_path / "new.h5").write_bytes(b"")
    monkeypatch.setitem(sys.modules, "h5py", None)
    args = [
        "transfer",
        str(folder / "model.sklspec"),
        str(tmp_path / "new.h5"),
        "-o",
        str(tmp_path / "o.npy"),
    ]
    assert main(args) == 2
    assert "pip install 'sklspec[hdf5]'" in capsys.readouterr().err


def test_transfer_refuses_a_pickle_model_and_runs_nothing(pairs, tmp_path, capsys):
    # Before: `sklspec transfer` was joblib.load of the given file, and this
    # file ran its payload.
    import joblib

    folder, _, _ = pairs
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    joblib.dump(Payload(), tmp_path / "model.joblib")
    args = ["transfer", str(tmp_path / "model.joblib"), str(folder / "new.npz")]
    assert main([*args, "-o", str(tmp_path / "out.npy")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("sklspec transfer: error: ") and "not a readable sklspec model" in error
    assert not marker.exists() and not (tmp_path / "out.npy").exists()


def test_command_is_runnable():
    result = subprocess.run(
        [sys.executable, "-m", "sklspec.cli", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("demo", "fit-transfer", "transfer"):
        assert command in result.stdout
