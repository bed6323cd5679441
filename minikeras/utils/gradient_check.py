"""Finite-difference gradients: the check a learner runs on a layer they wrote.

Central differences, ``df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h``, have error
``O(h**2)``; in float64 with ``h = 1e-6`` that leaves about 1e-8 of relative
error for smooth functions, far below any real bug.
"""
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function ``f`` at the float64 array ``x``.

    ``x`` is perturbed in place and restored, so ``f`` may close over it.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + eps
        f_plus = f()
        flat_x[i] = saved - eps
        f_minus = f()
        flat_x[i] = saved
        flat_grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """``||a - n|| / max(||a||, ||n||)``: 0 for equal arrays, about 1 when unrelated."""
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric), 1e-12)
    return float(np.linalg.norm(analytic - numeric) / scale)


def check_gradients(model, x, y, sample_weight=None, eps=1e-6):
    """Compare a compiled model's backpropagated gradients with finite differences.

    The model's weights and the data are temporarily stored in float64, so the
    comparison measures the backward pass rather than float32 rounding. The
    loss includes the weight penalties, exactly as in training (in inference
    mode, so dropout-like layers are deterministic).

    Args:
        model: a compiled ``Sequential``.
        x, y: a small batch (each weight costs two forward passes).
        sample_weight: optional per-sample weights.
        eps: finite-difference step.

    Returns:
        ``{layer name: worst relative error over its trainable weights}``; values
        below about 1e-6 mean the backward pass is right.

    Example::

        >>> import minikeras as keras
        >>> x, y = keras.datasets.moons(8, seed=0)
        >>> model = keras.Sequential([
        ...     keras.Input((2,)),
        ...     keras.layers.Dense(4, activation="tanh", name="hidden"),
        ...     keras.layers.Dense(1, activation="sigmoid", name="output")])
        >>> model.compile(optimizer="sgd", loss="binary_crossentropy")
        >>> errors = check_gradients(model, x, y)
        >>> sorted(errors)
        ['hidden', 'output']
        >>> max(errors.values()) < 1e-6
        True
    """
    model._require_compiled("check_gradients")
    x, y, sample_weight = model._prepare(x, y, sample_weight)
    x = x.astype(np.float64)
    if y.dtype.kind == "f":
        y = y.astype(np.float64)
    variables = model.weights
    dtypes = [v.dtype for v in variables]
    for v in variables:
        v.cast(np.float64)
    try:
        model._compute_gradients(x, y, sample_weight, training=False)
        errors = {}
        for layer in model.layers:
            worst = 0.0
            for v in layer.trainable_weights:
                analytic = v.grad.copy()
                numeric = numerical_gradient(
                    lambda: model._loss_value(x, y, sample_weight)[0], v.value, eps)
                worst = max(worst, relative_error(analytic, numeric))
            if layer.trainable_weights:
                errors[layer.name] = worst
        return errors
    finally:
        for v, dtype in zip(variables, dtypes):
            v.cast(dtype)
