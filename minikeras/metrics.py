"""Metrics: running summaries of a model's predictions, updated batch by batch.

A metric is stateful, as in Keras: ``update_state(y_true, y_pred, sample_weight)``
folds one batch into its running totals, ``result()`` reads the summary of
everything seen so far, and ``reset_state()`` starts over (the fit loop does that
at the start of every epoch). Keeping totals instead of averaging batch results
makes an epoch's value exact even when the last batch is smaller.

Most metrics are a per-sample value averaged over samples: :class:`Mean`
keeps the weighted sum and the weight total, and :class:`MeanMetricWrapper`
feeds it the output of a function such as :func:`binary_accuracy`. Precision
and recall keep confusion counts; AUC keeps every label and score it has seen.

Select one by its Keras name with :func:`get`, e.g. ``get("mae")``. A metric
asked for by a string is named by that string, as in Keras's logs:
``metrics=["mse"]`` logs ``"mse"``, ``metrics=["acc"]`` logs ``"acc"``.
"""
from abc import ABC, abstractmethod

import numpy as np

from . import losses
from .utils.registry import resolve, snake_case
from .utils.validation import check_number


class Metric(ABC):
    """Base class: a running summary with ``update_state``, ``result`` and ``reset_state``.

    Calling a metric, ``metric(y_true, y_pred)``, updates it and returns the result.

    Args:
        name: the key in the training logs; defaults to the snake-case class name.
    """

    def __init__(self, name=None):
        self.name = name or snake_case(type(self).__name__)
        self.reset_state()

    @abstractmethod
    def update_state(self, y_true, y_pred, sample_weight=None):
        """Fold one batch into the running state."""

    @abstractmethod
    def result(self):
        """The summary of every batch since the last reset, as a float."""

    @abstractmethod
    def reset_state(self):
        """Forget every batch seen so far."""

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight=sample_weight)
        return self.result()

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Mean(Metric):
    """Weighted mean of all values seen: ``result = sum(w * v) / sum(w)`` (0 before any data).

    Values with more than one axis are first averaged to one value per sample.
    The fit loop logs the loss with it, passing each batch's mean loss with
    ``sample_weight=batch_size`` so the epoch value is the mean over samples.

    Args:
        name: default ``"mean"``.

    Example: ``m = Mean(); m.update_state([1., 3.]); m.update_state(5., sample_weight=2)``,
    then ``m.result()`` is ``(1 + 3 + 2 * 5) / 4 = 3.5``.
    """

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
        values = np.asarray(values, dtype=np.float64)
        if values.ndim > 1:
            values = values.reshape(len(values), -1).mean(axis=1)
        if sample_weight is None:
            weights = np.ones_like(values)
        else:
            weights = np.asarray(sample_weight, dtype=np.float64)
            if weights.ndim > values.ndim:  # (batch, 1) weights for (batch,) values
                weights = weights.reshape(values.shape)
            weights = np.broadcast_to(weights, values.shape)
        self.total += float(np.sum(values * weights))
        self.count += float(np.sum(weights))

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """Weighted mean of a per-sample function ``fn(y_true, y_pred, **kwargs)`` -> ``(batch,)``.

    Args:
        fn: the per-sample function, e.g. :func:`binary_accuracy`.
        name: default ``fn``'s name.
        **kwargs: passed on to ``fn`` (e.g. ``threshold``).

    Example: ``MeanMetricWrapper(binary_accuracy)([[1], [0]], [[0.9], [0.7]])`` is ``0.5``.
    """

    def __init__(self, fn, name=None, **kwargs):
        self.fn = fn
        self.fn_kwargs = kwargs
        super().__init__(name=name or getattr(fn, "__name__", None))

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self.fn_kwargs), sample_weight)

    def get_config(self):
        return {"name": self.name, **self.fn_kwargs}


