"""The ``minikeras`` command, run as a user runs it (``python -m minikeras`` in a fresh
process) and in-process through ``cli.main`` for the many cases that need no process."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minikeras
from minikeras import cli
from minikeras.datasets import breast_cancer, mnist
from conftest import write_mnist  # noqa: E402 - the tests folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["train", "--dataset", "breast_cancer", "--epochs", "3", "--verbose", "2", "--seed", "0"]
SMALL = ["train", "--hidden", "8", "--epochs", "2", "--seed", "0"]
# Wall-clock columns of the epoch lines ("5/5 - 0s - 563us/step - loss: ..."): the
# only part of a run that may differ between two runs with the same seed.
TIMING = re.compile(r"\b\d+(?:\.\d+)?(?:s|ms|us)(?:/step)?(?= -|$)", re.MULTILINE)


def run(*args, env=None):
    """Run ``python -m minikeras *args`` from the repository root, with no stdin."""
    return subprocess.run([sys.executable, "-m", "minikeras", *args], cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env=env)


def main(capsys, *args):
    """``cli.main(args)`` in this process: ``(status, stdout, stderr)``."""
    try:
        status = cli.main([str(arg) for arg in args])
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def final_accuracy(stdout):
    match = re.search(r"^Final validation accuracy: (\d\.\d+)", stdout, re.MULTILINE)
    assert match, f"no final accuracy line in:\n{stdout}"
    return float(match.group(1))


@pytest.fixture(scope="module")
def quick_run():
    return run(*QUICK)


def test_quick_run_prints_summary_epochs_and_accuracy(quick_run):
    assert quick_run.returncode == 0, quick_run.stderr
    assert quick_run.stderr == ""
    out = quick_run.stdout
    assert "Total params: 14,337" in out
    assert [line for line in out.splitlines() if line.startswith("Epoch ")] == [
        "Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert 0.5 < final_accuracy(out) <= 1.0
    assert out.rstrip().splitlines()[-1].startswith("Final validation accuracy:")


def test_same_seed_gives_the_same_output(quick_run):
    again = run(*QUICK)
    assert again.returncode == 0, again.stderr
    assert TIMING.search(quick_run.stdout), "the timing pattern no longer matches the epoch lines"
    assert TIMING.sub("<t>", again.stdout) == TIMING.sub("<t>", quick_run.stdout)


def test_another_seed_gives_another_run(quick_run):
    other = run(*QUICK[:-1], "1")
    assert other.returncode == 0, other.stderr
    assert TIMING.sub("<t>", other.stdout) != TIMING.sub("<t>", quick_run.stdout)


def test_default_run_reaches_the_tutorial_accuracy():
    result = run("train", "--dataset", "breast_cancer")
    assert result.returncode == 0, result.stderr
    assert "Epoch 30/30" in result.stdout
    # Piped, the default progress bar (verbose 1) is one line per epoch, without colour codes.
    epoch_lines = [line for line in result.stdout.splitlines() if line.startswith("5/5 ")]
    assert len(epoch_lines) == 30 and "\x1b" not in result.stdout and "\r" not in result.stdout
    assert final_accuracy(result.stdout) >= 0.95


def test_version():
    result = run("--version")
    assert (result.returncode, result.stdout, result.stderr) == (
        0, f"minikeras {minikeras.__version__}\n", "")


def test_verbose_0_prints_only_the_result(capsys):
    status, out, err = main(capsys, "train", "--hidden", "16,8", "--epochs", "1", "--verbose", "0")
    assert (status, err) == (0, "")
    assert len(out.splitlines()) == 1 and 0.0 <= final_accuracy(out) <= 1.0


def test_hidden_changes_the_architecture(capsys):
    status, out, _ = main(capsys, "train", "--hidden", "16,8", "--epochs", "1", "--verbose", "2")
    assert status == 0
    # 30*16+16 + 16*8+8 + 8*1+1 = 496 + 136 + 9
    assert "Total params: 641" in out and "14,337" not in out
    # One epoch: no "Epoch 1/1" line, as in Keras; the epoch's line itself is there.
    assert "Epoch" not in out and re.search(r"^5/5 - \d+s - ", out, re.MULTILINE)


def test_piping_into_head_ends_quietly():
    """`minikeras train | head -n 2`: the reader leaves; no traceback, status 141 as for `yes`."""
    process = subprocess.Popen([sys.executable, "-m", "minikeras", *QUICK[:4], "30"], cwd=ROOT,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    first_lines = [process.stdout.readline() for _ in range(2)]
    process.stdout.close()  # what `head` does after its lines
    _, err = process.communicate(timeout=120)
    assert first_lines[0] == b'Model: "sequential"\n'
    assert err == b""
    assert process.returncode == 141


def test_console_without_unicode_gets_ascii_summary_and_bar():
    result = run(*SMALL, "--verbose", "1", env=dict(os.environ, PYTHONIOENCODING="ascii"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.isascii()
    assert "+----" in result.stdout and "| Layer (type)" in result.stdout
    assert re.search(r"^5/5 ={20} \d+s ", result.stdout, re.MULTILINE), result.stdout


@pytest.mark.parametrize("args", [["--help"], ["train", "--help"], ["evaluate", "--help"],
                                  ["predict", "--help"]], ids=["top", "train", "evaluate",
                                                               "predict"])
def test_help(args, capsys):
    status, out, _ = main(capsys, *args)
    assert status == 0
    assert out.startswith("usage: minikeras")
    expected = {
        "--help": ["train", "evaluate", "predict", "--version"],
        "train": ["--epochs", "--batch-size", "--lr", "--seed", "--hidden", "--verbose",
                  "--dataset", "mnist", "--data", "MINIKERAS_DATA", "--save"],
        "evaluate": ["MODEL", "DATA", ".npz", ".npy", ".csv", "--label-column", "labels"],
        "predict": ["MODEL", "DATA", "--output", ".npz", ".npy", ".csv", "--label-column"],
    }[args[0]]
    for word in expected:
        assert word in out, word


# -- every bad option or value: status 2 and one line on stderr -----------------------------

SUBPROCESS_BAD_ARGUMENTS = [
    pytest.param(["train", "--bogus"], "unrecognized arguments: --bogus", id="unknown-option"),
    pytest.param(["train", "--lr", "nan"], "--lr", id="lr-nan"),
    pytest.param(["train", "--seed", "-1"], "--seed", id="seed-negative"),
    pytest.param([], "COMMAND", id="no-command"),
]


@pytest.mark.parametrize("args, mentions", SUBPROCESS_BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_one_line(args, mentions):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("minikeras")
    assert mentions in lines[0]


BAD_TRAIN_ARGUMENTS = [
    pytest.param(["--epochs", "0"], "--epochs: expected a positive integer, got '0'",
                 id="epochs-zero"),
    pytest.param(["--epochs", "abc"], "--epochs", id="epochs-not-a-number"),
    pytest.param(["--epochs", "2.5"], "--epochs", id="epochs-fraction"),
    pytest.param(["--batch-size", "-5"], "--batch-size: expected a positive integer, got '-5'",
                 id="batch-size-negative"),
    pytest.param(["--lr", "-1"], "--lr", id="lr-negative"),
    pytest.param(["--lr", "0"], "--lr", id="lr-zero"),
    pytest.param(["--lr", "inf"], "--lr: expected a finite positive number", id="lr-inf"),
    pytest.param(["--lr", "nan"], "got 'nan'", id="lr-nan"),
    pytest.param(["--seed", "-1"], "--seed: expected a non-negative integer, got '-1'",
                 id="seed-negative"),
    pytest.param(["--seed", "x"], "--seed", id="seed-not-a-number"),
    pytest.param(["--hidden", "12,,3"], "--hidden", id="hidden-empty-width"),
    pytest.param(["--hidden", "0"], "--hidden", id="hidden-zero"),
    pytest.param(["--dataset", "mnist2"], "--dataset", id="unknown-dataset"),
    pytest.param(["--verbose", "7"], "--verbose", id="verbose-7"),
    pytest.param(["--save", "no/such/folder/m.mk"], "--save: the folder 'no/such/folder' does "
                 "not exist", id="save-missing-folder"),
    pytest.param(["--data", "."], "--data: applies only to --dataset mnist", id="data-without-mnist"),
]


@pytest.mark.parametrize("args, mentions", BAD_TRAIN_ARGUMENTS)
def test_bad_train_values_exit_2_with_one_line(args, mentions, capsys):
    status, out, err = main(capsys, "train", "--epochs", "1", *args)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("minikeras train: error: argument ")
    assert mentions in err


def test_save_onto_a_folder_is_refused(capsys, tmp_path):
    status, _, err = main(capsys, "train", "--save", tmp_path)
    assert status == 2 and "--save: expected a file name, got the folder" in err


def test_diverging_training_stops_with_one_line_and_status_1(capsys):
    status, out, err = main(capsys, "train", "--lr", "1e6", "--epochs", "5", "--verbose", "0")
    assert status == 1 and out == ""
    assert err.count("\n") == 1
    assert re.fullmatch(r"minikeras train: error: training diverged: the loss is (nan|inf) at "
                        r"epoch 1, batch \d; try a smaller --lr \(this run used 1e\+06\)\n", err)


# -- train --save, then evaluate and predict ------------------------------------------------

@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small model trained and saved by the command, and its held-out data in every format."""
    folder = tmp_path_factory.mktemp("cli")
    model_path = folder / "model.mk"
    assert cli.main([*SMALL, "--verbose", "0", "--save", str(model_path)]) == 0
    _, (x, y) = breast_cancer.load_data()
    np.savez(folder / "held_out.npz", x=x, y=y)
    np.save(folder / "held_out.npy", np.c_[x, y])
    np.save(folder / "features.npy", x)
    with open(folder / "held_out.csv", "w") as f:
        # The label first (found by name or number); %.9g keeps every digit of a float32.
        f.write(",".join(["label"] + [f"f{i}" for i in range(30)]) + "\n")
        np.savetxt(f, np.c_[y, x], delimiter=",", fmt="%.9g")
    return folder, model_path


