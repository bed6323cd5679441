"""Learning-rate schedules: Keras's formulas at chosen steps, boundaries, errors, config."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minikeras import schedules
from minikeras.schedules import (CosineDecay, ExponentialDecay, InverseTimeDecay,
                                 PiecewiseConstantDecay)


@pytest.mark.parametrize("staircase, step, want", [
    (False, 0, 0.1),                      # 0.1 * 0.5**0
    (False, 5, 0.1 * 0.5**0.5),           # half way to the first halving: 0.0707107
    (False, 10, 0.05),                    # 0.1 * 0.5**1
    (False, 25, 0.1 * 0.5**2.5),
    (True, 9, 0.1),                       # floor(9 / 10) = 0
    (True, 10, 0.05),
    (True, 25, 0.025),                    # floor(2.5) = 2
], ids=lambda p: repr(p))
def test_exponential_decay(staircase, step, want):
    schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=staircase)
    assert schedule(step) == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("staircase, step, want", [
    (False, 0, 0.1),
    (False, 1, 0.1 / 1.25),               # 0.1 / (1 + 0.5 * 1 / 2)
    (False, 4, 0.05),                     # 0.1 / (1 + 0.5 * 2)
    (True, 1, 0.1),                       # floor(1 / 2) = 0
    (True, 5, 0.05),                      # floor(5 / 2) = 2
], ids=lambda p: repr(p))
def test_inverse_time_decay(staircase, step, want):
    schedule = InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=staircase)
    assert schedule(step) == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("step, want", [
    (0, 1.0), (100, 1.0),                 # a boundary belongs to the interval on its left
    (101, 0.5), (110, 0.5),
    (111, 0.1), (10**6, 0.1),
])
def test_piecewise_constant_decay_boundaries(step, want):
    assert PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1])(step) == want


def test_piecewise_constant_decay_with_float_steps():
    schedule = PiecewiseConstantDecay([1.5], [1.0, 0.5])
    assert (schedule(1), schedule(1.5), schedule(2)) == (1.0, 1.0, 0.5)


@pytest.mark.parametrize("step, want", [
    (0, 0.1),
    (25, 0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi / 4)) + 0.1)),
    (50, 0.1 * (0.9 * 0.5 + 0.1)),        # cos(pi / 2) = 0: half way, 0.055
    (100, 0.01),                          # alpha * peak
    (1000, 0.01),                         # held after decay_steps
])
def test_cosine_decay(step, want):
    schedule = CosineDecay(0.1, decay_steps=100, alpha=0.1)
    assert schedule(step) == pytest.approx(want, rel=1e-14, abs=1e-17)


@pytest.mark.parametrize("step, want", [
    (0, 0.01),                            # starts at initial_learning_rate
    (5, 0.01 + (0.1 - 0.01) * 5 / 10),    # linear: 0.055
    (10, 0.1),                            # peak = warmup_target, decay starts
    (60, 0.05),                           # 50 of 100 decay steps: 0.1 * 0.5 * (1 + cos(pi/2))
    (110, 0.0),
    (500, 0.0),
])
def test_cosine_decay_with_warmup(step, want):
    schedule = CosineDecay(0.01, decay_steps=100, warmup_target=0.1, warmup_steps=10)
    assert schedule(step) == pytest.approx(want, rel=1e-14, abs=1e-17)


def test_cosine_warmup_steps_ignored_without_target():
    # Keras: warmup_steps only matters together with warmup_target.
    plain = CosineDecay(0.1, decay_steps=100)
    assert CosineDecay(0.1, decay_steps=100, warmup_steps=50)(30) == plain(30)


@given(step=st.integers(0, 300))
@settings(max_examples=60, deadline=None)
def test_cosine_decay_stays_between_alpha_and_peak_and_never_increases(step):
    schedule = CosineDecay(0.1, decay_steps=200, alpha=0.2)
    assert 0.02 - 1e-15 <= schedule(step + 1) <= schedule(step) <= 0.1


@pytest.mark.parametrize("make, argument", [
    (lambda: ExponentialDecay(0.1, decay_steps=0, decay_rate=0.5), "decay_steps"),
    (lambda: ExponentialDecay(0.1, decay_steps=-10, decay_rate=0.5), "decay_steps"),
    (lambda: ExponentialDecay(0.1, decay_steps=10, decay_rate=-0.5), "decay_rate"),
    (lambda: ExponentialDecay(-0.1, decay_steps=10, decay_rate=0.5), "initial_learning_rate"),
    (lambda: ExponentialDecay("0.1", decay_steps=10, decay_rate=0.5), "initial_learning_rate"),
    (lambda: InverseTimeDecay(0.1, decay_steps=0, decay_rate=0.5), "decay_steps"),
    (lambda: InverseTimeDecay(0.1, decay_steps=1, decay_rate=-1.0), "decay_rate"),
    (lambda: CosineDecay(0.1, decay_steps=0), "decay_steps"),
    (lambda: CosineDecay(0.1, decay_steps=10, alpha=1.5), "alpha"),
    (lambda: CosineDecay(0.1, decay_steps=10, warmup_target=-1.0), "warmup_target"),
    (lambda: CosineDecay(0.1, decay_steps=10, warmup_steps=-1), "warmup_steps"),
    (lambda: PiecewiseConstantDecay([10, 5], [1.0, 0.5, 0.1]), "boundaries"),
    (lambda: PiecewiseConstantDecay([10, 10], [1.0, 0.5, 0.1]), "boundaries"),
    (lambda: PiecewiseConstantDecay([10], [1.0, -0.5]), "values"),
], ids=lambda p: p if isinstance(p, str) else None)
def test_bad_arguments(make, argument):
    with pytest.raises(ValueError, match=rf"`{argument}(\[\d\])?` must be .*Received: {argument}"):
        make()


def test_piecewise_length_mismatch():
    with pytest.raises(ValueError, match="`values` must have one more element than "
                                         "`boundaries`"):
        PiecewiseConstantDecay([10, 20], [1.0, 0.5])


@pytest.mark.parametrize("schedule", [
    ExponentialDecay(0.1, 10, 0.5, staircase=True),
    InverseTimeDecay(0.1, 2, 0.5),
    PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1]),
    CosineDecay(0.01, 100, alpha=0.1, warmup_target=0.1, warmup_steps=10),
], ids=lambda s: type(s).__name__)
def test_config_round_trip(schedule):
    clone = schedules.deserialize(schedules.serialize(schedule))
    assert type(clone) is type(schedule) and clone.get_config() == schedule.get_config()
    assert [clone(s) for s in (0, 7, 105, 500)] == [schedule(s) for s in (0, 7, 105, 500)]


def test_keras_names_in_config():
    assert ExponentialDecay(0.1, 10, 0.5).get_config()["name"] == "ExponentialDecay"
    assert PiecewiseConstantDecay([1], [1.0, 0.5]).get_config()["name"] == "PiecewiseConstant"


def test_deserialize_errors():
    with pytest.raises(ValueError, match="Unknown `learning_rate`: 'Linear'"):
        schedules.deserialize({"class_name": "Linear", "config": {}})
    with pytest.raises(TypeError, match="need arguments"):
        schedules.deserialize("cosine_decay")


def test_base_class_must_be_subclassed():
    with pytest.raises(NotImplementedError, match="must override `__call__"):
        schedules.LearningRateSchedule()(0)
