"""Minibatches: one permutation per epoch, rows gathered into buffers that are reused.

The fit loop and users share :func:`minibatches`. Shuffled batches are gathered
with ``np.take(..., out=buffer)`` into one preallocated array per input, so an
epoch allocates nothing per batch and never copies the data set; without
shuffling, batches are plain slices (views).
"""
import numpy as np

from .. import random
from .validation import check_int


def minibatches(*arrays, batch_size=32, shuffle=True, seed=None, reuse_buffers=False):
    """Yield aligned minibatches of ``arrays`` (all with the same first dimension).

    Args:
        *arrays: arrays (or ``None``, passed through as ``None``) to split along axis 0.
        batch_size: rows per batch; the last batch may be smaller.
        shuffle: visit rows in a fresh random order (one permutation per call).
        seed: seed of a private generator; ``None`` draws from minikeras's global one.
        reuse_buffers: gather every shuffled batch into the same buffers. Faster,
            but each yielded batch is overwritten by the next: copy one to keep it.

    Yields:
        A tuple with one batch per array.

    Example::

        >>> x, y = np.arange(10).reshape(5, 2), np.arange(5)
        >>> [len(b) for b, _ in minibatches(x, y, batch_size=2)]
        [2, 2, 1]
    """
    present = [a for a in arrays if a is not None]
    if not present:
        raise ValueError("`minibatches` needs at least one array.")
    n = len(present[0])
    if any(len(a) != n for a in present):
        lengths = [len(a) for a in present]
        raise ValueError(f"All arrays must have the same length. Received lengths: {lengths}")
    batch_size = check_int(batch_size, "batch_size", 1)
    if not shuffle:
        for start in range(0, n, batch_size):
            yield tuple(None if a is None else a[start:start + batch_size] for a in arrays)
        return
    order = random.generator(seed).permutation(n)
    size = min(batch_size, n)
    buffers = [np.empty((size,) + a.shape[1:], a.dtype) if reuse_buffers and a is not None
               else None for a in arrays]
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size]
        yield tuple(None if a is None
                    else np.take(a, index, axis=0, out=None if buf is None else buf[:len(index)])
                    for a, buf in zip(arrays, buffers))
