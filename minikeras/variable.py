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
        constraint: optional projection ``w -> c(w)`` that the optimizer applies
            after each of its steps (see :mod:`minikeras.constraints`).
    """

    def __init__(self, value, name, trainable=True, regularizer=None, constraint=None):
        self.value = np.asarray(value)
        self.name = name
        self.trainable = trainable
        self.regularizer = regularizer
        self.constraint = constraint
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
        self.value[...] = self.checked(new_value)

    def checked(self, new_value):
        """``new_value`` as an array this weight can take, or a ValueError saying why.

        Numbers of the weight's shape that fit its dtype: a float64 1e300 would
        become inf in a float32 weight.
        """
        try:
            array = np.asarray(new_value)
        except ValueError:  # a ragged list
            array = None
        if array is None or array.dtype.kind not in "biuf":
            raise ValueError(f"Weight `{self.name}` must be assigned an array of numbers of "
                             f"shape {self.value.shape}. Received: {reprlib.repr(new_value)}")
        if array.shape != self.value.shape:
            raise ValueError(
                f"Weight `{self.name}` has shape {self.value.shape}; "
                f"received a value of shape {array.shape}."
            )
        with np.errstate(over="ignore", invalid="ignore"):
            cast = array.astype(self.value.dtype, copy=False)
            overflow = np.isinf(cast) & np.isfinite(array)
        if overflow.any():
            index = tuple(int(i) for i in np.argwhere(overflow)[0])
            raise ValueError(f"Weight `{self.name}` is {self.value.dtype}, too narrow for the "
                             f"value {array[index]:g} received at index {index}.")
        return cast

    def numpy(self):
        """A copy of the value, as Keras's ``Variable.numpy()``."""
        return self.value.copy()

    def __array__(self, dtype=None, copy=None):
        # `np.asarray(variable)` gives the value: numpy functions accept a variable as Keras's do.
        if copy:
            return np.array(self.value, dtype=dtype)
        return self.value if dtype is None else self.value.astype(dtype, copy=False)

    def cast(self, dtype):
        """Re-store value and gradient as `dtype` (used by the float64 gradient check)."""
        self.value = self.value.astype(dtype)
        if self.grad is not None:
            self.grad = self.grad.astype(dtype)

    def __repr__(self):
        return f"<Variable {self.name} shape={self.shape} dtype={self.dtype}>"


def assign_all(variables, values, source=None):
    """Copy each of ``values`` into its variable, all or none: every value is checked
    (:meth:`Variable.checked`) before the first is copied.

    ``source`` (e.g. the file the values come from) starts each error message.
    """
    try:
        arrays = [variable.checked(value) for variable, value in zip(variables, values)]
    except ValueError as error:
        if source is None:
            raise
        raise ValueError(f"{source}: {error}") from None
    for variable, array in zip(variables, arrays):
        variable.value[...] = array
