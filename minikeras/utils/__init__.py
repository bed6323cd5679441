"""Utilities: seeding, one-hot encoding, data given batch by batch, minibatches, the
progress bar and the gradient check (Keras 3's ``keras.utils`` names where Keras has them).

``custom_object_scope``, ``get_custom_objects`` and ``register_keras_serializable``
are Keras's aliases of :mod:`minikeras.saving`'s functions, found here too.
"""
import numpy as np

from ..random import set_seed as set_random_seed
from .batching import minibatches
from .gradient_check import check_gradients
from .progbar import Progbar
from .py_dataset import PyDataset, Sequence

# Keras's `keras.utils` aliases of `keras.saving` functions; looked up on first use,
# because minikeras.saving imports this package.
_SAVING_ALIASES = ("custom_object_scope", "get_custom_objects", "register_keras_serializable")


def __getattr__(name):
    if name in _SAVING_ALIASES:
        from .. import saving
        return getattr(saving, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def to_categorical(y, num_classes=None):
    """One-hot encode integer class labels, as ``keras.utils.to_categorical``.

    Args:
        y: integer labels in ``[0, num_classes)``, any shape (a trailing axis of 1 is dropped).
        num_classes: number of classes; default ``max(y) + 1``.

    Returns:
        A float array of shape ``y.shape + (num_classes,)``.

    Example: ``to_categorical([0, 2])`` gives ``[[1., 0., 0.], [0., 0., 1.]]``.
    """
    y = np.asarray(y)
    if y.size == 0 or y.dtype.kind not in "biuf" or not np.array_equal(y, np.round(y)):
        raise ValueError("`y` must be a non-empty array of integer class labels. "
                         f"Received: y with dtype={y.dtype}, shape={y.shape}")
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    y = y.astype(np.intp)
    if num_classes is None:
        num_classes = int(y.max()) + 1
    if y.min() < 0 or y.max() >= num_classes:
        raise ValueError(f"`y` labels must be in [0, {num_classes}). Received labels from "
                         f"{y.min()} to {y.max()}.")
    return np.eye(num_classes)[y]


def normalize(x, axis=-1, order=2):
    """Scale ``x`` to unit norm along ``axis``, as ``keras.utils.normalize``.

    ``x / ||x||_order``; a slice whose norm is 0 stays 0.

    Args:
        x: an array of numbers.
        axis: the axis along which each norm is taken (default the last).
        order: the norm's order (default 2, the Euclidean norm).

    Example: ``normalize([[3, 4]])`` gives ``[[0.6, 0.8]]``.
    """
    x = np.asarray(x, dtype=float) if np.asarray(x).dtype.kind in "biu" else np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis, keepdims=True))
    norm[norm == 0] = 1
    return x / norm


__all__ = ["Progbar", "PyDataset", "Sequence", "check_gradients", "minibatches", "normalize",
           "set_random_seed", "to_categorical", *_SAVING_ALIASES]
