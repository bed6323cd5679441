"""Export a model for serving: ``model.export("model.onnx", format="onnx")``.

The file is an ONNX graph of the model in inference mode, which ONNX Runtime
(or any ONNX runtime) serves without minikeras. Its input, named ``input``, is
a float32 array of shape ``(batch, *sample_shape)`` with a dynamic ``batch``
axis; its output is named ``output``.

How the graph is built: each layer and activation has a *lowering*, a function
``lower(graph, obj, x) -> y`` that appends the ONNX operators computing ``obj``'s
inference output from the tensor named ``x`` and returns the name of the
result. Lowerings live in one table keyed by class and are registered with
:func:`onnx_lowering`; a model is the chain of its layers' lowerings, and a
layer with an activation lowers it through the same table. A class without a
lowering cannot be exported, and the error names it.

Inference mode means: Dropout and the noise layers are the identity and
vanish; BatchNormalization uses its moving statistics; Normalization and
Rescaling become a subtraction and a division (a multiplication and an
addition) by constants; a model used as a layer is its layers' lowerings in turn. Where a result would
otherwise depend on how a runtime rounds, a lowering repeats minikeras's own
float32 arithmetic step by step (BatchNormalization is ``(x - mean) * inv_std
* gamma + beta`` with ``inv_std`` computed here exactly as ``forward`` does),
so that ONNX Runtime's predictions agree with ``model.predict`` to float32
rounding. Standard ONNX operators are used wherever one computes the same
function (Gemm, Relu, Elu, Softmax, LayerNormalization, ...).

Opset 17 by default, the first with LayerNormalization; ONNX Runtime reads it
from version 1.12 on. The file declares the lowest IR version that opset
needs, so older runtimes load it too.

``onnx`` is an optional dependency (``pip install "minikeras[onnx]"``),
imported only when a model is exported.
"""
import math
import os

import numpy as np

from . import activations as act
from .layers import (ELU, Activation, ActivityRegularization, AlphaDropout, BatchNormalization,
                     Dense, Dropout, Flatten, GaussianDropout, GaussianNoise, InputTensor, Layer,
                     LayerNormalization, LeakyReLU, Normalization, PReLU, ReLU, Rescaling, Reshape,
                     Softmax, UnitNormalization)
from .layers.normalization import EPSILON as NORMALIZATION_EPSILON
from .layers.unit_normalization import EPSILON as UNIT_NORM_EPSILON
from .models import Sequential
from .utils import files

DEFAULT_OPSET = 17
MIN_OPSET = 17  # LayerNormalization first appears in opset 17
FORMATS = ("onnx",)

_LOWERINGS = {}


def onnx_lowering(*classes):
    """Register the decorated function as the ONNX lowering of each of ``classes``.

    The function is called as ``lower(graph, obj, x)`` with the :class:`OnnxGraph`
    being built, the layer or activation ``obj``, and the name of its input
    tensor; it returns the name of its output tensor. The lookup is by exact
    class, so a subclass that changes the math is never exported as its parent.

    Example, for a layer computing ``y = 2 x``::

        @onnx_lowering(Double)
        def _double(graph, layer, x):
            return graph.op("Mul", x, graph.constant("two", 2.0))
    """
    def register(lower):
        for cls in classes:
            _LOWERINGS[cls] = lower
        return lower
    return register


