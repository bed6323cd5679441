"""A Sequential as one layer of another, as Keras's tutorials use it: Sequential([model, Softmax()])."""
import numpy as np
import pytest

from minikeras import Input, Sequential, activations, losses, regularizers
from minikeras.layers import Dense, Dropout, Flatten, Softmax
from minikeras.models import clone_model, load_model
from minikeras.utils import check_gradients


def _classifier():
    model = Sequential([Input((4, 3)), Flatten(), Dense(8, activation="relu"), Dense(3)],
                       name="logits")
    model.compile(optimizer="adam", loss=losses.CategoricalCrossentropy(from_logits=True))
    return model


def test_probability_model_summary_and_predictions(rng):
    model = _classifier()
    probability_model = Sequential([model, Softmax(name="softmax")])
    lines = []
    probability_model.summary(print_fn=lines.append)
    rows = [line for line in lines[0].splitlines() if "(None, " in line]
    # Keras shows the inner model as one row with all its parameters: 12*8+8 + 8*3+3 = 131.
    assert "logits (Sequential)" in rows[0] and "(None, 3)" in rows[0] and "131" in rows[0]
    assert "softmax (Softmax)" in rows[1]
    assert "Total params: 131" in lines[0]
    assert probability_model.input_shape == (None, 4, 3) and probability_model.built
    x = rng.normal(size=(5, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(probability_model.predict(x, verbose=0),
                               activations.softmax(model.predict(x, verbose=0)), rtol=1e-6)
    assert probability_model.weights == model.weights  # the same variables, not copies


def test_training_the_outer_model_trains_the_inner_one(rng):
    inner = Sequential([Dense(6, activation="tanh"), Dense(3)])
    outer = Sequential([Input((5,)), Dense(4), inner, Softmax()])
    assert inner.built and inner.input_shape == (None, 4)
    before = inner.get_weights()
    outer.compile(optimizer="adam", loss="categorical_crossentropy")
    x, y = rng.normal(size=(32, 5)), np.eye(3)[rng.integers(0, 3, 32)]
    history = outer.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(not np.array_equal(a, b) for a, b in zip(before, inner.get_weights()))


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_gradients_flow_through_a_nested_model(position, float64, rng):
    inner = Sequential([Dense(4, activation="tanh"), Dense(4, activation="elu")])
    stack = {"first": [Input((3,)), inner, Dense(2)],
             "middle": [Input((3,)), Dense(4), inner, Dense(2)],
             "last": [Input((3,)), Dense(4), inner]}[position]
    model = Sequential(stack)
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, model.output_shape[1]))
    errors = check_gradients(model, x, y)
    assert set(errors) >= {inner.name} and max(errors.values()) < 1e-6, errors
    # Only the outer model's first layer skips dL/dx; inside, the first layer computes
    # it unless the inner model is that first layer.
    assert inner.layers[0].input_gradient == (position != "first")


def test_a_nested_softmax_output_is_fused_with_the_loss(float64, rng):
    inner = Sequential([Dense(3, activation="softmax")])
    model = Sequential([Input((4,)), Dense(5), inner])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert model.loss.for_output(inner.output_activation) is not None
    x, y = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    assert max(check_gradients(model, x, y).values()) < 1e-6


def test_a_frozen_inner_model_is_not_trained(rng):
    base = Sequential([Input((4,)), Dense(6, activation="relu")])
    base.trainable = False
    model = Sequential([base, Dense(1)])
    assert model.trainable_weights == model.layers[1].trainable_weights
    assert len(model.non_trainable_weights) == 2
    before = base.get_weights()
    model.compile(optimizer="adam", loss="mse")
    model.fit(rng.normal(size=(16, 4)), rng.normal(size=(16, 1)), epochs=2, verbose=0)
    for a, b in zip(before, base.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert base.get_config()["trainable"] is False
    assert all(not layer.trainable for layer in base.layers)


def test_config_clone_and_files_round_trip(rng, tmp_path):
    model = Sequential([_classifier(), Dropout(0.5, seed=1), Softmax()], name="probabilities")
    config = model.get_config()
    entry = config["layers"][1]
    assert entry["module"] == "keras" and entry["class_name"] == "Sequential"
    assert entry["build_config"] == {"input_shape": [None, 4, 3]}
    assert entry["compile_config"]["loss"]["class_name"] == "CategoricalCrossentropy"
    assert Sequential.from_config(config).get_config() == config
    cloned = clone_model(model).get_config()  # fresh weights; the inner model not compiled,
    assert cloned["layers"][1].pop("compile_config") == {}  # as in Keras
    entry.pop("compile_config")
    assert cloned == config
    x = rng.normal(size=(7, 4, 3)).astype(np.float32)
    for name in ("model.mk", "model.keras", "model.h5"):
        if name != "model.mk":
            pytest.importorskip("h5py", reason='Keras files need h5py: pip install '
                                               '"minikeras[h5]"')
        model.save(tmp_path / name)
        loaded = load_model(tmp_path / name)
        config, expected = loaded.get_config(), model.get_config()
        if name == "model.h5":  # the legacy file keeps the outer model's compile state only
            expected["layers"][1]["compile_config"] = {}
        assert config == expected
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_nested_state_travels_with_the_model(tmp_path):
    inner = Sequential([Input((3,)), Dropout(0.5, seed=4)])
    model = Sequential([inner, Dense(2)])
    model.save(tmp_path / "m.mk")
    loaded = load_model(tmp_path / "m.mk")
    x = np.ones((4, 3), np.float32)
    np.testing.assert_array_equal(loaded(x, training=True), model(x, training=True))
    with pytest.raises(ValueError, match="keeps one state per layer"):
        inner.set_state({"layers": []})


def test_a_model_cannot_contain_itself_and_unbuilt_models_build_with_the_outer_one():
    model = Sequential([Dense(2)])
    with pytest.raises(ValueError, match="cannot be a layer of itself"):
        model.add(model)
    inner = Sequential([Dense(3)])
    assert not inner.built
    Sequential([Input((5,)), inner])
    assert inner.built and inner.count_params() == 18


@pytest.mark.parametrize("loss", ["categorical_crossentropy", "mse"])
def test_activity_penalties_inside_nested_models_count_as_in_the_flat_model(loss, float64, rng):
    def layers():
        return [Dense(4, activation="tanh", activity_regularizer="l2"),
                Dense(4, activation="elu", activity_regularizer=regularizers.L1(0.05)),
                Dense(3, activation="softmax", activity_regularizer=regularizers.L2(0.1))]
    flat = Sequential([Input((3,)), *layers()])
    first, second, output = layers()
    nested = Sequential([Input((3,)), Sequential([first, second]), Sequential([output])])
    nested.set_weights(flat.get_weights())
    x, y = rng.normal(size=(6, 3)), np.eye(3)[rng.integers(0, 3, 6)]
    for model in (flat, nested):
        model.compile(optimizer="sgd", loss=loss)
    # The penalties are in the loss and in its gradient: the same step on both models.
    np.testing.assert_allclose(nested.train_on_batch(x, y), flat.train_on_batch(x, y))
    for a, b in zip(nested.get_weights(), flat.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert max(check_gradients(nested, x, y).values()) < 1e-6
