"""The metric contract and the shared mechanics every metric is built from.

:class:`Metric` is the contract (``update_state``, ``result``, ``reset_state``);
:class:`Mean` and :class:`Sum` keep weighted totals of values;
:class:`MeanMetricWrapper` averages a per-sample function, which is how most
metrics are made. The helpers below read ``y_true``, ``y_pred`` and
``sample_weight`` the way Keras does (its rank fix, its per-sample reduction)
and turn inputs that would give a wrong number into a ValueError naming the metric.
"""
import re
from abc import ABC, abstractmethod

import numpy as np

from .. import config, losses
from ..utils.registry import unique_name
from ..utils.validation import check_name

EPSILON = losses.EPSILON  # Keras's backend.epsilon(), 1e-7


def _snake_case(name):
    """Keras's snake case: ``"AUC"`` -> ``"auc"``, ``"KLDivergence"`` -> ``"kl_divergence"``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _divide(a, b):
    """``a / b`` elementwise, 0 where ``b == 0`` (Keras's ``divide_no_nan``)."""
    a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    return np.divide(a, b, out=np.zeros(a.shape), where=b != 0)


# -- shapes, labels and weights ------------------------------------------------------

def _same_rank(a, b):
    """Keras's rank fix: a trailing axis of length 1 on one side is matched on the other.

    ``(n,)`` next to ``(n, 1)`` gives ``(n, 1)`` twice; ``(n, k, 1)`` next to
    ``(n, k)`` gives ``(n, k)`` twice. Anything else is left as it is.
    """
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        return (a, b[..., None]) if b.ndim == 1 else (a[..., 0], b)
    if b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        return (a[..., None], b) if a.ndim == 1 else (a, b[..., 0])
    return a, b


def _pair(y_true, y_pred, metric, dtype=np.float64):
    """``y_true`` and ``y_pred`` as arrays of one shape (float64 unless ``dtype=None``),
    or a ValueError naming ``metric``."""
    t, p = np.asarray(y_true), np.asarray(y_pred)
    y_true, y_pred = _same_rank(t, p) if dtype is None else \
        _same_rank(t.astype(dtype, copy=False), p.astype(dtype, copy=False))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{metric} needs `y_true` and `y_pred` of the same shape. "
                         f"Received: y_true.shape={t.shape}, y_pred.shape={p.shape}")
    return y_true, y_pred


def _check_binary_labels(y_true, metric):
    """Binary metrics read labels as 0/1; a label outside [0, 1] means the wrong labels."""
    if y_true.size and (y_true.min() < 0 or y_true.max() > 1):
        bad = y_true[(y_true < 0) | (y_true > 1)].flat[0]
        raise ValueError(f"{metric} needs binary labels in [0, 1] in `y_true`. Received: "
                         f"y_true containing {bad:g}. For class indices use a categorical "
                         "metric, e.g. `sparse_categorical_accuracy`.")


def _check_classes(y_pred, metric):
    if y_pred.ndim < 2 or y_pred.shape[-1] < 2:
        raise ValueError(f"{metric} needs `y_pred` with one column per class, at least 2. "
                         f"Received: y_pred.shape={y_pred.shape}. For one sigmoid output "
                         "use `binary_accuracy`.")


def _class_indices(y_true, y_pred, metric, ignore_class=None):
    """Integer labels of ``y_pred.shape[:-1]`` (a trailing axis of 1 is dropped), checked.

    Labels equal to ``ignore_class`` are exempt from the range check.
    """
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        hint = (" One-hot labels? Use the categorical metric instead."
                if labels.shape == y_pred.shape else "")
        raise ValueError(f"{metric} needs integer class labels of shape {y_pred.shape[:-1]} "
                         f"or {y_pred.shape[:-1] + (1,)}. Received: "
                         f"y_true.shape={np.shape(y_true)}, y_pred.shape={y_pred.shape}.{hint}")
    checked = labels if ignore_class is None else labels[labels != ignore_class]
    if checked.size and (checked.min() < 0 or checked.max() >= y_pred.shape[-1]
                         or (checked.dtype.kind == "f" and (checked != np.round(checked)).any())):
        bad = checked[(checked < 0) | (checked >= y_pred.shape[-1])
                      | (checked != np.round(checked))]
        raise ValueError(f"{metric} needs integer class labels in [0, {y_pred.shape[-1]}). "
                         f"Received: y_true containing {bad.flat[0]:g}")
    return labels.astype(np.intp)


def _weights_like(sample_weight, shape, metric):
    """Per-entry weights of ``shape`` from a scalar or a ``(n,)``, ``(n, 1)`` or ``shape`` array."""
    w = np.asarray(sample_weight, dtype=np.float64)
    if 0 < w.ndim < len(shape):
        w = w.reshape(w.shape + (1,) * (len(shape) - w.ndim))
    elif w.ndim == len(shape) + 1 and w.shape[-1] == 1:
        w = w[..., 0]
    try:
        return np.broadcast_to(w, shape)
    except ValueError:
        raise ValueError(f"`sample_weight` for {metric} must have shape ({shape[0]},) or "
                         f"{tuple(shape)}. Received: sample_weight.shape="
                         f"{np.shape(sample_weight)}") from None


