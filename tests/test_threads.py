"""Inference is re-entrant: one model serves many threads at once, and keeps nothing after."""
import threading
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import BatchNormalization, Dense, Dropout


def _model(rng):
    model = Sequential([Input((20,)), Dense(64, activation="relu"), BatchNormalization(),
                        Dropout(0.3), Dense(32, activation="tanh"),
                        Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x = rng.normal(size=(200, 20)).astype(np.float32)
    y = rng.integers(0, 3, size=200)
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    return model, x, y


def test_100_concurrent_calls_return_what_one_thread_returns(rng):
    model, _, _ = _model(rng)
    inputs = [rng.normal(size=(int(n), 20)).astype(np.float32)
              for n in rng.integers(1, 300, size=100)]
    labels = [rng.integers(0, 3, size=len(x)) for x in inputs]
    calls = [
        lambda i: model.predict(inputs[i], batch_size=16, verbose=0),
        lambda i: model(inputs[i]),
        lambda i: model.layers[0](inputs[i]),
        lambda i: np.array(model.evaluate(inputs[i], labels[i], batch_size=16, verbose=0)),
    ]
    jobs = [(i, calls[i % len(calls)]) for i in range(len(inputs))]
    alone = [call(i) for i, call in jobs]
    barrier = threading.Barrier(8)

    def together(job):
        i, call = job
        if i < 8:
            barrier.wait()          # the first eight start at the same instant
        return call(i)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(together, jobs))
    mismatches = [i for i, (a, b) in enumerate(zip(alone, results))
                  if not np.array_equal(a, b)]
    assert mismatches == []


def test_training_the_same_model_from_two_threads_is_refused(rng):
    model, x, y = _model(rng)
    started, release = threading.Event(), threading.Event()

    from minikeras.callbacks import Callback

    class Hold(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            started.set()
            release.wait(10)

    trainer = threading.Thread(target=model.fit, args=(x, y),
                               kwargs={"verbose": 0, "callbacks": [Hold()]})
    trainer.start()
    started.wait(10)
    try:
        with pytest.raises(RuntimeError, match="being trained in another thread"):
            model.fit(x, y, verbose=0)
        with pytest.raises(RuntimeError, match="being trained in another thread"):
            model.train_on_batch(x[:8], y[:8])
        # predicting meanwhile is fine
        assert model.predict(x[:5], verbose=0).shape == (5, 3)
    finally:
        release.set()
        trainer.join()
    model.fit(x, y, verbose=0)                         # free again once the first fit ended


def test_predict_holds_no_memory_once_it_returns(rng):
    model, _, _ = _model(rng)
    x = rng.normal(size=(50_000, 20)).astype(np.float32)   # 4 MB in, ~19 MB of activations
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        out = model.predict(x, batch_size=len(x), verbose=0)
        held = tracemalloc.get_traced_memory()[0] - before - out.nbytes
        del out
    finally:
        tracemalloc.stop()
    assert held < 1_000_000, f"the model still holds {held} bytes after predict"
    assert all(layer.saved == {} or "x" not in layer.saved or len(layer.saved["x"]) != len(x)
               for layer in model.layers)
