"""Initializers: sample statistics against the formulas, fans, orthogonality, dtype, seeding, get."""
import math

import numpy as np
import pytest

from minikeras import config, initializers
from minikeras import random as mk_random
from minikeras.initializers import compute_fans

SHAPE = (400, 300)  # fan_in = 400, fan_out = 300, fan_avg = 350
TRUNCATED_STD = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


@pytest.fixture
def restore_floatx():
    saved = config.floatx()
    yield
    config.set_floatx(saved)


def check_uniform(w, limit):
    """Samples of U[-limit, limit): inside the bounds, reaching them, with std limit/sqrt(3)."""
    assert w.min() >= -limit and w.max() <= limit
    assert w.min() < -0.999 * limit and w.max() > 0.999 * limit
    assert w.std() == pytest.approx(limit / math.sqrt(3), rel=0.02)
    assert abs(w.mean()) < 5 * w.std() / math.sqrt(w.size)


def check_truncated_normal(w, stddev_before, mean=0.0):
    """Normal(mean, stddev_before) cut at 2 stddev: bounded, and std shrunk by 0.8796."""
    bound = 2 * stddev_before * (1 + 1e-6)  # room for rounding to float32
    assert np.abs(w - mean).max() <= bound
    assert np.abs(w - mean).max() > 0.99 * bound  # truncated, not merely narrow
    assert w.std() == pytest.approx(TRUNCATED_STD * stddev_before, rel=0.02)
    assert abs(w.mean() - mean) < 5 * w.std() / math.sqrt(w.size)


def check_normal(w, stddev, mean=0.0):
    assert w.std() == pytest.approx(stddev, rel=0.02)
    assert abs(w.mean() - mean) < 5 * stddev / math.sqrt(w.size)
    assert np.abs(w - mean).max() > 3.5 * stddev  # tails are not cut off


# (name, check, parameter): `parameter` is the uniform limit or the normal std from the formula.
STATISTICS = [
    ("glorot_uniform", check_uniform, math.sqrt(6 / 700)),
    ("he_uniform", check_uniform, math.sqrt(6 / 400)),
    ("lecun_uniform", check_uniform, math.sqrt(3 / 400)),
    ("random_uniform", check_uniform, 0.05),
    # VarianceScaling normals: the std *after* truncation is sqrt(scale / n).
    ("glorot_normal", check_truncated_normal, math.sqrt(2 / 700) / TRUNCATED_STD),
    ("he_normal", check_truncated_normal, math.sqrt(2 / 400) / TRUNCATED_STD),
    ("lecun_normal", check_truncated_normal, math.sqrt(1 / 400) / TRUNCATED_STD),
    ("truncated_normal", check_truncated_normal, 0.05),
    ("random_normal", check_normal, 0.05),
]


@pytest.mark.parametrize("name, check, parameter", STATISTICS, ids=[s[0] for s in STATISTICS])
def test_statistics_match_formula(name, check, parameter):
    mk_random.set_seed(0)
    w = initializers.get(name)(SHAPE)
    assert w.shape == SHAPE
    check(w.astype(np.float64), parameter)


@pytest.mark.parametrize("distribution, check, parameter", [
    ("uniform", check_uniform, math.sqrt(3 * 2.0 / 300)),
    ("truncated_normal", check_truncated_normal, math.sqrt(2.0 / 300) / TRUNCATED_STD),
    ("untruncated_normal", check_normal, math.sqrt(2.0 / 300)),
], ids=["uniform", "truncated_normal", "untruncated_normal"])
def test_variance_scaling_fan_out(distribution, check, parameter):
    init = initializers.VarianceScaling(2.0, mode="fan_out", distribution=distribution, seed=1)
    check(init(SHAPE, dtype="float64"), parameter)


def test_custom_mean_and_bounds():
    check_normal(initializers.RandomNormal(mean=3.0, stddev=0.5, seed=0)(SHAPE, "float64"),
                 0.5, mean=3.0)
    check_truncated_normal(initializers.TruncatedNormal(-1.0, 0.2, seed=0)(SHAPE, "float64"),
                           0.2, mean=-1.0)
    w = initializers.RandomUniform(2.0, 4.0, seed=0)(SHAPE, "float64")
    check_uniform(w - 3.0, 1.0)


@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((400, 300), (400, 300)),
    ((5, 16, 32), (80, 160)),          # Conv1D kernel: window 5
    ((3, 3, 16, 32), (144, 288)),      # Conv2D kernel: window 3x3
], ids=["scalar", "1d", "dense", "conv1d", "conv2d"])
def test_compute_fans(shape, fans):
    assert compute_fans(shape) == fans