def _weighted_samples(values, sample_weight, reduce):
    """Keras's reduction of ``values`` and ``sample_weight`` to one (weighted) value per sample.

    Without weights, each sample's values are reduced (``np.mean`` or ``np.sum``)
    over their trailing axes. With weights, ``values`` is first reduced to the
    weights' rank, multiplied by them, and the weights are reduced like the values.

    Returns:
        ``(weighted values, weights or None)``, each of shape ``(n,)`` or ``()``.
    """
    values = np.asarray(values, dtype=np.float64)
    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=np.float64)
        values, weights = _same_rank(values, weights)
        if values.ndim > weights.ndim:
            values = reduce(values, axis=tuple(range(weights.ndim, values.ndim)))
        try:
            weights = np.broadcast_to(weights, values.shape)
        except ValueError:
            raise ValueError(f"`sample_weight` must have one weight per sample. Received: "
                             f"sample_weight.shape={np.shape(sample_weight)} for values of "
                             f"shape {values.shape}") from None
        values = values * weights
        if weights.ndim > 1:
            weights = reduce(weights, axis=tuple(range(1, weights.ndim)))
    if values.ndim > 1:
        values = values.reshape(len(values), -1)
        # One value per sample (a single output column) needs no reduction.
        values = values[:, 0] if values.shape[1] == 1 else reduce(values, axis=1)
    return values, weights


# -- base classes --------------------------------------------------------------------

class Metric(ABC):
    """Base class: a running summary with ``update_state``, ``result`` and ``reset_state``.

    ``metric(y_true, y_pred)`` updates the metric and returns the result. A subclass
    sets up its attributes, then calls ``super().__init__``, which calls
    ``reset_state()`` to create the running totals.

    Args:
        name: the key in the training logs. Default: the snake-case class name,
            made unique as Keras does (``auc``, ``auc_1``, ...).
        dtype: kept for Keras compatibility (it is in the config); the totals
            are float64 and results Python floats. Default ``config.floatx()``.

    Attributes:
        direction: ``"up"`` when larger values are better (accuracy, AUC, R²),
            ``"down"`` when smaller are (errors, cross-entropies), None when it
            depends (counts, means). Callbacks with ``mode="auto"`` can read it,
            as Keras's read ``_direction``.
    """

    direction = None

    def __init__(self, name=None, dtype=None):
        self.name = check_name(name) or unique_name(_snake_case(type(self).__name__))
        self.dtype = dtype or config.floatx()
        self.reset_state()

    @abstractmethod
    def update_state(self, y_true, y_pred, sample_weight=None):
        """Fold one batch into the running state."""

    @abstractmethod
    def result(self):
        """The summary of every batch since the last reset."""

    @abstractmethod
    def reset_state(self):
        """Forget every batch seen so far."""

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """The metric ``get_config`` describes, with no state (Keras's ``Metric.from_config``)."""
        return cls(**config)

    def _label(self):
        """How errors name this metric: its log name and its class."""
        return f"`{self.name}` ({type(self).__name__})"

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Mean(Metric):
    """Weighted mean of every value seen: ``result = sum(w * v) / sum(w)`` (0 before any data).

    A batch of values with several axes counts one value per sample (the mean
    over the other axes); a scalar counts as one sample. The fit loop logs the
    loss with it, passing each batch's mean loss with ``sample_weight=batch_size``.

    Args:
        name: default ``"mean"``.
        dtype: see :class:`Metric`.

    Example:
        >>> m = Mean()
        >>> m.update_state([1.0, 3.0]); m.update_state(5.0, sample_weight=2)
        >>> m.result()  # (1 + 3 + 2 * 5) / 4
        3.5
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        if np.isscalar(values) and (sample_weight is None or np.isscalar(sample_weight)):
            # One number, such as the batch loss the fit loop logs every step: no arrays.
            weight = 1.0 if sample_weight is None else float(sample_weight)
            self.total += float(values) * weight
            self.count += weight
            return
        values, weights = _weighted_samples(values, sample_weight, np.mean)
        self.total += float(np.sum(values))
        if weights is not None:
            self.count += float(np.sum(weights))
        else:
            self.count += len(values) if values.ndim else 1

    def result(self):
        return self.total / self.count if self.count else 0.0


class Sum(Metric):
    """Weighted sum of every value seen: ``result = sum(w * v)``.

    Args:
        name: default ``"sum"``.
        dtype: see :class:`Metric`.

    Example:
        >>> Sum()([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
        4.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        self.total += float(np.sum(_weighted_samples(values, sample_weight, np.sum)[0]))

    def result(self):
        return self.total


class MeanMetricWrapper(Mean):
    """Weighted mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    ``fn`` reduces the last axis (e.g. :func:`mean_squared_error`); any further
    axes are averaged per sample as in :class:`Mean`. Most metrics below are
    this class with a fixed ``fn``.

    Args:
        fn: the function, or the name of one in this module (as configs store it).
        name: default ``fn``'s name.
        dtype: see :class:`Metric`.
        **kwargs: passed on to ``fn`` (e.g. ``threshold``).

    Example:
        >>> MeanMetricWrapper("binary_accuracy", threshold=0.75)([[1], [0]], [[0.9], [0.8]])
        0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if isinstance(fn, str):  # a config names a function of the modules built on this one
            from . import _metric_function
            fn = _metric_function(fn)
        self.fn = fn
        self.fn_kwargs = kwargs
        super().__init__(name=name or getattr(self.fn, "__name__", None), dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self.fn_kwargs), sample_weight)

    def get_config(self):
        config = {**super().get_config(), **self.fn_kwargs}
        if type(self) is MeanMetricWrapper:  # subclasses fix `fn` themselves
            config["fn"] = self.fn.__name__
        return config
