"""Many models on a Dask cluster through joblib's Dask backend: same scores as one process.

One real ``distributed.LocalCluster`` (2 worker processes on 127.0.0.1) serves
the whole module; the test that kills a worker runs last. The data and the
cross-validation splits are broadcast to every worker (joblib's ``scatter``),
with Dask's Active Memory Manager stopped so that the copies stay: that is what
lets a search survive a dead worker, since data scattered to a single worker
dies with it and Dask cannot recompute it.
"""
import os
import signal
import threading
import time

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import (GridSearchCV, RandomizedSearchCV, StratifiedKFold,
                                     cross_val_score)
from sklearn.preprocessing import StandardScaler

from minikeras import Input, Sequential
from minikeras.ensemble import train_ensemble
from minikeras.layers import Dense
from minikeras.wrappers import MiniKerasClassifier

distributed = pytest.importorskip(
    "distributed", reason="the `distributed` extra (dask, distributed) is not installed: "
                          "pip install -e '.[distributed]'")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    client = distributed.Client(cluster)
    # Dask's Active Memory Manager trims replicas it sees no use for, which would
    # leave the broadcast data on one worker only; stopped, every worker keeps a copy.
    client.amm.stop()
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def data():
    x, y = load_breast_cancer(return_X_y=True)
    x = StandardScaler().fit_transform(x)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(x, y))
    return x, y, splits


def _on_cluster(data):
    """joblib's Dask backend, with the data and the splits on every worker."""
    x, y, splits = data
    return joblib.parallel_config(backend="dask",
                                  scatter=[x, y] + [part for split in splits for part in split])


def _grid(splits, n_jobs, epochs=5):
    # Built afresh rather than cloned: `clone` deep-copies `cv`, and copies of the
    # splits are not the broadcast arrays, so joblib would scatter them to one worker.
    return GridSearchCV(MiniKerasClassifier(hidden_layer_sizes=(8,), epochs=epochs,
                                            random_state=0),
                        {"hidden_layer_sizes": [(4,), (8,)], "learning_rate": [1e-3, 1e-2]},
                        cv=splits, n_jobs=n_jobs)


def _scores(result):
    return np.array([result[f"split{i}_test_score"] for i in range(3)])


def test_grid_and_randomized_search_on_the_cluster_equal_one_process(client, data):
    x, y, splits = data
    serial = _grid(splits, n_jobs=1).fit(x, y)
    with _on_cluster(data):
        clustered = _grid(splits, n_jobs=-1).fit(x, y)
    np.testing.assert_array_equal(_scores(clustered.cv_results_), _scores(serial.cv_results_))
    assert clustered.best_params_ == serial.best_params_
    # The refit best estimator came back from a worker, weights and all.
    np.testing.assert_array_equal(clustered.predict_proba(x), serial.predict_proba(x))

    def randomized(n_jobs):
        return RandomizedSearchCV(
            MiniKerasClassifier(hidden_layer_sizes=(8,), epochs=5, random_state=0),
            {"learning_rate": [1e-3, 3e-3, 1e-2, 3e-2]}, n_iter=2, cv=splits, random_state=0,
            n_jobs=n_jobs)

    serial = randomized(1).fit(x, y)
    with _on_cluster(data):
        clustered = randomized(-1).fit(x, y)
    np.testing.assert_array_equal(_scores(clustered.cv_results_), _scores(serial.cv_results_))


def test_cross_val_score_on_the_cluster_equals_one_process(client, data):
    x, y, splits = data
    estimator = MiniKerasClassifier(hidden_layer_sizes=(8,), epochs=5, random_state=0)
    serial = cross_val_score(estimator, x, y, cv=splits, n_jobs=1)
    with _on_cluster(data):
        clustered = cross_val_score(estimator, x, y, cv=splits, n_jobs=-1)
    np.testing.assert_array_equal(clustered, serial)


def build_member():
    """An ensemble member (module level: the workers import it by name)."""
    model = Sequential([Input((30,)), Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def test_train_ensemble_on_the_cluster_equals_one_process(client, data):
    x, y, _ = data
    serial = train_ensemble(build_member, x, y, seeds=[0, 1, 2], epochs=2)
    clustered = train_ensemble(build_member, x, y, seeds=[0, 1, 2], epochs=2, n_jobs=-1,
                               backend="dask")
    for a, b in zip(serial, clustered):
        assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))
    assert not np.array_equal(serial[0].get_weights()[0], serial[1].get_weights()[0])


def test_a_worker_killed_mid_search_does_not_lose_it(client, data):
    """Dask reschedules the dead worker's tasks; the search ends with the same scores."""
    x, y, splits = data
    serial = _grid(splits, n_jobs=1, epochs=20).fit(x, y)
    before = client.run(os.getpid)  # worker address -> process id
    outcome = {}

    def search():
        try:
            with _on_cluster(data):
                outcome["result"] = _grid(splits, n_jobs=-1, epochs=20).fit(x, y)
        except BaseException as error:  # reported by the main thread
            outcome["error"] = error

    thread = threading.Thread(target=search)
    thread.start()
    deadline = time.monotonic() + 60
    busy = []
    while not busy and time.monotonic() < deadline and thread.is_alive():
        busy = [address for address, tasks in client.processing().items() if tasks]
        time.sleep(0.02)
    assert busy, "no worker ever started a fit"
    os.kill(before[busy[0]], signal.SIGKILL)  # a worker in the middle of a fit
    thread.join(timeout=120)
    assert not thread.is_alive() and "error" not in outcome, repr(outcome.get("error"))
    np.testing.assert_array_equal(_scores(outcome["result"].cv_results_),
                                  _scores(serial.cv_results_))
    client.wait_for_workers(2, timeout=60)  # the nanny started a new worker process
    assert before[busy[0]] not in client.run(os.getpid).values()
