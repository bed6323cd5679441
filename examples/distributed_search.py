"""A hyperparameter search on a Dask cluster: width x learning rate x dropout, timed against one process.

One ``GridSearchCV`` over ``MiniKerasClassifier`` (784 -> width -> 10 with a
``Dropout`` after the hidden layer), 3-fold cross-validation on MNIST rows
(10,000 training images by default), runs twice in the same process: first
with ``n_jobs=1`` (and one BLAS thread, as each Dask worker has), then on a Dask
cluster through joblib's Dask backend. The
script prints the best parameters, both times and the speed-up, and checks
that the cluster's scores equal the single process's exactly (every fit draws
from its own ``random_state``, wherever it runs).

The cluster is a ``distributed.LocalCluster`` on this machine (``--workers``
processes of one thread each) unless ``--scheduler tcp://HOST:PORT`` joins an
existing one (its workers must have minikeras installed). The data and the
splits are broadcast to every worker and Dask's Active Memory Manager is paused
during the search, so a worker that dies mid-search costs only its running fits,
which Dask reschedules.

Target: the cluster's cross-validation scores equal the n_jobs=1 scores exactly,
and the search runs faster on 2 workers than in one process (the speed-up is
printed; expect about the number of worker cores, less the cluster's start-up).

Run:
    pip install "minikeras[distributed]"
    python examples/distributed_search.py [--quick] [--workers N] [--scheduler tcp://HOST:PORT]
        [--rows N] [--data DIR]

``--quick`` searches a tiny grid on breast cancer instead of MNIST. MNIST is
read from ``--data``, else ``$MINIKERAS_DATA``, else downloaded once into
``~/.minikeras/datasets/mnist``.
"""
import time

import joblib
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits  # scikit-learn's dependency

import minikeras as keras
from minikeras.layers import Dense, Dropout
from minikeras.wrappers import MiniKerasClassifier

from _common import example_parser, flat_mnist, report

FULL = {"model__width": [32, 128], "optimizer__learning_rate": [1e-3, 3e-3],
        "model__rate": [0.0, 0.2]}
QUICK = {"model__width": [8, 32], "optimizer__learning_rate": [1e-3, 1e-2], "model__rate": [0.1]}


def network(n_features_in, n_outputs, width=64, rate=0.0):
    """``n_features_in -> width (ReLU) -> Dropout(rate) -> n_outputs``; the wrapper compiles it."""
    return keras.Sequential([keras.Input((n_features_in,)), Dense(width, activation="relu"),
                             Dropout(rate),
                             Dense(n_outputs, activation="sigmoid" if n_outputs == 1
                                   else "softmax")])


def load(args):
    if args.quick:
        x, y = load_breast_cancer(return_X_y=True)
        return StandardScaler().fit_transform(x).astype("float32"), y, "breast cancer"
    (x, y), _ = flat_mnist(args.data)
    return x[:args.rows], y[:args.rows], f"MNIST, first {args.rows} training rows"


def search(x, y, splits, grid, epochs, n_jobs):
    """The search, built afresh for each run (cloning would deep-copy the broadcast splits)."""
    estimator = MiniKerasClassifier(network, epochs=epochs, batch_size=64, random_state=0)
    start = time.perf_counter()
    result = GridSearchCV(estimator, grid, cv=splits, n_jobs=n_jobs, refit=False).fit(x, y)
    return result, time.perf_counter() - start


def connect(args):
    """A client of the given scheduler, or of a LocalCluster started here (and its closer)."""
    import distributed
    if args.scheduler:
        client = distributed.Client(args.scheduler)
        return client, client.close
    cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                       processes=True, host="127.0.0.1", dashboard_address=None)
    client = distributed.Client(cluster)

    def close():
        client.close()
        cluster.close()
    return client, close


def main(argv=None):
    parser = example_parser(__doc__, "tiny grid on breast cancer, 3 epochs", out=False,
                            data=True)
    parser.add_argument("--scheduler", default=None,
                        help="address of a running Dask scheduler (default: start a LocalCluster)")
    parser.add_argument("--workers", type=int, default=2,
                        help="LocalCluster worker processes (default: 2)")
    parser.add_argument("--rows", type=int, default=10_000,
                        help="MNIST training rows searched over (default: 10000)")
    args = parser.parse_args(argv)
    try:
        import distributed  # noqa: F401
    except ImportError:
        print('This example needs the `distributed` extra: pip install "minikeras[distributed]"')
        return 0

    x, y, name = load(args)
    grid, epochs = (QUICK, 3) if args.quick else (FULL, 3)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(x, y))
    n_fits = len(splits) * int(np.prod([len(v) for v in grid.values()]))
    print(f"{name}: {x.shape[0]} rows x {x.shape[1]} features; {n_fits} fits "
          f"({len(splits)} folds x grid {grid}), {epochs} epochs each")

    # One BLAS thread, as Dask gives each worker process: with the same number of
    # threads, every matrix product sums in the same order, so the scores can be
    # compared bit for bit (and the speed-up is per core, not against two threads).
    with threadpool_limits(1):
        serial, serial_seconds = search(x, y, splits, grid, epochs, n_jobs=1)
    print(f"n_jobs=1 in this process (one BLAS thread): {serial_seconds:.1f} s")

    start = time.perf_counter()
    client, close = connect(args)
    try:
        cores = sum(client.ncores().values())
        startup = time.perf_counter() - start
        paused = client.amm.running()
        if paused:  # keep the broadcast copies on every worker during the search
            client.amm.stop()
        try:
            with joblib.parallel_config(backend="dask", scatter=[x, y] + [
                    part for split in splits for part in split]):
                clustered, cluster_seconds = search(x, y, splits, grid, epochs, n_jobs=-1)
        finally:
            if paused:
                client.amm.start()
    finally:
        close()

    print(f"Dask, {cores} worker cores: {cluster_seconds:.1f} s "
          f"(plus {startup:.1f} s to reach the cluster)")
    print(f"Speed-up over n_jobs=1: {serial_seconds / cluster_seconds:.2f}x "
          f"({serial_seconds / (cluster_seconds + startup):.2f}x counting the start-up)")
    keys = [f"split{i}_test_score" for i in range(len(splits))]
    same = all(np.array_equal(clustered.cv_results_[k], serial.cv_results_[k]) for k in keys)
    best = int(np.argmin(clustered.cv_results_["rank_test_score"]))
    print(f"Best parameters {clustered.cv_results_['params'][best]}, mean CV accuracy "
          f"{clustered.cv_results_['mean_test_score'][best]:.4f}")
    status = report(args.quick, f"scores equal to n_jobs=1: {same}",
                    "scores equal to n_jobs=1", same)
    return status if same else 1   # unequal scores are a bug, not a missed target


if __name__ == "__main__":
    raise SystemExit(main())
