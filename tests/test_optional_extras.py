"""The optional extras stay optional: never imported by ``import minikeras``, and a
feature that needs a missing one says which extra to install. Runs with or without them.
scikit-learn, a dependency, waits too: only the wrappers need it."""
import subprocess
import sys
from pathlib import Path

import pytest

from minikeras import Input, Sequential
from minikeras.callbacks import TensorBoard
from minikeras.layers import Dense

ROOT = Path(__file__).resolve().parents[1]
EXTRA_MODULES = ("onnx", "onnxruntime", "tensorboardX", "tensorboard")


def test_import_minikeras_imports_no_extra():
    code = ("import sys, minikeras, minikeras.export, minikeras.callbacks; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {EXTRA_MODULES}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_import_minikeras_leaves_scikit_learn_until_the_wrappers_are_used():
    code = ("import sys, minikeras; print('sklearn' in sys.modules, 'scipy' in sys.modules); "
            "print(minikeras.wrappers.MiniKerasClassifier.__name__, 'sklearn' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["False False", "MiniKerasClassifier True"]
    with pytest.raises(AttributeError, match="has no attribute 'no_such_module'"):
        __import__("minikeras").no_such_module


def test_export_without_onnx_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # makes `import onnx` raise ImportError
    with pytest.raises(ImportError, match=r'pip install "minikeras\[onnx\]"'):
        Sequential([Input((2,)), Dense(1)]).export(tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_tensorboard_without_its_writer_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match=r'pip install "minikeras\[tensorboard\]"'):
        TensorBoard(tmp_path / "logs")
    assert not (tmp_path / "logs").exists()
