"""Argument checks: the one family in utils/validation.py, and every constructor that uses it.

The table at the bottom walks each public constructor argument with values a
careless or adversarial caller passes (a bool, NaN, inf, a negative or
out-of-range number, a string, a list, None) and asserts a ValueError whose
message names the argument and shows the value received.
"""
import json
import math
import re
import reprlib

import numpy as np
import pytest

from minikeras import activations, callbacks, initializers, losses, metrics, optimizers
from minikeras import regularizers, schedules
from minikeras.datasets import toy
from minikeras.layers import BatchNormalization, Dense, Dropout, GaussianNoise, LayerNormalization
from minikeras.random import set_seed
from minikeras.utils import minibatches
from minikeras.utils.validation import check_bool, check_int, check_number, check_option
from minikeras.variable import Variable

NAN, INF = float("nan"), float("inf")


# -- the family itself ------------------------------------------------------------------

@pytest.mark.parametrize("call, expected", [
    (lambda v: check_number(v, "x"), "a finite number"),
    (lambda v: check_number(v, "x", 0), "a non-negative finite number"),
    (lambda v: check_number(v, "x", 0, closed="neither"), "a positive finite number"),
    (lambda v: check_number(v, "x", 2), "a finite number >= 2"),
    (lambda v: check_number(v, "x", 2, closed="right"), "a finite number > 2"),
    (lambda v: check_number(v, "x", None, 1), "a finite number <= 1"),
    (lambda v: check_number(v, "x", None, 1, closed="left"), "a finite number < 1"),
    (lambda v: check_number(v, "x", 0, 1), r"a number in \[0, 1\]"),
    (lambda v: check_number(v, "x", 0, 1, closed="left"), r"a number in \[0, 1\)"),
    (lambda v: check_number(v, "x", 0, 1, closed="right"), r"a number in \(0, 1\]"),
    (lambda v: check_number(v, "x", 0, 1, closed="neither"), r"a number in \(0, 1\)"),
    (lambda v: check_number(v, "x", 0.5, 1e-3), r"a number in \[0.5, 0.001\]"),
    (lambda v: check_number(v, "x", 0, allow=[None]), "None or a non-negative finite number"),
    (lambda v: check_int(v, "x"), "an integer"),
    (lambda v: check_int(v, "x", 0), "a non-negative integer"),
    (lambda v: check_int(v, "x", 1), "a positive integer"),
    (lambda v: check_int(v, "x", 2), "an integer >= 2"),
    (lambda v: check_int(v, "x", 1, 5), r"an integer in \[1, 5\]"),
    (lambda v: check_int(v, "x", 1, allow=["epoch"]), "'epoch' or a positive integer"),
], ids=lambda p: p if isinstance(p, str) else None)
def test_the_message_is_written_from_the_constraint(call, expected):
    with pytest.raises(ValueError, match=rf"^`x` must be {expected}\. Received: x='bad'$"):
        call("bad")


@pytest.mark.parametrize("value", [NAN, INF, -INF, np.float32("nan"), np.float64("inf")],
                         ids=repr)
def test_nan_and_inf_are_refused_by_default(value):
    for call in (lambda: check_number(value, "x"), lambda: check_number(value, "x", 0),
                 lambda: check_number(value, "x", None, 0), lambda: check_number(value, "x", 0, 1)):
        with pytest.raises(ValueError, match=r"Received: x="):
            call()


def test_an_infinity_passes_only_as_a_closed_infinite_end():
    assert check_number(INF, "x", 0, math.inf) == INF
    assert check_number(-INF, "x", -math.inf, 0) == -INF
    with pytest.raises(ValueError, match=r"`x` must be a number in \[0, inf\)\. Received: x=inf"):
        check_number(INF, "x", 0, math.inf, closed="left")
    with pytest.raises(ValueError, match="Received: x=nan"):
        check_number(NAN, "x", -math.inf, math.inf)


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_closed_ends(value):
    assert check_number(value, "x", 0, 1) == value
    with pytest.raises(ValueError):
        check_number(value, "x", 0, 1, closed="neither")


