"""Saving and loading: three file formats, chosen by the file's name.

=====================  ======================================  ===========================
name                   format                                  needs
=====================  ======================================  ===========================
``*.keras``            Keras 3's archive (``keras_files.py``)  ``pip install "minikeras[h5]"``
``*.h5``, ``*.hdf5``   Keras's legacy HDF5 model file          ``pip install "minikeras[h5]"``
anything else          minikeras's own archive (below)         nothing
=====================  ======================================  ===========================

``save_weights`` writes Keras 3's ``*.weights.h5`` for that name and the
native archive for other names. Loading looks at a file's content, not its
name, so a renamed file still loads.

The native archive. ``model.save(path)`` writes a numpy ``.npz`` archive (a
zip of ``.npy`` arrays, stored uncompressed) with these entries:

* ``minikeras_header``: UTF-8 JSON bytes, ``{"format": "minikeras",
  "format_version": 3, "kind": "model" | "weights", "model_config",
  "optimizer_state", "layer_states", "weights"}``;
* ``weight_0``, ``weight_1``, ...: ``model.weights`` in order (layer by layer,
  kernel before bias, non-trainable ones included);
* ``optimizer_0``, ``optimizer_1``, ...: ``optimizer.get_state()``, the
  iteration count, the learning rate and the per-weight state (Adam's moments,
  SGD's velocity, ...) in Keras's order, in full precision; the header lists
  their shapes.

The header's ``model_config`` is what a ``.keras`` file's ``config.json`` holds
(Keras 3's format, see ``minikeras/utils/serialization.py``); ``layer_states``
holds each layer's ``get_state()`` (a seeded Dropout's generator position), so
that training continues bitwise as it would have without the save.

Why it is safe: the archive is parsed here, member by member: every declared
shape is checked against the header and the member's size before an array is
made, nothing is unpickled, and the JSON header is data. Class names turn into
objects only through minikeras's tables and the custom objects the user
registered or passed, so a file can never make loading run its own code. The
weights the configuration asks for must fit in what the file can hold
(checked before any is allocated). Every malformed file gives a ``ValueError``
naming it.

Why a crash cannot destroy a file: every format is written to a temporary
file beside the target and renamed over it (see ``minikeras/utils/files.py``).

Loading a model does not consume minikeras's random generator (building layers
draws initial weights from it, which the saved weights then replace), so
training a loaded model continues exactly as the original would have.

Example::

    >>> import numpy as np
    >>> import minikeras as keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> model.save("model.mk")                        # minikeras's own format
    >>> loaded = keras.models.load_model("model.mk")
    >>> x = np.ones((1, 3))
    >>> bool((loaded.predict(x, verbose=0) == model.predict(x, verbose=0)).all())
    True

``model.save("model.keras")`` writes Keras 3's format instead, which Keras 3
opens too (with the ``h5`` extra).
"""
import contextlib
import io
import json
import os
import re

import numpy as np

from . import random
from .layers.layer import weight_budget
from .utils import files, registry, serialization
from .variable import assign_all

FORMAT_NAME = "minikeras"
FORMAT_VERSION = 3
_HEADER_KEY = "minikeras_header"
_MEMBER = re.compile(r"(minikeras_header|weight_\d{1,7}|optimizer_\d{1,7})\.npy\Z")
_MAX_HEADER_BYTES = 64 << 20
_WEIGHT_DTYPES = ("float16", "float32", "float64")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"  # at offset 0, or 512 after minikeras's checksum block


# -- custom objects -------------------------------------------------------------------


