"""MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels.

The data are the four IDX files LeCun published, gzip-compressed. They are read
from a folder, the first of:

1. the ``path`` argument of :func:`load_data`;
2. the ``MINIKERAS_DATA`` environment variable;
3. ``~/.minikeras/datasets/mnist`` (the cache).

Files missing from that folder are downloaded from a mirror (the ``mirror``
argument, else the ``MINIKERAS_MNIST_MIRROR`` environment variable, else
:data:`DEFAULT_MIRROR`). The sizes are known, so a download is held in memory,
never more than the file's size, and given up after :data:`DEADLINE` seconds
however slowly the server sends; only once its SHA-256 matches is it written
to a hidden temporary file and renamed to its real name, so a slow, endless,
interrupted or corrupted download never leaves a file behind. Offline, copy
the four files into the folder.

IDX layout (big-endian): two zero bytes, a type byte (``0x08`` = unsigned
byte), the number of dimensions ``d``, then ``d`` 32-bit sizes, then the data
in row-major order. Image files have magic number 2051 (``d = 3``), label
files 2049 (``d = 1``).

Example (it needs the files or a network, so doctest skips it)::

    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, y_train[:5]  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), array([5, 0, 4, 1, 9], dtype=uint8))
"""
import gzip
import hashlib
import math
import os
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..utils import files

DEFAULT_MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"
"""Where the four ``.gz`` files are fetched from unless told otherwise."""


class Published(NamedTuple):
    """What a compressed file must be: its SHA-256 and its size in bytes."""

    sha256: str
    size: int


#: Each compressed file as published with the originals.
FILES = {
    "train-images-idx3-ubyte.gz": Published(
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9_912_422),
    "train-labels-idx1-ubyte.gz": Published(
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28_881),
    "t10k-images-idx3-ubyte.gz": Published(
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1_648_877),
    "t10k-labels-idx1-ubyte.gz": Published(
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4_542),
}

_CHUNK = 1 << 16
TIMEOUT = 30
"""Seconds a download may wait for the server to send anything before giving up."""
DEADLINE = 600
"""Seconds one file's whole download may take, however the server paces its bytes."""


def load_data(path=None, mirror=None):
    """Return ``((x_train, y_train), (x_test, y_test))`` as Keras's ``mnist.load_data``.

    Args:
        path: folder holding (or to receive) the four ``.gz`` files; default
            ``$MINIKERAS_DATA``, else ``~/.minikeras/datasets/mnist``.
        mirror: base URL to download missing files from; default
            ``$MINIKERAS_MNIST_MIRROR``, else :data:`DEFAULT_MIRROR`.

    Returns:
        ``x`` uint8 arrays of shape ``(60000, 28, 28)`` and ``(10000, 28, 28)``
        (0 = background, 255 = ink), ``y`` uint8 labels 0-9.

    Raises:
        OSError: the folder cannot hold the files, a download failed, or a
            file's checksum did not match. The message's first line says what
            went wrong, the second how to get the files.
        ValueError: a file is not valid gzip-compressed IDX data.
    """
    folder = data_folder(path)
    source = ("`path`" if path is not None else
              "MINIKERAS_DATA" if os.environ.get("MINIKERAS_DATA") else "default")
    # The checksums pin each file, so shapes and pairings need no further check.
    x_train, y_train, x_test, y_test = (read_idx(fetch(name, folder, mirror, source=source))
                                        for name in FILES)
    return (x_train, y_train), (x_test, y_test)


def data_folder(path=None):
    """The folder MNIST is read from: ``path``, ``$MINIKERAS_DATA`` or the home cache."""
    if path is not None:
        return Path(path).expanduser()
    if os.environ.get("MINIKERAS_DATA"):
        return Path(os.environ["MINIKERAS_DATA"]).expanduser()
    return Path.home() / ".minikeras" / "datasets" / "mnist"


