"""Loss functions: a per-sample value and its gradient, reduced over the batch.

Every loss writes two methods over arrays of shape ``(batch, ...)``:

* ``call(y_true, y_pred)`` -> per-sample losses ``l_i``, shape ``(batch,)``;
* ``gradient(y_true, y_pred)`` -> ``dl_i/dy_pred[i]``, shape of ``y_pred``.

The base class reduces them as Keras does (``"sum_over_batch_size"``: the
weighted sum divided by the batch size), so ``value_and_gradient`` returns the
scalar loss ``L = sum_i w_i l_i / N`` and ``dL/dy_pred = w_i dl_i/dy_pred[i] / N``.

Cross-entropies take ``from_logits``. With ``from_logits=True`` the gradient is
taken with respect to the logits ``z`` directly: ``sigmoid(z) - y`` for binary
and ``softmax(z) - y`` for categorical cross-entropy. That fused form is exact
where the probability is saturated (``z = +-1e4``), which is why a model whose
last layer is sigmoid (softmax) trained with binary (categorical) cross-entropy
computes its loss from the layer's logits: :meth:`Loss.for_output` decides.

Probabilities (``from_logits=False``) are clipped to ``[1e-7, 1 - 1e-7]`` before
the logarithm, as in Keras, so a confident wrong prediction costs at most
``-log(1e-7) = 16.1`` and the gradient is zero where the clip is active.
"""
import warnings
from abc import ABC, abstractmethod

import numpy as np

from . import config
from .utils.registry import resolve
from .utils.validation import (check_binary_labels, check_bool, check_int, check_name,
                               check_number, check_option)

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)

# Keras's backend.epsilon(): the clip applied to probabilities before log.
EPSILON = 1e-7
_LOG_2 = float(np.log(2.0))