def register_minikeras_serializable(package="Custom", name=None):
    """Class decorator: make a custom layer, activation, loss, metric, ... loadable by name.

    Mirrors ``keras.saving.register_keras_serializable``. The class is stored as
    ``"package>name"`` in a global table that every name look-up consults, so a
    model using it loads without ``custom_objects``. The class must implement
    ``get_config`` so that ``cls(**config)`` (or ``cls.from_config(config)`` for
    layers) rebuilds it.

    Args:
        package: a prefix that keeps names from different code apart; default ``"Custom"``.
        name: the registered name; default the class name.

    Example::

        @register_minikeras_serializable(package="MyLayers")
        class Scale(Layer):
            ...
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"`package` must be a string without '>'. Received: package={package!r}")

    def decorator(cls):
        key = f"{package}>{name or cls.__name__}"
        if key in registry.CUSTOM_OBJECTS and registry.CUSTOM_OBJECTS[key] is not cls:
            raise ValueError(f"{key!r} is already registered to "
                             f"{registry.CUSTOM_OBJECTS[key]!r}.")
        if not hasattr(cls, "get_config"):
            raise TypeError(f"Cannot register {cls!r}: it must implement `get_config()`.")
        registry.CUSTOM_OBJECTS[key] = cls
        return cls

    return decorator


# Keras's name for the decorator, so code written for Keras runs unchanged.
register_keras_serializable = register_minikeras_serializable


def get_custom_objects():
    """The global ``{"package>name": class}`` table the decorator fills (mutable, as in Keras)."""
    return registry.CUSTOM_OBJECTS


@contextlib.contextmanager
def custom_object_scope(custom_objects):
    """Within the ``with`` block, names resolve to ``custom_objects`` too.

    Example: ``with custom_object_scope({"Scale": Scale}): model = load_model(path)``.
    """
    if not isinstance(custom_objects, dict):
        raise TypeError("`custom_objects` must be a dict {name: class}. Received: "
                        f"custom_objects={custom_objects!r}")
    registry.SCOPED_OBJECTS.append(custom_objects)
    try:
        yield
    finally:
        registry.SCOPED_OBJECTS.pop()


# -- public API ----------------------------------------------------------------------


def _is_keras_name(path):
    return path.endswith(".keras")


def _is_h5_name(path):
    return path.endswith((".h5", ".hdf5"))


def save_model(model, filepath, overwrite=True):
    """Write ``model`` (architecture, weights, compile settings, optimizer state) to one file.

    The name chooses the format: ``.keras`` Keras 3's archive, ``.h5`` / ``.hdf5``
    Keras's legacy HDF5 file, anything else minikeras's own archive.
    """
    path = files.target_path(filepath)
    if _is_keras_name(path):
        _keras_files().save_keras(model, path, overwrite)
    elif _is_h5_name(path):
        _keras_files().save_h5(model, path, overwrite)
    else:
        _save_native(model, path, "model", overwrite)


def save_weights(model, filepath, overwrite=True):
    """Write only the weights: Keras 3's format for ``*.weights.h5``, else minikeras's own.

    Raises:
        ValueError: for a ``.keras`` or other ``.h5`` name, which Keras keeps for whole models.
    """
    model._require_built("save_weights")
    path = files.target_path(filepath)
    if path.endswith(".weights.h5"):
        _keras_files().save_weights_h5(model, path, overwrite)
    elif _is_keras_name(path) or _is_h5_name(path):
        raise ValueError("`filepath` for `save_weights` must end in `.weights.h5` (Keras's "
                         "weights file), or have a name other than `.keras` / `.h5` for "
                         "minikeras's own; `.keras` and `.h5` files hold whole models "
                         f"(`model.save`). Received: filepath={path!r}")
    else:
        _save_native(model, path, "weights", overwrite)


def load_model(filepath, custom_objects=None, compile=True):
    """Read a model file written by ``model.save`` here or by Keras 3 (``.keras``, ``.h5``).

    Args:
        filepath: the file; its content, not its name, tells the format.
        custom_objects: ``{name: class}`` for custom layers, activations, losses,
            metrics or optimizers that were not registered with
            :func:`register_minikeras_serializable`.
        compile: restore the optimizer (with its state), loss and metrics; default True.

    Raises:
        FileNotFoundError: if there is no such file.
        ImportError: for a Keras HDF5-based file without h5py installed.
        ValueError: for a file that is not a model file, is truncated or corrupted,
            comes from a newer format version, or names a class or a Keras feature
            minikeras does not have.
    """
    path = files.source_path(filepath)
    kind = _content_kind(path)
    with _loading(path, custom_objects):
        if kind == "native":
            return _load_native(path, compile)
        if kind == "keras":
            return _keras_files().load_keras(path, compile)
        return _keras_files().load_h5(path, compile)


def load_weights(model, filepath):
    """Copy the weights of a file (``save_weights`` or ``save``, here or by Keras) into
    ``model``."""
    model._require_built("load_weights")
    path = files.source_path(filepath, "weights")
    kind = _content_kind(path)
    with _loading(path, None):
        if kind == "native":
            header, arrays = _read_native(path)
            _assign_native_weights(model, header, arrays, path)
        elif kind == "keras":
            _keras_files().load_weights_keras(model, path)
        else:
            _keras_files().load_weights_h5(model, path)


def _keras_files():
    """The Keras formats' module (imported on use: it needs h5py, an optional extra)."""
    from . import keras_files
    return keras_files


