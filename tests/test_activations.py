"""Activation functions: gradients by finite differences, dtypes, stability, look-up."""
import doctest
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minikeras import activations
from minikeras.utils.gradient_check import numerical_gradient, relative_error

KERAS_NAMES = [
    "linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "selu",
    "softplus", "softsign", "silu", "swish", "gelu", "hard_sigmoid", "exponential",
]

# Every registered name with Keras's defaults, plus non-default arguments, so the
# general branches (threshold, cap, slope, tanh-GELU, softmax over axis 0) are covered.
CASES = {name: name for name in KERAS_NAMES} | {
    "relu(slope,cap,threshold)": {
        "class_name": "relu",
        "config": {"negative_slope": 0.1, "max_value": 6.0, "threshold": 1.0},
    },
    "relu(cap,negative_threshold)": {
        "class_name": "relu", "config": {"max_value": 2.0, "threshold": -1.0},
    },
    "leaky_relu(0.05)": {"class_name": "leaky_relu", "config": {"negative_slope": 0.05}},
    "elu(alpha=0.5)": {"class_name": "elu", "config": {"alpha": 0.5}},
    "gelu(approximate)": {"class_name": "gelu", "config": {"approximate": True}},
    "softmax(axis=0)": {"class_name": "softmax", "config": {"axis": 0}},
}
# Where some case is not differentiable; sample points are kept away from them.
KINKS = (-3.0, -1.0, 0.0, 1.0, 2.0, 3.0, 6.0)


def smooth_points(rng, shape=(6, 8), low=-7.0, high=7.0):
    x = rng.uniform(low, high, shape)
    for kink in KINKS:
        x[np.abs(x - kink) < 1e-3] += 2e-3
    return x


def loss_gradient_error(activation, x, grad):
    """Relative error between ``backward`` and central differences of ``sum(grad * f(x))``."""
    analytic = activation.backward(grad, x, activation(x))
    numeric = numerical_gradient(lambda: float(np.sum(grad * activation(x))), x)
    return relative_error(analytic, numeric)


@pytest.mark.parametrize("identifier", CASES.values(), ids=CASES.keys())
def test_backward_matches_finite_differences(identifier):
    rng = np.random.default_rng(0)
    activation = activations.get(identifier)
    x = smooth_points(rng)
    grad = rng.normal(size=x.shape)
    assert loss_gradient_error(activation, x, grad) < 1e-7


def test_softmax_backward_is_the_full_jacobian():
    # Row i of the Jacobian is backward(e_i): a diagonal-only backward fails here.
    softmax, x = activations.Softmax(), np.array([0.3, -1.2, 2.0, 0.5])
    y = softmax(x)
    for i in range(x.size):
        numeric = numerical_gradient(lambda: float(softmax(x)[i]), x)
        np.testing.assert_allclose(softmax.backward(np.eye(x.size)[i], x, y), numeric, atol=1e-9)
    np.testing.assert_allclose(y[0] * (1 - y[0]), numerical_gradient(lambda: float(softmax(x)[0]), x)[0])


def test_gradient_check_catches_a_diagonal_only_softmax():
    class DiagonalSoftmax(activations.Softmax):
        def backward(self, grad, x, y):
            return grad * y * (1 - y)

    rng = np.random.default_rng(0)
    x, grad = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    assert loss_gradient_error(DiagonalSoftmax(), x, grad) > 0.1


