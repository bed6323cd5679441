"""The one source of randomness: weight initialisation, shuffling and dropout draw from it.

Every random draw in the library asks :func:`generator` for the generator to
use, in a fixed order, so two runs that start from the same state are bitwise
identical. There are two ways to fix that state:

* ``set_seed(seed)`` (exposed as ``minikeras.utils.set_random_seed``) reseeds
  the process-wide generator, as Keras's ``set_random_seed`` does;
* ``with using(generator):`` makes the current thread draw from ``generator``
  until the block ends, without touching the process-wide one. This is how the
  scikit-learn wrappers and ``train_ensemble`` give each fit its own stream, so
  that fits running side by side in threads (``GridSearchCV(n_jobs=...)`` under
  joblib's threading backend) cannot steal draws from one another.

Example::

    >>> import numpy as np
    >>> with using(np.random.default_rng(0)):
    ...     a = generator().random()
    >>> b = np.random.default_rng(0).random()
    >>> a == b
    True
"""
import contextlib
import numbers
import random as _py_random
import threading

import numpy as np

from .utils.validation import check_int

_generator = np.random.default_rng()
_local = threading.local()  # `_local.generator`: this thread's override, or absent


def set_seed(seed):
    """Seed minikeras's generator, numpy's legacy global one and Python's ``random``.

    A thread inside a :func:`using` block keeps drawing from its own generator.

    Args:
        seed: a non-negative integer.
    """
    global _generator
    seed = check_int(seed, "seed", 0)
    _generator = np.random.default_rng(seed)
    np.random.seed(seed % 2**32)
    _py_random.seed(seed)


def generator(seed=None):
    """The generator to draw from now.

    Args:
        seed: None (default) for the current one: this thread's :func:`using`
            generator inside such a block, else the process-wide one; an integer
            for a new private generator seeded with it.
    """
    seed = check_int(seed, "seed", 0, allow=[None])
    if seed is not None:
        return np.random.default_rng(seed)
    override = getattr(_local, "generator", None)
    return _generator if override is None else override


@contextlib.contextmanager
def using(rng):
    """Make this thread's draws come from ``rng`` inside the ``with`` block.

    Blocks nest (the inner one wins until it ends) and other threads are not
    affected; the process-wide generator is neither read nor advanced.

    Args:
        rng: a ``numpy.random.Generator``, or a non-negative integer seed for a new one.

    Yields:
        The generator in use.
    """
    if not isinstance(rng, np.random.Generator):
        if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, numbers.Integral) or rng < 0:
            raise ValueError("`rng` must be a numpy Generator or a non-negative integer seed. "
                             f"Received: rng={rng!r}")
        rng = np.random.default_rng(int(rng))
    previous = getattr(_local, "generator", None)
    _local.generator = rng
    try:
        yield rng
    finally:
        _local.generator = previous

