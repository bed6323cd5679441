"""BatchNormalization: normalize each feature with batch statistics while training."""
import numpy as np

from .. import constraints, initializers, regularizers
from ..utils.serialization import serialize
from ..utils.validation import FLOAT32_MAX, check_bool, check_int, check_number
from .layer import Layer
from .standardization import normalization_backward, scale_and_shift, scale_and_shift_backward


class BatchNormalization(Layer):
    """Normalize each feature to zero mean and unit variance, then scale and shift it.

    For a feature ``j`` (the ``axis`` entry), with ``mu``/``var`` taken over all
    the other axes (the ``N`` samples of a ``(batch, features)`` input)::

        x_hat = (x - mu) / sqrt(var + epsilon)
        y     = gamma * x_hat + beta

    Training (``fit``): ``mu`` and ``var`` are the batch mean and the biased
    batch variance (divided by ``N``), and the moving statistics follow them::

        moving_mean     <- momentum * moving_mean     + (1 - momentum) * mu
        moving_variance <- momentum * moving_variance + (1 - momentum) * var

    Inference (``evaluate``, ``predict``): ``mu = moving_mean``,
    ``var = moving_variance``. A layer with ``trainable = False`` runs in
    inference mode even inside ``fit``, as in Keras.

    Backward, from ``grad = dL/dy`` and ``g = grad * gamma``, means over the N::

        dgamma = sum(grad * x_hat)          dbeta = sum(grad)
        dx = g / sqrt(var + epsilon)                                  (inference)
        dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps)  (training)

    The training form carries the paths through ``mu`` and ``var``, which
    depend on every sample of the batch.

    Weights, in Keras's order: ``gamma``, ``beta`` (trainable, absent without
    ``scale`` / ``center``), ``moving_mean``, ``moving_variance`` (non-trainable):
    4 x features parameters, 2 x features of them non-trainable.

    Example::

        >>> bn = BatchNormalization()
        >>> bn(np.array([[1.0], [3.0]]), training=True)   # mu 2, var 1
        array([[-0.99950037],
               [ 0.99950037]])
        >>> bn.moving_mean.value                           # 0.99 * 0 + 0.01 * 2
        array([0.02], dtype=float32)

    Args:
        axis: the feature axis (default -1).
        momentum: weight of the old moving statistics (default 0.99; PyTorch's
            ``momentum`` is ``1 - momentum``).
        epsilon: added to the variance (default 1e-3; PyTorch's is 1e-5).
        center: learn the offset ``beta`` (default True).
        scale: learn the scale ``gamma`` (default True).
        beta_initializer, gamma_initializer: defaults ``"zeros"``, ``"ones"``.
        moving_mean_initializer, moving_variance_initializer: defaults
            ``"zeros"``, ``"ones"``.
        beta_regularizer, gamma_regularizer: optional penalties (default None).
        beta_constraint, gamma_constraint: optional projections applied after each
            optimizer step (default None; see :mod:`minikeras.constraints`).
        name, trainable, dtype, activity_regularizer: see :class:`Layer`.
        **kwargs: Keras's batch renormalization (``renorm``, ``renorm_clipping``,
            ``renorm_momentum``) and ``synchronized`` (for several devices) are
            accepted at their "off" values (``renorm=False``, ``synchronized=False``)
            and refused otherwise.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_int(axis, "axis")
        self.momentum = check_number(momentum, "momentum", 0, 1)
        self.epsilon = check_number(epsilon, "epsilon", 0, FLOAT32_MAX, closed="right")
        self.center, self.scale = check_bool(center, "center"), check_bool(scale, "scale")
        self.initializers = {"beta": beta_initializer, "gamma": gamma_initializer,
                             "moving_mean": moving_mean_initializer,
                             "moving_variance": moving_variance_initializer}
        for weight, initializer in self.initializers.items():  # a typo fails where it is written
            initializers.get(initializer, f"{weight}_initializer")
        self.beta_regularizer = regularizers.get(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = regularizers.get(gamma_regularizer, "gamma_regularizer")
        self.beta_constraint = constraints.get(beta_constraint, "beta_constraint")
        self.gamma_constraint = constraints.get(gamma_constraint, "gamma_constraint")
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(f"`axis` must name a feature axis of inputs of shape "
                             f"{tuple(input_shape)} (not the batch axis 0). Received: "
                             f"axis={self.axis}")
        axis = self.axis % ndim
        shape = (input_shape[axis],)
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, self.initializers["gamma"],
                                         self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", shape, self.initializers["beta"],
                                        self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", shape,
                                           self.initializers["moving_mean"], trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape,
                                               self.initializers["moving_variance"],
                                               trainable=False)
        self._axes = tuple(a for a in range(ndim) if a != axis)  # reduced over
        self._param_shape = tuple(input_shape[a] if a == axis else 1 for a in range(ndim))
        super().build(input_shape)

    def forward(self, x, training=False):
        training = training and self.trainable  # a frozen layer uses its moving statistics
        if training:
            mean = x.mean(axis=self._axes, keepdims=True)
            xc = x - mean
            var = np.mean(xc * xc, axis=self._axes, keepdims=True)
            m = self.momentum
            for moving, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
                moving.value *= m
                moving.value += (1 - m) * batch.reshape(-1)
        else:
            var = self.moving_variance.value.reshape(self._param_shape)
            xc = x - self.moving_mean.value.reshape(self._param_shape)
        inv_std = 1 / np.sqrt(var + self.epsilon)
        x_hat = xc * inv_std
        self.save_for_backward(x_hat=x_hat, inv_std=inv_std, training=training)
        return scale_and_shift(self, x_hat)

    def backward(self, grad):
        x_hat, inv_std = self.saved["x_hat"], self.saved["inv_std"]
        g = scale_and_shift_backward(self, grad, x_hat, sum_axes=self._axes)
        if not self.input_gradient:
            return None
        if not self.saved["training"]:
            return g * inv_std
        return normalization_backward(g, x_hat, inv_std, self._axes)

    def get_config(self):
        return super().get_config() | {
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            **{f"{name}_initializer": serialize(initializer, "initializer")
               for name, initializer in self.initializers.items()},
            "beta_regularizer": serialize(self.beta_regularizer, "regularizer"),
            "gamma_regularizer": serialize(self.gamma_regularizer, "regularizer"),
            "beta_constraint": serialize(self.beta_constraint, "constraint"),
            "gamma_constraint": serialize(self.gamma_constraint, "constraint"),
        }
