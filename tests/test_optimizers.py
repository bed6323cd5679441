"""Optimizers: hand-worked steps, clipping, weight decay, schedules, get, errors, dtypes."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minikeras import optimizers, schedules
from minikeras.optimizers import (SGD, Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, Ftrl,
                                  Lamb, Lion,
                                  Nadam, RMSprop)
from minikeras.schedules import LearningRateSchedule
from minikeras.variable import Variable


def make_var(value, dtype=np.float64, name="kernel"):
    return Variable(np.array(value, dtype=dtype), name)


def step(opt, var, grad):
    var.grad[...] = grad
    opt.apply([var])


ALL = [SGD, Adam, AdamW, RMSprop, Adagrad, Nadam, Adamax, Adadelta, Lion, Lamb, Ftrl, Adafactor]
ALL_IDS = [cls.__name__ for cls in ALL]


# --- one step worked by hand -------------------------------------------------

def test_sgd_one_step():
    w = make_var([1.0, -2.0])
    # w - lr * g = [1 - 0.1 * 0.5, -2 - 0.1 * 0.25] = [0.95, -2.025]
    step(SGD(learning_rate=0.1), w, [0.5, 0.25])
    np.testing.assert_allclose(w.value, [0.95, -2.025], rtol=1e-15)


@pytest.mark.parametrize("nesterov, expected", [
    # m1 = -0.1 * 1 = -0.1,            w1 = 1 + m1 = 0.9
    # m2 = 0.9 * -0.1 - 0.1 = -0.19,   w2 = 0.9 - 0.19 = 0.71
    (False, [0.9, 0.71]),
    # w1 = 1 + 0.9 * m1 - 0.1 = 1 - 0.09 - 0.1 = 0.81
    # w2 = 0.81 + 0.9 * m2 - 0.1 = 0.81 - 0.171 - 0.1 = 0.539
    (True, [0.81, 0.539]),
], ids=["momentum", "nesterov"])
def test_sgd_momentum_two_steps(nesterov, expected):
    opt, w = SGD(learning_rate=0.1, momentum=0.9, nesterov=nesterov), make_var([1.0])
    for want in expected:
        step(opt, w, [1.0])
        assert w.value[0] == pytest.approx(want, rel=1e-14)


def test_adam_one_step():
    w = make_var([1.0])
    step(Adam(learning_rate=0.1), w, [0.5])
    # m = (1 - 0.9) * 0.5 = 0.05;  v = (1 - 0.999) * 0.5**2 = 0.00025
    # alpha = 0.1 * sqrt(1 - 0.999) / (1 - 0.9) = sqrt(0.001) = 0.0316227766
    # step = alpha * m / (sqrt(v) + 1e-7) = 0.00158113883 / 0.0158114883 = 0.0999993675
    assert w.value[0] == pytest.approx(0.9000006324515321, rel=1e-14)


def test_adam_second_step():
    opt, w = Adam(learning_rate=0.1), make_var([1.0])
    step(opt, w, [0.5])
    step(opt, w, [-1.0])
    # m = 0.9 * 0.05 + 0.1 * (-1) = -0.055;  v = 0.999 * 0.00025 + 0.001 * 1 = 0.00124975
    # alpha = 0.1 * sqrt(1 - 0.999**2) / (1 - 0.9**2) = 0.1 * 0.0447102 / 0.19
    alpha = 0.1 * math.sqrt(1 - 0.999**2) / (1 - 0.81)
    want = 0.9000006324515321 + alpha * 0.055 / (math.sqrt(0.00124975) + 1e-7)
    assert w.value[0] == pytest.approx(want, rel=1e-14)


def test_adamw_one_step():
    w = make_var([1.0])
    step(AdamW(learning_rate=0.1, weight_decay=0.5), w, [0.5])
    # decay first: 1 - 0.1 * 0.5 * 1 = 0.95; then the same Adam step as above
    assert w.value[0] == pytest.approx(0.95 - 0.0999993675484679, rel=1e-14)


def test_rmsprop_keras_docstring_example():
    # Keras's example: loss = w**2 / 2, so g = w = 10.
    # v = 0.1 * 100 = 10;  w = 10 - 0.1 * 10 / sqrt(10 + 1e-7) = 9.683772
    w = make_var([10.0])
    step(RMSprop(learning_rate=0.1), w, [10.0])
    assert w.value[0] == pytest.approx(9.683772235564302, rel=1e-14)


def test_rmsprop_centered_momentum_two_steps():
    opt, w = RMSprop(learning_rate=0.1, rho=0.5, momentum=0.5, centered=True, epsilon=0.0), \
        make_var([0.0])
    step(opt, w, [2.0])
    # v = 0.5 * 4 = 2;  a = 0.5 * 2 = 1;  step = 0.1 * 2 / sqrt(2 - 1) = 0.2;  m = 0.2
    assert w.value[0] == pytest.approx(-0.2, rel=1e-14)
    step(opt, w, [1.0])
    # v = 0.5 * 2 + 0.5 * 1 = 1.5;  a = 0.5 * 1 + 0.5 * 1 = 1
    # step = 0.1 * 1 / sqrt(1.5 - 1) = 0.1414214;  m = 0.5 * 0.2 + 0.1414214
    assert w.value[0] == pytest.approx(-0.2 - (0.1 + 0.1 / math.sqrt(0.5)), rel=1e-14)


def test_adagrad_two_steps():
    opt, w = Adagrad(learning_rate=0.1), make_var([1.0])
    step(opt, w, [0.3])
    # s = 0.1 + 0.09 = 0.19;  w = 1 - 0.1 * 0.3 / sqrt(0.19 + 1e-7) = 0.931175298
    assert w.value[0] == pytest.approx(0.9311752979505927, rel=1e-14)
    step(opt, w, [0.4])
    # s = 0.19 + 0.16 = 0.35
    assert w.value[0] == pytest.approx(0.9311752979505927 - 0.04 / math.sqrt(0.35 + 1e-7),
                                       rel=1e-14)


def test_nadam_one_step():
    w = make_var([1.0])
    step(Nadam(learning_rate=0.1), w, [0.5])
    # u_1 = 0.9 * (1 - 0.5 * 0.96) = 0.468;  u_2 = 0.9 * (1 - 0.5 * 0.96**2) = 0.48528
    # P_1 = u_1 = 0.468;  m = 0.05;  v = 0.00025;  v_hat = 0.00025 / 0.001 = 0.25
    # m_hat = 0.48528 * 0.05 / (1 - 0.468 * 0.48528) + (1 - 0.468) * 0.5 / (1 - 0.468)
    #       = 0.0313939 + 0.5
    m_hat = 0.48528 * 0.05 / (1 - 0.468 * 0.48528) + 0.5
    assert w.value[0] == pytest.approx(1 - 0.1 * m_hat / (0.5 + 1e-7), rel=1e-13)
    assert w.value[0] == pytest.approx(0.89372124, abs=1e-8)


def test_nadam_momentum_product_accumulates():
    opt, w = Nadam(), make_var([1.0])
    for _ in range(3):
        step(opt, w, [1.0])
    assert opt._u_product == pytest.approx(
        math.prod(0.9 * (1 - 0.5 * 0.96**t) for t in (1, 2, 3)), rel=1e-15)


@given(g=st.floats(1e-3, 1e4) | st.floats(-1e4, -1e-3))
@settings(max_examples=50, deadline=None)
def test_adam_first_step_is_about_lr_whatever_the_scale(g):
    # After bias correction m / sqrt(v) = g / |g|: the first step is lr * sign(g),
    # shrunk only by epsilon: lr * s / (s + eps) with s = sqrt(1 - 0.999) * |g|.
    w = make_var([0.0])
    step(Adam(learning_rate=0.01), w, [g])
    s = math.sqrt(0.001) * abs(g)
    assert -math.copysign(1, g) * w.value[0] == pytest.approx(0.01 * s / (s + 1e-7), rel=1e-12)
    assert abs(w.value[0]) < 0.01


# --- clipping ----------------------------------------------------------------

def _clip_then_sgd(**clip):
    """One SGD step with lr=1 from zero weights: the weights end as minus the clipped grads."""
    a, b = make_var([0.0, 0.0], name="a"), make_var([0.0, 0.0], name="b")
    a.grad[...], b.grad[...] = [3.0, 4.0], [0.3, -0.4]    # norms 5 and 0.5
    SGD(learning_rate=1.0, **clip).apply([a, b])
    return -a.value, -b.value


@pytest.mark.parametrize("clip, want_a, want_b", [
    # each gradient on its own: [3, 4] * 1 / 5; [0.3, -0.4] is within the norm
    ({"clipnorm": 1.0}, [0.6, 0.8], [0.3, -0.4]),
    # together: global norm sqrt(25 + 0.25) = 5.02494, every gradient scaled by 1 / 5.02494
    ({"global_clipnorm": 1.0}, np.array([3.0, 4.0]) / math.sqrt(25.25),
     np.array([0.3, -0.4]) / math.sqrt(25.25)),
    # elementwise to [-0.35, 0.35]
    ({"clipvalue": 0.35}, [0.35, 0.35], [0.3, -0.35]),
    # thresholds above the norms leave the gradients alone
    ({"global_clipnorm": 10.0}, [3.0, 4.0], [0.3, -0.4]),
    # Keras treats 0 as "off", not as "clip to zero"
    ({"clipnorm": 0.0}, [3.0, 4.0], [0.3, -0.4]),
], ids=["clipnorm", "global_clipnorm", "clipvalue", "within_norm", "zero_is_off"])
def test_clipping(clip, want_a, want_b):
    a, b = _clip_then_sgd(**clip)
    np.testing.assert_allclose(a, want_a, rtol=1e-14)
    np.testing.assert_allclose(b, want_b, rtol=1e-14)


def test_clipnorm_float32_huge_gradient_does_not_overflow():
    w = make_var([0.0, 0.0], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        step(SGD(learning_rate=1.0, clipnorm=1.0), w, [3e30, 4e30])  # 9e60 overflows float32
    np.testing.assert_allclose(w.value, [-0.6, -0.8], rtol=1e-6)


def test_non_finite_global_norm_poisons_every_gradient_without_warning():
    a, b = make_var([0.0], name="a"), make_var([0.0], name="b")
    a.grad[...], b.grad[...] = np.inf, 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SGD(learning_rate=1.0, global_clipnorm=1.0).apply([a, b])
    assert np.isnan(a.value).all() and np.isnan(b.value).all()


@pytest.mark.parametrize("clip", [
    {"clipnorm": 1.0, "clipvalue": 1.0},
    {"clipnorm": 1.0, "global_clipnorm": 1.0},
    {"clipvalue": 1.0, "global_clipnorm": 1.0},
], ids=["norm+value", "norm+global", "value+global"])
def test_only_one_clipping_argument(clip):
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and "
                                         "`global_clipnorm`"):
        Adam(**clip)


# --- weight decay and learning-rate schedules ---------------------------------

def test_weight_decay_uses_the_learning_rate_of_the_step():
    opt = SGD(learning_rate=schedules.PiecewiseConstantDecay([0], [0.1, 0.01]),
              weight_decay=0.5)
    w = make_var([2.0])
    step(opt, w, [0.0])
    # iteration 0: lr = 0.1, w = 2 - 0.1 * 0.5 * 2 = 1.9
    assert w.value[0] == pytest.approx(1.9, rel=1e-15)
    step(opt, w, [0.0])
    # iteration 1: lr = 0.01, w = 1.9 * (1 - 0.005) = 1.8905
    assert w.value[0] == pytest.approx(1.8905, rel=1e-15)


def test_weight_decay_before_the_update():
    # Keras decays w, then steps: 2 * (1 - 0.05) - 0.1 * 1 = 1.8 (not 2 - 0.1 - 0.1 * 0.5 * 1.9)
    w = make_var([2.0])
    step(SGD(learning_rate=0.1, weight_decay=0.5), w, [1.0])
    assert w.value[0] == pytest.approx(1.8, rel=1e-15)


def test_exclude_from_weight_decay():
    kernel, bias, other = make_var([1.0]), make_var([1.0], name="bias"), make_var([1.0])
    opt = SGD(learning_rate=0.1, weight_decay=1.0)
    opt.exclude_from_weight_decay(var_list=[other], var_names=["bias"])
    for v in (kernel, bias, other):
        v.grad[...] = 0.0
    opt.apply([kernel, bias, other])
    assert (kernel.value[0], bias.value[0], other.value[0]) == (pytest.approx(0.9), 1.0, 1.0)


def test_schedule_is_evaluated_at_iterations():
    seen = []

    class Harmonic(LearningRateSchedule):
        def __call__(self, step):
            seen.append(step)
            return 1.0 / (step + 1)

    opt = SGD(learning_rate=Harmonic())
    w = make_var([0.0])
    for _ in range(3):
        step(opt, w, [1.0])
    # lr = 1, 1/2, 1/3 at iterations 0, 1, 2; the optimizer counts 3 steps
    assert seen == [0, 1, 2] and opt.iterations == 3
    assert w.value[0] == pytest.approx(-(1 + 1 / 2 + 1 / 3), rel=1e-15)
    assert opt.learning_rate == pytest.approx(0.25)


def test_plain_callable_learning_rate_takes_no_argument():
    rates = iter([0.5, 0.25])
    opt = SGD(learning_rate=lambda: next(rates))      # as Keras calls it
    w = make_var([0.0])
    step(opt, w, [1.0])
    step(opt, w, [1.0])
    assert w.value[0] == pytest.approx(-0.75)


def test_learning_rate_of_a_scheduled_optimizer_cannot_be_set():
    opt = SGD(learning_rate=schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5))
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        opt.learning_rate = 0.5
    assert opt.learning_rate == pytest.approx(0.1)


def test_learning_rate_setter():
    opt = Adam()
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5
    with pytest.raises(ValueError, match="`learning_rate` must be"):
        opt.learning_rate = -1.0


# --- state, in place, dtypes -------------------------------------------------

@pytest.mark.parametrize("cls", ALL, ids=ALL_IDS)
@pytest.mark.parametrize("grad_dtype", [np.float32, np.float64], ids=["g32", "g64"])
def test_float32_in_place_and_state_dtype(cls, grad_dtype):
    kwargs = {"momentum": 0.9, "nesterov": True} if cls is SGD else {}
    w = make_var(np.ones((3, 2)), dtype=np.float32)
    array = w.value
    opt = cls(learning_rate=0.1, **kwargs)
    for i in range(3):
        w.grad = np.full((3, 2), 0.1 * (i + 1), dtype=grad_dtype)
        opt.apply([w])
    assert w.value is array                       # updated in place, never rebound
    assert w.value.dtype == np.float32
    assert np.all(w.value < 1.0)                  # it moved, downhill
    assert all(s.dtype == np.float32 for s in opt._slots.values())


@pytest.mark.parametrize("cls", ALL, ids=ALL_IDS)
def test_float32_matches_float64(cls):
    rng = np.random.default_rng(0)
    w32, w64 = make_var(rng.normal(size=5), np.float32), make_var(rng.normal(size=5))
    w64.value[...] = w32.value
    o32, o64 = cls(learning_rate=0.01), cls(learning_rate=0.01)
    for _ in range(5):
        g = rng.normal(size=5)
        step(o32, w32, g)
        step(o64, w64, g)
    np.testing.assert_allclose(w32.value, w64.value, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", ALL, ids=ALL_IDS)
def test_large_gradients_no_warnings(cls):
    w = make_var(np.zeros(4), dtype=np.float32)
    opt = cls(learning_rate=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for sign in (1, -1, 1):
            step(opt, w, sign * np.array([1e4, -1e4, 0.0, 1e-4], np.float32))
    assert np.isfinite(w.value).all()


def test_state_is_kept_per_variable_and_non_trainable_skipped():
    a, b = make_var([0.0], name="a"), make_var([0.0], name="b")
    frozen = Variable(np.array([5.0]), "moving_mean", trainable=False)
    opt = SGD(learning_rate=0.1, momentum=0.9)
    a.grad[...], b.grad[...] = 1.0, -1.0
    opt.apply([a, b, frozen])
    opt.apply([a, b, frozen])
    # each variable has its own velocity: b mirrors a exactly
    assert a.value[0] == pytest.approx(-0.29) and b.value[0] == pytest.approx(0.29)
    assert frozen.value[0] == 5.0
    assert {key[1] for key in opt._slots} == {"momentum"} and len(opt._slots) == 2


# --- arguments, get, config ---------------------------------------------------

@pytest.mark.parametrize("cls, defaults", [
    (SGD, {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
    (Adam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
            "amsgrad": False, "weight_decay": None}),
    (AdamW, {"learning_rate": 0.001, "weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999,
             "epsilon": 1e-7, "amsgrad": False}),
    (RMSprop, {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7,
               "centered": False}),
    (Adagrad, {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7}),
    (Nadam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    (Adamax, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    (Adadelta, {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}),
    (Lion, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.99}),
    (Lamb, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    (Ftrl, {"learning_rate": 0.001, "learning_rate_power": -0.5,
            "initial_accumulator_value": 0.1, "l1_regularization_strength": 0.0,
            "l2_regularization_strength": 0.0, "l2_shrinkage_regularization_strength": 0.0,
            "beta": 0.0}),
    (Adafactor, {"learning_rate": 0.001, "beta_2_decay": -0.8, "epsilon_1": 1e-30,
                 "epsilon_2": 1e-3, "clip_threshold": 1.0, "relative_step": True}),
], ids=ALL_IDS)
def test_keras_defaults(cls, defaults):
    config = cls().get_config()
    assert {k: config[k] for k in defaults} == defaults
    assert config["clipnorm"] is config["clipvalue"] is config["global_clipnorm"] is None


@pytest.mark.parametrize("cls, kwargs, argument", [
    (SGD, {"momentum": 1.5}, "momentum"),
    (SGD, {"learning_rate": -0.1}, "learning_rate"),
    (SGD, {"learning_rate": "fast"}, "learning_rate"),
    (Adam, {"beta_1": 1.0}, "beta_1"),
    (Adam, {"beta_2": -0.1}, "beta_2"),
    (Adam, {"epsilon": -1e-7}, "epsilon"),
    (Adam, {"clipnorm": -1.0}, "clipnorm"),
    (Adam, {"clipvalue": "big"}, "clipvalue"),
    (Adam, {"global_clipnorm": float("nan")}, "global_clipnorm"),
    (Adam, {"weight_decay": -0.1}, "weight_decay"),
    (AdamW, {"weight_decay": None}, "weight_decay"),
    (RMSprop, {"rho": 1.0}, "rho"),
    (RMSprop, {"momentum": -0.5}, "momentum"),
    (Adagrad, {"initial_accumulator_value": -0.1}, "initial_accumulator_value"),
    (Nadam, {"beta_1": 2.0}, "beta_1"),
    (Adamax, {"beta_2": 1.0}, "beta_2"),
    (Adadelta, {"rho": -0.5}, "rho"),
    (Lion, {"beta_1": 0.0}, "beta_1"),           # Keras: beta_1 in (0, 1]
    (Lamb, {"epsilon": -1.0}, "epsilon"),
    (Ftrl, {"learning_rate_power": 0.5}, "learning_rate_power"),
    (Ftrl, {"l1_regularization_strength": -0.1}, "l1_regularization_strength"),
    (Adafactor, {"beta_2_decay": 0.5}, "beta_2_decay"),
    (Adafactor, {"clip_threshold": 0.0}, "clip_threshold"),
], ids=lambda p: p if isinstance(p, str) else None)
def test_bad_arguments(cls, kwargs, argument):
    with pytest.raises(ValueError, match=f"`{argument}` must be .* Received: {argument}="):
        cls(**kwargs)


def test_unknown_keyword_is_named_as_keras_does():
    # Keras 3 refuses the old `decay` and `lr` with a ValueError too.
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments passed to Adam: "
                                         r"\{'decay': 0.1\}.*learning_rate"):
        Adam(decay=0.1)


@pytest.mark.parametrize("name, cls", [
    ("sgd", SGD), ("adam", Adam), ("adamw", AdamW), ("rmsprop", RMSprop),
    ("adagrad", Adagrad), ("nadam", Nadam), ("RMSprop", RMSprop), ("AdamW", AdamW),
    ("adamax", Adamax), ("Adadelta", Adadelta), ("lion", Lion), ("lamb", Lamb), ("Ftrl", Ftrl),
    ("adafactor", Adafactor),
], ids=lambda p: p if isinstance(p, str) else None)
def test_get_by_name(name, cls):
    opt = optimizers.get(name)
    assert type(opt) is cls
    assert opt.get_config() == cls().get_config()   # Keras defaults, fresh state


def test_get_passes_instances_through_and_rejects_unknown_names():
    opt = Adam()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="Unknown `optimizer`: 'muon'. Valid names are: "
                                         "adadelta, adafactor, adagrad, adam, adamax, adamw, "
                                         "ftrl, lamb, lion, nadam, rmsprop, sgd"):
        optimizers.get("muon")
    with pytest.raises(TypeError, match="`optimizer` must be"):
        optimizers.get(0.1)


def test_config_round_trip_with_schedule():
    schedule = schedules.CosineDecay(0.1, decay_steps=100, alpha=0.1)
    opt = RMSprop(learning_rate=schedule, rho=0.8, centered=True, clipnorm=2.0)
    config = opt.get_config()
    assert config["learning_rate"] == {"class_name": "CosineDecay",
                                       "config": schedule.get_config()}
    clone = optimizers.get({"class_name": "RMSprop", "config": config})
    assert type(clone) is RMSprop and clone.get_config() == config
    assert clone.learning_rate == schedule(0)


@pytest.mark.parametrize("cls", ALL, ids=ALL_IDS)
def test_from_config_round_trip(cls):
    opt = cls(learning_rate=0.05, clipvalue=1.0, name="mine")
    clone = cls.from_config(opt.get_config())
    assert clone.get_config() == opt.get_config() and clone.name == "mine"


# --- state: get_state / set_state, in Keras's order ---------------------------

STATEFUL = [(SGD, {"momentum": 0.9}), (Adam, {}), (Adam, {"amsgrad": True}), (AdamW, {}),
            (RMSprop, {"momentum": 0.5, "centered": True}), (Adagrad, {}), (Nadam, {}),
            (Adamax, {}), (Adadelta, {}), (Lion, {}), (Lamb, {}), (Ftrl, {}), (Adafactor, {})]
STATEFUL_IDS = [f"{cls.__name__}{'_' + '_'.join(kw) if kw else ''}" for cls, kw in STATEFUL]


def _two_variables():
    return [make_var(np.ones((3, 2)), np.float32), make_var(np.ones(2), np.float32, "bias")]


@pytest.mark.parametrize("cls, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_state_matches_keras_optimizer_variables(cls, kwargs):
    """get_state lists what Keras's `optimizer.variables` holds, in the same order and shapes."""
    from conftest import import_keras
    keras = import_keras()
    ours = cls(**kwargs)
    variables = _two_variables()
    for v in variables:
        v.grad[...] = 0.5
    ours.apply(variables)
    theirs = getattr(keras.optimizers, cls.__name__)(**kwargs)
    theirs.build([keras.Variable(v.value) for v in variables])
    expected = [tuple(v.shape) for v in theirs.variables]
    assert [a.shape for a in ours.get_state()] == expected


