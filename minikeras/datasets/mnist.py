"""MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels.

The data are the four IDX files LeCun published, gzip-compressed. They are read
from a folder, the first of:

1. the ``path`` argument of :func:`load_data`;
2. the ``MINIKERAS_DATA`` environment variable;
3. ``~/.minikeras/datasets/mnist`` (the cache).

Files missing from that folder are downloaded from a mirror (the ``mirror``
argument, else the ``MINIKERAS_MNIST_MIRROR`` environment variable, else
:data:`DEFAULT_MIRROR`). A download goes to a hidden temporary file in the same
folder and is renamed to its real name only once its SHA-256 matches, so an
interrupted or corrupted download never leaves a file that looks complete.

IDX layout (big-endian): two zero bytes, a type byte (``0x08`` = unsigned
byte), the number of dimensions ``d``, then ``d`` 32-bit sizes, then the data
in row-major order. Image files have magic number 2051 (``d = 3``), label
files 2049 (``d = 1``).

Example::

    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()
    >>> x_train.shape, x_train.dtype, y_train[:5]
    ((60000, 28, 28), dtype('uint8'), array([5, 0, 4, 1, 9], dtype=uint8))
"""
import gzip
import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

import numpy as np

DEFAULT_MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"
"""Where the four ``.gz`` files are fetched from unless told otherwise."""

#: SHA-256 of each compressed file, as published with the originals.
FILES = {
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

_CHUNK = 1 << 16
TIMEOUT = 30
"""Seconds a download may wait for the server before giving up."""


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
        OSError: a download failed or its checksum did not match.
        ValueError: a file is not valid gzip-compressed IDX data.
    """
    folder = data_folder(path)
    # The checksums pin each file, so shapes and pairings need no further check.
    x_train, y_train, x_test, y_test = (read_idx(fetch(name, folder, mirror)) for name in FILES)
    return (x_train, y_train), (x_test, y_test)


def data_folder(path=None):
    """The folder MNIST is read from: ``path``, ``$MINIKERAS_DATA`` or the home cache."""
    if path is not None:
        return Path(path).expanduser()
    if os.environ.get("MINIKERAS_DATA"):
        return Path(os.environ["MINIKERAS_DATA"]).expanduser()
    return Path.home() / ".minikeras" / "datasets" / "mnist"


def fetch(name, folder, mirror=None, stream=None):
    """Return the path of ``folder/name``, downloading and verifying it if it is missing.

    A file already present is checked against its SHA-256 too, so a damaged
    cache is reported instead of silently giving wrong data.
    """
    expected = FILES[name]
    target = Path(folder) / name
    if target.exists():
        digest = _sha256(target)
        if digest != expected:
            raise OSError(f"{target} is damaged: its SHA-256 is {digest}, expected {expected}. "
                          "Delete it and call load_data() again to download it afresh.")
        return target
    mirror = mirror or os.environ.get("MINIKERAS_MNIST_MIRROR") or DEFAULT_MIRROR
    _download(mirror.rstrip("/") + "/" + name, target, expected, stream or sys.stderr)
    return target


def _sha256(filename):
    digest = hashlib.sha256()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download(url, target, expected, stream):
    """Stream ``url`` into a temporary file beside ``target``; rename it once verified."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                    total = int(response.headers.get("Content-Length") or 0)
                    progress = _Progress(f"Downloading {url}", total, stream)
                    for chunk in iter(lambda: response.read(_CHUNK), b""):
                        out.write(chunk)
                        digest.update(chunk)
                        progress.update(len(chunk))
                    progress.done()
                if total and progress.done_bytes != total:
                    raise OSError(f"the connection closed after {progress.done_bytes} of "
                                  f"{total} bytes")
            except (OSError, http.client.HTTPException) as error:
                raise OSError(f"Could not download {url}: {getattr(error, 'reason', error)}. "
                              "Check the connection, choose another mirror (the `mirror` "
                              "argument or MINIKERAS_MNIST_MIRROR), or copy the four files into "
                              f"{target.parent}.") from error
        if digest.hexdigest() != expected:
            raise OSError(f"The file downloaded from {url} is corrupted: its SHA-256 is "
                          f"{digest.hexdigest()}, expected {expected}. Nothing was saved; try "
                          "again or choose another mirror.")
        os.replace(partial, target)
    except BaseException:
        # Also on Ctrl-C: a half-written file must never stay behind.
        Path(partial).unlink(missing_ok=True)
        raise


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


def read_idx(filename):
    """Read an unsigned-byte IDX file (gzip-compressed when its name ends in ``.gz``).

    Returns:
        A writable uint8 array with the shape the header declares.

    Raises:
        ValueError: naming the file, when it is not gzip, the magic number or
            type is wrong, or the data is shorter or longer than the header says.
    """
    opener = gzip.open if str(filename).endswith(".gz") else open
    try:
        with opener(filename, "rb") as f:
            header = f.read(4)
            if len(header) < 4 or header[:2] != b"\0\0" or header[2] != 0x08:
                raise ValueError(f"{filename} is not an unsigned-byte IDX file: it starts "
                                 f"with {header.hex() or 'nothing'}, expected 0000 08 then "
                                 "the number of dimensions.")
            ndim = header[3]
            dims = f.read(4 * ndim)
            if len(dims) < 4 * ndim:
                raise ValueError(f"{filename} is truncated: its header declares {ndim} "
                                 "dimensions but ends before their sizes.")
            shape = tuple(int(d) for d in np.frombuffer(dims, ">u4"))
            array = np.empty(shape, np.uint8)
            # Read straight into the array: no second copy of 47 MB of pixels.
            view, filled = memoryview(array).cast("B"), 0
            while filled < array.size:
                count = f.readinto(view[filled:])
                if not count:
                    raise ValueError(f"{filename} is truncated: the header {shape} promises "
                                     f"{array.size} data bytes, the file holds {filled}.")
                filled += count
            if f.read(1):
                raise ValueError(f"{filename} is longer than its header {shape} says: "
                                 "extra bytes after the data.")
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{filename} could not be read as gzip-compressed IDX data: "
                         f"{error}") from error
    return array