class Loss(ABC):
    """Base class for losses.

    Args:
        name: display name; defaults to the snake-case class name.
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"`` or ``"none"``.
        **kwargs: Keras's arguments for features minikeras does not have (``dtype``,
            ``ignore_class``), accepted at the values that leave them off and
            refused, naming them, otherwise.

    Attributes:
        label_kind: what ``y_true`` holds, for code that must treat labels by kind
            (label checks, encoders) without testing loss classes: ``"binary"``
            (0/1 columns, binary cross-entropy), ``"categorical"`` (one-hot or soft
            rows, categorical cross-entropy), ``"sparse"`` (integer class indices,
            sparse categorical cross-entropy) or None (real-valued targets).
    """

    # Set by cross-entropies: the output activation whose logits the loss can take
    # instead of its probabilities ("sigmoid" or "softmax").
    output_activation = None
    label_kind = None
    from_logits = False
    # What `y_true` holds: "binary" (0/1 per output), "categorical" (one-hot rows),
    # "sparse" (one class index per sample), or None (any real targets).
    label_kind = None

    def __init__(self, name=None, reduction="sum_over_batch_size", **kwargs):
        if kwargs:  # imported only then: serialization imports this module
            from .utils.serialization import check_keras_arguments
            check_keras_arguments(type(self), kwargs, "loss")
        self.reduction = check_option(reduction, "reduction", _REDUCTIONS)
        self.name = check_name(name) or _default_name(type(self))

    @abstractmethod
    def call(self, y_true, y_pred):
        """Per-sample losses, shape ``(batch,)``."""

    @abstractmethod
    def gradient(self, y_true, y_pred):
        """Gradient of each sample's loss with respect to its prediction."""

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss (a float, or per-sample values for ``reduction="none"``)."""
        y_true, y_pred = self._prepare(y_true, y_pred)
        self.check_labels(y_true, "y_true")
        return self._reduce(self.call(y_true, y_pred), sample_weight)

    def check_labels(self, y_true, argument):
        """Raise if ``y_true`` holds labels this loss cannot learn from (nothing by default).

        Called on direct calls; ``fit`` and ``evaluate`` check all of ``y`` once
        instead, so the training step (``value_and_gradient``) does not repeat it.
        """

    def value_and_gradient(self, y_true, y_pred, sample_weight=None):
        """Return ``(L, dL/dy_pred)`` for the reduced loss ``L``."""
        if self.reduction in ("none", None):
            raise ValueError("`value_and_gradient` needs a scalar loss; set `reduction` to "
                             "'sum_over_batch_size' or 'sum'.")
        y_true, y_pred = self._prepare(y_true, y_pred)
        losses, grad = self.call_and_gradient(y_true, y_pred)
        value = self._reduce(losses, sample_weight)
        scale = 1.0 if self.reduction == "sum" else 1.0 / len(y_pred)
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=grad.dtype).reshape((-1,) + (1,) * (grad.ndim - 1))
            grad = grad * (w * scale)
        elif scale != 1.0:
            grad *= scale
        return value, grad

    def call_and_gradient(self, y_true, y_pred):
        """``(call(...), gradient(...))`` at once: cross-entropies override it so that
        one exponential serves both (it runs once per training step)."""
        return self.call(y_true, y_pred), self.gradient(y_true, y_pred)

    def _prepare(self, y_true, y_pred):
        """Arrays for `call`/`gradient`: ``y_true`` in ``y_pred``'s float dtype, same shape."""
        y_pred = np.asarray(y_pred)
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype(config.floatx())
        if y_pred.ndim < 2:
            raise ValueError(f"`y_pred` must have shape (batch_size, ...) with at least 2 "
                             f"dimensions. Received: y_pred.shape={y_pred.shape}")
        y_true = np.asarray(y_true, dtype=y_pred.dtype)
        # Labels of shape (batch,) next to predictions (batch, 1) would broadcast
        # to (batch, batch): give them the missing axis instead.
        if y_true.ndim == y_pred.ndim - 1:
            y_true = y_true[..., None]
        if y_true.shape != y_pred.shape:
            raise ValueError(f"`y_true` and `y_pred` must have the same shape. Received: "
                             f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
        return y_true, y_pred

    def _reduce(self, losses, sample_weight):
        if sample_weight is not None:
            losses = losses * np.asarray(sample_weight, dtype=losses.dtype).reshape(-1)
        if self.reduction in ("none", None):
            return losses
        total = float(np.add.reduce(losses, axis=None, dtype=np.float64))
        return total if self.reduction == "sum" else total / len(losses)

    def with_logits(self):
        """A copy of this loss that takes logits (only for cross-entropies)."""
        if self.output_activation is None:
            raise TypeError(f"{type(self).__name__} has no `from_logits` form.")
        return type(self)(**{**self.get_config(), "from_logits": True})

    def for_output(self, activation):
        """The loss to start backward from the logits of an ``activation`` output, or None.

        The legal pairs are sigmoid + binary cross-entropy and softmax +
        (sparse) categorical cross-entropy, on probabilities: there the chain
        rule through the activation collapses to ``dL/dz = (p - y) / N``, exact
        even where ``p`` saturates at 0 or 1. Every other pair returns None and
        trains through the activation's own backward.
        """
        if self.from_logits or activation is None or activation != self.output_activation:
            return None
        if getattr(self, "_logits_form", None) is None:  # built once, used every step
            self._logits_form = self.with_logits()
        return self._logits_form

    def check_output(self, activation):
        """Warn when the model's output ``activation`` contradicts ``from_logits``."""
        if self.output_activation is None or activation is None:
            return
        name = type(self).__name__
        if self.from_logits and activation in ("sigmoid", "softmax"):
            warnings.warn(f"{name}(from_logits=True) expects raw scores, but the last layer "
                          f"applies {activation}, so the loss sees probabilities as logits and "
                          f"training stalls. Fix: use {name}(from_logits=False), or drop the "
                          "output activation.", UserWarning, stacklevel=4)
        elif not self.from_logits and activation == "linear":
            warnings.warn(f"{name}(from_logits=False) expects probabilities, but the last layer "
                          f"has no activation, so its raw scores are clipped into [0, 1]. Fix: "
                          f"use {name}(from_logits=True), or give the last layer "
                          f"activation={self.output_activation!r}.", UserWarning, stacklevel=4)

    def __getstate__(self):
        return {**self.__dict__, "_logits_form": None}  # a cache, rebuilt on demand

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        """The loss ``get_config`` describes (Keras's ``Loss.from_config``)."""
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}({self.get_config()})"


