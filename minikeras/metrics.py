"""Metrics: running summaries of a model's predictions, updated batch by batch.

A metric is stateful, as in Keras: ``update_state(y_true, y_pred, sample_weight)``
folds one batch into running totals, ``result()`` reads the summary of everything
seen since the last ``reset_state()`` (the fit loop resets at every epoch), and
calling the metric does both. Keeping totals instead of averaging batch results
makes an epoch's value exact when the last batch is smaller, and keeps the memory
fixed however many batches are seen.

Three mechanisms serve every metric here:

* **Means of a per-sample value** (accuracies, regression errors, cross-entropies,
  hinges): a function ``fn(y_true, y_pred)`` that reduces the last axis, wrapped
  by :class:`MeanMetricWrapper`, which keeps ``sum(w * v)`` and ``sum(w)``.
* **Confusion counts at thresholds** (true/false positives/negatives, precision,
  recall, AUC, precision at recall, ...): the weighted number of outputs with
  ``y_pred > t`` and ``y_true != 0`` (and the other three cells) at each
  threshold ``t``, from one histogram per batch (:func:`confusion_counts`).
* **Per-column sums** (F-scores, R²): totals per output column, combined in ``result()``.

Values match Keras 3 on the same inputs; tests/test_metrics_keras.py checks that
against real Keras. Totals are float64 where Keras keeps float32, so results may
differ from Keras's in the 7th significant digit. ``result()`` returns a Python
float, or a numpy array where Keras returns one value per threshold or per class.

:func:`get` resolves Keras's names (``"mae"``, ``"AUC"``, ``"f1_score"``, ...).
``"accuracy"`` and ``"acc"`` follow Keras 3's rule on the shapes of ``y_true`` and
``y_pred``: one output column gives binary accuracy, integer labels sparse
categorical accuracy, one-hot labels categorical accuracy. A metric asked for by a
string is named by that string, which is its key in the training logs.
"""
import re
import warnings
from abc import ABC, abstractmethod

import numpy as np

from . import config, losses
from .utils.registry import find_custom_object, resolve, unique_name

EPSILON = losses.EPSILON  # Keras's backend.epsilon(), 1e-7
# The threshold Precision and Recall use when `top_k` alone decides what is
# predicted positive: every kept entry is above it.
NEG_INF = -1e10


def _snake_case(name):
    """Keras's snake case: ``"AUC"`` -> ``"auc"``, ``"KLDivergence"`` -> ``"kl_divergence"``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _divide(a, b):
    """``a / b`` elementwise, 0 where ``b == 0`` (Keras's ``divide_no_nan``)."""
    a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    return np.divide(a, b, out=np.zeros(a.shape), where=b != 0)


def _check_fraction(value, argument, low_open=False):
    """A number in [0, 1] (or (0, 1] with ``low_open``), with the argument named."""
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and (
        0 < value <= 1 if low_open else 0 <= value <= 1)
    if not ok:
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"`{argument}` must be a number in {interval}. "
                         f"Received: {argument}={value!r}")
    return value


def _check_choice(value, choices, argument):
    if value not in choices:
        raise ValueError(f"`{argument}` must be one of {list(choices)}. "
                         f"Received: {argument}={value!r}")
    return value


