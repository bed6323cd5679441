"""Data sources: where the rows of ``fit``, ``evaluate`` and ``predict`` come from.

A source holds aligned arrays (``x``, ``y``, ``sample_weight``; ``None``
entries pass through as ``None``) of ``n`` rows, cut along axis 0 into
``blocks`` of rows ``(start, stop)``; ``load(start, stop)`` gives one block's
rows as checked numpy arrays. :mod:`minikeras.utils.batching` turns the
blocks into minibatches. There are two kinds:

* :class:`InMemory`, numpy arrays: one block, the whole arrays, checked once
  when the source is made. Nothing is copied.
* :class:`Chunked`, data too big to hold as one dense array: a Dask array,
  whose blocks are its chunks (loading one calls ``compute``, so Dask
  preprocessing runs where Dask runs, on the cluster when a
  ``distributed.Client`` is active); a memory-mapped file
  (``np.load(path, mmap_mode="r")``); or a scipy.sparse matrix (a scikit-learn
  vectoriser's output), kept in CSR form and densified one block at a time.
  Memory maps and sparse matrices are cut into blocks of about
  :data:`BLOCK_BYTES` (counted as dense rows, each value at least as wide as the
  float type). A block is checked each time it is loaded: the same checks, with
  the block's rows named in any error. Checking a memory map's block reads it
  but does not copy it, unless its dtype must change.

``load`` is handed a ``prepare`` function that turns raw rows into checked
arrays (the model's, which knows its input and output shapes), so a source
knows nothing about models. ``import minikeras`` never imports Dask: a Dask
array is recognised only if the caller has imported ``dask.array`` already.
"""
import sys

import numpy as np

from .. import config
from .validation import check_same_length, count_samples, is_sparse

# A memory map is read in blocks of about this many bytes (all of a row's arrays counted,
# each at least as wide as the float type it may be converted to).
BLOCK_BYTES = 16 * 2**20
# Out-of-core passes shuffle the rows of this many blocks together.
WINDOW = 4


def is_dask_array(value):
    """Whether ``value`` is a Dask array (without importing Dask)."""
    dask_array = sys.modules.get("dask.array")
    return dask_array is not None and isinstance(value, dask_array.Array)


def is_out_of_core(value):
    """Whether ``value`` is read block by block: a Dask array, a memory-mapped numpy array
    or a scipy.sparse matrix."""
    return isinstance(value, np.memmap) or is_dask_array(value) or is_sparse(value)


def data_source(arrays, prepare=None, names=None):
    """The source of aligned ``arrays``: :class:`Chunked` if any is out of core, else :class:`InMemory`.

    Args:
        arrays: a tuple of arrays, ``None`` entries allowed (but not all).
        prepare: ``prepare(*rows)`` returns the checked arrays of some rows (a
            tuple as long as ``arrays``); default: the rows as they are.
        names: the arguments' names, for error messages; default ``arrays[0]``,
            ``arrays[1]``, ...

    Example::

        >>> source = data_source((np.arange(6).reshape(3, 2), np.arange(3)))
        >>> source.n, source.blocks
        (3, [(0, 3)])
    """
    # CSR, whatever the sparse format: its rows slice without copying the rest.
    arrays = tuple(a.tocsr() if is_sparse(a) else a for a in arrays)
    names = names or tuple(f"arrays[{i}]" for i in range(len(arrays)))
    prepare = prepare or (lambda *rows: rows)
    if any(is_out_of_core(a) for a in arrays):
        return Chunked(arrays, prepare, names)
    return InMemory(prepare(*arrays))


class InMemory:
    """Arrays in memory: one block, already checked."""

    out_of_core = False

    def __init__(self, arrays):
        self.arrays = tuple(arrays)
        self.n = _common_length(self.arrays)
        self.blocks = [(0, self.n)]

    def load(self, start, stop):
        return tuple(None if a is None else a[start:stop] for a in self.arrays)

    def split(self, at):
        """The rows before ``at`` and from ``at`` on, as two sources (views, no copy)."""
        return (InMemory(None if a is None else a[:at] for a in self.arrays),
                InMemory(None if a is None else a[at:] for a in self.arrays))


