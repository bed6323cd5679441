"""Activation functions: each is a forward map and its vector-Jacobian product.

An activation ``y = f(x)`` knows two things:

* ``__call__(x)`` returns ``y``;
* ``backward(grad, x, y)`` returns ``dL/dx`` given ``grad = dL/dy``.

Both are pure functions: they return new arrays and never write into their
arguments. The five activations of hot training loops (linear, relu, sigmoid,
tanh, softmax) also write the same results into a buffer, ``forward_into(x, out)``
and ``backward_into(grad, x, y, out)``, which a layer's training step hands them
so that it reuses its arrays from step to step instead of allocating new ones
(at batch 128 a fresh ``(128, 256)`` float32 array is exactly glibc's 128 KiB
threshold for mapping memory from the kernel, which then happens on every step).
The others inherit versions that simply allocate.

``backward`` is a vector-Jacobian product, not an elementwise derivative: for
softmax the Jacobian is not diagonal, and multiplying by its diagonal alone is
the classic from-scratch bug. Elementwise activations use whichever of ``x`` and
``y`` gives the cheaper derivative (sigmoid: ``y (1 - y)``; tanh: ``1 - y**2``).

Names, arguments and defaults are Keras 3's. Every function keeps the input's
dtype (the constants are Python floats, which numpy does not let upcast an array)
and is written in a form that cannot overflow, so ``|x| = 1e4`` gives no
RuntimeWarning. The one exception is ``exponential``, whose true value overflows.

Select one by its Keras name with :func:`get`, e.g. ``get("relu")``.
"""
import math
from abc import ABC, abstractmethod

import numpy as np

from .utils.registry import resolve, serialize  # noqa: F401 - serialize is public here
from .utils.validation import check_bool, check_int, check_number