def test_cleaned_values_are_python_scalars():
    """numpy scalars are accepted and come back as Python numbers, which JSON can write."""
    for got, kind in [(check_number(np.float32(0.5), "x"), float),
                      (check_number(np.int64(3), "x"), float),
                      (check_number(3, "x"), float),
                      (check_int(np.int8(3), "x"), int),
                      (check_int(np.uint64(2**63), "x"), int),
                      (check_bool(np.bool_(True), "x"), bool)]:
        assert type(got) is kind
    assert check_number(np.float32(0.5), "x") == 0.5
    assert check_int(np.uint64(2**63), "x") == 2**63


@pytest.mark.parametrize("value", [True, False, np.bool_(True)], ids=repr)
def test_booleans_are_not_numbers(value):
    with pytest.raises(ValueError, match="`x` must be a finite number"):
        check_number(value, "x")
    with pytest.raises(ValueError, match="`x` must be an integer"):
        check_int(value, "x")


@pytest.mark.parametrize("value", [2.0, 2.5, np.float64(3.0), "3", None, [3]], ids=repr)
def test_integers_are_integers(value):
    with pytest.raises(ValueError, match=r"`x` must be a positive integer\. Received: x="):
        check_int(value, "x", 1)


def test_an_integer_beyond_float_range_is_infinite_not_an_overflow_error():
    with pytest.raises(ValueError, match=r"`x` must be a finite number\. Received: x=1000"):
        check_number(10**400, "x")
    assert check_number(10**400, "x", 0, math.inf) == INF


def test_long_values_are_shortened_in_the_message():
    with pytest.raises(ValueError) as info:
        check_number(np.arange(10_000), "x")
    assert len(str(info.value)) < 120 and "..." in str(info.value)


def test_allow_keeps_the_value_as_it_is():
    assert check_number(None, "x", 0, allow=[None]) is None
    assert check_int("epoch", "x", 1, allow=["epoch"]) == "epoch"
    with pytest.raises(ValueError, match="Received: x='Epoch'"):
        check_int("Epoch", "x", 1, allow=["epoch"])


@pytest.mark.parametrize("value", [1, 0, "True", "False", None, np.float64(1.0)], ids=repr)
def test_check_bool(value):
    with pytest.raises(ValueError, match=r"^`flag` must be a boolean \(True or False\)\. "
                                         r"Received: flag=" + re.escape(reprlib.repr(value)) + "$"):
        check_bool(value, "flag")
    assert check_bool(True, "flag") is True and check_bool(False, "flag") is False


def test_check_option():
    assert check_option("min", "mode", ("min", "max")) == "min"
    assert check_option(np.str_("max"), "mode", ("min", "max")) == "max"
    assert check_option(None, "reduction", ("sum", None)) is None
    for value in ("mean", 1, True, None, np.array(["min"])):
        with pytest.raises(ValueError, match=r"^`mode` must be one of \['min', 'max'\]\. "
                                             r"Received: mode="):
            check_option(value, "mode", ("min", "max"))
    with pytest.raises(ValueError, match="Received: verbose=True"):
        check_option(True, "verbose", (0, 1, 2))  # True is not 1 here


def test_unknown_closed_is_a_programming_error():
    with pytest.raises(ValueError, match="`closed` must be one of"):
        check_number(0.5, "x", 0, 1, closed="open")


# -- what the constructors accept ---------------------------------------------------------

def test_a_zero_learning_rate_is_allowed_as_in_keras():
    opt = optimizers.SGD(learning_rate=0.0)
    w = Variable(np.array([1.0]), "w")
    w.grad[:] = 0.5
    opt.apply([w])
    assert w.value[0] == 1.0
    opt.learning_rate = 0.0  # a LearningRateScheduler warming up from 0 sets this


def test_numpy_scalars_give_json_ready_configs():
    opt = optimizers.Adam(learning_rate=np.float32(0.01), beta_1=np.float64(0.8),
                          epsilon=np.float32(1e-6), clipnorm=np.int64(1))
    json.dumps(opt.get_config())
    assert opt.get_config()["beta_1"] == 0.8
    layer = Dense(np.int64(3), use_bias=np.bool_(False))
    assert type(layer.units) is int and layer.use_bias is False
    json.dumps(layer.get_config())


