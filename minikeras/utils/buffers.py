"""Buffers: arrays reused from one batch to the next, the one speed trick.

``fit``, ``evaluate`` and ``predict`` compute arrays of the same shapes at
every batch: the gathered minibatch, each layer's pre-activations, activations
and gradients, the optimizer's temporaries. Allocating them afresh costs time
(at batch 128 a ``(128, 256)`` float32 array is exactly glibc's 128 KiB
threshold for mapping memory from the kernel, so every batch would map and
unmap it), about 5 % of an MNIST epoch. So those loops run inside
:func:`reuse`, where :func:`buffer` hands back the array it gave the last
time for the same key.

Reuse is confined to one call: each ``with reuse():`` block has its own arrays,
kept in the calling thread and dropped when the block ends. Two threads
predicting with one model at once therefore never share an array, and a model
holds no scratch memory once ``predict`` returns. Outside such a block
(``model(x)``, ``layer(x)``, a learner calling ``forward`` by hand) every
array is new.

:func:`inference` (opened by ``predict``, ``evaluate`` and ``__call__``) also
tells layers to keep nothing for ``backward``, so those calls never write over
the state a training step needs.
"""
import contextlib
import threading

import numpy as np


class _ThreadState(threading.local):
    """Each thread's own: the arrays of its innermost :func:`reuse` block (None outside
    one) and whether it is inside :func:`inference`."""

    store = None
    inference = False


_local = _ThreadState()


@contextlib.contextmanager
def reuse():
    """Within the block, :func:`buffer` gives back the same array for the same key."""
    outer = _local.store
    _local.store = {}
    try:
        yield
    finally:
        _local.store = outer


@contextlib.contextmanager
def inference(enabled=True):
    """Within the block (if ``enabled``), layers keep nothing for ``backward``."""
    outer = _local.inference
    _local.inference = enabled or outer
    try:
        yield
    finally:
        _local.inference = outer


def recording():
    """Whether layers should keep what ``backward`` needs: everywhere but in inference."""
    return not _local.inference


def buffer(key, shape, dtype):
    """An array of ``shape`` and ``dtype`` for the intermediate result ``key``.

    ``key`` names the result and its owner, e.g. ``(layer, "z")``; ``shape`` is a
    tuple. Inside a :func:`reuse` block the array is kept and given back for the
    same key; it is reallocated only when a batch is larger than any before, and
    a smaller batch (an epoch's last) gets its leading rows, still contiguous.
    Anywhere else it is a new array. Its content is garbage until written.
    """
    store = _local.store
    if store is None:
        return np.empty(shape, dtype)
    array = store.get(key)
    if array is not None and array.dtype == dtype:
        if array.shape == shape:  # the common case, first: it runs for every array of every step
            return array
        if len(array) >= shape[0] and array.shape[1:] == shape[1:]:
            return array[:shape[0]]
    array = store[key] = np.empty(shape, dtype)
    return array
