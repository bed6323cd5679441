"""Saving and loading: exact round trips, exact continuation of training, safe failures."""
import json
import os
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import minikeras
from minikeras import activations, layers, losses, metrics, optimizers, saving
from minikeras.layers import Activation, Dense, Flatten, Input, Layer
from minikeras.models import Sequential, load_model
from minikeras.utils import registry, set_random_seed, to_categorical


@pytest.fixture(autouse=True)
def _clean_custom_objects():
    """Registrations made by a test must not leak into the next one."""
    saved = dict(registry.CUSTOM_OBJECTS)
    yield
    registry.CUSTOM_OBJECTS.clear()
    registry.CUSTOM_OBJECTS.update(saved)


def _data(n=96):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4, 3)).astype("float32")
    y = to_categorical((x[:, 0, 0] + x[:, 1, 2] > 0).astype(int) + (x[:, 2, 1] > 1), 3)
    return x, y.astype("float32")


def _every_layer():
    """One of each layer type, the random ones with and without a private seed."""
    normalization = layers.Normalization()
    normalization.adapt(np.random.default_rng(2).normal(1.0, 3.0, size=(50, 12)))
    return [layers.Reshape((3, 4)), Flatten(), layers.Rescaling(0.5, offset=0.1), normalization,
            Dense(8, kernel_regularizer="l2"), Activation("tanh"),
            layers.BatchNormalization(), layers.Dropout(0.2), layers.Dropout(0.1, seed=3),
            layers.LayerNormalization(), layers.GaussianNoise(0.05),
            layers.GaussianNoise(0.05, seed=5), layers.GaussianDropout(0.1),
            layers.GaussianDropout(0.1, seed=6), layers.AlphaDropout(0.1),
            layers.AlphaDropout(0.1, seed=7), layers.ActivityRegularization(l1=1e-3, l2=1e-3),
            layers.UnitNormalization(),
            layers.ReLU(max_value=6.0), layers.LeakyReLU(0.2), layers.ELU(alpha=0.5),
            layers.PReLU(alpha_initializer="random_normal"), Dense(3), layers.Softmax()]


def test_every_layer_type_is_covered():
    covered = {type(layer) for layer in _every_layer()}
    every = {obj for obj in vars(layers).values()
             if isinstance(obj, type) and issubclass(obj, Layer) and obj is not Layer}
    assert every <= covered, f"add {every - covered} to _every_layer"


def _model(optimizer):
    model = Sequential([Input((4, 3)), *_every_layer()], name="net")
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy", "mae"])
    return model


OPTIMIZERS = {
    "adam": lambda: optimizers.Adam(learning_rate=0.01),
    "sgd_momentum": lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "nadam": lambda: optimizers.Nadam(learning_rate=0.01),
    "rmsprop_centered": lambda: optimizers.RMSprop(momentum=0.5, centered=True),
    "adamw_schedule": lambda: optimizers.AdamW(
        learning_rate=minikeras.schedules.ExponentialDecay(0.01, 5, 0.5)),
}


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_train_save_load_train_equals_uninterrupted_training(make_optimizer, tmp_path):
    x, y = _data()
    w = np.linspace(0.5, 1.5, len(x)).astype("float32")

    def train(interrupt):
        set_random_seed(7)
        model = _model(make_optimizer())
        fit = dict(x=x, y=y, batch_size=16, sample_weight=w, verbose=0)
        if not interrupt:
            return model, model.fit(epochs=4, **fit).history
        first = model.fit(epochs=2, **fit).history
        model.save(tmp_path / "model.mk")
        model = load_model(tmp_path / "model.mk")
        second = model.fit(epochs=4, initial_epoch=2, **fit).history
        return model, {k: first[k] + second[k] for k in first}

    straight, history = train(interrupt=False)
    resumed, resumed_history = train(interrupt=True)
    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert resumed_history == history
    np.testing.assert_array_equal(straight.predict(x, verbose=0), resumed.predict(x, verbose=0))


def test_load_gives_identical_model(tmp_path):
    x, y = _data()
    model = _model(OPTIMIZERS["adam"]())
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    path = tmp_path / "model.mk"
    model.save(path)
    state = minikeras.random.generator().bit_generator.state
    loaded = load_model(path)
    assert minikeras.random.generator().bit_generator.state == state  # no draw consumed
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert loaded.get_config() == json.loads(json.dumps(model.get_config()))
    assert [w.dtype for w in loaded.weights] == [w.dtype for w in model.weights]
    assert [w.trainable for w in loaded.weights] == [w.trainable for w in model.weights]
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 3
    assert type(loaded.loss) is type(model.loss)
    assert list(loaded.evaluate(x, y, verbose=0, return_dict=True)) == \
        list(model.evaluate(x, y, verbose=0, return_dict=True))
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
    assert os.listdir(tmp_path) == ["model.mk"]  # no ".npz" appended, no temp file left