def test_train_save_writes_a_model_that_loads(saved, capsys):
    folder, model_path = saved
    model = minikeras.models.load_model(model_path)
    assert model.count_params() == 30 * 8 + 8 + 8 + 1
    status, out, _ = main(capsys, *SMALL, "--verbose", "1", "--save", folder / "again.mk")
    assert status == 0
    assert f"Saved the model to {folder / 'again.mk'}" in out
    again = minikeras.models.load_model(folder / "again.mk")
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)  # same seed, same model


@pytest.mark.parametrize("data, extra", [("held_out.npz", []), ("held_out.npy", []),
                                         ("held_out.csv", ["--label-column", "label"]),
                                         ("held_out.csv", ["--label-column", "0"])],
                         ids=["npz", "npy-last-column", "csv-by-name", "csv-by-number"])
def test_evaluate_reports_what_model_evaluate_reports(saved, data, extra, capsys):
    folder, model_path = saved
    _, (x, y) = breast_cancer.load_data()
    expected = minikeras.models.load_model(model_path).evaluate(x, y, verbose=0, return_dict=True)
    status, out, err = main(capsys, "evaluate", model_path, folder / data, *extra)
    assert (status, err) == (0, "")
    # The keys in evaluate's (Keras 3's) sorted order, as the progress bar shows them.
    assert out == f"accuracy: {expected['accuracy']:.4f} - loss: {expected['loss']:.4f}\n"


