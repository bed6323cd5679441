"""MNIST: the IDX reader, the folder lookup, and real downloads from a local HTTP server.

Every test uses the real files in ../shared/data/mnist (never the network): the
download tests serve a temporary copy of that folder on 127.0.0.1.
"""
import gzip
import hashlib
import http.server
import shutil
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from minikeras.datasets import mnist

MNIST_DIR = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mnist").resolve()

pytestmark = pytest.mark.skipif(not all((MNIST_DIR / name).exists() for name in mnist.FILES),
                                reason=f"the MNIST files are not in {MNIST_DIR}")


@pytest.fixture(scope="module")
def data():
    return mnist.load_data(MNIST_DIR)


# -- the real files ----------------------------------------------------------------------------

def test_load_data_returns_keras_shapes_and_dtypes(data):
    (x_train, y_train), (x_test, y_test) = data
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.flags.writeable


def test_load_data_matches_the_published_checks(data):
    """The counts and first labels listed in the data folder's README."""
    (x_train, y_train), (x_test, y_test) = data
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                             5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_train.max() == 255 and x_train.min() == 0
    # Digits are drawn in the middle: the border pixels are (almost) always background.
    assert x_train[:, 0, :].mean() < 0.1 < x_train[:, 14, :].mean()


def test_raw_bytes_round_trip(data):
    """The parsed images are exactly the uncompressed file minus its 16-byte header."""
    (_, _), (x_test, _) = data
    with gzip.open(MNIST_DIR / "t10k-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()
    assert hashlib.sha256(raw).hexdigest() == (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7")
    assert x_test.tobytes() == raw[16:]


# -- where the files are looked for ------------------------------------------------------------

def test_folder_lookup_order(monkeypatch, tmp_path):
    monkeypatch.setenv("MINIKERAS_DATA", str(tmp_path / "env"))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "home"))
    assert mnist.data_folder(tmp_path / "arg") == tmp_path / "arg"
    assert mnist.data_folder() == tmp_path / "env"
    monkeypatch.delenv("MINIKERAS_DATA")
    assert mnist.data_folder() == tmp_path / "home" / ".minikeras" / "datasets" / "mnist"


def test_minikeras_data_environment_variable_is_read(monkeypatch):
    monkeypatch.setenv("MINIKERAS_DATA", str(MNIST_DIR))
    monkeypatch.setenv("MINIKERAS_MNIST_MIRROR", "http://127.0.0.1:9/never-used")
    (_, y_train), _ = mnist.load_data()
    assert len(y_train) == 60000


def test_a_damaged_cached_file_is_reported_not_used(tmp_path):
    shutil.copy(MNIST_DIR / "t10k-labels-idx1-ubyte.gz", tmp_path)
    target = tmp_path / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-1] + b"x")
    with pytest.raises(OSError, match=r"t10k-labels-idx1-ubyte\.gz is damaged.*Delete it"):
        mnist.fetch("t10k-labels-idx1-ubyte.gz", tmp_path, mirror="http://127.0.0.1:9")


# -- the IDX parser ----------------------------------------------------------------------------

def idx_bytes(shape, data=None, type_code=0x08):
    header = bytes([0, 0, type_code, len(shape)]) + np.asarray(shape, ">u4").tobytes()
    return header + (bytes(int(np.prod(shape))) if data is None else data)


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_read_idx_parses_a_small_file(tmp_path, compress):
    pixels = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / ("tiny.idx.gz" if compress else "tiny.idx")
    content = idx_bytes(pixels.shape, pixels.tobytes())
    path.write_bytes(gzip.compress(content) if compress else content)
    np.testing.assert_array_equal(mnist.read_idx(path), pixels)


@pytest.mark.parametrize("content, message", [
    (idx_bytes((2, 3), bytes(5)), r"truncated: the header \(2, 3\) promises 6 data bytes, "
                                  r"the file holds 5"),
    (idx_bytes((2, 3), bytes(7)), r"longer than its header \(2, 3\)"),
    (idx_bytes((2,), type_code=0x0D), r"not an unsigned-byte IDX file: it starts with 00000d01"),
    (b"\x08\x03\x00\x00" + bytes(12), r"not an unsigned-byte IDX file"),
    (bytes([0, 0, 8, 3, 0, 0]), r"truncated: its header declares 3 dimensions"),
    (b"", r"not an unsigned-byte IDX file: it starts with nothing"),
], ids=["short-data", "extra-data", "float-type", "bad-magic", "short-header", "empty"])
def test_read_idx_rejects_malformed_files_naming_them(tmp_path, content, message):
    path = tmp_path / "broken-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(content))
    with pytest.raises(ValueError, match=message) as error:
        mnist.read_idx(path)
    assert str(path) in str(error.value)