def test_edges_that_are_allowed():
    optimizers.SGD(momentum=1.0)
    optimizers.Adam(beta_1=0.0, beta_2=0.0, epsilon=0.0)
    Dropout(0.0)
    GaussianNoise(1.0)
    BatchNormalization(momentum=0.0, axis=np.int64(1))
    LayerNormalization(axis=[1, -1])
    activations.ReLU(max_value=0.0, threshold=-1.0)
    callbacks.EarlyStopping(min_delta=-0.1, patience=np.int32(3))  # Keras takes |min_delta|
    callbacks.ModelCheckpoint("m.mk", save_freq=np.int64(5))
    losses.BinaryCrossentropy(label_smoothing=1.0)
    schedules.PiecewiseConstantDecay([np.int64(10)], [0.0, np.float32(0.5)])


def test_set_weights_refuses_none_and_strings():
    layer = Dense(2, input_shape=(3,))
    layer.build((None, 3))
    kernel, bias = layer.get_weights()
    with pytest.raises(ValueError, match=r"Weight `kernel` must be assigned an array of numbers "
                                         r"of shape \(3, 2\)\. Received: None"):
        layer.set_weights([None, bias])
    with pytest.raises(ValueError, match=r"Weight `bias` must be assigned an array of numbers.*"
                                         r"Received: \['a', 'b'\]"):
        layer.set_weights([kernel, ["a", "b"]])


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_float64_beyond_float32_range_is_refused_with_its_row(method):
    """1e300 is finite in float64 but inf once cast to float32: refused, not trained on."""
    import minikeras as keras
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)), rng.integers(0, 2, 20).astype(float)
    x[7, 1] = 1e300
    model = keras.Sequential([keras.Input((3,)), Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy")
    args = (x,) if method == "predict" else (x, y)
    with pytest.raises(ValueError, match=r"`x` must be finite.*index \(7, 1\): inf\)\. "
                                         r"Numbers beyond float32's range"):
        getattr(model, method)(*args, verbose=0)


# -- the table: every checked constructor argument, with bad values -------------------------

# Bad values by constraint. Each list is what that constraint must refuse.
_NOT_A_NUMBER = [True, NAN, "0.5", [0.5]]
FINITE = _NOT_A_NUMBER + [INF, -INF, None]
FINITE_OR_NONE = _NOT_A_NUMBER + [INF]
NON_NEGATIVE = FINITE + [-0.1]
NON_NEGATIVE_OR_NONE = FINITE_OR_NONE + [-0.1]
POSITIVE = NON_NEGATIVE + [0.0]
UNIT = [True, NAN, "0.5", None, -0.1, 1.5]           # [0, 1]
UNIT_LEFT = UNIT + [1.0]                             # [0, 1)
UNIT_OPEN = UNIT_LEFT + [0.0]                        # (0, 1)
INTEGER = [True, 2.0, 2.5, NAN, "3", None]
NON_NEGATIVE_INT = INTEGER + [-1]
POSITIVE_INT = NON_NEGATIVE_INT + [0]
SEED = [True, 2.5, "3", -1]                          # None or a non-negative integer
BOOL = [1, 0, "True", "False", None, 1.0]

OPTIMIZERS = {"SGD": optimizers.SGD, "Adam": optimizers.Adam, "AdamW": optimizers.AdamW,
              "RMSprop": optimizers.RMSprop, "Adagrad": optimizers.Adagrad,
              "Nadam": optimizers.Nadam, "Adamax": optimizers.Adamax,
              "Adadelta": optimizers.Adadelta, "Lion": optimizers.Lion, "Lamb": optimizers.Lamb,
              "Ftrl": optimizers.Ftrl}

TABLE = [
    # optimizers: the base arguments, for each of them
    *[(f"{name}.{arg}", lambda v, cls=cls, arg=arg: cls(**{arg: v}), arg, bad)
      for name, cls in OPTIMIZERS.items()
      for arg, bad in [("learning_rate", NON_NEGATIVE), ("clipnorm", NON_NEGATIVE_OR_NONE),
                       ("clipvalue", NON_NEGATIVE_OR_NONE),
                       ("global_clipnorm", NON_NEGATIVE_OR_NONE),
                       # AdamW's decay is a number; None (no decay) suits the others only
                       ("weight_decay",
                        NON_NEGATIVE if name == "AdamW" else NON_NEGATIVE_OR_NONE)]],
    ("SGD.momentum", lambda v: optimizers.SGD(momentum=v), "momentum", UNIT),
    ("SGD.nesterov", lambda v: optimizers.SGD(nesterov=v), "nesterov", BOOL),
    *[(f"{name}.{arg}", lambda v, cls=OPTIMIZERS[name], arg=arg: cls(**{arg: v}), arg, bad)
      for name in ("Adam", "AdamW", "Nadam")
      for arg, bad in [("beta_1", UNIT_LEFT), ("beta_2", UNIT_LEFT), ("epsilon", NON_NEGATIVE)]],
    ("Adam.amsgrad", lambda v: optimizers.Adam(amsgrad=v), "amsgrad", BOOL),
    ("RMSprop.rho", lambda v: optimizers.RMSprop(rho=v), "rho", UNIT_LEFT),
    ("RMSprop.momentum", lambda v: optimizers.RMSprop(momentum=v), "momentum", UNIT),
    ("RMSprop.epsilon", lambda v: optimizers.RMSprop(epsilon=v), "epsilon", NON_NEGATIVE),
    ("RMSprop.centered", lambda v: optimizers.RMSprop(centered=v), "centered", BOOL),
    ("Adagrad.initial_accumulator_value",
     lambda v: optimizers.Adagrad(initial_accumulator_value=v), "initial_accumulator_value",
     NON_NEGATIVE),
    ("Adagrad.epsilon", lambda v: optimizers.Adagrad(epsilon=v), "epsilon", NON_NEGATIVE),
    ("Optimizer.learning_rate setter",
     lambda v: setattr(optimizers.Adam(), "learning_rate", v), "learning_rate", NON_NEGATIVE),
    # schedules
    *[(f"{cls.__name__}.{arg}", lambda v, cls=cls, arg=arg: cls(**(
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5} | {arg: v})), arg, bad)
      for cls in (schedules.ExponentialDecay, schedules.InverseTimeDecay)
      for arg, bad in [("initial_learning_rate", NON_NEGATIVE), ("decay_steps", POSITIVE),
                       ("decay_rate", NON_NEGATIVE), ("staircase", BOOL)]],
    *[(f"CosineDecay.{arg}", lambda v, arg=arg: schedules.CosineDecay(
        **({"initial_learning_rate": 0.1, "decay_steps": 10} | {arg: v})), arg, bad)
      for arg, bad in [("initial_learning_rate", NON_NEGATIVE), ("decay_steps", POSITIVE),
                       ("alpha", UNIT), ("warmup_target", NON_NEGATIVE_OR_NONE),
                       ("warmup_steps", NON_NEGATIVE)]],
    ("PiecewiseConstantDecay.values", lambda v: schedules.PiecewiseConstantDecay([10], [1.0, v]),
     "values[1]", NON_NEGATIVE),
    ("PiecewiseConstantDecay.boundaries",
     lambda v: schedules.PiecewiseConstantDecay([5, v], [1.0, 0.5, 0.1]), "boundaries[1]", FINITE),
    # initializers
    # Constant also takes an array (as Keras), so [0.5] is valid there; [nan] is not.
    ("Constant.value", lambda v: initializers.Constant(v), "value",
     [v for v in FINITE if not isinstance(v, list)] + [[NAN]]),
    ("Identity.gain", lambda v: initializers.Identity(v), "gain", FINITE),
    ("Orthogonal.gain", lambda v: initializers.Orthogonal(v), "gain", FINITE),
    *[(f"{cls.__name__}.{arg}", lambda v, cls=cls, arg=arg: cls(**{arg: v}), arg, bad)
      for cls in (initializers.RandomNormal, initializers.TruncatedNormal)
      for arg, bad in [("mean", FINITE), ("stddev", NON_NEGATIVE)]],
    ("RandomUniform.minval", lambda v: initializers.RandomUniform(minval=v), "minval", FINITE),
    ("RandomUniform.maxval", lambda v: initializers.RandomUniform(maxval=v), "maxval", FINITE),
    ("VarianceScaling.scale", lambda v: initializers.VarianceScaling(scale=v), "scale", POSITIVE),
    ("VarianceScaling.mode", lambda v: initializers.VarianceScaling(mode=v), "mode",
     ["fan", "FAN_IN", 1, None, True]),
    ("VarianceScaling.distribution", lambda v: initializers.VarianceScaling(distribution=v),
     "distribution", ["cauchy", 1, None, True]),
    *[(f"{cls.__name__}.seed", lambda v, cls=cls: cls(seed=v), "seed", SEED)
      for cls in (initializers.RandomNormal, initializers.RandomUniform,
                  initializers.GlorotUniform, initializers.Orthogonal)],
    # regularizers: None means the default factor, as in Keras
    ("L1.l1", lambda v: regularizers.L1(v), "l1", NON_NEGATIVE_OR_NONE),
    ("L2.l2", lambda v: regularizers.L2(v), "l2", NON_NEGATIVE_OR_NONE),
    ("L1L2.l1", lambda v: regularizers.L1L2(l1=v), "l1", NON_NEGATIVE_OR_NONE),
    ("L1L2.l2", lambda v: regularizers.L1L2(l2=v), "l2", NON_NEGATIVE_OR_NONE),
    # losses
    *[(f"{cls.__name__}.{arg}", lambda v, cls=cls, arg=arg: cls(**{arg: v}), arg, bad)
      for cls in (losses.BinaryCrossentropy, losses.CategoricalCrossentropy)
      for arg, bad in [("from_logits", BOOL), ("label_smoothing", UNIT), ("axis", INTEGER)]],
    ("SparseCategoricalCrossentropy.from_logits",
     lambda v: losses.SparseCategoricalCrossentropy(from_logits=v), "from_logits", BOOL),
    ("Huber.delta", lambda v: losses.Huber(delta=v), "delta", POSITIVE),
    ("MeanSquaredError.reduction", lambda v: losses.MeanSquaredError(reduction=v), "reduction",
     ["mean", 1, True]),
    # activations
    ("ReLU.negative_slope", lambda v: activations.ReLU(negative_slope=v), "negative_slope",
     NON_NEGATIVE),
    ("ReLU.max_value", lambda v: activations.ReLU(max_value=v), "max_value",
     NON_NEGATIVE_OR_NONE),
    ("ReLU.threshold", lambda v: activations.ReLU(threshold=v), "threshold", FINITE),
    ("LeakyReLU.negative_slope", lambda v: activations.LeakyReLU(negative_slope=v),
     "negative_slope", NON_NEGATIVE),
    ("ELU.alpha", lambda v: activations.ELU(alpha=v), "alpha", FINITE),
    ("GELU.approximate", lambda v: activations.GELU(approximate=v), "approximate", BOOL),
    ("Softmax.axis", lambda v: activations.Softmax(axis=v), "axis", INTEGER),
    # layers
    ("Dense.units", lambda v: Dense(v), "units", POSITIVE_INT),
    ("Dense.use_bias", lambda v: Dense(2, use_bias=v), "use_bias", BOOL),
    ("Dense.trainable", lambda v: Dense(2, trainable=v), "trainable", BOOL),
    ("Dropout.rate", lambda v: Dropout(v), "rate", UNIT_LEFT),
    ("Dropout.noise_shape", lambda v: Dropout(0.5, noise_shape=(None, v)), "noise_shape[1]",
     [True, 2.5, "3", 0, -1]),
    ("Dropout.seed", lambda v: Dropout(0.5, seed=v), "seed", SEED),
    ("GaussianNoise.stddev", lambda v: GaussianNoise(v), "stddev", UNIT),
    ("GaussianNoise.seed", lambda v: GaussianNoise(0.1, seed=v), "seed", SEED),
    ("BatchNormalization.axis", lambda v: BatchNormalization(axis=v), "axis", INTEGER),
    ("BatchNormalization.momentum", lambda v: BatchNormalization(momentum=v), "momentum", UNIT),
    ("BatchNormalization.epsilon", lambda v: BatchNormalization(epsilon=v), "epsilon", POSITIVE),
    ("BatchNormalization.center", lambda v: BatchNormalization(center=v), "center", BOOL),
    ("BatchNormalization.scale", lambda v: BatchNormalization(scale=v), "scale", BOOL),
    ("LayerNormalization.axis", lambda v: LayerNormalization(axis=v), "axis", INTEGER),
    ("LayerNormalization.axis list", lambda v: LayerNormalization(axis=[1, v]), "axis[1]",
     INTEGER),
    ("LayerNormalization.epsilon", lambda v: LayerNormalization(epsilon=v), "epsilon", POSITIVE),
    ("LayerNormalization.center", lambda v: LayerNormalization(center=v), "center", BOOL),
    # callbacks
    ("EarlyStopping.min_delta", lambda v: callbacks.EarlyStopping(min_delta=v), "min_delta",
     FINITE),
    ("EarlyStopping.patience", lambda v: callbacks.EarlyStopping(patience=v), "patience",
     NON_NEGATIVE_INT),
    ("EarlyStopping.baseline", lambda v: callbacks.EarlyStopping(baseline=v), "baseline",
     FINITE_OR_NONE),
    ("EarlyStopping.restore_best_weights",
     lambda v: callbacks.EarlyStopping(restore_best_weights=v), "restore_best_weights", BOOL),
    ("EarlyStopping.start_from_epoch", lambda v: callbacks.EarlyStopping(start_from_epoch=v),
     "start_from_epoch", NON_NEGATIVE_INT),
    ("ModelCheckpoint.save_freq", lambda v: callbacks.ModelCheckpoint("m.mk", save_freq=v),
     "save_freq", POSITIVE_INT + ["batch", "Epoch"]),
    ("ModelCheckpoint.save_best_only",
     lambda v: callbacks.ModelCheckpoint("m.mk", save_best_only=v), "save_best_only", BOOL),
    ("ModelCheckpoint.save_weights_only",
     lambda v: callbacks.ModelCheckpoint("m.mk", save_weights_only=v), "save_weights_only", BOOL),
    ("ModelCheckpoint.initial_value_threshold",
     lambda v: callbacks.ModelCheckpoint("m.mk", initial_value_threshold=v),
     "initial_value_threshold", FINITE_OR_NONE),
    ("ReduceLROnPlateau.factor", lambda v: callbacks.ReduceLROnPlateau(factor=v), "factor",
     UNIT_OPEN + [-0.5]),
    ("ReduceLROnPlateau.patience", lambda v: callbacks.ReduceLROnPlateau(patience=v), "patience",
     NON_NEGATIVE_INT),
    ("ReduceLROnPlateau.cooldown", lambda v: callbacks.ReduceLROnPlateau(cooldown=v), "cooldown",
     NON_NEGATIVE_INT),
    ("ReduceLROnPlateau.min_lr", lambda v: callbacks.ReduceLROnPlateau(min_lr=v), "min_lr",
     NON_NEGATIVE),
    ("ReduceLROnPlateau.min_delta", lambda v: callbacks.ReduceLROnPlateau(min_delta=v),
     "min_delta", FINITE),
    ("TerminateOnNaN.raise_error", lambda v: callbacks.TerminateOnNaN(raise_error=v),
     "raise_error", BOOL),
    ("CSVLogger.append", lambda v: callbacks.CSVLogger("log.csv", append=v), "append", BOOL),
    # the rest of the public surface
    ("Precision.thresholds", lambda v: metrics.Precision(thresholds=v), "thresholds",
     [True, NAN, "0.5", -0.1, 1.5]),
    ("minibatches.batch_size", lambda v: next(minibatches(np.zeros(4), batch_size=v)),
     "batch_size", POSITIVE_INT),
    ("set_random_seed.seed", lambda v: set_seed(v), "seed", SEED + [None]),
    ("moons.n_samples", lambda v: toy.moons(v), "n_samples", INTEGER + [1]),
    ("moons.noise", lambda v: toy.moons(10, noise=v), "noise", NON_NEGATIVE),
    ("spiral.classes", lambda v: toy.spiral(10, v), "classes", POSITIVE_INT),
    ("blobs.cluster_std", lambda v: toy.blobs(8, cluster_std=v), "cluster_std", NON_NEGATIVE),
]

CASES = [pytest.param(make, argument, value, id=f"{name}={value!r}")
         for name, make, argument, bad in TABLE for value in bad]


@pytest.mark.parametrize("make, argument, value", CASES)
def test_bad_argument_is_refused_with_its_name_and_value(make, argument, value):
    with pytest.raises(ValueError) as info:
        make(value)
    message = str(info.value)
    assert message.startswith(f"`{argument}` must be "), message
    assert message.endswith(f". Received: {argument}={reprlib.repr(value)}"), message


def test_no_module_keeps_a_private_checker():
    """The five private checkers that this family replaced must not come back."""
    for module in (optimizers, initializers, schedules, regularizers, losses):
        for name in ("_check_number", "_check_factor", "_check_smoothing"):
            assert not hasattr(module, name), f"{module.__name__}.{name}"


def test_docstring_examples_run():
    import doctest

    from minikeras.utils import validation
    assert doctest.testmod(validation).failed == 0
