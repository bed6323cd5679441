"""Checks at the boundary of the public API, so bad input fails early and clearly.

Every message follows one grammar: the argument in backticks, what was
expected, then what was received::

    `learning_rate` must be a non-negative finite number. Received: learning_rate=nan

Constructor arguments are checked by five functions, each returning the
cleaned value (a Python ``float``, ``int`` or ``bool``, so configurations stay
plain JSON even when numpy scalars were passed). Like scikit-learn's
``_parameter_constraints``, a call *declares* the constraint and the message
is written from it, so the two cannot disagree:

* :func:`check_number` -- a real number in an interval: ``low``/``high`` (None
  for unbounded) with ``closed`` ends as in ``sklearn.utils._param_validation.
  Interval``. NaN is always refused; an infinity only when the interval names it
  as a closed end (``high=math.inf, closed="both"``).
* :func:`check_int` -- the same for integers.
* :func:`check_bool` -- ``True`` or ``False``.
* :func:`check_option` -- one of a few values, such as strings.
* :func:`check_name` -- None (a default name follows) or a non-empty string.

The data of ``fit``, ``evaluate`` and ``predict`` goes through
:func:`check_array` (numbers, not empty, finite; pandas objects converted,
iterators refused by name; scipy.sparse matrices too, which only
minikeras/utils/sources.py reads, densifying a block of rows at a time) and the
checks of labels, sample and class weights below it.

Booleans are never numbers here (``True`` is not a learning rate), and numpy
scalars are accepted wherever Python numbers are. ``allow`` lists values taken
as they are besides the interval, such as ``None`` or ``"epoch"``. Nothing here
uses ``assert``, which ``python -O`` strips.

Example::

    >>> check_number(0.9, "beta_1", 0, 1, closed="left")
    0.9
    >>> check_int(0, "units", 1)
    Traceback (most recent call last):
    ...
    ValueError: `units` must be a positive integer. Received: units=0
"""
import collections.abc
import math
import numbers
import reprlib

import numpy as np

from .. import config

_CLOSED = ("both", "left", "right", "neither")

# The largest float32: a bound for constants that join float32 arithmetic (an
# `epsilon` of 1e300 would overflow to inf there).
FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_number(value, argument, low=None, high=None, *, closed="both", allow=()):
    """Return ``value`` as a float if it is a real number in the interval from ``low`` to ``high``.

    Args:
        value: what the caller passed.
        argument: its name, for the message.
        low, high: the bounds; ``None`` leaves that side open-ended.
        closed: which bounds belong to the interval: ``"both"`` (default),
            ``"left"``, ``"right"`` or ``"neither"``.
        allow: values accepted and returned unchanged, e.g. ``[None]``.

    Example: ``check_number(1e-7, "epsilon", 0, closed="neither")`` accepts a
    positive finite number; ``check_number(0.5, "rate", 0, 1, closed="left")``
    a number in ``[0, 1)``.
    """
    return _check_interval(value, argument, low, high, closed, allow, integer=False)


def check_int(value, argument, low=None, high=None, *, closed="both", allow=()):
    """Return ``value`` as an int if it is an integer in the interval (see :func:`check_number`).

    Floats are refused even when whole (``2.0``), as in Keras's ``units``.
    Example: ``check_int(patience, "patience", 0)`` accepts a non-negative integer.
    """
    return _check_interval(value, argument, low, high, closed, allow, integer=True)


