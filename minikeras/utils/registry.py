"""Name handling shared by every subpackage: Keras-style string look-up and layer names.

Each of ``activations``, ``losses``, ``optimizers``, ``initializers``,
``regularizers``, ``metrics`` and ``schedules`` keeps a table of its Keras names,
and its ``get`` resolves user input through :func:`resolve`: one behaviour
(Keras 3's) in every module, and every "unknown name" error reads the same and
lists the valid choices.
"""
import re
from collections import defaultdict

_name_counts = defaultdict(int)

# Custom objects that `_lookup` consults after the built-in tables: the global
# table `minikeras.saving.register_minikeras_serializable` fills ("Package>Name"
# -> object), and the dicts of any active `minikeras.saving.custom_object_scope`.
CUSTOM_OBJECTS = {}
SCOPED_OBJECTS = []

# Model classes by name, so that loading a file finds the class it names
# without the saving code importing the models module (which imports saving).
MODEL_CLASSES = {}


def register_model_class(cls):
    """Class decorator: make a model class findable by :func:`find_model_class`."""
    MODEL_CLASSES[cls.__name__] = cls
    return cls


def find_model_class(name):
    """The model class saved as ``name``: a built-in one or a registered custom one."""
    return _lookup(name, MODEL_CLASSES, "model")


def snake_case(name):
    """``"BatchNormalization"`` -> ``"batch_normalization"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def keras_snake_case(name):
    """Keras's ``to_snake_case``, which names layers and their weight groups:
    ``"BatchNormalization"`` -> ``"batch_normalization"``, ``"ReLU"`` -> ``"re_lu"``,
    ``"PReLU"`` -> ``"p_re_lu"``, ``"ELU"`` -> ``"elu"``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    """Keras's automatic names: ``dense``, then ``dense_1``, ``dense_2``, ..."""
    count = _name_counts[base]
    _name_counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def reset_names():
    """Start the automatic names afresh (``minikeras.backend.clear_session``)."""
    _name_counts.clear()


def resolve(identifier, table, base_class, argument, default=None, function=None):
    """Keras 3's ``get`` look-up, the one every module's ``get`` uses.

    * ``None`` gives ``default()`` when a default is given (activations: linear),
      else ``None``;
    * an instance of ``base_class`` is returned as it is (never copied or renamed);
    * a subclass of ``base_class`` is instantiated with its defaults;
    * a ``{"class_name", "config"}`` dict builds the object it describes;
    * a string is looked up by Keras name or class name, case as Keras allows;
    * another callable (a plain function) goes to ``function`` in the modules
      that can use one (initializers return it as it is, metrics wrap it); the
      others refuse it, since minikeras needs the object's gradient or config.

    Args:
        identifier: what the user passed.
        table: dict from Keras names to classes (or factories called without arguments).
        base_class: the kind of object the module's ``get`` returns.
        argument: the user-facing argument name, used in error messages.
        default: a zero-argument factory for ``None``, or None to return None.
        function: ``function(callable) -> object`` for plain functions, or None.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
        TypeError: for anything else.
    """
    if identifier is None:
        return None if default is None else default()
    if isinstance(identifier, base_class):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, base_class):
        return identifier()
    if isinstance(identifier, dict) and "class_name" in identifier:
        factory = _lookup(identifier["class_name"], table, argument)
        return factory(**identifier.get("config", {}))
    if isinstance(identifier, str):
        return _lookup(identifier, table, argument)()
    if function is not None and callable(identifier) and not isinstance(identifier, type):
        return function(identifier)
    raise TypeError(
        f"`{argument}` must be a string name or a {base_class.__name__} instance. "
        f"Received: {argument}={identifier!r} (of type {type(identifier).__name__})"
    )


def _lookup(name, table, argument):
    for key in (name, name.lower(), snake_case(name)):
        if key in table:
            return table[key]
    for factory in table.values():  # a class name, as `serialize` writes it
        if getattr(factory, "__name__", None) == name:
            return factory
    custom = find_custom_object(name)
    if custom is not None:
        return custom
    raise ValueError(
        f"Unknown `{argument}`: {name!r}. Valid names are: {', '.join(sorted(table))}."
    )


def find_custom_object(name):
    """The scoped or registered custom object saved as `name`, or None.

    `name` may be a table key (``"MyLayer"``, ``"Custom>MyLayer"``), a class name,
    or an activation's ``name`` attribute. Scopes opened last take precedence.
    """
    for objects in (*reversed(SCOPED_OBJECTS), CUSTOM_OBJECTS):
        if name in objects:
            return objects[name]
        for obj in objects.values():
            if name in (getattr(obj, "__name__", None), getattr(obj, "name", None)):
                return obj
    return None


def serialize(obj):
    """``None`` and names stay as they are; objects become ``{"class_name", "config"}``,
    the form every module's ``get`` (and ``schedules.deserialize``) reads back.

    Public as ``activations.serialize``, ``initializers.serialize``,
    ``regularizers.serialize`` and ``schedules.serialize``; a model's file uses
    Keras 3's fuller form (:mod:`minikeras.utils.serialization`).
    """
    if obj is None or isinstance(obj, str):
        return obj
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


class Configurable:
    """What every configured object shares (initializers, regularizers, constraints):
    ``get_config()`` gives the constructor's arguments (none by default),
    ``from_config`` calls the constructor with them, and the repr shows them."""

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
