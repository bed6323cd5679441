"""The layer contract every block of a minikeras model follows.

A layer's life:

1. ``__init__`` stores and validates its configuration, nothing more;
2. ``build(input_shape)`` creates its weights with :meth:`Layer.add_weight`
   once the input width is known (``Sequential.add`` calls it at once when it can);
3. ``forward(x, training)`` returns the output, and keeps what ``backward``
   needs with :meth:`Layer.save_for_backward` (one slot that each call
   overwrites, never a growing cache);
4. ``backward(grad)`` receives ``dL/d(output)``, writes ``variable.grad`` for
   each of its weights and returns ``dL/d(input)``. It never changes a weight:
   that is the optimizer's job, which is what makes every layer gradient-checkable.

One word each: an array holding a gradient is ``grad`` (``variable.grad``,
``backward(grad)``, as PyTorch's ``.grad``); a method computing one says
``gradient`` (``Loss.gradient``, ``Loss.value_and_gradient``,
``Regularizer.gradient``, ``numerical_gradient``).

A layer never writes into the arrays it receives. Built-in layers get their
result arrays from :meth:`Layer.buffer`, which inside ``fit``, ``evaluate`` and
``predict`` hands back the same arrays batch after batch (the loops use each
result before the next batch; see :mod:`minikeras.utils.buffers`) and a new
array anywhere else, so ``layer(x)`` and ``model(x)`` return the caller's own
arrays. A layer you write may simply allocate. In inference (``predict``,
``evaluate``, ``layer(x)``, ``model(x)``) nothing is kept for backward, so
those calls are re-entrant: several threads may use one model at once.

A layer may also expose the activation it applies last (``output_activation``):
then the loss may start backward from that activation's input, the logits
(:meth:`Layer.backward_from_logits`), which is how sigmoid + binary
cross-entropy and softmax + categorical cross-entropy are fused.

Shapes carry the batch axis first, ``(None, 30)``, as Keras's do: what ``build``
and ``compute_output_shape`` receive, ``build_input_shape`` and
``model.input_shape``. Only what a user writes for one sample leaves it out: the
constructor's ``input_shape=(30,)`` and ``Input(shape=(30,))``. As in Keras 3, a
layer keeps that argument privately (``_input_shape_arg``, which ``Sequential``
reads) and has no public ``input_shape``.
"""
import contextlib
import contextvars
import math
import sys
from abc import ABC, abstractmethod

import numpy as np

from .. import config, random
from ..backend import as_tensor
from ..utils import buffers
from ..utils.registry import keras_snake_case, unique_name
from ..utils.validation import check_bool, check_int, check_name
from ..variable import Variable, assign_all


