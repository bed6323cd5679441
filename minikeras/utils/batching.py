"""Minibatches: one permutation per epoch, and the epochs of batches fit, evaluate and predict share.

:func:`minibatches` splits aligned arrays into batches; shuffled batches are
gathered with ``np.take(..., out=...)``, inside ``fit`` into arrays reused from
batch to batch (see :mod:`minikeras.utils.buffers`), so an epoch allocates
nothing per batch and never copies the data set. Without
shuffling, batches are plain slices (views).

:class:`EpochIterator` hands ``fit``, ``evaluate`` and ``predict`` the batches
of one epoch after another (Keras 3's ``EpochIterator``): the data adapter owns
the arrays, the shuffling and the batch size; the model's loops own the
callbacks, the metrics and the epochs.
"""
import warnings

import numpy as np

from .. import random
from . import buffers
from .py_dataset import BatchStream
from .validation import check_int


def minibatches(*arrays, batch_size=32, shuffle=True, seed=None):
    """Yield aligned minibatches of ``arrays`` (all with the same first dimension).

    Args:
        *arrays: arrays (or ``None``, passed through as ``None``) to split along axis 0.
        batch_size: rows per batch; the last batch may be smaller.
        shuffle: visit rows in a fresh random order (one permutation per call).
        seed: seed of a private generator; ``None`` draws from minikeras's global one.

    Yields:
        A tuple with one batch per array. Inside ``fit`` the shuffled batches
        share their arrays, each overwritten by the next.

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
    owner = object()  # this pass's own buffers, whatever else runs beside it
    for start in range(0, n, batch_size):
        index = order[start:start + batch_size]
        yield tuple(None if a is None else np.take(
            a, index, axis=0, out=buffers.buffer((owner, i), (len(index),) + a.shape[1:], a.dtype))
            for i, a in enumerate(arrays))


class EpochIterator:
    """The batches of one epoch after another, from aligned arrays or a stream of batches.

    Iterating gives ``(step, batch)`` pairs for one epoch. Without
    ``steps_per_epoch`` an epoch is one pass over the data (a new permutation
    each time when ``shuffle``). With it, as in Keras, an epoch is that many
    batches: a pass that is not finished continues in the next epoch, and an
    epoch asking for more batches than a whole pass holds ends early, with a
    warning.

    A stream (a generator or a PyDataset, see :mod:`minikeras.utils.py_dataset`)
    makes its batches itself, so ``batch_size`` does not apply; a generator's
    length is unknown (``num_batches`` is None) until it runs out, and a used-up
    generator gives an empty epoch, with a warning.

    Args:
        arrays: the aligned arrays (``None`` entries pass through as ``None``), or
            a :class:`~minikeras.utils.py_dataset.BatchStream`.
        batch_size: rows per batch.
        shuffle: shuffle each pass.
        steps_per_epoch: batches per epoch, or None for one pass.
    """

    def __init__(self, arrays, batch_size, shuffle=False, steps_per_epoch=None):
        self.arrays = arrays
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self._pass = None  # the batches left of an unfinished pass, and how many it gave
        self._taken = 0
        if isinstance(arrays, BatchStream):
            self.num_batches = arrays.num_batches  # None: until the generator runs out
        else:
            n = len(next(a for a in arrays if a is not None))
            self.num_batches = -(-n // batch_size)

    @property
    def steps(self):
        """Batches in one epoch (None when unknown: a generator without ``steps_per_epoch``)."""
        if self.num_batches is None:
            return self.steps_per_epoch
        return min(self.steps_per_epoch or self.num_batches, self.num_batches)

    def __iter__(self):
        stream = self.arrays if isinstance(self.arrays, BatchStream) else None
        if self._pass is None or self.steps_per_epoch is None:
            self._pass, self._taken = self._new_pass(), 0
        if stream is not None:
            stream.on_epoch_begin()
        steps = self.steps_per_epoch or self.num_batches  # None: until the data runs out
        step = 0
        while steps is None or step < steps:
            batch = None if self._taken == self.num_batches else next(self._pass, None)
            if batch is None:  # the pass ended within this epoch
                self._pass = None
                self._warn_ran_out(step)
                break
            self._taken += 1
            yield step, batch
            step += 1
        if self._taken == self.num_batches:
            self._pass = None
        if stream is not None:
            stream.on_epoch_end()

    def _warn_ran_out(self, step):
        if self.steps_per_epoch is not None:
            holds = ("" if self.num_batches is None else
                     f" (it holds {self.num_batches} batches of {self.batch_size})")
            warnings.warn(f"The data ran out after {step} of `steps_per_epoch`="
                          f"{self.steps_per_epoch} batches{holds}; the epoch ends early.",
                          UserWarning, stacklevel=3)
        elif step == 0:
            warnings.warn("The data gave no batch in this epoch: a Python generator is used up "
                          "after one pass. Give `steps_per_epoch` (and `validation_steps`) with "
                          "a generator that loops forever, or use a PyDataset.",
                          UserWarning, stacklevel=3)

    def _new_pass(self):
        if isinstance(self.arrays, BatchStream):
            return self.arrays.new_pass(self.shuffle)
        return minibatches(*self.arrays, batch_size=self.batch_size, shuffle=self.shuffle)
