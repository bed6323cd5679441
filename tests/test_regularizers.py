"""Regularizers: penalties and gradients by hand and by finite differences, get, errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minikeras import regularizers
from minikeras.utils.gradient_check import numerical_gradient, relative_error

X = np.array([1.0, -2.0, 0.0])


@pytest.mark.parametrize("reg, value, grad", [
    # 0.1 * (1 + 2 + 0) = 0.3;  d/dx = 0.1 * sign(x), and 0 at x = 0
    (regularizers.L1(0.1), 0.3, [0.1, -0.1, 0.0]),
    # 0.1 * (1 + 4 + 0) = 0.5;  d/dx = 2 * 0.1 * x
    (regularizers.L2(0.1), 0.5, [0.2, -0.4, 0.0]),
    # 0.3 + 0.5 = 0.8;          d/dx = [0.1 + 0.2, -0.1 - 0.4, 0]
    (regularizers.L1L2(0.1, 0.1), 0.8, [0.3, -0.5, 0.0]),
    # Keras's defaults: L1L2() is no penalty at all
    (regularizers.L1L2(), 0.0, [0.0, 0.0, 0.0]),
], ids=["l1", "l2", "l1_l2", "l1_l2_default"])
def test_values_and_gradients_by_hand(reg, value, grad):
    assert reg(X) == pytest.approx(value, abs=1e-15)
    np.testing.assert_allclose(reg.gradient(X), grad, atol=1e-15)


def test_keras_docstring_example():
    # Keras: L2(2.) on ones((5, 5)) is 2 * 25 = 50.
    assert regularizers.L2(2.0)(np.ones((5, 5), np.float32)) == 50.0


def test_default_factors():
    assert regularizers.L1().l1 == 0.01 and regularizers.L2().l2 == 0.01
    assert regularizers.L1(None).l1 == 0.01  # Keras maps None to the default
    assert regularizers.L1L2(l2=0.3).get_config() == {"l1": 0.0, "l2": 0.3}


@pytest.mark.parametrize("reg", [
    regularizers.L1(0.03), regularizers.L2(0.07), regularizers.L1L2(0.03, 0.07)
], ids=["l1", "l2", "l1_l2"])
def test_gradient_matches_finite_differences(reg):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4))
    x += 0.1 * np.sign(x)  # keep away from the L1 kink at 0
    numeric = numerical_gradient(lambda: reg(x), x)
    assert relative_error(reg.gradient(x), numeric) < 1e-7


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("reg", [
    regularizers.L1(0.01), regularizers.L2(0.01), regularizers.L1L2(0.01, 0.01)
], ids=["l1", "l2", "l1_l2"])
def test_gradient_keeps_dtype_and_penalty_is_float(reg, dtype):
    x = np.full((3, 2), 1e4, dtype)  # large weights: no overflow, no warning
    assert reg.gradient(x).dtype == dtype
    assert reg.gradient(x).shape == x.shape
    assert type(reg(x)) is float and math.isfinite(reg(x))


finite_arrays = arrays(np.float64, st.integers(1, 20),
                       elements=st.floats(-1e3, 1e3, allow_nan=False))
factors = st.floats(0.0, 10.0)


@settings(max_examples=50, deadline=None)
@given(x=finite_arrays, a=factors, b=factors)
def test_l1_l2_is_the_sum_of_l1_and_l2(x, a, b):
    both, l1, l2 = regularizers.L1L2(a, b), regularizers.L1(a), regularizers.L2(b)
    assert both(x) >= 0.0
    assert both(x) == pytest.approx(l1(x) + l2(x), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(both.gradient(x), l1.gradient(x) + l2.gradient(x),
                               rtol=1e-12, atol=1e-12)


def test_lower_case_names_are_the_classes():
    assert regularizers.l1 is regularizers.L1
    assert regularizers.l2(0.02).get_config() == {"l2": 0.02}
    assert regularizers.l1_l2(l1=0.1, l2=0.2).get_config() == {"l1": 0.1, "l2": 0.2}


@pytest.mark.parametrize("identifier, config", [
    ("l1", {"l1": 0.01}),
    ("L2", {"l2": 0.01}),
    ("l1_l2", {"l1": 0.0, "l2": 0.0}),
    ("L1L2", {"l1": 0.0, "l2": 0.0}),
    ({"class_name": "L1L2", "config": {"l1": 0.5}}, {"l1": 0.5, "l2": 0.0}),
    (regularizers.L2, {"l2": 0.01}),
], ids=["l1", "L2", "l1_l2", "L1L2", "dict", "class"])
def test_get_resolves(identifier, config):
    assert regularizers.get(identifier).get_config() == config


def test_get_passes_instances_and_none():
    reg = regularizers.L1(0.5)
    assert regularizers.get(reg) is reg
    assert regularizers.get(None) is None


def test_get_errors():
    with pytest.raises(ValueError, match=r"Unknown `regularizer`: 'l3'.*l1, l1_l2, l2"):
        regularizers.get("l3")
    with pytest.raises(TypeError, match="`regularizer` must be a string name"):
        regularizers.get(lambda x: 0.0)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1", True, [0.1]],
                         ids=["negative", "nan", "inf", "string", "bool", "list"])
@pytest.mark.parametrize("make, name", [
    (lambda v: regularizers.L1(v), "l1"),
    (lambda v: regularizers.L2(v), "l2"),
    (lambda v: regularizers.L1L2(l1=v), "l1"),
    (lambda v: regularizers.L1L2(l2=v), "l2"),
], ids=["L1", "L2", "L1L2_l1", "L1L2_l2"])
def test_bad_factors_name_the_argument(make, name, bad):
    with pytest.raises(ValueError, match=f"`{name}` must be a non-negative finite number. "
                                         f"Received: {name}="):
        make(bad)


def test_config_round_trip():
    reg = regularizers.L1L2(0.25, 0.5)
    clone = regularizers.L1L2.from_config(reg.get_config())
    assert clone(X) == reg(X) and repr(clone) == "L1L2(l1=0.25, l2=0.5)"
