"""LayerNormalization: normalize each sample over its features."""
import numpy as np

from .. import constraints, initializers, regularizers
from ..utils.serialization import serialize
from ..utils.validation import FLOAT32_MAX, check_bool, check_int, check_number
from .layer import Layer
from .standardization import normalization_backward, scale_and_shift, scale_and_shift_backward


class LayerNormalization(Layer):
    """Normalize each sample over the ``axis`` features, then scale and shift each feature.

    For one sample, with ``mu`` and the biased ``var`` over the ``D`` entries of
    the normalized axes (the same in training and inference; no moving statistics)::

        x_hat = (x - mu) / sqrt(var + epsilon)
        y     = gamma * x_hat + beta

    Backward, from ``grad = dL/dy`` and ``g = grad * gamma``, means over the D
    features of each sample, sums over the batch::

        dgamma = sum_batch(grad * x_hat)     dbeta = sum_batch(grad)
        dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + epsilon)

    Example::

        >>> LayerNormalization()(np.array([[1.0, 3.0]]))   # mu 2, var 1
        array([[-0.99950037,  0.99950037]])

    Args:
        axis: axis or list of axes to normalize over (default -1, the features).
        epsilon: added to the variance (default 1e-3; PyTorch's is 1e-5).
        center: learn the offset ``beta`` (default True).
        scale: learn the scale ``gamma`` (default True).
        beta_initializer, gamma_initializer: defaults ``"zeros"``, ``"ones"``.
        beta_regularizer, gamma_regularizer: optional penalties (default None).
        beta_constraint, gamma_constraint: optional projections applied after each
            optimizer step (default None; see :mod:`minikeras.constraints`).
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if not axis:
                raise ValueError("`axis` must be an integer or a non-empty list of integers. "
                                 f"Received: axis={axis!r}")
            self.axis = [check_int(a, f"axis[{i}]") for i, a in enumerate(axis)]
        else:
            self.axis = check_int(axis, "axis")
        self.epsilon = check_number(epsilon, "epsilon", 0, FLOAT32_MAX, closed="right")
        self.center, self.scale = check_bool(center, "center"), check_bool(scale, "scale")
        # A typo fails here, where it was written.
        initializers.get(beta_initializer, "beta_initializer")
        initializers.get(gamma_initializer, "gamma_initializer")
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.beta_regularizer = regularizers.get(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = regularizers.get(gamma_regularizer, "gamma_regularizer")
        self.beta_constraint = constraints.get(beta_constraint, "beta_constraint")
        self.gamma_constraint = constraints.get(gamma_constraint, "gamma_constraint")
        self.gamma = self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if not all(-ndim <= a < ndim and a % ndim != 0 for a in axes):
            raise ValueError(f"`axis` must name feature axes of inputs of shape "
                             f"{tuple(input_shape)} (not the batch axis 0). Received: "
                             f"axis={self.axis}")
        self._axes = tuple(sorted(a % ndim for a in axes))  # normalized over, per sample
        self._batch_axes = tuple(a for a in range(ndim) if a not in self._axes)
        shape = tuple(input_shape[a] for a in self._axes)
        self._param_shape = tuple(input_shape[a] if a in self._axes else 1 for a in range(ndim))
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer,
                                         self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", shape, self.beta_initializer,
                                        self.beta_regularizer, constraint=self.beta_constraint)
        super().build(input_shape)

    def forward(self, x, training=False):
        xc = x - x.mean(axis=self._axes, keepdims=True)
        var = np.mean(xc * xc, axis=self._axes, keepdims=True)
        inv_std = 1 / np.sqrt(var + self.epsilon)
        x_hat = xc * inv_std
        self.save_for_backward(x_hat=x_hat, inv_std=inv_std)
        return scale_and_shift(self, x_hat)

    def backward(self, grad):
        x_hat, inv_std = self.saved["x_hat"], self.saved["inv_std"]
        g = scale_and_shift_backward(self, grad, x_hat, sum_axes=self._batch_axes)
        if not self.input_gradient:
            return None
        return normalization_backward(g, x_hat, inv_std, self._axes)

    def get_config(self):
        return super().get_config() | {
            # Keras lists the axes even when there is one.
            "axis": self.axis if isinstance(self.axis, list) else [self.axis],
            "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
            "beta_initializer": serialize(self.beta_initializer, "initializer"),
            "gamma_initializer": serialize(self.gamma_initializer, "initializer"),
            "beta_regularizer": serialize(self.beta_regularizer, "regularizer"),
            "gamma_regularizer": serialize(self.gamma_regularizer, "regularizer"),
            "beta_constraint": serialize(self.beta_constraint, "constraint"),
            "gamma_constraint": serialize(self.gamma_constraint, "constraint"),
        }