def _default_name(cls):
    from .utils.registry import snake_case
    return snake_case(cls.__name__)


def _sigmoid(z):
    # (1 + tanh(z/2)) / 2 equals 1 / (1 + exp(-z)) and cannot overflow.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _log_softmax(z, axis):
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _softmax(z, axis):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


class BinaryCrossentropy(Loss):
    """Binary cross-entropy, averaged over the last axis (one sigmoid output per column).

    With ``y`` the (smoothed) labels and ``K = y_pred.shape[axis]``:

    * probabilities ``p``: ``l_i = -mean_k [y log p + (1-y) log(1-p)]``,
      ``dl_i/dp = (p - y) / (p (1 - p) K)`` (``p`` clipped to ``[1e-7, 1-1e-7]``);
    * logits ``z``: ``l_i = mean_k [max(z, 0) - z y + log1p(exp(-|z|))]``,
      ``dl_i/dz = (sigmoid(z) - y) / K``.

    The logits gradient is the chain rule through a sigmoid output, so it is the
    right one for the pair sigmoid + binary cross-entropy only.

    Args:
        from_logits: whether ``y_pred`` holds logits instead of probabilities. Default False.
        label_smoothing: in ``[0, 1]``; labels become ``y (1 - s) + s / 2``. Default 0.0.
        axis: the class axis that is averaged over. Default -1.
        reduction: see :class:`Loss`. Default ``"sum_over_batch_size"``.
        name: default ``"binary_crossentropy"``.

    Example: ``BinaryCrossentropy()([[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]])``
    is ``0.815`` (per sample ``0.916`` and ``0.714``).
    """

    output_activation = "sigmoid"
    label_kind = "binary"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)
        self.from_logits = check_bool(from_logits, "from_logits")
        self.label_smoothing = check_number(label_smoothing, "label_smoothing", 0, 1)
        self.axis = check_int(axis, "axis")

    def _smooth(self, y):
        s = self.label_smoothing
        return y * (1.0 - s) + 0.5 * s if s else y

    def check_labels(self, y_true, argument):
        """Labels outside ``[0, 1]`` are refused, as by PyTorch's ``BCELoss``."""
        check_binary_labels(y_true, argument)

    def call(self, y_true, y_pred):
        y = self._smooth(y_true)
        if self.from_logits:
            z = y_pred
            losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        else:
            p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
            losses = -(y * np.log(p) + (1.0 - y) * np.log1p(-p))
        return np.mean(losses, axis=self.axis)

    def gradient(self, y_true, y_pred):
        y = self._smooth(y_true)
        k = y_pred.shape[self.axis]
        if self.from_logits:
            return (_sigmoid(y_pred) - y) / k
        p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        inside = (y_pred > EPSILON) & (y_pred < 1.0 - EPSILON)  # clip has zero slope outside
        return np.where(inside, (p - y) / (p * (1.0 - p) * k), 0.0).astype(y_pred.dtype, copy=False)

    def call_and_gradient(self, y_true, y_pred):
        if not self.from_logits:
            return super().call_and_gradient(y_true, y_pred)
        # e = exp(-|z|) gives both the loss's log1p term and a stable sigmoid(z).
        y, z = self._smooth(y_true), y_pred
        e = np.exp(-np.abs(z))
        losses = np.mean(np.maximum(z, 0) - z * y + np.log1p(e), axis=self.axis)
        grad = np.where(z >= 0, 1, e) / (1 + e)                 # sigmoid(z)
        grad -= y
        grad /= y_pred.shape[self.axis]
        return losses, grad

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class CategoricalCrossentropy(Loss):
    """Categorical cross-entropy between one-hot (or soft) labels and a distribution.

    With ``y`` the (smoothed) labels on the class axis:

    * probabilities: ``p = y_pred / sum(y_pred)`` (clipped to ``[1e-7, 1-1e-7]``),
      ``l_i = -sum_k y log p``; with ``g = -y / p`` the gradient through the
      normalisation is ``dl_i/dy_pred = (g - sum_k g p) / sum(y_pred)``;
    * logits ``z``: ``l_i = logsumexp(z) - sum_k y z``,
      ``dl_i/dz = softmax(z) sum_k y - y``, i.e. ``softmax(z) - y`` for labels
      that sum to 1. That is the chain rule through a softmax output, so it is the
      right one for the pair softmax + categorical cross-entropy only.

    Args:
        from_logits: whether ``y_pred`` holds logits. Default False.
        label_smoothing: in ``[0, 1]``; labels become ``y (1 - s) + s / K``. Default 0.0.
        axis: the class axis. Default -1.
        reduction: see :class:`Loss`. Default ``"sum_over_batch_size"``.
        name: default ``"categorical_crossentropy"``.

    Example: ``CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]],
    [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])`` is ``1.177`` (``-log 0.95`` and ``-log 0.1``).
    """

    output_activation = "softmax"
    label_kind = "categorical"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)
        self.from_logits = check_bool(from_logits, "from_logits")
        self.label_smoothing = check_number(label_smoothing, "label_smoothing", 0, 1)
        self.axis = check_int(axis, "axis")

    def _smooth(self, y):
        s = self.label_smoothing
        return y * (1.0 - s) + s / y.shape[self.axis] if s else y

    def call(self, y_true, y_pred):
        y = self._smooth(y_true)
        if self.from_logits:
            return -np.sum(y * _log_softmax(y_pred, self.axis), axis=self.axis)
        p = y_pred / np.sum(y_pred, axis=self.axis, keepdims=True)
        return -np.sum(y * np.log(np.clip(p, EPSILON, 1.0 - EPSILON)), axis=self.axis)

    def gradient(self, y_true, y_pred):
        y = self._smooth(y_true)
        if self.from_logits:
            grad = _softmax(y_pred, self.axis)
            grad *= np.sum(y, axis=self.axis, keepdims=True)
            grad -= y
            return grad
        total = np.sum(y_pred, axis=self.axis, keepdims=True)
        p = y_pred / total
        inside = (p > EPSILON) & (p < 1.0 - EPSILON)
        g = np.where(inside, -y / np.clip(p, EPSILON, 1.0), 0.0).astype(y_pred.dtype, copy=False)
        g -= np.sum(g * p, axis=self.axis, keepdims=True)
        g /= total
        return g

    def call_and_gradient(self, y_true, y_pred):
        if not self.from_logits:
            return super().call_and_gradient(y_true, y_pred)
        # One softmax serves both: l = sum_k y (log S - s_k), dl/dz = softmax(z) sum_k y - y,
        # with s = z - max(z) and S = sum_k exp(s_k) >= 1.
        y = self._smooth(y_true)
        shifted = y_pred - np.max(y_pred, axis=self.axis, keepdims=True)
        grad = np.exp(shifted)
        total = np.sum(grad, axis=self.axis, keepdims=True)
        losses = np.sum(y * (np.log(total) - shifted), axis=self.axis)
        grad *= np.sum(y, axis=self.axis, keepdims=True) / total
        grad -= y
        return losses, grad

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer labels ``c_i`` instead of one-hot rows.

    * probabilities: ``p = y_pred / sum(y_pred)`` (clipped), ``l_i = -log p[c_i]``;
      ``dl_i/dy_pred = (g - g[c_i] p[c_i]) / sum(y_pred)`` with ``g`` zero except
      ``g[c_i] = -1 / p[c_i]``;
    * logits ``z``: ``l_i = logsumexp(z) - z[c_i]``, ``dl_i/dz = softmax(z) - onehot(c_i)``
      (softmax outputs only).

    ``y_true`` has shape ``(batch,)`` or ``(batch, 1)``; floats holding whole
    numbers are accepted, as in Keras. No one-hot matrix is built: the label
    entry is picked out by fancy indexing.

    Args:
        from_logits: whether ``y_pred`` holds logits. Default False.
        reduction: see :class:`Loss`. Default ``"sum_over_batch_size"``.
        axis: the class axis, -1 (the only one predictions of shape ``(batch,
            classes)`` have; Keras's argument).
        name: default ``"sparse_categorical_crossentropy"``.

    Example: ``SparseCategoricalCrossentropy()([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])``
    is ``1.177``.
    """

    output_activation = "softmax"
    label_kind = "sparse"

    def __init__(self, from_logits=False, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)
        self.from_logits = check_bool(from_logits, "from_logits")
        # The class axis of a (batch, classes) prediction: the last one, however it is named.
        if check_int(axis, "axis") not in (-1, 1):
            raise ValueError(f"`axis` must be -1, the class axis of predictions of shape "
                             f"(batch, classes). Received: axis={axis}")

    def _prepare(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype(config.floatx())
        if y_pred.ndim != 2:
            raise ValueError(f"`y_pred` must have shape (batch_size, classes). "
                             f"Received: y_pred.shape={y_pred.shape}")
        return _sparse_labels(y_true, y_pred.shape), y_pred

    def call(self, y_true, y_pred):
        rows = np.arange(len(y_pred))
        if self.from_logits:
            return -_log_softmax(y_pred, -1)[rows, y_true]
        p_true = y_pred[rows, y_true] / np.sum(y_pred, axis=-1)
        return -np.log(np.clip(p_true, EPSILON, 1.0 - EPSILON))

    def gradient(self, y_true, y_pred):
        rows = np.arange(len(y_pred))
        if self.from_logits:
            grad = _softmax(y_pred, -1)
            grad[rows, y_true] -= 1.0
            return grad
        total = np.sum(y_pred, axis=-1)
        p_true = y_pred[rows, y_true] / total
        inside = (p_true > EPSILON) & (p_true < 1.0 - EPSILON)
        g_true = np.where(inside, -1.0 / np.clip(p_true, EPSILON, 1.0), 0.0).astype(y_pred.dtype)
        # Every column gets -g_true p_true / total; the label column also gets g_true / total.
        grad = np.empty_like(y_pred)
        grad[...] = (-g_true * p_true / total)[:, None]
        grad[rows, y_true] += g_true / total
        return grad

    def call_and_gradient(self, y_true, y_pred):
        if not self.from_logits:
            return super().call_and_gradient(y_true, y_pred)
        # One softmax serves both: l = log S - s[c], dl/dz = softmax(z) - onehot(c),
        # with s = z - max(z) and S = sum_k exp(s_k) >= 1.
        rows = np.arange(len(y_pred))
        shifted = y_pred - np.max(y_pred, axis=-1, keepdims=True)
        grad = np.exp(shifted)
        total = np.sum(grad, axis=-1, keepdims=True)
        losses = np.log(total[:, 0]) - shifted[rows, y_true]
        grad /= total
        grad[rows, y_true] -= 1
        return losses, grad

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}


def _sparse_labels(y_true, pred_shape):
    """Integer labels of shape ``(batch,)``, checked against ``pred_shape = (batch, classes)``."""
    labels = np.asarray(y_true)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.shape != pred_shape[:1]:
        raise ValueError(f"`y_true` must hold one class index per sample, shape "
                         f"({pred_shape[0]},) or ({pred_shape[0]}, 1). "
                         f"Received: y_true.shape={np.shape(y_true)}")
    if labels.dtype.kind not in "biuf":
        raise ValueError(f"`y_true` must hold integer class indices. "
                         f"Received: y_true with dtype={labels.dtype}")
    classes = pred_shape[1]
    # Two reductions decide in the common case (a NaN makes both comparisons False);
    # the elementwise search for the culprit runs only to word the error.
    in_range = labels.min() >= 0 and labels.max() < classes
    if not in_range or (labels.dtype.kind == "f" and (labels != np.round(labels)).any()):
        bad = ~((labels >= 0) & (labels < classes)) | (labels != np.round(labels))
        raise ValueError(f"`y_true` must hold integer class indices in [0, {classes}). "
                         f"Received: y_true containing {labels[bad][0].item()}")
    return labels.astype(np.intp, copy=False)


class MeanSquaredError(Loss):
    """``l_i = mean_k (y_pred[i,k] - y_true[i,k])**2``; ``dl_i/dy_pred = 2 (y_pred - y_true) / K``.

    Args:
        reduction: see :class:`Loss`. Default ``"sum_over_batch_size"``.
        name: default ``"mean_squared_error"``.

    Example: ``MeanSquaredError()(np.array([[1.], [0.]]), np.array([[0.5], [0.]]))`` is ``0.125``.
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)

    def call(self, y_true, y_pred):
        diff = y_pred - y_true
        return np.mean(diff * diff, axis=-1)

    def gradient(self, y_true, y_pred):
        grad = y_pred - y_true
        grad *= 2.0 / y_pred.shape[-1]
        return grad


