"""The tutorial workflows this project grew from, end to end, in fast settings."""
import numpy as np
from sklearn.datasets import make_moons

from minikeras import Input, Sequential, optimizers, regularizers
from minikeras.datasets import breast_cancer
from minikeras.layers import Dense


def test_breast_cancer_reaches_95_percent_on_the_first_100_rows():
    (x_train, y_train), (x_val, y_val) = breast_cancer.load_data()
    assert x_val.shape == (100, 30) and x_train.shape == (469, 30)
    model = Sequential([Input((30,)), Dense(128, activation="relu"), Dense(64, activation="relu"),
                        Dense(32, activation="relu"), Dense(1, activation="sigmoid")])
    assert model.count_params() == 14_337
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=100, epochs=30,
                        validation_data=(x_val, y_val), verbose=0)
    assert history.history["val_accuracy"][-1] >= 0.95
    assert model.evaluate(x_val, y_val, verbose=0)[1] >= 0.95


def test_moons_with_a_three_unit_tanh_layer():
    """make_moons(200, noise=0.2), 2-3-2 tanh/softmax, full-batch gradient descent with L2."""
    x, y = make_moons(200, noise=0.2, random_state=0)
    l2 = regularizers.L2(1e-3)
    model = Sequential([Input((2,)), Dense(3, activation="tanh", kernel_regularizer=l2),
                        Dense(2, activation="softmax", kernel_regularizer=l2)])
    model.compile(optimizer=optimizers.SGD(0.2, momentum=0.9), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=200, epochs=2000, verbose=0)
    assert history.history["accuracy"][-1] >= 0.95


def spiral(points_per_class, classes, seed=0):
    """CS231n's spiral: each class an arm of ``points_per_class`` noisy points."""
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, points_per_class), classes)
    labels = np.repeat(np.arange(classes), points_per_class)
    theta = (np.linspace(0, 4, points_per_class)[None, :] + 4 * np.arange(classes)[:, None]).ravel()
    theta += rng.normal(scale=0.2, size=theta.shape)
    return np.c_[radius * np.sin(theta), radius * np.cos(theta)], labels


def test_spiral_with_one_hidden_relu_layer():
    x, y = spiral(300, 3)
    model = Sequential([Input((2,)),
                        Dense(100, activation="relu", kernel_regularizer=regularizers.L2(1e-3)),
                        Dense(3, activation="softmax", kernel_regularizer=regularizers.L2(1e-3))])
    model.compile(optimizer=optimizers.SGD(1.0), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=len(x), epochs=2000, verbose=0)
    assert history.history["accuracy"][-1] >= 0.95
