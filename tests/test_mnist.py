"""MNIST: the IDX reader, the folder lookup, and downloads from local HTTP servers.

Nothing here touches the network or writes outside ``tmp_path``. ``mnist_dir``
(tests/conftest.py) is the real data in ../shared/data/mnist when it is there,
else four small generated files; only the tests marked ``real_mnist`` need the
real ones. The download tests serve a copy of that folder on 127.0.0.1, and
misbehaving servers (trickling, endless, lying) from threads started here.
"""
import gzip
import hashlib
import http.server
import os
import shutil
import threading
import time
import tracemalloc
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import idx_bytes
from minikeras.datasets import mnist

LABELS = "t10k-labels-idx1-ubyte.gz"   # the smallest file: the one the download tests fetch


@pytest.fixture
def data(mnist_dir):
    return mnist.load_data(mnist_dir)


# -- the real files ----------------------------------------------------------------------------

@pytest.mark.real_mnist
def test_the_published_sizes_and_checksums_are_the_real_files(mnist_dir):
    for name, expected in mnist.FILES.items():
        content = (mnist_dir / name).read_bytes()
        assert (hashlib.sha256(content).hexdigest(), len(content)) == expected


@pytest.mark.real_mnist
def test_load_data_returns_keras_shapes_and_dtypes(data):
    (x_train, y_train), (x_test, y_test) = data
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.flags.writeable


@pytest.mark.real_mnist
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


@pytest.mark.real_mnist
def test_raw_bytes_round_trip(data, mnist_dir):
    """The parsed images are exactly the uncompressed file minus its 16-byte header."""
    (_, _), (x_test, _) = data
    with gzip.open(mnist_dir / "t10k-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()
    assert hashlib.sha256(raw).hexdigest() == (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7")
    assert x_test.tobytes() == raw[16:]


# -- whichever files mnist_dir holds -----------------------------------------------------------

def test_load_data_pairs_images_with_labels(data, mnist_dir):
    (x_train, y_train), (x_test, y_test) = data
    for x, y, split in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        assert x.dtype == y.dtype == np.uint8 and x.shape == (len(y), 28, 28)
        assert set(np.unique(y)) == set(range(10))
        with gzip.open(mnist_dir / f"{split}-labels-idx1-ubyte.gz", "rb") as f:
            assert y.tobytes() == f.read()[8:]


def test_folder_lookup_order(monkeypatch, tmp_path):
    monkeypatch.setenv("MINIKERAS_DATA", str(tmp_path / "env"))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "home"))
    assert mnist.data_folder(tmp_path / "arg") == tmp_path / "arg"
    assert mnist.data_folder() == tmp_path / "env"
    monkeypatch.delenv("MINIKERAS_DATA")
    assert mnist.data_folder() == tmp_path / "home" / ".minikeras" / "datasets" / "mnist"


def test_minikeras_data_environment_variable_is_read(mnist_dir, monkeypatch):
    monkeypatch.setenv("MINIKERAS_DATA", str(mnist_dir))
    (_, y_train), _ = mnist.load_data()
    assert len(y_train) == len(mnist.read_idx(mnist_dir / "train-labels-idx1-ubyte.gz"))


@pytest.mark.parametrize("damage", ["flipped-byte", "one-byte-short"])
def test_a_damaged_cached_file_is_reported_not_used(mnist_dir, tmp_path, damage):
    content = (mnist_dir / LABELS).read_bytes()
    content = content[:-1] + b"x" if damage == "flipped-byte" else content[:-1]
    (tmp_path / LABELS).write_bytes(content)
    found = "its SHA-256 is" if damage == "flipped-byte" else f"it holds {len(content):,} bytes"
    with pytest.raises(OSError, match=rf"{LABELS} is damaged: {found}.*\nDelete it"):
        mnist.fetch(LABELS, tmp_path)


def test_a_valid_file_under_the_wrong_name_is_caught_by_its_checksum(mnist_dir, tmp_path):
    for name in mnist.FILES:
        shutil.copy(mnist_dir / name, tmp_path)
    shutil.copy(mnist_dir / "train-labels-idx1-ubyte.gz", tmp_path / LABELS)
    with pytest.raises(OSError, match=f"{LABELS} is damaged"):
        mnist.load_data(tmp_path)


# -- the IDX parser ----------------------------------------------------------------------------