def test_evaluate_verbose_draws_one_progress_line_first(saved, capsys):
    folder, model_path = saved
    status, out, _ = main(capsys, "evaluate", model_path, folder / "held_out.npz",
                          "--verbose", "2", "--batch-size", "50")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 2
    assert re.match(r"2/2 - \d+s - \d+[mu]?s/step - ", lines[0])
    assert lines[1].startswith("accuracy: ")  # evaluate's keys, sorted as Keras 3 sorts them


@pytest.mark.parametrize("data, extra", [("features.npy", []), ("held_out.npz", []),
                                         ("held_out.csv", ["--label-column", "label"])],
                         ids=["npy", "npz", "csv-leaving-out-the-label"])
def test_predict_prints_the_outputs_as_csv_rows(saved, data, extra, capsys):
    folder, model_path = saved
    _, (x, _) = breast_cancer.load_data()
    expected = minikeras.models.load_model(model_path).predict(x, verbose=0)
    status, out, err = main(capsys, "predict", model_path, folder / data, *extra,
                            "--verbose", "1")
    assert status == 0
    assert re.fullmatch(r"4/4 \S{20} \d+s \d+[mu]?s/step\n", err)  # the bar stays off stdout
    rows = np.loadtxt(out.splitlines(), delimiter=",", ndmin=2, dtype=np.float32)
    np.testing.assert_array_equal(rows, expected)  # shortest exact text of each float32