def _check_positive_int(value, argument, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{argument}` must be an integer >= {minimum}. "
                         f"Received: {argument}={value!r}")
    return int(value)


# -- shapes, labels and weights ---------------------------------------------------------


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
        bad = checked[(checked < 0) | (checked >= y_pred.shape[-1]) | (checked != np.round(checked))]
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


# -- base classes -----------------------------------------------------------------------


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
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or unique_name(_snake_case(type(self).__name__))
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
        >>> MeanMetricWrapper(binary_accuracy, threshold=0.75)([[1], [0]], [[0.9], [0.8]])
        0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self.fn = _metric_function(fn) if isinstance(fn, str) else fn
        self.fn_kwargs = kwargs
        super().__init__(name=name or getattr(self.fn, "__name__", None), dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self.fn_kwargs), sample_weight)

    def get_config(self):
        config = {**super().get_config(), **self.fn_kwargs}
        if type(self) is MeanMetricWrapper:  # subclasses fix `fn` themselves
            config["fn"] = self.fn.__name__
        return config


# -- per-sample functions ---------------------------------------------------------------


def accuracy(y_true, y_pred):
    """Per entry: 1.0 where ``y_pred == y_true`` exactly, else 0.0 (for predicted labels)."""
    y_true, y_pred = _pair(y_true, y_pred, "`accuracy`")
    return (y_true == y_pred).astype(np.float64)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per entry: 1.0 where ``(y_pred > threshold)`` equals the 0/1 label, else 0.0."""
    y_true, y_pred = _pair(y_true, y_pred, "`binary_accuracy`", dtype=None)
    _check_binary_labels(y_true, "`binary_accuracy`")
    return (y_true == (y_pred > threshold)).astype(np.float64)


def categorical_accuracy(y_true, y_pred):
    """Per sample: 1.0 where ``argmax(y_pred) == argmax(y_true)`` (one-hot labels), else 0.0."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    _check_classes(y_pred, "`categorical_accuracy`")
    if y_true.shape != y_pred.shape:
        raise ValueError("`categorical_accuracy` needs one-hot `y_true` of the same shape as "
                         f"`y_pred`. Received: y_true.shape={y_true.shape}, y_pred.shape="
                         f"{y_pred.shape}. For integer class labels use "
                         "`sparse_categorical_accuracy`.")
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true, y_pred):
    """Per sample: 1.0 where ``argmax(y_pred)`` equals the integer label, else 0.0."""
    y_pred = np.asarray(y_pred)
    _check_classes(y_pred, "`sparse_categorical_accuracy`")
    labels = _class_indices(y_true, y_pred, "`sparse_categorical_accuracy`")
    return (np.argmax(y_pred, axis=-1) == labels).astype(np.float64)


def _in_top_k(labels, y_pred, k):
    """True where the label's score is at least the k-th largest score of its row (ties count)."""
    classes = y_pred.shape[-1]
    if k >= classes:
        return np.ones(labels.shape, dtype=bool)
    kth_largest = np.partition(y_pred, classes - k, axis=-1)[..., classes - k]
    return np.take_along_axis(y_pred, labels[..., None], axis=-1)[..., 0] >= kth_largest


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Per sample: 1.0 where the one-hot label's class is among the ``k`` top scores."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    _check_classes(y_pred, "`top_k_categorical_accuracy`")
    if y_true.shape != y_pred.shape:
        raise ValueError("`top_k_categorical_accuracy` needs one-hot `y_true` of the same shape "
                         f"as `y_pred`. Received: y_true.shape={y_true.shape}, "
                         f"y_pred.shape={y_pred.shape}. For integer class labels use "
                         "`sparse_top_k_categorical_accuracy`.")
    return _in_top_k(np.argmax(y_true, axis=-1), y_pred, k).astype(np.float64)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """Per sample: 1.0 where the integer label is among the ``k`` top scores.

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by score
    (best first) instead of scores, and the label is looked for in its first ``k``.
    """
    y_pred = np.asarray(y_pred)
    if from_sorted_ids:
        labels = np.asarray(y_true)
        if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
            labels = labels[..., 0]
        return np.any(y_pred[..., :k] == labels[..., None], axis=-1).astype(np.float64)
    _check_classes(y_pred, "`sparse_top_k_categorical_accuracy`")
    labels = _class_indices(y_true, y_pred, "`sparse_top_k_categorical_accuracy`")
    return _in_top_k(labels, y_pred, k).astype(np.float64)


def _kind_by_shape(y_true, y_pred):
    """Keras 3's reading of labels from shapes: ``"binary"``, ``"sparse"`` or ``"categorical"``.

    One output column (or a 1-D ``y_pred``) is binary; labels with fewer axes than
    ``y_pred``, or with one column against several, are class indices; labels
    shaped like ``y_pred`` are one-hot.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.ndim < 2 or y_pred.shape[-1] == 1:
        return "binary"
    if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
        return "sparse"
    return "categorical"


def _accuracy_by_shape(y_true, y_pred):
    """What ``"accuracy"`` means in Keras 3: binary, sparse or categorical accuracy by shapes."""
    kind = _kind_by_shape(y_true, y_pred)
    fn = {"binary": binary_accuracy, "sparse": sparse_categorical_accuracy,
          "categorical": categorical_accuracy}[kind]
    return fn(y_true, y_pred)


# The losses' per-sample values are the metrics' values: one home for the math.
_SQUARED_ERROR, _ABSOLUTE_ERROR, _LOG_COSH = (
    losses.MeanSquaredError(), losses.MeanAbsoluteError(), losses.LogCosh())


def mean_squared_error(y_true, y_pred):
    """Per sample: ``mean((y_pred - y_true)**2)`` over the last axis."""
    return _SQUARED_ERROR.call(*_pair(y_true, y_pred, "`mean_squared_error`"))


def mean_absolute_error(y_true, y_pred):
    """Per sample: ``mean(|y_pred - y_true|)`` over the last axis."""
    return _ABSOLUTE_ERROR.call(*_pair(y_true, y_pred, "`mean_absolute_error`"))


def mean_absolute_percentage_error(y_true, y_pred):
    """Per sample: ``100 mean(|y_true - y_pred| / max(|y_true|, 1e-7))`` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred, "`mean_absolute_percentage_error`")
    return 100.0 * np.mean(np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), EPSILON), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per sample: ``mean((log(1 + max(y_pred, eps)) - log(1 + max(y_true, eps)))**2)``."""
    y_true, y_pred = _pair(y_true, y_pred, "`mean_squared_logarithmic_error`")
    diff = np.log1p(np.maximum(y_pred, EPSILON)) - np.log1p(np.maximum(y_true, EPSILON))
    return np.mean(diff * diff, axis=-1)


def log_cosh(y_true, y_pred):
    """Per sample: ``mean(log(cosh(y_pred - y_true)))``, computed without overflow."""
    return _LOG_COSH.call(*_pair(y_true, y_pred, "`log_cosh`"))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per sample: ``sum(y_true * y_pred) / (|y_true| |y_pred|)`` along ``axis``.

    Each norm is taken as at least 1e-7, so an all-zero row gives 0, not NaN.
    """
    y_true, y_pred = _pair(y_true, y_pred, "`cosine_similarity`")
    unit_true = y_true / np.maximum(np.linalg.norm(y_true, axis=axis, keepdims=True), EPSILON)
    unit_pred = y_pred / np.maximum(np.linalg.norm(y_pred, axis=axis, keepdims=True), EPSILON)
    return np.sum(unit_true * unit_pred, axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per sample: the binary cross-entropy of :class:`minikeras.losses.BinaryCrossentropy`."""
    y_true, y_pred = _pair(y_true, y_pred, "`binary_crossentropy`")
    _check_binary_labels(y_true, "`binary_crossentropy`")
    loss = losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing,
                                     axis=axis)
    return loss.call(y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per sample: the cross-entropy of :class:`minikeras.losses.CategoricalCrossentropy`."""
    y_true, y_pred = _pair(y_true, y_pred, "`categorical_crossentropy`")
    loss = losses.CategoricalCrossentropy(from_logits=from_logits,
                                          label_smoothing=label_smoothing, axis=axis)
    return loss.call(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Per sample: the cross-entropy of integer labels, as in
    :class:`minikeras.losses.SparseCategoricalCrossentropy`; 0 where the label is ``ignore_class``.
    """
    y_pred = np.moveaxis(np.asarray(y_pred, dtype=np.float64), axis, -1)
    labels = _class_indices(y_true, y_pred, "`sparse_categorical_crossentropy`", ignore_class)
    ignored = None if ignore_class is None else labels == ignore_class
    if ignored is not None:
        labels = np.where(ignored, 0, labels)
    flat_pred = y_pred.reshape(-1, y_pred.shape[-1])
    values = losses.SparseCategoricalCrossentropy(from_logits=from_logits).call(
        labels.reshape(-1), flat_pred).reshape(labels.shape)
    return values if ignored is None else np.where(ignored, 0.0, values)


def _crossentropy_by_shape(y_true, y_pred):
    """``"crossentropy"`` read as Keras 3 reads the loss: binary, sparse or categorical by shapes."""
    kind = _kind_by_shape(y_true, y_pred)
    fn = {"binary": binary_crossentropy, "sparse": sparse_categorical_crossentropy,
          "categorical": categorical_crossentropy}[kind]
    return fn(y_true, y_pred)


def kl_divergence(y_true, y_pred):
    """Per sample: ``sum(y_true log(y_true / y_pred))``, both clipped to ``[1e-7, 1]``."""
    y_true, y_pred = _pair(y_true, y_pred, "`kl_divergence`")
    y_true, y_pred = np.clip(y_true, EPSILON, 1), np.clip(y_pred, EPSILON, 1)
    return np.sum(y_true * np.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Per sample: ``mean(y_pred - y_true log(y_pred + 1e-7))`` (for non-negative rates)."""
    y_true, y_pred = _pair(y_true, y_pred, "`poisson`")
    return np.mean(y_pred - y_true * np.log(y_pred + EPSILON), axis=-1)


def _hinge_labels(y_true):
    """Keras's hinge labels: 0/1 become -1/1 when every label is 0 or 1; else used as given."""
    return 2.0 * y_true - 1.0 if np.all((y_true == 0) | (y_true == 1)) else y_true


def hinge(y_true, y_pred):
    """Per sample: ``mean(max(1 - y_true y_pred, 0))`` with labels -1/1 (0/1 converted)."""
    y_true, y_pred = _pair(y_true, y_pred, "`hinge`")
    return np.mean(np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """Per sample: ``mean(max(1 - y_true y_pred, 0)**2)`` with labels -1/1 (0/1 converted)."""
    y_true, y_pred = _pair(y_true, y_pred, "`squared_hinge`")
    return np.mean(np.square(np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """Per sample: ``max(max((1 - y_true) y_pred) - sum(y_true y_pred) + 1, 0)`` (one-hot labels)."""
    y_true, y_pred = _pair(y_true, y_pred, "`categorical_hinge`")
    positive = np.sum(y_true * y_pred, axis=-1)
    negative = np.max((1.0 - y_true) * y_pred, axis=-1)
    return np.maximum(negative - positive + 1.0, 0.0)


# -- means of per-sample functions --------------------------------------------------------


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly (for predicted labels, not scores).

    Example:
        >>> Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``(y_pred > threshold)`` matches the 0/1 label, averaged over outputs and samples.

    Args:
        name: default ``"binary_accuracy"``.
        dtype: see :class:`Metric`.
        threshold: probabilities above it count as class 1. Default 0.5.

    Example:
        >>> BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class, ``argmax(y_pred)``, is the one-hot label's class.

    Example:
        >>> CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class, ``argmax(y_pred)``, equals the integer label.

    Example:
        >>> SparseCategoricalAccuracy()([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        0.5
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` highest scores (ties count).

    Args:
        k: how many top scores to look at. Default 5.

    Example:
        >>> TopKCategoricalAccuracy(k=1)([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype,
                         k=_check_positive_int(k, "k"))


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest scores (ties count).

    Args:
        k: how many top scores to look at. Default 5.
        from_sorted_ids: ``y_pred`` holds class ids sorted best first, not scores.
            Default False.

    Example:
        >>> SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype,
                         k=_check_positive_int(k, "k"), from_sorted_ids=from_sorted_ids)

    def get_config(self):
        config = super().get_config()
        if not config["from_sorted_ids"]:  # Keras writes it only when set
            del config["from_sorted_ids"]
        return config


class MeanSquaredError(MeanMetricWrapper):
    """Mean of ``(y_pred - y_true)**2`` over outputs and samples.

    Example:
        >>> MeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        0.25
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """Square root of the (weighted) mean of ``(y_pred - y_true)**2`` over every entry seen.

    Example:
        >>> RootMeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])  # sqrt(1 / 4)
        0.5
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _pair(y_true, y_pred, self._label())
        super().update_state(np.square(y_pred - y_true), sample_weight)

    def result(self):
        return float(np.sqrt(super().result()))


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of ``|y_pred - y_true|`` over outputs and samples.

    Example:
        >>> MeanAbsoluteError()([[0, 1], [0, 0]], [[2, 1], [0, -1]])
        0.75
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Mean of ``100 |y_true - y_pred| / max(|y_true|, 1e-7)``, in percent.

    Example:
        >>> MeanAbsolutePercentageError()([[2.0], [4.0]], [[1.0], [5.0]])  # (50 + 25) / 2
        37.5
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Mean of ``(log(1 + y_pred) - log(1 + y_true))**2`` (negative values count as 1e-7).

    Example:
        >>> round(MeanSquaredLogarithmicError()([[0.0], [np.e - 1]], [[0.0], [0.0]]), 6)
        0.5
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """Mean of ``log(cosh(y_pred - y_true))``: squared error for small errors, absolute for large.

    Example:
        >>> round(LogCoshError()([[0.0, 1.0]], [[1.0, 1.0]]), 6)  # log(cosh(1)) / 2
        0.21689
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine of the angle between ``y_true`` and ``y_pred`` along ``axis``.

    Args:
        axis: the axis holding the vectors. Default -1.

    Example:
        >>> round(CosineSimilarity()([[0, 1], [1, 1]], [[1, 0], [1, 1]]), 6)  # (0 + 1) / 2
        0.5
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class BinaryCrossentropy(MeanMetricWrapper):
    """Mean binary cross-entropy, the value :class:`minikeras.losses.BinaryCrossentropy` gives.

    Args:
        from_logits: whether ``y_pred`` holds logits. Default False.
        label_smoothing: in ``[0, 1]``; labels become ``y (1 - s) + s / 2``. Default 0.

    Example:
        >>> round(BinaryCrossentropy()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]), 4)
        0.8149
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=_check_fraction(label_smoothing, "label_smoothing"))


class CategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical cross-entropy of one-hot (or soft) labels.

    Args:
        from_logits: whether ``y_pred`` holds logits. Default False.
        label_smoothing: in ``[0, 1]``; labels become ``y (1 - s) + s / K``. Default 0.
        axis: the class axis. Default -1.

    Example:
        >>> round(CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]],
        ...                                 [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 4)
        1.1769
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits,
                         label_smoothing=_check_fraction(label_smoothing, "label_smoothing"),
                         axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical cross-entropy of integer labels.

    Args:
        from_logits: whether ``y_pred`` holds logits. Default False.
        ignore_class: a label value to leave out of the mean (e.g. padding). Default None.
        axis: the class axis. Default -1.

    Example:
        >>> round(SparseCategoricalCrossentropy()([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 4)
        1.1769
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)

    def update_state(self, y_true, y_pred, sample_weight=None):
        ignore_class = self.fn_kwargs["ignore_class"]
        if ignore_class is not None:
            # Ignored labels weigh 0, so they leave the count as well as the total.
            labels = np.asarray(y_true)
            if labels.ndim == np.ndim(y_pred) and labels.shape[-1] == 1:
                labels = labels[..., 0]
            kept = (labels != ignore_class).astype(np.float64)
            sample_weight = kept if sample_weight is None else \
                np.multiply(*_same_rank(kept, np.asarray(sample_weight, np.float64)))
        super().update_state(y_true, y_pred, sample_weight)


class KLDivergence(MeanMetricWrapper):
    """Mean Kullback-Leibler divergence ``sum(y_true log(y_true / y_pred))`` (clipped to [1e-7, 1]).

    Example:
        >>> round(KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]]), 4)
        0.1438
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """Mean Poisson deviance term ``y_pred - y_true log(y_pred)`` (for counts and rates).

    Example:
        >>> round(Poisson()([[1.0], [0.0]], [[1.0], [2.0]]), 4)  # (1 - 0 + 2) / 2
        1.5
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name=name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    """Mean hinge loss ``max(1 - y_true y_pred, 0)`` with labels -1/1 (0/1 converted).

    Example:
        >>> Hinge()([[1], [0]], [[0.5], [0.5]])  # (0.5 + 1.5) / 2
        1.0
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """Mean of ``max(1 - y_true y_pred, 0)**2`` with labels -1/1 (0/1 converted).

    Example:
        >>> SquaredHinge()([[1], [0]], [[0.5], [0.5]])  # (0.25 + 2.25) / 2
        1.25
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """Mean of ``max(best wrong score - true class score + 1, 0)`` for one-hot labels.

    Example:
        >>> CategoricalHinge()([[0, 1], [1, 0]], [[0.2, 0.7], [0.4, 0.6]])  # (0.5 + 1.2) / 2
        0.85
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)


# -- confusion counts at thresholds -------------------------------------------------------


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None,
                     class_id=None, multi_label=False, label_weights=None, metric="the metric"):
    """Weighted true/false positives/negatives at each threshold, from one histogram.

    An entry is predicted positive at threshold ``t`` when ``y_pred > t`` and is
    truly positive when ``y_true != 0``. Each entry's index ``c`` = (number of
    thresholds below ``y_pred``) says it is predicted positive at exactly the
    ``c`` lowest thresholds; so with ``h[c]`` the summed weight of positive entries
    with index ``c``, ``TP(t_i) = sum_{c > i} h[c]`` is a reverse cumulative sum,
    and ``FN = P - TP`` with ``P`` the total positive weight (the same for FP, TN).
    That costs ``O(N log T + T)`` time and ``O(T)`` memory for ``N`` entries and
    ``T`` thresholds, whatever their spacing.

    Args:
        y_true: 0/1 labels, the shape of ``y_pred`` (Keras's rank fix applies).
        y_pred: scores; every entry counts, flattened unless ``multi_label``.
        thresholds: 1-D sequence, any order.
        sample_weight: broadcastable to ``y_pred`` (``(n,)`` weighs whole samples).
        top_k: only the ``k`` largest entries of each row may be positive.
        class_id: count only this column (after ``top_k``).
        multi_label: count each column of a 2-D ``y_pred`` separately.
        label_weights: per-column weights, multiplied into the weights.
        metric: the name errors use.

    Returns:
        ``(tp, fp, tn, fn)``, each of shape ``(T,)``, or ``(T, columns)`` with ``multi_label``.
    """
    t, p = np.asarray(y_true), np.asarray(y_pred)
    y_true, y_pred = _same_rank(t, p.astype(np.float64, copy=False))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{metric} needs `y_true` and `y_pred` of the same shape. "
                         f"Received: y_true.shape={t.shape}, y_pred.shape={p.shape}")
    _check_binary_labels(y_true, metric)
    weights = None if sample_weight is None else _weights_like(sample_weight, y_pred.shape, metric)
    if top_k is not None:
        kept = np.full(y_pred.shape, -np.inf)
        top = np.argpartition(y_pred, -top_k, axis=-1)[..., -top_k:] \
            if top_k < y_pred.shape[-1] else np.indices(y_pred.shape)[-1]
        np.put_along_axis(kept, top, np.take_along_axis(y_pred, top, axis=-1), axis=-1)
        y_pred = kept
    if class_id is not None:
        if y_pred.ndim < 2 or not 0 <= class_id < y_pred.shape[-1]:
            raise ValueError(f"`class_id`={class_id} needs `y_pred` of shape (batch, classes) "
                             f"with more than {class_id} classes. Received: "
                             f"y_pred.shape={y_pred.shape}")
        y_true, y_pred = y_true[..., class_id:class_id + 1], y_pred[..., class_id:class_id + 1]
        weights = None if weights is None else weights[..., class_id:class_id + 1]
    if label_weights is not None:
        weights = np.broadcast_to(label_weights, y_pred.shape) * (1.0 if weights is None else weights)
    columns = y_pred.shape[-1] if multi_label else 1
    if multi_label and y_pred.ndim != 2:
        raise ValueError(f"{metric} with `multi_label=True` needs `y_pred` of shape "
                         f"(batch, labels). Received: y_pred.shape={y_pred.shape}")
    positive = (y_true != 0).reshape(-1, columns)
    if weights is None:
        pos_weights, neg_weights = positive, ~positive
    else:
        weights = weights.reshape(-1, columns)
        pos_weights, neg_weights = weights * positive, weights * ~positive

    thresholds = np.asarray(thresholds, dtype=np.float64)
    order = np.argsort(thresholds, kind="stable")
    below = np.searchsorted(thresholds[order], y_pred.reshape(-1, columns), side="left")
    cells = (below * columns + np.arange(columns)).ravel()
    size = (len(thresholds) + 1) * columns

    def predicted_positive(w):
        histogram = np.bincount(cells, weights=w.ravel(), minlength=size)
        histogram = histogram.reshape(len(thresholds) + 1, columns)
        at_sorted = np.cumsum(histogram[::-1], axis=0)[::-1][1:]  # sum over c > i
        counts = np.empty_like(at_sorted)
        counts[order] = at_sorted
        return counts

    tp, fp = predicted_positive(pos_weights), predicted_positive(neg_weights)
    fn, tn = pos_weights.sum(axis=0) - tp, neg_weights.sum(axis=0) - fp
    if not multi_label:
        tp, fp, tn, fn = tp[:, 0], fp[:, 0], tn[:, 0], fn[:, 0]
    return tp, fp, tn, fn


class _ConfusionMetric(Metric):
    """Base of the metrics read from confusion counts at a list of thresholds.

    A subclass sets ``self._thresholds`` (and ``top_k``, ``class_id``) before
    calling ``super().__init__`` and combines the counts in ``result``.

    Attributes:
        true_positives, false_positives, true_negatives, false_negatives: the
            weighted counts at each threshold, arrays of shape ``(T,)``.
    """

    top_k = class_id = None

    def reset_state(self):
        shape = (len(self._thresholds),)
        self.true_positives, self.false_positives = np.zeros(shape), np.zeros(shape)
        self.true_negatives, self.false_negatives = np.zeros(shape), np.zeros(shape)

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, fp, tn, fn = confusion_counts(y_true, y_pred, self._thresholds, sample_weight,
                                          top_k=self.top_k, class_id=self.class_id,
                                          metric=self._label())
        self.true_positives = self.true_positives + tp
        self.false_positives = self.false_positives + fp
        self.true_negatives = self.true_negatives + tn
        self.false_negatives = self.false_negatives + fn

    def _per_threshold(self, values):
        """One float for one threshold, else the array (as Keras returns them)."""
        return float(values[0]) if len(values) == 1 else values

    def _recall(self):
        return _divide(self.true_positives, self.true_positives + self.false_negatives)

    def _precision(self):
        return _divide(self.true_positives, self.true_positives + self.false_positives)

    def _specificity(self):
        return _divide(self.true_negatives, self.true_negatives + self.false_positives)


def _parse_thresholds(thresholds, default):
    """A list of floats in [0, 1] from None (the default), a number or a sequence."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    if not values:
        raise ValueError("`thresholds` must not be empty. Received: thresholds=[]")
    for value in values:
        _check_fraction(value, "thresholds")
    return [float(v) for v in values]


class _ConfusionCount(_ConfusionMetric):
    """One confusion count (named by ``_counted``) at each threshold."""

    _counted = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self._thresholds = np.array(self.thresholds)
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return self._per_threshold(getattr(self, self._counted))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """Weighted count of outputs with ``y_pred > threshold`` and label 1.

    Args:
        thresholds: a number in [0, 1] or a list of them; a list gives one count
            per threshold. Default 0.5.
        name: default ``"true_positives"`` (made unique).

    Example:
        >>> TruePositives(name="tp")([0, 1, 1, 1], [1, 0, 1, 1])
        2.0
    """

    _counted = "true_positives"


class FalsePositives(_ConfusionCount):
    """Weighted count of outputs with ``y_pred > threshold`` and label 0.

    Args: as :class:`TruePositives`.

    Example:
        >>> FalsePositives(name="fp", thresholds=[0.0, 0.5])([0, 0, 1, 1], [0.2, 0.7, 0.4, 0.9])
        array([2., 1.])
    """

    _counted = "false_positives"


class TrueNegatives(_ConfusionCount):
    """Weighted count of outputs with ``y_pred <= threshold`` and label 0.

    Args: as :class:`TruePositives`.

    Example:
        >>> TrueNegatives(name="tn")([0, 1, 0, 0], [0, 0, 1, 0])
        2.0
    """

    _counted = "true_negatives"


class FalseNegatives(_ConfusionCount):
    """Weighted count of outputs with ``y_pred <= threshold`` and label 1.

    Args: as :class:`TruePositives`.

    Example:
        >>> FalseNegatives(name="fn")([0, 1, 1, 1], [0, 1, 0, 0])
        2.0
    """

    _counted = "false_negatives"


class _PrecisionOrRecall(_ConfusionMetric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.top_k = None if top_k is None else _check_positive_int(top_k, "top_k")
        self.class_id = None if class_id is None else _check_positive_int(class_id, "class_id", 0)
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._thresholds = np.array(self.thresholds)
        super().__init__(name=name, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionOrRecall):
    """Of the outputs predicted positive, the share truly positive: ``TP / (TP + FP)`` (0 if none).

    Args:
        thresholds: a number in [0, 1] or a list of them (one result each);
            ``y_pred`` above it is a positive prediction. Default 0.5, or with
            ``top_k`` no threshold at all.
        top_k: only the ``k`` highest scores of each sample may count as positive.
        class_id: look only at this column of ``y_pred`` (one class of several).
        name: default ``"precision"`` (made unique).

    Example:
        >>> round(Precision(name="p")([0, 1, 1, 1], [1, 0, 1, 1]), 4)  # TP 2, FP 1
        0.6667
    """

    def result(self):
        return self._per_threshold(self._precision())


class Recall(_PrecisionOrRecall):
    """Of the truly positive outputs, the share predicted positive: ``TP / (TP + FN)`` (0 if none).

    Args: as :class:`Precision`; default name ``"recall"``.

    Example:
        >>> round(Recall(name="r")([0, 1, 1, 1], [1, 0, 1, 1]), 4)  # TP 2, FN 1
        0.6667
    """

    def result(self):
        return self._per_threshold(self._recall())


class _AtConstraint(_ConfusionMetric):
    """The best value of one rate among the thresholds where another rate reaches ``value``.

    ``num_thresholds`` thresholds spaced evenly over [0, 1] (just 0.5 for one).
    A subclass names its constraint (``_constraint``) and gives ``_curve()``:
    (the constrained rate, the rate to maximise), each an array over thresholds.
    """

    _constraint = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.value = _check_fraction(value, self._constraint)
        self.num_thresholds = _check_positive_int(num_thresholds, "num_thresholds")
        self.class_id = None if class_id is None else _check_positive_int(class_id, "class_id", 0)
        self._thresholds = (np.array([0.5]) if num_thresholds == 1
                            else np.arange(num_thresholds) / (num_thresholds - 1))
        super().__init__(name=name, dtype=dtype)

    def result(self):
        constrained, rate = self._curve()
        return float(np.max(np.where(constrained >= self.value, rate, 0.0), initial=0.0))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._constraint: self.value}


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) at a threshold whose specificity is at least ``specificity``.

    Specificity is ``TN / (TN + FP)``, sensitivity ``TP / (TP + FN)``.

    Args:
        specificity: in [0, 1].
        num_thresholds: how many thresholds, evenly spaced over [0, 1]. Default 200.
        class_id: look only at this column of ``y_pred``.

    Example:
        >>> SensitivityAtSpecificity(0.5, name="s")([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        0.5
    """

    _constraint = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def _curve(self):
        return self._specificity(), self._recall()


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity at a threshold whose sensitivity (recall) is at least ``sensitivity``.

    Args: as :class:`SensitivityAtSpecificity`, with ``sensitivity`` in [0, 1].

    Example:
        >>> round(SpecificityAtSensitivity(0.5, name="s")([0, 0, 0, 1, 1],
        ...                                                [0, 0.3, 0.8, 0.3, 0.8]), 4)
        0.6667
    """

    _constraint = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def _curve(self):
        return self._recall(), self._specificity()


class PrecisionAtRecall(_AtConstraint):
    """The best precision at a threshold whose recall is at least ``recall``.

    Args: as :class:`SensitivityAtSpecificity`, with ``recall`` in [0, 1].

    Example:
        >>> PrecisionAtRecall(0.5, name="p")([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        1.0
    """

    _constraint = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def _curve(self):
        return self._recall(), self._precision()


class RecallAtPrecision(_AtConstraint):
    """The best recall at a threshold whose precision is at least ``precision``.

    Args: as :class:`SensitivityAtSpecificity`, with ``precision`` in [0, 1].

    Example:
        >>> RecallAtPrecision(0.8, name="r")([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        0.5
    """

    _constraint = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def _curve(self):
        return self._precision(), self._recall()


class AUC(_ConfusionMetric):
    """Area under the ROC or precision-recall curve, from confusion counts at fixed thresholds.

    The curve is known at ``T`` thresholds ``t_0 < ... < t_{T-1}`` (by default
    ``-1e-7, 1/(T-1), ..., (T-2)/(T-1), 1 + 1e-7``, so the end points are
    "everything positive" and "nothing positive"); memory stays ``O(T)`` however
    much data is seen. With ``x`` and ``y`` the curve's coordinates at each
    threshold (ROC: false-positive rate and recall; PR: recall and precision),
    the area is a Riemann sum ``sum_i (x_i - x_{i+1}) h_i`` with the height
    ``h_i`` the mean (``"interpolation"``), smaller (``"minoring"``) or larger
    (``"majoring"``) of ``y_i`` and ``y_{i+1}``. The PR curve with
    ``"interpolation"`` instead interpolates the true positives linearly in the
    number of predicted positives ``P`` (Davis & Goadrich, 2006): between two
    thresholds ``TP = a P + b``, so precision is ``a + b / P`` and the slice's area
    is ``a (dTP + b log(P_i / P_{i+1})) / (TP + FN)``.

    Scores are clipped to [0, 1], as Keras does, with a warning: scores outside
    it usually mean logits passed without ``from_logits=True``.

    Args:
        num_thresholds: how many thresholds, at least 2. Default 200.
        curve: ``"ROC"`` or ``"PR"``. Default ``"ROC"``.
        summation_method: ``"interpolation"``, ``"minoring"`` or ``"majoring"``.
        name: default ``"auc"`` (made unique).
        dtype: see :class:`Metric`.
        thresholds: the inner thresholds to use instead of evenly spaced ones;
            ``-1e-7`` and ``1 + 1e-7`` are added at the ends.
        multi_label: compute one area per column of a 2-D ``y_pred`` and average
            them, instead of treating every entry as one (label, score) pair.
        num_labels: the number of columns with ``multi_label`` (else taken from
            the first batch).
        label_weights: per-column weights: for the counts, or, with
            ``multi_label``, for the average of the areas.
        from_logits: ``y_pred`` holds logits; a sigmoid turns them into scores.

    Example:
        >>> AUC(name="auc_doc")([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])  # 3 of 4 pairs ranked right
        0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self.curve = _check_choice(str(curve).upper(), ("ROC", "PR"), "curve")
        self.summation_method = _check_choice(str(summation_method).lower(),
                                              ("interpolation", "minoring", "majoring"),
                                              "summation_method")
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, None))
            self.num_thresholds = len(inner) + 2
        else:
            self.num_thresholds = _check_positive_int(num_thresholds, "num_thresholds", 2)
            inner = [(i + 1) / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
        self.thresholds = [-EPSILON] + inner + [1.0 + EPSILON]
        self._thresholds = np.array(self.thresholds)
        if num_labels is not None and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True. "
                             f"Received: num_labels={num_labels!r}, multi_label=False")
        self.multi_label = bool(multi_label)
        self.num_labels = None if num_labels is None else _check_positive_int(num_labels,
                                                                              "num_labels")
        self.label_weights = None if label_weights is None else \
            np.asarray(label_weights, dtype=np.float64)
        self.from_logits = from_logits
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        if not self.multi_label:
            return super().reset_state()
        # With multi_label the counts have one column per label: known from
        # `num_labels` or else from the first batch.
        shape = None if self.num_labels is None else (self.num_thresholds, self.num_labels)
        zeros = (lambda: None) if shape is None else (lambda: np.zeros(shape))
        self.true_positives, self.false_positives = zeros(), zeros()
        self.true_negatives, self.false_negatives = zeros(), zeros()

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred, dtype=np.float64)
        if self.from_logits:
            y_pred = 0.5 * (1.0 + np.tanh(0.5 * y_pred))  # sigmoid, without overflow
        elif y_pred.size and (y_pred.min() < 0 or y_pred.max() > 1):
            warnings.warn(f"`{self.name}` (AUC) received `y_pred` outside [0, 1] and clips it, "
                          "as Keras does. Pass `from_logits=True` if `y_pred` holds logits.",
                          stacklevel=2)
        y_pred = np.clip(y_pred, 0.0, 1.0)
        label_weights = None if self.multi_label else self.label_weights
        counts = confusion_counts(y_true, y_pred, self._thresholds, sample_weight,
                                  multi_label=self.multi_label, label_weights=label_weights,
                                  metric=self._label())
        if self.true_positives is not None and counts[0].shape != self.true_positives.shape:
            raise ValueError(f"`{self.name}` (AUC, multi_label) counts "
                             f"{self.true_positives.shape[1]} labels. Received: y_pred of "
                             f"shape {y_pred.shape}")
        tp, fp, tn, fn = (c if total is None else total + c for c, total in zip(
            counts, (self.true_positives, self.false_positives, self.true_negatives,
                     self.false_negatives)))
        self.true_positives, self.false_positives = tp, fp
        self.true_negatives, self.false_negatives = tn, fn

    def _interpolated_pr_slices(self):
        """Davis & Goadrich's area of each slice of the PR curve (see the class docstring)."""
        tp, fn = self.true_positives, self.false_negatives
        predicted = tp + self.false_positives
        d_tp = tp[:-1] - tp[1:]
        d_predicted = predicted[:-1] - predicted[1:]
        slope = _divide(d_tp, np.maximum(d_predicted, 0))
        intercept = tp[1:] - slope * predicted[1:]
        both_positive = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = np.where(both_positive, _divide(predicted[:-1], np.maximum(predicted[1:], 0)), 1.0)
        return _divide(slope * (d_tp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))

    def result(self):
        if self.true_positives is None:  # multi_label before the first batch
            return 0.0
        if self.curve == "PR" and self.summation_method == "interpolation":
            slices = self._interpolated_pr_slices()
        else:
            recall = self._recall()
            if self.curve == "ROC":
                x, y = _divide(self.false_positives, self.false_positives + self.true_negatives), recall
            else:
                x, y = recall, self._precision()
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:-1], y[1:])
            else:
                heights = np.maximum(y[:-1], y[1:])
            slices = (x[:-1] - x[1:]) * heights
        by_label = slices.sum(axis=0)
        if not self.multi_label:
            return float(by_label)
        if self.label_weights is None:
            return float(np.mean(by_label))
        return float(_divide(np.sum(by_label * self.label_weights), np.sum(self.label_weights)))

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None
                  else self.label_weights.tolist(),
                  "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


