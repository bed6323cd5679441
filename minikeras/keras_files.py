"""Keras's own files, both ways: ``.keras`` archives, ``.weights.h5`` and legacy ``.h5`` models.

The layouts are Keras 3.15's (learned from ``keras/src/saving/saving_lib.py`` and
``keras/src/legacy/saving/legacy_h5_format.py``):

``.keras``, a zip archive of three members, stored uncompressed:
    ``metadata.json``: ``{"keras_version", "date_saved"}``;
    ``config.json``: the model's config in Keras 3's format, with its
    ``build_config`` and ``compile_config`` (``minikeras/utils/serialization.py``);
    ``model.weights.h5``: the weights layout below.

The weights layout (``.weights.h5``, and ``model.weights.h5`` inside ``.keras``), HDF5::

    /vars                                    attrs {name: model name}, empty
    /layers/<layer class in snake_case>/vars attrs {name: layer name}; datasets 0, 1, ...
                                             (the layer's trainable variables first)
    /optimizer/vars                          datasets 0, 1, ...: the optimizer's variables
                                             (iteration, learning rate, slots, ...)

A second layer of a class is ``dense_1``, then ``dense_2``, ... in model order. A
model used as a layer is a group of the same shape as the file's root
(``/layers/sequential/vars``, ``/layers/sequential/layers/dense/vars``, ...).

Legacy ``.h5``, HDF5: root attrs ``model_config`` (JSON ``{"class_name", "config"}``,
layers as bare ``{"class_name", "config"}``), ``training_config`` (the compile
arguments, the optimizer under ``optimizer_config``), ``keras_version``,
``backend``; group ``model_weights`` (attr ``layer_names``) with one group per
layer (attr ``weight_names``, datasets at those paths, trainable ones first;
a model used as a layer has one such group for all its weights) and
``top_level_model_weights``; group ``optimizer_weights`` (attr
``weight_names``, datasets in the optimizer's variable order).

The optimizer state goes in Keras's dtypes (the learning rate and Nadam's
momentum product as float32): the native format keeps their full precision,
these do not, so training continues in Keras and here, but not bitwise.

Safety. Weights are matched to the model built from the configuration: every
dataset's shape and dtype is checked before it is read, links to other files
and external or virtual datasets are refused, and whatever h5py raises
becomes a ``ValueError`` naming the file. HDF5 itself is parsed by libhdf5,
which a corrupted file can lead astray (even into an endless loop), so the
HDF5 files minikeras writes carry a checksum of their content in the HDF5 user
block (512 bytes before the data, which HDF5 readers skip): a flipped bit or a
truncation is caught before libhdf5 reads anything. A ``.keras`` archive's
members have the zip's CRC-32 instead. Files written by Keras have neither
check for their HDF5 content; load HDF5 files only from sources you trust, as
with Keras.
"""
import datetime
import io
import json
import re
import warnings
import zipfile
import zlib

import numpy as np

from . import saving
from .utils import files, registry, serialization
from .variable import assign_all

KERAS_VERSION = "3.15.1"  # the Keras release whose file layouts these are
_MAX_CONFIG_BYTES = 64 << 20
_KERAS_MEMBERS = ("metadata.json", "config.json", "model.weights.h5")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_USER_BLOCK = 512
_CHECKSUM = re.compile(rb"minikeras checksum v1 crc32=([0-9a-f]{8}) size=(\d{1,15})\n")
# What h5py raises on a malformed file: turned into ValueError naming the file.
_H5_ERRORS = (OSError, KeyError, ValueError, TypeError, RuntimeError, AttributeError,
              IndexError, OverflowError, UnicodeError, NotImplementedError)


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Keras's `.keras`, `.h5` and `.weights.h5` files are HDF5-based: "
                          'install h5py with `pip install "minikeras[h5]"`.') from None
    return h5py


# -- writing ------------------------------------------------------------------------------


