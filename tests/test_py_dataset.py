"""fit, evaluate and predict on data given batch by batch: Python generators and PyDataset.

Behaviour first (each stream gives what the same batches as arrays give), then twin tests
against Keras 3: the same weights trained on the same stream of batches give the same logs.
"""
import threading
import warnings

import numpy as np
import pytest
from conftest import import_keras

import minikeras
from minikeras import Input, Sequential
from minikeras.callbacks import Callback
from minikeras.layers import Dense
from minikeras.utils import PyDataset, Sequence

BATCH = 8


def _data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    return x, y


def _model(keras=minikeras, weights=None):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def dataset_class(base):
    """A PyDataset (of ``base``, minikeras's or Keras's) serving ``x, y`` in batches, and
    recording what it was asked for in ``calls``."""

    class Batches(base):
        def __init__(self, x, y, weights=None, batch_size=BATCH, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.weights, self.batch_size = x, y, weights, batch_size
            self.calls = []

        def __len__(self):
            return -(-len(self.x) // self.batch_size)

        def __getitem__(self, index):
            self.calls.append(index)
            rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
            batch = (self.x[rows], self.y[rows])
            return batch if self.weights is None else batch + (self.weights[rows],)

        def on_epoch_begin(self):
            self.calls.append("begin")

        def on_epoch_end(self):
            self.calls.append("end")

    return Batches


Batches = dataset_class(PyDataset)


def batches(x, y=None, weights=None, batch_size=BATCH, forever=False, seen=None):
    """A generator of (x, y[, weights]) batches in order, once or looping forever; appends the
    index of each batch it yields to ``seen``."""
    while True:
        for index, start in enumerate(range(0, len(x), batch_size)):
            rows = slice(start, start + batch_size)
            if seen is not None:
                seen.append(index)
            yield tuple(a[rows] for a in (x, y, weights) if a is not None)
        if not forever:
            return


def _assert_same_history(got, want, rtol=1e-6):
    assert list(got.history) == list(want.history)
    for key, values in want.history.items():
        np.testing.assert_allclose(got.history[key], values, rtol=rtol, atol=1e-7, err_msg=key)


# -- the same batches as arrays ---------------------------------------------------------


@pytest.mark.parametrize("stream", ["generator", "PyDataset"])
def test_a_stream_trains_as_the_same_batches_in_arrays(stream):
    x, y = _data()
    start = _model().get_weights()
    ours, reference = _model(weights=start), _model(weights=start)
    data = batches(x, y) if stream == "generator" else Batches(x, y)
    history = ours.fit(data, epochs=1, shuffle=False, verbose=0)  # a PyDataset shuffles too
    expected = reference.fit(x, y, batch_size=BATCH, shuffle=False, epochs=1, verbose=0)
    _assert_same_history(history, expected)
    for got, want in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_sample_weights_and_class_weights_come_through_a_stream():
    x, y = _data()
    weights = np.linspace(0.5, 2.0, len(x)).astype("float32")
    start = _model().get_weights()
    for extra in ({"sample_weight": weights}, {"class_weight": {0: 1.0, 1: 3.0}}):
        ours, reference = _model(weights=start), _model(weights=start)
        data = Batches(x, y, weights=extra.get("sample_weight"))
        class_weight = extra.get("class_weight")
        got = ours.fit(data, epochs=2, shuffle=False, verbose=0, class_weight=class_weight)
        want = reference.fit(x, y, batch_size=BATCH, shuffle=False, epochs=2, verbose=0, **extra)
        _assert_same_history(got, want)


@pytest.mark.parametrize("stream", ["generator", "PyDataset"])
def test_evaluate_and_predict_on_a_stream_equal_arrays(stream):
    x, y = _data()
    model = _model()

    def data():
        return batches(x, y) if stream == "generator" else Batches(x, y)
    assert model.evaluate(data(), verbose=0) == pytest.approx(
        model.evaluate(x, y, batch_size=BATCH, verbose=0))
    np.testing.assert_allclose(model.predict(data(), verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_predict_takes_batches_of_inputs_alone_or_with_targets():
    x, y = _data()
    model = _model()
    expected = model.predict(x, verbose=0)
    np.testing.assert_allclose(model.predict(batches(x), verbose=0), expected, rtol=1e-6)
    alone = (x[i:i + BATCH] for i in range(0, len(x), BATCH))  # arrays, not tuples
    np.testing.assert_allclose(model.predict(alone, verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict(batches(x, y), steps=2, verbose=0),
                               expected[:2 * BATCH], rtol=1e-6)


def test_validation_data_may_be_a_stream():
    x, y = _data()
    xv, yv = _data(16, seed=1)
    start = _model().get_weights()
    want = _model(weights=start).fit(x, y, batch_size=BATCH, shuffle=False, epochs=2, verbose=0,
                                     validation_data=(xv, yv))
    got = _model(weights=start).fit(Batches(x, y), epochs=2, shuffle=False, verbose=0,
                                    validation_data=Batches(xv, yv))
    _assert_same_history(got, want)
    one = _model(weights=start).fit(x, y, batch_size=BATCH, shuffle=False, epochs=1, verbose=0,
                                    validation_data=batches(xv, yv))
    np.testing.assert_allclose(one.history["val_loss"], want.history["val_loss"][:1], rtol=1e-6)


# -- epochs, steps and the PyDataset's hooks ---------------------------------------------


def test_a_pydataset_hears_each_epoch_begin_and_end_and_is_read_in_order():
    x, y = _data()
    data, validation = Batches(x, y), Batches(x[:16], y[:16])
    history = _model().fit(data, epochs=2, shuffle=False, verbose=0, validation_data=validation)
    assert data.calls == ["begin", 0, 1, 2, 3, "end"] * 2
    assert validation.calls == ["begin", 0, 1, "end"] * 2
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 4}


def test_shuffle_draws_a_new_order_of_batches_each_epoch():
    x, y = _data(64)
    data = Batches(x, y)
    _model().fit(data, epochs=3, verbose=0)  # shuffle=True, the default
    orders = [data.calls[i + 1:i + 9] for i in range(0, len(data.calls), 10)]
    assert all(sorted(order) == list(range(8)) for order in orders)
    assert len({tuple(order) for order in orders}) > 1


def test_steps_per_epoch_continues_a_pass_in_the_next_epoch():
    x, y = _data()
    data = Batches(x, y)
    history = _model().fit(data, epochs=2, steps_per_epoch=2, shuffle=False, verbose=0)
    assert data.calls == ["begin", 0, 1, "end", "begin", 2, 3, "end"]
    assert history.params["steps"] == 2 and len(history.history["loss"]) == 2


def test_an_endless_generator_feeds_steps_per_epoch_batches_to_every_epoch():
    x, y = _data()
    seen = []
    history = _model().fit(batches(x, y, forever=True, seen=seen), epochs=3, steps_per_epoch=3,
                           verbose=0)
    # Batch 0 is read once before training starts (it builds the model), then in order.
    assert seen == [0, 1, 2, 3, 0, 1, 2, 3, 0]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}
    assert len(history.history["loss"]) == 3


def test_an_endless_pydataset_needs_only_steps_per_epoch():
    x, y = _data()

    class Endless(PyDataset):
        num_batches = None

        def __getitem__(self, index):
            return x[:BATCH], y[:BATCH]
    history = _model().fit(Endless(), epochs=2, steps_per_epoch=5, verbose=0)
    assert history.params["steps"] == 5 and len(history.history["loss"]) == 2


def test_a_used_up_generator_ends_training_with_a_warning():
    x, y = _data()
    with pytest.warns(UserWarning, match="gave no batch in this epoch"):
        history = _model().fit(batches(x, y), epochs=3, verbose=0)
    assert history.params["steps"] is None  # a generator's length is unknown
    assert len(history.history["loss"]) == 1


def test_steps_per_epoch_beyond_a_generator_ends_the_epoch_early():
    x, y = _data()
    seen = []
    with pytest.warns(UserWarning, match=r"ran out after 4 of `steps_per_epoch`=6"):
        _model().fit(batches(x, y, seen=seen), epochs=1, steps_per_epoch=6, verbose=0)
    assert seen == [0, 1, 2, 3]


def test_the_first_generator_batch_builds_the_model_before_training_begins():
    x, y = _data()
    model = Sequential([Dense(3), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    counted = []

    class CountAtStart(Callback):
        def on_train_begin(self, logs=None):
            counted.append(self.model.count_params())
    model.fit(batches(x, y), callbacks=[CountAtStart()], verbose=0)
    assert counted == [4 * 3 + 3 + 3 + 1]


def test_workers_load_batches_in_threads_and_keep_their_order():
    x, y = _data(64)
    threads = set()

    class Threaded(Batches):
        def __getitem__(self, index):
            threads.add(threading.get_ident())
            return super().__getitem__(index)
    start = _model().get_weights()
    loaded = Threaded(x, y, workers=3, max_queue_size=2)
    got = _model(weights=start).fit(loaded, epochs=2, shuffle=False, verbose=0)
    want = _model(weights=start).fit(Batches(x, y), epochs=2, shuffle=False, verbose=0)
    _assert_same_history(got, want)
    assert threading.get_ident() not in threads
    assert [c for c in loaded.calls if c not in ("begin", "end")] == list(range(8)) * 2


def test_sequence_is_keras_2s_name_of_pydataset():
    assert Sequence is PyDataset
    data = Batches(*_data(), workers=2, use_multiprocessing=True, max_queue_size=4)
    assert (data.workers, data.use_multiprocessing, data.max_queue_size) == (2, True, 4)
    assert data.num_batches == 4 and len(list(data)) == 4


# -- what a stream refuses -----------------------------------------------------------------


@pytest.mark.parametrize("stream", ["generator", "PyDataset"])
def test_arguments_a_stream_gives_itself_are_refused(stream):
    x, y = _data()
    model = _model()

    def data():
        return batches(x, y) if stream == "generator" else Batches(x, y)
    with pytest.raises(ValueError, match=f"When `x` is a {stream}, `y` must not be passed"):
        model.fit(data(), y, verbose=0)
    with pytest.raises(ValueError, match="`sample_weight` must not be passed"):
        model.evaluate(data(), sample_weight=np.ones(len(x)), verbose=0)
    with pytest.raises(ValueError, match="`validation_split` needs arrays"):
        model.fit(data(), validation_split=0.2, verbose=0)


def test_bad_streams_are_named_with_the_batch_at_fault():
    x, y = _data()
    model = _model()
    with pytest.raises(ValueError, match="`x` is an empty generator"):
        model.fit(batches(x[:0], y[:0]), verbose=0)
    with pytest.raises(ValueError, match="`x` is a Batches of length 0: it has no batch"):
        model.fit(Batches(x[:0], y[:0]), verbose=0)
    with pytest.raises(ValueError, match=r"training and evaluation need targets"):
        model.evaluate(batches(x), verbose=0)
    four = ((x[:4], y[:4], np.ones(4), np.ones(4)) for _ in range(2))
    with pytest.raises(ValueError, match=r"batches \(x,\), \(x, y\) or \(x, y, sample_weight\)\. "
                                         r"Received a tuple of 4 as batch 0"):
        model.fit(four, verbose=0)
    bad = ((x[:BATCH, :3] if i == 2 else x[:BATCH], y[:BATCH]) for i in range(4))
    with pytest.raises(ValueError, match=r"In batch 2 of `x`: .*shape"):
        model.fit(bad, verbose=0)
    with pytest.raises(NotImplementedError, match="must implement `__getitem__"):
        PyDataset()[0]


# -- twins: Keras 3 trained on the same stream ------------------------------------------------


@pytest.fixture(scope="module")
def keras():
    return import_keras()


def _twins(keras):
    ours = _model()
    theirs = _model(keras, weights=ours.get_weights())
    return ours, theirs


def test_pydataset_training_and_validation_logs_match_keras(keras):
    x, y = _data()
    xv, yv = _data(16, seed=1)
    ours, theirs = _twins(keras)
    KerasBatches = dataset_class(keras.utils.PyDataset)
    got = ours.fit(Batches(x, y), epochs=3, shuffle=False, verbose=0,
                   validation_data=Batches(xv, yv))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = theirs.fit(KerasBatches(x, y), epochs=3, shuffle=False, verbose=0,
                          validation_data=KerasBatches(xv, yv))
    assert got.params == want.params
    _assert_same_history(got, want, rtol=1e-4)
    assert ours.evaluate(Batches(xv, yv), verbose=0) == pytest.approx(
        theirs.evaluate(KerasBatches(xv, yv), verbose=0), rel=1e-4)


def test_generator_steps_per_epoch_logs_match_keras(keras):
    x, y = _data()
    ours, theirs = _twins(keras)
    got = ours.fit(batches(x, y, forever=True), epochs=3, steps_per_epoch=3, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns that a generator is not shuffled
        want = theirs.fit(batches(x, y, forever=True), epochs=3, steps_per_epoch=3, verbose=0)
    assert got.params == want.params
    _assert_same_history(got, want, rtol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns at a generator's end
        expected = theirs.predict(batches(x), verbose=0)
    np.testing.assert_allclose(ours.predict(batches(x), verbose=0), expected, rtol=1e-4,
                               atol=1e-6)


@pytest.mark.parametrize("argument", ["y", "validation_split"])
def test_keras_refuses_the_same_stream_arguments(keras, argument):
    x, y = _data()
    values = {"y": y, "validation_split": 0.2}
    for framework in (minikeras, keras):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(ValueError, match=argument):
                _model(framework).fit(batches(x, y), verbose=0, **{argument: values[argument]})
