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
        self._z = x
        self._y = self.activation.forward_into(x, self.scratch("y", x.shape, x.dtype))
        return self._y

    @property
    def logits(self):
        """The input of the activation in the last forward pass."""
        return self._z

    def backward(self, grad):
        x = self._z
        dx = self.scratch("dx", x.shape, np.result_type(grad, x))
        return self.activation.backward_into(grad, x, self._y, dx)

    def backward_from_logits(self, dz):
        """The gradient with respect to the input is the one given (see ``Dense``)."""
        return dz

    def get_config(self):
        return super().get_config() | {"activation": serialize(self.activation, "activation")}