def save_keras(model, path, overwrite=True):
    """Write ``model`` as a Keras 3 ``.keras`` archive."""
    h5py = _h5py()
    _check_names(model, path)
    config_json = saving.plain_json(serialization.serialize_model(model), path)
    metadata = json.dumps({"keras_version": KERAS_VERSION, "date_saved":
                           datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                           "saved_by": "minikeras"})
    weights = io.BytesIO()
    with h5py.File(weights, "w") as h5:
        _write_weights(h5, model)

    def write(file):
        with zipfile.ZipFile(file, "w") as archive:  # stored, as Keras writes them
            archive.writestr("metadata.json", metadata)
            archive.writestr("config.json", config_json)
            archive.writestr("model.weights.h5", weights.getvalue())

    files.write_atomic(path, write, overwrite)


def save_weights_h5(model, path, overwrite=True):
    """Write ``model``'s weights (and optimizer state) as Keras 3's ``.weights.h5``."""
    _check_names(model, path)
    files.write_atomic(path, lambda file: _write_hdf5(file, lambda h5: _write_weights(h5, model)),
                       overwrite)


def save_h5(model, path, overwrite=True):
    """Write ``model`` as Keras's legacy HDF5 model file."""
    _check_names(model, path)
    entry = serialization.serialize_model(model)
    model_config = {"class_name": _legacy_name(entry), "config": dict(entry["config"])}
    model_config["config"]["layers"] = [
        {"class_name": _legacy_name(layer), "config": layer["config"]}
        for layer in entry["config"]["layers"]]
    model_config = saving.plain_json(model_config, path)
    training_config = None
    if "compile_config" in entry:
        compile_config = dict(entry["compile_config"])
        optimizer = compile_config.pop("optimizer")
        compile_config = {key: _legacy_entry(value) for key, value in compile_config.items()}
        compile_config["optimizer_config"] = {"class_name": _legacy_name(optimizer),
                                              "config": optimizer["config"]}
        training_config = saving.plain_json(compile_config, path)

    def fill(h5):
        h5.attrs["backend"] = b"numpy"
        h5.attrs["keras_version"] = KERAS_VERSION.encode()
        h5.attrs["model_config"] = model_config.encode("utf8")
        if training_config is not None:
            h5.attrs["training_config"] = training_config.encode("utf8")
        group = h5.create_group("model_weights")
        group.attrs["layer_names"] = [layer.name.encode("utf8") for layer in model.layers]
        group.attrs["backend"] = b"numpy"
        group.attrs["keras_version"] = KERAS_VERSION.encode()
        for layer in sorted(model.layers, key=lambda layer: layer.name):
            variables = _legacy_variables(layer)
            if _is_model(layer):  # its weights are named from the inner model on, as in Keras
                paths = _variable_paths(layer)
                names = [f"{layer.name}/{paths[id(v)]}" for v in variables]
            else:
                names = [f"{model.name}/{layer.name}/{v.name}" for v in variables]
            _write_named(group.create_group(layer.name), names, [v.value for v in variables])
        _write_named(group.create_group("top_level_model_weights"), [], [])
        if model.compiled:
            state = _keras_optimizer_state(model)
            name = model.optimizer.name
            names = [f"{name}/iteration"] + [f"{name}/variable_{i}" for i in range(1, len(state))]
            _write_named(h5.create_group("optimizer_weights"), names, state)

    files.write_atomic(path, lambda file: _write_hdf5(file, fill), overwrite)


def _legacy_name(entry):
    return entry.get("registered_name") or entry["class_name"]


def _legacy_entry(value):
    """A compile argument as Keras's legacy files write it: bare ``{"class_name", "config"}``."""
    if isinstance(value, dict) and "class_name" in value:
        return {"class_name": _legacy_name(value), "config": value["config"]}
    if isinstance(value, list):
        return [_legacy_entry(v) for v in value]
    return value


def _write_named(group, names, values):
    group.attrs["weight_names"] = [name.encode("utf8") for name in names]
    for name, value in zip(names, values):
        group.create_dataset(name, data=np.asarray(value))