class ActivationFunction(ABC):
    """Base class: subclasses write the forward map and its vector-Jacobian product.

    ``name`` is the Keras name the function is registered under.
    """

    name = None

    @abstractmethod
    def __call__(self, x):
        """Return ``y = f(x)``, same shape as ``x``."""

    @abstractmethod
    def backward(self, grad, x, y):
        """Return ``dL/dx`` from ``grad = dL/dy``, the input ``x`` and the output ``y``."""

    def forward_into(self, x, out):
        """``self(x)``, written into the buffer ``out`` by activations that can; use the result.

        ``out`` has the result's shape and dtype and is not ``x``. This default
        allocates; the activations of hot loops override it.
        """
        return self(x)

    def backward_into(self, grad, x, y, out):
        """``self.backward(grad, x, y)``, written into the buffer ``out`` by activations that can."""
        return self.backward(grad, x, y)

    def get_config(self):
        """Constructor arguments; the default suits activations without any."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _sigmoid(x, out=None):
    # exp(-|x|) lies in (0, 1], so nothing overflows, and both branches keep full
    # relative precision in the tails (sigmoid(-40) = 4.2e-18, not 0).
    e = np.exp(-np.abs(x))
    return np.divide(np.where(x >= 0, 1, e), 1 + e, out=out)


# numpy has no erf and scipy is not a dependency. math.erf is exact to double
# precision; called per element it costs about 80 ns each, some 4 times a
# polynomial approximation, whose 1.5e-7 error would fail float64 gradient checks.
# Users who want speed choose gelu(approximate=True), as in Keras.
_erf_objects = np.frompyfunc(math.erf, 1, 1)


def _erf(x):
    return np.asarray(_erf_objects(x), dtype=x.dtype)


class Linear(ActivationFunction):
    """Identity: ``y = x``; ``dL/dx = grad``.

    Example:
        >>> Linear()(np.array([-1.0, 2.0]))
        array([-1.,  2.])
    """

    name = "linear"

    def __call__(self, x):
        return x

    def backward(self, grad, x, y):
        return grad


class ReLU(ActivationFunction):
    """Rectified linear unit, optionally leaky, capped and shifted.

    With ``t = threshold`` and ``s = negative_slope``:
    ``y = x`` if ``x > t`` (then clipped to ``[0, max_value]`` when ``max_value`` is
    set), else ``s * (x - t)``. The defaults give ``y = max(x, 0)``.
    ``dL/dx = grad * (1 where x passes unclipped, s where x <= t, else 0)``.

    Args:
        negative_slope: slope below the threshold. Defaults to ``0.0``.
        max_value: largest output, or ``None`` for no cap. Defaults to ``None``.
        threshold: where the function switches from sloped to identity.
            Defaults to ``0.0``.

    Example:
        >>> ReLU()(np.array([-1.0, 2.0, 8.0]))
        array([0., 2., 8.])
        >>> ReLU(negative_slope=0.5, max_value=6.0)(np.array([-1.0, 2.0, 8.0]))
        array([-0.5,  2. ,  6. ])
    """

    name = "relu"

    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
        self.negative_slope = check_number(negative_slope, "negative_slope", 0)
        self.max_value = check_number(max_value, "max_value", 0, allow=[None])
        self.threshold = check_number(threshold, "threshold")

    def _is_plain(self):
        return self.negative_slope == 0 and self.max_value is None and self.threshold == 0

    def __call__(self, x):
        if self._is_plain():  # the common case, in one pass
            return np.maximum(x, 0)
        y = np.where(x > self.threshold, x, 0)
        if self.max_value is not None:
            # Keras clips below at 0 too, which matters only for a negative threshold.
            np.clip(y, 0, self.max_value, out=y)
        if self.negative_slope:
            y += self.negative_slope * np.minimum(x - self.threshold, 0)
        return y

    def backward(self, grad, x, y):
        if self._is_plain():
            return grad * (x > 0)
        passes = x > self.threshold
        if self.max_value is not None:
            passes &= (x > 0) & (x < self.max_value)
        slope = passes.astype(x.dtype)
        slope[x <= self.threshold] = self.negative_slope
        return grad * slope

    def forward_into(self, x, out):
        return np.maximum(x, 0, out=out) if self._is_plain() else self(x)

    def backward_into(self, grad, x, y, out):
        return np.multiply(grad, x > 0, out=out) if self._is_plain() else self.backward(grad, x, y)

    def get_config(self):
        return {
            "negative_slope": self.negative_slope,
            "max_value": self.max_value,
            "threshold": self.threshold,
        }


class LeakyReLU(ActivationFunction):
    """Leaky ReLU: ``y = x`` if ``x > 0`` else ``negative_slope * x``.

    ``dL/dx = grad * (1 if x > 0 else negative_slope)``.

    Args:
        negative_slope: slope for ``x <= 0``. Defaults to ``0.2`` (Keras's default,
            not PyTorch's 0.01).

    Example:
        >>> LeakyReLU()(np.array([-1.0, 2.0]))
        array([-0.2,  2. ])
    """

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = check_number(negative_slope, "negative_slope", 0)

    def __call__(self, x):
        return np.where(x > 0, x, self.negative_slope * x)

    def backward(self, grad, x, y):
        slope = np.full_like(x, self.negative_slope)
        slope[x > 0] = 1
        return grad * slope

    def get_config(self):
        return {"negative_slope": self.negative_slope}


class ELU(ActivationFunction):
    """Exponential linear unit: ``y = x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    ``dL/dx = grad * (1 if x > 0 else alpha * exp(x))``, and ``alpha * exp(x) = y + alpha``
    there, so backward needs no second ``exp``.

    Args:
        alpha: the negative saturation value is ``-alpha``. Defaults to ``1.0``.

    Example:
        >>> ELU()(np.array([-np.log(2.0), 2.0]))
        array([-0.5,  2. ])
    """

    name = "elu"

    def __init__(self, alpha=1.0):
        self.alpha = check_number(alpha, "alpha")

    def __call__(self, x):
        # min(x, 0) keeps expm1 away from huge positive x, where it would overflow.
        y = self.alpha * np.expm1(np.minimum(x, 0))
        return np.where(x > 0, x, y)

    def backward(self, grad, x, y):
        slope = y + self.alpha
        slope[x > 0] = 1
        return grad * slope

    def get_config(self):
        return {"alpha": self.alpha}


class SELU(ActivationFunction):
    """Scaled ELU: ``y = scale * elu(x, alpha)`` with Klambauer et al.'s fixed constants.

    ``alpha = 1.6732632423543772``, ``scale = 1.0507009873554805``.
    ``dL/dx = grad * (scale if x > 0 else scale * alpha * exp(x) = y + scale * alpha)``.
    Meant for use with the ``lecun_normal`` initializer.

    Example:
        >>> SELU()(np.array([-np.log(2.0), 1.0])).round(6)
        array([-0.87905 ,  1.050701])
    """

    name = "selu"
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946

    def __call__(self, x):
        y = (self.scale * self.alpha) * np.expm1(np.minimum(x, 0))
        return np.where(x > 0, self.scale * x, y)

    def backward(self, grad, x, y):
        slope = y + self.scale * self.alpha
        slope[x > 0] = self.scale
        return grad * slope


class Softplus(ActivationFunction):
    """Softplus, a smooth ReLU: ``y = log(1 + exp(x))``; ``dL/dx = grad * sigmoid(x)``.

    Evaluated as ``max(x, 0) + log1p(exp(-|x|))`` (that is ``np.logaddexp(x, 0)``),
    which never overflows. PyTorch's ``softplus`` returns ``x`` itself above
    ``x = 20``; this one does not cut off.

    Example:
        >>> Softplus()(np.array([0.0, np.log(3.0)])).round(6)
        array([0.693147, 1.386294])
    """

    name = "softplus"

    def __call__(self, x):
        return np.logaddexp(x, 0)

    def backward(self, grad, x, y):
        return grad * _sigmoid(x)


class Softsign(ActivationFunction):
    """Softsign: ``y = x / (1 + |x|)``; ``dL/dx = grad / (1 + |x|)**2``.

    The derivative equals ``(1 - |y|)**2`` too, but near ``|y| = 1`` that loses
    all float32 digits, so backward uses ``x``.

    Example:
        >>> Softsign()(np.array([-1.0, 3.0]))
        array([-0.5 ,  0.75])
    """

    name = "softsign"

    def __call__(self, x):
        return x / (1 + np.abs(x))

    def backward(self, grad, x, y):
        return grad / np.square(1 + np.abs(x))


class SiLU(ActivationFunction):
    """SiLU, also called swish: ``y = x * sigmoid(x)``.

    With ``s = sigmoid(x)``: ``dy/dx = s + x s (1 - s) = s + y (1 - s)``,
    so ``dL/dx = grad * (s + y * (1 - s))``.

    Example:
        >>> SiLU()(np.array([0.0, np.log(3.0)])).round(6)
        array([0.      , 0.823959])
    """

    name = "silu"

    def __call__(self, x):
        return x * _sigmoid(x)

    def backward(self, grad, x, y):
        s = _sigmoid(x)
        return grad * (s + y * (1 - s))


class GELU(ActivationFunction):
    """Gaussian error linear unit: ``y = x * Phi(x)``, ``Phi`` the standard normal CDF.

    Exact (default): ``y = x/2 * (1 + erf(x / sqrt(2)))``,
    ``dy/dx = Phi(x) + x * exp(-x**2/2) / sqrt(2 pi)``.
    With ``approximate=True``, ``Phi`` is replaced by ``(1 + tanh(u)) / 2``,
    ``u = sqrt(2/pi) * (x + 0.044715 x**3)``. That equals ``s = sigmoid(2u)``, the
    form used here because ``1 + tanh(u)`` cancels to noise for ``x < -5``. Then
    ``dy/dx = s + x s (1 - s) 2 du/dx = s + y (1 - s) 2 du/dx``,
    ``du/dx = sqrt(2/pi) * (1 + 3 * 0.044715 x**2)``.

    The exact form calls ``math.erf`` per element (numpy has none): about four
    times slower than the tanh form, which is the one to choose for speed.

    Args:
        approximate: use the tanh approximation. Defaults to ``False``.

    Example:
        >>> GELU()(np.array([-1.0, 1.0])).round(6)
        array([-0.158655,  0.841345])
    """

    name = "gelu"
    _cubic = 0.044715
    _sqrt_2_over_pi = math.sqrt(2 / math.pi)

    def __init__(self, approximate=False):
        self.approximate = check_bool(approximate, "approximate")

    def _sigmoid_2u(self, x):
        return _sigmoid((2 * self._sqrt_2_over_pi) * (x + self._cubic * x**3))

    def __call__(self, x):
        if self.approximate:
            return x * self._sigmoid_2u(x)
        return 0.5 * x * (1 + _erf(x * math.sqrt(0.5)))

    def backward(self, grad, x, y):
        if self.approximate:
            s = self._sigmoid_2u(x)
            du = self._sqrt_2_over_pi * (1 + 3 * self._cubic * x**2)
            return grad * (s + 2 * y * (1 - s) * du)
        cdf = 0.5 * (1 + _erf(x * math.sqrt(0.5)))
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)  # underflows to 0, harmlessly
        return grad * (cdf + x * pdf)

    def get_config(self):
        return {"approximate": self.approximate}


class Sigmoid(ActivationFunction):
    """Logistic sigmoid: ``y = 1 / (1 + exp(-x))``; ``dL/dx = grad * y (1 - y)``.

    Evaluated as ``1 / (1 + e)`` for ``x >= 0`` and ``e / (1 + e)`` for ``x < 0``
    with ``e = exp(-|x|) <= 1``: no overflow, and ``x = -1e4`` gives exactly ``0``.

    Example:
        >>> Sigmoid()(np.array([0.0, np.log(3.0)]))
        array([0.5 , 0.75])
    """

    name = "sigmoid"

    def __call__(self, x):
        return _sigmoid(x)

    def backward(self, grad, x, y):
        return grad * (y * (1 - y))

    def forward_into(self, x, out):
        return _sigmoid(x, out=out)

    def backward_into(self, grad, x, y, out):
        np.subtract(1, y, out=out)
        out *= y
        out *= grad                                    # grad * y (1 - y)
        return out


class HardSigmoid(ActivationFunction):
    """Piecewise-linear sigmoid: ``y = clip(x / 6 + 1/2, 0, 1)`` (= ``relu6(x + 3) / 6``).

    ``dL/dx = grad / 6`` where ``-3 < x < 3`` (``0 < y < 1``), else ``0``.
    Keras 3 and PyTorch use slope 1/6; Keras 2 used 0.2.

    Example:
        >>> HardSigmoid()(np.array([-4.0, 0.0, 1.5, 4.0]))
        array([0.  , 0.5 , 0.75, 1.  ])
    """

    name = "hard_sigmoid"

    def __call__(self, x):
        return np.clip(x / 6 + 0.5, 0, 1)

    def backward(self, grad, x, y):
        return grad * ((y > 0) & (y < 1)) / 6


class Tanh(ActivationFunction):
    """Hyperbolic tangent: ``y = tanh(x)``; ``dL/dx = grad * (1 - y**2)``.

    Example:
        >>> Tanh()(np.array([0.0, np.log(3.0)]))
        array([0. , 0.8])
    """

    name = "tanh"

    def __call__(self, x):
        return np.tanh(x)

    def backward(self, grad, x, y):
        return grad * (1 - y * y)

    def forward_into(self, x, out):
        return np.tanh(x, out=out)

    def backward_into(self, grad, x, y, out):
        np.multiply(y, y, out=out)
        np.subtract(1, out, out=out)
        out *= grad                                    # grad * (1 - y^2)
        return out


class Exponential(ActivationFunction):
    """Exponential: ``y = exp(x)``; ``dL/dx = grad * y``.

    Overflows to ``inf`` above ``x ~ 88.7`` in float32 (``709.8`` in float64),
    exactly as in Keras: that is the correct rounding of the true value.

    Example:
        >>> Exponential()(np.array([0.0, np.log(3.0)]))
        array([1., 3.])
    """

    name = "exponential"

    def __call__(self, x):
        # inf is the correctly rounded answer beyond the float range, not an error.
        with np.errstate(over="ignore"):
            return np.exp(x)

    def backward(self, grad, x, y):
        return grad * y


class Softmax(ActivationFunction):
    """Softmax along ``axis``: ``y_i = exp(x_i - m) / sum_j exp(x_j - m)``, ``m = max_j x_j``.

    Subtracting the maximum (the log-sum-exp trick) leaves ``y`` unchanged and
    keeps every ``exp`` argument <= 0, so it cannot overflow.

    Backward, with the full Jacobian ``dy_i/dx_j = y_i (delta_ij - y_j)``:
    ``dL/dx = y * (grad - sum(grad * y, axis, keepdims=True))``.

    Args:
        axis: the axis whose entries sum to 1, or a list of axes normalized
            together. Defaults to ``-1``.

    Example:
        >>> Softmax()(np.array([[0.0, np.log(3.0)]]))
        array([[0.25, 0.75]])
    """

    name = "softmax"

    def __init__(self, axis=-1):
        if isinstance(axis, (list, tuple)) and axis:
            self.axis = [check_int(a, f"axis[{i}]") for i, a in enumerate(axis)]
        elif isinstance(axis, (list, tuple)):
            raise ValueError("`axis` must be an integer or a non-empty list of integers. "
                             f"Received: axis={axis!r}")
        else:
            self.axis = check_int(axis, "axis")
        # numpy reduces over several axes when given a tuple
        self._axes = tuple(self.axis) if isinstance(self.axis, list) else self.axis

    def __call__(self, x):
        e = np.exp(x - x.max(axis=self._axes, keepdims=True))
        return e / e.sum(axis=self._axes, keepdims=True)

    def backward(self, grad, x, y):
        return y * (grad - (grad * y).sum(axis=self._axes, keepdims=True))

    def forward_into(self, x, out):
        e = np.subtract(x, x.max(axis=self._axes, keepdims=True), out=out)
        np.exp(e, out=e)
        e /= e.sum(axis=self._axes, keepdims=True)
        return e

    def backward_into(self, grad, x, y, out):
        np.multiply(grad, y, out=out)
        np.subtract(grad, out.sum(axis=self._axes, keepdims=True), out=out)
        out *= y                                       # y (grad - sum(grad y))
        return out

    def get_config(self):
        return {"axis": self.axis}


ALL_ACTIVATIONS = {
    cls.name: cls
    for cls in (
        Linear, ReLU, LeakyReLU, ELU, SELU, Softplus, Softsign, SiLU, GELU,
        Sigmoid, HardSigmoid, Tanh, Exponential, Softmax,
    )
}
ALL_ACTIVATIONS["swish"] = SiLU  # Keras's alias: the same function under its other name

# Keras exposes each activation as a function, `keras.activations.relu`; these
# ready-made instances let such code run unchanged (`Dense(8, activation=relu)`).
(linear, relu, leaky_relu, elu, selu, softplus, softsign, silu, gelu, sigmoid, hard_sigmoid,
 tanh, exponential, softmax) = (cls() for cls in (
    Linear, ReLU, LeakyReLU, ELU, SELU, Softplus, Softsign, SiLU, GELU, Sigmoid, HardSigmoid,
    Tanh, Exponential, Softmax))
swish = silu


def get(identifier):
    """The activation a Keras name, a config dict, a class or an instance names.

    ``None`` gives linear, as in Keras. An activation layer
    (``layers.LeakyReLU(0.1)``, ``layers.Activation("tanh")``) gives its function,
    as Keras accepts any callable there. Another callable is refused: minikeras
    needs its ``backward`` (write an :class:`ActivationFunction` subclass). The
    same look-up as every ``get`` (:func:`minikeras.utils.registry.resolve`).

    Raises:
        ValueError: for an unknown name; the message lists the valid ones.
        TypeError: for anything else.
    """
    return resolve(identifier, ALL_ACTIVATIONS, ActivationFunction, "activation", default=Linear,
                   function=_from_layer)


def _from_layer(obj):
    """The function of an activation layer given where an activation is expected."""
    from .layers.activation import ActivationLayer  # the layers import this module
    if isinstance(obj, ActivationLayer):
        return obj.activation
    raise TypeError(
        f"`activation` must be a string name or a ActivationFunction instance. Received: "
        f"activation={obj!r}. An activation layer (ReLU, LeakyReLU, ELU, Softmax, Activation) "
        "works too; a plain function or another layer does not: minikeras trains with each "
        "activation's backward pass, which they lack.")