class MeanAbsoluteError(Loss):
    """``l_i = mean_k |y_pred - y_true|``; ``dl_i/dy_pred = sign(y_pred - y_true) / K``.

    At ``y_pred == y_true`` the subgradient 0 is used.

    Args:
        reduction: see :class:`Loss`. Default ``"sum_over_batch_size"``.
        name: default ``"mean_absolute_error"``.

    Example: ``MeanAbsoluteError()([[0., 1.], [0., 0.]], [[1., 1.], [1., 0.]])`` is ``0.5``.
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)

    def call(self, y_true, y_pred):
        return np.mean(np.abs(y_pred - y_true), axis=-1)

    def gradient(self, y_true, y_pred):
        grad = np.sign(y_pred - y_true)
        grad /= y_pred.shape[-1]
        return grad


class Huber(Loss):
    """Squared error for small errors, absolute error for large ones.

    With ``d = y_pred - y_true``: ``l_i = mean_k h(d)``, where ``h(d) = d**2 / 2`` if
    ``|d| <= delta`` else ``delta |d| - delta**2 / 2``;
    ``dl_i/dy_pred = clip(d, -delta, delta) / K``.

    Args:
        delta: where the loss turns from quadratic to linear. Default 1.0.
        reduction: see :class:`Loss`. Default ``"sum_over_batch_size"``.
        name: default ``"huber_loss"``.

    Example: ``Huber()([[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]])`` is ``0.155``.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)
        self.delta = check_number(delta, "delta", 0, closed="neither")

    def call(self, y_true, y_pred):
        d = np.abs(y_pred - y_true)
        quadratic = 0.5 * d * d
        linear = self.delta * d - 0.5 * self.delta ** 2
        return np.mean(np.where(d <= self.delta, quadratic, linear), axis=-1)

    def gradient(self, y_true, y_pred):
        grad = np.clip(y_pred - y_true, -self.delta, self.delta)
        grad /= y_pred.shape[-1]
        return grad

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


