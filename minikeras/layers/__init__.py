"""Layers: the blocks a ``Sequential`` model stacks."""
from .activation import ELU, Activation, LeakyReLU, ReLU, Softmax
from .activity_regularization import ActivityRegularization
from .alpha_dropout import AlphaDropout
from .batch_normalization import BatchNormalization
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .gaussian_dropout import GaussianDropout
from .gaussian_noise import GaussianNoise
from .input_layer import Input, InputLayer, InputTensor
from .layer import Layer
from .layer_normalization import LayerNormalization
from .normalization import Normalization
from .prelu import PReLU
from .rescaling import Rescaling
from .reshape import Reshape
from .unit_normalization import UnitNormalization
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

__all__ = ["ELU", "Activation", "ActivityRegularization", "AlphaDropout", "BatchNormalization",
           "Dense", "Dropout", "Flatten", "GaussianDropout", "GaussianNoise", "Input",
           "InputLayer", "InputTensor", "Layer", "LayerNormalization", "LeakyReLU",
           "Normalization", "PReLU", "ReLU", "Rescaling", "Reshape", "Softmax",
           "UnitNormalization", "deserialize", "serialize"]
