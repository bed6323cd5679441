"""scikit-learn's own estimator checks, run on both wrappers.

Small networks and few epochs keep the whole module fast; the checks seed the
estimators themselves (``set_random_state`` sets ``random_state=0``).
"""
import pytest
import sklearn
from sklearn.utils.estimator_checks import parametrize_with_checks

from minikeras.wrappers import MiniKerasClassifier, MiniKerasRegressor

if tuple(int(p) for p in sklearn.__version__.split(".")[:2]) < (1, 6):
    pytest.skip("`expected_failed_checks` needs scikit-learn >= 1.6", allow_module_level=True)

ESTIMATORS = [
    MiniKerasClassifier(hidden_layer_sizes=(16,), epochs=20, learning_rate=0.01,
                        random_state=0),
    MiniKerasRegressor(hidden_layer_sizes=(16,), epochs=20, learning_rate=0.01,
                       random_state=0),
]

# Minibatch training cannot pass this check: a sample of weight 0 still takes a
# place in the minibatches (shifting the partition), Keras's loss reduction
# divides by the batch size rather than by the sum of the weights, and a weight
# of 2 is not a duplicated row drawn into a different batch.
_SAMPLE_WEIGHT = {"check_sample_weight_equivalence_on_dense_data":
                  "minibatch SGD: zero or integer weights change the batch partition, "
                  "so they are not equivalent to removing or repeating samples"}
EXPECTED_FAILED = {"MiniKerasClassifier": _SAMPLE_WEIGHT, "MiniKerasRegressor": _SAMPLE_WEIGHT}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