def fetch(name, folder, mirror=None, stream=None, source="`folder`"):
    """Return the path of ``folder/name``, downloading and verifying it if it is missing.

    A file already present is checked against its size and SHA-256 too, so a
    damaged cache is reported instead of silently giving wrong data. ``source``
    names where ``folder`` came from, for error messages.
    """
    expected = FILES[name]
    folder = Path(folder)
    target = folder / name
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(
            f"The MNIST folder {folder} (given by {source}) is a file, not a folder.\n"
            "Pass `path=` a folder, or set MINIKERAS_DATA to one.")
    if target.exists():
        size = target.stat().st_size
        digest = _sha256(target) if size == expected.size else None
        if digest != expected.sha256:
            found = f"its SHA-256 is {digest}" if digest else f"it holds {size:,} bytes"
            raise OSError(f"{target} is damaged: {found}, expected {expected.sha256} "
                          f"({expected.size:,} bytes).\n"
                          "Delete it and call load_data() again to download it afresh.")
        return target
    mirror = mirror or os.environ.get("MINIKERAS_MNIST_MIRROR") or DEFAULT_MIRROR
    _download(mirror.rstrip("/") + "/" + name, target, expected, stream or sys.stderr, source)
    return target


def _sha256(filename):
    digest = hashlib.sha256()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _how_to_get(folder):
    return (f"Offline, copy the four files ({', '.join(FILES)}) into {folder}, or pass `path=` "
            "(or set MINIKERAS_DATA to) a folder that holds them; or download from another "
            "mirror (`mirror=` or MINIKERAS_MNIST_MIRROR).")


def _download(url, target, expected, stream, source):
    """Download ``url`` into memory within a size cap and a deadline, check its SHA-256,
    then write it beside ``target`` and rename it into place."""
    folder = target.parent
    try:   # An unwritable folder fails now, not after the download.
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise OSError(f"Cannot write the MNIST files into {folder} (given by {source}): "
                      f"{error.strerror or error}.\nPass `path=` a folder you can write to, "
                      f"or set MINIKERAS_DATA to one; or copy the four files into {folder}.")
    try:
        body = _receive(url, expected.size, _Progress(f"Downloading {url}", expected.size, stream))
    except OSError as error:
        raise OSError(f"Could not download {url}: {error}.\n{_how_to_get(folder)}") from error
    digest = hashlib.sha256(body).hexdigest()
    if digest != expected.sha256:
        raise OSError(f"The file downloaded from {url} is corrupted: its SHA-256 is {digest}, "
                      f"expected {expected.sha256}. Nothing was saved.\n{_how_to_get(folder)}")
    files.write_atomic(target, lambda out: out.write(body))  # never half a file


def _receive(url, size, progress):
    """Return the ``size`` bytes at ``url``, or raise OSError saying why within :data:`DEADLINE` s.

    A helper thread does the reading, so the deadline holds whatever the server
    does, even sending its headers one byte a second. The thread keeps at most
    ``size`` bytes and one chunk in memory. Once the caller has given up, it
    stops at its next read (within :data:`TIMEOUT` s), or, should the server
    still be trickling headers, when the server hangs up.
    """
    outcome, cancelled = {}, threading.Event()

    def read():
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                announced = response.headers.get("Content-Length")
                if announced is not None and announced.strip() != str(size):
                    raise OSError(f"the mirror announces {announced} bytes where the file has "
                                  f"{size:,}: it is not this MNIST file")
                read_some = getattr(response, "read1", response.read)
                body = bytearray()
                while not cancelled.is_set():
                    chunk = read_some(_CHUNK)
                    if not chunk:
                        break
                    body += chunk
                    if len(body) > size:
                        raise OSError(f"the mirror sent more than the {size:,} bytes the file "
                                      "has: it is not this MNIST file")
                    progress.update(len(chunk))
            if len(body) < size:
                raise OSError(f"the connection closed after {len(body):,} of {size:,} bytes")
            outcome["body"] = bytes(body)
        except Exception as error:   # noqa: BLE001 -- handed to the waiting thread
            outcome["error"] = error

    worker = threading.Thread(target=read, name=f"download {url}", daemon=True)
    worker.start()
    try:
        worker.join(DEADLINE)
    finally:
        cancelled.set()   # on the deadline, or Ctrl-C while waiting
    if worker.is_alive():
        raise OSError(f"it did not finish within {DEADLINE} s ({progress.done_bytes:,} of "
                      f"{size:,} bytes arrived)")
    if "error" in outcome:
        error = outcome["error"]
        raise OSError(getattr(error, "reason", None) or error) from error
    progress.done()
    return outcome["body"]


