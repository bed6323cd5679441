"""Checks at the boundary of the public API, so bad input fails early and clearly.

Every message follows one grammar: the argument in backticks, what was
expected, then what was received. Nothing here uses ``assert``, which
``python -O`` strips.
"""
import numbers

import numpy as np

from .. import config


def check_positive_int(value, argument):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"`{argument}` must be a positive integer. Received: {argument}={value!r}")
    return int(value)


def check_int(value, argument, low=None, high=None):
    """An integer (not a bool) in ``[low, high]``; either bound may be None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or (low is not None and value < low) or (high is not None and value > high):
        named = {0: "a non-negative integer", 1: "a positive integer"}
        bounds = ("an integer" if low is None and high is None
                  else named.get(low, f"an integer >= {low}") if high is None
                  else f"an integer <= {high}" if low is None
                  else f"an integer in [{low}, {high}]")
        raise ValueError(f"`{argument}` must be {bounds}. Received: {argument}={value!r}")
    return int(value)


def check_fraction(value, argument):
    """A number in [0, 1), such as ``validation_split``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"`{argument}` must be a number in [0, 1). Received: {argument}={value!r}")
    return float(value)


def check_array(value, argument, dtype=None, finite=True):
    """Return ``value`` as a finite, non-empty numeric array of ``dtype`` (default floatx).

    No copy is made when the input already has the right dtype. ``finite=False``
    leaves the NaN/inf check to the caller, who can then run :func:`check_finite`
    batch by batch while each batch is in cache.
    """
    if value is None:
        raise ValueError(f"`{argument}` must be an array. Received: {argument}=None")
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
    if finite:
        check_finite(array, argument)
    return array.astype(np.dtype(dtype or config.floatx()), copy=False)


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
        raise ValueError(f"`{argument}` must be finite, but it holds NaN or inf "
                         f"(first at index {index}: {array[tuple(bad)]}).")


def check_same_length(x, y, x_name="x", y_name="y"):
    if len(x) != len(y):
        raise ValueError(f"`{x_name}` and `{y_name}` must have the same number of samples. "
                         f"Received: {x_name} with {len(x)} samples, {y_name} with {len(y)}.")


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
