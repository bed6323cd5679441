"""Name handling shared by every subpackage: Keras-style string look-up and layer names.

Each of ``activations``, ``losses``, ``optimizers``, ``initializers``,
``regularizers`` and ``metrics`` keeps a table of its Keras names and resolves
user input through :func:`resolve`, so every "unknown name" error reads the same
and lists the valid choices.
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


def unique_name(base):
    """Keras's automatic names: ``dense``, then ``dense_1``, ``dense_2``, ..."""
    count = _name_counts[base]
    _name_counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def resolve(identifier, table, base_class, argument):
    """Turn a string name, a ``{"class_name", "config"}`` dict or an instance into an object.

    Args:
        identifier: what the user passed.
        table: dict from lower-case names to classes (or zero-argument factories).
        base_class: instances of this class are returned unchanged.
        argument: the user-facing argument name, used in error messages.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
        TypeError: for anything that is neither a name nor a `base_class` instance.
    """
    if isinstance(identifier, base_class):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        factory = _lookup(identifier["class_name"], table, argument)
        return factory(**identifier.get("config", {}))
    if isinstance(identifier, str):
        return _lookup(identifier, table, argument)()
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
    """``None`` and names stay as they are; objects become ``{"class_name", "config"}``."""
    if obj is None or isinstance(obj, str):
        return obj
    return {"class_name": type(obj).__name__, "config": obj.get_config()}
