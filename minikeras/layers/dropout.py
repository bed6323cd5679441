"""Dropout: zero a random fraction of the inputs while training (inverted dropout)."""
from .. import random
from ..utils.validation import check_int, check_number
from .layer import Layer


class Dropout(Layer):
    """Randomly set a fraction ``rate`` of the inputs to 0 while training, scale up the rest.

    Training (``fit``), with a fresh mask ``m`` of 0/1 entries drawn at each call,
    each 1 with probability ``1 - rate``::

        y     = x * m / (1 - rate)
        dL/dx = grad * m / (1 - rate)     # the same mask: dropped units get no gradient

    Dividing by ``1 - rate`` keeps ``E[y] = x``, so at inference (``evaluate``,
    ``predict``, ``training=False``) the layer is the identity, ``y = x``, and
    nothing needs rescaling ("inverted" dropout).

    Example::

        >>> import numpy as np
        >>> layer = Dropout(0.5, seed=0)
        >>> layer(np.ones((1, 4)), training=True)     # kept units become 1 / (1 - 0.5)
        array([[2., 0., 0., 0.]])
        >>> layer(np.ones((1, 4)))                    # inference: unchanged
        array([[1., 1., 1., 1.]])

    Args:
        rate: fraction of the inputs to drop, a number in [0, 1).
        noise_shape: shape of the mask, broadcast over the input; ``None``
            entries take the input's size. E.g. ``(None, 1, features)`` drops
            the same features at every time step of ``(batch, steps, features)``.
            Default None: one draw per input entry.
        seed: integer for a private generator, created once, so successive
            calls differ but a run repeats; default None draws from minikeras's
            global generator (see ``minikeras.utils.set_random_seed``).
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        # Keras also accepts rate=1, where the scale 1 / (1 - rate) is undefined.
        self.rate = check_number(rate, "rate", 0, 1, closed="left")
        if noise_shape is not None:
            if not isinstance(noise_shape, (tuple, list)):
                raise ValueError("`noise_shape` must be None or a tuple whose entries are "
                                 f"positive integers or None. Received: noise_shape={noise_shape!r}")
            noise_shape = tuple(check_int(d, f"noise_shape[{i}]", 1, allow=[None])
                                for i, d in enumerate(noise_shape))
        self.noise_shape = noise_shape
        self.seed = check_int(seed, "seed", 0, allow=[None])
        self._generator = None if seed is None else random.generator(seed)

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.save_for_backward(mask=None)
            return x
        mask = self._keep_mask(x) * x.dtype.type(1 / (1 - self.rate))  # 0 or 1/(1-rate)
        self.save_for_backward(mask=mask)
        return x * mask

    def _keep_mask(self, x):
        """A fresh boolean mask for ``x``, each entry True with probability ``1 - rate``,
        of ``noise_shape`` (broadcasting over ``x``) when one is given."""
        shape = x.shape
        if self.noise_shape is not None:
            if len(self.noise_shape) != x.ndim:
                raise ValueError(f"`noise_shape` must have one entry per input axis ({x.ndim}). "
                                 f"Received: noise_shape={self.noise_shape}")
            shape = tuple(n if d is None else d for d, n in zip(self.noise_shape, x.shape))
        return self.rng().random(shape) >= self.rate

    def backward(self, grad):
        mask = self.saved["mask"]
        return grad if mask is None else grad * mask

    def get_config(self):
        noise_shape = None if self.noise_shape is None else list(self.noise_shape)
        return super().get_config() | {"rate": self.rate, "seed": self.seed,
                                       "noise_shape": noise_shape}
