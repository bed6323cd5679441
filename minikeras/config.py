"""Global settings: the float type every new weight and input is stored in.

float32 is the default, as in Keras: it halves memory traffic and the matrix
products run about twice as fast. float64 is there for gradient checks and for
users who need the precision.
"""
import numpy as np

_FLOAT_TYPES = ("float32", "float64")
_floatx = "float32"


def floatx():
    """Return the name of the default float type, ``"float32"`` or ``"float64"``."""
    return _floatx


def set_floatx(value):
    """Set the default float type for weights and data created from now on.

    Args:
        value: ``"float32"`` or ``"float64"``.
    """
    global _floatx
    name = np.dtype(value).name if _is_dtype_like(value) else value
    if name not in _FLOAT_TYPES:
        raise ValueError(
            f"`value` must be one of {list(_FLOAT_TYPES)}. Received: value={value!r}"
        )
    _floatx = name


def _is_dtype_like(value):
    try:
        np.dtype(value)
    except TypeError:
        return False
    return True