# The activations of hot training loops write into the buffer they are handed; the
# others (and the identity, which computes nothing) return arrays of their own.
WRITES_INTO_BUFFER = {"relu", "sigmoid", "tanh", "softmax", "softmax(axis=0)"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_buffered_forms_give_the_same_arrays(case, dtype):
    rng = np.random.default_rng(0)
    activation = activations.get(CASES[case])
    x = smooth_points(rng).astype(dtype)
    grad = rng.normal(size=x.shape).astype(dtype)
    y, dx = activation(x), activation.backward(grad, x, activation(x))
    x_before, grad_before = x.copy(), grad.copy()
    y_out, dx_out = np.full_like(x, np.nan), np.full_like(x, np.nan)
    y_into = activation.forward_into(x, y_out)
    dx_into = activation.backward_into(grad, x, y_into, dx_out)
    np.testing.assert_array_equal(y_into, y)
    np.testing.assert_array_equal(dx_into, dx)
    assert (y_into is y_out) == (case in WRITES_INTO_BUFFER)
    assert (dx_into is dx_out) == (case in WRITES_INTO_BUFFER)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(grad, grad_before)


def test_an_activation_written_without_buffers_still_trains():
    class Cube(activations.ActivationFunction):
        def __call__(self, x):
            return x ** 3

        def backward(self, grad, x, y):
            return grad * 3 * x ** 2

    cube, x = Cube(), np.array([[1.0, -2.0]])
    np.testing.assert_array_equal(cube.forward_into(x, np.empty_like(x)), [[1.0, -8.0]])
    np.testing.assert_array_equal(cube.backward_into(np.ones_like(x), x, x ** 3,
                                                     np.empty_like(x)), [[3.0, 12.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("identifier", CASES.values(), ids=CASES.keys())
def test_dtype_is_preserved_and_inputs_untouched(identifier, dtype):
    rng = np.random.default_rng(0)
    activation = activations.get(identifier)
    x = smooth_points(rng).astype(dtype)
    grad = rng.normal(size=x.shape).astype(dtype)
    x_before, grad_before = x.copy(), grad.copy()
    y = activation(x)
    y_before = y.copy()
    dx = activation.backward(grad, x, y)
    assert y.dtype == dtype and dx.dtype == dtype
    assert y.shape == dx.shape == x.shape
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(grad, grad_before)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("identifier", CASES.values(), ids=CASES.keys())
def test_no_warning_and_finite_at_large_inputs(identifier, dtype):
    activation = activations.get(identifier)
    x = np.array([[-1e4, -1e3, -100.0, -1.5, 0.0, 1.5, 100.0, 1e3, 1e4]] * 2, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = activation(x)
        dx = activation.backward(np.ones_like(x), x, y)
    if activation.name == "exponential":  # overflows to +inf by definition, silently
        overflows = x > np.log(np.finfo(dtype).max)
        assert np.all(np.isinf(y[overflows])) and np.all(np.isinf(dx[overflows]))
        y, dx = y[~overflows], dx[~overflows]
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dx))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "name, low, high",
    [
        ("sigmoid", 0.0, 1.0), ("tanh", -1.0, 1.0), ("softsign", -1e4 / 10001, 1e4 / 10001),
        ("hard_sigmoid", 0.0, 1.0), ("softplus", 0.0, 1e4), ("relu", 0.0, 1e4),
        ("elu", -1.0, 1e4), ("silu", -0.0, 1e4), ("gelu", -0.0, 1e4),
        ("leaky_relu", -2e3, 1e4),
    ],
)
def test_limits_at_large_inputs(name, low, high, dtype):
    y = activations.get(name)(np.array([-1e4, 1e4], dtype=dtype))
    np.testing.assert_allclose(y, [low, high], rtol=1e-6)


@pytest.mark.parametrize(
    "identifier, x, expected",
    [
        # Keras's own docstring examples for relu.
        ("relu", [-10, -5, 0, 5, 10], [0, 0, 0, 5, 10]),
        ({"class_name": "relu", "config": {"negative_slope": 0.5}},
         [-10, -5, 0, 5, 10], [-5, -2.5, 0, 5, 10]),
        ({"class_name": "relu", "config": {"max_value": 5.0}}, [-10, -5, 0, 5, 10], [0, 0, 0, 5, 5]),
        ({"class_name": "relu", "config": {"threshold": 5.0}}, [-10, -5, 0, 5, 10], [0, 0, 0, 0, 10]),
        ("leaky_relu", [-1.0, 3.0], [-0.2, 3.0]),
        ("elu", [-math.log(2), 3.0], [-0.5, 3.0]),
        ("selu", [1.0, -math.log(2)], [1.0507009873554805, -0.5 * 1.6732632423543772 * 1.0507009873554805]),
        ("softplus", [0.0, -math.log(3)], [math.log(2), math.log(4 / 3)]),
        ("softsign", [3.0], [0.75]),
        ("swish", [math.log(3)], [0.75 * math.log(3)]),
        ("gelu", [1.0, -2.0], [0.5 * (1 + math.erf(2**-0.5)), -2 * 0.5 * (1 + math.erf(-(2**0.5)))]),
        ("hard_sigmoid", [-3.0, -1.5, 0.0, 2.9999, 3.0], [0.0, 0.25, 0.5, 0.5 + 2.9999 / 6, 1.0]),
        ("exponential", [0.0, math.log(5)], [1.0, 5.0]),
        ("sigmoid", [-40.0], [1 / (1 + math.exp(40))]),  # full relative precision in the tail
    ],
    ids=["relu", "relu-slope", "relu-cap", "relu-threshold", "leaky_relu", "elu", "selu",
         "softplus", "softsign", "swish", "gelu", "hard_sigmoid", "exponential", "sigmoid-tail"],
)
def test_golden_values(identifier, x, expected):
    np.testing.assert_allclose(activations.get(identifier)(np.array(x, float)), expected, rtol=1e-12)


def test_docstring_examples():
    assert doctest.testmod(activations).failed == 0


# --- look-up -------------------------------------------------------------------


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_get_by_keras_name(name):
    activation = activations.get(name)
    assert isinstance(activation, activations.ActivationFunction)
    assert activation.name == ("silu" if name == "swish" else name)


def test_swish_is_silu():
    assert type(activations.get("swish")) is type(activations.get("silu")) is activations.SiLU


def test_keras_default_arguments():
    configs = {name: activations.get(name).get_config() for name in ("relu", "leaky_relu", "elu", "gelu", "softmax")}
    assert configs == {
        "relu": {"negative_slope": 0.0, "max_value": None, "threshold": 0.0},
        "leaky_relu": {"negative_slope": 0.2},
        "elu": {"alpha": 1.0},
        "gelu": {"approximate": False},
        "softmax": {"axis": -1},
    }


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown `activation`: 'relu7'") as info:
        activations.get("relu7")
    for name in KERAS_NAMES:
        assert name in str(info.value)


def test_none_is_linear_and_instances_pass_through():
    assert isinstance(activations.get(None), activations.Linear)
    relu6 = activations.ReLU(max_value=6.0)
    assert activations.get(relu6) is relu6


@pytest.mark.parametrize("identifier", CASES.values(), ids=CASES.keys())
def test_serialize_round_trip(identifier):
    activation = activations.get(identifier)
    rebuilt = activations.get(activations.serialize(activation))
    assert type(rebuilt) is type(activation) and rebuilt.get_config() == activation.get_config()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: activations.ReLU(negative_slope=-0.1), r"`negative_slope` must be .* negative_slope=-0.1"),
        (lambda: activations.ReLU(max_value=-1.0), r"`max_value` must be .* max_value=-1.0"),
        (lambda: activations.LeakyReLU(negative_slope=-1), r"`negative_slope` must be"),
    ],
    ids=["relu-slope", "relu-cap", "leaky-slope"],
)
def test_invalid_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# --- properties ----------------------------------------------------------------

