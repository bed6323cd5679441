"""A weight: its array, the gradient backward wrote for it, and how to regularise it."""
import reprlib

import numpy as np


class Variable:
    """A named weight array that layers own and optimizers update in place.

    Layers create variables with ``Layer.add_weight``; ``backward`` writes
    ``grad`` (the gradient of the loss with respect to ``value``, same shape);
    optimizers read ``grad`` and change ``value`` in place, never rebinding it,
    so every reference to the array stays valid. Optimizer state is keyed by
    the variable object itself.

    Args:
        value: the initial array.
        name: e.g. ``"kernel"``.
        trainable: whether optimizers update it (moving statistics are not).
        regularizer: optional penalty whose value joins the loss and whose
            gradient joins ``grad``.
    """

    def __init__(self, value, name, trainable=True, regularizer=None):
        self.value = np.asarray(value)
        self.name = name
        self.trainable = trainable
        self.regularizer = regularizer
        self.grad = np.zeros_like(self.value) if trainable else None

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return self.value.dtype

    @property
    def size(self):
        return self.value.size

    def assign(self, new_value):
        """Copy `new_value` into the existing array (numbers, and the shape must match)."""
        try:
            array = np.asarray(new_value)
        except ValueError:  # a ragged list
            array = None
        if array is None or array.dtype.kind not in "biuf":
            raise ValueError(f"Weight `{self.name}` must be assigned an array of numbers of "
                             f"shape {self.value.shape}. Received: {reprlib.repr(new_value)}")
        new_value = array
        if new_value.shape != self.value.shape:
            raise ValueError(
                f"Weight `{self.name}` has shape {self.value.shape}; "
                f"received a value of shape {new_value.shape}."
            )
        self.value[...] = new_value

    def cast(self, dtype):
        """Re-store value and gradient as `dtype` (used by the float64 gradient check)."""
        self.value = self.value.astype(dtype)
        if self.grad is not None:
            self.grad = self.grad.astype(dtype)

    def __repr__(self):
        return f"<Variable {self.name} shape={self.shape} dtype={self.dtype}>"
