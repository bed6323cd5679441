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

__all__ = ["Activation", "BatchNormalization", "Dense", "Dropout", "Flatten", "GaussianNoise",
           "Input", "InputSpec", "Layer", "LayerNormalization"]
