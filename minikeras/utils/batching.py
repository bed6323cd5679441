"""Minibatches: one permutation per epoch, and the epochs of batches fit, evaluate and predict share.

:func:`minibatches` splits aligned arrays into batches; shuffled batches are
gathered with ``np.take(..., out=...)``, inside ``fit`` into arrays reused from
batch to batch (see :mod:`minikeras.utils.buffers`), so an epoch allocates
nothing per batch and never copies the data set. Without
shuffling, batches are plain slices (views).

The rows come from a data source (:mod:`minikeras.utils.sources`): arrays in
memory, one block, or data bigger than memory (Dask arrays, memory-mapped
files), many blocks loaded one at a time. A pass visits the blocks a window
of :data:`~minikeras.utils.sources.WINDOW` blocks at a time, in a random order
when shuffling, and shuffles the rows of each window together; the few rows
left over at a window's end (fewer than a batch) are carried into the next
window, so every batch but the last is full and, without shuffling, the
batches are exactly those of the same data in memory. Gathers from several
blocks take each batch's rows in sorted order, block by block, which also
reads a memory map front to back. In memory, a pass is one window: one
permutation of all rows, as above.

:class:`EpochIterator` hands ``fit``, ``evaluate`` and ``predict`` the batches
of one epoch after another (Keras 3's ``EpochIterator``): the data source owns
the arrays and their checks, the iterator the shuffling and the batch size;
the model's loops own the callbacks, the metrics and the epochs.
"""
import itertools
import warnings

import numpy as np

from .. import random
from . import buffers, sources
from .py_dataset import BatchStream
from .validation import check_int


def minibatches(*arrays, batch_size=32, shuffle=True, seed=None):
    """Yield aligned minibatches of ``arrays`` (all with the same first dimension).

    Args:
        *arrays: arrays (or ``None``, passed through as ``None``) to split along
            axis 0: numpy arrays, memory maps or Dask arrays (see the module's
            docstring for how the last two are read).
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
    source = sources.data_source(arrays)
    batch_size = check_int(batch_size, "batch_size", 1)
    yield from _one_pass(source, batch_size, shuffle, owner=object(), seed=seed)


def _one_pass(source, batch_size, shuffle, owner, seed=None):
    """The batches of one pass over ``source`` (see the module's docstring).

    ``owner`` keys the batch buffers: an iterator's passes, one after another, reuse
    the same ones; another owner's pass beside this one gets its own.
    """
    rng = random.generator(seed) if shuffle else None
    blocks = source.blocks
    if shuffle and len(blocks) > 1:
        blocks = [blocks[i] for i in rng.permutation(len(blocks))]

    def reused(i, shape, dtype):
        return buffers.buffer((owner, i), shape, dtype)

    window, carried = sources.WINDOW, []
    for w in range(0, len(blocks), window):
        parts = carried + [source.load(*block) for block in blocks[w:w + window]]
        starts = list(itertools.accumulate((sources.count_rows(p) for p in parts), initial=0))
        total = starts[-1]
        order = rng.permutation(total) if shuffle else None
        end = total if w + window >= len(blocks) else total - total % batch_size
        for start in range(0, end, batch_size):
            yield _gather(parts, starts, order, start, min(start + batch_size, end),
                          source.out_of_core, reused)
        # The rows left over, copied: a view would keep its block, and the buffers are reused.
        carried = [tuple(None if a is None else a.copy() for a in _gather(
            parts, starts, order, end, total, source.out_of_core, reused))] if end < total else []
        parts = None  # the window's blocks go before the next ones are loaded


def _gather(parts, starts, order, start, stop, out_of_core, allocate):
    """Rows ``order[start:stop]`` (without ``order``: ``start`` to ``stop - 1``) of the window
    ``parts``, whose first rows are at ``starts``, as one batch per array."""
    if order is None:
        j = 0 if len(parts) == 1 else int(np.searchsorted(starts, start, side="right")) - 1
        if stop <= starts[j + 1]:  # inside one block: a view
            return tuple(None if a is None else a[start - starts[j]:stop - starts[j]]
                         for a in parts[j])
        index = np.arange(start, stop)
    else:
        index = order[start:stop]
    # The indices are valid by construction, so the takes say mode="clip": numpy's default,
    # "raise", writes through a temporary copy of `out` (3x slower for an MNIST batch).
    if len(parts) == 1 and not out_of_core:  # in memory: the permutation's order, one take
        return tuple(None if a is None else a.take(
            index, axis=0, out=allocate(i, (len(index),) + a.shape[1:], a.dtype), mode="clip")
            for i, a in enumerate(parts[0]))
    # Several blocks (or a memory map): rows in sorted order, each block's in one take.
    index = np.sort(index)
    cuts = np.searchsorted(index, starts).tolist()
    pieces = [(parts[j], slice(cuts[j], cuts[j + 1]), index[cuts[j]:cuts[j + 1]] - starts[j])
              for j in range(len(parts)) if cuts[j + 1] > cuts[j]]  # (block, rows out, rows in)
    batch = []
    for i, a in enumerate(parts[0]):
        if a is None:
            batch.append(None)
            continue
        out = allocate(i, (len(index),) + a.shape[1:], a.dtype)
        for part, rows, local in pieces:
            np.take(part[i], local, axis=0, out=out[rows], mode="clip")
        batch.append(out)
    return tuple(batch)


class EpochIterator:
    """The batches of one epoch after another, from a data source, aligned arrays or a stream of batches.

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
        data: a source from :func:`minikeras.utils.sources.data_source`, a tuple
            of aligned arrays (``None`` entries pass through as ``None``), or a
            :class:`~minikeras.utils.py_dataset.BatchStream`.
        batch_size: rows per batch.
        shuffle: shuffle each pass.
        steps_per_epoch: batches per epoch, or None for one pass.
    """

    def __init__(self, data, batch_size, shuffle=False, steps_per_epoch=None):
        self.source = sources.data_source(data) if isinstance(data, (tuple, list)) else data
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self._pass = None  # the batches left of an unfinished pass, and how many it gave
        self._taken = 0
        if isinstance(self.source, BatchStream):
            self.num_batches = self.source.num_batches  # None: until the generator runs out
        else:
            self.num_batches = -(-self.source.n // batch_size)

    @property
    def steps(self):
        """Batches in one epoch (None when unknown: a generator without ``steps_per_epoch``)."""
        if self.num_batches is None:
            return self.steps_per_epoch
        return min(self.steps_per_epoch or self.num_batches, self.num_batches)

    def __iter__(self):
        stream = self.source if isinstance(self.source, BatchStream) else None
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
        if isinstance(self.source, BatchStream):
            return self.source.new_pass(self.shuffle)
        return _one_pass(self.source, self.batch_size, self.shuffle, owner=self)