def _columns(y_true, y_pred):
    """Arrays of shape ``(batch, k)``; a ``(batch,)`` array becomes one column."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.ndim == 1:
        y_pred = y_pred[:, None]
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., None]
    return y_true, y_pred


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per sample: the share of outputs where ``(y_pred > threshold) == y_true``."""
    y_true, y_pred = _columns(y_true, y_pred)
    return np.mean(y_true == (y_pred > threshold), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """Per sample: 1.0 where ``argmax(y_pred) == argmax(y_true)`` (one-hot labels), else 0.0."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return (np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true, y_pred):
    """Per sample: 1.0 where ``argmax(y_pred) == y_true`` (integer labels), else 0.0."""
    y_pred = np.asarray(y_pred)
    labels = np.asarray(y_true).reshape(len(y_pred))  # (batch,) or (batch, 1)
    return (np.argmax(y_pred, axis=-1) == labels).astype(np.float64)


def mean_squared_error(y_true, y_pred):
    """Per sample: the mean of ``(y_pred - y_true)**2`` over the last axis."""
    y_true, y_pred = _columns(y_true, y_pred)
    return np.mean(np.square(y_pred - y_true, dtype=np.float64), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Per sample: the mean of ``|y_pred - y_true|`` over the last axis."""
    y_true, y_pred = _columns(y_true, y_pred)
    return np.mean(np.abs(y_pred - y_true, dtype=np.float64), axis=-1)


def _accuracy_by_shape(y_true, y_pred):
    """Keras's rule for "accuracy" when the loss does not say which kind is meant."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.ndim == 1 or y_pred.shape[-1] == 1:
        return binary_accuracy(y_true, y_pred)
    if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
        return sparse_categorical_accuracy(y_true, y_pred)
    return categorical_accuracy(y_true, y_pred)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``(y_pred > threshold)`` matches the 0/1 label, averaged over outputs and samples.

    Args:
        name: default ``"binary_accuracy"``.
        threshold: probabilities above it count as class 1. Default 0.5.

    Example: ``BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])`` is ``0.75``.
    """

    def __init__(self, name="binary_accuracy", threshold=0.5):
        super().__init__(binary_accuracy, name=name, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (``argmax(y_pred)``) is the one-hot label's class.

    Args:
        name: default ``"categorical_accuracy"``.

    Example: ``CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])``
    is ``0.5``.
    """

    def __init__(self, name="categorical_accuracy"):
        super().__init__(categorical_accuracy, name=name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (``argmax(y_pred)``) equals the integer label.

    Args:
        name: default ``"sparse_categorical_accuracy"``.

    Example: ``SparseCategoricalAccuracy()([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])`` is ``0.5``.
    """

    def __init__(self, name="sparse_categorical_accuracy"):
        super().__init__(sparse_categorical_accuracy, name=name)


