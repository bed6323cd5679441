"""Weight constraints: values worked by hand and against Keras 3, names, configs, training, files."""

import numpy as np
import pytest

import minikeras as mk
from minikeras import constraints
from minikeras.constraints import MaxNorm, MinMaxNorm, NonNeg, UnitNorm

EPS = 1e-7  # Keras's backend.epsilon()


# -- values -----------------------------------------------------------------------------------

def test_max_norm_by_hand():
    w = np.array([[3.0, 0.3], [4.0, 0.4]])            # column norms 5 and 0.5
    out = MaxNorm(2.0)(w)
    # w * min(n, 2) / (1e-7 + n): the first column scaled to norm 2, the second kept
    # (up to n / (1e-7 + n)).
    np.testing.assert_allclose(out[:, 0], np.array([3, 4]) * 2 / (5 + EPS), rtol=1e-15)
    np.testing.assert_allclose(out[:, 1], np.array([0.3, 0.4]) * 0.5 / (0.5 + EPS),
                               rtol=1e-15)
    row_norm = np.hypot(4, 0.4)                        # axis=1: one norm per row
    np.testing.assert_allclose(MaxNorm(2.0, axis=1)(w)[1],
                               np.array([4, 0.4]) * 2 / (row_norm + EPS), rtol=1e-15)


def test_min_max_norm_by_hand():
    w = np.array([[0.3, 6.0], [0.4, 8.0]])            # norms 0.5 and 10
    # rate 1: norms clipped to [1, 2]; rate 0.5: half-way, 0.75 and 6.
    np.testing.assert_allclose(np.linalg.norm(MinMaxNorm(1.0, 2.0)(w), axis=0), [1, 2],
                               rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(MinMaxNorm(1.0, 2.0, rate=0.5)(w), axis=0),
                               [0.75, 6.0], rtol=1e-6)


def test_non_neg_and_unit_norm_by_hand():
    np.testing.assert_array_equal(NonNeg()(np.array([[-1.0, 2.0], [0.5, -0.0]])),
                                  [[0, 2], [0.5, 0]])
    w = np.random.default_rng(0).normal(size=(3, 4, 5))
    np.testing.assert_allclose(np.linalg.norm(UnitNorm(axis=0)(w), axis=0), 1, rtol=1e-6)
    out = UnitNorm(axis=[0, 1])(w)                     # one norm per last index
    np.testing.assert_allclose(np.sqrt(np.sum(out ** 2, axis=(0, 1))), 1, rtol=1e-6)
    assert np.all(UnitNorm()(np.zeros((3, 2))) == 0)   # epsilon keeps a zero column finite


def test_dtype_is_kept():
    w = np.ones((3, 2), np.float32)
    for constraint in (MaxNorm(1), MinMaxNorm(), NonNeg(), UnitNorm()):
        assert constraint(w).dtype == np.float32


CASES = [("MaxNorm", {"max_value": 1.5}), ("MaxNorm", {"max_value": 3, "axis": 1}),
         ("MaxNorm", {}), ("MinMaxNorm", {"min_value": 0.8, "max_value": 1.2, "rate": 0.7}),
         ("MinMaxNorm", {"axis": [0, 1]}), ("NonNeg", {}), ("UnitNorm", {"axis": 1}),
         ("UnitNorm", {})]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}{k}" for n, k in CASES])