def check_bool(value, argument):
    """Return ``value`` as a bool if it is ``True`` or ``False`` (numpy's included).

    ``1``, ``"yes"`` and ``"False"`` are refused: a truthy string would
    otherwise switch the option on silently.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"`{argument}` must be a boolean (True or False). "
                     f"Received: {argument}={reprlib.repr(value)}")


def check_option(value, argument, options):
    """Return ``value`` if it is one of ``options``; the message lists them."""
    if _is_one_of(value, options):
        return value
    raise ValueError(f"`{argument}` must be one of {list(options)}. "
                     f"Received: {argument}={reprlib.repr(value)}")


def check_name(value, argument="name"):
    """Return ``value`` if it is None (a default name follows) or a non-empty string."""
    if value is None or (isinstance(value, str) and value):
        return value
    raise ValueError(f"`{argument}` must be a non-empty string or None. "
                     f"Received: {argument}={reprlib.repr(value)}")


def _check_interval(value, argument, low, high, closed, allow, integer):
    if closed not in _CLOSED:  # a programming error, not a user's
        raise ValueError(f"`closed` must be one of {list(_CLOSED)}. Received: closed={closed!r}")
    if _is_one_of(value, allow):
        return value
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, kind) and not isinstance(value, bool):
        number = int(value) if integer else _as_float(value)
        if _in_interval(number, low, high, closed):
            return number
    raise ValueError(f"`{argument}` must be {_describe(low, high, closed, allow, integer)}. "
                     f"Received: {argument}={reprlib.repr(value)}")


def _as_float(value):
    try:
        return float(value)
    except OverflowError:  # an int beyond float's range, e.g. 10**400
        return math.inf if value > 0 else -math.inf


def _in_interval(number, low, high, closed):
    left, right = closed in ("both", "left"), closed in ("both", "right")
    if math.isnan(number):
        return False
    if low is not None and not (low <= number if left else low < number):
        return False
    if high is not None and not (number <= high if right else number < high):
        return False
    # An infinity passes only as a closed infinite end of the interval.
    return math.isfinite(number) or number in (low, high)


def _describe(low, high, closed, allow, integer):
    """The expectation in words: "a positive integer", "a number in [0, 1)", ..."""
    left, right = closed in ("both", "left"), closed in ("both", "right")
    noun = "integer" if integer else "number"
    # Half-open and unbounded ranges say "finite", so that "Received: x=inf" makes sense.
    finite = "" if integer or (low is not None and high is not None) else "finite "
    if integer and high is None and low == 1 and left:  # integers >= 1 are the positive ones
        low, left = 0, False
    if low is None and high is None:
        text = f"a {finite}{noun}"
    elif high is None and low == 0:
        text = f"a {'non-negative' if left else 'positive'} {finite}{noun}"
    elif high is None:
        text = f"a {finite}{noun} {'>=' if left else '>'} {_show(low)}"
    elif low is None:
        text = f"a {finite}{noun} {'<=' if right else '<'} {_show(high)}"
    else:
        text = (f"a {noun} in {'[' if left else '('}{_show(low)}, "
                f"{_show(high)}{']' if right else ')'}")
    if text.startswith("a integer"):
        text = "an" + text[1:]
    return " or ".join([*(repr(a) for a in allow), text])


def _show(bound):
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


def _is_one_of(value, options):
    # Compared within the option's type, so that an array is never asked for its
    # truth value and True never passes for 1 (numpy's str_ and float64 are
    # subclasses of str and float, so they pass).
    return any(value is option or (isinstance(value, type(option)) and value == option
                                   and isinstance(value, bool) == isinstance(option, bool))
               for option in options)


def check_array(value, argument, dtype=None, finite=True):
    """Return ``value`` as a finite, non-empty numeric array of ``dtype`` (default floatx).

    No copy is made when the input already has the right dtype. ``finite=False``
    leaves the NaN/inf check to the caller, who can then run :func:`check_finite`
    batch by batch while each batch is in cache. The check looks at the cast
    array, so a float64 value beyond float32's range (1e300), which the cast
    turns into inf, is refused like an inf.
    """
    if value is None:
        raise ValueError(f"`{argument}` must be an array. Received: {argument}=None")
    if is_sparse(value):
        raise TypeError(f"`{argument}` is a scipy.sparse matrix, which `fit`, `evaluate` and "
                        f"`predict` read a block of rows at a time; this call takes a dense "
                        f"array. Convert it with `{argument}.toarray()`. Received: {argument} "
                        f"of type {type(value).__name__}, shape {value.shape}")
    if _is_pandas(value):
        value = _from_pandas(value, argument, np.dtype(dtype or config.floatx()))
    elif isinstance(value, collections.abc.Iterator):
        raise TypeError(f"`{argument}` must be an array, not a generator or iterator. Received: "
                        f"{argument} of type {type(value).__name__}. Make it an array with "
                        f"`np.array(list({argument}))`.")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise ValueError(f"`{argument}` must be a rectangular numeric array, every row of the "
                         f"same length. Received: a {type(value).__name__} that is not.") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"`{argument}` must hold numbers. Received: {argument} with "
                        f"dtype={array.dtype}")
    if array.ndim == 0 or len(array) == 0:
        raise ValueError(f"`{argument}` must not be empty. Received: {argument} with "
                         f"shape={array.shape}")
    with np.errstate(over="ignore"):  # an overflow becomes inf, which check_finite reports
        result = array.astype(np.dtype(dtype or config.floatx()), copy=False)
    if finite:
        check_finite(result, argument)
    return result


def is_sparse(value):
    """Whether ``value`` is a scipy.sparse matrix or array (recognised without importing scipy)."""
    return type(value).__module__.startswith("scipy.sparse") and hasattr(value, "toarray")


def _is_pandas(value):
    return type(value).__module__.startswith("pandas") and hasattr(value, "isna")


def _from_pandas(frame, argument, dtype):
    """A DataFrame's or Series's values as ``dtype``: numeric columns only, nothing missing.

    ``np.asarray`` would give an object array for nullable columns (``Int64``,
    ``Float64``, ``boolean``) even without a missing value, and a NaN for a
    missing one: here both get a message that says what to do.
    """
    import pandas  # only reached with a pandas object, so pandas is installed

    columns = frame.dtypes.items() if hasattr(frame, "columns") else [(frame.name, frame.dtype)]
    bad = [(name, str(kind)) for name, kind in columns
           if not pandas.api.types.is_numeric_dtype(kind)]
    if bad:
        raise TypeError(f"`{argument}` must hold numbers. Received: {type(frame).__name__} "
                        f"columns of other dtypes (column, dtype): {reprlib.repr(bad)}. Encode "
                        "them as numbers first (e.g. pandas.get_dummies or an sklearn encoder).")
    missing = frame.isna().to_numpy()
    if missing.any():
        row, *column = np.argwhere(missing)[0]
        where = f"row {frame.index[row]!r}" + (f", column {frame.columns[column[0]]!r}"
                                               if column else "")
        count = int(missing.sum())
        raise ValueError(f"`{argument}` has {count} missing value{'s' * (count > 1)} (NaN, "
                         f"None or pd.NA), the first at {where}. Fill or drop them first, e.g. "
                         f"`{argument}.fillna(...)` or `{argument}.dropna()`.")
    with np.errstate(over="ignore"):  # an overflow becomes inf, which check_finite reports
        return frame.to_numpy(dtype=dtype)


def check_finite(array, argument, offset=0):
    """Raise if the array holds NaN or inf; ``offset`` is its first row's index in ``argument``."""
    # A finite sum proves every entry finite (NaN and inf propagate into it) without
    # building a boolean array; only a non-finite sum, which may also be an overflow
    # of finite values, sends us looking entry by entry.
    if array.dtype.kind != "f":
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(array)):
            return
    if not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))[0]
        index = (int(bad[0]) + offset, *(int(i) for i in bad[1:]))
        value = array[tuple(bad)]
        hint = (f" Numbers beyond {array.dtype}'s range (about {np.finfo(array.dtype).max:.1e} "
                f"in size) become inf when converted to it." if np.isinf(value) else "")
        raise ValueError(f"`{argument}` must be finite, but it holds NaN or inf "
                         f"(first at index {index}: {value}).{hint}")


