"""Activation layers: an activation function as a layer of its own, ``y = f(x)``.

``Activation("relu")`` takes any activation by name; ``ReLU``, ``LeakyReLU``,
``ELU`` and ``Softmax`` are Keras's layers that take that function's arguments.
All of them compute with an :class:`~minikeras.activations.ActivationFunction`
(kept as ``layer.activation``), so each is also accepted wherever an activation
is: ``Dense(8, activation=LeakyReLU(negative_slope=0.1))``.
"""
import warnings

import numpy as np

from .. import activations, config
from ..utils.serialization import serialize
from ..utils.validation import check_number
from .layer import Layer


class ActivationLayer(Layer):
    """Base of the activation layers: ``y = f(x)``, backward ``dL/dx = f.backward(grad, x, y)``.

    A subclass sets ``self.activation`` in ``__init__`` and writes ``get_config``;
    the computing, and the fused backward from the logits when ``f`` is the
    model's last sigmoid or softmax, are shared here.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def forward(self, x, training=False):
        x = np.asarray(x)
        if x.dtype.kind != "f":  # activations are maps of real numbers
            x = x.astype(config.floatx())
        y = self.activation.forward_into(x, self.buffer("y", x.shape, x.dtype))
        self.save_for_backward(x=x, y=y)
        return y

    def backward(self, grad):
        x = self.saved["x"]
        dx = self.buffer("dx", x.shape, np.result_type(grad, x))
        return self.activation.backward_into(grad, x, self.saved["y"], dx)

    @property
    def output_activation(self):
        return self.activation.name

    @property
    def logits(self):
        return self.saved["x"]

    def backward_from_logits(self, dz):
        """The logits are this layer's input, so their gradient is the input gradient."""
        return dz


class Activation(ActivationLayer):
    """Apply an activation function: ``y = f(x)``; backward ``dL/dx = f.backward(grad, x, y)``.

    Example: ``Activation("relu")(np.array([[-1., 2.]]))`` gives ``[[0., 2.]]``.

    Args:
        activation: Keras name or ``ActivationFunction``.
    """

    def get_config(self):
        return super().get_config() | {"activation": serialize(self.activation, "activation")}


class ReLU(ActivationLayer):
    """Rectified linear unit as a layer, optionally capped, leaky and shifted.

    With ``t = threshold`` and ``s = negative_slope``::

        y = min(x, max_value)   where x > t (no cap when max_value is None)
        y = s * (x - t)         where x <= t

    ``dL/dx = grad`` where ``t < x < max_value``, ``grad * s`` where ``x <= t``,
    else 0. The defaults give ``y = max(x, 0)``.

    Example::

        >>> ReLU(max_value=6.0)(np.array([[-1.0, 2.0, 8.0]]))
        array([[0., 2., 6.]])

    Args:
        max_value: largest output, a number >= 0, or None (default) for no cap.
        negative_slope: slope below the threshold, >= 0 (default 0).
        threshold: where the identity starts, >= 0 (default 0). (The function
            ``activations.relu`` also takes a negative threshold; the layer,
            as Keras's, does not.)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(activations.ReLU(
            negative_slope=check_number(negative_slope, "negative_slope", 0),
            max_value=check_number(max_value, "max_value", 0, allow=[None]),
            threshold=check_number(threshold, "threshold", 0)), **kwargs)

    def get_config(self):
        return super().get_config() | self.activation.get_config()


class LeakyReLU(ActivationLayer):
    """Leaky rectified linear unit as a layer: ``y = x`` if ``x > 0`` else ``negative_slope * x``.

    ``dL/dx = grad * (1 if x > 0 else negative_slope)``.

    Example::

        >>> LeakyReLU()(np.array([[-1.0, 2.0]]))
        array([[-0.3,  2. ]])

    Args:
        negative_slope: slope for ``x <= 0``, a number >= 0. Defaults to ``0.3``, the
            layer's default in Keras (the function ``activations.leaky_relu`` has 0.2,
            PyTorch 0.01). Keras 2's name for it, ``alpha=``, is still accepted, with
            Keras 3's deprecation warning.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          UserWarning, stacklevel=2)
        super().__init__(activations.LeakyReLU(
            negative_slope=check_number(negative_slope, "negative_slope", 0)), **kwargs)

    def get_config(self):
        return super().get_config() | self.activation.get_config()


class ELU(ActivationLayer):
    """Exponential linear unit as a layer: ``y = x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    ``dL/dx = grad * (1 if x > 0 else y + alpha)`` (since ``alpha * exp(x) = y + alpha``).

    Example::

        >>> ELU()(np.array([[-np.log(2.0), 2.0]]))
        array([[-0.5,  2. ]])

    Args:
        alpha: the negative saturation value is ``-alpha``. Defaults to ``1.0``.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(activations.ELU(alpha=alpha), **kwargs)

    def get_config(self):
        return super().get_config() | self.activation.get_config()


class Softmax(ActivationLayer):
    """Softmax as a layer: ``y_i = exp(x_i - m) / sum_j exp(x_j - m)`` along ``axis``.

    ``m`` is the maximum along ``axis`` (it cancels, and keeps ``exp`` from
    overflowing). Backward: ``dL/dx = y * (grad - sum(grad * y, axis))``. As the
    last layer of a model trained with categorical cross-entropy it is fused with
    the loss, exactly as ``Dense(..., activation="softmax")`` is.

    Example: turning a model's logits into probabilities, as Keras's tutorials do::

        probability_model = Sequential([model, Softmax()])

    Args:
        axis: the axis whose entries sum to 1 (default -1), or a list of axes
            normalized together.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(activations.Softmax(axis=axis), **kwargs)

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = self.activation.axis if isinstance(self.activation.axis, list) else \
            [self.activation.axis]
        if not all(-ndim <= a < ndim for a in axes):
            raise ValueError(f"`axis` must name axes of inputs of shape {tuple(input_shape)}. "
                             f"Received: axis={self.activation.axis}")
        super().build(input_shape)

    def get_config(self):
        return super().get_config() | self.activation.get_config()
