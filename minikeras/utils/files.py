"""Files on disk: atomic writes that keep permissions and links, zip archives read within bounds.

Writing (:func:`write_atomic`). The new content goes to a temporary file beside
the target, is flushed to disk, and only then renamed over the target
(``os.replace`` is atomic), so a crash leaves either the old file or the new
one, never half of one. Around that:

* the target is the file a symlink points to, so the link keeps working and
  its file is the one that changes;
* the temporary file is created with the final permissions (the existing
  file's bits, or a new file's ``0o666`` minus the umask, applied by the
  kernel); the process umask is never changed, so other threads are safe;
* its name, ``.minikeras-<hash of the target's name>-<random>.tmp``, has a
  fixed length (a legal long file name stays legal) and says which target it
  belongs to; the writer holds a lock on it, so the next save to that target
  (or ``load_model``) removes what a killed save left, and only that;
* errors name the target, not the temporary file.

Reading a zip archive (:func:`open_zip`, :func:`read_member`): every member's
compression and declared size is checked before a byte of it is inflated, and
whatever a corrupted archive makes ``zipfile`` raise becomes one ``ValueError``
naming the file.
"""
import contextlib
import hashlib
import os
import re
import secrets
import struct
import zipfile
import zlib

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be removed, which protects it instead
    fcntl = None

_TMP_SUFFIX = ".tmp"

# What a corrupted or crafted zip archive can make the zipfile module raise.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
              IndexError, OverflowError, NotImplementedError, RuntimeError, UnicodeError,
              struct.error, TypeError, AttributeError)

# A member that inflates to more than this many times its stored size is a
# decompression bomb, not weights or a configuration (float weights barely compress).
_MAX_RATIO = 100
_SMALL = 1 << 20  # members up to 1 MiB may compress as well as they like


def target_path(filepath, argument="filepath"):
    """``filepath`` (str, bytes or path-like) as a ``str``, or a clear ``TypeError``."""
    try:
        path = os.fspath(filepath)
    except TypeError:
        raise TypeError(f"`{argument}` must be a path (str, bytes or os.PathLike). Received: "
                        f"{argument}={filepath!r} of type {type(filepath).__name__}") from None
    path = os.fsdecode(path)
    if not path or "\0" in path:
        raise ValueError(f"`{argument}` must be a non-empty path without NUL characters. "
                         f"Received: {argument}={filepath!r}")
    return path


def _temporary_prefix(target):
    digest = hashlib.sha256(os.fsencode(os.path.basename(target))).hexdigest()[:16]
    return f".minikeras-{digest}-"


def _temporary_pattern(target):
    return re.compile(re.escape(_temporary_prefix(target)) + r"[0-9a-f]{16}" +
                      re.escape(_TMP_SUFFIX) + r"\Z")


def remove_stale_temporaries(filepath):
    """Remove what killed saves to ``filepath`` left beside it (never a save in progress)."""
    target = os.path.realpath(target_path(filepath))
    directory = os.path.dirname(target)
    pattern = _temporary_pattern(target)
    try:
        names = [name for name in os.listdir(directory) if pattern.match(name)]
    except OSError:
        return
    for name in names:
        _remove_if_abandoned(os.path.join(directory, name))


def _remove_if_abandoned(path):
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return  # gone, a symlink, or not ours to open
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return  # a live save holds it
        with contextlib.suppress(OSError):
            os.unlink(path)
    finally:
        os.close(fd)


def write_atomic(filepath, write, overwrite=True):
    """Call ``write(file)`` on a temporary file, then rename it over ``filepath``.

    Args:
        filepath: the target (str, bytes or path-like); a symlink's file is replaced.
        write: ``write(file)`` fills the binary file (opened for reading and writing).
        overwrite: if False, an existing target raises ``FileExistsError``.

    Raises:
        FileExistsError, FileNotFoundError, PermissionError, IsADirectoryError,
        OSError: naming the target.
    """
    path = target_path(filepath)
    target = os.path.realpath(path)
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"{path!r} already exists and `overwrite=False`.")
    if os.path.isdir(target):
        raise IsADirectoryError(f"Cannot save to {path!r}: it is a folder.")
    remove_stale_temporaries(target)
    try:
        mode = os.stat(target).st_mode & 0o777
    except OSError:
        mode = None  # a new file: 0o666 minus the umask
    fd, tmp = _create_temporary(path, target, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "w+b") as file:
            try:
                write(file)
                file.flush()
                os.fsync(file.fileno())
                if mode is not None and hasattr(os, "fchmod"):
                    os.fchmod(file.fileno(), mode)  # the bits the umask removed at creation
                os.replace(tmp, target)  # still locked: no cleaner can take it meanwhile
            except OSError as e:
                raise _naming(e, path, creating=False) from None
        _sync_directory(os.path.dirname(target))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _create_temporary(path, target, mode):
    directory = os.path.dirname(target)
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, _temporary_prefix(target) + secrets.token_hex(8) +
                           _TMP_SUFFIX)
        try:
            fd = os.open(tmp, flags, mode)
        except FileExistsError:
            continue
        except OSError as e:
            raise _naming(e, path, creating=True) from None
        if fcntl is None:
            return fd, tmp
        fcntl.flock(fd, fcntl.LOCK_EX)
        # A cleaner may have removed the file between its creation and the lock.
        try:
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        except OSError:
            pass
        os.close(fd)
    raise FileExistsError(f"Cannot save to {path!r}: no free temporary file name beside it.")