def _check_names(model, path):
    for name in [model.name] + [layer.name for layer in model.layers]:
        if "/" in name:
            raise ValueError(f"Cannot save to {path!r}: Keras names may not contain '/'. "
                             f"Rename {name!r}.")
    for layer in model.layers:
        if _is_model(layer):
            _check_names(layer, path)


def _is_model(layer):
    """Whether ``layer`` is a model used as a layer (a ``Sequential`` inside a ``Sequential``)."""
    return isinstance(layer, tuple(registry.MODEL_CLASSES.values()))


def _variable_paths(model):
    """``{id(variable): "layer/.../name"}`` for every weight of ``model``, inner models included."""
    paths = {}
    for layer in model.layers:
        inner = _variable_paths(layer) if _is_model(layer) else {id(v): v.name
                                                                for v in layer.weights}
        paths.update({key: f"{layer.name}/{name}" for key, name in inner.items()})
    return paths


def _write_hdf5(file, fill):
    """An HDF5 file into the open ``file``: ``fill(h5)``, then the checksum in the user block."""
    h5py = _h5py()
    with h5py.File(file, "w", userblock_size=_USER_BLOCK) as h5:
        fill(h5)
    file.seek(_USER_BLOCK)
    crc, size = _crc_of_rest(file)
    block = f"minikeras checksum v1 crc32={crc:08x} size={size}\n".encode()
    file.seek(0)
    file.write(block.ljust(_USER_BLOCK, b"\0"))


def _crc_of_rest(file):
    crc = size = 0
    while chunk := file.read(1 << 20):
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
    return crc, size


def _keras_variables(layer):
    """A layer's variables in Keras's order: those created trainable first."""
    return [v for v in layer.weights if v.trainable] + [v for v in layer.weights if not v.trainable]


def _legacy_variables(layer):
    """The legacy files' order: the layer's trainable weights (now), then the others."""
    return layer.trainable_weights + layer.non_trainable_weights


def _layer_keys(model):
    """``(group name, layer)`` in model order: ``dense``, ``dense_1``, ... as Keras names them."""
    used = {}
    for layer in model.layers:
        base = serialization.keras_snake_case(type(layer).__name__)
        used[base] = used.get(base, -1) + 1
        yield (base if used[base] == 0 else f"{base}_{used[base]}"), layer


def _keras_optimizer_state(model):
    """``optimizer.get_state()`` in Keras's dtypes: the count an integer, integer slots
    (Adafactor's placeholders) as they are, the rest floatx."""
    state = model.optimizer.get_state()
    variables = model.trainable_weights
    dtype = variables[0].dtype if variables else np.dtype("float32")
    return [np.asarray(state[0], np.int64)] + [
        np.asarray(a, dtype if a.dtype.kind == "f" else a.dtype) for a in state[1:]]


def _write_weights(h5, model):
    _write_layers(h5, model)
    if model.compiled:
        group = h5.create_group("optimizer").create_group("vars")
        group.attrs["name"] = model.optimizer.name
        for i, value in enumerate(_keras_optimizer_state(model)):
            group.create_dataset(str(i), data=value)


def _write_layers(h5, model):
    """``model``'s ``vars`` and ``layers`` groups into ``h5`` (a file or an inner model's group)."""
    h5.create_group("vars").attrs["name"] = model.name
    layers = h5.create_group("layers")
    for key, layer in _layer_keys(model):
        if _is_model(layer):
            _write_layers(layers.create_group(key), layer)
            continue
        group = layers.create_group(key).create_group("vars")
        group.attrs["name"] = layer.name
        for i, variable in enumerate(_keras_variables(layer)):
            group.create_dataset(str(i), data=variable.value)


# -- reading -------------------------------------------------------------------------------


def load_keras(path, compile=True):
    """The model in the ``.keras`` archive at ``path`` (written here or by Keras 3)."""
    h5py = _h5py()
    with _keras_archive(path) as archive:
        config = _json(files.read_member(archive, "config.json", path, _MAX_CONFIG_BYTES), path,
                       "config.json")
        model = serialization.deserialize_model(config, compile)
        raw = files.read_member(archive, "model.weights.h5", path)
    with _reading(path):
        with h5py.File(io.BytesIO(raw), "r") as h5:
            _read_weights(h5, model, path, with_optimizer=compile)
    return model


