"""The fast paths compute the same numbers as the straightforward ones.

Speed is measured in benchmarks/, never here; these tests pin down that the
tricks the training step uses for speed (reused batch buffers, a skipped input
gradient, one softmax for loss and gradient, in-place Adam) change no result.
"""
import numpy as np
import pytest

from benchmarks.numpy_floor import NumpyMLP
from minikeras import Input, Sequential
from minikeras.datasets import mnist
from minikeras.layers import Dense
from minikeras.random import set_seed
from minikeras.utils import minibatches

MNIST = "../shared/data/mnist"


@pytest.mark.parametrize("shuffle", [True, False])
def test_reused_buffers_yield_the_same_batches(shuffle, rng):
    x, y = rng.normal(size=(53, 4)), rng.integers(0, 3, size=53)
    fresh = [(a.copy(), b.copy()) for a, b in
             minibatches(x, y, batch_size=10, shuffle=shuffle, seed=5)]
    reused = [(a.copy(), b.copy()) for a, b in
              minibatches(x, y, batch_size=10, shuffle=shuffle, seed=5, reuse_buffers=True)]
    assert [len(a) for a, _ in fresh] == [10, 10, 10, 10, 10, 3]
    for (a1, b1), (a2, b2) in zip(fresh, reused):
        np.testing.assert_array_equal(a1, a2)
        np.testing.assert_array_equal(b1, b2)
    rows = np.concatenate([a for a, _ in fresh])
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x))   # every row exactly once


@pytest.mark.parametrize("output, labels", [("softmax", "sparse"), ("sigmoid", "binary")])
def test_fit_follows_the_hand_written_numpy_loop(output, labels):
    """Same initial weights and the same permutations: minikeras's Adam training and the
    benchmark's tight numpy loop land on the same weights, up to float32 rounding."""
    (x, y), _ = mnist.load_data(MNIST)
    x = x[:2000].reshape(2000, -1).astype(np.float32) / 255
    y = y[:2000].astype(np.int64)
    if labels == "binary":
        y = (y >= 5).astype(np.float32)
    model = Sequential([Input((784,)), Dense(64, activation="relu"), Dense(32, activation="relu"),
                        Dense(10 if output == "softmax" else 1, activation=output)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy"
                  if output == "softmax" else "binary_crossentropy")
    floor = NumpyMLP(model.get_weights(), batch_size=100, output=output)

    set_seed(11)           # minikeras shuffles with default_rng(11) from here on ...
    model.fit(x, y, batch_size=100, epochs=2, verbose=0)
    rng = np.random.default_rng(11)     # ... and so does the floor
    for _ in range(2):
        floor.train_epoch(x, y, rng)

    for ours, theirs in zip(model.get_weights(), floor.params):
        np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=2e-5)
    np.testing.assert_allclose(model.predict(x[:200], verbose=0), floor.predict(x[:200]),
                               rtol=1e-3, atol=1e-5)
