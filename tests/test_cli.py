"""The sklspec command line."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from sklspec.cli import main
from sklspec.exceptions import TrainingDivergedError
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


def _fit_command(options):
    return ["fit-transfer", "--force", *[item for pair in options.items() for item in pair]]


def fit_args(folder, **overrides):
    return _fit_command(
        {
            "--primary": str(folder / "primary.npy"),
            "--secondary": str(folder / "secondary.csv"),
            "-o": str(folder / "model.sklspec"),
            "--epochs": "30",
            "--latent-dim": "2",
            "--vae-hidden": "16",
            "--lr": "1e-2",
            "--models": "vae_mlp,pls",
            **overrides,
        }
    )


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
    assert "short.npy has 100 spectra and" in capsys.readouterr().err

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
    assert "bad.npy: not a .npy array file (no NumPy header)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"--lr": "10", "--models": "vae_mlp"},
            r"every model failed \(VAE \+ MLP: TrainingDivergedError: The VAE training "
            r"diverged: .* lr=10.0",
        ),
        ({"--latent-dim": "0"}, r"--latent-dim must be a positive integer; got 0\.$"),
        ({"--vae-hidden": "0"}, r"--vae-hidden must be a positive integer; got 0\.$"),
        ({"--lr": "-1"}, r"--lr must be a positive number; got -1\.$"),
        ({"--epochs": "0"}, r"--epochs must be a positive integer; got 0\.$"),
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
    # Its own model file: the test once relied on one an earlier test left behind.
    from sklearn.cross_decomposition import PLSRegression

    from sklspec.io import save

    _, primary, secondary = pairs
    save(PLSRegression(2).fit(secondary, primary), tmp_path / "model.sklspec")
    (tmp_path / "new.h5").write_bytes(b"")
    monkeypatch.setitem(sys.modules, "h5py", None)
    args = [
        "transfer",
        str(tmp_path / "model.sklspec"),
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


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    folder = tmp_path_factory.mktemp("bad")
    spectra = np.random.default_rng(0).uniform(size=(300, 20))
    with_nan = spectra.copy()
    with_nan[3, 5] = np.inf
    np.save(folder / "nan.npy", with_nan)
    np.save(folder / "empty.npy", np.zeros((0, 20)))
    np.save(folder / "complex.npy", spectra.astype(complex))
    np.save(folder / "strings.npy", np.array([["a", "b"], ["c", "d"]]))
    np.save(folder / "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    (folder / "text.npy").write_text("hello")
    (folder / "empty.csv").write_text("")
    with h5py.File(folder / "multi.h5", "w") as handle:
        handle["a"], handle["b"] = spectra, spectra
        handle.create_group("group")
    with h5py.File(folder / "nothing.h5", "w") as handle:
        handle.create_group("group")
    return folder


@pytest.mark.parametrize(
    "name, extra, message",
    [
        ("nan.npy", [], r"nan.npy: contains NaN or infinite values \(first at row 3, channel 5\)"),
        ("empty.npy", [], "empty.npy: holds no spectra"),
        ("complex.npy", [], "complex.npy: holds complex numbers; spectra must be real"),
        ("strings.npy", [], "strings.npy: holds text, not numbers"),
        ("objects.npy", [], r"objects.npy: not an array of numbers \(it holds Python objects\)"),
        ("text.npy", [], r"text.npy: not a .npy array file \(no NumPy header\)"),
        ("empty.csv", [], r"empty.csv: holds no spectra \(the file is empty\)"),
        ("multi.h5", [], "multi.h5: holds a, b; name the spectra with a key option"),
        ("multi.h5", ["--secondary-key", "group"], "'group' is a group, not a dataset"),
        ("multi.h5", ["--secondary-key", "c"], "has no dataset 'c'; it holds a, b"),
        ("nothing.h5", [], "nothing.h5: holds no dataset"),
    ],
)
def test_bad_spectra_files_are_one_line_errors(pairs, bad_files, capsys, name, extra, message):
    folder, _, _ = pairs
    args = fit_args(folder, **{"--secondary": str(bad_files / name)})
    assert main([*args, *extra]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and re.search(message, error), error


def test_numeric_wavelength_header_is_read_stored_and_written_back(pairs, tmp_path, capsys):
    # Before: the wavelength row was read as a spectrum (301 pairs, RSE 98).
    folder, primary, secondary = pairs
    wavelengths = np.linspace(1100.0, 1400.0, 30)
    rows = np.vstack([wavelengths, primary])
    np.savetxt(tmp_path / "primary.csv", rows, delimiter=",")
    args = fit_args(folder, **{"--primary": str(tmp_path / "primary.csv")})
    assert main([*args, "-o", str(tmp_path / "m.sklspec")]) == 0
    out = capsys.readouterr().out
    assert "primary: 300 spectra of 30 channels (1100-1400, from the header)" in out
    assert "on 240 training and 60 validation pairs" in out
    args = ["transfer", str(tmp_path / "m.sklspec"), str(folder / "new.npz")]
    assert main([*args, "-o", str(tmp_path / "out.csv")]) == 0
    written = np.loadtxt(tmp_path / "out.csv", delimiter=",")
    np.testing.assert_allclose(written[0], wavelengths, rtol=1e-5)
    assert written.shape == (11, 30)
    # A transfer file whose wavelengths differ from the model's is refused
    # (secondary.csv, which the model was fitted on, spans 260-370 nm).
    shifted = np.vstack([np.linspace(261, 371, 20), secondary[:5]])
    np.savetxt(tmp_path / "shifted.csv", shifted, delimiter=",")
    capsys.readouterr()
    assert main([*args[:2], str(tmp_path / "shifted.csv"), "-o", str(tmp_path / "o.npy")]) == 2
    assert "differ from those the model was fitted on (260-370)" in capsys.readouterr().err


def test_outputs_are_checked_before_any_work(pairs, tmp_path, capsys):
    # Before: -o primary.npy replaced the spectra with the model, and an
    # output in a missing folder failed only after the whole fit.
    folder, _, _ = pairs
    cases = [
        ({"-o": str(folder / "primary.npy")}, "write a .sklspec model file"),
        ({"-o": str(tmp_path / "missing" / "m.sklspec")}, "the folder .*missing does not exist"),
    ]
    for change, message in cases:
        assert main(fit_args(folder, **change)) == 2
        assert re.search(message, capsys.readouterr().err)
    (tmp_path / "existing.sklspec").write_text("a colleague's model")
    args = [
        a for a in fit_args(folder, **{"-o": str(tmp_path / "existing.sklspec")}) if a != "--force"
    ]
    assert main(args) == 2
    assert "exists; pass --force to overwrite it" in capsys.readouterr().err
    assert (tmp_path / "existing.sklspec").read_text() == "a colleague's model"
    main(fit_args(folder))
    new = str(folder / "new.npz")
    assert main(["transfer", str(folder / "model.sklspec"), new, "-o", new, "--force"]) == 2
    assert "is one of the inputs" in capsys.readouterr().err
    (tmp_path / "afile").write_text("x")
    assert main(["demo", "-o", str(tmp_path / "afile")]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err


def test_info_describes_a_model_file_without_loading_it(pairs, tmp_path, capsys):
    folder, _, _ = pairs
    main(fit_args(folder, **{"-o": str(tmp_path / "m.sklspec"), "--models": "vae_mlp"}))
    capsys.readouterr()
    assert main(["info", str(tmp_path / "m.sklspec")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{tmp_path / 'm.sklspec'}: TransformedTargetRegressor")
    assert "made of: TransformedTargetRegressor, Pipeline, SpectralScaler, " in out
    assert "LatentTransferRegressor" in out and "sklspec 0.1" in out
    assert "secondary_wavelengths: 20 channels, 260-370" in out and "pairs: 300" in out
    (tmp_path / "x.sklspec").write_text("nope")
    assert main(["info", str(tmp_path / "x.sklspec")]) == 2
    assert "not a readable sklspec model file" in capsys.readouterr().err


@pytest.mark.parametrize("extension", [".npy", ".csv", ".h5", ".npz"])
def test_transfer_streams_in_blocks(pairs, tmp_path, monkeypatch, extension):
    # Before: the whole input and output were in memory (4 GB each for a
    # 500 x 500 map). Now the model sees one block at a time.
    from sklearn.compose import TransformedTargetRegressor

    from sklspec.io import load

    folder, _, secondary = pairs
    main(fit_args(folder))
    spectra = np.asarray(secondary[:30], dtype=np.float32)
    expected = load(folder / "model.sklspec").predict(spectra).astype(np.float32)
    np.save(tmp_path / "map.npy", spectra)
    seen = []
    predict = TransformedTargetRegressor.predict

    def recording(self, X, **kwargs):
        seen.append(len(X))
        return predict(self, X, **kwargs)

    monkeypatch.setattr(TransformedTargetRegressor, "predict", recording)
    output = tmp_path / f"out{extension}"
    args = [str(folder / "model.sklspec"), str(tmp_path / "map.npy"), "-o", str(output)]
    assert main(["transfer", *args, "--block-size", "7"]) == 0
    assert seen == [7, 7, 7, 7, 2]
    if extension == ".npy":
        written = np.load(output)
    elif extension == ".csv":
        written = np.loadtxt(output, delimiter=",")
    elif extension == ".npz":
        written = np.load(output)["spectra"]
    else:
        import h5py

        with h5py.File(output) as handle:
            written = handle["spectra"][()]
    np.testing.assert_allclose(written, expected, rtol=1e-6)


def test_a_bad_block_leaves_no_partial_output(pairs, tmp_path, capsys):
    folder, _, secondary = pairs
    main(fit_args(folder))
    spectra = secondary[:30].copy()
    spectra[25, 4] = np.nan
    np.save(tmp_path / "map.npy", spectra)
    args = [str(folder / "model.sklspec"), str(tmp_path / "map.npy"), "-o", str(tmp_path / "o.npy")]
    assert main(["transfer", *args, "--block-size", "10"]) == 2
    assert "first at row 25, channel 4" in capsys.readouterr().err
    assert not (tmp_path / "o.npy").exists()


def test_version_help_and_debug(pairs, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("sklspec ")
    with pytest.raises(SystemExit):
        main(["fit-transfer", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for option in ("--latent-dim LATENT_DIM width of the VAE's latent space (default: 16)",
                   "--epochs EPOCHS epochs of every network (default: 100)",
                   "--validation-fraction VALIDATION_FRACTION fraction of the pairs",
                   "--models MODELS comma-separated models to compare",
                   "--lr LR learning rate of the VAE; the MLPs try it and a tenth of it "
                   "(default: 0.001)"):  # fmt: skip
        assert option in help_text
    folder, _, _ = pairs
    with pytest.raises(TrainingDivergedError):
        main([*fit_args(folder, **{"--lr": "10"}), "--debug"])


def test_help_does_not_import_torch():
    code = (
        "import sys; from sklspec.cli import build_parser; build_parser(); "
        "print('torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_command_is_runnable():
    result = subprocess.run(
        [sys.executable, "-m", "sklspec.cli", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("demo", "fit-transfer", "transfer"):
        assert command in result.stdout


def _info(path):
    from sklspec.io import read_info

    return read_info(path)


def test_fit_transfer_compares_the_models_and_keeps_the_best(pairs, tmp_path, capsys):
    # Before: fit-transfer fitted the VAE + MLP only and kept it whatever it scored.
    folder, _, _ = pairs
    output = tmp_path / "best.sklspec"
    args = fit_args(folder, **{"-o": str(output), "--epochs": "5"})
    args.remove("--models")
    args.remove("vae_mlp,pls")
    assert main(args) == 0
    out = capsys.readouterr().out
    # 20 secondary and 30 primary channels: DS and PDS cannot map channel to channel.
    assert "DS, PDS, SST and CORAL left out: they need both instruments' spectra on one " in out
    assert (
        "comparing library + ridge, library + residual MLP, VAE + MLP, one-step MLP, PLS, KNN "
        "on 240 training and 60 validation" in out
    )
    assert "  VAE + MLP 2/2 (MLP lr 0.001): validation RSE " in out
    assert "  KNN 6/6 (neighbours 20): validation RSE " in out
    assert "lower is better in every column (cosine distance runs from -1" in out
    rows = _info(output)["info"]["comparison"]
    assert next(row["label"] for row in rows) == "PLS"  # the data are linear: PLS is exact
    assert sorted(row["label"] for row in rows) == [
        "KNN",
        "PLS",
        "VAE + MLP",
        "library + residual MLP",
        "library + ridge",
        "one-step MLP",
    ]
    rse = {row["label"]: row["rse"] for row in rows}
    assert list(rse.values()) == sorted(rse.values()) and rse["PLS"] < 1e-10
    # The library's principal components hold the two amounts: ridge into them nearly so.
    assert rse["library + ridge"] < 1e-4 < rse["KNN"]
    assert rows[0]["settings"] == {"n_components": 2}
    assert "refitting PLS (lowest validation RSE) on all 300 pairs" in out
    info = _info(output)
    assert "sklearn.cross_decomposition.PLSRegression" in info["classes"]
    assert info["info"]["model"] == "PLS" and info["info"]["validation_pairs"] == 60
    assert main(["info", str(output)]) == 0
    printed = capsys.readouterr().out
    assert "  models compared:\n    model " in printed
    assert re.search(r"\n    PLS +\d\.\d+e-\d+ .* components 2\n", printed), printed


def test_fit_transfer_keeps_a_nonlinear_winner(tmp_path, capsys):
    # A peak that moves along the primary axis as the secondary's one line
    # grows: no linear map follows it, nearest neighbours do.
    rng = np.random.default_rng(1)
    position = rng.uniform(5, 35, size=200)
    channels = np.arange(40)
    primary = np.exp(-0.5 * ((channels - position[:, None]) / 1.5) ** 2)
    secondary = np.column_stack([position, position**2 / 40, np.ones_like(position)])
    np.save(tmp_path / "p.npy", primary)
    np.save(tmp_path / "s.npy", secondary + rng.normal(0, 0.01, secondary.shape))
    output = tmp_path / "m.sklspec"
    command = ["fit-transfer", "--primary", str(tmp_path / "p.npy"), "--secondary"]
    command += [str(tmp_path / "s.npy"), "-o", str(output), "--models", "pls,knn"]
    assert main(command) == 0
    rows = _info(output)["info"]["comparison"]
    assert [row["label"] for row in rows] == ["KNN", "PLS"]
    assert rows[0]["rse"] < 0.2 < rows[1]["rse"]
    assert "sklearn.neighbors.KNeighborsRegressor" in _info(output)["classes"]


def test_fit_transfer_given_validation_files_and_same_grid_models(pairs, tmp_path, capsys):
    _folder, _primary, secondary = pairs
    # Same 20-channel grid on both sides: DS and PDS join the default models.
    same = secondary @ np.abs(np.random.default_rng(2).normal(size=(20, 20))) / 20
    np.save(tmp_path / "p.npy", same[:250])
    np.save(tmp_path / "s.npy", secondary[:250])
    np.save(tmp_path / "pv.npy", same[250:])
    np.save(tmp_path / "sv.npy", secondary[250:])
    output = tmp_path / "m.sklspec"
    command = ["fit-transfer", "--primary", str(tmp_path / "p.npy"), "--secondary"]
    command += [str(tmp_path / "s.npy"), "-o", str(output), "--force", "--models", "ds,pds,knn"]
    validation = ["--validation-primary", str(tmp_path / "pv.npy")]
    validation += ["--validation-secondary", str(tmp_path / "sv.npy")]
    assert main([*command, *validation]) == 0
    out = capsys.readouterr().out
    assert "on 250 training and 50 validation pairs" in out
    rows = _info(output)["info"]["comparison"]
    assert {row["label"] for row in rows} == {"DS", "PDS", "KNN"}
    # The pairs are two linear images of two amounts: DS and PDS map them exactly.
    scores = {row["label"]: row["rse"] for row in rows}
    assert max(scores["DS"], scores["PDS"]) < 1e-6 < scores["KNN"]
    assert rows[-1]["label"] == "KNN"
    command[-1] = "pls"
    assert main([*command, "--validation-fraction", "0.3"]) == 0
    assert "on 175 training and 75 validation pairs" in capsys.readouterr().out
    default = [*command[:-2], "--epochs", "2", "--latent-dim", "2", "--vae-hidden", "8"]
    assert main(default) == 0
    out = capsys.readouterr().out
    assert (
        "comparing library + ridge, library + residual MLP, VAE + MLP, one-step MLP, PLS, KNN, "
        "DS, PDS, SST, CORAL on 200 training" in out
    )
    assert main([*command, validation[0], validation[1]]) == 2
    assert "--validation-primary and --validation-secondary go together" in capsys.readouterr().err


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"--models": "pls,svm"},
            r"--models: unknown model svm; choose from library_ridge, library_residual, vae_mlp, ",
        ),
        (
            {"--models": "ds"},
            r"--models: ds map each channel onto the same channel, but the "
            r"secondary spectra have 20 channels and the primary 30",
        ),
        ({"--validation-fraction": "1.5"}, r"--validation-fraction must be between 0 and 1"),
        ({"--validation-fraction": "0.001"}, r"too few pairs \(300\) to hold out 0.001 of them"),
        ({"--baseline": "50"}, r"min_window=50 is wider than the spectra \(n_features = 30\)"),
    ],
)
def test_fit_transfer_selection_errors(pairs, tmp_path, capsys, change, message):
    folder, _, _ = pairs
    output = tmp_path / "m.sklspec"
    assert main(fit_args(folder, **{**change, "-o": str(output)})) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and re.search(message, error), error
    assert not output.exists()


def test_fit_transfer_baseline_subtraction(pairs, tmp_path, capsys):
    folder, primary, secondary = pairs
    output = tmp_path / "m.sklspec"
    assert main(fit_args(folder, **{"-o": str(output), "--models": "pls", "--baseline": "10"})) == 0
    info = _info(output)
    assert info["info"]["baseline_subtracted"] is True
    assert "sklspec.preprocessing.BaselineSubtractor" in info["classes"]
    from sklspec.io import load
    from sklspec.preprocessing import BaselineSubtractor

    # The model predicts the primary spectra with their baseline removed.
    subtract = BaselineSubtractor(min_window=10, smooth_window=5)
    expected = subtract.fit_transform(primary[:20])
    predicted = load(output).predict(secondary[:20])
    assert relative_squared_error(expected, predicted) < 0.05
    assert relative_squared_error(primary[:20], predicted) > 0.1


@pytest.mark.parametrize(
    "name",
    [
        *("library_ridge", "library_residual", "vae_mlp", "one_step", "pls", "knn"),
        *("ds", "pds", "sst", "coral"),
    ],
)
@pytest.mark.filterwarnings("ignore::sklspec.exceptions.LibraryFloorWarning")  # 3 epochs
def test_every_candidate_round_trips_in_the_safe_format(name, tmp_path):
    # Whichever candidate wins, its model file predicts exactly as the model did.
    from sklspec.base import unwrap_frozen
    from sklspec.io import load, save
    from sklspec.model_selection import transfer_candidates, wrap_transfer_model
    from sklspec.preprocessing import SpectralScaler
    from sklspec.transfer import LatentLibrary

    rng = np.random.default_rng(0)
    amounts = rng.uniform(size=(80, 2))
    X = amounts @ rng.normal(size=(2, 12))
    Y = amounts @ rng.normal(size=(2, 12)) + 0.1 * X**2
    ((estimator, grid),) = transfer_candidates(
        [name],
        n_pairs=80,
        n_channels=12,
        n_primary_channels=12,
        latent_dim=2,
        vae_hidden=[8],
        max_epochs=3,
        lr=1e-2,
        random_state=0,
        library_decoder="pca+vae",
        library_components=2,
        device="cpu",  # predictions compared on one device (the loaded model's is the CPU)
    ).values()
    holds_library = isinstance(unwrap_frozen(getattr(estimator, "vae", None)), LatentLibrary)
    scaling = None if holds_library else "global"
    assert (scaling is None) == name.startswith("library_")
    model = wrap_transfer_model(estimator, SpectralScaler(), scaling=scaling).fit(X, Y)
    save(model, tmp_path / "m.sklspec")
    np.testing.assert_array_equal(load(tmp_path / "m.sklspec").predict(X), model.predict(X))
    assert grid == {} or all(len(values) >= 1 for values in grid.values())


def test_fit_transfer_scores_the_models_by_a_calibration_of_given_targets(pairs, tmp_path, capsys):
    folder, primary, _ = pairs
    # An analyte the primary instrument reads off its spectra, one value per pair.
    oil = primary[:, :3].sum(axis=1) / 10
    np.save(tmp_path / "oil.npy", oil)
    output = tmp_path / "m.sklspec"
    targets = {"--targets": str(tmp_path / "oil.npy"), "--models": "pls,knn", "-o": str(output)}
    assert main(fit_args(folder, **targets, **{"--select-by": "rmsep"})) == 0
    out = capsys.readouterr().out
    assert "calibration: PLS of 1 analyte(s) on the primary training spectra" in out
    header = next(line for line in out.splitlines() if line.startswith("model "))
    assert header.split()[:3] == ["model", "RSE", "RMSEP"]
    assert "Models are ranked by validation RMSEP." in out
    info = _info(output)["info"]
    rows = info["comparison"]
    assert info["selected_by"] == "rmsep"
    assert [row["rmsep"] for row in rows] == sorted(row["rmsep"] for row in rows)
    # A linear analyte of linear spectra: PLS transfers it almost exactly, KNN does not.
    assert rows[0]["label"] == "PLS" and rows[0]["rmsep"] < 0.1 * rows[1]["rmsep"]
    assert rows[0]["floor"] < 1e-6
    assert main(["info", str(output)]) == 0
    shown = capsys.readouterr().out
    assert "selected_by: rmsep" in shown and "ranked by validation RMSEP" in shown


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--select-by": "rmsep"}, r"--select-by rmsep needs --targets"),
        ({"--targets": "{short}"}, r"short.npy has 10 rows of targets and .*primary.npy 300"),
        ({"--targets": "{nan}"}, r"nan.npy: contains NaN or infinite values \(first at row 4"),
        (
            {"--targets": "{oil}", "--validation-targets": "{oil}"},
            r"--validation-targets goes with --validation-primary",
        ),
    ],
)
def test_fit_transfer_target_errors(pairs, tmp_path, capsys, change, message):
    folder, primary, _ = pairs
    oil = primary[:, 0]
    np.save(tmp_path / "oil.npy", oil)
    np.save(tmp_path / "short.npy", oil[:10])
    np.save(tmp_path / "nan.npy", np.where(np.arange(300) == 4, np.nan, oil))
    paths = {name: str(tmp_path / f"{name}.npy") for name in ("oil", "short", "nan")}
    change = {key: value.format(**paths) for key, value in change.items()}
    output = tmp_path / "m.sklspec"
    assert main(fit_args(folder, **{**change, "-o": str(output), "--models": "pls"})) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and re.search(message, error), error
    assert not output.exists()


def test_fit_transfer_targets_with_validation_files(pairs, tmp_path, capsys):
    _, primary, secondary = pairs
    oil = primary[:, :3].sum(axis=1) / 10
    for name, values in {
        "p": primary[:250],
        "s": secondary[:250],
        "pv": primary[250:],
        "sv": secondary[250:],
        "t": oil[:250],
        "tv": oil[250:],
    }.items():
        np.save(tmp_path / f"{name}.npy", values)
    command = ["fit-transfer", "--force", "--models", "pls", "-o", str(tmp_path / "m.sklspec")]
    for option, name in [
        ("--primary", "p"),
        ("--secondary", "s"),
        ("--validation-primary", "pv"),
        ("--validation-secondary", "sv"),
        ("--targets", "t"),
    ]:
        command += [option, str(tmp_path / f"{name}.npy")]
    assert main(command) == 2
    assert "needs --validation-targets too" in capsys.readouterr().err
    assert main([*command, "--validation-targets", str(tmp_path / "tv.npy")]) == 0
    rows = _info(tmp_path / "m.sklspec")["info"]["comparison"]
    assert rows[0]["rmsep"] < 0.01


def test_transfer_writes_a_reliability_score_per_spectrum(tmp_path, capsys):
    rng = np.random.default_rng(0)
    bands_primary, bands_secondary = np.abs(rng.normal(size=(2, 3, 30)))

    def measured(n, extra=0.0):
        amounts = rng.uniform(size=(n, 3))
        secondary = 10 * amounts @ bands_secondary[:, :20] + rng.normal(0, 0.05, (n, 20))
        secondary[:, 5:9] += extra  # a feature the training spectra never had
        return 10 * amounts @ bands_primary + rng.normal(0, 0.05, (n, 30)), secondary

    primary, secondary = measured(200)
    np.save(tmp_path / "primary.npy", primary)
    np.save(tmp_path / "secondary.npy", secondary)
    model = str(tmp_path / "model.sklspec")
    fit = ["fit-transfer", "--primary", str(tmp_path / "primary.npy"), "--secondary"]
    assert main([*fit, str(tmp_path / "secondary.npy"), "-o", model, "--models", "pls"]) == 0
    out = capsys.readouterr().out
    assert "reliability score: Q residual and Hotelling's T2 in 10 principal components" in out
    new = np.vstack([measured(20)[1], measured(20, extra=2.0)[1]])
    np.save(tmp_path / "new.npy", new)
    transfer = ["transfer", model, str(tmp_path / "new.npy"), "-o", str(tmp_path / "out.npy")]
    scores_path = str(tmp_path / "scores.csv")
    assert main([*transfer, "--reliability", scores_path, "--block-size", "7"]) == 0
    out = capsys.readouterr().out
    scores = np.loadtxt(scores_path, delimiter=",")
    assert scores.shape == (40,) and np.load(tmp_path / "out.npy").shape == (40, 30)
    # Like the training spectra: mostly within the limit; with the new feature: all beyond.
    assert np.mean(scores[:20] > 1) <= 0.2 and np.all(scores[20:] > 3)
    assert f"{np.sum(scores > 1)} of 40 spectra" in out
    assert main(["info", model]) == 0
    assert "travels with: reliability" in capsys.readouterr().out

    # Bad uses: one line each, exit 2, nothing written.
    assert main([*transfer, "--force", "--reliability", str(tmp_path / "out.npy")]) == 2
    assert "is also --output" in capsys.readouterr().err
    assert main([*transfer[:-1], str(tmp_path / "out2.npy"), "--reliability", scores_path]) == 2
    assert "scores.csv: exists; pass --force to overwrite it." in capsys.readouterr().err
    assert not (tmp_path / "out2.npy").exists()
    from sklspec.io import load, save

    save(load(model), tmp_path / "bare.sklspec")  # a model file without the score
    transfer[1] = str(tmp_path / "bare.sklspec")
    assert main([*transfer, "--force", "--reliability", str(tmp_path / "s2.npy")]) == 2
    error = capsys.readouterr().err
    assert "holds no reliability score" in error and error.count("\n") == 1
    assert not (tmp_path / "s2.npy").exists()


def test_fit_transfer_fits_the_reliability_score_on_a_dozen_pairs(tmp_path, capsys):
    # The score's components are fitted on 4/5 of the pairs: with 12, at most 8.
    rng = np.random.default_rng(0)
    amounts = rng.uniform(size=(12, 3))
    np.save(tmp_path / "p.npy", amounts @ rng.normal(size=(3, 30)) + rng.normal(0, 0.05, (12, 30)))
    np.save(tmp_path / "s.npy", amounts @ rng.normal(size=(3, 20)) + rng.normal(0, 0.05, (12, 20)))
    model = str(tmp_path / "m.sklspec")
    fit = ["fit-transfer", "--primary", str(tmp_path / "p.npy"), "--secondary"]
    assert main([*fit, str(tmp_path / "s.npy"), "-o", model, "--models", "pls"]) == 0
    assert "Hotelling's T2 in 8 principal components" in capsys.readouterr().out
    from sklspec.io import read_info

    assert read_info(model)["companions"] == ["reliability"]


@pytest.fixture(scope="module")
def standards(tmp_path_factory):
    """A primary library of 200 unpaired spectra, 20 pairs, and a calibration set."""
    folder = tmp_path_factory.mktemp("standards")
    rng = np.random.default_rng(0)
    bands, secondary_bands = np.abs(rng.normal(size=(3, 40))), rng.normal(size=(3, 25))
    amounts = rng.uniform(size=(300, 3))
    primary = 10 * amounts @ bands + rng.normal(0, 0.02, (300, 40))
    secondary = 10 * amounts @ secondary_bands + rng.normal(0, 0.02, (300, 25))
    np.save(folder / "library.npy", primary[:200])
    np.save(folder / "primary.npy", primary[200:220])
    np.save(folder / "secondary.npy", secondary[200:220])
    np.save(folder / "targets.npy", amounts[200:220, 0])
    np.save(folder / "calibration.npy", primary[220:])
    np.save(folder / "calibration_targets.npy", amounts[220:, 0])
    np.save(folder / "narrow.npy", primary[:50, :30])
    return folder, primary, secondary


def standards_args(folder, **overrides):
    return _fit_command(
        {
            "--primary": str(folder / "primary.npy"),
            "--secondary": str(folder / "secondary.npy"),
            "--primary-library": str(folder / "library.npy"),
            "-o": str(folder / "model.sklspec"),
            "--models": "library_ridge,pls",
            "--components": "3",
            **overrides,
        }
    )


def test_few_standards_with_a_primary_library_and_a_calibration_set(standards, capsys):
    from sklearn.frozen import FrozenEstimator

    from sklspec.io import load

    folder, primary, secondary = standards
    extra = {
        "--targets": str(folder / "targets.npy"),
        "--calibration-primary": str(folder / "calibration.npy"),
        "--calibration-targets": str(folder / "calibration_targets.npy"),
    }
    assert main(standards_args(folder, **extra)) == 0
    out = capsys.readouterr().out
    # 20 pairs: ranked by cross-validation over all of them, not a held-out handful.
    assert "by 5-fold cross-validation over 20 pairs" in out
    assert "Scores by 5-fold cross-validation over the 20 pairs" in out
    assert "fitted on 200 primary spectra; reconstruction floor" in out
    assert "calibration: PLS of 1 analyte(s) on 80 primary calibration spectra" in out
    info = _info(folder / "model.sklspec")["info"]
    assert info["cv_folds"] == 5 and info["calibration_spectra"] == 80
    assert main(["info", str(folder / "model.sklspec")]) == 0
    printed = capsys.readouterr().out
    assert "Scores by 5-fold cross-validation over the 20 pairs" in printed
    assert "a PLS calibration on 80 primary calibration spectra" in printed
    assert info["library"]["spectra"] == 200 and info["library"]["decoder"] == "pca"
    assert info["library"]["reconstruction_error"] < 1e-4
    rows = {row["model"]: row for row in info["comparison"]}
    assert set(rows) == {"library_ridge", "pls"} and rows["library_ridge"]["rmsep"] > 0
    model = load(folder / "model.sklspec")
    predicted = model.predict(secondary[220:])
    assert relative_squared_error(primary[220:], predicted) < 0.01
    if info["model"] == "library + ridge":
        # The library travels frozen, as it was fitted on the library spectra.
        assert isinstance(model.regressor_[-1].vae_, FrozenEstimator)


def test_cross_validated_rmsep_calibrates_each_fold_on_its_own_pairs(standards, capsys):
    folder, _, _ = standards
    args = standards_args(folder, **{"--targets": str(folder / "targets.npy"), "--cv": "4"})
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "on each fold's primary training spectra" in out
    assert "Scores by 4-fold cross-validation over the 20 pairs" in out
    assert "Models are ranked by cross-validated RSE." in out


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--primary-library": "missing.npy"}, r"missing.npy: no such file"),
        ({"--primary-library": "narrow.npy"}, r"narrow.npy: spectra of 30 channels; the primary"),
        ({"--calibration-primary": "calibration.npy"}, r"go together: give both or neither"),
        (
            {
                "--calibration-primary": "calibration.npy",
                "--calibration-targets": "calibration_targets.npy",
            },
            r"--calibration-primary scores each model's transferred spectra by a calibration; "
            r"it needs --targets",
        ),
        (
            {
                "--targets": "targets.npy",
                "--calibration-primary": "calibration.npy",
                "--calibration-targets": "targets.npy",
            },
            r"targets.npy has 20 rows of targets and .*calibration.npy 80 spectra",
        ),
        ({"--cv": "1"}, r"--cv must be between 2 and 10 \(half the 20 pairs"),
        ({"--cv": "11"}, r"each fold holds out at least 2\); got 11"),
        ({"--components": "0"}, r"--components must be a positive integer; got 0"),
    ],
)
def test_few_standards_input_errors(standards, tmp_path, capsys, change, message):
    folder, _, _ = standards
    change = {
        key: str(folder / value) if value.endswith(".npy") else value
        for key, value in change.items()
    }
    output = tmp_path / "m.sklspec"
    assert main(standards_args(folder, **{**change, "-o": str(output)})) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and re.search(message, error), error
    assert not output.exists()


def test_a_reader_that_stops_early_is_no_error(pairs, tmp_path):
    # ``sklspec info model | head -1``: before, "error: [Errno 32] Broken pipe".
    folder, _, _ = pairs
    model = tmp_path / "m.sklspec"
    assert main(fit_args(folder, **{"-o": str(model), "--models": "pls"})) == 0
    code = f"import sys; from sklspec.cli import main; sys.exit(main(['info', {str(model)!r}]))"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.readline()
    process.stdout.close()  # as head does, before the command has written everything
    error = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait() == 0 and error == "", error


def test_a_handful_of_pairs_is_compared_with_two_pairs_per_fold(tmp_path, capsys):
    # Before: 5 pairs gave 5 folds of one pair, whose RSE is undefined, and the command
    # stopped with "error: 'mean_test_neg_relative_squared_error'".
    rng = np.random.default_rng(3)
    primary = rng.normal(size=(5, 12)).cumsum(axis=1)
    secondary = 1.1 * primary + 0.2
    np.save(tmp_path / "p.npy", primary)
    np.save(tmp_path / "s.npy", secondary)
    command = ["fit-transfer", "--primary", str(tmp_path / "p.npy"), "--secondary"]
    command += [str(tmp_path / "s.npy"), "--models", "pls,ds", "-o"]
    assert main([*command, str(tmp_path / "five.sklspec")]) == 0
    assert "Scores by 2-fold cross-validation over the 5 pairs" in capsys.readouterr().out
    np.save(tmp_path / "p.npy", primary[:3])
    np.save(tmp_path / "s.npy", secondary[:3])
    assert main([*command, str(tmp_path / "three.sklspec")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "too few pairs (3) to compare models: cross-validation needs at least 4" in error


def test_fit_transfer_warns_when_the_kept_model_is_no_better_than_the_mean(tmp_path, capsys):
    # Files that do not pair the same samples: nothing to learn.
    rng = np.random.default_rng(0)
    np.save(tmp_path / "primary.npy", rng.normal(size=(60, 10)))
    np.save(tmp_path / "secondary.npy", rng.normal(size=(60, 8)))
    args = ["fit-transfer", "--primary", str(tmp_path / "primary.npy"),
            "--secondary", str(tmp_path / "secondary.npy"), "-o", str(tmp_path / "m.sklspec"),
            "--models", "pls"]  # fmt: skip
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "warning: the kept model's validation RSE is 1." in err
    assert "no better than predicting the mean primary spectrum" in err
