"""ONNX export: every layer and activation, run in ONNX Runtime, against ``model.predict``.

Agreement is float32 agreement: ``rtol=1e-5`` with ``atol=1e-6``. The small
absolute part is for outputs near zero: ONNX Runtime's Sigmoid is accurate to
about 6e-8 absolute, not relative (it returns 0 where minikeras returns 9e-14
at x = -30), ONNX's Elu is ``exp(x) - 1`` where minikeras uses ``expm1``, and
two BLAS libraries sum a matrix product in different orders.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minikeras
from minikeras import activations, layers
from minikeras.layers import (ELU, Activation, ActivityRegularization, AlphaDropout,
                              BatchNormalization, Dense, Dropout, Flatten, GaussianDropout,
                              GaussianNoise, Input, Layer,
                              LayerNormalization, LeakyReLU, Normalization, PReLU, ReLU,
                              Rescaling, Reshape, Softmax, UnitNormalization)
from minikeras.models import Sequential

ROOT = Path(__file__).resolve().parents[1]
WHY = 'the ONNX extra is not installed (pip install "minikeras[onnx]")'
onnx = pytest.importorskip("onnx", reason=WHY)
ort = pytest.importorskip("onnxruntime", reason=WHY)


def serve(path, x):
    """Predictions of the ONNX file at ``path`` for ``x``, by ONNX Runtime."""
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": np.asarray(x, np.float32)})[0]


def export_and_compare(model, x, tmp_path, **kwargs):
    """Export, validate with the ONNX checker, serve, compare with predict; the ONNX model."""
    path = tmp_path / "model.onnx"
    model.export(path, verbose=False, **kwargs)
    onnx.checker.check_model(str(path), full_check=True)
    expected = model.predict(x, verbose=0)
    np.testing.assert_allclose(serve(path, x), expected, rtol=1e-5, atol=1e-6)
    return onnx.load(str(path))


def data(*shape, scale=2.0, seed=0):
    return (scale * np.random.default_rng(seed).normal(size=shape)).astype(np.float32)


def op_types(onnx_model):
    return [node.op_type for node in onnx_model.graph.node]


# -- activations ------------------------------------------------------------------------

ACTIVATIONS = {
    "linear": activations.Linear(),
    "relu": activations.ReLU(),
    "relu_leaky_capped_shifted": activations.ReLU(negative_slope=0.3, max_value=2.0,
                                                  threshold=0.5),
    "relu_capped": activations.ReLU(max_value=6.0),
    "relu_negative_threshold": activations.ReLU(threshold=-0.5, max_value=1.0),
    "leaky_relu": activations.LeakyReLU(),
    "leaky_relu_0.01": activations.LeakyReLU(negative_slope=0.01),
    "elu": activations.ELU(),
    "elu_alpha_0.5": activations.ELU(alpha=0.5),
    "selu": activations.SELU(),
    "softplus": activations.Softplus(),
    "softsign": activations.Softsign(),
    "silu": activations.SiLU(),
    "gelu": activations.GELU(),
    "gelu_approximate": activations.GELU(approximate=True),
    "sigmoid": activations.Sigmoid(),
    "hard_sigmoid": activations.HardSigmoid(),
    "tanh": activations.Tanh(),
    "exponential": activations.Exponential(),
    "softmax": activations.Softmax(),
}


def test_every_activation_is_covered():
    covered = {type(a) for a in ACTIVATIONS.values()}
    assert set(activations.ALL_ACTIVATIONS.values()) <= covered, \
        f"add {set(activations.ALL_ACTIVATIONS.values()) - covered} to ACTIVATIONS"


@pytest.mark.parametrize("activation", ACTIVATIONS.values(), ids=ACTIVATIONS.keys())
def test_activation_layer(activation, tmp_path):
    # A wide spread of inputs plus the extremes where a naive formula overflows.
    x = np.concatenate([data(64, 16, scale=4.0),
                        np.array([[-1e4, -100, -30, -1e-3, 0, 1e-3, 30, 1e4] * 2], np.float32)])
    export_and_compare(Sequential([Input((16,)), Activation(activation)]), x, tmp_path)


@pytest.mark.parametrize("activation", ACTIVATIONS.values(), ids=ACTIVATIONS.keys())
def test_dense_with_activation(activation, tmp_path):
    model = Sequential([Input((12,)), Dense(9, activation=activation,
                                            bias_initializer="random_normal")])
    onnx_model = export_and_compare(model, data(50, 12, scale=1.0), tmp_path)
    assert op_types(onnx_model)[0] == "Gemm"


@pytest.mark.parametrize("axis", [1, 2, -1], ids=lambda a: f"axis{a}")
def test_softmax_on_an_axis(axis, tmp_path):
    model = Sequential([Input((4, 5)), Activation(activations.Softmax(axis=axis))])
    export_and_compare(model, data(20, 4, 5), tmp_path)


def test_activation_named_by_string(tmp_path):
    model = Sequential([Input((6,)), Dense(5, activation="swish"), Activation("hard_sigmoid")])
    export_and_compare(model, data(30, 6), tmp_path)


# -- layers ---------------------------------------------------------------------------------

def trained(model, x, epochs=2):
    """Fit a few steps on made-up targets, so statistics and weights are not their defaults."""
    y = np.random.default_rng(1).normal(size=(len(x),) + model.output_shape[1:])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y.astype(np.float32), epochs=epochs, batch_size=16, verbose=0)
    return model


def test_every_layer_type_is_covered():
    tested = {Activation, BatchNormalization, Dense, Dropout, Flatten, GaussianNoise,
              LayerNormalization, Reshape, Rescaling, Normalization, GaussianDropout,
              AlphaDropout, UnitNormalization, ReLU, LeakyReLU, ELU, Softmax, PReLU,
              ActivityRegularization}
    every = {obj for obj in vars(layers).values()
             if isinstance(obj, type) and issubclass(obj, Layer) and obj is not Layer}
    assert every <= tested, f"give {every - tested} an ONNX lowering and a test here"


def test_dense_without_bias(tmp_path):
    export_and_compare(Sequential([Input((7,)), Dense(3, use_bias=False)]), data(10, 7), tmp_path)


def test_dense_with_every_keras_argument(tmp_path):
    # Constraints and activity penalties act in training only; a float64 layer is served
    # in float32 like the rest; the exported graph is the inference one.
    from minikeras import constraints, initializers, optimizers
    model = Sequential([
        Input((6,)),
        Dense(5, activation="tanh", kernel_constraint=constraints.MaxNorm(0.8),
              bias_constraint="non_neg", activity_regularizer="l2", kernel_regularizer="l1",
              bias_initializer=initializers.Constant(np.linspace(0, 1, 5)), name="hidden"),
        Dense(2, activation="sigmoid", bias_initializer=None, activity_regularizer="l1",
              dtype="float64", trainable=True)])
    model.compile(optimizers.Adamax(0.05), "binary_crossentropy")
    labels = np.random.default_rng(1).integers(0, 2, size=(32, 2))
    model.fit(data(32, 6), labels, epochs=2, verbose=0)
    export_and_compare(model, data(9, 6), tmp_path)


def test_flatten(tmp_path):
    model = Sequential([Input((4, 3, 2)), Flatten(), Dense(5)])
    onnx_model = export_and_compare(model, data(11, 4, 3, 2), tmp_path)
    assert op_types(onnx_model)[:2] == ["Flatten", "Gemm"]


def test_dropout_and_noise_vanish(tmp_path):
    model = Sequential([Input((8,)), Dropout(0.5), Dense(4), GaussianNoise(0.3), Dropout(0.2),
                        GaussianDropout(0.3), AlphaDropout(0.2), ActivityRegularization(0.1)])
    trained(model, data(64, 8))
    onnx_model = export_and_compare(model, data(40, 8), tmp_path)
    assert op_types(onnx_model) == ["Gemm", "Identity"]


def test_reshape(tmp_path):
    model = Sequential([Input((12,)), Reshape((3, -1)), LayerNormalization(), Reshape((2, 6)),
                        Flatten(), Dense(2)])
    export_and_compare(model, data(9, 12), tmp_path)


@pytest.mark.parametrize("make", [lambda: Rescaling(1 / 255), lambda: Rescaling(
    [0.5, 2.0, -1.0], offset=[1.0, 0.0, -3.0])], ids=["number", "per-feature"])
def test_rescaling_becomes_a_multiplication_and_an_addition(make, tmp_path):
    model = Sequential([Input((3,)), make(), Dense(2)])
    onnx_model = export_and_compare(model, 255 * np.random.default_rng(0).random((20, 3)),
                                    tmp_path)
    assert op_types(onnx_model)[:2] == ["Mul", "Add"]


@pytest.mark.parametrize("make", [
    lambda x: Normalization(),
    lambda x: Normalization(invert=True),
    lambda x: Normalization(axis=None),
    lambda x: Normalization(axis=[1, 2]),
    lambda x: Normalization(axis=1, mean=[1.0, 2.0, 3.0, 4.0], variance=[0.5, 1.0, 2.0, 0.0]),
], ids=["adapted", "invert", "one-statistic", "two-axes", "given"])
def test_normalization_folds_its_statistics_into_constants(make, tmp_path):
    x = data(64, 4, 3) * 5 + 20
    layer = make(x)
    if layer.input_mean is None:
        layer.adapt(x)
    model = Sequential([Input((4, 3)), layer, Flatten(), Dense(2)])
    onnx_model = export_and_compare(model, x[:30], tmp_path)
    assert "Normalization" not in " ".join(op_types(onnx_model))


@pytest.mark.parametrize("axis", [-1, [1, 2]], ids=str)
def test_unit_normalization(axis, tmp_path):
    x = data(20, 3, 4)
    x[0] = 0  # the floor on the norm
    export_and_compare(Sequential([Input((3, 4)), UnitNormalization(axis=axis)]), x, tmp_path)


def test_activation_layers_and_prelu(tmp_path):
    model = Sequential([Input((6,)), Dense(8), ReLU(max_value=1.5, negative_slope=0.1,
                                                    threshold=0.3), Dense(8), LeakyReLU(),
                        Dense(8), ELU(alpha=0.6), Dense(8), PReLU(), Dense(3), Softmax()])
    trained(model, data(64, 6))
    assert np.abs(model.layers[7].alpha.value).max() > 0  # training moved the slopes
    onnx_model = export_and_compare(model, data(40, 6), tmp_path)
    assert "PRelu" in op_types(onnx_model)


def test_prelu_with_shared_axes(tmp_path):
    model = Sequential([Input((3, 4)), PReLU(alpha_initializer="random_normal",
                                               shared_axes=[1])])
    export_and_compare(model, data(10, 3, 4), tmp_path)


@pytest.mark.parametrize("axis", [1, [1, 2], [2, 1], [1, 3]], ids=str)
def test_softmax_layer_axes(axis, tmp_path):
    export_and_compare(Sequential([Input((3, 4, 2)), Softmax(axis=axis)]), data(7, 3, 4, 2),
                       tmp_path)


def test_a_model_inside_a_model(tmp_path):
    inner = Sequential([Input((5,)), Dense(4, activation="tanh"), Dense(3)], name="logits")
    model = Sequential([inner, Softmax()])
    onnx_model = export_and_compare(model, data(12, 5), tmp_path)
    assert op_types(onnx_model) == ["Gemm", "Tanh", "Gemm", "Softmax", "Identity"]


@pytest.mark.parametrize("center,scale", [(True, True), (False, True), (True, False),
                                          (False, False)], ids=["both", "scale", "center", "none"])
def test_batch_normalization_uses_moving_statistics(center, scale, tmp_path):
    model = Sequential([Input((6,)), Dense(5), BatchNormalization(center=center, scale=scale,
                                                                  momentum=0.5)])
    x = data(64, 6) + 3.0
    trained(model, x)
    bn = model.layers[1]
    assert not np.allclose(bn.moving_mean.value, 0)  # the statistics moved during fit
    export_and_compare(model, x, tmp_path)


def test_batch_normalization_on_a_middle_axis(tmp_path):
    model = Sequential([Input((4, 3)), BatchNormalization(axis=1, momentum=0.5), Flatten(),
                        Dense(2)])
    trained(model, data(64, 4, 3) + 1.0)
    export_and_compare(model, data(30, 4, 3) + 1.0, tmp_path)


@pytest.mark.parametrize("axis", [-1, [1, 2], 1, [1, 3]], ids=str)
def test_layer_normalization_axes(axis, tmp_path):
    model = Sequential([Input((3, 4, 5)), LayerNormalization(axis=axis), Flatten(), Dense(2)])
    trained(model, data(32, 3, 4, 5))
    # An offset mean, where a one-pass variance E[x^2] - E[x]^2 would lose digits.
    export_and_compare(model, data(20, 3, 4, 5) + 10.0, tmp_path)


@pytest.mark.parametrize("center,scale", [(False, True), (True, False), (False, False)],
                         ids=["scale", "center", "none"])
def test_layer_normalization_without_center_or_scale(center, scale, tmp_path):
    model = Sequential([Input((6,)), LayerNormalization(center=center, scale=scale), Dense(2)])
    trained(model, data(32, 6))
    export_and_compare(model, data(20, 6), tmp_path)


# -- whole models -------------------------------------------------------------------------

def test_breast_cancer_mlp(tmp_path):
    from minikeras.datasets import breast_cancer
    (x_train, y_train), (x_val, _) = breast_cancer.load_data()
    model = Sequential([Input((30,)), Dense(128, activation="relu"), Dense(64, activation="relu"),
                        Dense(32, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=3, batch_size=32, verbose=0)
    export_and_compare(model, x_val, tmp_path)


def test_mnist_shaped_mlp_with_dropout_and_batch_normalization(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((512, 28, 28), dtype=np.float32)
    y = minikeras.utils.to_categorical(rng.integers(0, 10, 512), 10)
    model = Sequential([Input((28, 28)), Flatten(), Dense(256, activation="relu"),
                        BatchNormalization(), Dropout(0.3), Dense(128, activation="relu"),
                        BatchNormalization(), Dropout(0.3), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    onnx_model = export_and_compare(model, x[:200], tmp_path)
    assert "Dropout" not in op_types(onnx_model)


def test_graph_has_named_input_output_a_dynamic_batch_and_opset_17(tmp_path):
    model = Sequential([Input((5,)), Dense(3, activation="softmax")])
    onnx_model = export_and_compare(model, data(7, 5), tmp_path)
    (inp,), (out,) = onnx_model.graph.input, onnx_model.graph.output
    assert inp.name == "input" and out.name == "output"
    for value, width in ((inp, 5), (out, 3)):
        batch, features = value.type.tensor_type.shape.dim
        assert batch.dim_param == "batch" and features.dim_value == width
        assert value.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert [(o.domain, o.version) for o in onnx_model.opset_import] == [("", 17)]
    assert onnx_model.ir_version == 8  # the lowest that opset 17 needs: old runtimes load it
    path = tmp_path / "model.onnx"
    for batch in (1, 33):
        np.testing.assert_allclose(serve(path, data(batch, 5)), model.predict(data(batch, 5),
                                   verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("opset", [17, 21])
def test_opset_version(opset, tmp_path):
    model = Sequential([Input((4,)), LayerNormalization(), Dense(3, activation="gelu")])
    onnx_model = export_and_compare(model, data(9, 4), tmp_path, opset_version=opset)
    assert onnx_model.opset_import[0].version == opset


def test_input_signature_builds_the_model_and_names_the_input(tmp_path):
    model = Sequential([Dense(3, activation="tanh")])
    path = tmp_path / "named.onnx"
    model.export(path, input_signature=[Input((4,), name="features")], verbose=False)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["features"]
    x = data(6, 4)
    np.testing.assert_allclose(session.run(None, {"features": x})[0], model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_verbose_says_where_the_file_went(tmp_path, capsys):
    path = tmp_path / "m.onnx"
    Sequential([Input((2,)), Dense(1)]).export(path)
    assert capsys.readouterr().out == f"Saved artifact at '{path}'.\n"


def test_export_replaces_an_existing_file(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old")
    model = Sequential([Input((2,)), Dense(1)])
    model.export(path, verbose=False)
    np.testing.assert_allclose(serve(path, data(3, 2)), model.predict(data(3, 2), verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert [p.name for p in tmp_path.iterdir()] == ["m.onnx"]  # no temporary file left


# -- what cannot be exported ------------------------------------------------------------

class Doubling(Layer):
    def forward(self, x, training=False):
        return 2 * x

    def backward(self, grad):
        return 2 * grad


class Cube(activations.ActivationFunction):
    name = "cube"

    def __call__(self, x):
        return x ** 3

    def backward(self, grad, x, y):
        return 3 * grad * x * x


def test_a_layer_without_lowering_is_named_and_nothing_is_written(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"previous")
    model = Sequential([Input((3,)), Dense(2), Doubling(name="twice")])
    with pytest.raises(ValueError, match=r"Layer 'twice' \(Doubling\) cannot be exported to "
                                         r"ONNX.*onnx_lowering\(Doubling\)"):
        model.export(path, verbose=False)
    assert path.read_bytes() == b"previous"


def test_an_activation_without_lowering_is_named_with_its_layer(tmp_path):
    model = Sequential([Input((3,)), Dense(2, activation=Cube(), name="hidden")])
    with pytest.raises(ValueError, match=r"Activation 'cube' \(Cube\) in layer 'hidden' cannot "
                                         r"be exported"):
        model.export(tmp_path / "m.onnx", verbose=False)


def test_a_subclass_is_not_exported_as_its_parent(tmp_path):
    class Halved(Dense):
        def forward(self, x, training=False):
            return super().forward(x, training) / 2

    with pytest.raises(ValueError, match=r"\(Halved\) cannot be exported"):
        Sequential([Input((3,)), Halved(2)]).export(tmp_path / "m.onnx", verbose=False)


def test_a_registered_lowering_makes_a_custom_layer_exportable(tmp_path, monkeypatch):
    from minikeras import export
    monkeypatch.setitem(export._LOWERINGS, Doubling, None)  # removed again after the test
    export.onnx_lowering(Doubling)(
        lambda graph, layer, x: graph.op("Mul", x, graph.constant("two", 2.0)))
    export_and_compare(Sequential([Input((3,)), Doubling(), Dense(2)]), data(5, 3), tmp_path)


@pytest.mark.parametrize("kwargs,match", [
    ({"format": "tf_saved_model"}, r"`format` must be one of \['onnx'\].*"
                                   r"Received: format='tf_saved_model'"),
    ({"opset_version": 13}, r"`opset_version` must be an integer from 17 to \d+.*"
                            r"Received: opset_version=13"),
    ({"input_signature": (4,)}, r"`input_signature` must be `Input\(shape\)`"),
    ({"input_signature": Input((5,))}, r"must match the model's input shape \(4,\)"),
], ids=["format", "opset", "signature_type", "signature_shape"])
def test_bad_arguments(kwargs, match, tmp_path):
    model = Sequential([Input((4,)), Dense(1)])
    with pytest.raises(ValueError, match=match):
        model.export(tmp_path / "m.onnx", verbose=False, **kwargs)


def test_an_unbuilt_model_asks_for_its_input_shape(tmp_path):
    with pytest.raises(ValueError, match=r"not built.*input_signature=Input\(shape\)"):
        Sequential([Dense(2)]).export(tmp_path / "m.onnx", verbose=False)


# -- command line ---------------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "minikeras", *args], cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def test_cli_exports_a_saved_model(tmp_path):
    model = Sequential([Input((6,)), Dense(4, activation="elu"), BatchNormalization(),
                        Dense(2, activation="softmax")])
    trained(model, data(64, 6))
    model.save(tmp_path / "model.keras")
    out = tmp_path / "model.onnx"
    result = run_cli("export", str(tmp_path / "model.keras"), "--format", "onnx", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Saved artifact at '{out}'." in result.stdout
    x = data(25, 6)
    np.testing.assert_allclose(serve(out, x), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_cli_reports_a_missing_model_file(tmp_path):
    result = run_cli("export", str(tmp_path / "nothing.keras"), "--format", "onnx",
                     str(tmp_path / "out.onnx"))
    assert result.returncode == 2                      # a bad argument, as every command says
    assert "nothing.keras" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.onnx").exists()
