"""Weight penalties: a value added to the loss and its gradient added to the weight's.

A regularizer ``R`` knows two things about a weight array ``x``:

* ``R(x)`` returns the penalty, a Python float that joins the training loss;
* ``R.gradient(x)`` returns ``dR/dx``, same shape and dtype as ``x``, which
  joins the gradient that backward wrote for that weight.

The penalties are Keras 3's: ``l1 * sum(|x|)`` and ``l2 * sum(x**2)`` (no 1/2
in front, so the L2 gradient is ``2 * l2 * x``). Select one with :func:`get`,
e.g. ``get("l2")`` for ``L2(0.01)``.
"""
import numpy as np

from .utils.registry import Configurable, resolve, serialize  # noqa: F401 - serialize is public here
from .utils.validation import check_number


class Regularizer(Configurable):
    """Base class: subclasses write the penalty ``__call__(x)`` and its ``gradient(x)``.

    ``get_config()`` returns the constructor arguments, and
    ``type(r).from_config(r.get_config())`` builds an equal regularizer.
    """

    def __call__(self, x):
        """Return the penalty for the array `x` as a Python float."""
        raise NotImplementedError(f"{type(self).__name__} must implement `__call__`.")

    def gradient(self, x):
        """Return ``d penalty / dx``, same shape and dtype as `x`."""
        raise NotImplementedError(f"{type(self).__name__} must implement `gradient`.")


class L1(Regularizer):
    """L1 penalty: ``R(x) = l1 * sum(|x|)``; ``dR/dx = l1 * sign(x)`` (0 where ``x = 0``).

    Pushes weights to exactly zero, giving sparse weights.

    Args:
        l1: non-negative factor (default ``0.01``; ``None`` also means 0.01, as in Keras).

    Example: ``L1(0.1)(np.array([1., -2.]))`` is ``0.3``; its gradient is ``[0.1, -0.1]``.
    """

    def __init__(self, l1=0.01):
        self.l1 = check_number(0.01 if l1 is None else l1, "l1", 0)

    def __call__(self, x):
        return self.l1 * float(np.abs(x).sum())

    def gradient(self, x):
        return self.l1 * np.sign(x)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """L2 penalty (weight decay): ``R(x) = l2 * sum(x**2)``; ``dR/dx = 2 * l2 * x``.

    Args:
        l2: non-negative factor (default ``0.01``; ``None`` also means 0.01, as in Keras).

    Example: ``L2(0.1)(np.array([1., -2.]))`` is ``0.5``; its gradient is ``[0.2, -0.4]``.
    """

    def __init__(self, l2=0.01):
        self.l2 = check_number(0.01 if l2 is None else l2, "l2", 0)

    def __call__(self, x):
        return self.l2 * float(np.vdot(x, x))

    def gradient(self, x):
        return (2.0 * self.l2) * x

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """Both penalties: ``R(x) = l1 * sum(|x|) + l2 * sum(x**2)``; ``dR/dx = l1 sign(x) + 2 l2 x``.

    Args:
        l1: non-negative L1 factor (default ``0.0``).
        l2: non-negative L2 factor (default ``0.0``).

    Both defaults are 0, as in Keras 3, so ``get("l1_l2")`` is a zero penalty;
    pass the factors you want, e.g. ``L1L2(l1=0.01, l2=0.01)``.

    Example: ``L1L2(0.1, 0.1)(np.array([1., -2.]))`` is ``0.3 + 0.5 = 0.8``; its
    gradient is ``[0.3, -0.5]``.
    """

    def __init__(self, l1=0.0, l2=0.0):
        # A Python float (check_number returns one) keeps float32 weights float32.
        self.l1 = check_number(0.0 if l1 is None else l1, "l1", 0)
        self.l2 = check_number(0.0 if l2 is None else l2, "l2", 0)

    def __call__(self, x):
        penalty = 0.0
        # Skipping a zero factor saves a pass over the weights.
        if self.l1:
            penalty += self.l1 * float(np.abs(x).sum())
        if self.l2:
            penalty += self.l2 * float(np.vdot(x, x))
        return penalty

    def gradient(self, x):
        grad = np.zeros_like(x)
        if self.l1:
            grad += self.l1 * np.sign(x)
        if self.l2:
            grad += (2.0 * self.l2) * x
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


# Keras's lower-case names: in Keras 3 these are the classes themselves,
# so `l2(0.01)` is `L2(0.01)`.
l1, l2, l1_l2 = L1, L2, L1L2

ALL_REGULARIZERS = {"l1": L1, "l2": L2, "l1_l2": L1L2}


def get(identifier, argument="regularizer"):
    """Resolve a regularizer from a Keras name, a config dict or an instance.

    ``None`` gives ``None``; ``get("l2")``, ``get("L2")`` and ``get(L2)`` give
    ``L2(0.01)``; ``get({"class_name": "L1L2", "config": {"l1": 0.1}})`` builds
    one with arguments. ``argument`` names it in errors, e.g. ``"kernel_regularizer"``.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
        TypeError: for anything else (a plain function has no ``gradient``).

    The same look-up as every ``get`` (:func:`minikeras.utils.registry.resolve`).
    """
    return resolve(identifier, ALL_REGULARIZERS, Regularizer, argument)