def _content_kind(path):
    """``"native"``, ``"keras"`` (a ``.keras`` zip) or ``"h5"``, from the file's first bytes."""
    with open(path, "rb") as f:
        start = f.read(8)
        f.seek(512)
        at_512 = f.read(8)
    if start.startswith(b"PK\x03\x04"):
        names = _zip_names(path)
        if _HEADER_KEY + ".npy" in names:
            return "native"
        if "config.json" in names:
            return "keras"
        raise ValueError(f"{path!r} is a zip archive but neither a minikeras file (no "
                         f"{_HEADER_KEY!r}) nor a Keras `.keras` file (no 'config.json').")
    if _HDF5_MAGIC in (start, at_512):
        return "h5"
    raise ValueError(f"{path!r} is not a model file: minikeras reads its own archives and "
                     "Keras's `.keras` (zip) and `.h5` (HDF5) files, and this file is none.")


def _zip_names(path):
    try:
        with files.open_zip(path, allowed=lambda name: True) as archive:
            return set(archive.namelist())
    except files.ZIP_ERRORS as e:
        if isinstance(e, ValueError) and repr(path) in str(e):
            raise
        raise ValueError(f"{path!r} is truncated or corrupted: {e}") from None


# What building objects from a crafted configuration can raise besides ValueError.
_CONFIG_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
                  RecursionError, ZeroDivisionError)


@contextlib.contextmanager
def _loading(path, custom_objects):
    """Around every load: the global generator untouched, ``custom_objects`` in scope, the
    weights a configuration may ask for bounded by the file's size, and every error a
    ``ValueError`` naming the file.

    Rebuilding layers draws initial weights that the saved ones replace; without
    restoring the generator, loading would shift every later shuffle and dropout mask.
    Stored weights take their bytes in the file, so a configuration asking for more
    than twice the file's size (a float32 file loaded as float64) is not the file's.
    """
    generator = random.generator()
    state = generator.bit_generator.state
    budget = 2 * os.path.getsize(path) + (1 << 20)
    try:
        with custom_object_scope(custom_objects or {}), \
                weight_budget(budget, f"the file {path!r}"):
            yield
    except _CONFIG_ERRORS as e:
        if isinstance(e, ValueError) and repr(path) in str(e):
            raise
        hint = (" If it uses custom objects, pass them with `custom_objects={name: class}` "
                "or register them with @register_minikeras_serializable."
                if "Unknown `" in str(e) else "")
        raise ValueError(f"Cannot load the model saved in {path!r}: "
                         f"{str(e).rstrip('.')}.{hint}") from e
    finally:
        generator.bit_generator.state = state


