"""Shared fixtures: every test starts from the same seed and the default float type.

MNIST: no test touches the network or writes outside a temporary folder. The
``mnist_dir`` fixture gives the real files in ``../shared/data/mnist`` when they
are beside the checkout, else four small generated files in MNIST's format;
tests marked ``real_mnist`` need the real ones and skip, saying why, without them.
"""
import gzip
import hashlib
import socket
from pathlib import Path

import numpy as np
import pytest

from minikeras import config
from minikeras.datasets import mnist
from minikeras.random import set_seed

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = (ROOT.parent / "shared" / "data" / "mnist").resolve()
HAVE_REAL_MNIST = all((SHARED_MNIST / name).is_file() for name in mnist.FILES)
NO_REAL_MNIST = (f"needs the real MNIST files, which are not in {SHARED_MNIST} "
                 "(a plain clone has no ../shared)")


def pytest_configure(config):
    config.addinivalue_line("markers", "real_mnist: needs the real MNIST files in "
                                       "../shared/data/mnist; skipped without them")


@pytest.fixture(autouse=True)
def _seeded_float32():
    set_seed(1234)
    config.set_floatx("float32")
    yield
    config.set_floatx("float32")


@pytest.fixture(scope="session", autouse=True)
def _no_mnist_downloads_outside_tmp(tmp_path_factory):
    """A test that loads MNIST without saying where reads an empty temporary folder and
    downloads from a port that refuses connections: never the network, never ~/.minikeras.
    Subprocesses (the examples, the command line) inherit both settings."""
    refusing = socket.socket()
    refusing.bind(("127.0.0.1", 0))         # bound, never listening: connections are refused
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINIKERAS_DATA", str(tmp_path_factory.mktemp("mnist-cache")))
        patch.setenv("MINIKERAS_MNIST_MIRROR", f"http://127.0.0.1:{refusing.getsockname()[1]}/")
        yield
    refusing.close()


@pytest.fixture
def float64():
    """Build weights in float64 for finite-difference checks."""
    config.set_floatx("float64")
    yield
    config.set_floatx("float32")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# -- MNIST -------------------------------------------------------------------------------------

def idx_bytes(shape, data=None, type_code=0x08):
    """An IDX file's bytes: its header for ``shape``, then ``data`` (default: zeros)."""
    header = bytes([0, 0, type_code, len(shape)]) + np.asarray(shape, ">u4").tobytes()
    return header + (bytes(int(np.prod(shape))) if data is None else data)


@pytest.fixture(scope="session")
def generated_mnist(tmp_path_factory):
    """Four small gzip-compressed IDX files under MNIST's names, and their checksum table.

    2,100 training and 500 test images of 28x28: each digit is a fixed random stroke
    pattern with a few pixels flipped, so the classes can be learned.
    """
    rng = np.random.default_rng(0)
    patterns = rng.random((10, 28, 28)) < 0.15
    folder = tmp_path_factory.mktemp("generated-mnist")
    arrays = {}
    for split, count in (("train", 2100), ("t10k", 500)):
        labels = rng.integers(0, 10, count).astype(np.uint8)
        images = patterns[labels] ^ (rng.random((count, 28, 28)) < 0.05)
        arrays[f"{split}-images-idx3-ubyte.gz"] = (images * 255).astype(np.uint8)
        arrays[f"{split}-labels-idx1-ubyte.gz"] = labels
    return folder, write_mnist(folder, arrays)


def write_mnist(folder, arrays):
    """Write ``{file name: uint8 array}`` as gzip-compressed IDX files under MNIST's names;
    return the checksum table (``mnist.FILES``'s form) that verifies them."""
    table = {}
    for name in mnist.FILES:
        array = np.asarray(arrays[name], np.uint8)
        content = gzip.compress(idx_bytes(array.shape, array.tobytes()), compresslevel=1, mtime=0)
        (folder / name).write_bytes(content)
        table[name] = mnist.Published(hashlib.sha256(content).hexdigest(), len(content))
    return table


@pytest.fixture
def mnist_dir(request, monkeypatch):
    """The folder ``mnist.load_data(mnist_dir)`` reads: the real files when they are in
    ../shared/data/mnist, else the generated ones (with ``mnist.FILES`` patched to their
    checksums and sizes for this test). Never write into it: copy it to ``tmp_path``."""
    if HAVE_REAL_MNIST:
        return SHARED_MNIST
    if request.node.get_closest_marker("real_mnist"):
        pytest.skip(NO_REAL_MNIST)
    folder, table = request.getfixturevalue("generated_mnist")
    monkeypatch.setattr(mnist, "FILES", table)
    return folder


# -- Keras 3 twin tests ------------------------------------------------------------------
# Keras is the oracle for "a Keras script behaves the same on minikeras". It runs on its
# torch backend (the `reference` extra); the backend must be chosen before Keras's first
# import, hence the environment variable here rather than in each test.

def keras_skip_reason():
    """Why Keras 3 on torch cannot serve as a twin here, or None when it can.

    Cheap (nothing is imported), for tests that run Keras in a subprocess.
    """
    import importlib.util
    missing = [name for name in ("keras", "torch") if importlib.util.find_spec(name) is None]
    if missing:
        return (f"Keras twin skipped: {' and '.join(missing)} not installed "
                "(pip install -e '.[reference]')")
    from importlib.metadata import version
    if int(version("keras").split(".")[0]) < 3:
        return f"Keras twin skipped: Keras {version('keras')} installed, the twin needs Keras 3"
    return None


def import_keras():
    """Import Keras 3 on its torch backend, or skip the calling test saying why."""
    reason = keras_skip_reason()
    if reason:
        pytest.skip(reason)
    import os
    backend = os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    if keras.backend.backend() != "torch":
        pytest.skip(f"Keras twin skipped: Keras was imported with the {backend!r} backend; "
                    "set KERAS_BACKEND=torch")
    return keras


@pytest.fixture(scope="session")
def keras3():
    """Keras 3 (torch backend) for twin tests; skips with the reason when unavailable."""
    return import_keras()