class _Progress:
    """A one-line byte counter: redrawn in place on a terminal, written once otherwise."""

    def __init__(self, label, total, stream):
        self.label, self.total, self.stream = label, total, stream
        self.done_bytes, self.last = 0, 0.0
        self.interactive = getattr(stream, "isatty", lambda: False)()

    def update(self, count):
        self.done_bytes += count
        now = time.perf_counter()
        if self.interactive and now - self.last > 0.1:
            self.last = now
            self.stream.write("\r" + self._line())
            self.stream.flush()

    def done(self):
        self.stream.write(("\r" if self.interactive else "") + self._line() + "\n")
        self.stream.flush()

    def _line(self):
        if not self.total:
            return f"{self.label}: {_size(self.done_bytes)}"
        filled = 20 * min(self.done_bytes, self.total) // self.total
        return (f"{self.label}: {'━' * filled}{' ' * (20 - filled)} "
                f"{_size(self.done_bytes)} of {_size(self.total)}")


def _size(count):
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.1f} kB"


#: A deflate stream turns one byte into at most 1032 (a 258-byte match costs at least
#: 2 bits), which bounds what an honest gzip file can declare.
_MAX_GZIP_RATIO = 1032


def read_idx(filename):
    """Read an unsigned-byte IDX file (gzip-compressed when its name ends in ``.gz``).

    The size the header declares is checked against the file's size before any
    memory is allocated, so a crafted header cannot ask for gigabytes.

    Returns:
        A writable uint8 array with the shape the header declares.

    Raises:
        ValueError: naming the file, when it is not gzip, the magic number or
            type is wrong, or the data is shorter or longer than the header says.
    """
    compressed = str(filename).endswith(".gz")
    try:
        with (gzip.open if compressed else open)(filename, "rb") as f:
            header = f.read(4)
            if len(header) < 4 or header[:2] != b"\0\0" or header[2] != 0x08 or not header[3]:
                raise ValueError(f"{filename} is not an unsigned-byte IDX file: it starts "
                                 f"with {header.hex() or 'nothing'}, expected 0000 08 then "
                                 "the number of dimensions (1 or more).")
            ndim = header[3]
            dims = f.read(4 * ndim)
            if len(dims) < 4 * ndim:
                raise ValueError(f"{filename} is truncated: its header declares {ndim} "
                                 "dimensions but ends before their sizes.")
            shape = tuple(int(d) for d in np.frombuffer(dims, ">u4"))
            count = math.prod(shape)
            # Checked before allocating: a 40-byte file must not make us ask for 93 GiB.
            size = os.stat(filename).st_size
            if compressed and count > _MAX_GZIP_RATIO * size:
                raise ValueError(f"{filename} is truncated or corrupt: the header {shape} "
                                 f"promises {count:,} data bytes, more than {size:,} bytes of "
                                 "gzip can hold.")
            if not compressed and count > size - 4 - 4 * ndim:
                raise ValueError(f"{filename} is truncated: the header {shape} promises "
                                 f"{count:,} data bytes, the file holds {size - 4 - 4 * ndim:,}.")
            try:
                array = np.empty(shape, np.uint8)
            except ValueError as error:   # more dimensions than numpy allows
                raise ValueError(f"{filename} declares a shape numpy cannot hold, {shape}: "
                                 f"{error}") from None
            # Read straight into the array: no second copy of 47 MB of pixels.
            view, filled = memoryview(array.reshape(-1)), 0
            while filled < array.size:
                got = f.readinto(view[filled:])
                if not got:
                    raise ValueError(f"{filename} is truncated: the header {shape} promises "
                                     f"{array.size:,} data bytes, the file holds {filled:,}.")
                filled += got
            if f.read(1):
                raise ValueError(f"{filename} is longer than its header {shape} says: "
                                 "extra bytes after the data.")
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{filename} could not be read as gzip-compressed IDX data: "
                         f"{error}") from error
    return array