class Layer(ABC):
    """Base class of all layers.

    Args:
        name: unique name shown by ``summary()``; defaults to the snake-case class
            name made unique (``dense``, ``dense_1``, ...).
        input_shape: optional shape of one sample (without the batch axis), so a
            first layer can be built as soon as it is added to a model.
        input_dim: Keras 2's ``input_shape=(input_dim,)``, still accepted by Keras 3.
        trainable: whether the optimizer updates this layer's weights.
        dtype: the float type of the layer's weights: ``"float32"``, ``"float64"``
            (or a Keras ``DTypePolicy`` config of one of them); default None, the
            default float type (:func:`minikeras.config.floatx`) when the layer is
            built. Computations follow numpy's type promotion.
        activity_regularizer: a penalty on the layer's output ``y``, as in Keras:
            ``R(y) / batch_size`` joins the loss (in ``fit`` and ``evaluate``) and
            ``R'(y) / batch_size`` joins ``dL/dy`` in the training step.
        **kwargs: Keras's arguments for features minikeras does not have, accepted
            at the values that leave them off (e.g. ``lora_rank=None``) and refused,
            naming them, otherwise.
    """

    def __init__(self, name=None, input_shape=None, trainable=True, input_dim=None,
                 dtype=None, activity_regularizer=None, **kwargs):
        from .. import regularizers
        from ..utils import serialization
        serialization.check_keras_arguments(type(self), kwargs, "layer")
        self.name = check_name(name) or unique_name(keras_snake_case(type(self).__name__))
        if input_dim is not None:  # Keras 2's spelling of input_shape=(input_dim,)
            input_shape = (check_int(input_dim, "input_dim", 1),)
        self._input_shape_arg = None if input_shape is None else _shape_tuple(input_shape)
        self.trainable = check_bool(trainable, "trainable")
        self._dtype = _float_dtype(dtype)
        self.activity_regularizer = regularizers.get(activity_regularizer, "activity_regularizer")
        self.built = False
        self._weights = []
        self.build_input_shape = None
        # Sequential clears this on its first layer: nobody needs dL/d(data), and
        # skipping that matrix product saves a third of the first layer's backward.
        self.input_gradient = True
        self.saved = _Saved(self)
        # A layer that draws random numbers (Dropout, GaussianNoise) and was given
        # a `seed` keeps its own generator here; see `rng`.
        self._generator = None

    # -- building -------------------------------------------------------------

    def build(self, input_shape):
        """Create the weights for inputs of ``input_shape`` (batch axis first, may be None).

        Subclasses with weights override this, call :meth:`add_weight`, then
        ``super().build(input_shape)``.
        """
        self.build_input_shape = tuple(input_shape)
        self.built = True

    def add_weight(self, name, shape, initializer=None, regularizer=None, trainable=True,
                   constraint=None, dtype=None):
        """Create, register and return a :class:`Variable` of the layer's :attr:`dtype`,
        or of ``dtype`` when given (e.g. ``"int32"`` for a count).

        ``initializer=None`` means ``"glorot_uniform"``, Keras's default for float
        weights. The ``constraint`` (see :mod:`minikeras.constraints`) is applied
        by the optimizer after each of its steps.
        """
        from .. import initializers
        shape = tuple(shape)
        _charge_weight_budget(self, name, shape)
        dtype = np.dtype(dtype or self.dtype)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > sys.maxsize:
            raise ValueError(f"Layer {self.name!r} cannot create its weight {name!r} of shape "
                             f"{shape}: {nbytes:.3g} bytes are more than numpy can address. "
                             "Check the layer's sizes.")
        try:
            value = initializers.get(initializer or "glorot_uniform")(shape, dtype=dtype.name)
        except MemoryError:
            raise MemoryError(f"Layer {self.name!r} cannot create its weight {name!r} of shape "
                              f"{shape}: {nbytes:.3g} bytes are more than this machine can "
                              "allocate. Check the layer's sizes.") from None
        variable = Variable(value, name=name, trainable=trainable, regularizer=regularizer,
                            constraint=constraint)
        self._weights.append(variable)
        return variable

    @property
    def dtype(self):
        """The float type of the layer's weights, as a name (Keras's ``layer.dtype``)."""
        if self._dtype is not None:
            return self._dtype
        return self._weights[0].dtype.name if self._weights else config.floatx()

    def buffer(self, name, shape, dtype):
        """An array for the intermediate result ``name``: reused from batch to batch inside
        ``fit``, ``evaluate`` and ``predict``, new elsewhere (see :mod:`minikeras.utils.buffers`)."""
        return buffers.buffer((self, name), shape, dtype)

    def save_for_backward(self, **arrays):
        """Keep ``arrays`` for ``backward`` as ``self.saved[name]``, replacing the last call's.

        Nothing is kept in inference (``predict``, ``evaluate``, ``layer(x)``), so
        those calls hold no memory once they return and never disturb training.
        """
        if buffers.recording():
            self.saved = _Saved(self, arrays)

    def __getstate__(self):
        # What backward needs belongs to the last step: a pickled or copied layer
        # starts without it (and stays small).
        return {**self.__dict__, "saved": _Saved(self)}

    def rng(self):
        """The generator this layer draws from: its own if it was given a seed, else minikeras's."""
        return self._generator if self._generator is not None else random.generator()

    def get_state(self):
        """State that is neither a weight nor configuration, as plain data (default: none).

        A layer with its own seeded generator returns that generator's position,
        so that a saved and reloaded model draws the same masks next.
        """
        return {} if self._generator is None else {"generator": self._generator.bit_generator.state}

    def set_state(self, state):
        """Restore what :meth:`get_state` returned."""
        if not isinstance(state, dict) or set(state) != set(self.get_state()):
            raise ValueError(f"Layer `{self.name}` keeps the state {sorted(self.get_state())}. "
                             f"Received: {state!r:.100}")
        if state:
            try:
                self._generator.bit_generator.state = state["generator"]
            except (TypeError, ValueError, KeyError) as e:
                raise ValueError(f"Layer `{self.name}`: invalid generator state ({e}).") from None

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape``; the identity suits shape-preserving layers."""
        return tuple(input_shape)

    # -- computing -------------------------------------------------------------

    @abstractmethod
    def forward(self, x, training=False):
        """Return the layer's output for the batch ``x``."""

    @abstractmethod
    def backward(self, grad):
        """Set the weights' gradients and return ``dL/dx`` from ``grad = dL/dy``.

        When ``input_gradient`` is False (``Sequential`` clears it on its first
        layer, whose input is the data) the layer may skip ``dL/dx`` and return None.
        """

    def __call__(self, x, training=False):
        """The layer's output for ``x``, as in Keras; builds the layer on first use.

        ``training=True`` keeps what ``backward`` needs, as a training step does;
        in inference (the default) the call keeps nothing and is re-entrant. The
        result is a :class:`~minikeras.backend.Tensor`: a numpy array that also
        has Keras's ``.numpy()``.
        """
        if not self.built:
            self.build((None,) + np.shape(x)[1:])
        with buffers.inference(not training):
            return as_tensor(self.forward(x, training=training))

    # -- a fused output ----------------------------------------------------------

    @property
    def output_activation(self):
        """Name of the activation this layer applies last, if it can backpropagate from its
        input (the logits) with :meth:`backward_from_logits`; None if it cannot (the default).
        """
        return None

    @property
    def logits(self):
        """The input of ``output_activation`` in the last training forward pass."""
        raise NotImplementedError(f"{type(self).__name__} has no output activation to skip.")

    def backward_from_logits(self, dz):
        """``backward`` from ``dz = dL/d(logits)``, skipping the output activation.

        The loss hands this gradient over when it is fused with the activation,
        e.g. ``sigmoid(z) - y`` for binary cross-entropy.
        """
        raise NotImplementedError(f"{type(self).__name__} has no output activation to skip.")

    # -- weights -------------------------------------------------------------

    @property
    def weights(self):
        """All variables, in the order Keras lists them (e.g. kernel, then bias)."""
        return list(self._weights)

    @property
    def trainable_weights(self):
        return [w for w in self._weights if w.trainable and self.trainable]

    @property
    def non_trainable_weights(self):
        return [w for w in self._weights if not (w.trainable and self.trainable)]

    # Keras 3's other names for the same lists.
    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def count_params(self):
        """Number of scalars in all the layer's weights."""
        if not self.built:
            raise ValueError(f"Layer `{self.name}` is not built yet, so it has no weights to "
                             "count. Give the model an input shape or call it on data first.")
        return sum(w.size for w in self._weights)

    def get_weights(self):
        """Copies of the weight arrays."""
        return [w.value.copy() for w in self._weights]

    def set_weights(self, weights):
        """Copy ``weights`` (a list of arrays, in :attr:`weights` order) into the layer."""
        if not isinstance(weights, (list, tuple)):
            raise TypeError(f"`weights` must be a list of arrays, as `get_weights()` returns. "
                            f"Received: weights of type {type(weights).__name__}")
        if len(weights) != len(self._weights):
            raise ValueError(f"Layer `{self.name}` expects {len(self._weights)} weight arrays. "
                             f"Received: {len(weights)}")
        assign_all(self._weights, weights)  # a bad array leaves the layer as it was

    def get_config(self):
        """Constructor arguments that rebuild this layer, in Keras 3's shape.

        ``name``, ``trainable`` and the ``dtype`` policy, plus the arguments of
        Keras features minikeras leaves out at their "off" values (see
        ``minikeras.utils.serialization``), so that Keras reads the config.
        Subclasses add their own arguments to this dict.
        """
        from ..utils import serialization
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": serialization.dtype_policy(self.dtype),
                  **serialization.keras_only_arguments(type(self))}
        if self.activity_regularizer is not None:  # Keras writes it only when set
            config["activity_regularizer"] = serialization.serialize(self.activity_regularizer,
                                                                     "regularizer")
        return config

    @classmethod
    def from_config(cls, config):
        """The layer :meth:`get_config` describes; also reads the configs Keras 3 writes.

        Raises:
            ValueError: for a Keras feature minikeras does not have, or a bad value.
        """
        from ..utils import serialization
        return cls(**serialization.layer_arguments(cls, config))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class _Saved(dict):
    """``layer.saved``: what the last forward kept for backward, with a clear error if nothing."""

    def __init__(self, layer, arrays=()):
        super().__init__(arrays)
        self._layer_name = layer.name

    def __missing__(self, key):
        raise RuntimeError(f"Layer `{self._layer_name}` has no {key!r} saved for backward: call "
                           "`forward` (outside inference) before `backward`.")