class OnnxGraph:
    """The ONNX nodes and constants of the model being exported.

    Names are scoped by the layer being lowered (``dense/Gemm``,
    ``dense/kernel``), which keeps the graph readable in a viewer such as
    Netron, and made unique with a counter.
    """

    def __init__(self, onnx):
        self._helper, self._numpy_helper = onnx.helper, onnx.numpy_helper
        self.nodes, self.initializers = [], []
        self.layer = None  # the layer being lowered, for names and error messages
        self._used = set()

    def _name(self, base):
        base = f"{self.layer.name}/{base}" if self.layer is not None else base
        name, i = base, 0
        while name in self._used:
            i += 1
            name = f"{base}_{i}"
        self._used.add(name)
        return name

    def constant(self, name, value, dtype=np.float32):
        """Add ``value`` as a constant tensor (float32 unless told) and return its name."""
        name = self._name(name)
        array = np.asarray(value, dtype=dtype)
        self.initializers.append(self._numpy_helper.from_array(array, name))
        return name

    def op(self, op_type, *inputs, output=None, **attributes):
        """Append one ``op_type`` node on the named ``inputs``; return its output's name."""
        output = self._name(output or op_type)
        self.nodes.append(self._helper.make_node(op_type, list(inputs), [output],
                                                 name=output, **attributes))
        return output

    def lower(self, obj, x):
        """Append the operators computing ``obj`` (a layer or an activation) on ``x``."""
        lower = _LOWERINGS.get(type(obj))
        if lower is None:
            is_layer = isinstance(obj, Layer)
            where = "" if is_layer or self.layer is None else f" in layer {self.layer.name!r}"
            label = getattr(obj, "name", None) or type(obj).__name__
            known = sorted(cls.__name__ for cls in _LOWERINGS if issubclass(cls, Layer) == is_layer)
            raise ValueError(
                f"{'Layer' if is_layer else 'Activation'} {label!r} ({type(obj).__name__}){where} "
                f"cannot be exported to ONNX: minikeras has no ONNX lowering for "
                f"{type(obj).__name__}. Exportable: {', '.join(known)}. Register one with "
                f"`@minikeras.export.onnx_lowering({type(obj).__name__})`.")
        return lower(self, obj, x)


def export_onnx(model, filepath, verbose=None, input_signature=None, opset_version=None):
    """Write ``model`` as an ONNX file at ``filepath`` (see the module docstring).

    Args:
        model: a built ``Sequential`` (or one that ``input_signature`` builds).
        filepath: where to write; the write is atomic.
        verbose: print where the file went; default (None) True, as in Keras.
        input_signature: optional ``Input(shape, name=...)`` (or a one-element
            list of it) giving the sample shape and the input's name.
        opset_version: ONNX opset, 17 (the default) or later.

    Raises:
        ImportError: without the ``onnx`` package.
        ValueError: for a model that is not built, an unusable argument, or a
            layer or activation that cannot be exported (named in the message).
    """
    onnx = _import_onnx()
    opset = _check_opset(opset_version, onnx)
    input_name = _apply_input_signature(model, input_signature)
    if not model.built:
        raise ValueError(f"Model {model.name!r} is not built, so its input shape is unknown. "
                         "Start it with `Input(shape)`, call it on data, or pass "
                         "`input_signature=Input(shape)` to `export`.")
    helper = onnx.helper
    graph = OnnxGraph(onnx)
    x = graph._name(input_name)  # reserved, so that no tensor takes the input's name
    for layer in model.layers:
        graph.layer = layer
        x = graph.lower(layer, x)
    graph.layer = None
    output_name = graph.op("Identity", x, output="output")

    def tensor(name, shape):
        return helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT,
                                             ["batch", *shape[1:]])
    onnx_graph = helper.make_graph(graph.nodes, model.name,
                                   [tensor(input_name, model.input_shape)],
                                   [tensor(output_name, model.output_shape)],
                                   initializer=graph.initializers)
    opsets = [helper.make_opsetid("", opset)]
    from . import __version__
    onnx_model = helper.make_model(onnx_graph, opset_imports=opsets, producer_name="minikeras",
                                   producer_version=__version__,
                                   ir_version=helper.find_min_ir_version_for(opsets))
    onnx.checker.check_model(onnx_model, full_check=True)  # a lowering bug fails here, not later
    path = os.fspath(filepath)
    files.write_atomic(path, lambda file: file.write(onnx_model.SerializeToString()))
    if verbose is None or verbose:
        print(f"Saved artifact at '{path}'.")


