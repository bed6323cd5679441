"""Data given batch by batch: Keras 3's ``PyDataset`` and Python generators.

``fit``, ``evaluate`` and ``predict`` take, instead of arrays, either

* a Python generator yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches
  (``(x,)`` or ``(x, y)`` for ``predict``), read once: it is used up after one
  pass, so several epochs need ``steps_per_epoch`` and a generator that loops
  forever; or
* a :class:`PyDataset` (Keras 3's; ``Sequence`` is its old name): ``__len__``
  batches, ``__getitem__(i)`` gives batch ``i``, ``on_epoch_end()`` is called
  after each epoch. Every epoch is a fresh pass, in a new random order of the
  batches when ``fit`` shuffles (the rows inside a batch stay as given).

:class:`BatchStream` adapts either one for :class:`~minikeras.utils.batching.EpochIterator`,
which then counts the steps and epochs exactly as for arrays (``steps_per_epoch``
continues an unfinished pass in the next epoch). Each batch passes through the
model's checks (``prepare``) as it arrives, so a bad batch is reported by its
place in the stream. ``batch_size``, ``y``, ``sample_weight`` and
``validation_split`` belong to arrays: with a stream they are refused, as in Keras.

Example::

    >>> import numpy as np
    >>> class Halves(PyDataset):
    ...     def __init__(self, x, y, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x, self.y = x, y
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, index):
    ...         half = len(self.x) // 2
    ...         rows = slice(index * half, (index + 1) * half)
    ...         return self.x[rows], self.y[rows]
    >>> data = Halves(np.zeros((10, 3)), np.ones(10))
    >>> [x.shape for x, y in data]
    [(5, 3), (5, 3)]
"""
import concurrent.futures
import itertools
import types

import numpy as np

from .. import random
from .validation import check_bool, check_int