def test_values_match_keras(keras3, name, kwargs):
    w = np.random.default_rng(0).normal(scale=2.0, size=(4, 3, 5)).astype(np.float32)
    ours = getattr(constraints, name)(**kwargs)(w)
    theirs = np.asarray(getattr(keras3.constraints, name)(**kwargs)(keras3.ops.convert_to_tensor(w)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


# -- names, get, configs ----------------------------------------------------------------------

@pytest.mark.parametrize("identifier, cls", [
    ("max_norm", MaxNorm), ("MaxNorm", MaxNorm), ("min_max_norm", MinMaxNorm),
    ("non_neg", NonNeg), ("NonNeg", NonNeg), ("unit_norm", UnitNorm), ("UnitNorm", UnitNorm),
    (MaxNorm, MaxNorm), ({"class_name": "MaxNorm", "config": {"max_value": 3}}, MaxNorm),
    ({"module": "keras.constraints", "class_name": "UnitNorm", "config": {"axis": 1},
      "registered_name": None}, UnitNorm),
], ids=lambda p: p if isinstance(p, str) else None)
def test_get(identifier, cls):
    assert type(constraints.get(identifier)) is cls


def test_get_passes_instances_functions_and_none_through():
    instance, function = MaxNorm(3), np.abs
    assert constraints.get(instance) is instance
    assert constraints.get(function) is function   # any w -> w' works, as in Keras
    assert constraints.get(None) is None
    assert constraints.max_norm is MaxNorm and constraints.non_neg is NonNeg
    with pytest.raises(ValueError, match="Unknown `constraint`: 'maxnorm2'. Valid names are: "
                                         "constraint, max_norm, min_max_norm, non_neg, unit_norm"):
        constraints.get("maxnorm2")
    with pytest.raises(TypeError, match="`constraint` must be"):
        constraints.get(3)


def test_names_are_keras_names(keras3):
    from keras.src.constraints import ALL_OBJECTS_DICT
    for name in ALL_OBJECTS_DICT:
        assert type(constraints.get(name)).__name__ == type(keras3.constraints.get(name)).__name__


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}{k}" for n, k in CASES])
def test_serialize_as_keras_and_back(keras3, name, kwargs):
    ours = getattr(constraints, name)(**kwargs)
    theirs = getattr(keras3.constraints, name)(**kwargs)
    assert constraints.serialize(ours) == keras3.constraints.serialize(theirs)
    back = constraints.deserialize(keras3.constraints.serialize(theirs))
    assert type(back) is type(ours) and back.get_config() == ours.get_config()


@pytest.mark.parametrize("make, argument", [
    (lambda: MaxNorm(-1), "max_value"), (lambda: MaxNorm(float("nan")), "max_value"),
    (lambda: MinMaxNorm(min_value=-0.1), "min_value"),
    (lambda: MinMaxNorm(min_value=2.0, max_value=1.0), "max_value"),
    (lambda: MinMaxNorm(rate=1.5), "rate"), (lambda: UnitNorm(axis="0"), "axis"),
    (lambda: MaxNorm(axis=[]), "axis"), (lambda: MaxNorm(axis=1.0), "axis"),
], ids=lambda p: p if isinstance(p, str) else None)
def test_bad_arguments_are_named(make, argument):
    with pytest.raises(ValueError, match=f"`{argument}` must be .* Received: {argument}="):
        make()


# -- in training and in files -------------------------------------------------------------------

def _constrained_model():
    return mk.Sequential([
        mk.Input((4,)),
        mk.layers.Dense(6, activation="relu", kernel_constraint=MaxNorm(0.7),
                        bias_constraint=NonNeg()),
        mk.layers.Dense(1, kernel_constraint=lambda w: np.clip(w, -0.1, 0.1)),
    ])


def test_every_step_leaves_the_weights_inside(rng):
    model = _constrained_model()
    model.compile(mk.optimizers.Adam(0.1), "mse")
    x, y = rng.normal(size=(96, 4)), rng.normal(size=96) * 10
    norms = []
    for _ in range(4):
        model.train_on_batch(x[:32], y[:32])
        dense, out = model.layers
        norms.append(np.linalg.norm(dense.kernel.value, axis=0).max())
        assert dense.bias.value.min() >= 0 and np.abs(out.kernel.value).max() <= 0.1
    assert max(norms) <= 0.7 + 1e-6 and min(norms) > 0.69   # the bound binds


def test_a_constraint_returning_another_shape_is_named(rng):
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(2, kernel_constraint=np.ravel)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"constraint <.*ravel.*> of weight 'kernel' must "
                                         r"return an array of its shape \(3, 2\)\. Received an "
                                         r"array of shape \(6,\)"):
        model.train_on_batch(rng.normal(size=(4, 3)), rng.normal(size=(4, 2)))


@pytest.mark.parametrize("filename", ["model.mk", "model.keras", "model.h5"])
def test_constraints_survive_saving(tmp_path, rng, filename):
    if filename != "model.mk":
        pytest.importorskip("h5py", reason='Keras files need h5py: pip install "minikeras[h5]"')
    model = mk.Sequential([mk.Input((4,)),
                           mk.layers.Dense(3, kernel_constraint=MinMaxNorm(0.5, 2.0, 0.5, 1)),
                           mk.layers.BatchNormalization(gamma_constraint="non_neg")])
    model.compile("sgd", "mse")
    model.save(tmp_path / filename)
    loaded = mk.models.load_model(tmp_path / filename)
    constraint = loaded.layers[0].kernel_constraint
    assert type(constraint) is MinMaxNorm and constraint.get_config() == {
        "min_value": 0.5, "max_value": 2.0, "rate": 0.5, "axis": 1}
    assert type(loaded.layers[1].gamma_constraint) is NonNeg


def test_a_function_constraint_cannot_be_saved_and_says_why(tmp_path):
    model = _constrained_model()
    with pytest.raises((TypeError, ValueError), match="constraint .*get_config"):
        model.save(tmp_path / "model.mk")