def _naming(error, path, creating):
    """The same kind of OSError, with a message about ``path`` rather than a temporary file.

    ``creating``: the error came from creating the file beside ``path``, so a missing
    file or a refused permission is about its folder.
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if creating and isinstance(error, FileNotFoundError):
        reason = f"its folder {directory!r} does not exist"
    elif creating and isinstance(error, PermissionError):
        reason = f"no permission to write in the folder {directory!r}"
    else:
        reason = error.strerror or str(error)
    return type(error)(error.errno, f"Cannot save to {path!r}: {reason}")


def _sync_directory(directory):
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def source_path(filepath, what="model"):
    """``filepath`` as a ``str`` naming an existing regular file, after removing what
    killed saves to it left."""
    path = target_path(filepath)
    if not os.path.isfile(path):
        if os.path.isdir(path):
            raise IsADirectoryError(f"{path!r} is a folder, not a {what} file.")
        raise FileNotFoundError(f"No {what} file at {path!r}.")
    remove_stale_temporaries(path)
    return path


# -- zip archives --------------------------------------------------------------------


def open_zip(path, allowed):
    """Open the zip archive at ``path``; every member's name must pass ``allowed(name)``,
    and every member must be stored or deflated, not encrypted, and declare a size
    plausible for its stored size.

    Raises:
        ValueError: naming ``path`` and the offending member.
    """
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except ZIP_ERRORS as e:
        raise ValueError(f"{path!r} is truncated or corrupted: {type(e).__name__}: {e}") \
            from None
    try:
        names = set()
        for info in infos:
            if not allowed(info.filename):
                raise ValueError(f"{path!r} holds an unexpected member "
                                 f"{info.filename!r:.100}.")
            if info.filename in names:
                raise ValueError(f"{path!r} holds the member {info.filename!r} twice.")
            names.add(info.filename)
            if info.flag_bits & 0x1:
                raise ValueError(f"{path!r} is encrypted ({info.filename!r}).")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ValueError(f"{path!r}: member {info.filename!r} uses compression "
                                 f"method {info.compress_type}, not stored or deflated.")
            stored = info.compress_type == zipfile.ZIP_STORED
            if (stored and info.file_size != info.compress_size) or \
                    info.file_size > max(_SMALL, _MAX_RATIO * info.compress_size):
                raise ValueError(f"{path!r}: member {info.filename!r} declares "
                                 f"{info.file_size} bytes from {info.compress_size} stored: "
                                 "a corrupted archive or a decompression bomb.")
    except BaseException:
        archive.close()
        raise
    return archive


def read_member(archive, name, path, limit=None):
    """The bytes of member ``name``, CRC-checked; at most ``limit`` bytes are accepted."""
    try:
        info = archive.getinfo(name)
        if limit is not None and info.file_size > limit:
            raise ValueError(f"{path!r}: member {name!r} declares {info.file_size} bytes, "
                             f"more than the {limit} it may hold.")
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except ValueError as e:
        if str(e).startswith(repr(path)):
            raise
        raise ValueError(f"{path!r} is truncated or corrupted: {e}") from None
    except ZIP_ERRORS as e:
        raise ValueError(f"{path!r} is truncated or corrupted ({name!r}: "
                         f"{type(e).__name__}: {e}).") from None
    if len(data) != info.file_size:
        raise ValueError(f"{path!r} is corrupted: member {name!r} holds {len(data)} bytes, "
                         f"not the {info.file_size} it declares.")
    return data