def write(path, content, compress):
    path.write_bytes(gzip.compress(content, mtime=0) if compress else content)
    return path


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("shape", [(2, 3, 4), (0, 28, 28)], ids=["2x3x4", "empty"])
def test_read_idx_parses_a_small_file(tmp_path, compress, shape):
    pixels = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    path = write(tmp_path / ("tiny.idx.gz" if compress else "tiny.idx"),
                 idx_bytes(pixels.shape, pixels.tobytes()), compress)
    np.testing.assert_array_equal(mnist.read_idx(path), pixels)


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("content, message", [
    (idx_bytes((2, 3), bytes(5)), r"truncated: the header \(2, 3\) promises 6 data bytes, "
                                  r"the file holds 5"),
    (idx_bytes((2, 3), bytes(7)), r"longer than its header \(2, 3\)"),
    (idx_bytes((2,), type_code=0x0D), r"not an unsigned-byte IDX file: it starts with 00000d01"),
    (b"\x08\x03\x00\x00" + bytes(12), r"not an unsigned-byte IDX file"),
    (bytes([0, 0, 8, 0]), r"not an unsigned-byte IDX file: it starts with 00000800"),
    (bytes([0, 0, 8, 3, 0, 0]), r"truncated: its header declares 3 dimensions"),
    (b"", r"not an unsigned-byte IDX file: it starts with nothing"),
    (idx_bytes((1,) * 70, b"x"), r"declares a shape numpy cannot hold"),
], ids=["short-data", "extra-data", "float-type", "bad-magic", "no-dimension", "short-header",
        "empty", "70-dimensions"])
def test_read_idx_rejects_malformed_files_naming_them(tmp_path, content, message, compress):
    path = write(tmp_path / "broken-idx1-ubyte.gz", content, compress)
    if not compress:
        path = path.rename(tmp_path / "broken-idx1-ubyte")
    with pytest.raises(ValueError, match=message) as error:
        mnist.read_idx(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_a_header_declaring_93_gib_is_refused_before_allocating(tmp_path, compress):
    """40 bytes of file (16 of header, 24 of data) that declare 1e11 bytes of pixels."""
    content = idx_bytes((100_000, 1000, 1000), bytes(24))
    assert len(content) == 40
    path = write(tmp_path / ("huge-idx3-ubyte.gz" if compress else "huge-idx3-ubyte"), content,
                 compress)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"huge-idx3-ubyte.* promises 100,000,000,000 data "
                                             r"bytes, (more than \d+ bytes of gzip can hold|"
                                             r"the file holds 24)"):
            mnist.read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_read_idx_rejects_a_truncated_gzip_stream(mnist_dir, tmp_path):
    source = (mnist_dir / LABELS).read_bytes()
    path = tmp_path / LABELS
    path.write_bytes(source[:len(source) // 2])
    with pytest.raises(ValueError, match=f"{LABELS} could not be read as gzip"):
        mnist.read_idx(path)


VALID = idx_bytes((3, 4, 5), bytes(range(60)))


@st.composite
def damaged_idx(draw):
    """A damaged IDX file, ``(content, compressed)``: made-up header values, a truncation,
    or flipped bits."""
    compress = draw(st.booleans())
    kind = draw(st.sampled_from(["header", "truncated", "bit-flips"]))
    if kind == "header":
        ndim = draw(st.integers(0, 255))
        dims = draw(st.lists(st.integers(0, 2**32 - 1), min_size=0, max_size=min(ndim, 6)))
        content = (bytes([0, 0, draw(st.sampled_from([8, 8, 9, 13])), ndim])
                   + np.asarray(dims, ">u4").tobytes() + draw(st.binary(max_size=64)))
        return (gzip.compress(content, mtime=0) if compress else content), compress
    content = gzip.compress(VALID, mtime=0) if compress else VALID
    if kind == "truncated":
        return content[:draw(st.integers(0, len(content) - 1))], compress
    flipped = bytearray(content)
    for position in draw(st.lists(st.integers(0, 8 * len(content) - 1), min_size=1, max_size=4)):
        flipped[position // 8] ^= 1 << position % 8
    return bytes(flipped), compress


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged=damaged_idx())
def test_read_idx_fuzzed_files_give_an_array_or_a_value_error_in_bounded_memory(
        tmp_path_factory, damaged):
    content, compress = damaged
    path = tmp_path_factory.mktemp("fuzz") / ("f-idx.gz" if compress else "f-idx")
    path.write_bytes(content)
    tracemalloc.start()
    try:
        try:
            array = mnist.read_idx(path)
        except ValueError as error:
            assert str(path) in str(error)
        else:
            assert array.dtype == np.uint8
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20   # a gzip file of under 200 bytes cannot declare more than ~200 kB


# -- where the files go: folders that cannot take them -----------------------------------------

def test_a_path_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "mnist").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match=r"MNIST folder .*mnist \(given by `path`\) is "
                                                 r"a file.*\nPass `path=` a folder, or set "
                                                 r"MINIKERAS_DATA"):
        mnist.load_data(tmp_path / "mnist")


