"""The command's inputs and options: what would be misread is refused, saying what to change."""

import numpy as np
import pytest
from sklearn.cross_decomposition import PLSRegression

from sklspec.cli import main
from sklspec.io import save


@pytest.fixture
def model(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 5))
    save(PLSRegression(2).fit(X, X), tmp_path / "m.sklspec")
    return tmp_path / "m.sklspec", X


def _transfer(model_path, spectra, tmp_path, *options):
    output = tmp_path / "out.npy"
    code = main(["transfer", str(model_path), str(spectra), "-o", str(output), *options])
    return code, output


@pytest.mark.parametrize(
    "write, message",
    [
        # The 20-spectrum file that was transferred as 21 spectra, its header as the first.
        (
            lambda X: "4000,3000,2000,1000,500\n" + "\n".join(",".join(map(str, r)) for r in X),
            "its header's wavelengths decrease (4000 to 500); sklspec reads spectra with "
            "increasing wavelengths: reverse the order of the columns",
        ),
        (
            lambda X: (
                "id,1,2,3,4,5\n"
                + "\n".join(f"S{i}," + ",".join(map(str, r)) for i, r in enumerate(X))
            ),
            "its first column is not part of the spectra ('id' in the first row",
        ),
        (
            lambda X: "\n".join(f"S{i}," + ",".join(map(str, r)) for i, r in enumerate(X)),
            "its first column is not part of the spectra ('S0' in the first row",
        ),
        (
            lambda X: "\n".join(";".join(map(str, r)) for r in X),
            "its values are separated by semicolons; sklspec reads comma-separated files",
        ),
        (
            lambda X: "\n".join("\t".join(map(str, r)) for r in X),
            "its values are separated by tabs",
        ),
        (
            lambda X: "\n".join(" ".join(map(str, r)) for r in X),
            "its values are separated by spaces",
        ),
    ],
    ids=["decreasing-header", "id-header", "id-column", "semicolons", "tabs", "spaces"],
)
def test_csv_files_that_would_be_misread_are_refused(model, tmp_path, capsys, write, message):
    path, X = model
    (tmp_path / "new.csv").write_text(write(X) + "\n")
    code, output = _transfer(path, tmp_path / "new.csv", tmp_path)
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not output.exists()


def test_a_decreasing_first_row_above_decreasing_rows_is_data(model, tmp_path):
    # Monotonic spectra (a falling baseline): no header to tell apart, read as data.
    path, _ = model
    X = np.cumsum(np.ones((20, 5)), axis=1)[:, ::-1] + np.arange(20)[:, None]
    np.savetxt(tmp_path / "new.csv", X, delimiter=",")
    code, output = _transfer(path, tmp_path / "new.csv", tmp_path)
    assert code == 0 and np.load(output).shape == (20, 5)


def test_one_channel_too_many_hints_at_an_id_column(model, tmp_path, capsys):
    path, X = model
    np.save(tmp_path / "new.npy", np.column_stack([np.arange(20), X]))
    code, _ = _transfer(path, tmp_path / "new.npy", tmp_path)
    assert code == 2
    assert (
        "has spectra of 6 channels; the model was fitted on secondary spectra of 5 channels. "
        "One more: is its first column sample IDs? Remove it." in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--block-size", "0"], "argument --block-size: a number of spectra must be 1 or more"),
        (["--block-size", "-1"], "a number of spectra must be 1 or more; got -1"),
        (["--block-size", "x"], "a number of spectra must be an integer; got 'x'"),
    ],
)
def test_bad_option_values_are_named(model, tmp_path, capsys, args, message):
    path, X = model
    np.save(tmp_path / "new.npy", X)
    with pytest.raises(SystemExit) as exit_:
        _transfer(path, tmp_path / "new.npy", tmp_path, *args)
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_seeds_and_model_names_are_checked_before_any_work(model, tmp_path, capsys):
    _, X = model
    np.save(tmp_path / "x.npy", X)
    with pytest.raises(SystemExit):
        main(["demo", "--seed", "-1"])
    assert "argument --seed: a seed must be 0 or more; got -1" in capsys.readouterr().err
    base = ["fit-transfer", "--primary", str(tmp_path / "x.npy"), "--secondary",
            str(tmp_path / "x.npy"), "-o", str(tmp_path / "n.sklspec")]  # fmt: skip
    assert main([*base, "--models", "svm"]) == 2
    captured = capsys.readouterr()
    assert "--models: unknown model svm" in captured.err
    assert "spectra of" not in captured.out  # refused before the files were read
    assert main([*base, "--models", "epo"]) == 2
    assert "--models: epo needs --targets" in capsys.readouterr().err


def test_help_shows_defaults_only_where_there_is_one(capsys):
    with pytest.raises(SystemExit):
        main(["transfer", "--help"])
    text = capsys.readouterr().out
    assert "(default: None)" not in text and "(default: False)" not in text
    assert "(default: 4096)" in text


def test_a_missing_csv_input_is_named(model, tmp_path, capsys):
    path, _ = model
    code, _ = _transfer(path, tmp_path / "missing.csv", tmp_path)
    assert code == 2 and "missing.csv: no such file." in capsys.readouterr().err
