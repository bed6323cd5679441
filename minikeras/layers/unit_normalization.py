"""UnitNormalization: scale each sample to unit L2 norm."""
import numpy as np

from ..utils.validation import check_int
from .layer import Layer

EPSILON = 1e-12  # the smallest norm divided by, as in Keras's ops.normalize


class UnitNormalization(Layer):
    """Divide each sample by its L2 norm over ``axis``: ``y = x / max(||x||, 1e-12)``.

    With ``n = ||x|| = sqrt(sum(x**2))`` over the normalized axes, the Jacobian
    is ``(I - y y^T) / n``, so backward, from ``grad = dL/dy``::

        dL/dx = (grad - y * sum(grad * y)) / n       (sums over the normalized axes)
        dL/dx = grad / 1e-12                         where n <= 1e-12 (y = x / 1e-12)

    No weights; the same in training and inference.

    Example::

        >>> UnitNormalization()(np.array([[3.0, 4.0]]))
        array([[0.6, 0.8]])

    Args:
        axis: the axis or list of axes whose entries form one vector (default -1).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if not axis:
                raise ValueError("`axis` must be an integer or a non-empty list of integers. "
                                 f"Received: axis={axis!r}")
            self.axis = [check_int(a, f"axis[{i}]") for i, a in enumerate(axis)]
        else:
            self.axis = check_int(axis, "axis")

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if not all(-ndim < a < ndim and a % ndim != 0 for a in axes):
            raise ValueError(f"`axis` must name feature axes of inputs of shape "
                             f"{tuple(input_shape)} (not the batch axis 0). Received: "
                             f"axis={self.axis}")
        self._axes = tuple(sorted(a % ndim for a in axes))
        super().build(input_shape)

    def forward(self, x, training=False):
        squares = np.sum(x * x, axis=self._axes, keepdims=True)
        inv_norm = 1 / np.sqrt(np.maximum(squares, EPSILON ** 2))  # min(1 / n, 1e12)
        y = x * inv_norm
        self.save_for_backward(y=y, inv_norm=inv_norm, floored=squares < EPSILON ** 2)
        return y

    def backward(self, grad):
        y, floored = self.saved["y"], self.saved["floored"]
        along = np.where(floored, 0, np.sum(grad * y, axis=self._axes, keepdims=True))
        return (grad - y * along) * self.saved["inv_norm"]

    def get_config(self):
        return super().get_config() | {"axis": self.axis}