def test_minikeras_data_naming_a_file_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "mnist").write_text("not a folder")
    monkeypatch.setenv("MINIKERAS_DATA", str(tmp_path / "mnist"))
    with pytest.raises(NotADirectoryError, match=r"\(given by MINIKERAS_DATA\) is a file"):
        mnist.load_data()


def test_a_path_inside_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("")
    folder = tmp_path / "file" / "mnist"
    with pytest.raises(OSError, match=rf"Cannot write the MNIST files into {folder} \(given by "
                                      r"`path`\): Not a directory.\nPass `path=` a folder you "
                                      r"can write to, or set MINIKERAS_DATA"):
        mnist.load_data(folder)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes into read-only folders, so there is nothing to refuse")
def test_a_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    try:
        with pytest.raises(OSError, match=r"Cannot write the MNIST files into .*read-only "
                                          r"\(given by `path`\): Permission denied"):
            mnist.load_data(folder)
    finally:
        folder.chmod(0o755)


def test_a_refused_write_is_reported_before_downloading(tmp_path, monkeypatch):
    """The same message when the OS refuses the write (what a read-only folder gives a
    non-root user), and the mirror is never asked."""
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(mnist.tempfile, "TemporaryFile", refuse)
    monkeypatch.setattr(mnist, "_receive", lambda *args: pytest.fail("downloaded anyway"))
    with pytest.raises(OSError, match=r"Cannot write the MNIST files into .*\(given by "
                                      r"`path`\): Permission denied"):
        mnist.load_data(tmp_path)


# -- downloads from a local server -----------------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def body(self):
        return (Path(self.directory) / Path(self.path).name).read_bytes()

    def send_forever(self, pieces, pause):
        """Write pieces until the client hangs up or the test ends."""
        try:
            for piece in pieces:
                if self.server.stopping.wait(pause):
                    return
                self.wfile.write(piece)
                self.wfile.flush()
        except OSError:   # the client gave up: what the test wants
            pass


class TruncatingHandler(QuietHandler):
    """Announces the full length, sends half the bytes, then hangs up."""

    def do_GET(self):
        body = self.body()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:len(body) // 2])
        self.close_connection = True


class TricklingHandler(QuietHandler):
    """Announces the right length, then sends one byte a second."""

    def do_GET(self):
        body = self.body()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.send_forever((body[i:i + 1] for i in range(len(body))), pause=1.0)


class TricklingHeadersHandler(QuietHandler):
    """Never finishes its headers: one byte a second of an endless header line."""

    def do_GET(self):
        self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
        self.send_forever(iter(lambda: b"z", None), pause=1.0)


class EndlessHandler(QuietHandler):
    """No length announced; zeros as fast as the client takes them, forever."""

    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.send_forever(iter(lambda: bytes(1 << 16), None), pause=0)


