"""Dense: the fully connected layer, ``y = activation(x W + b)``."""
import numpy as np

from .. import activations, constraints, initializers, regularizers
from ..utils.serialization import serialize
from ..utils.validation import check_bool, check_int
from .layer import Layer


class Dense(Layer):
    """Fully connected layer: ``z = x W + b``, ``y = activation(z)``.

    Shapes: ``x`` is ``(batch, in)``, the kernel ``W`` is ``(in, units)``, the bias
    ``b`` is ``(units,)`` and ``y`` is ``(batch, units)``. Backward, from
    ``grad = dL/dy``::

        dz = activation.backward(grad, z, y)     # (batch, units)
        dW = x.T @ dz                            # (in, units)
        db = dz.sum(axis=0)                      # (units,)
        dx = dz @ W.T                            # (batch, in)

    Example::

        >>> import numpy as np
        >>> layer = Dense(2, kernel_initializer="ones")      # W = [[1, 1], [1, 1], [1, 1]]
        >>> layer(np.array([[1.0, 2.0, 3.0]], dtype="float32"))
        array([[6., 6.]], dtype=float32)

    The weights are float32 (``config.floatx()``, or ``dtype``); a model casts its inputs to
    that type, while a layer called directly computes in numpy's promotion of
    its input and its weights (float64 in, float64 out).

    Args:
        units: output width, a positive integer.
        activation: Keras name or ``ActivationFunction``; ``None`` means linear.
        use_bias: whether to add ``b`` (default True).
        kernel_initializer: default ``"glorot_uniform"``.
        bias_initializer: default ``"zeros"``; None means ``"glorot_uniform"``, as
            in Keras (whose ``add_weight`` starts a weight without an initializer so).
        kernel_regularizer, bias_regularizer: penalties added to the loss, or None.
        activity_regularizer: a penalty on the output ``y`` (see :class:`Layer`).
        kernel_constraint, bias_constraint: projections applied after each
            optimizer step (see :mod:`minikeras.constraints`), or None.
        input_shape: one sample's shape, to build the layer as soon as it is added.
        name, trainable, dtype: see :class:`Layer`.
        **kwargs: Keras's ``lora_rank``, ``lora_alpha`` and ``quantization_config``
            are accepted at their "off" values (None) and refused otherwise.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 input_shape=None, name=None, **kwargs):
        super().__init__(name=name, input_shape=input_shape,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.units = check_int(units, "units", 1)
        self.activation = activations.get(activation)
        self.use_bias = check_bool(use_bias, "use_bias")
        # A typo fails here, where it was written.
        initializers.get(kernel_initializer, "kernel_initializer")
        initializers.get(bias_initializer, "bias_initializer")
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = regularizers.get(bias_regularizer, "bias_regularizer")
        self.kernel_constraint = constraints.get(kernel_constraint, "kernel_constraint")
        self.bias_constraint = constraints.get(bias_constraint, "bias_constraint")
        self.kernel = self.bias = None

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"Dense layer `{self.name}` expects inputs of shape (batch, features); "
                             f"received input_shape={tuple(input_shape)}. Add a Flatten() layer "
                             "before it for images.")
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units),
                                      self.kernel_initializer, self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer,
                                        self.bias_regularizer, constraint=self.bias_constraint)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x, training=False):
        kernel = self.kernel.value
        shape, dtype = (len(x), self.units), np.result_type(x, kernel)
        z = np.matmul(x, kernel, out=self.buffer("z", shape, dtype))
        if self.use_bias:
            z += self.bias.value
        y = self.activation.forward_into(z, self.buffer("y", shape, dtype))
        self.save_for_backward(x=x, z=z, y=y)
        return y

    def backward(self, grad):
        z = self.saved["z"]
        dz = self.buffer("dz", z.shape, np.result_type(grad, z))
        return self.backward_from_logits(self.activation.backward_into(grad, z, self.saved["y"], dz))

    @property
    def output_activation(self):
        return self.activation.name

    @property
    def logits(self):
        return self.saved["z"]

    def backward_from_logits(self, dz):
        np.matmul(self.saved["x"].T, dz, out=self.kernel.grad)
        if self.use_bias:
            dz.sum(axis=0, out=self.bias.grad)
        if not self.input_gradient:
            return None
        kernel = self.kernel.value
        dx = self.buffer("dx", (len(dz), kernel.shape[0]), np.result_type(dz, kernel))
        return np.matmul(dz, kernel.T, out=dx)

    def get_config(self):
        return super().get_config() | {
            "units": self.units,
            "activation": serialize(self.activation, "activation"),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer, "initializer"),
            "bias_initializer": serialize(self.bias_initializer, "initializer"),
            "kernel_regularizer": serialize(self.kernel_regularizer, "regularizer"),
            "bias_regularizer": serialize(self.bias_regularizer, "regularizer"),
            "kernel_constraint": serialize(self.kernel_constraint, "constraint"),
            "bias_constraint": serialize(self.bias_constraint, "constraint"),
        }
