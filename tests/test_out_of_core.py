"""Data bigger than memory: fit, evaluate and predict on Dask arrays and memory maps.

The Dask arrays here are generated lazily, chunk by chunk, from a generator
seeded by the chunk's first row (``_dask``), which also counts how many
rows each call produced: a chunk at a time is all a source may ask for. Memory
maps are written to ``tmp_path`` with ``np.save`` and opened with
``np.load(mmap_mode="r")``; ``sources.BLOCK_BYTES`` is made small so that the
little files here still span many blocks.
"""
import doctest
import json
import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import Dense
from minikeras.random import set_seed
from minikeras.utils import batching, minibatches, sources

da = pytest.importorskip("dask.array", reason="the `distributed` extra (dask, distributed) is "
                                              "not installed: pip install -e '.[distributed]'")

FEATURES, CLASSES = 8, 3
TEACHER = np.random.default_rng(99).normal(size=(FEATURES, CLASSES)).astype(np.float32)


def _dask(rows, chunk, features=FEATURES, calls=None):
    """A lazily generated ``(x, y)`` in chunks of ``chunk`` rows: x normal, y the class a
    fixed linear teacher picks. ``calls`` (a list), if given, receives the row count of
    every chunk computed."""
    def generate(block_info=None):
        (start, stop), _ = block_info[None]["array-location"]
        if calls is not None:
            calls.append(stop - start)
        return np.random.default_rng(start).standard_normal((stop - start, features),
                                                            dtype=np.float32)

    chunks = ((chunk,) * (rows // chunk) + ((rows % chunk,) if rows % chunk else ()), (features,))
    x = da.map_blocks(generate, chunks=chunks, dtype=np.float32,
                      meta=np.empty((0, features), np.float32))
    return x, da.argmax(x[:, :FEATURES] @ TEACHER[:features], axis=1)


def _model(seed=0, width=16):
    set_seed(seed)
    model = Sequential([Input((FEATURES,)), Dense(width, activation="relu"),
                        Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _memmaps(tmp_path, **arrays):
    """Each array saved to ``tmp_path`` and opened again as a read-only memory map."""
    maps = []
    for name, array in arrays.items():
        np.save(tmp_path / f"{name}.npy", array)
        maps.append(np.load(tmp_path / f"{name}.npy", mmap_mode="r"))
    return maps


@pytest.fixture
def small_blocks(monkeypatch):
    """Memory maps cut into blocks of 300 rows of (x float32, y int64): not a multiple of
    the batch sizes used, so batches straddle blocks and windows."""
    monkeypatch.setattr(sources, "BLOCK_BYTES", 300 * (FEATURES * 4 + 8))


def _assert_same_weights(a, b):
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


# -- training ------------------------------------------------------------------------------

def test_lazy_dask_array_trains_as_well_as_numpy_one_chunk_at_a_time():
    calls = []
    x, y = _dask(12_000, 500, calls=calls)
    history = _model().fit(x, y, epochs=3, batch_size=64, verbose=0)
    reference = _model().fit(x.compute(), y.compute(), epochs=3, batch_size=64, verbose=0)
    assert history.history["accuracy"][-1] > 0.88                  # numpy: 0.91-0.95
    assert abs(history.history["accuracy"][-1] - reference.history["accuracy"][-1]) < 0.03
    assert max(calls) == 500                     # never more than a chunk per compute
    # Each chunk computed once per epoch (the first, computed for the checks before
    # training, is kept for its turn), and in the reference's two `compute()` calls.
    assert len(calls) == 3 * 24 + 2 * 24


def test_validation_split_on_dask_reads_each_chunk_once_per_epoch():
    calls = []
    x, y = _dask(2_000, 500, calls=calls)
    history = _model().fit(x, y, epochs=2, batch_size=50, verbose=0, validation_split=0.3)
    assert "val_loss" in history.history
    # The split at row 1400 cuts chunk 2 in two: training reads its first 400 rows,
    # validation the last 100, so each epoch computes 4 + 1 chunks. The first blocks of
    # both parts, computed for the checks before training, are kept for the first epoch.
    assert calls == [500] * 2 * (4 + 1)


def test_dask_epochs_visit_chunks_in_a_reproducible_shuffled_order():
    x, y = _dask(3_000, 100)
    rows = da.arange(3_000, chunks=100)          # each batch row says where it came from

    def epoch(seed):
        return [index for _, _, index in minibatches(x, y, rows, batch_size=32, seed=seed)]

    first, again, other = epoch(5), epoch(5), epoch(6)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))
    visited = np.concatenate(first)
    assert np.array_equal(np.sort(visited), np.arange(3_000))  # every row exactly once
    # All full but the last. (A window is 400 rows: 16 are carried into the next, whose
    # 416 then end exactly on a batch, and nothing is carried further.)
    assert [len(b) for b in first] == [32] * 93 + [24]
    chunk_order = list(dict.fromkeys(visited // 100))
    assert chunk_order != sorted(chunk_order)                   # chunks in a shuffled order
    # Rows are shuffled within windows of WINDOW chunks: the first 12 batches (384 rows,
    # less than the 400 of a window) come from 4 chunks only, and each batch mixes them.
    head = np.concatenate(first[:12]) // 100
    assert len(set(head.tolist())) == sources.WINDOW
    assert all(len(set((batch // 100).tolist())) > 1 for batch in first[:12])


def test_fit_on_dask_is_reproducible_under_a_seed():
    x, y = _dask(2_000, 250)
    a, b = _model(), _model()
    set_seed(7)
    a.fit(x, y, epochs=2, batch_size=32, verbose=0)
    set_seed(7)
    b.fit(x, y, epochs=2, batch_size=32, verbose=0)
    _assert_same_weights(a, b)


@pytest.mark.parametrize("weighting", [None, "sample_weight", "class_weight"])
def test_unshuffled_memmap_and_dask_train_exactly_as_in_memory(tmp_path, small_blocks, weighting):
    x, y = (a.compute() for a in _dask(2_000, 300))
    weights = np.random.default_rng(1).uniform(0.5, 2, size=2_000).astype(np.float32) \
        if weighting == "sample_weight" else None
    class_weight = {0: 1.0, 1: 0.5, 2: 2.0} if weighting == "class_weight" else None
    x_map, y_map = _memmaps(tmp_path, x=x, y=y)
    w_map = None if weights is None else _memmaps(tmp_path, w=weights)[0]
    runs = {}
    for kind, data in {"numpy": (x, y, weights), "memmap": (x_map, y_map, w_map),
                       "dask": (da.from_array(x, chunks=300), da.from_array(y, chunks=300),
                                None if weights is None else da.from_array(weights, 300))}.items():
        model = _model()
        history = model.fit(data[0], data[1], sample_weight=data[2], class_weight=class_weight,
                            epochs=2, batch_size=64, shuffle=False, validation_split=0.25,
                            verbose=0)
        runs[kind] = model, history.history
    for kind in ("memmap", "dask"):
        assert runs[kind][1] == runs["numpy"][1]
        _assert_same_weights(runs[kind][0], runs["numpy"][0])


def test_shuffled_memmap_trains_as_well_as_numpy(tmp_path, small_blocks):
    x, y = (a.compute() for a in _dask(6_000, 500))
    x_map, y_map = _memmaps(tmp_path, x=x, y=y)
    history = _model().fit(x_map, y_map, epochs=5, batch_size=64, verbose=0)
    reference = _model().fit(x, y, epochs=5, batch_size=64, verbose=0)
    assert history.history["accuracy"][-1] > 0.88
    assert abs(history.history["accuracy"][-1] - reference.history["accuracy"][-1]) < 0.03


def test_validation_data_may_be_dask_arrays():
    x, y = _dask(2_000, 250)
    x_val, y_val = _dask(1_000, 300)[0][::-1], _dask(1_000, 300)[1][::-1]
    lazy, eager = _model(), _model()
    set_seed(3)
    lazy_history = lazy.fit(x, y, epochs=2, batch_size=50, verbose=0,
                            validation_data=(x_val, y_val))
    set_seed(3)
    eager_history = eager.fit(x, y, epochs=2, batch_size=50, verbose=0,
                              validation_data=(x_val.compute(), y_val.compute()))
    assert lazy_history.history == eager_history.history   # validation is unshuffled
    assert "val_accuracy" in lazy_history.history


# -- evaluate and predict --------------------------------------------------------------

def test_evaluate_and_predict_on_dask_and_memmap_equal_numpy(tmp_path, small_blocks):
    x, y = (a.compute() for a in _dask(2_500, 400))
    model = _model()
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    x_map, y_map = _memmaps(tmp_path, x=x, y=y)
    expected = model.evaluate(x, y, batch_size=64, verbose=0)
    predictions = model.predict(x, batch_size=64, verbose=0)
    for xs, ys in [(x_map, y_map), (da.from_array(x, chunks=400), da.from_array(y, chunks=400))]:
        assert model.evaluate(xs, ys, batch_size=64, verbose=0) == expected
        out = model.predict(xs, batch_size=64, verbose=0)
        assert type(out) is np.ndarray
        np.testing.assert_array_equal(out, predictions)


def test_predict_on_a_lazy_dask_array_computes_one_chunk_at_a_time():
    calls = []
    x, _ = _dask(1_000, 100, calls=calls)
    model = _model()
    out = model.predict(x, batch_size=32, verbose=0)
    assert out.shape == (1_000, CLASSES)
    assert max(calls) == 100 and sum(calls) == 1_000   # the first chunk kept, not recomputed


# -- memory ------------------------------------------------------------------------------

def _small_model(features):
    set_seed(0)
    model = Sequential([Input((features,)), Dense(8, activation="relu"),
                        Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _peak_fit_bytes(x, y, features):
    """Peak of the memory Python and numpy allocate in a one-epoch ``fit``, above the start.

    A fit on a few rows of the same kind runs first, so that modules Dask and numpy
    import on first use are not counted.
    """
    _small_model(features).fit(x[:1_000], y[:1_000], epochs=1, verbose=0)
    model = _small_model(features)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        model.fit(x, y, epochs=1, batch_size=500, verbose=0)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_fit_on_dask_holds_a_bounded_number_of_chunks():
    chunk, chunks, features = 1_000, 50, 256
    x, y = _dask(chunk * chunks, chunk, features=features)
    chunk_bytes = chunk * (features * 4 + 8)                  # float32 rows, int64 labels
    peak = _peak_fit_bytes(x, y, features)
    # The data is 50 chunks (52 MB). Held at once: a window of WINDOW chunks, the first
    # chunk (computed for the checks before training, kept for its turn), and while a
    # chunk is computed, Dask's result and its copy; a little more for Dask's own
    # bookkeeping (its caches grow by a few kB per compute).
    assert peak < (sources.WINDOW + 4) * chunk_bytes, (peak / chunk_bytes, chunk_bytes)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fit_on_a_memmap_holds_a_bounded_number_of_blocks(tmp_path, monkeypatch, dtype):
    rows, block, features = 50_000, 1_000, 256
    x = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=dtype,
                                  shape=(rows, features))
    y = np.lib.format.open_memmap(tmp_path / "y.npy", mode="w+", dtype=np.int64, shape=(rows,))
    for start in range(0, rows, 10_000):   # written in pieces: the test itself stays small
        piece = np.random.default_rng(start).standard_normal((10_000, features), np.float32)
        x[start:start + 10_000] = piece
        y[start:start + 10_000] = np.argmax(piece[:, :FEATURES] @ TEACHER, axis=1)
    x.flush(), y.flush()
    del x, y, piece
    x, y = np.load(tmp_path / "x.npy", mmap_mode="r"), np.load(tmp_path / "y.npy", mmap_mode="r")
    monkeypatch.setattr(sources, "BLOCK_BYTES", block * (features * np.dtype(dtype).itemsize + 8))
    peak = _peak_fit_bytes(x, y, features)
    # 50 blocks of data. A float32 map is read in place (only the labels become arrays of
    # their own); a float64 one is converted to float32 block by block: a window of
    # WINDOW blocks, the first block, and the one being converted.
    block_bytes = block * (features * 4 + 8)
    assert peak < (sources.WINDOW + 2) * block_bytes, (peak / block_bytes, block_bytes)
    if dtype == "float32":
        assert peak < block_bytes


_RSS_SCRIPT = """
import json, sys
import numpy as np
from minikeras import Input, Sequential
from minikeras.callbacks import Callback
from minikeras.layers import Dense
from minikeras.random import set_seed


def anonymous_bytes():
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["RssAnon"].split()[0]) * 1024


class Peak(Callback):
    def on_train_batch_end(self, batch, logs=None):
        self.peak = max(self.peak, anonymous_bytes())


x, y = np.load(sys.argv[1], mmap_mode="r"), np.load(sys.argv[2], mmap_mode="r")
set_seed(0)
model = Sequential([Input((x.shape[1],)), Dense(16, activation="relu"), Dense(1, "sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(np.array(x[:2048]), np.array(y[:2048]), epochs=1, batch_size=1024, verbose=0)
peak = Peak()  # measured from here: after the imports and buffers of a first small fit
peak.peak = start = anonymous_bytes()
if sys.argv[3] == "in-memory":
    x, y = np.array(x), np.array(y)
history = model.fit(x, y, epochs=1, batch_size=1024, verbose=0, callbacks=[peak])
print(json.dumps({"growth": peak.peak - start, "accuracy": history.history["accuracy"][-1]}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="reads the process's anonymous memory from /proc (Linux only)")
def test_fit_on_a_memmap_larger_than_the_bound_stays_within_it_in_a_fresh_process(tmp_path):
    # A 390 MB file of float32 rows, more than four times the bound below. What the process itself
    # allocates is RssAnon; the pages of the mapped file also count in its RSS (VmHWM) while
    # they are cached, but they are the kernel's page cache, given back under pressure.
    rows, features = 1_500_000, 64
    x = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32,
                                  shape=(rows, features))
    y = np.lib.format.open_memmap(tmp_path / "y.npy", mode="w+", dtype=np.float32, shape=(rows,))
    for start in range(0, rows, 250_000):  # written in pieces: the test stays small
        piece = np.random.default_rng(start).standard_normal((250_000, features), np.float32)
        x[start:start + 250_000] = piece
        y[start:start + 250_000] = piece[:, 0] + piece[:, 1] > 0
    x.flush(), y.flush()
    del x, y, piece
    data_bytes = rows * (features + 1) * 4

    def growth(mode):
        run = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, str(tmp_path / "x.npy"),
                              str(tmp_path / "y.npy"), mode], capture_output=True, text=True,
                             timeout=300, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        assert run.returncode == 0, run.stderr[-3000:]
        result = json.loads(run.stdout.splitlines()[-1])
        assert result["accuracy"] > 0.9  # it learned from every block: the rule is easy
        return result["growth"]

    # Held at once by the memory map's reader: a window of WINDOW blocks of labels and the
    # batches, far less than the bound of (WINDOW + 1) blocks of BLOCK_BYTES.
    bound = (sources.WINDOW + 1) * sources.BLOCK_BYTES
    assert data_bytes > 4 * bound
    assert growth("memory-map") < bound
    # The same measure sees the data when it is read into memory instead.
    assert growth("in-memory") > data_bytes


# -- checks ------------------------------------------------------------------------------

def test_checks_run_on_every_chunk_and_name_its_rows():
    x, y = _dask(2_000, 500)
    bad_x = da.where(da.arange(2_000)[:, None] == 1_234, np.nan, x)
    with pytest.raises(ValueError, match=r"`x` must be finite.*index \(234, 0\).*"
                                         r"In rows 1000 to 1499 of 2000"):
        _model().fit(bad_x, y, epochs=1, verbose=0)
    bad_y = da.where(da.arange(2_000) == 1_700, 7, y)
    with pytest.raises(ValueError, match=r"`y` labels must be in \[0, 3\).*label 7.*"
                                         r"In rows 1500 to 1999"):
        _model().fit(x, bad_y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"`validation_data\[1\]` labels must be in"):
        _model().fit(x, y, epochs=1, verbose=0, validation_data=(x, bad_y))


def test_shape_errors_come_before_training():
    calls = []
    x, y = _dask(2_000, 500, features=5, calls=calls)
    with pytest.raises(ValueError, match=r"`x` must have samples of shape \(8,\).*"
                                         r"x.shape=\(500, 5\).*In rows 0 to 499 of 2000"):
        _model().fit(x, y, epochs=1, verbose=0)
    assert calls == [500]                          # only the first chunk was computed
    x, y = _dask(2_000, 500)
    with pytest.raises(ValueError, match=r"`x` and `y` must have the same number of samples. "
                                         r"Received: x with 2000 samples, y with 1999"):
        _model().fit(x, y[1:], epochs=1, verbose=0)
    unknown = x[x[:, 0] > 0]
    with pytest.raises(ValueError, match=r"`x` is a Dask array of unknown length.*"
                                         r"compute_chunk_sizes"):
        _model().fit(unknown, y, epochs=1, verbose=0)


def test_docstring_examples_run():
    assert doctest.testmod(sources).failed == 0
    assert doctest.testmod(batching).failed == 0


def test_import_minikeras_never_imports_dask():
    code = "import sys, minikeras; print(sorted(m for m in sys.modules if 'dask' in m))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- on a cluster ------------------------------------------------------------------------

def test_chunks_are_computed_by_the_cluster_when_a_client_is_active():
    distributed = pytest.importorskip("distributed", reason="the `distributed` extra is "
                                                            "not installed")
    x, y = _dask(1_000, 250)
    x = x.map_blocks(np.multiply, 2, dtype=np.float32, name="preprocess")  # Dask preprocessing
    # A worker thread in this process, reached in-process: the same scheduler as a real
    # cluster, and its task stream says who computed what. (The scheduler's HTTP server
    # is always started: on 127.0.0.1, on a free port.)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster, \
            distributed.Client(cluster), distributed.get_task_stream() as stream:
        address = cluster.workers[0].address
        history = _model().fit(x, y, epochs=1, batch_size=50, verbose=0)
    ran = [task for task in stream.data if "preprocess" in task["key"]]
    assert len(ran) == 4        # each chunk once (the first, computed for the checks, is kept)
    assert {task["worker"] for task in ran} == {address}
    assert np.isfinite(history.history["loss"][0])