class MeanSquaredError(MeanMetricWrapper):
    """Mean of ``(y_pred - y_true)**2`` over outputs and samples.

    Args:
        name: default ``"mean_squared_error"``.

    Example: ``MeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])`` is ``0.25``.
    """

    def __init__(self, name="mean_squared_error"):
        super().__init__(mean_squared_error, name=name)


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of ``|y_pred - y_true|`` over outputs and samples.

    Args:
        name: default ``"mean_absolute_error"``.

    Example: ``MeanAbsoluteError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])`` is ``0.25``.
    """

    def __init__(self, name="mean_absolute_error"):
        super().__init__(mean_absolute_error, name=name)


class _ConfusionCounts(Metric):
    """Weighted true-positive, false-positive and false-negative counts of a binary decision.

    An output counts as predicted positive when ``y_pred > thresholds`` and as
    truly positive when ``y_true`` is non-zero; every output of every sample counts.
    """

    def __init__(self, thresholds=None, name=None):
        self.thresholds = check_number(thresholds, "thresholds", 0, 1, allow=[None])
        super().__init__(name=name)

    def reset_state(self):
        self.true_positives = self.false_positives = self.false_negatives = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _columns(y_true, y_pred)
        actual = y_true.reshape(y_pred.shape) != 0
        predicted = y_pred > (0.5 if self.thresholds is None else self.thresholds)
        weights = np.ones(y_pred.shape)
        if sample_weight is not None:
            weights *= np.asarray(sample_weight, dtype=np.float64).reshape(-1, 1)
        self.true_positives += float(np.sum(weights[predicted & actual]))
        self.false_positives += float(np.sum(weights[predicted & ~actual]))
        self.false_negatives += float(np.sum(weights[~predicted & actual]))

    def get_config(self):
        return {"thresholds": self.thresholds, "name": self.name}


class Precision(_ConfusionCounts):
    """Of the outputs predicted positive, the share that are: ``TP / (TP + FP)`` (0 if none).

    Args:
        thresholds: a probability in ``[0, 1]``; ``y_pred`` above it is a positive
            prediction. Default None, meaning 0.5.
        name: default ``"precision"``.

    Example: ``Precision()([0, 1, 1, 1], [1, 0, 1, 1])`` is ``2 / 3``.
    """

    def result(self):
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0


class Recall(_ConfusionCounts):
    """Of the truly positive outputs, the share predicted positive: ``TP / (TP + FN)`` (0 if none).

    Args:
        thresholds: a probability in ``[0, 1]``; ``y_pred`` above it is a positive
            prediction. Default None, meaning 0.5.
        name: default ``"recall"``.

    Example: ``Recall()([0, 1, 1, 1], [1, 0, 1, 1])`` is ``2 / 3``.
    """

    def result(self):
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 0.0


class AUC(Metric):
    """Area under the ROC curve of every label and score seen since the last reset.

    Keras approximates the curve with 200 thresholds; this metric keeps all
    labels and scores and computes the exact area with
    ``sklearn.metrics.roc_auc_score`` at ``result()``, which costs memory
    proportional to the number of samples seen. Every output of every sample is
    one (label, score) pair, as in Keras's ``multi_label=False``. Before both
    classes have been seen the area is undefined and ``result()`` returns 0.0.

    Args:
        name: default ``"auc"``.
        from_logits: whether ``y_pred`` holds logits. The area depends only on
            how the scores rank, which the sigmoid does not change, so logits are
            used as they are. Default False.

    Example: ``AUC()([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])`` is ``0.75``.
    """

    def __init__(self, name=None, from_logits=False):
        self.from_logits = from_logits
        super().__init__(name=name or "auc")

    def reset_state(self):
        self._labels, self._scores, self._weights = [], [], []

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _columns(y_true, y_pred)
        weights = np.ones(y_pred.shape)
        if sample_weight is not None:
            weights *= np.asarray(sample_weight, dtype=np.float64).reshape(-1, 1)
        self._labels.append((y_true.reshape(y_pred.shape) != 0).ravel())
        self._scores.append(np.asarray(y_pred, dtype=np.float64).ravel())
        self._weights.append(weights.ravel())

    def result(self):
        if not self._labels:
            return 0.0
        labels = np.concatenate(self._labels)
        if labels.all() or not labels.any():
            return 0.0
        # Imported here: scikit-learn takes a noticeable time to import, and only AUC needs it.
        from sklearn.metrics import roc_auc_score
        return float(roc_auc_score(labels, np.concatenate(self._scores),
                                   sample_weight=np.concatenate(self._weights)))

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}


def _accuracy_for(loss):
    """The accuracy that matches ``loss``; without a cross-entropy, Keras's shape rule."""
    if isinstance(loss, str):
        loss = losses.get(loss)
    if isinstance(loss, losses.BinaryCrossentropy):
        return BinaryAccuracy()
    if isinstance(loss, losses.CategoricalCrossentropy):
        return CategoricalAccuracy()
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        return SparseCategoricalAccuracy()
    return MeanMetricWrapper(_accuracy_by_shape, name="accuracy")


ALL_METRICS = {
    "accuracy": lambda: _accuracy_for(None),
    "acc": lambda: _accuracy_for(None),
    "mean": Mean,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
}


def get(identifier, loss=None):
    """Resolve a Keras metric name, a config dict or a :class:`Metric` instance.

    ``"accuracy"`` (or ``"acc"``) becomes the accuracy that fits ``loss``: binary
    for binary cross-entropy, categorical for categorical cross-entropy, sparse
    categorical for sparse categorical cross-entropy; for any other loss, Keras's
    rule on the shapes of ``y_true`` and ``y_pred`` picks one at each update.
    A metric asked for by a string is named by that string, as in Keras's logs.

    Args:
        identifier: a name such as ``"mae"``, a dict ``{"class_name", "config"}``
            or a :class:`Metric`.
        loss: the compiled loss (an instance or name), used only for ``"accuracy"``.

    Example: ``get("acc", loss="binary_crossentropy")`` is a ``BinaryAccuracy`` named ``"acc"``.
    """
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        metric = _accuracy_for(loss)
    else:
        metric = resolve(identifier, ALL_METRICS, Metric, "metric")
    if isinstance(identifier, str):
        metric.name = identifier
    return metric