# -- per-column sums: F-scores and R² ----------------------------------------------------


class FBetaScore(Metric):
    """F-beta score per class: ``(1 + b²) P R / (b² P + R)`` from weighted TP, FP, FN.

    With ``eps = 1e-7`` as in Keras: ``P = TP / (TP + FP + eps)``,
    ``R = TP / (TP + FN + eps)`` and ``F = (1 + b²) P R / (b² P + R + eps)``.
    ``y_true`` holds 0/1 indicators, ``(batch, classes)``. Without ``threshold``
    the highest score of each row is the one positive prediction.

    Args:
        average: None (one score per class), ``"micro"`` (counts summed over
            classes first), ``"macro"`` (mean of the per-class scores) or
            ``"weighted"`` (mean weighted by each class's label count).
        beta: weight of recall against precision, > 0. Default 1.0.
        threshold: scores above it are positive predictions, in (0, 1]. Default None.
        name: default ``"fbeta_score"``.

    Example:
        >>> FBetaScore(average="micro", threshold=0.5)([[1, 0], [1, 1]], [[0.8, 0.2], [0.3, 0.9]])
        ... # doctest: +ELLIPSIS
        0.79999...
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        self.average = _check_choice(average, (None, "micro", "macro", "weighted"), "average")
        if isinstance(beta, bool) or not isinstance(beta, (int, float, np.number)) or beta <= 0:
            raise ValueError(f"`beta` must be a positive number. Received: beta={beta!r}")
        self.beta = float(beta)
        self.threshold = None if threshold is None else \
            _check_fraction(threshold, "threshold", low_open=True)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        # Scalars until the first batch tells the number of classes (then arrays).
        self.true_positives = self.false_positives = self.false_negatives = 0.0
        self.intermediate_weights = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
        if y_true.ndim != 2 or y_true.shape != y_pred.shape:
            raise ValueError(f"{self._label()} needs `y_true` and `y_pred` of one shape "
                             f"(batch_size, classes). Received: y_true.shape={y_true.shape}, "
                             f"y_pred.shape={y_pred.shape}")
        _check_binary_labels(y_true, self._label())
        if self.threshold is None:
            predicted = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        w = 1.0 if sample_weight is None else _weights_like(sample_weight, y_true.shape,
                                                             self._label())
        axis = None if self.average == "micro" else 0
        self.true_positives = self.true_positives + np.sum(w * predicted * y_true, axis=axis)
        self.false_positives = self.false_positives + np.sum(w * predicted * (1 - y_true), axis=axis)
        self.false_negatives = self.false_negatives + np.sum(w * ~predicted * y_true, axis=axis)
        self.intermediate_weights = self.intermediate_weights + np.sum(w * y_true, axis=axis)

    def result(self):
        tp, b2 = np.asarray(self.true_positives), self.beta ** 2
        precision = tp / (tp + self.false_positives + EPSILON)
        recall = tp / (tp + self.false_negatives + EPSILON)
        f_score = (1 + b2) * precision * recall / (b2 * precision + recall + EPSILON)
        if self.average == "weighted":
            support = np.asarray(self.intermediate_weights)
            return float(np.sum(f_score * support / (np.sum(support) + EPSILON)))
        if self.average is not None:
            return float(np.mean(f_score))
        return f_score if f_score.ndim else float(f_score)

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score, the harmonic mean ``2 P R / (P + R)`` of precision and recall (``beta=1``).

    Args: as :class:`FBetaScore` without ``beta``; default name ``"f1_score"``.

    Example:
        >>> F1Score()([[1, 0, 0], [0, 1, 0]], [[0.9, 0.1, 0.0], [0.6, 0.3, 0.1]]).round(4)
        array([0.6667, 0.    , 0.    ])
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(Metric):
    """Coefficient of determination ``R² = 1 - SS_res / SS_tot`` per output, then aggregated.

    Per column, over every (weighted) sample seen: ``SS_res = sum w (y - ŷ)²``
    and ``SS_tot = sum w y² - (sum w y)² / sum w`` (the weighted variance of
    ``y`` times ``sum w``), kept as running sums. A column with ``SS_tot = 0``
    scores 0. With ``num_regressors = p`` the adjusted score is
    ``1 - (1 - R²)(n - 1) / (n - p - 1)``, where ``n`` counts every entry of ``y``
    (as Keras does).

    Args:
        class_aggregation: ``"uniform_average"`` (mean over outputs),
            ``"variance_weighted_average"`` (weighted by ``SS_tot``) or None (one
            score per output).
        num_regressors: the number of independent variables, for the adjusted R².
            Default 0 (not adjusted).
        name: default ``"r2_score"``.

    Example:
        >>> R2Score()([[1.0], [2.0], [3.0]], [[1.0], [2.0], [2.0]])  # 1 - 1 / 2
        0.5
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        self.class_aggregation = _check_choice(
            class_aggregation, (None, "uniform_average", "variance_weighted_average"),
            "class_aggregation")
        self.num_regressors = _check_positive_int(num_regressors, "num_regressors", 0)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.sum = self.squared_sum = self.residual = self.count = 0.0
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _pair(y_true, y_pred, self._label())
        if y_true.ndim == 1:
            y_true, y_pred = y_true[:, None], y_pred[:, None]
        if y_true.ndim != 2:
            raise ValueError(f"{self._label()} needs `y_true` and `y_pred` of shape "
                             f"(batch_size, outputs). Received: y_pred.shape={y_pred.shape}")
        w = np.ones(y_true.shape) if sample_weight is None else \
            _weights_like(sample_weight, y_true.shape, self._label())
        self.sum = self.sum + np.sum(w * y_true, axis=0)
        self.squared_sum = self.squared_sum + np.sum(w * y_true * y_true, axis=0)
        self.residual = self.residual + np.sum(w * (y_true - y_pred) ** 2, axis=0)
        self.count = self.count + np.sum(w, axis=0)
        self.num_samples += y_true.size

    def result(self):
        if not self.num_samples:
            return 0.0
        total = self.squared_sum - self.sum * _divide(self.sum, self.count)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1.0 - self.residual / total
        scores = np.where(np.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score = np.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * scores) / np.sum(total)
        else:
            return scores
        n, p = self.num_samples, self.num_regressors
        if p and p >= n - 1:
            warnings.warn("Adjusted R2 score needs more data points than `num_regressors` + 1. "
                          "Falling back to the standard R2 score.", stacklevel=2)
        elif p:
            score = 1.0 - (1.0 - score) * (n - 1) / (n - p - 1)
        return float(score)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