def load_weights_keras(model, path):
    """Load the weights of the ``.keras`` archive at ``path`` into ``model``."""
    h5py = _h5py()
    with _keras_archive(path) as archive:
        raw = files.read_member(archive, "model.weights.h5", path)
    with _reading(path):
        with h5py.File(io.BytesIO(raw), "r") as h5:
            _read_weights(h5, model, path, with_optimizer=model.compiled)


def _keras_archive(path):
    archive = files.open_zip(path, allowed=lambda name: name in _KERAS_MEMBERS
                             or name == "model.weights.npz")
    if "model.weights.npz" in archive.namelist():
        archive.close()
        raise ValueError(f"{path!r} keeps its weights as `model.weights.npz`, which Keras "
                         "writes with pickled objects; minikeras never unpickles. Save it "
                         "from Keras with the default `weights_format='h5'`.")
    if "model.weights.h5" not in archive.namelist():
        archive.close()
        raise ValueError(f"{path!r} is not a complete `.keras` file: it has no "
                         "'model.weights.h5'.")
    return archive


def load_h5(path, compile=True):
    """The model in the legacy HDF5 file at ``path`` (written here or by Keras)."""
    with _open_hdf5(path) as h5:
        with _reading(path):
            config = _text_attr(h5, "model_config", path)
            training = _text_attr(h5, "training_config", path) if compile else None
            keras_2 = _text_attr(h5, "keras_version", path, "3").startswith(("1", "2"))
        if config is None:
            raise ValueError(f"{path!r} holds only weights (it has no model configuration): "
                             "build the model in code and call `model.load_weights(...)`.")
        model = serialization.deserialize_model(_json(config, path, "model_config"),
                                                compile=False)
        with _reading(path):
            _read_legacy_weights(_group(h5, "model_weights", path), model, path)
        if training is None:
            return model
        model.compile(**serialization.compile_arguments(_json(training, path,
                                                              "training_config")))
        if "optimizer_weights" not in h5:
            return model
        if keras_2:
            warnings.warn(f"{path!r} was written by Keras 2, whose optimizers keep their "
                          "state in another order: the optimizer starts afresh.",
                          UserWarning, stacklevel=3)
            return model
        with _reading(path):
            group = _group(h5, "optimizer_weights", path)
            names = _string_list(group, "weight_names", path)
            _load_optimizer(model, path, len(names),
                            lambda i, shape, kinds: _dataset(group, names[i], shape, path, kinds))
    return model


def load_weights_h5(model, path):
    """Load ``.weights.h5`` (Keras 3), or the weights of a legacy ``.h5`` file, into ``model``."""
    with _open_hdf5(path) as h5, _reading(path):
        if "layers" in h5:
            _read_weights(h5, model, path, with_optimizer=model.compiled)
        elif "model_weights" in h5:
            _read_legacy_weights(_group(h5, "model_weights", path), model, path)
        elif "layer_names" in h5.attrs:  # Keras 2's save_weights("x.h5")
            _read_legacy_weights(h5, model, path)
        else:
            raise ValueError(f"{path!r} is an HDF5 file without Keras weights (no 'layers' "
                             "or 'model_weights' group).")