def check_same_length(x, y, x_name="x", y_name="y"):
    nx, ny = count_samples(x), count_samples(y)
    if nx != ny:
        raise ValueError(f"`{x_name}` and `{y_name}` must have the same number of samples. "
                         f"Received: {x_name} with {nx} samples, {y_name} with {ny}.")


def count_samples(value):
    """The rows of an array, a list or a scipy.sparse matrix (whose ``len()`` raises)."""
    return value.shape[0] if is_sparse(value) else len(value)


def check_features(x, expected_shape, argument="x"):
    """``x``'s sample shape must equal the model's (``expected_shape`` has a batch axis)."""
    if tuple(x.shape[1:]) != tuple(expected_shape[1:]):
        raise ValueError(f"`{argument}` must have samples of shape {tuple(expected_shape[1:])}, "
                         f"as the model's input {tuple(expected_shape)}. Received: "
                         f"{argument}.shape={x.shape}")


def check_sparse_labels(y, classes, argument="y"):
    """Integer class labels in ``[0, classes)``, shape ``(n,)`` or ``(n, 1)``."""
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(f"`{argument}` must hold one integer label per sample, shape (n,) or "
                         f"(n, 1), for sparse categorical cross-entropy. Received: "
                         f"{argument}.shape={y.shape}")
    labels = y.reshape(-1)
    if not np.array_equal(labels, np.round(labels)):
        raise ValueError(f"`{argument}` must hold integer class labels for sparse categorical "
                         f"cross-entropy. Received non-integer values such as "
                         f"{labels[labels != np.round(labels)][0]}.")
    low, high = labels.min(), labels.max()
    if low < 0 or high >= classes:
        bad = low if low < 0 else high
        raise ValueError(f"`{argument}` labels must be in [0, {classes}) for a model with "
                         f"{classes} outputs. Received a label {bad:g}.")
    return labels