# -- the native archive ----------------------------------------------------------------


def _save_native(model, path, kind, overwrite):
    header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "kind": kind,
              "weights": [{"name": v.name, "shape": list(v.shape), "dtype": v.dtype.name}
                          for v in model.weights]}
    arrays = {f"weight_{i}": v.value for i, v in enumerate(model.weights)}
    if kind == "model":
        header["model_config"] = serialization.serialize_model(model)
        header["layer_states"] = [layer.get_state() for layer in model.layers]
        if model.compiled:
            state = model.optimizer.get_state()
            header["optimizer_state"] = [{"shape": list(a.shape), "dtype": a.dtype.name}
                                         for a in state]
            arrays.update({f"optimizer_{i}": a for i, a in enumerate(state)})
    text = plain_json(header, path)
    entries = {_HEADER_KEY: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}
    # np.savez appends ".npz" to a name that lacks it; writing to an open file keeps ours.
    files.write_atomic(path, lambda file: np.savez(file, **entries), overwrite)


def plain_json(data, path):
    """``data`` as JSON text, or a ValueError saying which object is not plain data."""
    try:
        return json.dumps(data, default=_json_default)
    except (TypeError, ValueError) as e:
        raise ValueError(f"Cannot save to {path!r}: the configuration is not plain data "
                         f"({e}). Give custom objects a `get_config` returning "
                         "numbers, strings, lists and dicts.") from None


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{obj!r} (of type {type(obj).__name__}) is not JSON-serializable")


def _load_native(path, compile):
    header, arrays = _read_native(path)
    if header.get("kind") != "model":
        raise ValueError(f"{path!r} holds only weights (written by `save_weights`): build the "
                         "model in code and call `model.load_weights(...)` instead.")
    model = serialization.deserialize_model(header.get("model_config"), compile)
    _assign_native_weights(model, header, arrays, path)
    if compile and model.compiled:
        state = [arrays[f"optimizer_{i}"] for i in range(len(header.get("optimizer_state") or []))]
        model.optimizer.set_state(state, model.trainable_weights)
    states = header.get("layer_states")
    if not isinstance(states, list) or len(states) != len(model.layers):
        raise ValueError(f"{path!r} is corrupted: its header lists layer states that do not "
                         f"match the model's {len(model.layers)} layers")
    for layer, state in zip(model.layers, states):
        layer.set_state(state)
    return model


def _assign_native_weights(model, header, arrays, path):
    variables, saved = model.weights, header["weights"]
    if len(saved) != len(variables):
        raise ValueError(f"{path!r} holds {len(saved)} weight arrays, but model {model.name!r} "
                         f"has {len(variables)} weights.")
    for i, (variable, meta) in enumerate(zip(variables, saved)):
        value = arrays[f"weight_{i}"]
        if value.shape != variable.shape:
            raise ValueError(f"weight {i} ({meta['name']!r}) in {path!r} has shape "
                             f"{value.shape}, but model {model.name!r} expects {variable.shape}.")
    assign_all(variables, [arrays[f"weight_{i}"] for i in range(len(variables))], repr(path))


