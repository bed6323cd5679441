"""Activation: an activation function as a layer of its own, ``y = f(x)``."""
import numpy as np

from .. import activations, config
from ..utils.serialization import serialize
from .layer import Layer


class Activation(Layer):
    """Apply an activation function: ``y = f(x)``; backward ``dL/dx = f.backward(grad, x, y)``.

    Example: ``Activation("relu")(np.array([[-1., 2.]]))`` gives ``[[0., 2.]]``.

    Args:
        activation: Keras name or ``ActivationFunction``.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def forward(self, x, training=False):
        x = np.asarray(x)
        if x.dtype.kind != "f":  # activations are maps of real numbers
            x = x.astype(config.floatx())
        y = self.activation.forward_into(x, self.buffer("y", x.shape, x.dtype))
        self.save_for_backward(x=x, y=y)
        return y

    def backward(self, grad):
        x = self.saved["x"]
        dx = self.buffer("dx", x.shape, np.result_type(grad, x))
        return self.activation.backward_into(grad, x, self.saved["y"], dx)

    @property
    def output_activation(self):
        return self.activation.name

    @property
    def logits(self):
        return self.saved["x"]

    def backward_from_logits(self, dz):
        """The logits are this layer's input, so their gradient is the input gradient."""
        return dz

    def get_config(self):
        return super().get_config() | {"activation": serialize(self.activation, "activation")}
