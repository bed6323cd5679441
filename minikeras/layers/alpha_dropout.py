"""AlphaDropout: the dropout that keeps SELU activations' mean and variance."""
import numpy as np

from .. import activations
from .dropout import Dropout


class AlphaDropout(Dropout):
    """Dropout for self-normalizing networks (SELU): dropped units take SELU's floor, not 0.

    Training, with a fresh mask ``m`` (each entry 1 with probability ``1 - rate``)
    and ``alpha' = -scale * alpha = -1.7581`` (SELU's limit for ``x -> -inf``)::

        y     = a * (x * m + alpha' * (1 - m)) + b
        dL/dx = grad * a * m
        a = ((1 - rate) * (1 + rate * alpha'**2)) ** -1/2,   b = -a * alpha' * rate

    ``a`` and ``b`` are chosen so that inputs of mean 0 and variance 1 keep that
    mean and variance (Klambauer et al., 2017). At inference ``y = x``.

    Example: ``Sequential([..., Dense(64, activation="selu",
    kernel_initializer="lecun_normal"), AlphaDropout(0.1), ...])``.

    Args:
        rate: fraction of the inputs to drop, a number in [0, 1).
        noise_shape: shape of the mask, broadcast over the input, as in
            :class:`Dropout`; default None (one draw per entry).
        seed: integer for a private generator; default None (the global one).
    """

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.save_for_backward(mask=None)
            return x
        keep = self._keep_mask(x)
        alpha_p = -activations.SELU.scale * activations.SELU.alpha
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        self.save_for_backward(mask=keep * x.dtype.type(a))   # dL/dx = grad * a * m
        return np.where(keep, x * x.dtype.type(a) + x.dtype.type(b),
                        x.dtype.type(a * alpha_p + b))