def test_uncompiled_and_compile_false(tmp_path):
    model = Sequential([Input((3,)), Dense(2)])
    model.save(tmp_path / "m")
    assert not load_model(tmp_path / "m").compiled
    model.compile(loss="mse")
    model.save(tmp_path / "m")
    assert load_model(tmp_path / "m").compiled
    assert not load_model(tmp_path / "m", compile=False).compiled


def test_accuracy_by_shape_metric_round_trips(tmp_path):
    model = Sequential([Input((3,)), Dense(2)])
    model.compile(loss="mse", metrics=["acc"], weighted_metrics=["acc"])
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    x = np.zeros((4, 3), "float32")
    y = np.zeros((4, 2), "float32")
    assert list(loaded.evaluate(x, y, verbose=0, return_dict=True)) == ["acc", "loss", "weighted_acc"]


def test_save_weights_and_load_weights(tmp_path):
    x, _ = _data()
    model = _model("adam")
    model.save_weights(tmp_path / "w.mkw")
    other = _model("adam")
    assert not np.array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    other.load_weights(tmp_path / "w.mkw")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    # A full model file carries weights too.
    model.save(tmp_path / "full.mk")
    other = _model("adam")
    other.load_weights(tmp_path / "full.mk")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_load_weights_errors(tmp_path):
    model = Sequential([Input((3,)), Dense(2)])
    model.save_weights(tmp_path / "w")
    with pytest.raises(ValueError, match=r"holds 2 weight arrays, but model .* has 4"):
        Sequential([Input((3,)), Dense(2), Dense(2)]).load_weights(tmp_path / "w")
    with pytest.raises(ValueError, match=r"weight 0 \('kernel'\) .* has shape \(3, 2\)"):
        Sequential([Input((4,)), Dense(2)]).load_weights(tmp_path / "w")
    with pytest.raises(ValueError, match="is not built yet"):
        Sequential([Dense(2)]).load_weights(tmp_path / "w")
    with pytest.raises(ValueError, match="holds only weights"):
        load_model(tmp_path / "w")


def test_from_config_rebuilds_equivalent_model():
    x, _ = _data()
    model = _model("adam")
    clone = Sequential.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])  # fresh weights
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="'layers' list"):
        Sequential.from_config({"name": "x"})


# -- custom objects ----------------------------------------------------------------------