# -- names ---------------------------------------------------------------------------------

_CLASSES = [
    Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
    RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, LogCoshError, CosineSimilarity, R2Score, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge,
    SquaredHinge, CategoricalHinge, TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
    Precision, Recall, SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall,
    RecallAtPrecision, AUC, FBetaScore, F1Score,
]

# Keras 3's names: each class name, its snake case, and the short aliases. A
# config dict may also name MeanMetricWrapper (its `fn` is stored by name).
ALL_METRICS = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{_snake_case(cls.__name__): cls for cls in _CLASSES},
    "MeanMetricWrapper": MeanMetricWrapper,
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
}

# The per-sample functions, by name, for MeanMetricWrapper configs.
_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    log_cosh, cosine_similarity, binary_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy, kl_divergence, poisson, hinge, squared_hinge,
    categorical_hinge, _accuracy_by_shape, _crossentropy_by_shape)}

# The strings whose meaning depends on the data's shapes (Keras 3 resolves
# "accuracy" and "acc" so; "crossentropy" and "ce" as tf.keras did).
_BY_SHAPE = {"accuracy": _accuracy_by_shape, "acc": _accuracy_by_shape,
             "crossentropy": _crossentropy_by_shape, "ce": _crossentropy_by_shape}


def _metric_function(name):
    fn = _FUNCTIONS.get(name) or find_custom_object(name)
    if not callable(fn):
        raise ValueError(f"Unknown metric function: {name!r}. Valid names are: "
                         f"{', '.join(sorted(n for n in _FUNCTIONS if not n.startswith('_')))}.")
    return fn