def check_targets(y, output_shape, argument="y"):
    """Dense targets: one row per sample, as wide as the model's output."""
    if y.ndim == 1 and output_shape[-1] == 1:
        y = y.reshape(-1, 1)
    if tuple(y.shape[1:]) != tuple(output_shape[1:]):
        hint = (" For integer class labels use loss='sparse_categorical_crossentropy', or "
                "one-hot encode them with minikeras.utils.to_categorical."
                if y.ndim == 1 else "")
        raise ValueError(f"`{argument}` must have shape (n,) + {tuple(output_shape[1:])} to match "
                         f"the model's output {tuple(output_shape)}. Received: "
                         f"{argument}.shape={y.shape}.{hint}")
    return y


def check_binary_labels(y, argument="y"):
    """Labels for binary cross-entropy: every value in ``[0, 1]`` (soft labels allowed).

    A label of 2 or -1 gives the loss no minimum to learn towards (its gradient
    ``p - y`` never vanishes); PyTorch's ``BCELoss`` refuses such labels too.
    """
    if y.size and (y.min() < 0 or y.max() > 1):
        bad = y[(y < 0) | (y > 1)].flat[0]
        raise ValueError(f"`{argument}` must hold binary labels in [0, 1] for binary "
                         f"cross-entropy. Received a label {bad:g}. For class indices use "
                         "loss='sparse_categorical_crossentropy'.")
    return y


def check_loss_output(loss, output_shape):
    """A loss over classes needs an output per class: one unit would make it constant.

    A softmax over one unit is always 1, so categorical cross-entropy would read
    0 and nothing would learn.
    """
    if loss.label_kind in ("categorical", "sparse") and output_shape[-1] == 1:
        raise ValueError(f"`loss`={loss.name!r} needs one output unit per class, at least 2, "
                         f"but the model's output {tuple(output_shape)} has 1 unit, so the "
                         "loss would always be 0. For two classes use one sigmoid unit with "
                         "loss='binary_crossentropy', or Dense(n_classes, "
                         "activation='softmax') as the last layer.")


def check_sample_weight(sample_weight, n):
    """One finite, non-negative weight per sample: shape ``(n,)`` or ``(n, 1)`` -> ``(n,)``."""
    if isinstance(sample_weight, (numbers.Number, np.generic)) or \
            (isinstance(sample_weight, np.ndarray) and sample_weight.ndim == 0):
        raise ValueError(f"`sample_weight` must be an array of shape ({n},), one weight per "
                         f"sample. Received: sample_weight={reprlib.repr(sample_weight)}")
    weights = check_array(sample_weight, "sample_weight")
    if weights.shape not in ((n,), (n, 1)):
        raise ValueError(f"`sample_weight` must have shape ({n},), one weight per "
                         f"sample. Received: sample_weight.shape={weights.shape}")
    weights = weights.reshape(-1)
    if weights.min() < 0:
        index = int(np.argmax(weights < 0))
        raise ValueError(f"`sample_weight` must be non-negative. Received: "
                         f"sample_weight[{index}]={weights[index]:g}")
    return weights


def check_class_weight(class_weight, labels, classes):
    """``{class index: weight}`` -> one weight per sample (float64), as Keras does.

    Args:
        class_weight: what the caller passed.
        labels: the integer class of each sample, shape ``(n,)``.
        classes: how many classes the model tells apart: keys must lie in
            ``[0, classes)``, so that a table of that size holds every weight.

    Every key must be an integer class index (``-1`` would index the last
    class, a huge one would size the table), every value a finite non-negative
    number, and every class in ``labels`` needs a weight.
    """
    if not isinstance(class_weight, dict):
        raise TypeError(f"`class_weight` must be a dict {{class index: weight}}. Received: "
                        f"class_weight={reprlib.repr(class_weight)}")
    table = np.full(classes, np.nan)
    for key, weight in class_weight.items():
        if not isinstance(key, numbers.Integral) or isinstance(key, (bool, np.bool_)) \
                or not 0 <= key < classes:
            raise ValueError(f"`class_weight` keys must be integer class indices in "
                             f"[0, {classes}) for this model and data. Received: "
                             f"class_weight key {reprlib.repr(key)}")
        table[int(key)] = check_number(weight, f"class_weight[{int(key)}]", 0)
    if labels.size and labels.min() < 0:
        raise ValueError(f"`class_weight` needs class labels >= 0 in `y`. Received a label "
                         f"{labels.min()}.")
    present = np.unique(labels)
    missing = present[np.isnan(table[present])]
    if missing.size:
        raise ValueError(f"`class_weight` must give a weight for every class in `y`. "
                         f"Missing: {missing.tolist()}")
    return table[labels]
