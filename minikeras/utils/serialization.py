"""Keras 3's configuration format: every object as plain data, and back, safely.

Writing. Each object becomes the dict Keras 3 writes for it::

    {"module": "keras.initializers", "class_name": "GlorotUniform",
     "config": {"seed": None, "input_axes": None, "output_axes": None},
     "registered_name": None}

A built-in activation with its default arguments is written as its name
(``"relu"``), as Keras writes it; with other arguments, as the Keras layer that
takes them (``LeakyReLU(negative_slope=0.1)`` becomes a ``keras.layers.LeakyReLU``
entry). A custom object carries its own module and, when it was registered
with ``register_minikeras_serializable``, its ``"Package>Name"``. A layer that
is built adds ``"build_config": {"input_shape": [...]}``; a compiled model adds
``"compile_config"``.

Keras-only arguments. Keras has features minikeras leaves out (weight
constraints, quantization, an average of the weights, ...). Their arguments
are written with the value that turns the feature off, so that a config is
Keras's own, and reading accepts them only at that value: a file that uses
such a feature is refused with its name (:data:`KERAS_ONLY`).

Reading accepts Keras 3's dicts, the bare ``{"class_name", "config"}`` of its
legacy HDF5 files and plain names. Names resolve through minikeras's own
tables, the registered custom objects and ``custom_objects`` only. ``module``
is read as text and never imported, so a configuration cannot run code.
"""
import inspect
import numbers
import threading

from .. import activations, config, initializers, losses, metrics, optimizers, regularizers
from .. import schedules
from . import registry
from .registry import keras_snake_case


class _AnyValue:
    """A Keras-only argument that does nothing while its feature is off (written as `value`)."""

    def __init__(self, value):
        self.value = value

    def accepts(self, value):
        return True


class _OneOf:
    """A Keras-only argument whose feature is off at any of ``values`` (written as the first)."""

    def __init__(self, *values):
        self.value, self.values = values[0], values

    def accepts(self, value):
        return any(_same_value(value, v) for v in self.values)


def _same_value(a, b):
    if a is b:
        return True
    if isinstance(a, bool) != isinstance(b, bool):  # True == 1, but synchronized=1 is not off
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # e.g. an array compared with a number
        return False


def _accepts(inert, value):
    """Whether ``value`` leaves the Keras-only feature whose "off" value is ``inert`` off."""
    return inert.accepts(value) if isinstance(inert, (_AnyValue, _OneOf)) \
        else _same_value(value, inert)


def _inert_for(*names, **arguments):
    return {name: dict(arguments) for name in names}


_METRICS = ("Mean", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
            "MeanSquaredError", "MeanAbsoluteError", "Precision", "Recall", "AUC")

