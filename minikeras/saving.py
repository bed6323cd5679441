"""Saving and loading: one file holds a model's architecture, weights and training state.

``model.save(path)`` writes a numpy ``.npz`` archive (a zip of ``.npy`` arrays)
with these entries:

* ``minikeras_header``: UTF-8 JSON bytes, ``{"format": "minikeras",
  "format_version": 2, "kind": "model" | "weights", "model_config", "compile_config",
  "optimizer_state", "layer_states", "weights"}``;
* ``weight_0``, ``weight_1``, ...: ``model.weights`` in order (layer by layer,
  kernel before bias, non-trainable ones included);
* ``optimizer_0``, ``optimizer_1``, ...: ``optimizer.get_state()``, the
  iteration count, the learning rate and the per-weight state (Adam's moments,
  SGD's velocity, ...) in Keras's order; the header lists their shapes.

The header's ``model_config`` is ``{"class_name", "config"}``: the model class,
found through the registry, rebuilds itself with ``from_config``;
``layer_states`` holds each layer's ``get_state()`` (a seeded Dropout's
generator position).

Why it is safe: the archive is read with ``allow_pickle=False``, so it can only
hold plain numeric arrays, and the JSON header is data. Loading turns class
names into objects only through minikeras's tables and the custom objects the
user registered or passed, so a file can never make loading run its own code.

Why a crash cannot destroy a file: every save writes a temporary file beside
the target, flushes it to disk, and only then renames it over the target
(``os.replace`` is atomic); on any error the temporary file is removed.

Loading a model does not consume minikeras's random generator (building layers
draws initial weights from it, which the saved weights then replace), so
training a loaded model continues exactly as the original would have.

Example::

    model.save("model.keras")                     # any file name works
    model = minikeras.models.load_model("model.keras")
"""
import contextlib
import json
import os
import tempfile
import zipfile

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import random
from .utils import registry

FORMAT_NAME = "minikeras"
FORMAT_VERSION = 2
_HEADER_KEY = "minikeras_header"


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


# -- configs ----------------------------------------------------------------------


def _compile_config(model):
    if not model.compiled:
        return None
    return {
        "optimizer": registry.serialize(model.optimizer),
        "loss": registry.serialize(model.loss),
        "metrics": [_serialize_metric(m) for m in model.metrics],
        "weighted_metrics": [_serialize_metric(m) for m in model.weighted_metrics],
    }


def _serialize_metric(metric):
    return {"identifier": registry.serialize(metric)}


def _compile_from_config(model, config):
    model.compile(optimizer=optimizers_module.get(config["optimizer"]),
                  loss=losses_module.get(config["loss"]),
                  metrics=[metrics_module.get(m["identifier"]) for m in config["metrics"]],
                  weighted_metrics=[metrics_module.get(m["identifier"])
                                    for m in config["weighted_metrics"]])


@contextlib.contextmanager
def _global_rng_untouched():
    """Undo every draw made from the global generator inside the block.

    Rebuilding layers draws initial weights that the saved ones replace; without
    this, loading would shift every later shuffle and dropout mask.
    """
    generator = random.generator()
    state = generator.bit_generator.state
    try:
        yield
    finally:
        generator.bit_generator.state = state


# -- public API ----------------------------------------------------------------------


def save_model(model, filepath, overwrite=True):
    """Write ``model`` (architecture, weights, compile settings, optimizer state) to one file."""
    header = _header("model", model)
    header["model_config"] = {"class_name": type(model).__name__, "config": model.get_config()}
    header["compile_config"] = _compile_config(model)
    header["layer_states"] = [layer.get_state() for layer in model.layers]
    arrays = _weight_arrays(model)
    if model.compiled:
        state = model.optimizer.get_state()
        header["optimizer_state"] = [{"shape": list(a.shape), "dtype": a.dtype.name} for a in state]
        arrays.update({f"optimizer_{i}": a for i, a in enumerate(state)})
    _write_atomic(filepath, header, arrays, overwrite)


def load_model(filepath, custom_objects=None, compile=True):
    """Read a file written by ``model.save``: a compiled model that continues training exactly.

    Args:
        filepath: the file (any name; ``.keras`` and ``.mk`` are customary).
        custom_objects: ``{name: class}`` for custom layers, activations, losses,
            metrics or optimizers that were not registered with
            :func:`register_minikeras_serializable`.
        compile: restore the optimizer (with its state), loss and metrics; default True.

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: for a file that is not a minikeras model, is truncated or
            corrupted, comes from a newer format version, or names an unknown class.
    """
    path, header, arrays = _read(filepath)
    if header.get("kind") != "model":
        raise ValueError(f"{path!r} holds only weights (written by `save_weights`): build the "
                         "model in code and call `model.load_weights(...)` instead.")
    with _global_rng_untouched(), custom_object_scope(custom_objects or {}):
        try:
            model = _model_from_config(header["model_config"])
            _assign_weights(model, header, arrays, path)
            if compile and header.get("compile_config"):
                _compile_from_config(model, header["compile_config"])
                state = [arrays[f"optimizer_{i}"] for i in range(len(header["optimizer_state"]))]
                model.optimizer.set_state(state, model.trainable_weights)
            states = header["layer_states"]
            if not isinstance(states, list) or len(states) != len(model.layers):
                raise ValueError(f"the header lists {len(states)!r:.20} layer states for "
                                 f"{len(model.layers)} layers")
            for layer, state in zip(model.layers, states):
                layer.set_state(state)
        except (ValueError, TypeError, KeyError, IndexError) as e:
            hint = (" If it uses custom objects, pass them with `custom_objects={name: class}` "
                    "or register them with @register_minikeras_serializable."
                    if "Unknown `" in str(e) else "")
            raise ValueError(f"Cannot load the model saved in {path!r}: {e}.{hint}") from e
    return model