@pytest.mark.parametrize("cls, kwargs", STATEFUL, ids=STATEFUL_IDS)
def test_set_state_continues_exactly(cls, kwargs):
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(4, 3, 2))
    first, variables = cls(**kwargs), _two_variables()
    for g in grads[:2]:
        variables[0].grad[...], variables[1].grad[...] = g, g[0]
        first.apply(variables)
    copies = [make_var(v.value.copy(), np.float32, v.name) for v in variables]
    second = cls(**kwargs)
    second.set_state(first.get_state(), copies)
    for g in grads[2:]:
        for opt, vs in ((first, variables), (second, copies)):
            vs[0].grad[...], vs[1].grad[...] = g, g[0]
            opt.apply(vs)
    for a, b in zip(variables, copies):
        np.testing.assert_array_equal(a.value, b.value)
    assert second.iterations == first.iterations == 4


def test_set_state_rejects_mismatched_arrays():
    opt, variables = Adam(), _two_variables()
    for v in variables:
        v.grad[...] = 1.0
    opt.apply(variables)
    state = opt.get_state()
    with pytest.raises(ValueError, match="keeps 6 state arrays.*Received 5"):
        Adam().set_state(state[:-1], variables)
    state[2] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"slot 'momentum'.*shape \(3, 2\).*\(2, 3\)"):
        Adam().set_state(state, variables)


@pytest.mark.parametrize("copy", ["pickle", "deepcopy"])
def test_weight_decay_exclusion_survives_copies(copy):
    import copy as copy_module
    import pickle
    opt = AdamW(learning_rate=0.1, weight_decay=0.5)
    kept, decayed = make_var([1.0], name="kernel"), make_var([1.0], name="kernel")
    opt.exclude_from_weight_decay(var_list=[kept])
    bundle = (opt, kept, decayed)
    opt, kept, decayed = (pickle.loads(pickle.dumps(bundle)) if copy == "pickle"
                          else copy_module.deepcopy(bundle))
    kept.grad[...] = decayed.grad[...] = 0.0
    opt.apply([kept, decayed])
    assert kept.value[0] == 1.0 and decayed.value[0] == pytest.approx(0.95)