# Keras 3's arguments for features minikeras does not have, by class, with the
# value that leaves the feature off. Written into every config of the class;
# read back only at that value. A new layer whose Keras twin has such
# arguments lists them here.
KERAS_ONLY = {
    "Dense": {"kernel_constraint": None, "bias_constraint": None, "quantization_config": None},
    "BatchNormalization": {"beta_constraint": None, "gamma_constraint": None,
                           "synchronized": False, "renorm": False, "renorm_clipping": None,
                           "renorm_momentum": _AnyValue(0.99)},
    "LayerNormalization": {"rms_scaling": False, "beta_constraint": None,
                           "gamma_constraint": None},
    "Flatten": {"data_format": _OneOf("channels_last", None)},
    "Optimizer": {"use_ema": False, "ema_momentum": _AnyValue(0.99),
                  "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None},
    "SparseCategoricalCrossentropy": {"ignore_class": None},
    **_inert_for(*_METRICS, dtype=_AnyValue("float32")),
}
for _name in ("Precision", "Recall"):
    KERAS_ONLY[_name] = {**KERAS_ONLY[_name], "top_k": None, "class_id": None}
# minikeras's AUC is exact; Keras's approximates the same ROC area with thresholds.
KERAS_ONLY["AUC"] = {**KERAS_ONLY["AUC"], "num_thresholds": _AnyValue(200), "curve": "ROC",
                     "summation_method": _AnyValue("interpolation"), "multi_label": False,
                     "num_labels": None, "label_weights": None}

# Arguments some Keras versions write only when set: read at their "off" value.
_KERAS_OPTIONAL = {
    "layer": {"activity_regularizer": None, "lora_rank": None, "lora_alpha": _AnyValue(None),
              "autocast": _AnyValue(True)},
    "loss": {"dtype": _AnyValue(None)},
}

# Keras layers that count as built from their constructor: their configs carry
# no "build_config".
KERAS_BUILT_AT_INIT = {"Activation", "ActivityRegularization", "AlphaDropout", "Dropout", "ELU",
                       "GaussianDropout", "GaussianNoise", "Identity", "LeakyReLU", "Masking",
                       "ReLU", "Reshape", "Softmax", "UnitNormalization"}

# Keras's activation layers that carry an activation's arguments.
_ACTIVATION_LAYERS = {"ReLU": activations.ReLU, "LeakyReLU": activations.LeakyReLU,
                      "ELU": activations.ELU, "Softmax": activations.Softmax}

KERAS_MODULES = {"activation": "keras.activations", "initializer": "keras.initializers",
                 "regularizer": "keras.regularizers", "constraint": "keras.constraints",
                 "optimizer": "keras.optimizers", "loss": "keras.losses",
                 "metric": "keras.metrics", "schedule": "keras.optimizers.schedules",
                 "layer": "keras.layers"}

_FLOAT_POLICIES = ("float16", "bfloat16", "float32", "float64", "mixed_float16",
                   "mixed_bfloat16")
_MAX_DEPTH = 32  # deeper nesting than any real configuration


def _tables():
    """Each kind's built-in classes by name, and the base class its objects derive from."""
    from .. import layers
    layer_table = {name: obj for name, obj in vars(layers).items()
                   if isinstance(obj, type) and issubclass(obj, layers.Layer)
                   and obj is not layers.Layer}
    tables = {
        "activation": (activations.ALL_ACTIVATIONS, activations.ActivationFunction),
        "initializer": (initializers.ALL_INITIALIZERS, initializers.Initializer),
        "regularizer": (regularizers.ALL_REGULARIZERS, regularizers.Regularizer),
        "optimizer": (optimizers.ALL_OPTIMIZERS, optimizers.Optimizer),
        "loss": (losses.ALL_LOSSES, losses.Loss),
        "metric": (metrics.ALL_METRICS, metrics.Metric),
        "schedule": (schedules.ALL_SCHEDULES, schedules.LearningRateSchedule),
        "layer": (layer_table, layers.Layer),
    }
    try:  # weight constraints are optional in this version of minikeras
        from .. import constraints
        tables["constraint"] = (constraints.ALL_CONSTRAINTS, constraints.Constraint)
    except ImportError:
        pass
    return tables


# -- writing --------------------------------------------------------------------------


def _keras_only(cls, kind=None):
    """:data:`KERAS_ONLY` entries of ``cls`` and of the minikeras classes it derives from
    (with the arguments Keras writes only when set, for ``kind``), less any argument a
    constructor takes: a feature minikeras has gained is no longer Keras-only."""
    merged, taken = dict(_KERAS_OPTIONAL.get(kind, {})), set()
    for base in reversed(getattr(cls, "__mro__", ())):
        if base.__module__.startswith("minikeras."):
            merged.update(KERAS_ONLY.get(base.__name__, {}))
        if "__init__" in vars(base):
            taken.update(inspect.signature(base.__init__).parameters)
    return {key: value for key, value in merged.items() if key not in taken}


def keras_only_arguments(cls):
    """The Keras-only arguments ``cls``'s config carries, at the values that leave them off."""
    return {key: value.value if isinstance(value, (_AnyValue, _OneOf)) else value
            for key, value in _keras_only(cls).items()}


def check_keras_arguments(cls, kwargs, kind):
    """Refuse, naming it, each argument of ``kwargs`` that the constructor of ``cls`` lacks.

    A Keras argument for a feature minikeras does not have (:data:`KERAS_ONLY`)
    is accepted at the value that leaves the feature off, so that a Keras
    script passing Keras's defaults runs; at any other value it raises
    NotImplementedError naming it. Anything else raises ValueError, as Keras
    does for arguments it does not know.
    """
    if not kwargs:
        return
    inert = _keras_only(cls, kind)
    unknown = {key: value for key, value in kwargs.items() if key not in inert}
    if unknown:
        accepted = [name for name in _constructor_arguments(cls) if name != "kwargs"]
        raise ValueError(f"Unrecognized keyword arguments passed to {cls.__name__}: "
                         f"{unknown!r:.200}. {cls.__name__} accepts: {', '.join(accepted)}"
                         f"{', ' if accepted and inert else ''}{', '.join(inert)}.")
    for key, value in kwargs.items():
        if not _accepts(inert[key], value):
            off = inert[key].value if isinstance(inert[key], (_AnyValue, _OneOf)) else inert[key]
            raise NotImplementedError(f"`{key}` is a Keras feature minikeras does not have: "
                                      f"{cls.__name__} accepts only {key}={off!r}. Received: "
                                      f"{key}={value!r:.100}")


def _constructor_arguments(cls):
    """The keyword arguments ``cls(...)`` takes: its constructor's, and while a constructor
    passes ``**kwargs`` on, those of the next base's constructor."""
    names = []
    for base in getattr(cls, "__mro__", ()):
        if "__init__" not in vars(base) or base is object:
            continue
        parameters = inspect.signature(base.__init__).parameters.values()
        names += [p.name for p in parameters if p.name != "self" and p.name not in names
                  and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if not any(p.kind == p.VAR_KEYWORD for p in parameters):
            break
    return names


def dtype_policy(dtype_name):
    """Keras's ``DTypePolicy`` entry for computing in ``dtype_name``."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": dtype_name},
            "registered_name": None}


def layer_dtype(layer):
    """The float type of the layer's weights (the default float type before it has any)."""
    weights = layer.weights
    return weights[0].dtype.name if weights else config.floatx()


def serialize(obj, kind):
    """``obj`` as Keras 3 writes it in a config (``None`` stays ``None``).

    Args:
        obj: an object of ``kind``, or a name that ``kind``'s ``get`` resolves.
        kind: ``"activation"``, ``"initializer"``, ``"regularizer"``,
            ``"constraint"``, ``"optimizer"``, ``"loss"``, ``"metric"``,
            ``"schedule"`` or ``"layer"``.
    """
    if obj is None:
        return None
    if kind == "activation":
        return _serialize_activation(activations.get(obj))
    if isinstance(obj, (str, type, dict)):  # as given to a constructor: a name or config
        obj = deserialize(obj, kind) if isinstance(obj, dict) else _getter(kind)(obj)
    if not hasattr(obj, "get_config"):
        raise ValueError(f"Cannot save the {kind} {obj!r}: it has no `get_config()`. Write it "
                         "as a class with `get_config` and register it with "
                         "@register_minikeras_serializable.")
    cfg = dict(obj.get_config())
    if kind == "optimizer" and isinstance(cfg.get("learning_rate"), dict):
        lr = cfg["learning_rate"]
        cfg["learning_rate"] = _entry("schedule", schedules.deserialize(lr), lr["config"])
    return _entry(kind, obj, cfg)


def _entry(kind, obj, cfg):
    cls = type(obj)
    if _is_builtin(cls, kind):
        return {"module": KERAS_MODULES[kind], "class_name": cls.__name__,
                "config": {**cfg, **keras_only_arguments(cls)}, "registered_name": None}
    return {"module": cls.__module__, "class_name": cls.__name__, "config": cfg,
            "registered_name": _registered_name(cls)}


def _is_builtin(cls, kind):
    table, _ = _tables()[kind]
    return cls.__module__.startswith("minikeras.") and cls in table.values()


def _registered_name(cls):
    for key, obj in registry.CUSTOM_OBJECTS.items():
        if obj is cls:
            return key
    return cls.__name__


def _serialize_activation(activation):
    cls = type(activation)
    if not _is_builtin(cls, "activation"):
        return {"module": cls.__module__, "class_name": cls.__name__,
                "config": activation.get_config(), "registered_name": _registered_name(cls)}
    if activation.get_config() == cls().get_config():
        return activation.name
    if cls.__name__ in _ACTIVATION_LAYERS:  # Keras keeps arguments in a layer
        name = keras_snake_case(cls.__name__)
        return {"module": "keras.layers", "class_name": cls.__name__,
                "config": {"name": name, "trainable": True,
                           "dtype": dtype_policy(config.floatx()), **activation.get_config()},
                "registered_name": None}
    # No Keras form (e.g. gelu with approximate=True): minikeras reads it back.
    return {"module": "minikeras.activations", "class_name": cls.__name__,
            "config": activation.get_config(), "registered_name": None}


def serialize_layer(layer):
    """A layer's entry in a model config, with ``build_config`` once it is built.

    A model used as a layer is written as Keras writes it there: its whole
    entry, with a ``compile_config`` that is empty unless it was compiled.
    """
    if isinstance(layer, tuple(registry.MODEL_CLASSES.values())):
        return {"compile_config": {}, **serialize_model(layer)}
    entry = serialize(layer, "layer")
    cls = type(layer)
    built_at_init = cls.__module__.startswith("minikeras.") and \
        cls.__name__ in KERAS_BUILT_AT_INIT
    if layer.built and not built_at_init:
        entry["build_config"] = {"input_shape": list(layer.build_input_shape)}
    return entry


def input_layer_entry(input_layer):
    """The ``InputLayer`` entry a Keras 3 ``Sequential`` lists first."""
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": input_layer.get_config(), "registered_name": None}


def serialize_model(model):
    """What Keras's ``serialize_keras_object(model)`` gives: a ``.keras`` file's
    ``config.json``."""
    cls = type(model)
    builtin = cls.__module__.startswith("minikeras.")
    entry = {"module": "keras" if builtin else cls.__module__, "class_name": cls.__name__,
             "config": model.get_config(),
             "registered_name": None if builtin else _registered_name(cls)}
    build_config = model.get_build_config()
    if build_config is not None:
        entry["build_config"] = build_config
    compile_config = model.get_compile_config()
    if compile_config is not None:
        entry["compile_config"] = compile_config
    return entry


def compile_config(model):
    """Keras's ``compile_config``: the arguments that ``compile`` rebuilds the model's with."""
    compiled = model._compile_metrics  # None when compile had no metrics

    def entries(metric_list):
        return [_name_or_entry(m, metrics.get, "metric") for m in metric_list] or None
    return {
        "optimizer": serialize(model.optimizer, "optimizer"),
        "loss": _name_or_entry(model.loss, losses.get, "loss"),
        "loss_weights": None,
        "metrics": entries(compiled.unweighted_metrics) if compiled else None,
        "weighted_metrics": entries(compiled.weighted_metrics) if compiled else None,
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def _same(a, b):
    return type(a) is type(b) and a.get_config() == b.get_config() \
        and getattr(a, "fn", None) is getattr(b, "fn", None)


def _name_or_entry(obj, get, kind):
    """The name ``obj`` was made from when ``get(name)`` rebuilds it exactly, else its entry.

    Keras resolves names as minikeras does (``"accuracy"`` by the shapes of the
    labels and outputs), so a name keeps the logs' keys identical in both.
    """
    try:
        if _same(get(obj.name), obj):
            return obj.name
    except (ValueError, TypeError):
        pass
    if type(obj) is metrics.MeanMetricWrapper:
        raise ValueError(f"Cannot save metric {obj.name!r}: it wraps the function {obj.fn!r}. "
                         "Write it as a Metric subclass with `get_config` and register it "
                         "with @register_minikeras_serializable.")
    return serialize(obj, kind)


# -- reading --------------------------------------------------------------------------


def deserialize(value, kind, _depth=0):
    """The object a config entry describes: a Keras 3 dict, a legacy ``{"class_name",
    "config"}`` dict or a name. Nothing outside minikeras's tables, the registered
    custom objects and ``custom_objects`` can be named.

    Raises:
        ValueError: for anything else, naming the entry.
    """
    if value is None:
        return activations.get(None) if kind == "activation" else None
    if isinstance(value, str):
        return _getter(kind)(value)
    if not isinstance(value, dict):
        raise ValueError(f"A {kind} must be a name or a config dict. Received: {value!r:.200}")
    if _depth > _MAX_DEPTH:
        raise ValueError(f"The {kind} config is nested more than {_MAX_DEPTH} levels deep.")
    class_name, registered, cfg = _parts(value, kind)
    if kind == "activation":
        return _deserialize_activation(value, class_name, registered, cfg)
    if class_name == "function":  # Keras's form for a function, e.g. a loss given by name
        return _getter(kind)(_function_name(value, registered, cfg, kind))
    cls = _find(kind, class_name, registered)
    _, base = _tables()[kind]
    if isinstance(cls, type) and not issubclass(cls, base) or not callable(cls):
        raise ValueError(f"{class_name!r} names {cls!r}, which is not a {base.__name__}.")
    if kind == "layer":  # Layer.from_config reads Keras's layer arguments itself
        obj = _construct(cls.from_config, cfg, kind, class_name)
    else:
        build = getattr(cls, "from_config", None) or (lambda arguments: cls(**arguments))
        obj = _construct(build, arguments(cls, cfg, kind, _depth), kind, class_name)
    if not isinstance(obj, base):
        raise ValueError(f"{class_name!r} names {obj!r}, which is not a {base.__name__}.")
    return obj


def _getter(kind):
    """The ``get`` that resolves a name of ``kind`` (layers have no names to resolve)."""
    if kind == "constraint":
        if "constraint" not in _tables():
            return _no_constraints
        from .. import constraints
        return constraints.get
    getters = {"activation": activations.get, "initializer": initializers.get,
               "regularizer": regularizers.get, "optimizer": optimizers.get,
               "loss": losses.get, "metric": metrics.get, "schedule": schedules.deserialize}
    if kind not in getters:
        raise ValueError(f"A {kind} must be a config dict, not a name.")
    return getters[kind]


def _no_constraints(value):
    raise ValueError(f"minikeras has no weight constraints. Received: {value!r:.100}")


def _parts(value, kind):
    class_name = value.get("class_name")
    if not isinstance(class_name, str) or not class_name:
        raise ValueError(f"A {kind} config must have a string 'class_name'. "
                         f"Received: {value!r:.200}")
    registered = value.get("registered_name")
    if registered is not None and not isinstance(registered, str):
        raise ValueError(f"The {kind} {class_name!r} has a 'registered_name' that is not a "
                         f"string: {registered!r:.100}")
    cfg = value.get("config", {})
    if cfg is None:
        cfg = {}
    return class_name, registered, cfg


def _find(kind, class_name, registered):
    """The class named by ``registered`` (custom objects) or ``class_name``, from the
    tables only."""
    tables = _tables()
    if kind not in tables:
        _no_constraints(class_name)
    table, _ = tables[kind]
    last = ValueError(f"Unknown `{kind}`: {class_name!r}")
    for name in (registered, class_name):
        if name and name != "function":
            try:
                return registry._lookup(name, table, kind)
            except ValueError as error:
                last = error
    raise last


def _construct(build, cfg, kind, class_name):
    """``build(cfg)``, with a wrong argument reported as the config's fault."""
    if not isinstance(cfg, dict):
        raise ValueError(f"The config of {kind} {class_name!r} must be a dict. Received: "
                         f"{cfg!r:.200}")
    try:
        return build(cfg)
    except (TypeError, NotImplementedError) as e:  # a Keras feature refused by a constructor
        raise ValueError(f"Cannot build {kind} {class_name!r} from its config "
                         f"{cfg!r:.300}: {e}") from None


def arguments(cls, cfg, kind, _depth=0):
    """``cfg`` as constructor arguments of ``cls``: Keras-only arguments checked and removed,
    nested entries (initializers, regularizers, schedules, ...) turned into objects."""
    if not isinstance(cfg, dict):
        raise ValueError(f"The config of {kind} {cls.__name__!r} must be a dict. "
                         f"Received: {cfg!r:.200}")
    cfg = dict(cfg)
    for key, inert in _keras_only(cls, kind).items():
        if key not in cfg:
            continue
        value = cfg.pop(key)
        if not _accepts(inert, value):
            raise ValueError(f"The {kind} {cls.__name__!r} sets `{key}`={value!r:.100}, a "
                             f"Keras feature minikeras does not have (only {key}={inert!r} "
                             "can be loaded).")
    for key, value in cfg.items():
        nested = _nested_kind(key)
        if nested and isinstance(value, dict):
            cfg[key] = deserialize(value, nested, _depth + 1)
    return cfg


def _nested_kind(key):
    if key == "activation":
        return "activation"
    if key == "learning_rate":
        return "schedule"
    for kind in ("initializer", "regularizer", "constraint"):
        if key.endswith("_" + kind):
            return kind
    return None


def _function_name(value, registered, cfg, kind):
    """The name in Keras's entry for a function: Keras's own in "config", a custom one's
    under "registered_name"."""
    name = cfg if value.get("module") == "builtins" else registered
    if not isinstance(name, str) or kind == "layer":
        raise ValueError(f"A {kind} entry for a function must name it. Received: {value!r:.200}")
    return name


def _deserialize_activation(value, class_name, registered, cfg):
    if class_name == "function":
        return activations.get(_function_name(value, registered, cfg, "activation"))
    if value.get("module") == "keras.layers" and class_name in _ACTIVATION_LAYERS:
        cls = _ACTIVATION_LAYERS[class_name]
        if not isinstance(cfg, dict):
            raise ValueError(f"The config of activation layer {class_name!r} must be a dict.")
        cfg = {k: v for k, v in cfg.items() if k not in ("name", "trainable", "dtype")}
        return _construct(lambda arguments: cls(**arguments), cfg, "activation", class_name)
    cls = _find("activation", class_name, registered)
    if isinstance(cls, activations.ActivationFunction):  # a ready-made instance
        return cls
    if not callable(cls):
        raise ValueError(f"{class_name!r} names {cls!r}, which is not an activation.")
    activation = _construct(lambda arguments: cls(**arguments), cfg, "activation", class_name)
    if not isinstance(activation, activations.ActivationFunction):
        raise ValueError(f"{class_name!r} names {activation!r}, which is not an activation.")
    return activation


def layer_arguments(cls, cfg):
    """Constructor arguments of the layer class ``cls`` from a layer config (Keras 3's,
    Keras 2's or minikeras's): the dtype policy checked, Keras-only arguments checked."""
    if not isinstance(cfg, dict):
        raise ValueError(f"The config of layer class {cls.__name__!r} must be a dict. "
                         f"Received: {cfg!r:.200}")
    cfg = dict(cfg)
    dtype = policy_dtype(cfg.pop("dtype", None), f"Layer {cfg.get('name', cls.__name__)!r}")
    if dtype in ("float32", "float64"):  # others (mixed precision) compute in the default
        cfg["dtype"] = dtype
    if "batch_input_shape" in cfg:  # Keras 2's first layer carries the model's input
        shape = input_shape_from(cfg.pop("batch_input_shape"), "batch_input_shape")
        cfg["input_shape"] = shape[1:]
    return arguments(cls, cfg, "layer")


def policy_dtype(value, where):
    """The float type a Keras dtype policy (dict or name) computes in, or None."""
    if value is None:
        return None
    name = value
    if isinstance(value, dict):
        inner = value.get("config")
        if value.get("class_name") not in ("DTypePolicy", "FloatDTypePolicy") \
                or not isinstance(inner, dict):
            raise ValueError(f"{where} has the dtype policy {value!r:.200}, which minikeras "
                             "cannot compute with (it computes in float32 or float64).")
        name = inner.get("name")
    if name not in _FLOAT_POLICIES:
        raise ValueError(f"{where} has the dtype {name!r:.100}; minikeras computes in float32 "
                         "or float64 only.")
    return name


def input_shape_from(value, argument):
    """A batch shape ``[None, d1, ...]`` from a config, as a tuple, checked.

    A fixed batch size (Keras's ``Input(batch_size=32)``, or the data's own that Keras
    records after ``Normalization.adapt``) reads as None: minikeras models take
    batches of any size.
    """
    def positive(d):
        return isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0

    if not isinstance(value, (list, tuple)) or len(value) < 2 \
            or not (value[0] is None or positive(value[0])) or not all(map(positive, value[1:])):
        raise ValueError(f"`{argument}` must be a batch shape [None, d1, ...] of positive "
                         f"integers. Received: {argument}={value!r:.200}")
    return (None,) + tuple(int(d) for d in value[1:])


def deserialize_layer(entry):
    """The layer a model config lists, built when its entry carries a ``build_config``;
    a model used as a layer (Keras's nested ``Sequential``) is read as a model."""
    if isinstance(entry, dict) and (entry.get("registered_name") or entry.get("class_name")) \
            in registry.MODEL_CLASSES:
        return _nested_model(entry)
    layer = deserialize(entry, "layer")
    build_config = entry.get("build_config") if isinstance(entry, dict) else None
    if isinstance(build_config, dict) and build_config.get("input_shape") is not None \
            and not layer.built:
        layer.build(input_shape_from(build_config["input_shape"], "build_config.input_shape"))
    return layer


def is_input_layer(entry):
    return isinstance(entry, dict) and entry.get("class_name") == "InputLayer"


_nesting = threading.local()  # .depth: models being read inside one another


def _nested_model(entry):
    depth = getattr(_nesting, "depth", 0)
    if depth >= _MAX_DEPTH:
        raise ValueError(f"The model config nests models more than {_MAX_DEPTH} levels deep.")
    _nesting.depth = depth + 1
    try:
        return deserialize_model(entry)  # compiled when it was, as Keras reads it
    finally:
        _nesting.depth = depth


def deserialize_model(entry, compile=True):
    """The model a :func:`serialize_model` entry (or Keras's ``config.json``) describes.

    Raises:
        ValueError: for a config minikeras cannot build, naming what is wrong.
    """
    if not isinstance(entry, dict):
        raise ValueError(f"A model config must be a dict. Received: {entry!r:.200}")
    class_name, registered, cfg = _parts(entry, "model")
    if class_name in ("Functional", "Model"):
        raise ValueError(f"The file holds a Keras {class_name} model; minikeras builds "
                         "Sequential models only.")
    cls = None
    for name in (registered, class_name):
        if name:
            try:
                cls = registry.find_model_class(name)
                break
            except ValueError as error:
                last = error
    if cls is None:
        raise last
    model = cls.from_config(cfg)
    build_config = entry.get("build_config")
    if isinstance(build_config, dict) and not model.built:
        model.build_from_config(build_config)
    compile_cfg = entry.get("compile_config")
    if compile and compile_cfg:
        model.compile_from_config(compile_cfg)
    return model


def compile_arguments(cfg):
    """``compile``'s arguments from a Keras ``compile_config`` (or a legacy ``training_config``)."""
    if not isinstance(cfg, dict):
        raise ValueError(f"A compile config must be a dict. Received: {cfg!r:.200}")
    if cfg.get("loss_weights") is not None:
        raise ValueError("The compile config sets `loss_weights`, which only models with "
                         "several outputs use; minikeras models have one.")
    optimizer = cfg.get("optimizer") or cfg.get("optimizer_config") or "rmsprop"  # Keras's default
    loss = cfg.get("loss")
    if not (loss is None or isinstance(loss, (str, dict))) or \
            (isinstance(loss, dict) and "class_name" not in loss):
        raise ValueError("The compile config has one loss per output; minikeras models have "
                         f"one output. Received: loss={loss!r:.200}")
    return {"optimizer": deserialize(optimizer, "optimizer"),
            "loss": loss if isinstance(loss, str) else deserialize(loss, "loss"),
            "metrics": _metric_list(cfg.get("metrics"), "metrics"),
            "weighted_metrics": _metric_list(cfg.get("weighted_metrics"), "weighted_metrics")}


def _metric_list(value, argument):
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError(f"`{argument}` in the compile config must be a list. Received: "
                         f"{value!r:.200}")
    out = []
    for metric in value:
        if isinstance(metric, dict) and metric.get("class_name") == "function":
            metric = _function_name(metric, metric.get("registered_name"),
                                    metric.get("config"), "metric")
        if isinstance(metric, str):
            out.append(metric)  # compile resolves names, "accuracy" after the loss
        elif isinstance(metric, dict):
            out.append(deserialize(metric, "metric"))
        else:
            raise ValueError(f"`{argument}` in the compile config lists {metric!r:.100}; "
                             "minikeras models have one output, so each metric must be a "
                             "name or a config dict.")
    return out

