"""scipy.sparse inputs: fit, evaluate and predict read them a block of rows at a time.

A scikit-learn vectoriser (TfidfVectorizer, OneHotEncoder) hands over a sparse
matrix; minikeras keeps it sparse and densifies one block of rows
(``sources.BLOCK_BYTES``) when it is loaded, so the dense copy never exceeds a
block however many rows there are. Trained without shuffling, a sparse matrix
gives exactly the steps of its dense twin; shuffled, the same rows in each
batch (summed in another order).
"""
import tracemalloc

import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import Dense
from minikeras.random import set_seed
from minikeras.utils import sources

sparse = pytest.importorskip("scipy.sparse", reason="scipy comes with scikit-learn")

FEATURES, CLASSES = 40, 3


def _data(rows, density=0.1, seed=0):
    """A sparse ``x`` (CSR, float64, as vectorisers give) and the class a linear teacher picks."""
    rng = np.random.default_rng(seed)
    x = sparse.random(rows, FEATURES, density=density, format="csr", random_state=seed,
                      data_rvs=rng.standard_normal)
    teacher = np.random.default_rng(99).normal(size=(FEATURES, CLASSES))
    return x, np.argmax(x @ teacher, axis=1)


def _model(seed=0):
    set_seed(seed)
    model = Sequential([Input((FEATURES,)), Dense(16, activation="relu"),
                        Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 70 dense rows: batches straddle blocks, and a pass loads many of them."""
    monkeypatch.setattr(sources, "BLOCK_BYTES", 70 * (FEATURES * 8 + 8))


def _assert_same_weights(a, b):
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize("weighting", [None, "sample_weight", "class_weight"])
def test_unshuffled_sparse_trains_exactly_as_its_dense_twin(small_blocks, weighting):
    x, y = _data(600)
    weights = (np.random.default_rng(1).uniform(0.5, 2, size=600)
               if weighting == "sample_weight" else None)
    class_weight = {0: 1.0, 1: 0.5, 2: 2.0} if weighting == "class_weight" else None
    runs = []
    for xs in (x, x.toarray()):
        model = _model()
        history = model.fit(xs, y, sample_weight=weights, class_weight=class_weight, epochs=2,
                            batch_size=32, shuffle=False, validation_split=0.25, verbose=0)
        runs.append((model, history.history))
    assert runs[0][1] == runs[1][1]
    _assert_same_weights(runs[0][0], runs[1][0])


def test_shuffled_sparse_draws_the_same_batches_as_dense():
    # One block: the same permutation as the dense data; a batch's rows are gathered
    # in sorted order, so its gradient sums them in another order (float32 rounding).
    x, y = _data(500)
    sparse_model, dense_model = _model(), _model()
    set_seed(5)
    sparse_history = sparse_model.fit(x, y, epochs=3, batch_size=50, verbose=0).history
    set_seed(5)
    dense_history = dense_model.fit(x.toarray(), y, epochs=3, batch_size=50, verbose=0).history
    np.testing.assert_allclose(sparse_history["loss"], dense_history["loss"], rtol=1e-5)
    for ws, wd in zip(sparse_model.get_weights(), dense_model.get_weights()):
        np.testing.assert_allclose(ws, wd, rtol=1e-4, atol=1e-6)


def test_sparse_training_learns(small_blocks):
    x, y = _data(3_000, density=0.3)
    history = _model().fit(x, y, epochs=8, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.85, history.history["accuracy"]


@pytest.mark.parametrize("form", ["csc", "coo", "lil", "dok", "csr_array"])
def test_every_sparse_format_gives_the_csr_result(small_blocks, form):
    x, y = _data(300)
    other = sparse.csr_array(x) if form == "csr_array" else x.asformat(form)
    expected, got = _model(), _model()
    expected.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    got.fit(other, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    _assert_same_weights(got, expected)
    np.testing.assert_array_equal(got.predict(other, verbose=0), expected.predict(x, verbose=0))


def test_evaluate_and_predict_on_sparse_equal_dense(small_blocks):
    x, y = _data(450)
    model = _model()
    model.fit(x.toarray(), y, epochs=1, batch_size=32, verbose=0)
    assert model.evaluate(x, y, batch_size=32, verbose=0) == \
        model.evaluate(x.toarray(), y, batch_size=32, verbose=0)
    out = model.predict(x, batch_size=32, verbose=0)
    assert type(out) is np.ndarray and out.shape == (450, CLASSES)
    np.testing.assert_array_equal(out, model.predict(x.toarray(), batch_size=32, verbose=0))
    model.fit(x[:300], y[:300], validation_data=(x[300:], y[300:]), epochs=1, verbose=0)


def test_a_sparse_matrix_is_densified_a_block_at_a_time(monkeypatch):
    # 16,000 rows x 2,000 columns at 0.1 % density: 0.4 MB sparse, 128 MB as dense float32.
    rows, columns = 16_000, 2_000
    x = sparse.random(rows, columns, density=0.001, format="csr", random_state=0,
                      dtype=np.float32)
    y = np.asarray(x.sum(axis=1)).ravel() > 0
    block_rows = 1_000
    monkeypatch.setattr(sources, "BLOCK_BYTES", block_rows * (columns * 4 + 8))
    set_seed(0)
    model = Sequential([Input((columns,)), Dense(4, activation="relu"), Dense(1, "sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    tracemalloc.start()
    try:
        model.fit(x, y, epochs=1, batch_size=500, verbose=0)
        model.predict(x, batch_size=500, verbose=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    block_bytes = block_rows * columns * 4
    # A window of WINDOW dense blocks, the next block, and the batches; the whole dense
    # matrix would be 16 blocks.
    assert peak < (sources.WINDOW + 3) * block_bytes, peak / block_bytes


def test_bad_values_in_a_sparse_matrix_are_refused_naming_their_rows(small_blocks):
    x, y = _data(400)
    x = x.tolil()
    x[250, 3] = np.nan
    with pytest.raises(ValueError, match=r"`x` must be finite.*index \(40, 3\): nan.*"
                                         r"In rows 210 to 279 of 400"):
        _model().fit(x.tocsr(), y, epochs=1, shuffle=False, verbose=0)
    with pytest.raises(ValueError, match=r"`x` must have samples of shape \(40,\).*"
                                         r"Received: x\.shape=\(\d+, 39\)"):
        _model().fit(_data(400)[0][:, :39], y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"`x` and `y` must have the same number of samples.*"
                                         r"x with 400 samples, y with 399"):
        _model().fit(_data(400)[0], y[:399], epochs=1, verbose=0)


def test_direct_calls_take_dense_arrays_and_say_how_to_convert():
    x, y = _data(10)
    model = _model()
    with pytest.raises(TypeError, match=r"`x` is a scipy\.sparse matrix, which `fit`, "
                                        r"`evaluate` and `predict` read.*`x\.toarray\(\)`"):
        model(x)
    with pytest.raises(TypeError, match=r"`x` is a scipy\.sparse matrix"):
        model.train_on_batch(x, y)


def test_the_wrappers_take_sparse_input_from_a_vectoriser():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    from minikeras.wrappers import MiniKerasClassifier
    words = ["red", "green", "blue", "round", "square", "small", "large", "bright", "dark"]
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(words, size=5)) for _ in range(300)]
    labels = np.array(["warm" if "red" in t or "bright" in t else "cold" for t in texts])
    pipe = make_pipeline(TfidfVectorizer(), MiniKerasClassifier(
        hidden_layer_sizes=(16,), epochs=40, batch_size=32, learning_rate=0.01,
        random_state=0, verbose=0))
    pipe.fit(texts, labels)
    assert pipe.score(texts, labels) > 0.95
    dense = pipe[-1].predict_proba(pipe[0].transform(texts).toarray())
    np.testing.assert_array_equal(pipe.predict_proba(texts), dense)
