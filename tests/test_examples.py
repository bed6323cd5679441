"""Every script in examples/ runs in --quick mode, exits 0 and writes its output into --out.

The scripts are run as users run them, ``python examples/NAME.py --quick``, with
this interpreter (where minikeras is installed). MNIST comes from ``mnist_dir``
through MINIKERAS_DATA, never from the network; the MNIST examples need the
real files (the scripts verify their checksums) and skip, saying why, without them.
"""
import ast
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from minikeras.datasets import mnist

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
MNIST_EXAMPLES = [name for name in EXAMPLES if name.startswith("mnist")]

#: What each example writes into --out.
OUTPUTS = {
    "moons.py": "moons_boundary.png",
    "spiral.py": "spiral_boundary.png",
    "deep_blobs.py": "deep_blobs_boundary.png",
    "breast_cancer.py": "breast_cancer_history.png",
    "breast_cancer_checkpoint.py": "best.mk",
    "mnist_from_scratch.py": "mnist_from_scratch_history.png",
    "mnist_mlp.py": "mnist_mlp_history.png",
    "sklearn_grid_search.py": "sklearn_grid_search.csv",
    "distributed_search.py": None,   # prints its search; writes nothing
}
#: The examples that need an optional extra, and the module that extra installs.
NEEDS = {"distributed_search.py": "distributed"}
#: The examples with a target, which a full run must reach.
TARGETED = sorted(set(OUTPUTS) - {"sklearn_grid_search.py"})

try:
    import matplotlib  # noqa: F401
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False


def run_example(name, *options, cwd, data=None):
    """Run ``examples/NAME.py`` with no network for MNIST (a mirror port that refuses)."""
    refusing = socket.socket()
    refusing.bind(("127.0.0.1", 0))
    with refusing:
        env = dict(os.environ, MPLBACKEND="Agg", MINIKERAS_DATA=str(data or cwd / "no-mnist"),
                   MINIKERAS_MNIST_MIRROR=f"http://127.0.0.1:{refusing.getsockname()[1]}/")
        return subprocess.run([sys.executable, str(ROOT / "examples" / name), *options],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def check_grid_search_table(filename):
    rows = filename.read_text().splitlines()
    assert rows[0] == "estimator,width,learning_rate,mean_cv_accuracy,std_cv_accuracy"
    # --quick: width 8, learning rates 0.01 and 0.1, for both estimators.
    assert [row.rsplit(",", 2)[0] for row in rows[1:]] == [
        "MiniKerasClassifier,8,0.01", "MiniKerasClassifier,8,0.1",
        "MLPClassifier,8,0.01", "MLPClassifier,8,0.1"]
    assert all(0.5 < float(row.split(",")[3]) <= 1 for row in rows[1:])
    assert [p.name for p in filename.parent.iterdir()] == [filename.name]   # no temporary left


def test_every_example_is_listed_with_its_output():
    assert set(OUTPUTS) == set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_states_its_options_and_target(name):
    docstring = ast.get_docstring(ast.parse((ROOT / "examples" / name).read_text()))
    assert docstring and "--quick" in docstring
    assert ("--out" in docstring) == (OUTPUTS[name] is not None)
    assert ("Target" in docstring) == (name in TARGETED)


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.real_mnist)
                                  if name in MNIST_EXAMPLES else name for name in EXAMPLES])
def test_example_runs_quick(name, tmp_path, request):
    if name in NEEDS:
        pytest.importorskip(NEEDS[name], reason=f"{name} needs the `{NEEDS[name]}` extra, "
                                                "which is not installed")
    data = request.getfixturevalue("mnist_dir") if name in MNIST_EXAMPLES else None
    # Run from one folder and ask for the output in another, so `--out` is what puts it there.
    out, cwd = tmp_path / "out", tmp_path / "cwd"
    cwd.mkdir()
    options = ["--quick"] + (["--out", str(out)] if OUTPUTS[name] else [])
    result = run_example(name, *options, cwd=cwd, data=data)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    if name in TARGETED:   # a smoke run's figure is not set beside the target
        assert "Smoke run (--quick), not a test of the target:" in result.stdout
        assert "target" not in result.stdout.replace("not a test of the target", "")
    assert list(cwd.iterdir()) == []
    if OUTPUTS[name] is None:
        assert result.stdout.strip(), "the example printed nothing"
        return
    output = out / OUTPUTS[name]
    if output.suffix == ".mk":
        assert output.stat().st_size > 1000
    elif output.suffix == ".csv":
        check_grid_search_table(output)
    elif HAVE_MATPLOTLIB:
        assert output.exists(), result.stdout[-2000:]
        content = output.read_bytes()
        assert content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) > 10_000
        width = int.from_bytes(content[16:20], "big")
        height = int.from_bytes(content[20:24], "big")
        assert width >= 400 and height >= 300


@pytest.mark.parametrize("name", MNIST_EXAMPLES)
def test_mnist_example_without_data_or_network_says_how_to_get_the_files(name, tmp_path):
    result = run_example(name, "--quick", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("Could not download http://127.0.0.1:")
    assert lines[1].startswith("To get MNIST without a network, copy the four files")
    assert all(file in lines[1] for file in mnist.FILES)
    assert f"into {tmp_path / 'no-mnist'}, or run with --data DIR" in lines[1]
    assert list((tmp_path / "no-mnist").iterdir()) == []   # nothing left behind
