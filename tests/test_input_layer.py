"""InputLayer and Input: a model's input shape, batch size, type and name, as Keras 3's."""
import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import Dense, Flatten, InputLayer, InputTensor


def test_input_layer_gives_the_model_its_shape_and_no_row():
    model = Sequential([InputLayer(shape=(4, 3)), Flatten(), Dense(2)])
    assert model.input_shape == (None, 4, 3) and model.built
    assert [type(layer) for layer in model.layers] == [Flatten, Dense]
    assert model.count_params() == 26


def test_input_layer_config_is_keras_3s():
    layer = InputLayer(shape=(5,), batch_size=8, name="features")
    assert layer.batch_shape == (8, 5)
    assert layer.get_config() == {"batch_shape": [8, 5], "dtype": "float32", "sparse": False,
                                  "ragged": False, "name": "features", "optional": False}
    model = Sequential([layer, Dense(1)])
    assert model.get_config()["layers"][0]["config"] == layer.get_config()
    assert model.input_shape == (8, 5)  # as in Keras, though any batch size runs
    assert model.predict(np.ones((3, 5)), verbose=0).shape == (3, 1)
    # Read back, a fixed batch size is None, as everywhere minikeras reads one.
    clone = InputLayer.from_config(layer.get_config())
    assert clone.get_config() == {**layer.get_config(), "batch_shape": [None, 5]}
    unbatched = Sequential([InputLayer(shape=(5,), name="features"), Dense(1)])
    assert Sequential.from_config(unbatched.get_config()).get_config() == \
        unbatched.get_config()


def test_input_layer_takes_keras_2s_input_shape_with_keras_3s_warning():
    with pytest.warns(UserWarning, match=r"Argument `input_shape` is deprecated\. Use `shape`"):
        layer = InputLayer(input_shape=(28, 28))
    assert layer.shape == (28, 28)
    assert InputLayer(batch_input_shape=(None, 3)).shape == (3,)
    assert InputLayer(batch_shape=(None, 7)).batch_shape == (None, 7)


def test_input_and_input_layer_make_the_same_model():
    tensor = Input((3,), name="x", dtype="float64", batch_size=4)
    layer = InputLayer(shape=(3,), name="x", dtype="float64", batch_size=4)
    assert isinstance(layer.output, InputTensor) and layer.output.shape == tensor.shape
    assert (layer.name, layer.dtype, layer.batch_shape) == ("x", "float64", (4, 3))
    configs = [Sequential([first, Dense(2, name="out")], name="m").get_config()
               for first in (tensor, layer)]
    assert configs[0] == configs[1]
    assert configs[0]["layers"][0]["config"] == layer.get_config()


@pytest.mark.parametrize("kwargs, match", [
    ({}, "exactly one of `shape` and `batch_shape`"),
    ({"shape": (3,), "batch_shape": (None, 3)}, "exactly one of `shape` and `batch_shape`"),
    ({"shape": (0,)}, "positive integers"),
    ({"shape": (3,), "batch_size": 0}, r"`batch_size` must be"),
    ({"shape": (3,), "dtype": "string"}, r"`dtype` must be 'float32' or 'float64'"),
    ({"shape": (3,), "sparse": True}, r"`sparse` is a Keras feature"),
    ({"shape": (3,), "units": 3}, "Unrecognized keyword arguments passed to InputLayer"),
], ids=["no-shape", "both", "zero", "batch-size", "dtype", "sparse", "unknown"])
def test_input_layer_rejects_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError, NotImplementedError), match=match):
        InputLayer(**kwargs)


def test_input_layer_after_a_layer_is_refused():
    model = Sequential([Dense(2)])
    with pytest.raises(ValueError, match="`Input` must come before every layer"):
        model.add(InputLayer(shape=(3,)))
