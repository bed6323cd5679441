"""PReLU: a leaky ReLU whose negative slopes are learned."""
import numpy as np

from .. import constraints, initializers, regularizers
from ..utils.serialization import serialize
from ..utils.validation import check_int
from .layer import Layer


class PReLU(Layer):
    """Parametric ReLU: ``y = x`` where ``x > 0``, else ``alpha * x``, with ``alpha`` learned.

    ``alpha`` has one entry per input entry of a sample (``input_shape[1:]``),
    shared along ``shared_axes`` (size 1 there). Backward, from ``grad = dL/dy``::

        dL/dx     = grad * (1 where x > 0, else alpha)
        dL/dalpha = sum over the batch and shared axes of grad * min(x, 0)

    Example::

        >>> import numpy as np
        >>> layer = PReLU(alpha_initializer="ones")       # alpha = 1: the identity
        >>> layer(np.array([[-2.0, 3.0]]))
        array([[-2.,  3.]])

    Args:
        alpha_initializer: default ``"zeros"`` (a plain ReLU to start with).
        alpha_regularizer: optional penalty on ``alpha`` (default None).
        alpha_constraint: optional projection of ``alpha`` after each optimizer step
            (see :mod:`minikeras.constraints`; default None).
        shared_axes: axes (1 or more; the batch axis is 0) along which one
            ``alpha`` serves every entry, e.g. ``[1, 2]`` for one slope per
            channel of ``(batch, height, width, channels)``. Default None.
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        initializers.get(alpha_initializer, "alpha_initializer")  # a typo fails here
        self.alpha_initializer = alpha_initializer
        self.alpha_regularizer = regularizers.get(alpha_regularizer, "alpha_regularizer")
        self.alpha_constraint = constraints.get(alpha_constraint, "alpha_constraint")
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else \
            [check_int(a, f"shared_axes[{i}]", 1) for i, a in enumerate(shared_axes)]
        self.alpha = None

    def build(self, input_shape):
        shared = self.shared_axes or []
        if any(a >= len(input_shape) for a in shared):
            raise ValueError(f"`shared_axes` must name axes of inputs of shape "
                             f"{tuple(input_shape)}. Received: shared_axes={self.shared_axes}")
        shape = tuple(1 if a in shared else d for a, d in enumerate(input_shape) if a > 0)
        self.alpha = self.add_weight("alpha", shape, self.alpha_initializer,
                                     self.alpha_regularizer, constraint=self.alpha_constraint)
        self._sum_axes = (0,) + tuple(sorted(set(shared)))
        super().build(input_shape)

    def forward(self, x, training=False):
        negative = np.minimum(x, 0)
        self.save_for_backward(x=x, negative=negative)
        return np.maximum(x, 0) + self.alpha.value * negative

    def backward(self, grad):
        x, negative = self.saved["x"], self.saved["negative"]
        self.alpha.grad[...] = np.sum(grad * negative, axis=self._sum_axes,
                                      keepdims=True).reshape(self.alpha.shape)
        if not self.input_gradient:
            return None
        return grad * np.where(x > 0, 1, self.alpha.value).astype(grad.dtype, copy=False)

    def get_config(self):
        return super().get_config() | {
            "alpha_initializer": serialize(self.alpha_initializer, "initializer"),
            "alpha_regularizer": serialize(self.alpha_regularizer, "regularizer"),
            "alpha_constraint": serialize(self.alpha_constraint, "constraint"),
            "shared_axes": self.shared_axes,
        }
