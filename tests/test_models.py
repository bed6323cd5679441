"""Building Sequential models: add, pop, shapes, weights and the summary table."""
import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import Activation, Dense, Flatten


def breast_cancer_model(**first_layer_kwargs):
    return Sequential([Dense(128, activation="relu", **first_layer_kwargs),
                       Dense(64, activation="relu"), Dense(32, activation="relu"),
                       Dense(1, activation="sigmoid")])


def _param_column(text):
    return [line.split("│")[3].strip() for line in text.splitlines()
            if line.startswith("│ dense")]


def test_summary_of_the_tutorial_model():
    model = breast_cancer_model(input_shape=(30,))
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    # 30*128+128, 128*64+64, 64*32+32, 32*1+1
    assert _param_column(text) == ["3,968", "8,256", "2,080", "33"]
    assert " Total params: 14,337 (56.00 KB)" in text       # 14,337 float32 = 57,348 bytes
    assert " Trainable params: 14,337 (56.00 KB)" in text
    assert " Non-trainable params: 0 (0.00 B)" in text
    assert "(None, 128)" in text and "Layer (type)" in text and "Output Shape" in text
    assert model.count_params() == 14_337


def test_summary_prints_to_stdout(capsys):
    breast_cancer_model(input_shape=(30,)).summary()
    assert "Total params: 14,337" in capsys.readouterr().out


@pytest.mark.parametrize("build, expected", [
    # 28*28 = 784 inputs: 784*256+256 = 200,960; 256*128+128 = 32,896; 128*10+10 = 1,290
    pytest.param(lambda: Sequential([Input((28, 28)), Flatten(), Dense(256, activation="relu"),
                                     Dense(128, activation="relu"), Dense(10)]),
                 [0, 200_960, 32_896, 1_290], id="mnist-mlp"),
    # 2*3+3 = 9; 3*2+2 = 8
    pytest.param(lambda: Sequential([Input((2,)), Dense(3, activation="tanh"),
                                     Dense(2, activation="softmax")]), [9, 8], id="moons"),
    # no bias: 5*4 = 20; Activation has none
    pytest.param(lambda: Sequential([Input((5,)), Dense(4, use_bias=False), Activation("relu"),
                                     Dense(1)]), [20, 0, 5], id="no-bias"),
])
def test_parameter_counts_worked_by_hand(build, expected):
    model = build()
    assert [layer.count_params() for layer in model.layers] == expected
    assert model.count_params() == sum(expected)


def test_input_builds_each_layer_as_it_is_added():
    model = Sequential([Input((30,))])
    layer = Dense(4)
    model.add(layer)
    assert layer.built and layer.kernel.shape == (30, 4)
    model.add(Dense(2))
    assert model.layers[-1].kernel.shape == (4, 2)
    assert model.output_shape == (None, 2)
    assert len(model.layers) == 2      # Input is not a layer, as in Keras


@pytest.mark.parametrize("make", [
    pytest.param(lambda: Sequential([Input((28, 28)), Flatten(), Dense(2)]), id="Input"),
    pytest.param(lambda: Sequential([Flatten(input_shape=(28, 28)), Dense(2)]),
                 id="layer-input_shape"),
])
def test_shapes_carry_the_batch_axis_as_keras(make):
    """Keras 3: ``Input((28, 28)).shape == (None, 28, 28)`` and ``model.input_shape`` too;
    a layer keeps its ``input_shape=`` argument privately, with no public ``input_shape``."""
    model = make()
    assert model.input_shape == (None, 28, 28)
    assert model.layers[-1].build_input_shape == (None, 784)
    assert Input((28, 28)).shape == (None, 28, 28)
    assert not hasattr(model.layers[0], "input_shape")


def test_model_without_shape_builds_on_first_data(rng):
    model = Sequential([Dense(4, activation="relu"), Dense(1)])
    assert not model.built
    with pytest.raises(ValueError, match="not built yet"):
        model.summary()
    out = model.predict(rng.normal(size=(3, 7)), verbose=0)
    assert model.built and out.shape == (3, 1)
    assert model.layers[0].kernel.shape == (7, 4)


def test_pop_and_get_layer():
    model = Sequential([Input((3,)), Dense(4, name="hidden"), Dense(2, name="out")])
    assert model.get_layer("hidden") is model.layers[0]
    assert model.get_layer(index=-1).name == "out"
    removed = model.pop()
    assert removed.name == "out" and [l.name for l in model.layers] == ["hidden"]
    model.add(Dense(5, name="new_out"))
    assert model.output_shape == (None, 5)
    with pytest.raises(ValueError, match="No layer named 'missing'"):
        model.get_layer("missing")


def test_layer_names_are_unique_and_keras_like():
    model = Sequential([Input((2,)), Dense(2), Dense(2)])
    first, second = (layer.name for layer in model.layers)
    assert first.startswith("dense") and second.startswith("dense") and first != second


def test_get_and_set_weights_in_keras_order(rng):
    model = Sequential([Input((3,)), Dense(4), Dense(2, use_bias=False)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 4), (4,), (4, 2)]
    new = [rng.normal(size=s).astype(np.float32) for s in shapes]
    model.set_weights(new)
    for a, b in zip(model.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    x = rng.normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), (x @ new[0] + new[1]) @ new[2],
                               rtol=1e-5)
    with pytest.raises(ValueError, match="list of 3 arrays"):
        model.set_weights(new[:2])
    with pytest.raises(ValueError, match=r"shape \(3, 4\)"):
        model.set_weights([new[0].T] + new[1:])


def test_get_weights_returns_copies():
    model = Sequential([Input((3,)), Dense(2)])
    weights = model.get_weights()
    weights[0][...] = 99
    assert not np.any(model.get_weights()[0] == 99)


def test_float64_is_selectable(float64, rng):
    model = Sequential([Input((3,)), Dense(2)])
    assert model.get_weights()[0].dtype == np.float64
    assert model.predict(rng.normal(size=(4, 3)), verbose=0).dtype == np.float64


def test_get_config_describes_the_architecture():
    model = Sequential([Input((3,)), Dense(2, activation="relu", kernel_regularizer="l2")])
    cfg = model.get_config()  # Keras 3's shape: the input is an InputLayer entry
    assert cfg["build_input_shape"] == [None, 3]
    assert cfg["layers"][0]["config"]["batch_shape"] == [None, 3]
    layer = cfg["layers"][1]
    assert layer["class_name"] == "Dense" and layer["config"]["units"] == 2
    assert layer["config"]["activation"] == "relu"
    assert layer["config"]["kernel_regularizer"]["class_name"] == "L2"