def _import_onnx():
    try:
        import onnx
    except ImportError as e:
        raise ImportError("Exporting to ONNX needs the `onnx` package, which minikeras does not "
                          "install by default. Install it with: pip install \"minikeras[onnx]\" "
                          "(which brings onnxruntime to serve the file, too).") from e
    return onnx


def _check_opset(opset_version, onnx):
    latest = onnx.defs.onnx_opset_version()
    if opset_version is None:
        return DEFAULT_OPSET
    if isinstance(opset_version, bool) or not isinstance(opset_version, (int, np.integer)) \
            or not MIN_OPSET <= opset_version <= latest:
        raise ValueError(f"`opset_version` must be an integer from {MIN_OPSET} to {latest} "
                         "(the installed onnx's latest). Received: "
                         f"opset_version={opset_version!r}")
    return int(opset_version)


def _apply_input_signature(model, input_signature):
    """Build ``model`` for the signature's shape if needed; return the input's name."""
    if input_signature is None:
        return "input"
    spec = input_signature
    if isinstance(spec, (list, tuple)) and len(spec) == 1:
        spec = spec[0]
    if not isinstance(spec, InputTensor):
        raise ValueError("`input_signature` must be `Input(shape)` or a list holding one (a "
                         "Sequential model has one input). Received: "
                         f"input_signature={input_signature!r}")
    if not model.built:
        model.build(spec.shape)
    elif tuple(model.input_shape) != spec.shape:
        raise ValueError(f"`input_signature` must match the model's input shape "
                         f"{model.input_shape[1:]}. Received: input_signature={spec!r}")
    return spec.name or "input"


# -- layers -----------------------------------------------------------------------

@onnx_lowering(Dense)
def _dense(graph, layer, x):
    """``z = x W + b`` as one Gemm, then the activation."""
    inputs = [x, graph.constant("kernel", layer.kernel.value)]
    if layer.use_bias:
        inputs.append(graph.constant("bias", layer.bias.value))
    return graph.lower(layer.activation, graph.op("Gemm", *inputs))


@onnx_lowering(Activation, ReLU, LeakyReLU, ELU, Softmax)
def _activation_layer(graph, layer, x):
    return graph.lower(layer.activation, x)


@onnx_lowering(Dropout, GaussianNoise, GaussianDropout, AlphaDropout, ActivityRegularization)
def _identity_at_inference(graph, layer, x):
    """Training-only layers are the identity at inference: nothing to emit (a penalty
    belongs to the loss, not to the served model)."""
    return x


@onnx_lowering(Sequential)
def _model(graph, model, x):
    """A model used as a layer: its layers, each lowered under its own name."""
    outer = graph.layer
    for layer in model.layers:
        graph.layer = layer
        x = graph.lower(layer, x)
    graph.layer = outer
    return x


@onnx_lowering(Flatten)
def _flatten(graph, layer, x):
    return graph.op("Flatten", x, axis=1)


@onnx_lowering(Reshape)
def _reshape(graph, layer, x):
    """ONNX Reshape to ``(batch, *target_shape)``: 0 copies the batch axis, -1 is resolved."""
    shape = layer.compute_output_shape(layer.build_input_shape)[1:]
    return graph.op("Reshape", x, graph.constant("shape", [0, *shape], dtype=np.int64))


@onnx_lowering(Rescaling)
def _rescaling(graph, layer, x):
    """``x * scale + offset``."""
    y = graph.op("Mul", x, graph.constant("scale", layer.scale))
    return graph.op("Add", y, graph.constant("offset", layer.offset))


@onnx_lowering(Normalization)
def _normalization(graph, layer, x):
    """``(x - mean) / s`` (inverted: ``mean + x * s``), ``s = max(sqrt(variance), 1e-7)``
    computed here in float32 exactly as ``forward`` does: the statistics are constants."""
    mean = layer.mean.astype(np.float32)
    std = np.maximum(np.sqrt(layer.variance.astype(np.float32)),
                     np.float32(NORMALIZATION_EPSILON))
    if layer.invert:
        return graph.op("Add", graph.constant("mean", mean),
                        graph.op("Mul", x, graph.constant("std", std)))
    return graph.op("Div", graph.op("Sub", x, graph.constant("mean", mean)),
                    graph.constant("std", std))


