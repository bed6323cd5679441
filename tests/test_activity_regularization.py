"""ActivityRegularization: the identity, whose input costs l1 * |x| + l2 * x**2 per sample."""
import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import ActivityRegularization, Dense
from minikeras.utils import check_gradients
from _harness import check_layer  # the tests folder is on sys.path


def test_layer_harness(float64, rng):
    layer = check_layer(lambda: ActivityRegularization(l1=0.1, l2=0.2), (5, 3), 0, rng)
    assert layer.activity_regularizer.l1 == 0.1 and layer.activity_regularizer.l2 == 0.2


def test_the_penalty_joins_the_loss_divided_by_the_batch_size(float64, rng):
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    plain = Sequential([Input((3,)), Dense(4, name="hidden"), Dense(2, name="out")])
    model = Sequential([Input((3,)), Dense(4, name="hidden"),
                        ActivityRegularization(l1=0.01, l2=0.1), Dense(2, name="out")])
    model.set_weights(plain.get_weights())
    for m in (plain, model):
        m.compile(optimizer="sgd", loss="mse")
    hidden = x @ plain.layers[0].kernel.value + plain.layers[0].bias.value
    penalty = (0.01 * np.abs(hidden).sum() + 0.1 * (hidden ** 2).sum()) / len(x)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        plain.evaluate(x, y, verbose=0) + penalty, rel=1e-10)
    errors = check_gradients(model, x, y)
    assert max(errors.values()) < 1e-6, errors


def test_config_is_keras_3s():
    layer = ActivityRegularization(l1=0.5)
    config = layer.get_config()
    assert config["l1"] == 0.5 and config["l2"] == 0.0 and "activity_regularizer" not in config
    assert ActivityRegularization.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, match", [
    ({"l1": -1.0}, r"`l1` must be a non-negative"),
    ({"l2": "a"}, r"`l2` must be"),
    ({"activity_regularizer": "l2"}, r"takes its penalty as `l1` and `l2`"),
], ids=["negative", "text", "regularizer"])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ActivityRegularization(**kwargs)
