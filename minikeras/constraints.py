"""Weight constraints: projections applied to a weight after each optimizer step.

A constraint ``c`` maps a weight array ``w`` to the nearest array that obeys
it, ``w <- c(w)``. It is not a penalty: it adds nothing to the loss and has no
gradient. As in Keras 3, the optimizer applies ``variable.constraint`` right
after its update (``Optimizer.apply``), so the weights obey the constraint
after every step, whatever the learning rate.

Norms are taken along ``axis``: for a Dense kernel of shape ``(in, units)``,
``axis=0`` (the default) gives one norm per unit, over the weights coming into
it. Like Keras, the rescaling divides by ``epsilon + norm`` with
``epsilon = 1e-7``, so a zero column stays zero (and a column a little under
the bound is shrunk by a factor ``norm / (1e-7 + norm)``).

Select one by its Keras name with :func:`get`: ``"max_norm"``, ``"min_max_norm"``,
``"non_neg"``, ``"unit_norm"`` (or the class names). Any function ``w -> w'``
serves as a constraint too.

Example::

    Dense(64, kernel_constraint=MaxNorm(3))   # each unit's incoming weights: norm <= 3
"""
import numbers

import numpy as np

from .utils.registry import Configurable, resolve
from .utils.validation import check_number

EPSILON = 1e-7  # Keras's backend.epsilon(), which keeps the division by a norm finite


class Constraint(Configurable):
    """Base class: subclasses write ``__call__(w)`` returning the projected array.

    The base class itself leaves ``w`` unchanged (Keras's identity constraint).
    ``get_config()`` returns the constructor arguments, and
    ``type(c).from_config(c.get_config())`` builds an equal constraint.
    """

    def __call__(self, w):
        return w


def _check_axis(axis):
    """An axis (int) or several (list of ints), as Keras's norms take them."""
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if not axes or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool)
                           for a in axes):
        raise ValueError(f"`axis` must be an integer or a list of integers. Received: axis={axis!r}")
    return [int(a) for a in axis] if isinstance(axis, (list, tuple)) else int(axis)


def _norms(w, axis):
    """``sqrt(sum(w**2))`` along ``axis``, kept as length-1 axes so it broadcasts over ``w``."""
    return np.sqrt(np.sum(np.square(w), axis=tuple(np.atleast_1d(axis)), keepdims=True))


class MaxNorm(Constraint):
    """Caps the norm of each weight vector: ``w <- w * min(n, max_value) / (1e-7 + n)``.

    ``n`` is the L2 norm along ``axis``. Used with dropout (Srivastava et al.,
    2014), where it keeps large learning rates from blowing up the weights.

    Args:
        max_value: the largest norm allowed, non-negative (default 2).
        axis: the axis (or list of axes) the norm is taken along (default 0:
            one norm per unit of a Dense kernel).

    Example:
        >>> MaxNorm(1.0)(np.array([[3.0, 0.3], [4.0, 0.4]]))   # column norms 5 and 0.5
        array([[0.59999999, 0.29999994],
               [0.79999998, 0.39999992]])
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = check_number(max_value, "max_value", 0)
        self.axis = _check_axis(axis)

    def __call__(self, w):
        norms = _norms(w, self.axis)
        return w * (np.minimum(norms, self.max_value) / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the norm of each weight vector between two bounds, at a chosen pace.

    With ``n`` the L2 norm along ``axis``, the target norm is
    ``d = rate * clip(n, min_value, max_value) + (1 - rate) * n`` and
    ``w <- w * d / (1e-7 + n)``: ``rate=1`` enforces the bounds at once,
    a smaller rate moves the norm part of the way at each step.

    Args:
        min_value: the smallest norm, non-negative (default 0.0).
        max_value: the largest norm, at least ``min_value`` (default 1.0).
        rate: in [0, 1] (default 1.0).
        axis: the axis (or list of axes) the norm is taken along (default 0).

    Example:
        >>> MinMaxNorm(1.0, 2.0)(np.array([[0.3], [0.4]]))      # norm 0.5 -> 1
        array([[0.59999988],
               [0.79999984]])
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = check_number(min_value, "min_value", 0)
        self.max_value = check_number(max_value, "max_value", self.min_value)
        self.rate = check_number(rate, "rate", 0, 1)
        self.axis = _check_axis(axis)

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) \
            + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Clips negative weights to zero: ``w <- max(w, 0)``.

    Example:
        >>> NonNeg()(np.array([-1.0, 2.0]))
        array([0., 2.])
    """

    def __call__(self, w):
        return np.maximum(w, 0)


class UnitNorm(Constraint):
    """Scales each weight vector to norm 1: ``w <- w / (1e-7 + n)``, ``n`` its L2 norm.

    Args:
        axis: the axis (or list of axes) the norm is taken along (default 0).

    Example:
        >>> UnitNorm()(np.array([[3.0], [4.0]]))
        array([[0.59999999],
               [0.79999998]])
    """

    def __init__(self, axis=0):
        self.axis = _check_axis(axis)

    def __call__(self, w):
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


# Keras's lower-case names: in Keras 3 these are the classes themselves.
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

ALL_CONSTRAINTS = {"constraint": Constraint, "max_norm": MaxNorm, "min_max_norm": MinMaxNorm,
                   "non_neg": NonNeg, "unit_norm": UnitNorm}


def get(identifier, argument="constraint"):
    """Resolve a constraint from a Keras name, a config dict, a class, an instance or a function.

    ``None`` gives ``None``; ``get("max_norm")`` and ``get("MaxNorm")`` give
    ``MaxNorm()``; ``get({"class_name": "MaxNorm", "config": {"max_value": 3}})``
    builds one with arguments; a function ``w -> w'`` is returned as it is.
    ``argument`` names it in errors, e.g. ``"kernel_constraint"``. The same
    look-up as every ``get`` (:func:`minikeras.utils.registry.resolve`).

    Raises:
        ValueError: for an unknown name, listing the valid ones.
        TypeError: for anything else.
    """
    return resolve(identifier, ALL_CONSTRAINTS, Constraint, argument, function=lambda fn: fn)


def serialize(constraint):
    """``constraint`` as Keras 3 writes it: ``{"module", "class_name", "config", "registered_name"}``."""
    from .utils import serialization
    return serialization.serialize(constraint, "constraint")


def deserialize(config, custom_objects=None):
    """The constraint a Keras config (or a name) describes (Keras's ``constraints.deserialize``)."""
    from .utils import registry, serialization
    registry.SCOPED_OBJECTS.append(custom_objects or {})
    try:
        return serialization.deserialize(config, "constraint")
    finally:
        registry.SCOPED_OBJECTS.pop()