@pytest.mark.parametrize("shape, limit", [
    ((1000,), math.sqrt(6 / 1000)),                 # 1-D: fan_in = 1000
    ((3, 3, 40, 20), math.sqrt(6 / (9 * 40))),      # conv: fan_in = 9 * 40
], ids=["1d", "conv2d"])
def test_fans_used_by_he_uniform(shape, limit):
    check_uniform(initializers.HeUniform(seed=0)(shape, "float64"), limit)


@pytest.mark.parametrize("shape", [(50, 20), (20, 50), (30, 30), (3, 3, 4, 8)],
                         ids=["tall", "wide", "square", "conv"])
@pytest.mark.parametrize("gain", [1.0, 2.5], ids=["gain1", "gain2.5"])
def test_orthogonal(shape, gain):
    w = initializers.Orthogonal(gain=gain, seed=0)(shape)
    assert w.shape == shape and w.dtype == np.float32
    m = w.reshape(-1, shape[-1]).astype(np.float64)
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(len(gram)), atol=1e-5 * gain**2)


def test_orthogonal_rejects_rank_one():
    with pytest.raises(ValueError, match="rank 2 or more"):
        initializers.Orthogonal()((5,))


def test_constant_initializers():
    np.testing.assert_array_equal(initializers.Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.Ones()((4,)), np.ones(4))
    np.testing.assert_array_equal(initializers.Constant(3.5)((2, 2)), np.full((2, 2), 3.5))
    np.testing.assert_array_equal(initializers.Identity(2.0)((2, 3)),
                                  [[2, 0, 0], [0, 2, 0]])
    with pytest.raises(ValueError, match=r"`value` must be a finite number or an array of "
                                         r"finite numbers\. Received: value=\[1\.0, nan\]"):
        initializers.Constant([1.0, np.nan])
    with pytest.raises(ValueError, match=r"`value` must be .* Received: value='a'"):
        initializers.Constant("a")
    with pytest.raises(ValueError, match="2-D matrices only"):
        initializers.Identity()((2, 2, 2))


def test_constant_broadcasts_an_array_as_keras_does():
    # The imbalanced-data tutorial's output bias: Constant(np.log([pos / neg])) on shape (1,).
    bias = initializers.Constant(np.log([0.25]))((1,))
    np.testing.assert_allclose(bias, np.log([0.25]).astype(np.float32))
    assert bias.dtype == np.float32
    np.testing.assert_array_equal(initializers.Constant([1.0, 2.0])((3, 2)), [[1, 2]] * 3)
    with pytest.raises(ValueError, match=r"value of shape \(2,\) cannot fill a weight of "
                                         r"shape \(3,\)"):
        initializers.Constant([1.0, 2.0])((3,))
    # An array travels in configs in Keras's "__numpy__" form, and back.
    config = initializers.Constant(np.array([0.5, -1.0])).get_config()
    assert config == {"value": {"class_name": "__numpy__",
                                "config": {"value": [0.5, -1.0], "dtype": "float64"}}}
    np.testing.assert_array_equal(initializers.Constant.from_config(config)((2,)), [0.5, -1.0])
    assert initializers.Constant(2).get_config() == {"value": 2.0}


ALL_NAMES = sorted(set(initializers.ALL_INITIALIZERS) - {"identity"})


@pytest.mark.parametrize("name", ALL_NAMES)
def test_dtype_follows_floatx_and_explicit_dtype(name, restore_floatx):
    init = initializers.get(name)
    assert init((4, 3)).dtype == np.float32
    assert init((4, 3), dtype="float64").dtype == np.float64
    assert init((4, 3), dtype=np.float32).dtype == np.float32
    config.set_floatx("float64")
    assert init((4, 3)).dtype == np.float64


def test_random_initializer_rejects_integer_dtype():
    with pytest.raises(ValueError, match="`dtype` must be a floating-point type"):
        initializers.GlorotUniform()((2, 2), dtype="int32")


RANDOM_NAMES = [n for n in ALL_NAMES if n not in ("zeros", "zero", "ones", "one", "constant")]


def test_set_seed_makes_runs_bitwise_equal():
    def run():
        mk_random.set_seed(1234)
        return [initializers.get(name)((6, 5)) for name in RANDOM_NAMES]

    first, second = run(), run()
    for name, a, b in zip(RANDOM_NAMES, first, second):
        assert np.array_equal(a, b), name


