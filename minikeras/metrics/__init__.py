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

Where they live: ``base.py`` (the :class:`Metric` contract, :class:`Mean`,
:class:`Sum`, :class:`MeanMetricWrapper`, and how inputs are read and checked),
``accuracy_metrics.py``, ``regression_metrics.py`` (with R²),
``probabilistic_metrics.py``, ``hinge_metrics.py``, ``confusion_metrics.py`` and
``f_score_metrics.py``, as in Keras; this file resolves names.

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
from ..losses import Loss
from ..utils.registry import find_custom_object, resolve
from .accuracy_metrics import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                               SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                               TopKCategoricalAccuracy, _accuracy_by_shape, accuracy,
                               binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
                               sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from .base import Mean, MeanMetricWrapper, Metric, Sum, _snake_case
from .confusion_metrics import (AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall,
                                Recall, RecallAtPrecision, SensitivityAtSpecificity,
                                SpecificityAtSensitivity, TrueNegatives, TruePositives,
                                confusion_counts)  # noqa: F401 - public here
from .f_score_metrics import F1Score, FBetaScore
from .hinge_metrics import (CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge,
                            squared_hinge)
from .probabilistic_metrics import (BinaryCrossentropy, CategoricalCrossentropy, KLDivergence,
                                    Poisson, SparseCategoricalCrossentropy,
                                    _crossentropy_by_shape, binary_crossentropy,
                                    categorical_crossentropy, kl_divergence, poisson,
                                    sparse_categorical_crossentropy)
from .regression_metrics import (CosineSimilarity, LogCoshError, MeanAbsoluteError,
                                 MeanAbsolutePercentageError, MeanSquaredError,
                                 MeanSquaredLogarithmicError, R2Score, RootMeanSquaredError,
                                 cosine_similarity, log_cosh, mean_absolute_error,
                                 mean_absolute_percentage_error, mean_squared_error,
                                 mean_squared_logarithmic_error)


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
# "accuracy" and "acc" so; "crossentropy" and "ce" as tf.keras did), with the
# direction of improvement.
_BY_SHAPE = {"accuracy": (_accuracy_by_shape, "up"), "acc": (_accuracy_by_shape, "up"),
             "crossentropy": (_crossentropy_by_shape, "down"),
             "ce": (_crossentropy_by_shape, "down")}


def _metric_function(name):
    fn = _FUNCTIONS.get(name) or find_custom_object(name)
    if not callable(fn):
        raise ValueError(f"Unknown metric function: {name!r}. Valid names are: "
                         f"{', '.join(sorted(n for n in _FUNCTIONS if not n.startswith('_')))}.")
    return fn


def get(identifier):
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
      ``fn(y_true, y_pred)`` (wrapped in :class:`MeanMetricWrapper`, named after it);
    * ``None`` gives None, as in Keras.

    The same look-up as every ``get`` (:func:`minikeras.utils.registry.resolve`),
    plus the names above whose meaning depends on the data.

    Args:
        identifier: see above.

    Example:
        >>> get("mae")
        MeanAbsoluteError(name='mae')
    """
    if isinstance(identifier, str) and identifier.lower() in _BY_SHAPE:
        fn, direction = _BY_SHAPE[identifier.lower()]
        metric = MeanMetricWrapper(fn, name=identifier)
        metric.direction = direction
        return metric
    metric = resolve(identifier, ALL_METRICS, Metric, "metric", function=_wrap_function)
    if isinstance(identifier, str):
        metric.name = identifier  # a new object, named by the string as Keras's logs are
    return metric


def _wrap_function(fn):
    """A function ``fn(y_true, y_pred)`` (or a Loss) as a metric named after it."""
    name = getattr(fn, "name", None) or _snake_case(getattr(fn, "__name__", type(fn).__name__))
    metric = MeanMetricWrapper(fn, name=name)
    if isinstance(fn, Loss):  # a loss used as a metric: lower is better
        metric.direction = "down"
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