@pytest.mark.parametrize("suffix", [".npy", ".csv"])
def test_predict_output_file(saved, suffix, capsys, tmp_path):
    folder, model_path = saved
    _, (x, _) = breast_cancer.load_data()
    expected = minikeras.models.load_model(model_path).predict(x, verbose=0)
    target = tmp_path / f"predictions{suffix}"
    status, out, err = main(capsys, "predict", model_path, folder / "features.npy",
                            "--output", target)
    assert (status, out, err) == (0, "", "")  # verbose 0: the file is the result
    written = (np.load(target) if suffix == ".npy"
               else np.loadtxt(target, delimiter=",", ndmin=2, dtype=np.float32))
    np.testing.assert_array_equal(written, expected)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


BAD_DATA = [
    pytest.param("evaluate", "missing.npz", [], "argument DATA: no such file", id="no-such-file"),
    pytest.param("evaluate", "data.txt", [], "expected a .npz, .npy or .csv file",
                 id="unknown-suffix"),
    pytest.param("evaluate", "features.npz", [], "must hold arrays named x and y; it holds x",
                 id="npz-without-y"),
    pytest.param("evaluate", "held_out.npz", ["--label-column", "1"],
                 "--label-column: applies to .npy and .csv files", id="label-column-with-npz"),
    pytest.param("evaluate", "held_out.npy", ["--label-column", "31"],
                 "expected a column number from -31 to 30 (the file has 31 columns), got '31'",
                 id="label-column-out-of-range"),
    pytest.param("evaluate", "held_out.csv", ["--label-column", "target"],
                 "no column named 'target'; the columns are label, f0, f1", id="label-column-unknown"),
    pytest.param("evaluate", "bad.csv", [], "'bad.csv', line 3: 'abc' is not a number",
                 id="csv-not-a-number"),
    pytest.param("evaluate", "ragged.csv", [], "line 2: 2 values, but the first row has 3",
                 id="csv-ragged"),
    pytest.param("evaluate", "features.npy", [], "`x` must have samples of shape (30,)",
                 id="label-column-taken-from-the-features"),
    pytest.param("evaluate", "nan.npz", [], "must be finite", id="nan-feature"),
    pytest.param("predict", "held_out.npy", [], "leave it out with --label-column",
                 id="predict-on-a-labelled-file"),
    pytest.param("predict", "features.npy", ["--output", "out.txt"],
                 "--output: expected a file name ending in .npy or .csv", id="output-suffix"),
    pytest.param("predict", "features.npy", ["--batch-size", "0"], "--batch-size",
                 id="batch-size-zero"),
]


