"""Utilities: seeding, one-hot encoding, minibatches and the gradient check."""
import numpy as np

from ..random import set_seed as set_random_seed
from .batching import minibatches
from .gradient_check import check_gradients


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


__all__ = ["check_gradients", "minibatches", "set_random_seed", "to_categorical"]