class Scale(Layer):
    """``y = factor * w * x`` with one trainable weight per feature."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1],), "random_normal")
        super().build(input_shape)

    def forward(self, x, training=False):
        self._x = x
        return self.factor * self.w.value * x

    def backward(self, grad):
        self.w.grad[...] = (self.factor * grad * self._x).sum(axis=0)
        return self.factor * self.w.value * grad

    def get_config(self):
        return super().get_config() | {"factor": self.factor}


class Cube(activations.ActivationFunction):
    name = "cube"

    def __call__(self, x):
        return x ** 3

    def backward(self, grad, x, y):
        return grad * 3 * x ** 2


class QuarticError(losses.Loss):
    def __init__(self, scale=1.0, reduction="sum_over_batch_size", name="quartic_error"):
        super().__init__(name=name, reduction=reduction)
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * np.mean((y_pred - y_true) ** 4, axis=-1)

    def gradient(self, y_true, y_pred):
        return self.scale * 4 * (y_pred - y_true) ** 3 / y_pred.shape[-1]

    def get_config(self):
        return super().get_config() | {"scale": self.scale}


class MaxError(metrics.Metric):
    def reset_state(self):
        self.value = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.value = max(self.value, float(np.max(np.abs(y_pred - y_true))))

    def result(self):
        return self.value


def _custom_model():
    model = Sequential([Input((3,)), Scale(2.0), Dense(2, activation=Cube())])
    model.compile(optimizer="sgd", loss=QuarticError(0.5), metrics=[MaxError()])
    return model


@pytest.mark.parametrize("name", ["custom.mk", "custom.keras"])
def test_registered_custom_objects_round_trip(tmp_path, name):
    if name.endswith(".keras"):
        pytest.importorskip("h5py", reason='.keras files need h5py: pip install "minikeras[h5]"')
    for cls in (Scale, Cube, QuarticError, MaxError):
        saving.register_minikeras_serializable(package="Test")(cls)
    x = np.random.default_rng(1).normal(size=(8, 3)).astype("float32")
    model = _custom_model()
    model.fit(x, x[:, :2], epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / name)
    loaded = load_model(tmp_path / name)
    entry = json.loads(model.to_json())["config"]["layers"][1]
    assert (entry["class_name"], entry["registered_name"]) == ("Scale", "Test>Scale")
    assert isinstance(loaded.layers[0], Scale) and loaded.layers[0].factor == 2.0
    assert isinstance(loaded.layers[1].activation, Cube)
    assert isinstance(loaded.loss, QuarticError) and loaded.loss.scale == 0.5
    assert isinstance(loaded.metrics[1].metrics[0], MaxError)  # [loss, compile_metrics]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert "Test>Scale" in saving.get_custom_objects()


def test_custom_objects_argument_and_missing_custom_object(tmp_path):
    model = _custom_model()
    model.save(tmp_path / "custom.mk")
    with pytest.raises(ValueError, match=r"custom\.mk.*Unknown `layer`: 'Scale'.*custom_objects"):
        load_model(tmp_path / "custom.mk")
    objects = {"Scale": Scale, "cube": Cube, "QuarticError": QuarticError, "MaxError": MaxError}
    loaded = load_model(tmp_path / "custom.mk", custom_objects=objects)
    assert isinstance(loaded.layers[0], Scale)
    assert not registry.SCOPED_OBJECTS  # the scope closed
    with pytest.raises(ValueError, match="Unknown `activation`: 'Cube'"):
        load_model(tmp_path / "custom.mk", custom_objects={"Scale": Scale})


def test_register_rejects_a_second_class_under_the_same_name():
    saving.register_minikeras_serializable(package="Test", name="S")(Scale)
    with pytest.raises(ValueError, match="already registered"):
        saving.register_minikeras_serializable(package="Test", name="S")(Cube)


def test_unserializable_config_is_a_clear_error_and_writes_nothing(tmp_path):
    model = Sequential([Input((3,)), Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=lambda: 0.1), loss="mse")
    with pytest.raises(ValueError, match="not plain data"):
        model.save(tmp_path / "m")
    assert os.listdir(tmp_path) == []


# -- bad files ---------------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    model = Sequential([Input((3,)), Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    path = tmp_path / "model.mk"
    model.save(path)
    return path


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.mk"):
        load_model(tmp_path / "nothing.mk")


def test_text_file(tmp_path):
    (tmp_path / "notes.mk").write_text("hello\n")
    with pytest.raises(ValueError, match=r"notes\.mk' is not a model file"):
        load_model(tmp_path / "notes.mk")


def test_plain_npz_file(tmp_path):
    np.savez(tmp_path / "arrays.npz", a=np.ones(3))
    with pytest.raises(ValueError, match=r"arrays\.npz.*neither a minikeras file"):
        load_model(tmp_path / "arrays.npz")


@pytest.mark.parametrize("keep", [0.5, 0.98], ids=["half", "last-bytes-missing"])
def test_truncated_file(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(ValueError, match=r"model\.mk.* truncated or corrupted"):
        load_model(saved)


def test_flipped_byte_in_weights_is_detected(saved):
    with zipfile.ZipFile(saved) as archive:
        info = archive.getinfo("weight_0.npy")
    data = bytearray(saved.read_bytes())
    name_len, extra_len = np.frombuffer(data[info.header_offset + 26:info.header_offset + 30],
                                        dtype="<u2")
    last = info.header_offset + 30 + name_len + extra_len + info.compress_size - 1
    data[last] ^= 0xFF  # one bit pattern of the last kernel entry
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"model\.mk.* corrupted.*CRC"):
        load_model(saved)


def _rewrite_header(path, change):
    with np.load(path) as archive:
        arrays = {k: archive[k] for k in archive.files}
    header = json.loads(arrays.pop("minikeras_header").tobytes())
    change(header)
    arrays["minikeras_header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def test_future_format_version(saved):
    _rewrite_header(saved, lambda h: h.update(format_version=saving.FORMAT_VERSION + 1))
    with pytest.raises(ValueError, match=rf"model\.mk.* format version {saving.FORMAT_VERSION + 1}.*newer minikeras"):
        load_model(saved)


def test_header_listing_other_arrays_is_corruption(saved):
    _rewrite_header(saved, lambda h: h["weights"].append(h["weights"][0]))
    with pytest.raises(ValueError, match=r"model\.mk.* corrupted.*missing: \['weight_2'\]"):
        load_model(saved)


class _Alarm:
    """Unpickling this would flip ``triggered``: the test that loading never unpickles."""
    triggered = False

    def __reduce__(self):
        return (_Alarm._trigger, ())

    @staticmethod
    def _trigger():
        _Alarm.triggered = True


def test_pickled_arrays_are_never_unpickled(saved):
    with np.load(saved) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["weight_0"] = np.array([_Alarm()], dtype=object)
    with open(saved, "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(ValueError, match=r"model\.mk.* corrupted"):
        load_model(saved)
    assert not _Alarm.triggered


# -- atomic writes ---------------------------------------------------------------------


def _half_write_then_fail(file, **arrays):
    file.write(b"PK\x03\x04 half an archive")
    raise OSError("disk full")


@pytest.mark.parametrize("target, replacement", [
    ("numpy.savez", _half_write_then_fail),
    ("os.fsync", lambda fd: (_ for _ in ()).throw(OSError("I/O error"))),
    ("os.replace", lambda src, dst: (_ for _ in ()).throw(KeyboardInterrupt())),
], ids=["savez", "fsync", "replace"])
def test_failed_save_keeps_previous_file_and_leaves_no_temp_file(saved, monkeypatch, target,
                                                                 replacement):
    before = saved.read_bytes()
    model = Sequential([Input((3,)), Dense(7)])
    monkeypatch.setattr(target, replacement)
    with pytest.raises((OSError, KeyboardInterrupt)):
        model.save(saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["model.mk"]
    assert load_model(saved).layers[0].units == 2


def test_overwrite_false(saved):
    with pytest.raises(FileExistsError, match="model.mk"):
        Sequential([Input((3,)), Dense(1)]).save(saved, overwrite=False)


# -- the example ---------------------------------------------------------------------------

EXAMPLE = os.path.join(os.path.dirname(__file__), os.pardir, "examples",
                       "breast_cancer_checkpoint.py")


@pytest.mark.parametrize("use_out", [True, False], ids=["out-dir", "temp-dir"])
def test_checkpoint_example_runs_quick(tmp_path, use_out):
    out = tmp_path / "out"
    command = [sys.executable, EXAMPLE, "--quick"] + (["--out", str(out)] if use_out else [])
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "reloaded model equals the restored in-memory model: True" in result.stdout
    accuracy = float(re.search(r"val_accuracy (\d\.\d+)", result.stdout).group(1))
    assert accuracy > 0.8
    if use_out:
        assert os.listdir(out) == ["best.mk"]
        assert load_model(out / "best.mk").count_params() == 30 * 16 + 16 + 16 * 8 + 8 + 9
    else:
        assert os.listdir(tmp_path) == []  # wrote into a temporary folder only


# -- Keras 3's configurations ------------------------------------------------------------

KERAS_CONFIG = os.path.join(os.path.dirname(__file__), "data", "keras_3_15_sequential.json")


def test_to_json_and_model_from_json_round_trip():
    x, y = _data()
    model = _model(OPTIMIZERS["adamw_schedule"]())
    model.fit(x, y, epochs=1, verbose=0)
    text = model.to_json()
    entry = json.loads(text)
    assert (entry["module"], entry["class_name"]) == ("keras", "Sequential")
    assert entry["build_config"] == {"input_shape": [None, 4, 3]}
    assert entry["compile_config"]["loss"] == "categorical_crossentropy"
    assert entry["compile_config"]["weighted_metrics"] == ["accuracy", "mae"]
    rebuilt = minikeras.models.model_from_json(text)
    assert rebuilt.get_config() == entry["config"]
    assert rebuilt.compiled and rebuilt.optimizer.get_config() == model.optimizer.get_config()
    assert rebuilt.optimizer.iterations == 0  # the configuration, not the state
    assert not np.array_equal(rebuilt.get_weights()[0], model.get_weights()[0])
    assert rebuilt.metrics[1].names == \
        ["accuracy", "weighted_accuracy", "mae"]
    with pytest.raises(ValueError, match="not valid JSON"):
        minikeras.models.model_from_json("{'single': 'quotes'}")


def test_clone_model_has_the_architecture_and_fresh_weights():
    model = _model("adam")
    clone = minikeras.models.clone_model(model)
    assert clone.get_config() == model.get_config() and not clone.compiled
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    shared = minikeras.models.clone_model(model, clone_function=lambda layer: layer)
    assert shared.layers == model.layers
    wider = minikeras.models.clone_model(Sequential([Dense(2)]), input_tensors=Input((7,)))
    assert wider.layers[0].kernel.shape == (7, 2)
    with pytest.raises(TypeError, match="`input_tensors` must be an `Input"):
        minikeras.models.clone_model(model, input_tensors=(4, 3))


def test_layer_configs_are_keras_3s():
    layer = Dense(3, activation="relu", kernel_regularizer="l1")
    layer.build((None, 5))
    config = layer.get_config()
    assert sorted(config) == sorted([  # the keys Keras 3.15's Dense.get_config has
        "name", "trainable", "dtype", "units", "activation", "use_bias", "kernel_initializer",
        "bias_initializer", "kernel_regularizer", "bias_regularizer", "kernel_constraint",
        "bias_constraint", "quantization_config"])
    assert config["dtype"] == {"module": "keras", "class_name": "DTypePolicy",
                               "config": {"name": "float32"}, "registered_name": None}
    assert config["kernel_initializer"] == {
        "module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": None, "input_axes": None, "output_axes": None},
        "registered_name": None}
    assert config["kernel_regularizer"]["config"] == {"l1": 0.01}
    assert config["activation"] == "relu"
    entry = layers.serialize(layer)
    assert entry["build_config"] == {"input_shape": [None, 5]}
    rebuilt = layers.deserialize(entry)
    assert rebuilt.built and rebuilt.get_config() == config
    assert "build_config" not in layers.serialize(layers.Dropout(0.5))  # built at init in Keras


def test_a_config_keras_wrote_builds_here():
    """``tests/data/keras_3_15_sequential.json`` is ``model.to_json()`` from Keras 3.15."""
    with open(KERAS_CONFIG) as f:
        text = f.read()
    model = minikeras.models.model_from_json(text)
    assert model.name == "from_keras" and model.input_shape == (None, 4)
    assert [type(layer).__name__ for layer in model.layers] == \
        ["Dense", "BatchNormalization", "Dropout", "Dense"]
    assert model.layers[0].kernel_regularizer.l2 == pytest.approx(0.01)
    assert isinstance(model.optimizer, optimizers.Adam)
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    assert isinstance(model.loss, losses.CategoricalCrossentropy)
    assert [m.name for m in model.metrics[1].metrics] == ["accuracy"]  # [loss, compile_metrics]
    keras_layers = json.loads(text)["config"]["layers"][1:]
    for layer, entry in zip(model.layers, keras_layers):
        ours = layers.serialize(layer)
        assert ours["config"] == {k: v for k, v in entry["config"].items()}, layer.name
        assert ours.get("build_config") == entry.get("build_config"), layer.name


def _keras_entry():
    with open(KERAS_CONFIG) as f:
        return json.load(f)


def _changed(change):
    entry = _keras_entry()
    change(entry)
    return json.dumps(entry)


@pytest.mark.parametrize("change, match", [
    (lambda e: e["config"]["layers"][1]["config"].update(lora_rank=4), "`lora_rank`=4"),
    (lambda e: e["config"]["layers"][2]["config"].update(renorm=True), "`renorm`=True"),
    (lambda e: e["compile_config"]["optimizer"]["config"].update(use_ema=True), "`use_ema`"),
    (lambda e: e["config"]["layers"].append({"module": "keras.layers", "class_name": "Conv2D",
                                             "config": {}}), "Unknown `layer`: 'Conv2D'"),
    (lambda e: e.update(class_name="Functional"), "Sequential models only"),
    (lambda e: e["config"]["layers"][1]["config"].update(dtype="int8"), "'int8'"),
    (lambda e: e["compile_config"].update(loss_weights=[1.0, 2.0]), "loss_weights"),
    (lambda e: e["config"]["layers"][0]["config"].update(sparse=True), "`sparse`"),
], ids=["lora", "renorm", "ema", "layer", "functional", "dtype", "loss-weights",
        "sparse-input"])
def test_keras_features_minikeras_lacks_are_named(change, match):
    with pytest.raises(ValueError, match=match):
        minikeras.models.model_from_json(_changed(change))