finite = st.floats(-1e4, 1e4, allow_nan=False)
matrices = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6), elements=finite)


@settings(max_examples=60, deadline=None)
@given(x=matrices, dtype=st.sampled_from([np.float32, np.float64]))
def test_softmax_rows_are_distributions(x, dtype):
    y = activations.Softmax()(x.astype(dtype))
    assert np.all(y >= 0)
    np.testing.assert_allclose(y.sum(axis=-1), 1, atol=10 * np.finfo(dtype).eps * x.shape[-1])


@settings(max_examples=60, deadline=None)
@given(x=matrices, data=st.data())
def test_softmax_ignores_a_constant_per_row(x, data):
    # float64 only: in float32, x + c itself is rounded by up to ~1e-3 at |x| = 1e4.
    c = data.draw(hnp.arrays(np.float64, (x.shape[0], 1), elements=st.floats(-1e3, 1e3)))
    softmax = activations.Softmax()
    np.testing.assert_allclose(softmax(x + c), softmax(x), atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(max_side=8), elements=finite),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_sigmoid_is_a_symmetric_probability(x, dtype):
    sigmoid, x = activations.Sigmoid(), x.astype(dtype)
    y = sigmoid(x)
    assert np.all((y >= 0) & (y <= 1))
    np.testing.assert_allclose(sigmoid(-x), 1 - y, atol=2 * np.finfo(dtype).eps)