class LogCosh(Loss):
    """``l_i = mean_k log(cosh(d))`` with ``d = y_pred - y_true``; ``dl_i/dy_pred = tanh(d) / K``.

    ``cosh`` overflows beyond ``|d| = 710``, so the loss is evaluated as
    ``d + softplus(-2d) - log 2``, which is the same function and stays finite:
    it behaves like ``d**2 / 2`` for small errors and ``|d| - log 2`` for large ones.

    Args:
        reduction: see :class:`Loss`. Default ``"sum_over_batch_size"``.
        name: default ``"log_cosh"``.

    Example: ``LogCosh()([[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]])`` is
    ``log(cosh(1)) / 4 = 0.108``.
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)

    def call(self, y_true, y_pred):
        d = y_pred - y_true
        return np.mean(d + np.logaddexp(0.0, -2.0 * d) - _LOG_2, axis=-1)

    def gradient(self, y_true, y_pred):
        grad = np.tanh(y_pred - y_true)
        grad /= y_pred.shape[-1]
        return grad


# -- Keras's loss functions ----------------------------------------------------------
# `keras.losses.binary_crossentropy(y_true, y_pred)` and the others: each sample's loss,
# unreduced, computed by the class above (the math has one home). Given to `compile`,
# a function trains as its class does, gradient and logits fusion included (see `get`).

def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample :class:`BinaryCrossentropy`, shape ``y_pred.shape[:-1]``.

    Example: ``binary_crossentropy([[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]])`` is
    ``[0.916, 0.714]``.
    """
    return BinaryCrossentropy(from_logits, label_smoothing, axis, reduction="none")(
        y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample :class:`CategoricalCrossentropy`.

    Example: ``categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0]])`` is ``[0.051]``.
    """
    return CategoricalCrossentropy(from_logits, label_smoothing, axis, reduction="none")(
        y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Per-sample :class:`SparseCategoricalCrossentropy` (``ignore_class`` only None).

    Example: ``sparse_categorical_crossentropy([1], [[0.05, 0.95, 0]])`` is ``[0.051]``.
    """
    return SparseCategoricalCrossentropy(from_logits, "none", axis, ignore_class=ignore_class)(
        y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Per-sample :class:`MeanSquaredError`: ``mean((y_pred - y_true)**2)`` over the last axis."""
    return MeanSquaredError(reduction="none")(y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Per-sample :class:`MeanAbsoluteError`: ``mean(|y_pred - y_true|)`` over the last axis."""
    return MeanAbsoluteError(reduction="none")(y_true, y_pred)


def huber(y_true, y_pred, delta=1.0):
    """Per-sample :class:`Huber` loss."""
    return Huber(delta, reduction="none")(y_true, y_pred)


def log_cosh(y_true, y_pred):
    """Per-sample :class:`LogCosh` loss."""
    return LogCosh(reduction="none")(y_true, y_pred)


# tf.keras's short names (Keras 3 keeps them as names for `get` only).
mse, mae = mean_squared_error, mean_absolute_error

# Keras 3's names: snake-case class names plus the short aliases `keras.losses.get`
# accepts ("bce", "mse", "mae"; upper case works too). Class names such as
# "BinaryCrossentropy" resolve through their snake case.
ALL_LOSSES = {
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "huber": Huber,
    "log_cosh": LogCosh,
}


def get(identifier):
    """The loss a Keras name, a ``{"class_name", "config"}`` dict, a class, an instance or
    one of Keras's loss functions names.

    ``None`` gives None, as in Keras. Keras's loss functions
    (``minikeras.losses.binary_crossentropy``, or the same-named function of
    ``minikeras.metrics``) give their class with the default arguments, as Keras
    wraps them: the same values, and the gradient. A function of your own is
    refused: minikeras has no automatic differentiation, so it needs the
    gradient (write a :class:`Loss` subclass). The same look-up as every ``get``
    (:func:`minikeras.utils.registry.resolve`).

    Example: ``get("bce")`` is ``BinaryCrossentropy()``; ``get(mse)`` is ``MeanSquaredError()``.
    """
    return resolve(identifier, ALL_LOSSES, Loss, "loss", function=_loss_of_function)


def _loss_of_function(function):
    name = getattr(function, "__name__", None)
    if getattr(function, "__module__", "").startswith("minikeras.") and name in ALL_LOSSES:
        return ALL_LOSSES[name]()
    raise TypeError(f"`loss` must be a string name or a Loss instance. Received: "
                    f"loss={function!r:.100}. Of functions, Keras's own (minikeras.losses.*) "
                    "are taken; minikeras has no automatic differentiation, so a loss of your "
                    "own is a Loss subclass that writes `call` (per-sample values) and "
                    "`gradient`.")
