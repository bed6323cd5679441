"""Reshape: give each sample another shape with the same number of entries."""
import math
import numbers

from .layer import Layer


class Reshape(Layer):
    """Reshape each sample to ``target_shape``: ``(batch, *s)`` becomes ``(batch, *target_shape)``.

    No arithmetic: the entries keep their order (numpy's C order). Backward
    reshapes ``grad`` back to the input's shape. One entry of ``target_shape``
    may be -1, to be worked out from the others.

    Example::

        >>> import numpy as np
        >>> Reshape((2, 3))(np.arange(12.0).reshape(2, 6)).shape
        (2, 2, 3)
        >>> Reshape((-1,))(np.zeros((5, 4, 3))).shape          # the same as Flatten
        (5, 12)

    Args:
        target_shape: the shape of one sample, without the batch axis: a tuple of
            positive integers, at most one of them -1.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(target_shape)
        except TypeError:
            dims = ()
        if not dims or not all(
                isinstance(d, numbers.Integral) and not isinstance(d, bool) and (d > 0 or d == -1)
                for d in dims) or dims.count(-1) > 1:
            raise ValueError("`target_shape` must be a tuple of positive integers, at most one "
                             f"of them -1. Received: target_shape={target_shape!r}")
        self.target_shape = tuple(int(d) for d in dims)

    def compute_output_shape(self, input_shape):
        size = math.prod(input_shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape and size % known == 0:
            return (input_shape[0],) + tuple(size // known if d == -1 else d
                                             for d in self.target_shape)
        if size != known or -1 in self.target_shape:
            raise ValueError(f"Layer {self.name!r} cannot reshape samples of shape "
                             f"{tuple(input_shape[1:])} ({size} entries) to "
                             f"target_shape={self.target_shape}.")
        return (input_shape[0],) + self.target_shape

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # a size that does not fit fails here
        super().build(input_shape)

    def forward(self, x, training=False):
        y = x.reshape(self.compute_output_shape(x.shape))
        self.save_for_backward(input_shape=x.shape)
        return y

    def backward(self, grad):
        return grad.reshape(self.saved["input_shape"])

    def get_config(self):
        return super().get_config() | {"target_shape": list(self.target_shape)}
