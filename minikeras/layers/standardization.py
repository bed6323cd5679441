"""The standardisation math BatchNormalization and LayerNormalization share.

Both compute ``x_hat = (x - mean) / sqrt(var + epsilon)`` over some axes (the
batch for BatchNormalization, the features of one sample for LayerNormalization)
and then ``y = gamma * x_hat + beta``; only the axes differ. A layer using these
functions has ``scale`` and ``center`` flags, the weights ``gamma`` and ``beta``
they switch on, and ``_param_shape``, the weights' shape broadcast to the input's.
"""
import numpy as np


def scale_and_shift(layer, x_hat):
    """``y = gamma * x_hat + beta``, each part only if the layer has it (``scale``, ``center``)."""
    y = x_hat * layer.gamma.value.reshape(layer._param_shape) if layer.scale else x_hat.copy()
    if layer.center:
        y += layer.beta.value.reshape(layer._param_shape)
    return y


def scale_and_shift_backward(layer, grad, x_hat, sum_axes):
    """Set ``dL/dgamma = sum(grad * x_hat)`` and ``dL/dbeta = sum(grad)`` over ``sum_axes``;
    return ``dL/dx_hat = grad * gamma``."""
    if layer.scale:
        layer.gamma.grad[...] = np.sum(grad * x_hat, axis=sum_axes).reshape(
            layer.gamma.shape)
    if layer.center:
        layer.beta.grad[...] = np.sum(grad, axis=sum_axes).reshape(layer.beta.shape)
    return grad * layer.gamma.value.reshape(layer._param_shape) if layer.scale else grad


def normalization_backward(g, x_hat, inv_std, axes):
    """``dL/dx`` of ``x_hat = (x - mean(x)) * inv_std`` with mean and variance over ``axes``.

    ``g = dL/dx_hat``. Both statistics depend on ``x``, which adds two terms to
    the plain ``g * inv_std``: ``dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat))``.
    Shared by BatchNormalization (axes: the batch) and LayerNormalization
    (axes: the features of one sample).
    """
    dx = g - np.mean(g, axis=axes, keepdims=True)
    dx -= x_hat * np.mean(g * x_hat, axis=axes, keepdims=True)
    dx *= inv_std
    return dx
