"""class_weight and sample_weight, checked against the loss and gradients worked by hand.

Keras's rule: each sample's loss is multiplied by its weight (``sample_weight``
times ``class_weight[label]``), and the sum is divided by the batch size
(``"sum_over_batch_size"``), not by the sum of the weights. ``weighted_metrics``
average with those weights; plain ``metrics`` ignore them.
"""
import numpy as np
import pytest

from minikeras import optimizers
from minikeras.layers import Dense, Input
from minikeras.models import Sequential

LR = 0.1
CLASS_WEIGHT = {0: 0.25, 1: 3.0}


@pytest.fixture
def problem(float64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3))
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    sample_weight = np.array([1.0, 0.5, 2.0, 1.5, 0.0, 1.0])
    kernel, bias = rng.normal(size=(3, 1)), np.array([0.3])
    return x, y, sample_weight, kernel, bias


def _model(kernel, bias, weighted_metrics=None):
    model = Sequential([Input((3,)), Dense(1, activation="sigmoid")])
    model.set_weights([kernel, bias])
    model.compile(optimizer=optimizers.SGD(learning_rate=LR), loss="binary_crossentropy",
                  metrics=["accuracy"], weighted_metrics=weighted_metrics)
    return model


def _by_hand(x, y, w, kernel, bias):
    """Weighted binary cross-entropy of ``sigmoid(x W + b)``, its gradients and one SGD step."""
    z = x @ kernel[:, 0] + bias[0]
    p = 1 / (1 + np.exp(-z))
    per_sample = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    n = len(x)
    loss = np.sum(w * per_sample) / n                 # divided by the batch size, not sum(w)
    dz = w * (p - y) / n                              # dL/dz_i
    d_kernel, d_bias = x.T @ dz, dz.sum()
    return loss, kernel - LR * d_kernel[:, None], bias - LR * d_bias, p


def test_hand_values_are_what_they_claim(problem):
    """The hand gradient itself, against central differences of the hand loss."""
    x, y, s, kernel, bias = problem
    w = s * np.where(y == 1, CLASS_WEIGHT[1], CLASS_WEIGHT[0])
    _, new_kernel, _, _ = _by_hand(x, y, w, kernel, bias)
    grad = (kernel - new_kernel) / LR
    for i in range(3):
        e = np.zeros_like(kernel)
        e[i] = 1e-6
        numeric = (_by_hand(x, y, w, kernel + e, bias)[0]
                   - _by_hand(x, y, w, kernel - e, bias)[0]) / 2e-6
        assert numeric == pytest.approx(grad[i, 0], rel=1e-6)


@pytest.mark.parametrize("use_sample, use_class", [(True, False), (False, True), (True, True)],
                         ids=["sample_weight", "class_weight", "both"])
def test_train_on_batch_matches_hand_step(problem, use_sample, use_class):
    x, y, s, kernel, bias = problem
    w = np.ones(len(x))
    if use_sample:
        w = w * s
    if use_class:
        w = w * np.where(y == 1, CLASS_WEIGHT[1], CLASS_WEIGHT[0])
    loss, new_kernel, new_bias, _ = _by_hand(x, y, w, kernel, bias)
    model = _model(kernel, bias)
    got = model.train_on_batch(x, y, sample_weight=s if use_sample else None,
                               class_weight=CLASS_WEIGHT if use_class else None)
    assert got == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(model.get_weights()[0], new_kernel, rtol=1e-12)
    np.testing.assert_allclose(model.get_weights()[1], new_bias, rtol=1e-12)


def test_fit_applies_the_same_weights_as_train_on_batch(problem):
    x, y, s, kernel, bias = problem
    w = s * np.where(y == 1, CLASS_WEIGHT[1], CLASS_WEIGHT[0])
    loss, new_kernel, new_bias, _ = _by_hand(x, y, w, kernel, bias)
    model = _model(kernel, bias)
    history = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0,
                        sample_weight=s, class_weight=CLASS_WEIGHT)
    assert history.history["loss"][0] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(model.get_weights()[0], new_kernel, rtol=1e-12)
    np.testing.assert_allclose(model.get_weights()[1], new_bias, rtol=1e-12)


def test_unweighted_step_differs(problem):
    """Guard against the weights being silently ignored: they change the step."""
    x, y, s, kernel, bias = problem
    weighted, plain = _model(kernel, bias), _model(kernel, bias)
    weighted.train_on_batch(x, y, sample_weight=s, class_weight=CLASS_WEIGHT)
    plain.train_on_batch(x, y)
    assert not np.allclose(weighted.get_weights()[0], plain.get_weights()[0])


def test_metrics_weighted_only_when_asked(problem):
    x, y, s, kernel, bias = problem
    model = _model(kernel, bias, weighted_metrics=["accuracy"])
    p = _by_hand(x, y, s, kernel, bias)[3]
    correct = ((p > 0.5) == (y == 1)).astype(float)
    logs = model.evaluate(x, y, sample_weight=s, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(_by_hand(x, y, s, kernel, bias)[0], rel=1e-12)
    assert logs["accuracy"] == pytest.approx(correct.mean())
    assert logs["weighted_accuracy"] == pytest.approx(np.sum(s * correct) / np.sum(s))
    assert correct.mean() != pytest.approx(np.sum(s * correct) / np.sum(s))  # the test can tell


def test_class_weight_for_one_hot_softmax_outputs(float64):
    """One-hot labels pick their class weight by argmax; the gradient is ``w (softmax - y) / N``."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 2))
    labels = np.array([0, 2, 1, 2, 0])
    y = np.eye(3)[labels]
    kernel, bias = rng.normal(size=(2, 3)), np.zeros(3)
    class_weight = {0: 1.0, 1: 0.5, 2: 4.0}
    model = Sequential([Input((2,)), Dense(3, activation="softmax")])
    model.set_weights([kernel, bias])
    model.compile(optimizer=optimizers.SGD(learning_rate=LR), loss="categorical_crossentropy")
    loss = model.train_on_batch(x, y, class_weight=class_weight)

    z = x @ kernel
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    w = np.array([class_weight[c] for c in labels])
    assert loss == pytest.approx(np.sum(w * -np.log(p[np.arange(5), labels])) / 5, rel=1e-12)
    dz = w[:, None] * (p - y) / 5
    np.testing.assert_allclose(model.get_weights()[0], kernel - LR * x.T @ dz, rtol=1e-12)
    np.testing.assert_allclose(model.get_weights()[1], -LR * dz.sum(axis=0), atol=1e-15)


def test_class_weight_missing_a_class(problem):
    x, y, _, kernel, bias = problem
    with pytest.raises(ValueError, match=r"`class_weight` must give a weight for every class"):
        _model(kernel, bias).train_on_batch(x, y, class_weight={0: 1.0})
