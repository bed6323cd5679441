"""Losses: finite-difference gradients, hand-worked values, logits vs probabilities, extremes."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minikeras import activations
from minikeras import losses as L
from minikeras.utils.gradient_check import numerical_gradient, relative_error

N, K = 5, 3


def make_data(kind, rng, dtype=np.float64):
    """(y_true, y_pred) of shape (N, K) (sparse: labels (N,)) away from clips and kinks."""
    labels = rng.integers(0, K, size=N)
    one_hot = np.eye(K)[labels]
    if kind == "binary_prob":
        y_true, y_pred = rng.integers(0, 2, (N, K)).astype(float), rng.uniform(0.05, 0.95, (N, K))
    elif kind == "binary_logits":
        y_true, y_pred = rng.integers(0, 2, (N, K)).astype(float), rng.normal(0, 3, (N, K))
    elif kind == "cat_prob":  # unnormalised rows, so the normalisation's gradient is tested too
        y_true, y_pred = one_hot, rng.uniform(0.2, 1.0, (N, K))
    elif kind == "cat_logits":
        y_true, y_pred = one_hot, rng.normal(0, 3, (N, K))
    elif kind == "sparse_prob":
        y_true, y_pred = labels, rng.uniform(0.2, 1.0, (N, K))
    elif kind == "sparse_logits":
        y_true, y_pred = labels, rng.normal(0, 3, (N, K))
    else:  # regression: |error| avoids the kinks of MAE (0) and Huber (delta = 0.5, 1)
        size = rng.choice([0.1, 0.6, 1.2, 2.0], (N, K)) + rng.uniform(0, 0.25, (N, K))
        y_true = rng.normal(0, 1, (N, K))
        y_pred = y_true + rng.choice([-1.0, 1.0], (N, K)) * size
    return y_true, y_pred.astype(dtype)


CASES = [
    ("bce", lambda **kw: L.BinaryCrossentropy(**kw), "binary_prob"),
    ("bce_smooth", lambda **kw: L.BinaryCrossentropy(label_smoothing=0.2, **kw), "binary_prob"),
    ("bce_logits", lambda **kw: L.BinaryCrossentropy(from_logits=True, **kw), "binary_logits"),
    ("bce_logits_smooth",
     lambda **kw: L.BinaryCrossentropy(from_logits=True, label_smoothing=0.3, **kw), "binary_logits"),
    ("cce", lambda **kw: L.CategoricalCrossentropy(**kw), "cat_prob"),
    ("cce_smooth", lambda **kw: L.CategoricalCrossentropy(label_smoothing=0.2, **kw), "cat_prob"),
    ("cce_logits", lambda **kw: L.CategoricalCrossentropy(from_logits=True, **kw), "cat_logits"),
    ("cce_logits_smooth",
     lambda **kw: L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1, **kw), "cat_logits"),
    ("scce", lambda **kw: L.SparseCategoricalCrossentropy(**kw), "sparse_prob"),
    ("scce_logits", lambda **kw: L.SparseCategoricalCrossentropy(from_logits=True, **kw),
     "sparse_logits"),
    ("mse", lambda **kw: L.MeanSquaredError(**kw), "regression"),
    ("mae", lambda **kw: L.MeanAbsoluteError(**kw), "regression"),
    ("huber", lambda **kw: L.Huber(**kw), "regression"),
    ("huber_half", lambda **kw: L.Huber(delta=0.5, **kw), "regression"),
    ("log_cosh", lambda **kw: L.LogCosh(**kw), "regression"),
]
CASE_IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("name, factory, kind", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("reduction, weighted", [
    ("sum_over_batch_size", False), ("sum_over_batch_size", True), ("sum", False), ("sum", True),
], ids=["mean", "mean_weighted", "sum", "sum_weighted"])
def test_gradient_matches_finite_differences(name, factory, kind, reduction, weighted):
    rng = np.random.default_rng(0)
    y_true, y_pred = make_data(kind, rng)
    weights = rng.uniform(0.1, 2.0, N) if weighted else None
    loss = factory(reduction=reduction)

    value, grad = loss.value_and_gradient(y_true, y_pred, sample_weight=weights)
    numeric = numerical_gradient(lambda: loss(y_true, y_pred, sample_weight=weights), y_pred)

    assert value == pytest.approx(loss(y_true, y_pred, sample_weight=weights))
    assert grad.shape == y_pred.shape
    assert relative_error(grad, numeric) < 1e-6


@pytest.mark.parametrize("loss, y_true, y_pred, per_sample", [
    # -mean(log 0.4, log 0.4) = 0.9163;  -mean(log 0.6, log 0.4) = 0.7136
    (L.BinaryCrossentropy(), [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], [0.916291, 0.713558]),
    # labels 0.1 / 0.9: -(0.9 log 0.4 + 0.1 log 0.6) = 0.8757, -(0.1 log 0.8 + 0.9 log 0.2) = 1.4708
    (L.BinaryCrossentropy(label_smoothing=0.2), [[0], [1]], [[0.6], [0.2]], [0.875744, 1.470808]),
    # Keras docs example: per sample mean of softplus(-y z) terms, mean 0.865
    (L.BinaryCrossentropy(from_logits=True), [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]],
     [0.235157, 1.495759]),
    # -log 0.95 = 0.0513;  -log 0.1 = 2.3026
    (L.CategoricalCrossentropy(), [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]],
     [0.051293, 2.302585]),
    # rows are normalised first: [2, 6, 2] / 10 -> -log 0.6 = 0.5108
    (L.CategoricalCrossentropy(), [[0, 1, 0]], [[2, 6, 2]], [0.510826]),
    # logits [0, ln 3]: softmax [0.25, 0.75]; smoothed labels [0.1, 0.9]:
    # -(0.1 log 0.25 + 0.9 log 0.75) = 0.3975
    (L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2), [[0, 1]], [[0, np.log(3)]],
     [0.397543]),
    (L.SparseCategoricalCrossentropy(), [1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]],
     [0.051293, 2.302585]),
    # logsumexp(0, ln 3) - 0 = ln 4
    (L.SparseCategoricalCrossentropy(from_logits=True), [0], [[0, np.log(3)]], [np.log(4)]),
    # errors (1, 0) and (1, 0): mean squares 0.5, 0.5; mean absolutes 0.5, 0.5
    (L.MeanSquaredError(), [[0, 1], [0, 0]], [[1, 1], [1, 0]], [0.5, 0.5]),
    (L.MeanAbsoluteError(), [[0, 1], [0, -1]], [[1, 1], [1, 1]], [0.5, 1.5]),
    # errors 0.6, -0.6 -> 0.18 each; 0.4, 0.6 -> 0.08, 0.18; error 3 -> 1 * 3 - 0.5 = 2.5
    (L.Huber(), [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], [0.18, 0.13]),
    (L.Huber(), [[0.0]], [[3.0]], [2.5]),
    # delta 2, error 3: 2 * 3 - 2 = 4
    (L.Huber(delta=2.0), [[0.0]], [[-3.0]], [4.0]),
    # log cosh 1 = 0.4338, halved over two outputs
    (L.LogCosh(), [[0, 1], [0, 0]], [[1, 1], [0, 0]], [0.216890, 0.0]),
], ids=["bce", "bce_smooth", "bce_logits", "cce", "cce_normalises", "cce_logits_smooth", "scce",
        "scce_logits", "mse", "mae", "huber", "huber_linear", "huber_delta2", "log_cosh"])
def test_values_worked_by_hand(loss, y_true, y_pred, per_sample):
    np.testing.assert_allclose(loss.call(*loss._prepare(y_true, y_pred)), per_sample, atol=1e-6)
    assert loss(y_true, y_pred) == pytest.approx(np.mean(per_sample), abs=1e-6)


def test_keras_documented_reductions():
    # Keras's docstring: 0.865 mean, 0.243 with weights [0.8, 0.2], 1.730 summed.
    y_true, y_pred = [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]
    assert L.BinaryCrossentropy(from_logits=True)(y_true, y_pred) == pytest.approx(0.865, abs=1e-3)
    assert L.BinaryCrossentropy(from_logits=True)(y_true, y_pred, sample_weight=[0.8, 0.2]) \
        == pytest.approx(0.243, abs=1e-3)
    summed = L.BinaryCrossentropy(from_logits=True, reduction="sum")
    assert summed(y_true, y_pred) == pytest.approx(1.730, abs=1e-3)
    per_sample = L.BinaryCrossentropy(from_logits=True, reduction="none")(y_true, y_pred)
    np.testing.assert_allclose(per_sample, [0.235157, 1.495759], atol=1e-6)


def test_probabilities_are_clipped_like_keras():
    # p = 0 for the true class: -log(1e-7) = 16.118, and a zero gradient where clipped.
    value, grad = L.BinaryCrossentropy().value_and_gradient([[1.0]], np.array([[0.0]]))
    assert value == pytest.approx(-np.log(1e-7), rel=1e-6)
    assert grad[0, 0] == 0.0


@st.composite
def _logit_batch(draw, low, high):
    return draw(hnp.arrays(np.float64, (4, 3), elements=st.floats(low, high)))


@settings(max_examples=40, deadline=None)
@given(z=_logit_batch(-10, 10), y=hnp.arrays(np.float64, (4, 3), elements=st.sampled_from([0., 1.])),
       smoothing=st.sampled_from([0.0, 0.1]))
def test_binary_from_logits_equals_probability_path(z, y, smoothing):
    sigmoid = activations.Sigmoid()
    p = sigmoid(z)
    probs = L.BinaryCrossentropy(label_smoothing=smoothing)
    logits = probs.with_logits()
    value_p, grad_p = probs.value_and_gradient(y, p)
    value_z, grad_z = logits.value_and_gradient(y, z)
    assert value_z == pytest.approx(value_p, rel=1e-9, abs=1e-12)
    # chain rule through the sigmoid gives the fused logits gradient
    np.testing.assert_allclose(sigmoid.backward(grad_p, z, p), grad_z, rtol=1e-7, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(z=_logit_batch(-5, 5), labels=hnp.arrays(np.int64, (4,), elements=st.integers(0, 2)),
       smoothing=st.sampled_from([0.0, 0.2]))
def test_categorical_from_logits_equals_probability_path(z, labels, smoothing):
    softmax = activations.Softmax()
    p = softmax(z)
    y = np.eye(3)[labels]
    probs = L.CategoricalCrossentropy(label_smoothing=smoothing)
    value_p, grad_p = probs.value_and_gradient(y, p)
    value_z, grad_z = probs.with_logits().value_and_gradient(y, z)
    assert value_z == pytest.approx(value_p, rel=1e-9)
    np.testing.assert_allclose(softmax.backward(grad_p, z, p), grad_z, rtol=1e-7, atol=1e-12)

    sparse = L.SparseCategoricalCrossentropy()
    assert sparse(labels, p) == pytest.approx(L.CategoricalCrossentropy()(y, p), rel=1e-12)
    assert sparse.with_logits()(labels, z) == pytest.approx(sparse(labels, p), rel=1e-9)


@pytest.mark.parametrize("name, factory, kind", CASES, ids=CASE_IDS)
def test_fused_call_and_gradient_equals_the_separate_ones(name, factory, kind):
    """The one-pass form training uses computes exactly what `call` and `gradient` define."""
    loss = factory()
    y_true, y_pred = loss._prepare(*make_data(kind, np.random.default_rng(3)))
    losses, grad = loss.call_and_gradient(y_true, y_pred)
    np.testing.assert_allclose(losses, loss.call(y_true, y_pred), rtol=1e-12)
    np.testing.assert_allclose(grad, loss.gradient(y_true, y_pred), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("loss, y_true, expected_value, expected_grad", [
    # y = 0 at z = +1e4 and y = 1 at z = -1e4 each cost 1e4; the other two cost 0.
    (L.BinaryCrossentropy(from_logits=True), [[0, 1], [1, 0]], 5e3, [[0.25, -0.25], [0, 0]]),
    # true class at -1e4 against +1e4: logsumexp - z = 2e4; gradient softmax - y = (1, -1, 0)
    (L.CategoricalCrossentropy(from_logits=True), [[0, 1, 0], [1, 0, 0]], 1e4,
     [[0.5, -0.5, 0], [0, 0, 0]]),
    (L.SparseCategoricalCrossentropy(from_logits=True), [1, 0], 1e4, [[0.5, -0.5, 0], [0, 0, 0]]),
], ids=["bce_logits", "cce_logits", "scce_logits"])
def test_extreme_logits_are_finite_and_exact(loss, y_true, expected_value, expected_grad, dtype):
    width = len(expected_grad[0])
    z = np.array([[1e4, -1e4, 0.0][:width], [1e4, -1e4, 0.0][:width]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = loss.value_and_gradient(y_true, z)
    assert value == pytest.approx(expected_value, rel=1e-6)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, expected_grad, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name, factory, kind", CASES, ids=CASE_IDS)
def test_huge_inputs_give_finite_values_and_keep_dtype(name, factory, kind, dtype):
    rng = np.random.default_rng(1)
    y_true, _ = make_data(kind, rng)
    if kind.endswith("prob"):  # probabilities saturate at 0 and 1, the clip keeps logs finite
        y_pred = rng.choice([0.0, 1.0], (N, K)).astype(dtype)
        if not kind.startswith("binary"):
            y_pred[:, 0] = 1.0  # keep every row's sum positive
    else:
        y_pred = rng.choice([-1e4, 1e4], (N, K)).astype(dtype)
    loss = factory()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = loss.value_and_gradient(y_true, y_pred, sample_weight=np.ones(N))
        per_sample = loss.call(*loss._prepare(y_true, y_pred))
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert grad.dtype == dtype and per_sample.dtype == dtype and per_sample.shape == (N,)


@pytest.mark.parametrize("loss, expected", [
    (L.LogCosh(), 1e4 - np.log(2)),  # log cosh(x) -> |x| - log 2
    (L.Huber(), 1e4 - 0.5),
    (L.MeanAbsoluteError(), 1e4),
], ids=["log_cosh", "huber", "mae"])
def test_regression_losses_grow_linearly_for_huge_errors(loss, expected):
    for error in (1e4, -1e4):
        assert loss([[0.0]], np.array([[error]])) == pytest.approx(expected, rel=1e-12)


_LOSS_INPUTS = {
    "binary_prob": (hnp.arrays(np.float64, (4, 2), elements=st.floats(0, 1)),
                    hnp.arrays(np.float64, (4, 2), elements=st.floats(0, 1))),
    "binary_logits": (hnp.arrays(np.float64, (4, 2), elements=st.floats(0, 1)),
                      hnp.arrays(np.float64, (4, 2), elements=st.floats(-1e4, 1e4))),
    "cat_prob": (hnp.arrays(np.float64, (4, 3), elements=st.floats(0, 1)),
                 hnp.arrays(np.float64, (4, 3), elements=st.floats(1e-3, 1))),
    "cat_logits": (hnp.arrays(np.float64, (4, 3), elements=st.floats(0, 1)),
                   hnp.arrays(np.float64, (4, 3), elements=st.floats(-1e4, 1e4))),
    "sparse_prob": (hnp.arrays(np.int64, (4,), elements=st.integers(0, 2)),
                    hnp.arrays(np.float64, (4, 3), elements=st.floats(1e-3, 1))),
    "sparse_logits": (hnp.arrays(np.int64, (4,), elements=st.integers(0, 2)),
                      hnp.arrays(np.float64, (4, 3), elements=st.floats(-1e4, 1e4))),
    "regression": (hnp.arrays(np.float64, (4, 2), elements=st.floats(-1e4, 1e4)),
                   hnp.arrays(np.float64, (4, 2), elements=st.floats(-1e4, 1e4))),
}


@pytest.mark.parametrize("name, factory, kind", CASES, ids=CASE_IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_losses_are_non_negative(name, factory, kind, data):
    true_strategy, pred_strategy = _LOSS_INPUTS[kind]
    y_true, y_pred = data.draw(true_strategy), data.draw(pred_strategy)
    losses = factory(reduction="none")(y_true, y_pred)
    assert losses.shape == (4,)
    # log cosh(x) = x + softplus(-2x) - log 2 loses ~1e-16 to rounding near x = 0
    assert np.all(losses >= -1e-12)


def test_sparse_equals_categorical_with_one_hot_labels():
    rng = np.random.default_rng(0)
    labels, y_pred = make_data("sparse_prob", rng)
    one_hot = np.eye(K)[labels]
    for from_logits in (False, True):
        sparse = L.SparseCategoricalCrossentropy(from_logits=from_logits)
        dense = L.CategoricalCrossentropy(from_logits=from_logits)
        v_s, g_s = sparse.value_and_gradient(labels, y_pred)
        v_d, g_d = dense.value_and_gradient(one_hot, y_pred)
        assert v_s == pytest.approx(v_d, rel=1e-12)
        np.testing.assert_allclose(g_s, g_d, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("labels", [
    np.array([0, 2, 1]), np.array([[0], [2], [1]]), np.array([0.0, 2.0, 1.0]), [0, 2, 1],
], ids=["int", "column", "float", "list"])
def test_sparse_label_forms_agree(labels):
    y_pred = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]])
    expected = -np.mean(np.log([0.7, 0.8, 0.4]))
    assert L.SparseCategoricalCrossentropy()(labels, y_pred) == pytest.approx(expected)


@pytest.mark.parametrize("labels, match", [
    ([0, 3], r"`y_true` must hold integer class indices in \[0, 3\)\. Received: y_true containing 3"),
    ([-1, 0], r"in \[0, 3\)\. Received: y_true containing -1"),
    ([0.0, 1.5], r"in \[0, 3\)\. Received: y_true containing 1.5"),
    ([0.0, np.nan], r"in \[0, 3\)\. Received: y_true containing nan"),
    ([0, 1, 2], r"`y_true` must hold one class index per sample"),
    ([[0, 1], [1, 0]], r"`y_true` must hold one class index per sample"),
], ids=["too_big", "negative", "non_integer", "nan", "wrong_length", "one_hot"])
def test_sparse_rejects_bad_labels(labels, match):
    y_pred = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=match):
        L.SparseCategoricalCrossentropy()(labels, y_pred)


def test_column_labels_are_not_broadcast_against_a_single_output():
    y_pred = np.array([[0.9], [0.2], [0.6]])
    flat = L.BinaryCrossentropy()([1, 0, 1], y_pred)
    assert flat == pytest.approx(L.BinaryCrossentropy()([[1], [0], [1]], y_pred))
    assert flat == pytest.approx(-np.mean(np.log([0.9, 0.8, 0.6])))
    with pytest.raises(ValueError, match="`y_true` and `y_pred` must have the same shape"):
        L.MeanSquaredError()(np.zeros((3, 2)), np.zeros((3, 3)))


def test_reductions_and_sample_weight():
    loss_values = np.array([0.5, 1.5])  # MAE per sample from the hand example above
    y_true, y_pred = [[0, 1], [0, -1]], [[1, 1], [1, 1]]
    np.testing.assert_allclose(L.MeanAbsoluteError(reduction="none")(y_true, y_pred), loss_values)
    assert L.MeanAbsoluteError(reduction="sum")(y_true, y_pred) == pytest.approx(2.0)
    # Keras's "sum_over_batch_size" divides the weighted sum by the batch size, not by sum(w)
    assert L.MeanAbsoluteError()(y_true, y_pred, sample_weight=[2.0, 0.0]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="`value_and_gradient` needs a scalar loss"):
        L.MeanAbsoluteError(reduction="none").value_and_gradient(y_true, y_pred)


def test_with_logits_copies_settings_and_leaves_the_original():
    loss = L.CategoricalCrossentropy(label_smoothing=0.1, name="cce", reduction="sum")
    copy = loss.with_logits()
    assert copy is not loss and copy.from_logits and not loss.from_logits
    assert copy.get_config() == {**loss.get_config(), "from_logits": True}
    assert L.SparseCategoricalCrossentropy().with_logits().from_logits
    assert L.BinaryCrossentropy.output_activation == "sigmoid"
    assert L.CategoricalCrossentropy.output_activation == "softmax"
    assert L.SparseCategoricalCrossentropy.output_activation == "softmax"
    with pytest.raises(TypeError, match="MeanSquaredError has no `from_logits` form"):
        L.MeanSquaredError().with_logits()


@pytest.mark.parametrize("identifier, cls, name", [
    ("binary_crossentropy", L.BinaryCrossentropy, "binary_crossentropy"),
    ("bce", L.BinaryCrossentropy, "binary_crossentropy"),
    ("BCE", L.BinaryCrossentropy, "binary_crossentropy"),
    ("BinaryCrossentropy", L.BinaryCrossentropy, "binary_crossentropy"),
    ("categorical_crossentropy", L.CategoricalCrossentropy, "categorical_crossentropy"),
    ("SparseCategoricalCrossentropy", L.SparseCategoricalCrossentropy,
     "sparse_categorical_crossentropy"),
    ("mse", L.MeanSquaredError, "mean_squared_error"),
    ("MeanSquaredError", L.MeanSquaredError, "mean_squared_error"),
    ("mae", L.MeanAbsoluteError, "mean_absolute_error"),
    ("mean_absolute_error", L.MeanAbsoluteError, "mean_absolute_error"),
    ("huber", L.Huber, "huber_loss"),
    ("Huber", L.Huber, "huber_loss"),
    ("log_cosh", L.LogCosh, "log_cosh"),
    ("LogCosh", L.LogCosh, "log_cosh"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_get_resolves_keras_names(identifier, cls, name):
    loss = L.get(identifier)
    assert type(loss) is cls and loss.name == name


def test_get_passes_instances_and_configs_and_rejects_unknown_names():
    loss = L.Huber(delta=2.0)
    assert L.get(loss) is loss
    from_config = L.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(from_config, L.CategoricalCrossentropy) and from_config.from_logits
    with pytest.raises(ValueError, match="Unknown `loss`: 'hinge'. Valid names are: .*mse"):
        L.get("hinge")
    with pytest.raises(TypeError, match="`loss` must be a string name"):
        L.get(3)


@pytest.mark.parametrize("make, match", [
    (lambda: L.BinaryCrossentropy(label_smoothing=1.5), r"`label_smoothing` must be a number in \[0, 1\]"),
    (lambda: L.CategoricalCrossentropy(label_smoothing=-0.1), r"`label_smoothing` must be"),
    (lambda: L.Huber(delta=0.0), r"`delta` must be a positive finite number. Received: delta=0.0"),
    (lambda: L.MeanSquaredError(reduction="mean"), r"`reduction` must be one of"),
], ids=["bce_smoothing", "cce_smoothing", "huber_delta", "reduction"])
def test_constructor_arguments_are_checked(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# -- Keras's loss functions ---------------------------------------------------------------

FUNCTIONS = [
    ("binary_crossentropy", "binary_prob", {}),
    ("binary_crossentropy", "binary_logits", {"from_logits": True, "label_smoothing": 0.2}),
    ("categorical_crossentropy", "cat_prob", {"label_smoothing": 0.1}),
    ("categorical_crossentropy", "cat_logits", {"from_logits": True}),
    ("sparse_categorical_crossentropy", "sparse_prob", {}),
    ("sparse_categorical_crossentropy", "sparse_logits", {"from_logits": True}),
    ("mean_squared_error", "regression", {}),
    ("mean_absolute_error", "regression", {}),
    ("huber", "regression", {"delta": 0.5}),
    ("log_cosh", "regression", {}),
]
FUNCTION_IDS = [f"{name}-{kind}" for name, kind, _ in FUNCTIONS]


@pytest.mark.parametrize("name, kind, kwargs", FUNCTIONS, ids=FUNCTION_IDS)
def test_function_is_its_class_unreduced(rng, name, kind, kwargs):
    y_true, y_pred = make_data(kind, rng)
    values = getattr(L, name)(y_true, y_pred, **kwargs)
    loss = L.get(name).__class__(**kwargs, reduction="none")
    assert values.shape == (N,)
    np.testing.assert_array_equal(values, loss(y_true, y_pred))


@pytest.mark.parametrize("name, kind, kwargs", FUNCTIONS, ids=FUNCTION_IDS)
def test_function_matches_keras(keras3, rng, name, kind, kwargs):
    y_true, y_pred = make_data(kind, rng)
    theirs = getattr(keras3.losses, name)(keras3.ops.convert_to_tensor(y_true),
                                          keras3.ops.convert_to_tensor(y_pred), **kwargs)
    np.testing.assert_allclose(getattr(L, name)(y_true, y_pred, **kwargs), np.asarray(theirs),
                               rtol=1e-6, atol=1e-7)


def test_get_turns_a_keras_loss_function_into_its_class():
    from minikeras import metrics
    assert type(L.get(L.sparse_categorical_crossentropy)) is L.SparseCategoricalCrossentropy
    assert type(L.get(L.mse)) is L.MeanSquaredError and L.mae is L.mean_absolute_error
    assert type(L.get(metrics.binary_crossentropy)) is L.BinaryCrossentropy  # same name, as Keras
    assert type(L.get(L.Huber)) is L.Huber
    with pytest.raises(TypeError, match=r"`loss` must be .*Received: loss=<function .*my_loss.*"
                                        r"Loss subclass that writes `call`.* and `gradient`"):
        def my_loss(y_true, y_pred):
            return np.mean((y_true - y_pred) ** 2, axis=-1)
        L.get(my_loss)


def test_compile_with_functions_trains_as_with_names(rng):
    # The hml3 notebook's spelling: loss and metric given as Keras functions.
    import minikeras as mk
    x, y = rng.normal(size=(64, 4)), rng.integers(0, 3, size=64)
    histories, weights = [], []
    for loss, metric in (("sparse_categorical_crossentropy", "sparse_categorical_accuracy"),
                         (L.sparse_categorical_crossentropy,
                          mk.metrics.sparse_categorical_accuracy)):
        mk.utils.set_random_seed(3)
        model = mk.Sequential([mk.Input((4,)), mk.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="sgd", loss=loss, metrics=[metric])
        histories.append(model.fit(x, y, epochs=2, verbose=0).history)
        weights.append(model.get_weights())
    assert histories[0] == histories[1]
    assert list(histories[1]) == ["loss", "sparse_categorical_accuracy"]
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_a_loss_function_as_a_metric_keeps_keras_log_name(keras3, rng):
    import minikeras as mk
    x, y = rng.normal(size=(16, 4)).astype(np.float32), rng.integers(0, 3, size=16)
    keys = []
    for lib in (mk, keras3):
        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="sgd", loss=lib.losses.sparse_categorical_crossentropy,
                      metrics=[lib.losses.sparse_categorical_crossentropy,
                               lib.metrics.sparse_categorical_accuracy])
        keys.append(set(model.fit(x, y, epochs=1, verbose=0).history))
    assert keys[0] == keys[1]  # the names (their order is the logs' business, not the loss's)
