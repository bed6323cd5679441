"""Keras's ``keras.backend`` functions that make sense for minikeras, and its tensors.

minikeras has one backend, numpy: ``backend()`` says so. The float type lives in
:mod:`minikeras.config` (re-exported here under Keras's names), and
:func:`clear_session` forgets the automatic names given so far, so that the next
``Dense`` is ``dense`` again, as after Keras's ``clear_session``.

:class:`Tensor` is what ``layer(x)`` and ``model(x)`` return: a numpy array
that also answers ``.numpy()``, because Keras scripts call it on the tensors
Keras returns (``normalizer(x).numpy()``). It is an ``np.ndarray`` in every
other respect, and numpy functions and arithmetic on it give plain arrays, so
it never spreads beyond the value that was returned.

Example::

    >>> import numpy as np
    >>> from minikeras import layers
    >>> out = layers.Dense(2, kernel_initializer="ones")(np.ones((1, 3), "float32"))
    >>> out.numpy()
    array([[3., 3.]], dtype=float32)
    >>> type(out * 2).__name__
    'ndarray'
"""
import gc

import numpy as np

from .config import floatx, set_floatx
from .losses import EPSILON
from .utils import registry


def backend():
    """The name of the backend doing the arithmetic: always ``"numpy"``."""
    return "numpy"


def epsilon():
    """The fuzz factor losses and metrics clip probabilities with: ``1e-7``, as in Keras."""
    return EPSILON


def clear_session(free_memory=True):
    """Forget the automatic names given so far, as Keras's ``clear_session``.

    After it, the next ``Dense()`` is named ``dense`` (not ``dense_7``), the next
    model ``sequential``, the next ``Precision()`` ``precision``; so
    ``model.get_layer("dense")`` finds the first Dense of a model built after
    it. Existing layers and models keep their names. Random seeds are left as
    they are (``minikeras.utils.set_random_seed`` sets them).

    Args:
        free_memory: also run Python's garbage collector (default True), as Keras does.
    """
    registry.reset_names()
    if free_memory:
        gc.collect()


class Tensor(np.ndarray):
    """A layer's or a model's output: a numpy array with Keras's ``.numpy()``.

    Made by viewing the result array (``array.view(Tensor)``): nothing is copied.
    It prints as the array it is. Arithmetic and numpy functions on it return
    plain ``np.ndarray`` results; indexing returns a ``Tensor`` (a view), as a
    Keras tensor's would.
    """

    def numpy(self):
        """The values as a plain ``np.ndarray`` (a view of the same memory)."""
        return self.view(np.ndarray)

    def __repr__(self):
        # Shown as the array it is: ``array([[3., 3.]], dtype=float32)``.
        return repr(self.view(np.ndarray))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # Compute on plain arrays, so that results are plain arrays too.
        inputs = tuple(_plain(x) for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(x) for x in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        args, kwargs = _plain_tree(args), _plain_tree(kwargs)
        return func(*args, **kwargs)


def _plain(value):
    return value.view(np.ndarray) if isinstance(value, Tensor) else value


def _plain_tree(value):
    if isinstance(value, (tuple, list)):
        return type(value)(_plain_tree(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain_tree(v) for k, v in value.items()}
    return _plain(value)


def as_tensor(array):
    """``array`` (a numpy array) viewed as a :class:`Tensor`."""
    return np.asarray(array).view(Tensor)


__all__ = ["Tensor", "backend", "clear_session", "epsilon", "floatx", "set_floatx"]