class Chunked:
    """Dask arrays, memory maps or sparse matrices (numpy arrays may be beside them),
    loaded block by block.

    The first block is loaded and checked at once, so that wrong shapes or
    dtypes are reported before training starts; it is kept for the first time
    it is asked for, not computed twice.
    """

    out_of_core = True

    def __init__(self, arrays, prepare, names, first=None):
        self.arrays, self.prepare, self.names = arrays, prepare, names
        present = [(a, name) for a, name in zip(arrays, names) if a is not None]
        for a, name in present:
            if is_dask_array(a) and any(np.isnan(size) for size in a.shape):
                raise ValueError(f"`{name}` is a Dask array of unknown length (shape={a.shape}). "
                                 f"Call `{name}.compute_chunk_sizes()` first.")
        (leader, leader_name), *rest = present
        for a, name in rest:
            check_same_length(leader, a, leader_name, name)
        self.n = count_samples(leader)
        self.blocks = _blocks(arrays, self.n)
        self._first = None  # the first block, loaded now (or given by `split`)
        first_stop = self.blocks[0][1]
        if first is not None and count_rows(first) >= first_stop:
            self._first = tuple(None if a is None else a[:first_stop] for a in first)
        else:
            self._first = self.load(0, first_stop)

    def load(self, start, stop):
        if start == 0 and self._first is not None:
            rows, self._first = self._first, None
            return rows
        rows = [None if a is None else a[start:stop] for a in self.arrays]
        lazy = [i for i, a in enumerate(rows) if is_dask_array(a)]
        if lazy:  # one `compute` for all, so the graph they share is computed once
            computed = sys.modules["dask"].compute(*(rows[i] for i in lazy))
            for i, value in zip(lazy, computed):
                rows[i] = value
        rows = [r.toarray() if is_sparse(r) else r for r in rows]
        try:
            return tuple(self.prepare(*rows))
        except (ValueError, TypeError) as e:
            if (start, stop) == (0, self.n):  # one block: the shapes above are the data's
                raise
            raise type(e)(f"{e} [In rows {start} to {stop - 1} of {self.n}, read block by "
                          "block: the shapes and indices above are the block's.]") from None

    def split(self, at):
        """The rows before ``at`` and from ``at`` on, as two sources (nothing more is read)."""
        return (Chunked(tuple(None if a is None else a[:at] for a in self.arrays),
                        self.prepare, self.names, first=self._first),
                Chunked(tuple(None if a is None else a[at:] for a in self.arrays),
                        self.prepare, self.names))


def count_rows(rows):
    """The length of aligned arrays, ``None`` entries skipped."""
    return len(next(a for a in rows if a is not None))


def _common_length(arrays):
    present = [a for a in arrays if a is not None]
    if not present:
        raise ValueError("A data source needs at least one array. Received only None.")
    lengths = [len(a) for a in present]
    if len(set(lengths)) > 1:
        raise ValueError(f"All arrays must have the same length. Received lengths: {lengths}")
    return lengths[0]


def _blocks(arrays, n):
    """Row ranges: a Dask array's chunks along axis 0, else blocks of about BLOCK_BYTES."""
    for a in arrays:
        if is_dask_array(a):
            stops = np.cumsum(a.chunks[0]).tolist()
            return [(start, stop) for start, stop in zip([0] + stops, stops)
                    if stop > start] or [(0, 0)]
    width = np.dtype(config.floatx()).itemsize
    row_bytes = sum(max(a.dtype.itemsize, width) * int(np.prod(a.shape[1:]))
                    for a in arrays if a is not None)
    size = max(1, BLOCK_BYTES // max(1, row_bytes))
    return [(start, min(start + size, n)) for start in range(0, n, size)] or [(0, 0)]
