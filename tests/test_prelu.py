"""PReLU: a leaky ReLU whose negative slopes are learned."""
import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import Dense, PReLU
from minikeras.utils import check_gradients
from _harness import check_layer  # the tests folder is on sys.path


@pytest.mark.parametrize("make, x_shape, params", [
    pytest.param(lambda: PReLU(alpha_initializer="random_normal"), (5, 3), 3, id="prelu"),
    pytest.param(lambda: PReLU(alpha_initializer="random_normal", shared_axes=[1]), (4, 3, 2),
                 2, id="shared-axis"),
])
def test_layer_harness(make, x_shape, params, float64, rng):
    check_layer(make, x_shape, params, rng)


def test_prelu_matches_its_formula(rng):
    layer = PReLU(alpha_initializer="random_normal")
    layer.build((None, 4))
    x = rng.normal(size=(6, 4)).astype(np.float32)
    alpha = layer.alpha.value
    np.testing.assert_allclose(layer(x), np.where(x > 0, x, alpha * x), rtol=1e-6)


def test_prelu_learns_its_slopes(float64, rng):
    model = Sequential([Input((3,)), Dense(4, kernel_initializer="random_normal"),
                        PReLU(alpha_initializer="random_normal"), Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    errors = check_gradients(model, x, y)
    assert max(errors.values()) < 1e-6, errors
    assert model.layers[1].count_params() == 4
    assert [w.name for w in model.layers[1].trainable_weights] == ["alpha"]


def test_prelu_shares_slopes_along_shared_axes_and_round_trips():
    layer = PReLU(shared_axes=[1, 2])
    layer.build((None, 5, 4, 3))
    assert layer.alpha.shape == (1, 1, 3)
    config = layer.get_config()
    assert config["shared_axes"] == [1, 2] and config["alpha_initializer"]["class_name"] == "Zeros"
    assert PReLU.from_config(config).get_config() == config
    with pytest.raises(ValueError, match=r"`shared_axes\[0\]` must be a positive integer"):
        PReLU(shared_axes=0)
    with pytest.raises(ValueError, match="`shared_axes` must name axes"):
        PReLU(shared_axes=[3]).build((None, 4))
