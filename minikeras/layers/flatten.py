"""Flatten: one sample becomes one row, e.g. a 28x28 image becomes 784 features."""
import math

from .layer import Layer


class Flatten(Layer):
    """Reshape ``(batch, d1, d2, ...)`` to ``(batch, d1 * d2 * ...)``; backward reshapes back.

    Example: an input of shape ``(64, 28, 28)`` gives ``(64, 784)``.
    """

    def compute_output_shape(self, input_shape):
        return (input_shape[0], math.prod(input_shape[1:]))

    def forward(self, x, training=False):
        self.save_for_backward(input_shape=x.shape)
        return x.reshape(len(x), -1)

    def backward(self, grad):
        return grad.reshape(self.saved["input_shape"])
