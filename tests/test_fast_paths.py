"""The fast paths compute the same numbers as the straightforward ones.

Speed is measured in benchmarks/, never here; these tests pin down that the
tricks the loops use for speed (buffers reused from batch to batch for the
gathered minibatch, z, y and dL/dx, a skipped input gradient, one softmax for
loss and gradient, in-place Adam) change no result.
"""
import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.callbacks import LambdaCallback
from minikeras.datasets import mnist
from minikeras.layers import Dense
from minikeras.random import set_seed
from minikeras.utils import buffers, minibatches
from numpy_reference import NumpyMLP  # the tests folder is on sys.path


@pytest.mark.parametrize("shuffle", [True, False])
def test_reused_buffers_yield_the_same_batches(shuffle, rng):
    x, y = rng.normal(size=(53, 4)), rng.integers(0, 3, size=53)
    fresh = [(a.copy(), b.copy()) for a, b in
             minibatches(x, y, batch_size=10, shuffle=shuffle, seed=5)]
    with buffers.reuse():
        reused = [(a.copy(), b.copy()) for a, b in
                  minibatches(x, y, batch_size=10, shuffle=shuffle, seed=5)]
    assert [len(a) for a, _ in fresh] == [10, 10, 10, 10, 10, 3]
    for (a1, b1), (a2, b2) in zip(fresh, reused):
        np.testing.assert_array_equal(a1, a2)
        np.testing.assert_array_equal(b1, b2)
    rows = np.concatenate([a for a, _ in fresh])
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x))   # every row exactly once


@pytest.mark.parametrize("output, labels", [("softmax", "sparse"), ("sigmoid", "binary")])
def test_fit_follows_the_hand_written_numpy_loop(output, labels, mnist_dir):
    """Same initial weights and the same permutations: minikeras's Adam training and the
    benchmark's tight numpy loop land on the same weights, up to float32 rounding."""
    (x, y), _ = mnist.load_data(mnist_dir)
    x = x[:2030].reshape(2030, -1).astype(np.float32) / 255   # a last batch of 30
    y = y[:2030].astype(np.int64)
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


def test_layers_reuse_buffers_only_inside_a_loop(rng):
    layer = Dense(3, activation="relu", input_shape=(4,))
    layer.build((None, 4))
    kernel, bias = layer.kernel.value, layer.bias.value
    x1, x2 = rng.normal(size=(6, 4)).astype(np.float32), rng.normal(size=(6, 4)).astype(np.float32)

    kept = layer(x1)                                  # a call: a new array, the caller's
    assert not np.shares_memory(kept, layer(x2))
    with buffers.reuse():
        layer.forward(x1, training=True)
        z1 = layer.logits
        layer.forward(x2, training=True)
        assert np.shares_memory(z1, layer.logits)     # the same buffer, batch after batch
        np.testing.assert_allclose(layer.logits, x2 @ kernel + bias, rtol=1e-6)
        np.testing.assert_allclose(kept, np.maximum(x1 @ kernel + bias, 0), rtol=1e-6)

        grad = rng.normal(size=(6, 3)).astype(np.float32)
        before = grad.copy()
        dx = layer.backward(grad)
        np.testing.assert_array_equal(grad, before)   # a layer never writes into its arguments
        np.testing.assert_allclose(dx, (grad * (layer.logits > 0)) @ kernel.T, rtol=1e-6)

        layer.forward(x1[:2], training=True)           # a smaller last batch: leading rows
        assert np.shares_memory(z1, layer.logits) and layer.logits.shape == (2, 3)
        np.testing.assert_allclose(layer.logits, x1[:2] @ kernel + bias, rtol=1e-6)
        dx_small = layer.backward(grad[:2])
        assert np.shares_memory(dx, dx_small) and dx_small.shape == (2, 4)
        layer.forward(x2, training=True)               # a full batch again: the whole buffer
        assert np.shares_memory(z1, layer.logits) and layer.logits.shape == (6, 3)
        with buffers.reuse():                          # an inner loop has buffers of its own
            layer.forward(x2, training=True)
            assert not np.shares_memory(z1, layer.logits)
    layer.forward(x1, training=True)                   # outside any loop: new arrays
    assert not np.shares_memory(z1, layer.logits)


def test_the_buffers_of_fit_do_not_grow_from_epoch_to_epoch(rng):
    # Every epoch's pass gathers its batches into the same arrays: the reuse block holds
    # as many after ten epochs as after one.
    model = Sequential([Input((4,)), Dense(3, activation="relu"), Dense(1, "sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    held = []
    spy = LambdaCallback(on_epoch_end=lambda epoch, logs: held.append(
        sum(a.nbytes for a in buffers._local.store.values())))
    x, y = rng.normal(size=(50, 4)), rng.integers(0, 2, 50)
    model.fit(x, y, batch_size=16, epochs=10, verbose=0, callbacks=[spy],
              validation_data=(x[:20], y[:20]))
    assert held[0] > 0 and held == [held[0]] * 10


def test_predictions_survive_later_training(rng):
    """A linear output layer returns its buffer z itself: predict and model(x) must still
    hand out arrays that later calls do not touch."""
    x, y = rng.normal(size=(40, 5)).astype(np.float32), rng.normal(size=(40, 2))
    model = Sequential([Input((5,)), Dense(8, activation="relu"), Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    first = model.predict(x, verbose=0)
    snapshot, called = first.copy(), model(x[:10])
    called_snapshot = called.copy()
    model.fit(x, y, batch_size=10, epochs=2, verbose=0)
    model.predict(x[5:], verbose=0)
    np.testing.assert_array_equal(first, snapshot)
    np.testing.assert_array_equal(called, called_snapshot)
    assert not np.allclose(model.predict(x, verbose=0), snapshot)   # training did change it


def test_copies_and_pickles_start_without_saved_arrays(rng):
    import copy
    import pickle
    model = Sequential([Input((5,)), Dense(8, activation="relu"), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(rng.normal(size=(64, 5)), rng.normal(size=64), batch_size=32, verbose=0)
    assert set(model.layers[0].saved) == {"x", "z", "y"}   # training kept them
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert all(layer.saved == {} for layer in clone.layers)
        np.testing.assert_array_equal(clone.predict(np.ones((3, 5)), verbose=0),
                                      model.predict(np.ones((3, 5)), verbose=0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_check_by_sum_still_finds_every_bad_entry(dtype):
    """The NaN/inf check sums first: an overflowing sum of finite values must pass,
    and NaN, inf, or inf and -inf (whose sum is NaN) must still be caught."""
    from minikeras.utils.validation import check_finite
    huge = np.full((4, 3), np.finfo(dtype).max / 2, dtype)
    check_finite(huge, "x")                            # the sum overflows; every entry is fine
    for bad in ([np.nan], [np.inf], [-np.inf], [np.inf, -np.inf]):
        x = np.ones((4, 3), dtype)
        x.flat[[5, 7][:len(bad)]] = bad
        with pytest.raises(ValueError, match=r"`x` must be finite.*index \(11, 2\)"):
            check_finite(x, "x", offset=10)