@onnx_lowering(UnitNormalization)
def _unit_normalization(graph, layer, x):
    """``x * (1 / sqrt(max(sum(x**2), 1e-24)))``, as ``forward`` takes it."""
    squares = graph.op("ReduceSum", graph.op("Mul", x, x),
                       graph.constant("axes", layer._axes, dtype=np.int64), keepdims=1)
    floor = graph.constant("floor", UNIT_NORM_EPSILON ** 2)
    norm = graph.op("Sqrt", graph.op("Max", squares, floor))
    return graph.op("Mul", x, graph.op("Reciprocal", norm))


@onnx_lowering(PReLU)
def _prelu(graph, layer, x):
    """ONNX PRelu: ``x`` where ``x >= 0``, else ``alpha * x`` (the same where ``x = 0``)."""
    return graph.op("PRelu", x, graph.constant("alpha", layer.alpha.value))


@onnx_lowering(BatchNormalization)
def _batch_normalization(graph, layer, x):
    """``(x - moving_mean) * inv_std * gamma + beta``, each step as ``forward`` takes it.

    ``inv_std = 1 / sqrt(moving_variance + epsilon)`` is computed here in the
    weights' float32, the same numbers ``forward`` uses. (ONNX's own
    BatchNormalization operator folds the steps differently and would round
    differently.)
    """
    input_shape = layer.build_input_shape
    axis = layer.axis % len(input_shape)
    # The per-feature vectors, shaped to broadcast along `axis`: (1, features) for 2-D inputs.
    shape = tuple(input_shape[a] if a == axis else 1 for a in range(len(input_shape)))
    inv_std = 1 / np.sqrt(layer.moving_variance.value + layer.epsilon)
    y = graph.op("Sub", x, graph.constant("moving_mean", layer.moving_mean.value.reshape(shape)))
    y = graph.op("Mul", y, graph.constant("inv_std", inv_std.reshape(shape)))
    if layer.scale:
        y = graph.op("Mul", y, graph.constant("gamma", layer.gamma.value.reshape(shape)))
    if layer.center:
        y = graph.op("Add", y, graph.constant("beta", layer.beta.value.reshape(shape)))
    return y


@onnx_lowering(LayerNormalization)
def _layer_normalization(graph, layer, x):
    """ONNX LayerNormalization, which normalizes the trailing axes from ``axis`` on.

    Normalized axes that are not trailing are moved to the end first (in
    sorted order, the order of gamma's axes) and moved back after.
    """
    input_shape = layer.build_input_shape
    ndim = len(input_shape)
    axes = sorted(a % ndim for a in (layer.axis if isinstance(layer.axis, list) else
                                     [layer.axis]))
    kept = [a for a in range(ndim) if a not in axes]
    perm = kept + axes
    moved = perm != list(range(ndim))
    if moved:
        x = graph.op("Transpose", x, perm=perm)
    gamma = layer.gamma.value if layer.scale else np.ones([input_shape[a] for a in axes])
    inputs = [x, graph.constant("gamma", gamma)]
    if layer.center:
        inputs.append(graph.constant("beta", layer.beta.value))
    y = graph.op("LayerNormalization", *inputs, axis=len(kept), epsilon=layer.epsilon)
    if moved:
        y = graph.op("Transpose", y, perm=np.argsort(perm).tolist())
    return y


# -- activations ----------------------------------------------------------------------

def _unary(op_type, **attributes):
    """The lowering of an activation that one ONNX operator computes."""
    def lower(graph, activation, x):
        return graph.op(op_type, x, **{name: value(activation) if callable(value) else value
                                       for name, value in attributes.items()})
    return lower


