"""The one source of randomness: weight initialisation, shuffling and dropout draw from it.

``set_seed(seed)`` (exposed as ``minikeras.utils.set_random_seed``) makes two
runs bitwise identical, because every random draw in the library comes from the
generator kept here, in a fixed order.
"""
import random as _py_random

import numpy as np

from .utils.validation import check_int

_generator = np.random.default_rng()


def set_seed(seed):
    """Seed minikeras's generator, numpy's legacy global one and Python's ``random``.

    Args:
        seed: a non-negative integer.
    """
    global _generator
    seed = check_int(seed, "seed", 0)
    _generator = np.random.default_rng(seed)
    np.random.seed(seed % 2**32)
    _py_random.seed(seed)


def generator(seed=None):
    """Return the global generator, or a private one when `seed` is given."""
    seed = check_int(seed, "seed", 0, allow=[None])
    return _generator if seed is None else np.random.default_rng(seed)
