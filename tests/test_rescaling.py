"""Rescaling: x * scale + offset, the same in training and inference."""
import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import Rescaling
from _harness import check_layer  # the tests folder is on sys.path


@pytest.mark.parametrize("make", [
    pytest.param(lambda: Rescaling(0.5, offset=2.0), id="numbers"),
    pytest.param(lambda: Rescaling([1.0, -2.0, 3.0], offset=[0.0, 1.0, 2.0]), id="per-feature"),
])
def test_layer_harness(make, float64, rng):
    check_layer(make, (5, 3), 0, rng)


def test_rescaling_pixels():
    images = np.array([[[0, 128], [255, 64]]], dtype=np.uint8)
    y = Rescaling(1 / 255)(images)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, images / 255, rtol=1e-6)
    np.testing.assert_allclose(Rescaling(1 / 127.5, offset=-1)(images), images / 127.5 - 1,
                               rtol=1e-6, atol=1e-7)


def test_rescaling_per_feature_and_its_config():
    layer = Rescaling([1.0, 2.0], offset=[0.0, 1.0])
    np.testing.assert_array_equal(layer(np.ones((3, 2))), [[1.0, 3.0]] * 3)
    config = layer.get_config()
    assert config["scale"] == [1.0, 2.0] and config["offset"] == [0.0, 1.0]
    assert Rescaling.from_config(config).get_config() == config
    with pytest.raises(ValueError, match=r"`scale` must have one entry per feature \(3\)"):
        Sequential([Input((3,)), Rescaling([1.0, 2.0])])


@pytest.mark.parametrize("scale", [np.nan, "2", [], [[1.0]], True, None], ids=repr)
def test_rescaling_rejects_bad_scales(scale):
    with pytest.raises(ValueError, match=r"`scale` must be a finite number"):
        Rescaling(scale)
