"""Every script in examples/ runs in --quick mode, exits 0 and draws its picture.

The scripts are run as users run them, ``python examples/NAME.py --quick``, with
this interpreter (where minikeras is installed). MNIST comes from the shared
data folder through MINIKERAS_DATA, never from the network.
"""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
MNIST_DIR = (ROOT / ".." / "shared" / "data" / "mnist").resolve()

#: The picture each example draws (examples not listed only have to exit 0).
PICTURES = {
    "moons.py": "moons_boundary.png",
    "spiral.py": "spiral_boundary.png",
    "deep_blobs.py": "deep_blobs_boundary.png",
    "breast_cancer.py": "breast_cancer_history.png",
    "mnist_from_scratch.py": "mnist_from_scratch_history.png",
    "mnist_mlp.py": "mnist_mlp_history.png",
}

try:
    import matplotlib  # noqa: F401
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False


def test_every_workflow_of_the_issue_has_an_example():
    assert set(PICTURES) <= set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_example_states_its_target_and_quick_mode(name):
    docstring = ast.get_docstring(ast.parse((ROOT / "examples" / name).read_text()))
    assert docstring and "Target" in docstring and "--quick" in docstring


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_quick(name, tmp_path):
    if name.startswith("mnist") and not MNIST_DIR.exists():
        pytest.skip(f"the MNIST files are not in {MNIST_DIR}")
    env = dict(os.environ, MINIKERAS_DATA=str(MNIST_DIR), MPLBACKEND="Agg",
               MINIKERAS_MNIST_MIRROR="http://127.0.0.1:9/no-network-in-tests")
    script = ROOT / "examples" / name
    # Run from one folder and ask for the pictures in another, so `--out` is what puts them there.
    pictures, cwd = tmp_path / "pictures", tmp_path / "cwd"
    cwd.mkdir()
    out = ["--out", str(pictures)] if name in PICTURES else []
    result = subprocess.run([sys.executable, str(script), "--quick", *out], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    if name in PICTURES and HAVE_MATPLOTLIB:
        picture = pictures / PICTURES[name]
        assert picture.exists(), result.stdout[-2000:]
        data = picture.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        width = int.from_bytes(data[16:20], "big")
        height = int.from_bytes(data[20:24], "big")
        assert width >= 400 and height >= 300