class PyDataset:
    """Base class for data that makes its batches itself (Keras 3's ``keras.utils.PyDataset``).

    Subclasses call ``super().__init__(**kwargs)`` and implement ``__len__``
    (the number of batches) and ``__getitem__(index)`` (batch ``index``, a tuple
    ``(x, y)``, ``(x, y, sample_weight)`` or ``(x,)``; an array alone means
    ``(x,)``). ``on_epoch_begin`` / ``on_epoch_end`` are called around every
    epoch (e.g. to reshuffle the rows). An infinite dataset defines no
    ``__len__`` and gives ``num_batches = None``; ``fit`` then needs
    ``steps_per_epoch``.

    Args:
        workers: threads loading batches ahead of the training (default 1: none,
            batches load in the training thread). Worth it when ``__getitem__``
            waits on files or the network.
        use_multiprocessing: accepted for Keras compatibility; minikeras always
            loads with threads (default False).
        max_queue_size: batches loaded ahead with ``workers > 1`` (default 10).
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = check_int(workers, "workers", 0)
        self.use_multiprocessing = check_bool(use_multiprocessing, "use_multiprocessing")
        self.max_queue_size = check_int(max_queue_size, "max_queue_size", 1)

    def __getitem__(self, index):
        """Batch ``index``, counted from 0."""
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__(index)`, "
                                  "returning the batch (x, y) of that index.")

    @property
    def num_batches(self):
        """Batches in one pass: ``len(self)``, or None for an infinite dataset."""
        return len(self) if hasattr(self, "__len__") else None

    def on_epoch_begin(self):
        """Called before each epoch."""

    def on_epoch_end(self):
        """Called after each epoch (e.g. to shuffle the rows for the next one)."""

    def __iter__(self):
        indices = itertools.count() if self.num_batches is None else range(self.num_batches)
        for index in indices:
            yield self[index]


Sequence = PyDataset  # Keras 2's name, still exported by Keras 3


def is_stream(value):
    """Whether ``value`` is given batch by batch: a Python generator or a :class:`PyDataset`."""
    return isinstance(value, (types.GeneratorType, PyDataset))


class BatchStream:
    """Ready-made batches for :class:`~minikeras.utils.batching.EpochIterator`.

    Args:
        data: a Python generator or a :class:`PyDataset`.
        prepare: ``prepare(*batch)`` returns the checked arrays of one batch (the
            model's checks; it may build the model on the first batch).
        argument: the argument ``data`` was given as, for messages (``"x"``,
            ``"validation_data"``).

    Raises:
        ValueError: for an empty generator or a PyDataset of length 0.
    """

    def __init__(self, data, prepare, argument="x"):
        self.data = data
        self.prepare = prepare
        self.argument = argument
        self.is_generator = isinstance(data, types.GeneratorType)
        if self.is_generator:
            # The first batch is read now: it shows an empty generator at once and
            # builds the model before training begins, as Keras does.
            first = next(data, None)
            if first is None:
                raise ValueError(f"`{argument}` is an empty generator: it must yield at least "
                                 "one batch (x, y).")
            self._first = self._checked(first, 0)
            self.num_batches = None
        else:
            self._first = None
            self.num_batches = data.num_batches
            if self.num_batches is not None:
                self.num_batches = check_int(self.num_batches, f"len({argument})", 0)
                if self.num_batches == 0:
                    raise ValueError(f"`{argument}` is a {type(data).__name__} of length 0: "
                                     "it has no batch.")
        self._position = 0  # batches read from a generator so far

    def new_pass(self, shuffle=False):
        """The checked batches of one pass: the rest of a generator, or a PyDataset
        from its first batch (in a random order with ``shuffle``)."""
        if self.is_generator:
            return self._generator_pass()
        return self._dataset_pass(shuffle)

    def on_epoch_begin(self):
        if not self.is_generator:
            self.data.on_epoch_begin()

    def on_epoch_end(self):
        if not self.is_generator:
            self.data.on_epoch_end()

    def _generator_pass(self):
        if self._first is not None:
            first, self._first = self._first, None
            self._position = 1
            yield first
        for batch in self.data:
            yield self._checked(batch, self._position)
            self._position += 1

    def _dataset_pass(self, shuffle):
        n = self.num_batches
        if n is None:
            indices = itertools.count()
        else:
            indices = random.generator().permutation(n) if shuffle else range(n)
        # A subclass that forgot `super().__init__()` loads in this thread.
        workers = getattr(self.data, "workers", 1)
        if workers <= 1:
            for index in indices:
                yield self._checked(self.data[int(index)], int(index))
            return
        # Threads load up to `max_queue_size` batches ahead; results keep their order.
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            indices = iter(indices)
            ahead = [(int(i), pool.submit(self.data.__getitem__, int(i)))
                     for i in itertools.islice(indices, getattr(self.data, "max_queue_size", 10))]
            try:
                while ahead:
                    index, future = ahead.pop(0)
                    for i in itertools.islice(indices, 1):
                        ahead.append((int(i), pool.submit(self.data.__getitem__, int(i))))
                    yield self._checked(future.result(), index)
            finally:
                for _, future in ahead:
                    future.cancel()

    def _checked(self, batch, index):
        """``batch`` as a tuple of 1 to 3 arrays, through the model's checks."""
        if isinstance(batch, np.ndarray):
            batch = (batch,)
        elif isinstance(batch, list):
            batch = tuple(batch)
        if not isinstance(batch, tuple) or not 1 <= len(batch) <= 3:
            kind = f"a tuple of {len(batch)}" if isinstance(batch, tuple) else \
                f"a {type(batch).__name__}"
            raise ValueError(f"`{self.argument}` must give batches (x,), (x, y) or (x, y, "
                             f"sample_weight). Received {kind} as batch {index}.")
        try:
            return self.prepare(*batch)
        except ValueError as e:
            raise ValueError(f"In batch {index} of `{self.argument}`: {e}") from None
        except TypeError as e:
            raise TypeError(f"In batch {index} of `{self.argument}`: {e}") from None
