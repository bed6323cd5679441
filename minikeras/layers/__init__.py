"""Layers: the blocks a ``Sequential`` model stacks."""
from .activation import Activation
from .dense import Dense
from .flatten import Flatten
from .input_layer import Input, InputSpec
from .layer import Layer

__all__ = ["Activation", "Dense", "Flatten", "Input", "InputSpec", "Layer"]
