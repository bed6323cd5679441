"""F-scores: the weighted harmonic mean of precision and recall, per class or averaged."""
import numpy as np

from ..utils.validation import check_number, check_option
from .base import EPSILON, Metric, _check_binary_labels, _weights_like


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

    direction = "up"

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        self.average = check_option(average, "average", (None, "micro", "macro", "weighted"))
        if isinstance(beta, bool) or not isinstance(beta, (int, float, np.number)) or beta <= 0:
            raise ValueError(f"`beta` must be a positive number. Received: beta={beta!r}")
        self.beta = float(beta)
        self.threshold = None if threshold is None else \
            check_number(threshold, "threshold", 0, 1, closed="right")
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
        w = 1.0 if sample_weight is None else \
            _weights_like(sample_weight, y_true.shape, self._label())
        axis = None if self.average == "micro" else 0
        self.true_positives += np.sum(w * predicted * y_true, axis=axis)
        self.false_positives += np.sum(w * predicted * (1 - y_true), axis=axis)
        self.false_negatives += np.sum(w * ~predicted * y_true, axis=axis)
        self.intermediate_weights += np.sum(w * y_true, axis=axis)

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