onnx_lowering(act.Linear)(lambda graph, activation, x: x)
onnx_lowering(act.Sigmoid)(_unary("Sigmoid"))
onnx_lowering(act.Tanh)(_unary("Tanh"))
onnx_lowering(act.Exponential)(_unary("Exp"))
onnx_lowering(act.Softplus)(_unary("Softplus"))
onnx_lowering(act.Softsign)(_unary("Softsign"))
onnx_lowering(act.LeakyReLU)(_unary("LeakyRelu", alpha=lambda a: a.negative_slope))
onnx_lowering(act.ELU)(_unary("Elu", alpha=lambda a: a.alpha))
onnx_lowering(act.SELU)(_unary("Selu", alpha=act.SELU.alpha, gamma=act.SELU.scale))
onnx_lowering(act.HardSigmoid)(_unary("HardSigmoid", alpha=1 / 6, beta=0.5))


@onnx_lowering(act.ReLU)
def _relu(graph, relu, x):
    """Relu for the plain case; else ``forward``'s three steps (threshold, cap, slope)."""
    if relu._is_plain():
        return graph.op("Relu", x)
    threshold, zero = graph.constant("threshold", relu.threshold), graph.constant("zero", 0.0)
    y = graph.op("Where", graph.op("Greater", x, threshold), x, zero)
    if relu.max_value is not None:
        y = graph.op("Clip", y, zero, graph.constant("max_value", relu.max_value))
    if relu.negative_slope:
        below = graph.op("Min", graph.op("Sub", x, threshold), zero)
        y = graph.op("Add", y, graph.op("Mul", below, graph.constant("negative_slope",
                                                                     relu.negative_slope)))
    return y


@onnx_lowering(act.Softmax)
def _softmax(graph, softmax, x):
    """ONNX Softmax along one axis. Over several axes, they are moved to the end and
    flattened into one, whose Softmax is the same function, then put back."""
    if not isinstance(softmax.axis, list) or len(softmax.axis) == 1:
        return graph.op("Softmax", x, axis=np.ravel(softmax.axis)[0].item())
    layer = graph.layer  # the layer whose output this softmax takes
    ndim = len(layer.compute_output_shape(layer.build_input_shape))
    axes = sorted(a % ndim for a in softmax.axis)
    kept = [a for a in range(ndim) if a not in axes]
    perm = kept + axes
    moved = graph.op("Transpose", x, perm=perm)
    flat = graph.op("Reshape", moved, graph.constant("flat", [0] * len(kept) + [-1],
                                                     dtype=np.int64))
    y = graph.op("Softmax", flat, axis=-1)
    y = graph.op("Reshape", y, graph.op("Shape", moved))
    return graph.op("Transpose", y, perm=np.argsort(perm).tolist())


@onnx_lowering(act.SiLU)
def _silu(graph, silu, x):
    """``x * sigmoid(x)``."""
    return graph.op("Mul", x, graph.op("Sigmoid", x))


@onnx_lowering(act.GELU)
def _gelu(graph, gelu, x):
    """``x/2 * (1 + erf(x / sqrt(2)))``, or ``x * sigmoid(2u)`` when approximate.

    Written out rather than ONNX's Gelu operator, which needs opset 20, and in
    the sigmoid form that ``forward`` uses for the approximation (ONNX's
    ``1 + tanh(u)`` cancels to noise for ``x < -5``).
    """
    if gelu.approximate:
        cube = graph.op("Mul", graph.op("Mul", x, x), x)
        inner = graph.op("Add", x, graph.op("Mul", cube, graph.constant("cubic", gelu._cubic)))
        two_u = graph.op("Mul", inner, graph.constant("two_sqrt_2_over_pi",
                                                      2 * gelu._sqrt_2_over_pi))
        return graph.op("Mul", x, graph.op("Sigmoid", two_u))
    half_x = graph.op("Mul", x, graph.constant("half", 0.5))
    erf = graph.op("Erf", graph.op("Mul", x, graph.constant("sqrt_half", math.sqrt(0.5))))
    return graph.op("Mul", half_x, graph.op("Add", erf, graph.constant("one", 1.0)))
