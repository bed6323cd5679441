"""Rescaling: ``y = x * scale + offset``, e.g. pixels from [0, 255] to [0, 1]."""
import numbers

import numpy as np

from .. import config
from ..utils.validation import check_number
from .layer import Layer


class Rescaling(Layer):
    """Multiply the inputs by ``scale`` and add ``offset``, in training and inference alike.

    Forward and backward, with ``scale`` and ``offset`` numbers or vectors along
    the last axis::

        y     = x * scale + offset
        dL/dx = grad * scale

    Integer inputs (``uint8`` images) come out in the float type.

    Example::

        >>> Rescaling(1 / 127.5, offset=-1)(np.array([[0, 255]], dtype="uint8"))
        array([[-1.,  1.]], dtype=float32)

    Args:
        scale: a number, or a list with one number per feature (the last axis).
        offset: the same; default 0.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _number_or_list(scale, "scale")
        self.offset = _number_or_list(offset, "offset")

    def build(self, input_shape):
        for argument in ("scale", "offset"):
            value = getattr(self, argument)
            if isinstance(value, list) and len(value) not in (1, input_shape[-1]):
                raise ValueError(f"`{argument}` must have one entry per feature "
                                 f"({input_shape[-1]}) of layer {self.name!r}. Received: "
                                 f"{argument} with {len(value)} entries")
        super().build(input_shape)

    def forward(self, x, training=False):
        x = np.asarray(x)
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(config.floatx())
        return x.astype(dtype, copy=False) * np.asarray(self.scale, dtype) \
            + np.asarray(self.offset, dtype)

    def backward(self, grad):
        return grad * np.asarray(self.scale, grad.dtype)

    def get_config(self):
        return super().get_config() | {"scale": self.scale, "offset": self.offset}


def _number_or_list(value, argument):
    """A finite number as a float, or a non-empty list of them (one per feature)."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return check_number(value, argument)
    if not value or not all(isinstance(v, numbers.Real) for v in value):
        raise ValueError(f"`{argument}` must be a finite number or a list of finite numbers, "
                         f"one per feature. Received: {argument}={value!r:.100}")
    return [check_number(v, f"{argument}[{i}]") for i, v in enumerate(value)]