def test_read_idx_rejects_a_truncated_gzip_stream(tmp_path):
    source = (MNIST_DIR / "t10k-labels-idx1-ubyte.gz").read_bytes()
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(source[:len(source) // 2])
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz could not be read as gzip"):
        mnist.read_idx(path)


def test_a_valid_file_under_the_wrong_name_is_caught_by_its_checksum(tmp_path):
    for name in mnist.FILES:
        shutil.copy(MNIST_DIR / name, tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    shutil.copy(MNIST_DIR / "train-labels-idx1-ubyte.gz", tmp_path / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(OSError, match="t10k-labels-idx1-ubyte.gz is damaged"):
        mnist.load_data(tmp_path)


# -- downloads from a local server -----------------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class TruncatingHandler(QuietHandler):
    """Announces the full length, sends half the bytes, then hangs up."""

    def do_GET(self):
        body = (Path(self.directory) / Path(self.path).name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:len(body) // 2])
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """Serve a copy of the MNIST folder on 127.0.0.1; yield (base URL, served folder, start)."""
    monkeypatch.setattr(mnist, "TIMEOUT", 10)  # a hung server fails the test instead of hanging
    served = tmp_path / "served"
    shutil.copytree(MNIST_DIR, served, ignore=shutil.ignore_patterns("README*"))
    servers = []

    def start(handler=QuietHandler):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                 partial(handler, directory=str(served)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start, served
    for server in servers:
        server.shutdown()
        server.server_close()


def test_download_all_files_verify_and_load(mirror, tmp_path, capsys):
    start, _ = mirror
    cache = tmp_path / "cache"
    (x_train, y_train), (x_test, y_test) = mnist.load_data(cache, mirror=start())
    assert sorted(p.name for p in cache.iterdir()) == sorted(mnist.FILES)
    for name, digest in mnist.FILES.items():
        assert hashlib.sha256((cache / name).read_bytes()).hexdigest() == digest
    assert x_train.shape == (60000, 28, 28) and y_test[:3].tolist() == [7, 2, 1]
    assert "Downloading http://127.0.0.1:" in capsys.readouterr().err


def test_download_uses_the_mirror_environment_variable(mirror, tmp_path, monkeypatch):
    start, _ = mirror
    monkeypatch.setenv("MINIKERAS_MNIST_MIRROR", start())
    path = mnist.fetch("t10k-labels-idx1-ubyte.gz", tmp_path / "cache")
    assert path.read_bytes() == (MNIST_DIR / "t10k-labels-idx1-ubyte.gz").read_bytes()


def test_a_corrupted_download_is_rejected_and_leaves_nothing(mirror, tmp_path):
    start, served = mirror
    name = "t10k-labels-idx1-ubyte.gz"
    content = bytearray((served / name).read_bytes())
    content[100] ^= 0xFF
    (served / name).write_bytes(bytes(content))
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match=f"{name} is corrupted: its SHA-256 is .*Nothing was saved"):
        mnist.fetch(name, cache, mirror=start())
    assert list(cache.iterdir()) == []


def test_an_interrupted_download_is_rejected_and_leaves_nothing(mirror, tmp_path):
    start, _ = mirror
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="Could not download .*t10k-labels-idx1-ubyte.gz"):
        mnist.fetch("t10k-labels-idx1-ubyte.gz", cache, mirror=start(TruncatingHandler))
    assert list(cache.iterdir()) == []


def test_a_missing_file_on_the_mirror_is_a_clear_error(mirror, tmp_path):
    start, served = mirror
    (served / "t10k-labels-idx1-ubyte.gz").unlink()
    cache = tmp_path / "cache"
    with pytest.raises(OSError,
                       match="Could not download .*: File not found.*MINIKERAS_MNIST_MIRROR"):
        mnist.load_data(cache, mirror=start())
    # The files before it in the list were verified and kept; the missing one left no trace.
    assert "t10k-labels-idx1-ubyte.gz" not in {p.name for p in cache.iterdir()}
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]
