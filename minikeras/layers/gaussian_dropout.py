"""GaussianDropout: multiply the inputs by 1-centred normal noise while training."""
import math

from .. import random
from ..utils.validation import check_int, check_number
from .layer import Layer


class GaussianDropout(Layer):
    """Multiply every input by ``N(1, rate / (1 - rate))`` noise while training; identity at inference.

    Training, with fresh noise ``m`` at each call, the same variance as the mask
    of ``Dropout(rate)`` (whose kept units are scaled by ``1 / (1 - rate)``)::

        y     = x * m,   m ~ Normal(1, sigma**2),   sigma = sqrt(rate / (1 - rate))
        dL/dx = grad * m                             # the same m

    ``E[y] = x``, so at inference (``evaluate``, ``predict``) ``y = x``.

    Example::

        >>> import numpy as np
        >>> layer = GaussianDropout(0.5, seed=0)            # sigma = 1
        >>> layer(np.ones((1, 3)), training=True).round(3)
        array([[1.126, 0.868, 1.64 ]])
        >>> layer(np.ones((1, 3)))                          # inference: unchanged
        array([[1., 1., 1.]])

    Args:
        rate: the drop probability of the matching Dropout, a number in [0, 1).
        seed: integer for a private generator, created once; default None
            draws from minikeras's global generator.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        # Keras also accepts rate=1, where sigma is infinite (it then divides by zero).
        self.rate = check_number(rate, "rate", 0, 1, closed="left")
        self.seed = check_int(seed, "seed", 0, allow=[None])
        self._generator = None if seed is None else random.generator(seed)

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.save_for_backward(noise=None)
            return x
        sigma = math.sqrt(self.rate / (1 - self.rate))
        noise = self.rng().normal(1.0, sigma, x.shape).astype(x.dtype, copy=False)
        self.save_for_backward(noise=noise)
        return x * noise

    def backward(self, grad):
        noise = self.saved["noise"]
        return grad if noise is None else grad * noise

    def get_config(self):
        return super().get_config() | {"rate": self.rate, "seed": self.seed}
