"""Layers: the blocks a ``Sequential`` model stacks."""
from .activation import Activation
from .batch_normalization import BatchNormalization
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .gaussian_noise import GaussianNoise
from .input_layer import Input, InputSpec
from .layer import Layer
from .layer_normalization import LayerNormalization
from ..utils import registry


def serialize(layer):
    """``{"class_name", "config"}`` for ``layer`` (Keras's ``keras.layers.serialize``)."""
    return registry.serialize(layer)


def deserialize(config, custom_objects=None):
    """The layer that :func:`serialize` described (Keras's ``keras.layers.deserialize``).

    Class names resolve through minikeras's layers, the registered custom objects
    and ``custom_objects``; nothing else can be named.
    """
    if not (isinstance(config, dict) and isinstance(config.get("class_name"), str)
            and isinstance(config.get("config", {}), dict)):
        raise ValueError(f"A layer config must be a dict {{'class_name', 'config'}}. "
                         f"Received: {config!r:.200}")
    table = {name: obj for name, obj in globals().items()
             if isinstance(obj, type) and issubclass(obj, Layer)}
    scope = [custom_objects] if custom_objects else []
    registry.SCOPED_OBJECTS.extend(scope)
    try:
        cls = registry._lookup(config["class_name"], table, "layer")
    finally:
        del registry.SCOPED_OBJECTS[len(registry.SCOPED_OBJECTS) - len(scope):]
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"{config['class_name']!r} names {cls!r}, which is not a Layer class.")
    return cls.from_config(dict(config.get("config", {})))

__all__ = ["Activation", "BatchNormalization", "Dense", "Dropout", "Flatten", "GaussianNoise",
           "Input", "InputSpec", "Layer", "LayerNormalization", "deserialize", "serialize"]