def _read_native(path):
    """Open and check a minikeras archive: ``(header, {name: array})``.

    Every member's ``.npy`` header is parsed here and its shape and dtype checked
    against the archive's header and the member's size before the array is made.
    """
    with files.open_zip(path, allowed=lambda name: _MEMBER.match(name)) as archive:
        if _HEADER_KEY + ".npy" not in archive.namelist():
            raise ValueError(f"{path!r} is a numpy .npz archive but not a minikeras file "
                             f"(it has no {_HEADER_KEY!r} entry).")
        raw = files.read_member(archive, _HEADER_KEY + ".npy", path, _MAX_HEADER_BYTES)
        header = _parse_header(_npy_array(raw, path, _HEADER_KEY, "uint8"), path)
        listed = {f"weight_{i}": meta for i, meta in enumerate(header["weights"])}
        listed.update({f"optimizer_{i}": meta
                       for i, meta in enumerate(header.get("optimizer_state") or [])})
        present = {name[:-len(".npy")] for name in archive.namelist()} - {_HEADER_KEY}
        if present != set(listed):
            missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
            raise ValueError(f"{path!r} is corrupted: its header and its arrays disagree "
                             f"(listed but missing: {missing or 'none'}; present but not "
                             f"listed: {extra or 'none'}).")
        arrays = {}
        for name, meta in listed.items():
            raw = files.read_member(archive, name + ".npy", path)
            array = _npy_array(raw, path, name, None)
            if list(array.shape) != meta["shape"] or array.dtype.name != meta["dtype"]:
                raise ValueError(f"{path!r} is corrupted: array {name!r} has shape "
                                 f"{array.shape} and dtype {array.dtype.name}, but the header "
                                 f"lists shape {tuple(meta['shape'])} and dtype {meta['dtype']}.")
            arrays[name] = array
    return header, arrays


def _npy_array(raw, path, name, dtype):
    """The array in the ``.npy`` bytes ``raw``, its declared shape checked against its size."""
    stream = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
            else np.lib.format.read_array_header_2_0
        shape, fortran, declared = read_header(stream)
    except (ValueError, TypeError, SyntaxError, OverflowError, KeyError, MemoryError,
            UnicodeError, RecursionError) as e:
        raise ValueError(f"{path!r} is corrupted: array {name!r} has an unreadable .npy "
                         f"header ({type(e).__name__}: {e}).") from None
    if declared.hasobject or declared.kind not in "fiu" or declared.fields is not None \
            or (dtype is not None and declared.name != dtype):
        raise ValueError(f"{path!r} is corrupted: array {name!r} has dtype {declared!s:.50}, "
                         "not a plain number type.")
    payload = len(raw) - stream.tell()
    count = 1
    for dim in shape:
        count *= dim
    if count * declared.itemsize != payload:
        raise ValueError(f"{path!r} is corrupted: array {name!r} declares shape {shape} "
                         f"({count * declared.itemsize} bytes), but its member holds "
                         f"{payload} bytes of data.")
    array = np.frombuffer(raw, dtype=declared, count=count, offset=stream.tell())
    array = array.reshape(shape, order="F" if fortran else "C")
    return array.astype(declared.newbyteorder("="), copy=False)


def _parse_header(data, path):
    try:
        header = json.loads(data.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ValueError(f"{path!r} is corrupted: its header is not valid JSON "
                         f"({type(e).__name__}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise ValueError(f"{path!r} is not a minikeras file (its header has no "
                         f"'format': {FORMAT_NAME!r}).")
    version = header.get("format_version")
    if version in (1, 2):
        raise ValueError(f"{path!r} has format version {version}, written by an earlier "
                         "minikeras whose configurations this version reads differently. Load "
                         "it with that version and save it as `.keras`, or retrain.")
    if isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"{path!r} has format version {version!r:.20}, but this minikeras "
                         f"reads versions up to {FORMAT_VERSION}: it was written by a newer "
                         "minikeras. Upgrade minikeras to load it.")
    for key in ("weights", "optimizer_state"):
        listing = header.get(key) or []
        if not isinstance(listing, list) or not all(_is_array_listing(m, key) for m in listing):
            raise ValueError(f"{path!r} is corrupted: its header's {key!r} is not a list of "
                             "{'shape': [...], 'dtype': ...} entries.")
    return header


def _is_array_listing(meta, key):
    if not isinstance(meta, dict) or not isinstance(meta.get("shape"), list):
        return False
    shape_ok = all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2 ** 40
                   for d in meta["shape"])
    dtypes = _WEIGHT_DTYPES + ("int32", "int64")  # integers: a count, an iteration
    return shape_ok and meta.get("dtype") in dtypes