class _reading:
    """Around h5py calls: whatever a malformed HDF5 file makes h5py raise becomes a
    ValueError naming the file."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None or not issubclass(kind, _H5_ERRORS) or repr(self.path) in str(error):
            return False
        raise ValueError(f"{self.path!r} is corrupted or is not a Keras file: "
                         f"{kind.__name__}: {error}") from error


def _open_hdf5(path):
    """Open an HDF5 file for reading, after checking the checksum if minikeras wrote it."""
    h5py = _h5py()
    with open(path, "rb") as f:
        head = f.read(_USER_BLOCK + len(_HDF5_MAGIC))
        if head[:len(_HDF5_MAGIC)] != _HDF5_MAGIC:
            if head[_USER_BLOCK:] != _HDF5_MAGIC:
                raise ValueError(f"{path!r} is not an HDF5 file.")
            _verify_checksum(f, head[:_USER_BLOCK], path)
    try:
        return h5py.File(path, "r")
    except _H5_ERRORS as e:
        raise ValueError(f"{path!r} is truncated or corrupted: {type(e).__name__}: {e}") \
            from None


def _verify_checksum(file, block, path):
    text = block.rstrip(b"\0")
    match = _CHECKSUM.fullmatch(text)
    if match is None:
        raise ValueError(f"{path!r} is corrupted: its HDF5 user block is not minikeras's "
                         "checksum (or another program wrote one).")
    file.seek(_USER_BLOCK)
    crc, size = _crc_of_rest(file)
    if size != int(match.group(2)) or crc != int(match.group(1), 16):
        raise ValueError(f"{path!r} is truncated or corrupted: its content does not match "
                         "the checksum minikeras wrote with it.")


def _json(raw, path, what):
    try:
        return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ValueError(f"{path!r} is corrupted: its {what} is not valid JSON "
                         f"({type(e).__name__}).") from None


def _group(parent, name, path):
    """``parent[name]``, which must be a group reached by a plain (hard) link."""
    h5py = _h5py()
    link = parent.get(name, getlink=True)
    if link is None:
        raise ValueError(f"{path!r} has no group {parent.name.rstrip('/')}/{name}.")
    if not isinstance(link, h5py.HardLink):
        raise ValueError(f"{path!r}: {parent.name.rstrip('/')}/{name} is a "
                         f"{type(link).__name__}, which minikeras does not follow.")
    group = parent[name]
    if not isinstance(group, h5py.Group):
        raise ValueError(f"{path!r}: {group.name} is not a group.")
    return group


def _dataset(group, name, shape, path, kinds="f"):
    """The array at ``group/name`` (a path), checked to have ``shape`` before it is read."""
    h5py = _h5py()
    *parents, leaf = name.split("/")
    for part in parents:
        group = _group(group, part, path)
    link = group.get(leaf, getlink=True)
    if link is None:
        raise ValueError(f"{path!r} has no dataset {group.name.rstrip('/')}/{leaf}.")
    if not isinstance(link, h5py.HardLink):
        raise ValueError(f"{path!r}: {group.name.rstrip('/')}/{leaf} is a "
                         f"{type(link).__name__}, which minikeras does not follow.")
    dataset = group[leaf]
    if not isinstance(dataset, h5py.Dataset) or dataset.is_virtual or dataset.external:
        raise ValueError(f"{path!r}: {group.name.rstrip('/')}/{leaf} is not an array stored "
                         "in the file.")
    if dataset.shape != tuple(shape):
        raise ValueError(f"{path!r}: {dataset.name} has shape {dataset.shape}, but the model "
                         f"expects {tuple(shape)}.")
    if dataset.dtype.kind not in kinds or dataset.dtype.fields is not None:
        raise ValueError(f"{path!r}: {dataset.name} holds {dataset.dtype}, not numbers of "
                         "the expected kind.")
    return np.asarray(dataset[()])


def _text_attr(obj, name, path, default=None):
    if name not in obj.attrs:
        return default
    value = obj.attrs[name]
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if not isinstance(value, str):
        raise ValueError(f"{path!r}: the attribute {name!r} is not text.")
    return value


def _string_list(obj, name, path):
    """A list-of-names attribute, also when Keras split it in chunks (``name0``, ``name1``, ...)."""
    if name in obj.attrs:
        chunks = [obj.attrs[name]]
    else:
        chunks, i = [], 0
        while f"{name}{i}" in obj.attrs:
            chunks.append(obj.attrs[f"{name}{i}"])
            i += 1
    out = []
    for chunk in chunks:
        for item in np.asarray(chunk).reshape(-1).tolist():
            if isinstance(item, bytes):
                item = item.decode("utf-8")
            if not isinstance(item, str):
                raise ValueError(f"{path!r}: the attribute {name!r} of {obj.name} is not a list "
                                 "of names.")
            out.append(item)
    return out


def _read_weights(h5, model, path, with_optimizer):
    """Assign the weights layout's arrays to ``model`` (all read and checked first)."""
    values = _read_layers(h5, model, path)
    assign_all([variable for variable, _ in values], [value for _, value in values], repr(path))
    if with_optimizer and model.compiled and "optimizer" in h5:
        group = _group(_group(h5, "optimizer", path), "vars", path)
        count = len(group.keys())
        _load_optimizer(model, path, count,
                        lambda i, shape, kinds: _dataset(group, str(i), shape, path, kinds))


