"""Layers: the blocks a ``Sequential`` model stacks."""
from .activation import Activation
from .batch_normalization import BatchNormalization
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .gaussian_noise import GaussianNoise
from .input_layer import Input, InputTensor
from .layer import Layer
from .layer_normalization import LayerNormalization
from ..utils import registry, serialization


def serialize(layer):
    """``layer`` as Keras 3 writes it: ``{"module", "class_name", "config", "registered_name"}``,
    with ``build_config`` once built (Keras's ``keras.layers.serialize``)."""
    return serialization.serialize_layer(layer)


def deserialize(config, custom_objects=None):
    """The layer that :func:`serialize` (or Keras) described (Keras's ``keras.layers.deserialize``).

    Class names resolve through minikeras's layers, the registered custom objects
    and ``custom_objects``; nothing else can be named, and nothing is imported.
    """
    registry.SCOPED_OBJECTS.append(custom_objects or {})
    try:
        return serialization.deserialize_layer(config)
    finally:
        registry.SCOPED_OBJECTS.pop()

__all__ = ["Activation", "BatchNormalization", "Dense", "Dropout", "Flatten", "GaussianNoise",
           "Input", "InputTensor", "Layer", "LayerNormalization", "deserialize", "serialize"]
