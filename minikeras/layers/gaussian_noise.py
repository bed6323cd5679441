"""GaussianNoise: add zero-mean normal noise to the inputs while training."""
from .. import random
from ..utils.validation import check_int, check_number
from .layer import Layer


class GaussianNoise(Layer):
    """Add ``N(0, stddev**2)`` noise to every input while training; identity at inference.

    Training, with fresh noise ``e`` at each call (``e`` does not depend on ``x``)::

        y     = x + e,   e ~ Normal(0, stddev**2)
        dL/dx = grad

    At inference (``evaluate``, ``predict``): ``y = x``. A regularizer, like a
    cheap data augmentation for real-valued inputs.

    Example::

        >>> import numpy as np
        >>> layer = GaussianNoise(0.1, seed=0)
        >>> layer(np.zeros((1, 3)), training=True).round(4)   # noise of standard deviation 0.1
        array([[ 0.0126, -0.0132,  0.064 ]])
        >>> layer(np.zeros((1, 3)))                           # inference: unchanged
        array([[0., 0., 0.]])

    Args:
        stddev: standard deviation of the noise, in [0, 1] as in Keras.
        seed: integer for a private generator, created once; default None
            draws from minikeras's global generator.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = check_number(stddev, "stddev", 0, 1)
        self.seed = check_int(seed, "seed", 0, allow=[None])
        self._generator = None if seed is None else random.generator(seed)

    def forward(self, x, training=False):
        if not training or self.stddev == 0:
            return x
        rng = self.rng()
        return x + rng.normal(0.0, self.stddev, x.shape).astype(x.dtype, copy=False)

    def backward(self, grad):
        return grad

    def get_config(self):
        return super().get_config() | {"stddev": self.stddev, "seed": self.seed}