@pytest.mark.parametrize("command, data, extra, mentions", BAD_DATA)
def test_bad_data_exits_2_with_one_line(saved, command, data, extra, mentions, capsys, tmp_path,
                                        monkeypatch):
    folder, model_path = saved
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "data.txt", "1,2\n")
    _write(tmp_path / "bad.csv", "a,b\n1,2\n3,abc\n")
    _write(tmp_path / "ragged.csv", "1,2,3\n4,5\n")
    _, (x, y) = breast_cancer.load_data()
    np.savez(tmp_path / "features.npz", x=x)
    np.savez(tmp_path / "nan.npz", x=np.where(np.arange(30) == 3, np.nan, x), y=y)
    for name in ("held_out.npz", "held_out.npy", "held_out.csv", "features.npy"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    status, out, err = main(capsys, command, model_path, data, *extra)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(f"minikeras {command}: error: argument ")
    assert mentions in err


def test_a_file_that_is_not_a_model_exits_2(saved, capsys):
    folder, _ = saved
    status, _, err = main(capsys, "evaluate", folder / "held_out.npz", folder / "held_out.npz")
    assert status == 2 and err.count("\n") == 1
    assert "argument MODEL: " in err and "neither a minikeras file" in err


def test_an_uncompiled_model_cannot_be_evaluated(saved, capsys, tmp_path):
    folder, _ = saved
    model = minikeras.Sequential([minikeras.Input((30,)), minikeras.layers.Dense(1)])
    model.save(tmp_path / "plain.mk")
    status, _, err = main(capsys, "evaluate", tmp_path / "plain.mk", folder / "held_out.npz")
    assert status == 2 and "saved before compile(), so it has no loss" in err
    status, out, _ = main(capsys, "predict", tmp_path / "plain.mk", folder / "features.npy")
    assert status == 0 and len(out.splitlines()) == 100  # predicting needs no loss


# -- MNIST from a tiny generated IDX set ----------------------------------------------------

@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch):
    """60 training and 20 test 28x28 'digits' of 3 classes, with their checksums registered."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    arrays = {}
    for split, count in (("train", 60), ("t10k", 20)):
        labels = np.arange(count) % 3
        images = rng.integers(0, 40, size=(count, 28, 28))
        for digit in range(3):  # each class inks its own band of rows: learnable
            images[labels == digit, 9 * digit:9 * digit + 9, :] += 200
        arrays[f"{split}-images-idx3-ubyte.gz"] = images
        arrays[f"{split}-labels-idx1-ubyte.gz"] = labels
    monkeypatch.setattr(mnist, "FILES", write_mnist(folder, arrays))
    return folder


def test_train_on_mnist_from_data_folder(tiny_mnist, capsys, tmp_path):
    status, out, err = main(capsys, "train", "--dataset", "mnist", "--data", tiny_mnist,
                            "--hidden", "16", "--epochs", "20", "--lr", "0.01", "--verbose", "2",
                            "--save", tmp_path / "digits.mk")
    assert (status, err) == (0, "")
    assert "Total params: 12,730" in out  # 784*16+16 + 16*10+10
    assert re.search(r"^1/1 - \d+s - .* - accuracy: ", out, re.MULTILINE)  # 60 rows, batch 100
    assert out.rstrip().endswith("20 held-out samples)") and final_accuracy(out) == 1.0
    # The saved model takes the held-out images as the command trained it: flattened, in [0, 1].
    (_, _), (x_test, y_test) = mnist.load_data(tiny_mnist)
    np.savez(tmp_path / "test.npz", x=x_test / np.float32(255), y=y_test)
    status, out, _ = main(capsys, "evaluate", tmp_path / "digits.mk", tmp_path / "test.npz")
    assert status == 0 and out.splitlines()[-1].startswith("accuracy: 1.0000 - loss: ")


def test_train_on_mnist_reads_minikeras_data(tiny_mnist, capsys, monkeypatch):
    monkeypatch.setenv("MINIKERAS_DATA", str(tiny_mnist))
    status, out, _ = main(capsys, "train", "--dataset", "mnist", "--hidden", "4", "--epochs", "1",
                          "--verbose", "0")
    assert status == 0 and out.endswith("20 held-out samples)\n")


def test_mnist_download_failure_is_one_line_with_status_1(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MINIKERAS_MNIST_MIRROR", "http://127.0.0.1:9/")  # nothing listens there
    status, out, err = main(capsys, "train", "--dataset", "mnist", "--data", tmp_path / "empty",
                            "--verbose", "0")
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("minikeras train: error: cannot load MNIST: Could not download "
                          "http://127.0.0.1:9/")
    assert list((tmp_path / "empty").iterdir()) == []  # no partial file left behind


# -- the README's quick start is what CI runs -----------------------------------------------

def readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md has no ```bash block"
    return block.group(1).splitlines()


def test_readme_starts_with_two_one_line_commands():
    lines = readme_commands()
    assert len(lines) == 2, lines
    install_and_train, install_and_test = lines
    for line in lines:
        assert line.strip() == line and not line.endswith("\\") and not line.startswith("#")
    assert install_and_train.endswith("minikeras train --dataset breast_cancer")
    assert install_and_test.endswith("python -m pytest -q")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()