def get(identifier, loss=None):
    """The metric an identifier names, as ``compile(metrics=[...])`` reads it.

    * a :class:`Metric` instance is returned as it is (never renamed or copied);
    * a Keras name (``"mae"``, ``"AUC"``, ``"f1_score"``, ...) gives a new metric
      named by that string, which is its key in the logs;
    * ``"accuracy"``/``"acc"`` gives a metric that applies Keras 3's shape rule
      to each batch: one output column means binary accuracy, integer labels
      sparse categorical accuracy, one-hot labels categorical accuracy;
      ``"crossentropy"``/``"ce"`` the matching cross-entropy (tf.keras's meaning;
      Keras 3 refuses them as metrics);
    * a ``{"class_name", "config"}`` dict, a Metric class, or a function
      ``fn(y_true, y_pred)`` (wrapped in :class:`MeanMetricWrapper`, named after it).

    Args:
        identifier: see above.
        loss: unused. Keras 3 chooses "accuracy" by the shapes of the data, not by
            the loss; the argument remains until compile stops passing it.

    Example:
        >>> get("mae")
        MeanAbsoluteError(name='mae')
    """
    del loss
    if isinstance(identifier, str) and identifier.lower() in _BY_SHAPE:
        return MeanMetricWrapper(_BY_SHAPE[identifier.lower()], name=identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier) and not isinstance(identifier, Metric):
        name = getattr(identifier, "name", None) or _snake_case(
            getattr(identifier, "__name__", type(identifier).__name__))
        return MeanMetricWrapper(identifier, name=name)
    metric = resolve(identifier, ALL_METRICS, Metric, "metric")
    if isinstance(identifier, str):
        metric.name = identifier  # a new object, named by the string as Keras's logs are
    return metric


def log_names(metrics, weighted_metrics=()):
    """The keys Keras 3 logs for compiled metrics, in order, without renaming any metric.

    Each metric logs under its name; a name already taken gets ``_1``, ``_2``, ...
    (``["accuracy", "accuracy"]`` logs ``accuracy, accuracy_1``); a weighted metric
    whose name is taken logs as ``weighted_<name>`` (numbered the same way if that
    is taken too).

    Example:
        >>> log_names([get("acc"), get("mae")], [get("acc")])
        ['acc', 'mae', 'weighted_acc']
    """
    taken, names = {}, []
    for metric, weighted in [(m, False) for m in metrics] + [(m, True) for m in weighted_metrics]:
        name = metric.name
        if name in taken and weighted:
            name = f"weighted_{name}"
        if name in taken:
            taken[name] += 1
            name = f"{name}_{taken[name] - 1}"
        else:
            taken[name] = 1
        names.append(name)
    return names