class LyingHandler(QuietHandler):
    """Announces a terabyte."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(10**12))
        self.end_headers()
        self.send_forever(iter(lambda: bytes(1 << 16), None), pause=0)


@pytest.fixture
def mirror(mnist_dir, tmp_path, monkeypatch):
    """Serve a copy of ``mnist_dir`` on 127.0.0.1; yield (start(handler) -> URL, served folder)."""
    monkeypatch.setattr(mnist, "TIMEOUT", 5)     # a hung server fails the test instead of hanging
    monkeypatch.setattr(mnist, "DEADLINE", 60)
    served = tmp_path / "served"
    shutil.copytree(mnist_dir, served, ignore=shutil.ignore_patterns("README*"))
    servers = []

    def start(handler=QuietHandler):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                 partial(handler, directory=str(served)))
        server.stopping = threading.Event()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start, served
    for server in servers:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def test_download_all_files_verify_and_load(mirror, mnist_dir, tmp_path, capsys):
    start, _ = mirror
    cache = tmp_path / "cache"
    (x_train, y_train), (x_test, y_test) = mnist.load_data(cache, mirror=start())
    assert sorted(p.name for p in cache.iterdir()) == sorted(mnist.FILES)
    for name, expected in mnist.FILES.items():
        assert (cache / name).read_bytes() == (mnist_dir / name).read_bytes()
    np.testing.assert_array_equal(x_test, mnist.read_idx(mnist_dir / "t10k-images-idx3-ubyte.gz"))
    assert "Downloading http://127.0.0.1:" in capsys.readouterr().err


def test_download_uses_the_mirror_environment_variable(mirror, mnist_dir, tmp_path, monkeypatch):
    start, _ = mirror
    monkeypatch.setenv("MINIKERAS_MNIST_MIRROR", start())
    path = mnist.fetch(LABELS, tmp_path / "cache")
    assert path.read_bytes() == (mnist_dir / LABELS).read_bytes()


def test_a_download_gets_a_normal_file_mode_without_touching_the_umask(mirror, tmp_path,
                                                                        monkeypatch):
    """Written by utils/files.write_atomic: not mkstemp's 0600, and no umask dance."""
    start, _ = mirror
    mask = os.umask(0)  # only the test reads it this way
    os.umask(mask)
    monkeypatch.setattr(os, "umask", lambda *a: pytest.fail("os.umask was called"))
    path = mnist.fetch(LABELS, tmp_path / "cache", mirror=start())
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in path.parent.iterdir()] == [LABELS]


def test_a_corrupted_download_is_rejected_and_leaves_nothing(mirror, tmp_path):
    start, served = mirror
    content = bytearray((served / LABELS).read_bytes())
    content[100] ^= 0xFF
    (served / LABELS).write_bytes(bytes(content))
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match=f"{LABELS} is corrupted: its SHA-256 is .*Nothing was saved"
                                      r"\.\nOffline, copy the four files"):
        mnist.fetch(LABELS, cache, mirror=start())
    assert list(cache.iterdir()) == []


def test_a_missing_file_on_the_mirror_is_a_clear_error(mirror, tmp_path):
    start, served = mirror
    (served / LABELS).unlink()
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match=r"Could not download .*: File not found\.\n.*"
                                      "MINIKERAS_MNIST_MIRROR"):
        mnist.load_data(cache, mirror=start())
    # The files before it in the list were verified and kept; the missing one left no trace.
    assert LABELS not in {p.name for p in cache.iterdir()}
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("handler, deadline, reason", [
    (TruncatingHandler, 60, r"the connection closed after [\d,]+ of [\d,]+ bytes"),
    (TricklingHandler, 1.5, r"it did not finish within 1.5 s \([\d,]+ of [\d,]+ bytes arrived\)"),
    (TricklingHeadersHandler, 1.5, r"it did not finish within 1.5 s \(0 of [\d,]+ bytes "
                                   r"arrived\)"),
    (EndlessHandler, 60, r"the mirror sent more than the [\d,]+ bytes the file has: it is not "
                         r"this MNIST file"),
    (LyingHandler, 60, r"the mirror announces 1000000000000 bytes where the file has [\d,]+: it "
                       r"is not this MNIST file"),
], ids=["truncated", "trickling-1-byte-per-s", "trickling-headers", "endless", "lying-length"])
def test_a_misbehaving_mirror_fails_in_bounded_time_and_memory_leaving_nothing(
        mirror, tmp_path, monkeypatch, handler, deadline, reason):
    start, _ = mirror
    monkeypatch.setattr(mnist, "DEADLINE", deadline)
    cache = tmp_path / "cache"
    began = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(OSError, match=rf"Could not download .*{LABELS}: {reason}\.\n"
                                          r"Offline, copy the four files"):
            mnist.fetch(LABELS, cache, mirror=start(handler))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - began < min(deadline, 10) + 3
    assert peak < 8 * mnist.FILES[LABELS].size + (1 << 20)
    assert list(cache.iterdir()) == []