# While a file loads, the weights its configuration asks for must fit in what the
# file can hold: checked here, before an initializer allocates them, so that a
# crafted configuration (Dense(units=10**9)) cannot make loading allocate gigabytes.
_weight_budget = contextvars.ContextVar("weight_budget", default=None)


@contextlib.contextmanager
def weight_budget(nbytes, source):
    """Inside the block, layers refuse to create more than ``nbytes`` bytes of weights.

    ``source`` names what is being loaded, for the error message.
    """
    token = _weight_budget.set({"left": nbytes, "source": source})
    try:
        yield
    finally:
        _weight_budget.reset(token)


def _charge_weight_budget(layer, name, shape):
    budget = _weight_budget.get()
    if budget is None:
        return
    budget["left"] -= math.prod(shape) * np.dtype(layer.dtype).itemsize
    if budget["left"] < 0:
        raise ValueError(f"Layer {layer.name!r} asks for a weight {name!r} of shape {shape}, "
                         f"more than {budget['source']} can hold: its configuration does not "
                         "match the weights stored.")


def _float_dtype(dtype):
    """The name of the float type ``dtype`` asks for (None stays None): a numpy float
    type, its name, or a Keras ``DTypePolicy`` (object or config) computing in it."""
    if dtype is None:
        return None
    name = dtype
    if isinstance(dtype, dict):  # a DTypePolicy config, as Keras writes it
        inner = dtype.get("config")
        name = inner.get("name") if dtype.get("class_name") in (
            "DTypePolicy", "FloatDTypePolicy") and isinstance(inner, dict) else None
    elif not isinstance(dtype, str):
        name = getattr(dtype, "name", None)  # a Keras DTypePolicy, or a numpy dtype
        if not isinstance(name, str) and isinstance(dtype, type):
            try:
                name = np.dtype(dtype).name  # np.float64 and the like
            except TypeError:
                name = None
    if name in ("float32", "float64"):
        return name
    if name in ("float16", "bfloat16", "mixed_float16", "mixed_bfloat16"):
        raise NotImplementedError(f"`dtype`={name!r} is a Keras feature minikeras does not "
                                  "have: layers compute in float32 or float64.")
    raise ValueError(f"`dtype` must be 'float32' or 'float64' (or a DTypePolicy of one). "
                     f"Received: dtype={dtype!r:.100}")


def _shape_tuple(shape, argument="input_shape"):
    """Validate a sample shape such as ``30`` or ``(28, 28)`` and return it as a tuple."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        dims = ()
    if not dims or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                           and d > 0 for d in dims):
        raise ValueError(f"`{argument}` must be a tuple of positive integers (one sample's "
                         f"shape, without the batch axis). Received: {argument}={shape!r}")
    return tuple(int(d) for d in dims)
