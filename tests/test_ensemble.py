"""Ensembles: averaging is exact, seeds make members differ, and averaging pays off."""
import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.datasets import breast_cancer
from minikeras.ensemble import average_predictions, train_ensemble
from minikeras.layers import Dense


class _Constant:
    """A stand-in model whose prediction is fixed."""

    def __init__(self, value):
        self.value = np.asarray(value, dtype="float32")

    def predict(self, x, batch_size=32, verbose=0):
        return np.repeat(self.value[None], len(x), axis=0)


def test_average_predictions_is_the_mean():
    members = [_Constant([0.2, 0.8]), _Constant([0.6, 0.4]), _Constant([0.1, 0.3])]
    np.testing.assert_allclose(average_predictions(members, np.zeros((2, 5))),
                               [[0.3, 0.5], [0.3, 0.5]], rtol=1e-6)


def test_average_predictions_errors():
    with pytest.raises(ValueError, match="at least one model"):
        average_predictions([], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="same shape"):
        average_predictions([_Constant([1.0]), _Constant([1.0, 2.0])], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="at least one seed"):
        train_ensemble(lambda: None, None, None, seeds=[])


def _build():
    model = Sequential([Input((30,)), Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _accuracy(p, y):
    return float(np.mean((p[:, 0] > 0.5) == (y == 1)))


def test_ensemble_beats_its_mean_member_on_breast_cancer():
    (x, y), (x_val, y_val) = breast_cancer.load_data()
    # Two epochs of plain SGD: members are still far apart, which is where averaging helps.
    members = train_ensemble(_build, x, y, seeds=range(5), epochs=2, batch_size=32)
    accuracies = [_accuracy(m.predict(x_val, verbose=0), y_val) for m in members]
    assert len(set(accuracies)) > 1  # the seeds gave different members
    ensemble = _accuracy(average_predictions(members, x_val), y_val)
    assert ensemble >= np.mean(accuracies)


def test_train_ensemble_is_reproducible():
    (x, y), (x_val, _) = breast_cancer.load_data()
    first = train_ensemble(_build, x, y, seeds=[3, 4], epochs=1)
    again = train_ensemble(_build, x, y, seeds=[3, 4], epochs=1)
    np.testing.assert_array_equal(average_predictions(first, x_val),
                                  average_predictions(again, x_val))
    assert not np.array_equal(first[0].predict(x_val, verbose=0),
                              first[1].predict(x_val, verbose=0))