def save_weights(model, filepath, overwrite=True):
    """Write only ``model.weights`` (in order) to one file."""
    model._require_built("save_weights")
    _write_atomic(filepath, _header("weights", model), _weight_arrays(model), overwrite)


def load_weights(model, filepath):
    """Copy the weights of a ``save_weights`` or ``save`` file into the built ``model``."""
    model._require_built("load_weights")
    path, header, arrays = _read(filepath)
    _assign_weights(model, header, arrays, path)


def _model_from_config(entry):
    """The model class named in the file, found through the registry, builds itself."""
    if not (isinstance(entry, dict) and isinstance(entry.get("class_name"), str)):
        raise ValueError("the model configuration is not a {'class_name', 'config'} dict")
    cls = registry.find_model_class(entry["class_name"])
    return cls.from_config(entry.get("config"))


# -- files ---------------------------------------------------------------------------


def _header(kind, model):
    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "kind": kind,
            "weights": [{"name": v.name, "shape": list(v.shape), "dtype": v.dtype.name}
                        for v in model.weights]}


def _weight_arrays(model):
    return {f"weight_{i}": v.value for i, v in enumerate(model.weights)}


def _assign_weights(model, header, arrays, path):
    variables, saved = model.weights, header["weights"]
    if len(saved) != len(variables):
        raise ValueError(f"{path!r} holds {len(saved)} weight arrays, but model {model.name!r} "
                         f"has {len(variables)} weights.")
    for i, (variable, meta) in enumerate(zip(variables, saved)):
        value = arrays[f"weight_{i}"]
        if value.shape != variable.shape:
            raise ValueError(f"weight {i} ({meta['name']!r}) in {path!r} has shape "
                             f"{value.shape}, but model {model.name!r} expects {variable.shape}.")
        variable.assign(value)


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{obj!r} (of type {type(obj).__name__}) is not JSON-serializable")


def _write_atomic(filepath, header, arrays, overwrite=True):
    """Write the archive to a temporary file beside `filepath`, then rename it over."""
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path!r} already exists and `overwrite=False`.")
    try:
        text = json.dumps(header, default=_json_default)
    except (TypeError, ValueError) as e:
        raise ValueError(f"Cannot save to {path!r}: the configuration is not plain data "
                         f"({e}). Give custom objects a `get_config` returning "
                         "numbers, strings, lists and dicts.") from e
    entries = {_HEADER_KEY: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}
    directory = os.path.dirname(os.path.abspath(path))
    # np.savez appends ".npz" to a name that lacks it; writing to an open file keeps ours.
    tmp = tempfile.NamedTemporaryFile(dir=directory, prefix=f".{os.path.basename(path)}.",
                                      suffix=".tmp", delete=False)
    try:
        with tmp:
            np.savez(tmp, **entries)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp.name, 0o666 & ~_umask())  # mkstemp makes it 0600; give it a normal file's mode
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read(filepath):
    """Open and check a minikeras file: ``(path, header, {name: array})``."""
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No minikeras file at {path!r}.")
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            raise ValueError(f"{path!r} is not a minikeras file: a minikeras file is a numpy "
                             ".npz (zip) archive, and this file is not a zip archive.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if _HEADER_KEY not in archive.files:
                raise _NotMinikeras()
            arrays = {key: archive[key] for key in archive.files}
    except _NotMinikeras:
        raise ValueError(f"{path!r} is a numpy .npz archive but not a minikeras file "
                         f"(it has no {_HEADER_KEY!r} entry).") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as e:
        raise ValueError(f"{path!r} is truncated or corrupted: {e}") from e
    try:
        header = json.loads(arrays.pop(_HEADER_KEY).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"{path!r} is corrupted: its header is not valid JSON ({e}).") from e
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise ValueError(f"{path!r} is not a minikeras file (its header has no "
                         f"'format': {FORMAT_NAME!r}).")
    version = header.get("format_version")
    if version == 1:
        raise ValueError(f"{path!r} has format version 1, written by minikeras 0.1, whose "
                         "optimizer state this version stores differently. Load it with "
                         "minikeras 0.1 and save the weights, or retrain.")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"{path!r} has format version {version!r}, but this minikeras reads "
                         f"versions up to {FORMAT_VERSION}: it was written by a newer minikeras. "
                         "Upgrade minikeras to load it.")
    weights = header.get("weights")
    optimizer = header.get("optimizer_state") or []
    if not isinstance(weights, list) or not isinstance(optimizer, list):
        raise ValueError(f"{path!r} is corrupted: its header has no list of weights.")
    expected = {f"weight_{i}" for i in range(len(weights))} | {
        f"optimizer_{i}" for i in range(len(optimizer))}
    if set(arrays) != expected:
        missing, extra = sorted(expected - set(arrays)), sorted(set(arrays) - expected)
        raise ValueError(f"{path!r} is corrupted: its header and its arrays disagree (listed "
                         f"but missing: {missing or 'none'}; present but not listed: "
                         f"{extra or 'none'}).")
    not_float = sorted(k for k, a in arrays.items() if a.dtype.kind != "f"
                       and k != "optimizer_0")  # the iteration count is an integer
    if not_float:
        raise ValueError(f"{path!r} is corrupted: {not_float} should hold floats.")
    return path, header, arrays


class _NotMinikeras(Exception):
    pass
