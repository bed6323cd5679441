"""The ``minikeras`` command, run as a user runs it: ``python -m minikeras`` in a fresh process."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from minikeras import cli

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["train", "--dataset", "breast_cancer", "--epochs", "3", "--verbose", "2", "--seed", "0"]
# Wall-clock columns of the epoch lines ("5/5 - 0s - 563us/step - loss: ..."): the
# only part of a run that may differ between two runs with the same seed.
TIMING = re.compile(r"\b\d+(?:\.\d+)?(?:s|ms|us)(?:/step)?(?= -|$)", re.MULTILINE)


def run(*args):
    """Run ``python -m minikeras *args`` from the repository root, with no stdin."""
    return subprocess.run([sys.executable, "-m", "minikeras", *args], cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


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
    assert final_accuracy(result.stdout) >= 0.95


def test_hidden_changes_the_architecture():
    result = run("train", "--hidden", "16,8", "--epochs", "1", "--verbose", "0")
    assert result.returncode == 0, result.stderr
    # 30*16+16 + 16*8+8 + 8*1+1 = 496 + 136 + 9
    assert "Total params: 641" in result.stdout
    assert "14,337" not in result.stdout
    assert "Epoch" not in result.stdout  # --verbose 0 is silent during training


@pytest.mark.parametrize("args", [["--help"], ["train", "--help"]], ids=["top", "train"])
def test_help(args):
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: minikeras")
    if args[0] == "train":
        for option in ("--epochs", "--batch-size", "--lr", "--seed", "--hidden", "--verbose",
                       "--dataset"):
            assert option in result.stdout, option
    else:
        assert "train" in result.stdout


BAD_ARGUMENTS = [
    pytest.param(["train", "--bogus"], "unrecognized arguments: --bogus", id="unknown-option"),
    pytest.param(["train", "--epochs", "0"], "--epochs", id="epochs-zero"),
    pytest.param(["train", "--epochs", "abc"], "--epochs", id="epochs-not-a-number"),
    pytest.param(["train", "--lr", "-1"], "--lr", id="lr-negative"),
    pytest.param(["train", "--hidden", "12,,3"], "--hidden", id="hidden-empty-width"),
    pytest.param(["train", "--dataset", "mnist2"], "--dataset", id="unknown-dataset"),
    pytest.param(["train", "--verbose", "7"], "--verbose", id="verbose-7"),
    pytest.param([], "COMMAND", id="no-command"),
]


@pytest.mark.parametrize("args, mentions", BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_one_line(args, mentions):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("minikeras")
    assert mentions in lines[0]
    assert "Traceback" not in result.stderr


def test_main_in_process(capsys):
    assert cli.main(["train", "--hidden", "4", "--epochs", "2", "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "Total params: 129" in out  # 30*4+4 + 4*1+1
    assert 0.0 <= final_accuracy(out) <= 1.0


def test_main_in_process_rejects_bad_value(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "--batch-size", "-5"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--batch-size" in err and "'-5'" in err


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