@pytest.mark.parametrize("name", RANDOM_NAMES)
def test_unseeded_draws_from_global_generator(name):
    init = initializers.get(name)
    mk_random.set_seed(7)
    a, b = init((6, 5)), init((6, 5))
    assert not np.array_equal(a, b)  # successive calls differ
    mk_random.set_seed(7)
    mk_random.generator().random()  # one extra draw shifts the global stream
    assert not np.array_equal(init((6, 5)), a)


@pytest.mark.parametrize("name", RANDOM_NAMES)
def test_explicit_seed_repeats_and_ignores_global_state(name):
    cls = initializers.ALL_INITIALIZERS[name]
    mk_random.set_seed(0)
    a = cls(seed=42)((6, 5))
    mk_random.set_seed(99)
    assert np.array_equal(cls(seed=42)((6, 5)), a)
    init = cls(seed=42)
    assert np.array_equal(init((6, 5)), init((6, 5)))
    assert not np.array_equal(cls(seed=43)((6, 5)), a)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_config_round_trip(name):
    init = initializers.get(name)
    clone = type(init).from_config(init.get_config())
    assert clone.get_config() == init.get_config()


def test_config_round_trip_reproduces_values():
    init = initializers.VarianceScaling(0.5, "fan_avg", "uniform", seed=3)
    # Keras 3's keys: input_axes/output_axes (sharded weights) are always None here.
    assert init.get_config() == {"scale": 0.5, "mode": "fan_avg", "distribution": "uniform",
                                 "seed": 3, "input_axes": None, "output_axes": None}
    clone = initializers.VarianceScaling.from_config(init.get_config())
    assert np.array_equal(clone((5, 4)), init((5, 4)))
    assert initializers.HeNormal(seed=5).get_config() == {"seed": 5, "input_axes": None,
                                                          "output_axes": None}


@pytest.mark.parametrize("identifier, cls", [
    ("glorot_uniform", initializers.GlorotUniform),
    ("GlorotUniform", initializers.GlorotUniform),
    ("HeNormal", initializers.HeNormal),
    ("lecun_normal", initializers.LecunNormal),
    ("RandomNormal", initializers.RandomNormal),
    ("TruncatedNormal", initializers.TruncatedNormal),
    ("VarianceScaling", initializers.VarianceScaling),
    ("Orthogonal", initializers.Orthogonal),
    ("normal", initializers.RandomNormal),
    ("uniform", initializers.RandomUniform),
    ("zero", initializers.Zeros),
    ("Ones", initializers.Ones),
    (initializers.HeUniform, initializers.HeUniform),
], ids=lambda v: v if isinstance(v, str) else None)
def test_get_resolves_names(identifier, cls):
    assert type(initializers.get(identifier)) is cls


def test_get_passes_through_instances_functions_and_none():
    init = initializers.RandomNormal(stddev=1.0)
    assert initializers.get(init) is init

    def custom(shape, dtype=None):
        return np.full(shape, 7.0, dtype)

    assert initializers.get(custom) is custom
    assert initializers.get(None) is None
    built = initializers.get({"class_name": "RandomUniform", "config": {"maxval": 1.0}})
    assert built.get_config() == {"minval": -0.05, "maxval": 1.0, "seed": None}


def test_functional_names_are_the_classes():
    assert initializers.glorot_uniform is initializers.GlorotUniform
    assert isinstance(initializers.constant(2.0), initializers.Constant)
    assert initializers.he_normal(seed=1).seed == 1


def test_get_errors():
    with pytest.raises(ValueError, match=r"Unknown `initializer`: 'glorot'.*glorot_uniform"):
        initializers.get("glorot")
    with pytest.raises(TypeError, match="`initializer` must be a string name"):
        initializers.get(3)


@pytest.mark.parametrize("make, match", [
    (lambda: initializers.VarianceScaling(scale=0.0), "`scale` must be a positive finite number"),
    (lambda: initializers.VarianceScaling(mode="fan"), "`mode` must be one of"),
    (lambda: initializers.VarianceScaling(distribution="cauchy"), "`distribution` must be one of"),
    (lambda: initializers.RandomNormal(stddev=-1.0),
     "`stddev` must be a non-negative finite number"),
    (lambda: initializers.RandomUniform(minval=float("nan")), "`minval` must be a finite number"),
    (lambda: initializers.GlorotUniform(seed=-1), "`seed` must be None or a non-negative"),
    (lambda: initializers.HeNormal(seed=1.5), "`seed` must be None or a non-negative"),
], ids=["scale", "mode", "distribution", "stddev", "minval", "seed_negative", "seed_float"])
def test_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_normal_is_an_alias_of_truncated_normal():
    assert initializers.VarianceScaling(distribution="Normal").distribution == "truncated_normal"
