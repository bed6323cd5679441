"""Optimizer trajectories against Keras 3 itself, in float64.

Every minikeras optimizer and its Keras namesake take the same random start and
the same random gradients; the weights must agree after each step to ~1e-10
relative. This is the oracle for the rules PyTorch lacks (Lion, Lamb, Ftrl)
and for the Keras-specific details of the others (epsilon placement, the order
of weight decay, update and constraint). The state each leaves behind must be
Keras's ``optimizer.variables``, value for value.
"""
import numpy as np
import pytest

from minikeras import constraints, optimizers
from minikeras.variable import Variable

SHAPES = [(3,), (4, 5), (2, 3, 2)]
STEPS = 8

# name: keyword arguments, the same in both frameworks. The learning rates are powers of
# 2 because Keras keeps the learning rate in a float32 variable: 0.01 would become
# 0.009999999776, a 2e-8 relative difference in every step.
CASES = {
    "sgd_nesterov": ("SGD", {"learning_rate": 0.0625, "momentum": 0.9, "nesterov": True}),
    "adam_amsgrad": ("Adam", {"learning_rate": 2**-7, "amsgrad": True}),
    "adamw": ("AdamW", {"learning_rate": 2**-7, "weight_decay": 0.1}),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 2**-7, "momentum": 0.5, "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.125}),
    "nadam": ("Nadam", {"learning_rate": 2**-7}),
    "adamax": ("Adamax", {"learning_rate": 2**-7}),
    "adamax_big_epsilon": ("Adamax", {"learning_rate": 2**-6, "beta_1": 0.8, "beta_2": 0.9,
                                      "epsilon": 0.5}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adadelta_rho": ("Adadelta", {"learning_rate": 0.5, "rho": 0.5, "epsilon": 1e-3}),
    "lion": ("Lion", {"learning_rate": 2**-7}),
    "lion_betas": ("Lion", {"learning_rate": 2**-5, "beta_1": 0.5, "beta_2": 0.7}),
    "lamb": ("Lamb", {"learning_rate": 0.0625}),
    "lamb_weight_decay": ("Lamb", {"learning_rate": 0.0625, "weight_decay": 0.2, "epsilon": 0.1}),
    "ftrl": ("Ftrl", {"learning_rate": 0.125}),
    "ftrl_regularized": ("Ftrl", {"learning_rate": 0.25, "learning_rate_power": -0.3,
                                  "initial_accumulator_value": 0.5,
                                  "l1_regularization_strength": 0.05,
                                  "l2_regularization_strength": 0.1,
                                  "l2_shrinkage_regularization_strength": 0.02, "beta": 0.3}),
    "adamax_clipnorm": ("Adamax", {"learning_rate": 2**-7, "clipnorm": 0.5}),
    "adafactor": ("Adafactor", {"learning_rate": 2**-7}),
    # A learning rate above 1 / sqrt(t) from the fifth step on, a clipped update, a
    # slower decay and a larger floor for the weight's size.
    "adafactor_capped": ("Adafactor", {"learning_rate": 0.5, "beta_2_decay": -0.5,
                                       "epsilon_2": 0.25, "clip_threshold": 0.5}),
}


# Keras computes part of these steps in float32 even for float64 weights (on its torch
# backend `ops.maximum(x, 0)` of a float64 tensor is float32, and the weight decay, LAMB's
# norms, Ftrl's L1 clip, Adafactor's step-size cap and the clipping norm go through such casts): they agree to
# float32's precision, checked as |ours - keras| <= 1e-5 (|keras| + 1e-3).
FLOAT32_INSIDE = {"adamw", "lamb", "lamb_weight_decay", "ftrl_regularized", "adamax_clipnorm",
                  "adafactor", "adafactor_capped"}


def assert_same_path(ours, theirs, float32_inside=False):
    if float32_inside:
        assert np.max(np.abs(ours - theirs) / (np.abs(theirs) + 1e-3)) <= 1e-5
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_every_optimizer_is_compared():
    compared = {cls_name for cls_name, _ in CASES.values()}
    assert compared == {cls.__name__ for cls in optimizers.ALL_OPTIMIZERS.values()}


def _trajectories(keras, cls_name, kwargs, constraint=None, steps=STEPS):
    """Weights after each step (and the final optimizer state) of both frameworks."""
    import torch
    rng = np.random.default_rng(0)
    start = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(steps)]
    ours = getattr(optimizers, cls_name)(**kwargs)
    variables = [Variable(x.copy(), f"w{i}", constraint=constraint) for i, x in enumerate(start)]
    theirs = getattr(keras.optimizers, cls_name)(**kwargs)
    keras_variables = [keras.Variable(x.copy(), dtype="float64") for x in start]
    if constraint is not None:
        for v in keras_variables:
            v.constraint = getattr(keras.constraints, type(constraint).__name__)(
                **constraint.get_config())
    ours_path, theirs_path = [], []
    for step_grads in grads:
        for v, g in zip(variables, step_grads):
            v.grad[...] = g
        ours.apply(variables)
        theirs.apply([torch.tensor(g) for g in step_grads], keras_variables)
        ours_path.append(np.concatenate([v.value.ravel() for v in variables]))
        theirs_path.append(np.concatenate([np.asarray(v.numpy()).ravel()
                                           for v in keras_variables]))
    return np.array(ours_path), np.array(theirs_path), ours, theirs


@pytest.mark.parametrize("case", CASES)
def test_trajectory_and_state_match_keras(keras3, case):
    cls_name, kwargs = CASES[case]
    ours_path, theirs_path, ours, theirs = _trajectories(keras3, cls_name, kwargs)
    assert_same_path(ours_path, theirs_path, case in FLOAT32_INSIDE)
    state = ours.get_state()
    keras_state = [np.asarray(v.numpy()) for v in theirs.variables]
    assert [a.shape for a in state] == [a.shape for a in keras_state]
    for a, b in zip(state, keras_state):
        assert_same_path(np.asarray(a, np.float64), np.asarray(b, np.float64),
                         case in FLOAT32_INSIDE)


@pytest.mark.parametrize("constraint", [constraints.MaxNorm(0.8, axis=0), constraints.NonNeg(),
                                        constraints.UnitNorm(axis=-1),
                                        constraints.MinMaxNorm(0.5, 1.0, rate=0.5)],
                         ids=lambda c: type(c).__name__)
def test_constraint_follows_each_step_as_in_keras(keras3, constraint):
    # Keras applies `variable.constraint` right after the update, before the next step
    # reads the weights: the paths agree only if minikeras does the same.
    ours_path, theirs_path, _, _ = _trajectories(
        keras3, "SGD", {"learning_rate": 0.25, "momentum": 0.9}, constraint=constraint)
    assert_same_path(ours_path, theirs_path, float32_inside=True)  # see FLOAT32_INSIDE
    unconstrained, _, _, _ = _trajectories(keras3, "SGD", {"learning_rate": 0.25, "momentum": 0.9})
    assert np.max(np.abs(unconstrained - ours_path)) > 1e-2  # the constraint was active