def _read_layers(h5, model, path):
    """``[(variable, array)]`` for ``model`` from ``h5`` (the file or an inner model's group)."""
    layers = _group(h5, "layers", path)
    values = []
    for key, layer in _layer_keys(model):
        if _is_model(layer):
            values += _read_layers(_group(layers, key, path), layer, path)
            continue
        variables = _keras_variables(layer)
        if key not in layers and not variables:
            continue
        group = _group(_group(layers, key, path), "vars", path)
        saved = set(group.keys())
        if saved != {str(i) for i in range(len(variables))}:
            raise ValueError(f"{path!r}: layer {layer.name!r} ({key}) has {len(variables)} "
                             f"weights, but the file holds {sorted(saved)!r:.100} for it.")
        values += [(v, _dataset(group, str(i), v.shape, path, _kinds(v)))
                   for i, v in enumerate(variables)]
    return values


def _kinds(variable):
    """The dtype kinds a stored array for ``variable`` may have: integers for a count."""
    return "iu" if variable.dtype.kind in "iu" else "f"


def _read_legacy_weights(group, model, path):
    """Assign a legacy file's arrays to ``model``: layer by layer, in order, by position."""
    saved = []
    for name in _string_list(group, "layer_names", path):
        names = _string_list(_group(group, name, path), "weight_names", path)
        if names:
            saved.append((name, names))
    layers = [layer for layer in model.layers if layer.weights]
    if len(saved) != len(layers):
        raise ValueError(f"{path!r} holds weights for {len(saved)} layers, but model "
                         f"{model.name!r} has {len(layers)} layers with weights.")
    values = []
    for (name, names), layer in zip(saved, layers):
        variables = _legacy_variables(layer)
        if len(names) != len(variables):
            raise ValueError(f"{path!r}: layer {name!r} holds {len(names)} weights, but layer "
                             f"{layer.name!r} has {len(variables)}.")
        layer_group = _group(group, name, path)
        values += [(v, _dataset(layer_group, n, v.shape, path, _kinds(v)))
                   for n, v in zip(names, variables)]
    if "top_level_model_weights" in group and \
            _string_list(_group(group, "top_level_model_weights", path), "weight_names", path):
        raise ValueError(f"{path!r} holds weights of the model itself, which a Sequential "
                         "model does not have.")
    assign_all([variable for variable, _ in values], [value for _, value in values], repr(path))


def _load_optimizer(model, path, count, read):
    """Restore the optimizer state of ``count`` arrays, ``read(i, shape, kinds)`` each.

    The expected shapes come from the optimizer itself (built for the model's
    trainable weights when the file holds slots), so nothing is read that the
    model cannot hold. A different count is Keras's case too: it warns and the
    optimizer starts afresh.
    """
    optimizer = model.optimizer
    expected = optimizer.get_state()
    if count != len(expected) and not optimizer.built:
        optimizer.build(model.trainable_weights)
        expected = optimizer.get_state()
    if count != len(expected):
        warnings.warn(f"{path!r} holds {count} optimizer variables, but optimizer "
                      f"{optimizer.name!r} has {len(expected)} for this model: it starts "
                      "afresh.", UserWarning, stacklevel=4)
        return
    state = [read(i, e.shape, "iu" if e.dtype.kind in "iu" else "f")
             for i, e in enumerate(expected)]
    state = [s.astype(e.dtype) for s, e in zip(state, expected)]
    optimizer.set_state(state, model.trainable_weights)
