"""One contestant on one workload, run in a process of its own by ``run.py``.

    python -m benchmarks.contestants WORKLOAD CONTESTANT --epochs 5 --data-dir DIR

prints one JSON line: the seconds of each timed epoch (after one warm-up
epoch), the final accuracy, and the process's peak resident memory.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np

# `repeats` scales the number of timed epochs: an epoch of the small workloads
# lasts milliseconds, so it takes many of them for a stable median. `round_factor`
# scales the number of fresh processes (run.py's --rounds): a round of those costs
# seconds, and their short runs are the most exposed to a slow phase of the machine.
WORKLOADS = {
    "mnist_b128": {"data": "mnist", "hidden": (256, 128), "batch_size": 128, "predict": False,
                   "repeats": 1, "round_factor": 1},
    "mnist_b32": {"data": "mnist", "hidden": (256, 128), "batch_size": 32, "predict": False,
                  "repeats": 1, "round_factor": 1},
    "breast_cancer": {"data": "breast_cancer", "hidden": (128, 64, 32), "batch_size": 100,
                      "predict": False, "repeats": 20, "round_factor": 3},
    "mnist_predict": {"data": "mnist", "hidden": (256, 128), "batch_size": 1000,
                      "predict": True, "repeats": 4, "round_factor": 3},
}
LEARNING_RATE = 1e-3
SEED = 0
# The plain-numpy loop (numpy_reference.py) lives with the tests that hold minikeras to it.
TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")


def load(workload, data_dir):
    """``(x_train, y_train, x_test, y_test, classes)`` as float32 features and int labels."""
    if workload["data"] == "mnist":
        from minikeras.datasets import mnist
        (x_train, y_train), (x_test, y_test) = mnist.load_data(path=data_dir)
        scale = np.float32(1 / 255)
        return (x_train.reshape(len(x_train), -1).astype(np.float32) * scale,
                y_train.astype(np.int64),
                x_test.reshape(len(x_test), -1).astype(np.float32) * scale,
                y_test.astype(np.int64), 10)
    from minikeras.datasets import breast_cancer
    (x_train, y_train), (x_test, y_test) = breast_cancer.load_data()
    return x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64), 2


def keras_style_model(keras, n_features, hidden, classes):
    """The workload's network, built with ``keras`` (the minikeras or the Keras 3 module):
    both speak the same API, so one function builds both."""
    keras.utils.set_random_seed(SEED)
    output = (keras.layers.Dense(10, activation="softmax") if classes > 2
              else keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential([keras.Input((n_features,))]
                             + [keras.layers.Dense(units, activation="relu") for units in hidden]
                             + [output])
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE),
                  loss="sparse_categorical_crossentropy" if classes > 2
                  else "binary_crossentropy")
    return model


def minikeras_model(n_features, hidden, classes):
    import minikeras
    return keras_style_model(minikeras, n_features, hidden, classes)


def _fit_epoch_times(model, x, y, batch_size, epochs, callback_base):
    """Epoch durations inside one ``fit`` call (Keras-style APIs), the first dropped as warm-up."""
    stamps = []

    class Clock(callback_base):
        def on_epoch_begin(self, epoch, logs=None):
            stamps.append(time.perf_counter())

        def on_epoch_end(self, epoch, logs=None):
            stamps[-1] = time.perf_counter() - stamps[-1]

    model.fit(x, y, batch_size=batch_size, epochs=epochs + 1, verbose=0, callbacks=[Clock()])
    return stamps[1:]


def _timed_epochs(train_epoch, epochs):
    """Run one warm-up epoch, then ``epochs`` timed ones; return their durations."""
    train_epoch()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        train_epoch()
        times.append(time.perf_counter() - start)
    return times


def _accuracy(scores, y):
    predicted = scores.argmax(axis=1) if scores.shape[1] > 1 else (scores[:, 0] > 0.5)
    return float(np.mean(predicted == y))


def _timed_predictions(predict, repeats):
    predict()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        scores = predict()
        times.append(time.perf_counter() - start)
    return times, scores


# -- contestants ---------------------------------------------------------------------


def run_keras_style(keras, workload, data, epochs):
    x, y, x_test, y_test, classes = data
    model = keras_style_model(keras, x.shape[1], workload["hidden"], classes)
    batch = workload["batch_size"]
    if workload["predict"]:
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
        times, scores = _timed_predictions(
            lambda: model.predict(x_test, batch_size=batch, verbose=0), epochs)
        return times, _accuracy(scores, y_test)
    times = _fit_epoch_times(model, x, y, batch, epochs, keras.callbacks.Callback)
    return times, _accuracy(model.predict(x_test, batch_size=1000, verbose=0), y_test)


def run_minikeras(workload, data, epochs):
    import minikeras
    return run_keras_style(minikeras, workload, data, epochs)


def run_numpy(workload, data, epochs):
    sys.path.append(TESTS)
    from numpy_reference import NumpyMLP
    x, y, x_test, y_test, classes = data
    # The same initial weights as minikeras, so both follow the same trajectory.
    weights = minikeras_model(x.shape[1], workload["hidden"], classes).get_weights()
    output = "softmax" if classes > 2 else "sigmoid"
    net = NumpyMLP(weights, workload["batch_size"] if not workload["predict"] else 128, output,
                   learning_rate=LEARNING_RATE)
    labels = y if classes > 2 else y.astype(np.float32)
    rng = np.random.default_rng(SEED)
    if workload["predict"]:
        net.train_epoch(x, labels, rng)
        times, scores = _timed_predictions(
            lambda: net.predict(x_test, batch_size=workload["batch_size"]), epochs)
        return times, _accuracy(scores, y_test)
    times = _timed_epochs(lambda: net.train_epoch(x, labels, rng), epochs)
    return times, _accuracy(net.predict(x_test), y_test)


def run_gemm(workload, data, epochs):
    """Only the matrix products of one epoch, on preallocated float32 buffers."""
    x, _, x_test, _, classes = data
    if workload["predict"]:
        x = x_test
    widths = [x.shape[1], *workload["hidden"], 10 if classes > 2 else 1]
    batch = workload["batch_size"]
    rng = np.random.default_rng(SEED)
    kernels = [rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(widths, widths[1:])]
    acts = [rng.standard_normal((batch, w), dtype=np.float32) for w in widths]
    deltas = [np.empty_like(a) for a in acts]
    grads = [np.empty_like(k) for k in kernels]
    steps = math.ceil(len(x) / batch)
    passes = 1 if workload["predict"] else 3   # forward; or forward, weight and input gradients
    flops = steps * sum(2 * batch * a * b for a, b in zip(widths, widths[1:])) * passes
    if not workload["predict"]:
        flops -= steps * 2 * batch * widths[0] * widths[1]   # no gradient for the data

    def epoch():
        for _ in range(steps):
            for i, k in enumerate(kernels):
                np.matmul(acts[i], k, out=acts[i + 1])
            if workload["predict"]:
                continue
            for i in range(len(kernels) - 1, -1, -1):
                np.matmul(acts[i].T, acts[i + 1], out=grads[i])
                if i > 0:
                    np.matmul(acts[i + 1], kernels[i].T, out=deltas[i])

    times = _timed_epochs(epoch, epochs)
    return times, None, {"gflops": flops / np.median(times) / 1e9}


def _torch_model(torch, n_features, hidden, classes):
    torch.manual_seed(SEED)
    layers, width = [], n_features
    for units in hidden:
        layers += [torch.nn.Linear(width, units), torch.nn.ReLU()]
        width = units
    layers.append(torch.nn.Linear(width, 10 if classes > 2 else 1))
    return torch.nn.Sequential(*layers)


def run_pytorch(workload, data, epochs):
    import torch
    torch.set_num_threads(os.cpu_count())
    x, y, x_test, y_test, classes = data
    model = _torch_model(torch, x.shape[1], workload["hidden"], classes)
    xt, x_test_t = torch.from_numpy(x), torch.from_numpy(x_test)
    yt = torch.from_numpy(y) if classes > 2 else torch.from_numpy(y.astype(np.float32))[:, None]
    loss_fn = torch.nn.CrossEntropyLoss() if classes > 2 else torch.nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7)
    batch = workload["batch_size"]

    def epoch(batch=128 if workload["predict"] else batch):
        order = torch.randperm(len(xt))
        for start in range(0, len(xt), batch):
            index = order[start:start + batch]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(xt[index]), yt[index]).backward()
            optimizer.step()

    def predict():
        with torch.inference_mode():
            logits = torch.cat([model(x_test_t[i:i + batch]) for i in range(0, len(x_test_t), batch)])
        return (torch.softmax(logits, 1) if classes > 2 else torch.sigmoid(logits)).numpy()

    if workload["predict"]:
        epoch()
        return _timed_predictions(predict, epochs)[0], _accuracy(predict(), y_test)
    times = _timed_epochs(epoch, epochs)
    return times, _accuracy(predict(), y_test)


def run_keras(workload, data, epochs):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    return run_keras_style(keras, workload, data, epochs)


def run_sklearn(workload, data, epochs):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    x, y, x_test, y_test, _ = data
    if workload["predict"]:
        raise NotImplementedError("MLPClassifier is timed on training workloads only")
    # One honest epoch per call: partial_fit makes one shuffled pass and, unlike a
    # warm-started fit, keeps Adam's moment estimates between calls.
    model = MLPClassifier(hidden_layer_sizes=workload["hidden"], solver="adam",
                          batch_size=workload["batch_size"], learning_rate_init=LEARNING_RATE,
                          epsilon=1e-7, shuffle=True, alpha=0.0, random_state=SEED)
    classes = np.unique(y)

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(x, y, classes=classes)

    times = _timed_epochs(epoch, epochs)
    scores = model.predict_proba(x_test)
    return times, _accuracy(scores if scores.shape[1] > 2 else scores[:, 1:], y_test)


CONTESTANTS = {
    "minikeras": run_minikeras,
    "numpy floor": run_numpy,
    "GEMM floor": run_gemm,
    "PyTorch": run_pytorch,
    "Keras 3 (torch)": run_keras,
    "scikit-learn MLP": run_sklearn,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("contestant", choices=sorted(CONTESTANTS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args(argv)
    workload = WORKLOADS[args.workload]
    data = load(workload, args.data_dir)
    result = CONTESTANTS[args.contestant](workload, data, args.epochs * workload["repeats"])
    times, accuracy, extra = (*result, {})[:3]
    samples = len(data[2]) if workload["predict"] else len(data[0])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    record = {
        "times": times,
        "median": float(np.median(times)),
        "samples_per_second": samples / float(np.median(times)),
        "accuracy": accuracy,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        **extra,
    }
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
