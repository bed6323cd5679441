"""Toy generators and the breast-cancer split."""
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

from minikeras import config
from minikeras.datasets import blobs, breast_cancer, moons, spiral
from minikeras.utils import set_random_seed

GENERATORS = {
    "moons": lambda seed=None, **options: moons(101, seed=seed, **options),
    "spiral": lambda seed=None, **options: spiral(40, 3, seed=seed, **options),
    "blobs": lambda seed=None, **options: blobs(101, seed=seed, **options),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_shapes_and_dtypes(name):
    x, y = GENERATORS[name]()
    assert x.ndim == 2 and x.shape[1] == 2 and x.dtype == np.float32
    assert y.shape == (len(x),) and y.dtype.kind == "i"


@pytest.mark.parametrize("name", GENERATORS)
def test_seeded_draws_repeat_and_differ_between_seeds(name):
    make = GENERATORS[name]
    np.testing.assert_array_equal(make(seed=3)[0], make(seed=3)[0])
    assert not np.array_equal(make(seed=3)[0], make(seed=4)[0])
    # Without a seed the global generator is used, which set_random_seed resets.
    set_random_seed(7)
    first = make()[0]
    set_random_seed(7)
    np.testing.assert_array_equal(first, make()[0])


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_follow_floatx(name, float64):
    assert GENERATORS[name]()[0].dtype == np.float64


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_points_come_shuffled_so_the_last_fifth_holds_every_class(name, seed):
    """What `validation_split=0.2` holds out (the last fifth) has every class in it."""
    x, y = GENERATORS[name](seed=seed)
    assert set(y[-len(y) // 5:]) == set(y)
    # Class by class with shuffle=False: the last fifth then has one class only.
    assert len(set(GENERATORS[name](seed=seed, shuffle=False)[1][-len(y) // 5:])) == 1


def pairs(x, y):
    """The (point, label) pairs as rows, in one canonical order."""
    return np.unique(np.c_[x, y], axis=0)


@pytest.mark.parametrize("name", GENERATORS)
def test_shuffling_reorders_the_same_points(name):
    """The order is drawn after the points: shuffle=False gives the same points, class by
    class, and each point keeps its label."""
    x, y = GENERATORS[name](seed=5)
    x_ordered, y_ordered = GENERATORS[name](seed=5, shuffle=False)
    assert not np.array_equal(y, y_ordered)
    np.testing.assert_array_equal(pairs(x, y), pairs(x_ordered, y_ordered))
    assert len(pairs(x, y)) > 0.9 * len(y)   # (nearly) all distinct: the check has teeth


def test_a_model_validated_on_the_last_fifth_of_moons_sees_both_classes():
    from minikeras import Input, Sequential
    from minikeras.layers import Dense
    x, y = moons(200, seed=0)
    model = Sequential([Input((2,)), Dense(16, activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=40, batch_size=16, validation_split=0.2, verbose=0)
    # A line already separates most of two moons: held-out accuracy follows training's.
    assert history.history["val_accuracy"][-1] > 0.75


def test_moons_without_noise_lie_on_two_half_circles():
    x, y = moons(101, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [51, 50]
    top, bottom = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(*top.T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(bottom[:, 0] - 1.0, bottom[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (top[:, 1] >= -1e-6).all() and (bottom[:, 1] <= 0.5 + 1e-6).all()


def test_spiral_arms_have_the_right_radii_and_angles():
    x, y = spiral(50, 4, noise=0.0, seed=0, shuffle=False)
    assert np.bincount(y).tolist() == [50] * 4
    radius = np.hypot(*x.T)
    np.testing.assert_allclose(radius, np.tile(np.linspace(0, 1, 50), 4), atol=1e-6)
    # Arm k at radius 1 has turned by 4 + 4k radians: (sin, cos) of that angle.
    ends = x.reshape(4, 50, 2)[:, -1]  # points come arm by arm
    angles = 4.0 + 4.0 * np.arange(4)
    np.testing.assert_allclose(ends, np.c_[np.sin(angles), np.cos(angles)], atol=1e-6)


def test_blobs_default_to_the_hard_xor_layout():
    x, y = blobs(4000, seed=0)
    assert np.bincount(y).tolist() == [2000, 2000]
    # Class 1 fills the quadrants where the signs differ: no straight line separates them.
    same_sign = np.sign(x[:, 0]) == np.sign(x[:, 1])
    assert 0.9 < np.mean(same_sign == (y == 0)) < 0.99
    for centre in [(-2, -2), (2, 2), (-2, 2), (2, -2)]:
        near = np.linalg.norm(x - centre, axis=1) < 1.5
        assert abs(x[near].mean(axis=0) - centre).max() < 0.15


def test_blobs_with_custom_centres_and_labels():
    x, y = blobs(7, centers=[(0, 0), (10, 10)], labels=[1, 0], cluster_std=0.1, seed=0,
                 shuffle=False)
    assert y.tolist() == [1, 1, 1, 1, 0, 0, 0]
    assert (np.abs(x[:4]) < 1).all() and (np.abs(x[4:] - 10) < 1).all()


@pytest.mark.parametrize("call, message", [
    (lambda: moons(1), r"`n_samples` must be an integer >= 2. Received: n_samples=1"),
    (lambda: moons(10.0), r"`n_samples` must be an integer >= 2. Received: n_samples=10.0"),
    (lambda: spiral(10, 0), r"`classes` must be a positive integer. Received: classes=0"),
    (lambda: spiral(True), r"`points_per_class` must be an integer >= 2"),
    (lambda: blobs(3), r"`n_samples` must be an integer >= 4. Received: n_samples=3"),
    (lambda: blobs(10, labels=[0, 1]), r"`labels` must hold one integer class per centre \(4\)"),
    (lambda: blobs(10, centers=[]), r"`centers` must be a non-empty sequence of points"),
    (lambda: moons(10, shuffle="yes"), r"`shuffle` must be True or False. Received: "
                                       r"shuffle='yes'"),
], ids=["moons-one", "moons-float", "spiral-no-class", "spiral-bool", "blobs-few", "blobs-labels",
        "blobs-no-centre", "shuffle-string"])
def test_bad_arguments_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_breast_cancer_holds_out_the_first_100_rows_standardised_with_training_statistics():
    (x_train, y_train), (x_val, y_val) = breast_cancer.load_data()
    raw = load_breast_cancer()
    assert x_train.shape == (469, 30) and x_val.shape == (100, 30)
    assert x_train.dtype == np.dtype(config.floatx())
    np.testing.assert_array_equal(y_val, raw.target[:100])
    np.testing.assert_array_equal(y_train, raw.target[100:])
    mean, std = raw.data[100:].mean(axis=0), raw.data[100:].std(axis=0)
    np.testing.assert_allclose(x_val, (raw.data[:100] - mean) / std, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(x_train.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(x_train.std(axis=0), 1, atol=1e-4)
    # The validation rows did not take part in the statistics, so they are not centred.
    assert np.abs(x_val.mean(axis=0)).max() > 0.1


def test_breast_cancer_options():
    (x_train, _), (x_val, _) = breast_cancer.load_data(validation_rows=50, standardize=False)
    assert x_val.shape == (50, 30)
    np.testing.assert_allclose(x_train[0], load_breast_cancer().data[50], rtol=1e-6)
    with pytest.raises(ValueError, match=r"`validation_rows` must be an integer in \(0, 569\)"):
        breast_cancer.load_data(validation_rows=569)
