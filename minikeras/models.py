"""Sequential: a stack of layers, trained with ``compile`` / ``fit``.

One training step, for a minibatch ``(x, y)``:

1. forward: ``a_0 = x``, ``a_l = layer_l.forward(a_{l-1}, training=True)``;
2. loss: ``L = loss(y, a_n) + sum of the weight penalties`` (and of the
   activity penalties ``R(a_l) / batch`` of layers that have one), with
   ``grad = dL/da_n``; when the loss pairs with the output activation (sigmoid
   with binary cross-entropy, softmax with categorical cross-entropy:
   ``Loss.for_output`` decides) the loss is taken on the last layer's logits
   and ``grad = dL/dz_n = (p - y) / batch``;
3. backward: ``grad = layer_l.backward(grad)`` from the last layer to the first
   (``grad + R'(a_l) / batch`` for a layer with an activity penalty), each layer
   writing its weights' gradients, to which the penalties' gradients are then added;
4. update: ``optimizer.apply(trainable variables)``, in place, then each weight's
   constraint, if it has one.

``fit``, ``evaluate`` and ``predict`` share one shape, Keras's: an
:class:`~minikeras.utils.batching.EpochIterator` gives the batches, a
:class:`~minikeras.callbacks.CallbackList` hears every step, the metrics keep
the running logs.
"""
import copy
import json
import numbers
import reprlib
import threading

import numpy as np

from . import config
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import saving
from .backend import as_tensor
from .callbacks import CallbackList, History, NonFiniteLossGuard, ProgbarLogger, keras_logs
from .layers.input_layer import InputLayer, InputTensor
from .layers.layer import Layer, _shape_tuple
from .utils import buffers, registry, serialization, sources, validation
from .utils.batching import EpochIterator
from .utils.py_dataset import BatchStream, PyDataset, is_stream
from .utils.registry import register_model_class, unique_name
from .utils.summary import summary_text
from .variable import assign_all

# Guards `Sequential._trainer`, the thread training a model: a second thread
# trying to train the same model at once is refused rather than corrupting it.
_trainer_lock = threading.Lock()


@register_model_class
class Sequential:
    """A linear stack of layers.

    Example::

        >>> import minikeras as keras
        >>> from minikeras.layers import Dense
        >>> keras.utils.set_random_seed(0)
        >>> (x, y), (x_val, y_val) = keras.datasets.breast_cancer.load_data()
        >>> model = Sequential([keras.Input((30,)), Dense(16, activation="relu"),
        ...                     Dense(1, activation="sigmoid")])
        >>> model.count_params()          # 30 * 16 + 16, then 16 * 1 + 1
        513
        >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        >>> history = model.fit(x, y, epochs=10, batch_size=32, validation_split=0.2, verbose=0)
        >>> loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
        >>> accuracy > 0.9
        True

    A model is also a layer, as in Keras: ``Sequential([model, Softmax()])``
    stacks a softmax on a trained model (see "As a layer of another model" below).

    Args:
        layers: optional list of layers (and an optional leading ``Input``).
        trainable: False freezes every layer (default True).
        name: model name; defaults to ``sequential``, ``sequential_1``, ...
    """

    def __init__(self, layers=None, trainable=True, name=None):
        self.name = name or unique_name("sequential")
        self._layers = []
        self.input_shape = None
        self._input_layer = None  # the InputLayer given, kept for the configuration
        self._input_gradient = False  # nobody needs dL/d(data) of a model on its own
        self._trainable = validation.check_bool(trainable, "trainable")
        self.optimizer = self.loss = None
        self._loss_tracker = self._compile_metrics = None  # see `metrics`
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._trainer = None  # the thread inside `fit`, if any
        for layer in layers or []:
            self.add(layer)

    # -- building ---------------------------------------------------------------

    def add(self, layer):
        """Append ``layer``; build it at once when the input shape is known.

        A first layer that is already built (a ``Normalization`` after ``adapt``,
        a trained model) gives the model its input shape, as an ``Input`` would.

        Raises:
            TypeError: if ``layer`` is not a :class:`Layer`, a model or an ``Input``.
            ValueError: for a duplicate layer name, or an ``Input`` after layers.
        """
        if isinstance(layer, InputTensor):  # Input(shape): the InputLayer it comes from
            layer = InputLayer.of(layer)
        if isinstance(layer, InputLayer):
            if self._layers:
                raise ValueError("`Input` must come before every layer of a Sequential model. "
                                 f"Received it after {len(self._layers)} layer(s).")
            self._set_input(layer)
            return
        if not isinstance(layer, (Layer, Sequential)):
            raise TypeError("`layer` must be a minikeras Layer instance or a model. Received: "
                            f"layer={layer!r} (of type {type(layer).__name__})")
        if layer is self:
            raise ValueError(f"Model {self.name!r} cannot be a layer of itself.")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"All layers in a model must have unique names. The name "
                             f"{layer.name!r} is already used in model {self.name!r}.")
        if not self._layers and self.input_shape is None:
            if isinstance(layer, Layer) and layer._input_shape_arg is not None:
                self._set_input(InputLayer(layer._input_shape_arg))  # Dense(4, input_shape=(30,))
            elif layer.built and layer.build_input_shape is not None:
                self._set_input(InputLayer(layer.build_input_shape[1:]))
        self._layers.append(layer)
        self._mark_first_layer()
        if self.input_shape is not None:
            try:
                self._build_layer(layer, self._shape_before(len(self._layers) - 1))
            except Exception:
                self._layers.pop()  # a layer that cannot build must not stay in the model
                self._mark_first_layer()
                raise

    def pop(self):
        """Remove and return the last layer."""
        if not self._layers:
            raise ValueError(f"Model {self.name!r} has no layers to pop.")
        layer = self._layers.pop()
        self._mark_first_layer()
        return layer

    def build(self, input_shape):
        """Build every layer for inputs of ``input_shape`` (batch axis first, may be None)."""
        shape = _shape_tuple(tuple(input_shape)[1:])
        if self._input_layer is None or self._input_layer.shape != shape:
            self._set_input(InputLayer(shape))
        for i, layer in enumerate(self._layers):
            self._build_layer(layer, self._shape_before(i))

    def _set_input(self, input_layer):
        """Take the input shape from ``input_layer``, kept for the configuration."""
        self._input_layer = input_layer
        self.input_shape = input_layer.batch_shape  # a fixed batch size too, as in Keras

    def _build_layer(self, layer, input_shape):
        if not layer.built:
            layer.build(input_shape)
        elif tuple(layer.build_input_shape[1:]) != tuple(input_shape[1:]):
            raise ValueError(f"Layer {layer.name!r} was built for inputs of shape "
                             f"{layer.build_input_shape}, but receives {input_shape} here.")

    def _shape_before(self, index):
        shape = self.input_shape
        for layer in self._layers[:index]:
            shape = layer.compute_output_shape(shape)
        return shape

    def _mark_first_layer(self):
        for i, layer in enumerate(self._layers):
            layer.input_gradient = i > 0 or self._input_gradient

    @property
    def built(self):
        return self.input_shape is not None and all(layer.built for layer in self._layers)

    @property
    def output_shape(self):
        self._require_built("output_shape")
        return self._shape_before(len(self._layers))

    @property
    def layers(self):
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """Return a layer by its ``name`` or its ``index``."""
        if index is not None:
            if not -len(self._layers) <= index < len(self._layers):
                raise ValueError(f"`index` must be in [0, {len(self._layers)}). Received: "
                                 f"index={index}")
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r}. Layers: {[l.name for l in self._layers]}")

    # -- weights ----------------------------------------------------------------

    @property
    def weights(self):
        return [w for layer in self._layers for w in layer.weights]

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        return [w for layer in self._layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        if not self._trainable:
            return self.weights
        return [w for layer in self._layers for w in layer.non_trainable_weights]

    @property
    def trainable(self):
        """Whether ``fit`` updates the weights; setting it sets every layer's, as in Keras."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = validation.check_bool(value, "trainable")
        for layer in self._layers:
            layer.trainable = self._trainable

    # Keras 3's other names for the same lists.
    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def count_params(self):
        self._require_built("count_params")
        return sum(layer.count_params() for layer in self._layers)

    def get_weights(self):
        """Copies of all weight arrays, layer by layer (kernel ``(in, out)``, then bias)."""
        return [w.value.copy() for w in self.weights]

    def set_weights(self, weights):
        """Load arrays in the order and shapes :meth:`get_weights` returns."""
        variables = self.weights
        if not isinstance(weights, (list, tuple)):
            raise TypeError(f"`weights` must be a list of arrays, as `get_weights()` returns. "
                            f"Received: weights of type {type(weights).__name__}")
        if len(weights) != len(variables):
            raise ValueError(f"`weights` must be a list of {len(variables)} arrays for model "
                             f"{self.name!r}. Received {len(weights)} arrays.")
        assign_all(variables, weights)  # a bad array leaves the model as it was

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print the layer table and parameter counts, as Keras 3's ``summary``.

        Args:
            line_length: width of the table in characters; default: as wide as
                its contents.
            positions: the right edge of each column, as fractions of
                ``line_length`` (all <= 1) or in characters; default
                ``[0.45, 0.80, 1.0]`` (Keras's) when ``line_length`` is given.
            print_fn: called once with the whole text; default ``print``.
            expand_nested: also list the layers of nested models, indented.
            show_trainable: add a "Trainable" column: Y, N, or - for a layer
                without weights.
            layer_range: ``[first, last]`` layer names (regular expressions) of the
                rows to show; default all.
        """
        self._require_built("summary")
        (print_fn or print)(summary_text(self, line_length=line_length, positions=positions,
                                         expand_nested=expand_nested,
                                         show_trainable=show_trainable, layer_range=layer_range))

    def _require_built(self, what):
        if not self.built:
            raise ValueError(f"Model {self.name!r} is not built yet, so `{what}` is unavailable. "
                             "Start the model with `Input(shape)`, give the first layer "
                             "`input_shape=`, call `build(input_shape)`, or fit it on data first.")

    # -- compiling --------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, weighted_metrics=None):
        """Choose the optimizer, the loss and the metrics that ``fit`` and ``evaluate`` use.

        Compiling again replaces all four (the weights are kept); an optimizer
        given by name starts with fresh state.

        Args:
            optimizer: a Keras name (``"sgd"``, ``"adam"``, ``"adamw"``,
                ``"rmsprop"``, ``"adagrad"``, ``"nadam"``, with Keras's default
                arguments), an :class:`~minikeras.optimizers.Optimizer` instance,
                or a ``{"class_name", "config"}`` dict. Default ``"rmsprop"``, as
                in Keras.
            loss: required: a Keras name (``"binary_crossentropy"``,
                ``"categorical_crossentropy"``, ``"sparse_categorical_crossentropy"``,
                ``"mse"``, ``"mae"``, ``"huber"``, ...), a
                :class:`~minikeras.losses.Loss` instance (e.g.
                ``BinaryCrossentropy(from_logits=True)``) or a config dict. It
                decides the form of ``y``: class indices for the sparse loss, else
                one row per sample as wide as the output.
            metrics: a list of metrics logged by ``fit`` and ``evaluate``, each a
                Keras name (``"accuracy"``, ``"mae"``, ``"auc"``, ...), a
                :class:`~minikeras.metrics.Metric` instance or class, or a
                function ``fn(y_true, y_pred)``. ``"accuracy"`` picks binary,
                categorical or sparse accuracy from the shapes, as Keras 3 does.
                They ignore ``sample_weight`` and ``class_weight``. Default None.
            weighted_metrics: like ``metrics``, but weighted by ``sample_weight``
                and ``class_weight`` (as the loss always is). Default None.

        Raises:
            ValueError: when ``loss`` is missing, or a name is unknown (the
                message lists the valid names).
            TypeError: when ``metrics`` or ``weighted_metrics`` is not a list, or
                an optimizer or loss is neither a name nor an instance.

        Warns:
            UserWarning: when the last layer's activation contradicts the loss's
                ``from_logits`` (a softmax output with ``from_logits=True``, a
                linear output with ``from_logits=False``).

        Example::

            >>> import minikeras as keras
            >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
            >>> model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
            ...               loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            ...               metrics=["accuracy"])
            >>> model.optimizer.learning_rate
            0.1
        """
        if loss is None:
            raise ValueError("`loss` must be given to `compile`: a Keras name such as "
                             "'binary_crossentropy' or a Loss instance. Received: loss=None")
        if optimizer is None:  # optimizers.get(None) is None, as Keras's
            raise ValueError("`optimizer` must be a Keras name such as 'adam' or an Optimizer "
                             "instance. Received: optimizer=None")
        optimizer = optimizers_module.get(optimizer)
        loss = losses_module.get(loss)
        metrics = self._resolve_metrics(metrics, "metrics", loss)
        weighted_metrics = self._resolve_metrics(weighted_metrics, "weighted_metrics", loss)
        if self.built:
            validation.check_loss_output(loss, self.output_shape)
        # Assigned only now, so a typo in any argument leaves the model as it was.
        self.optimizer, self.loss = optimizer, loss
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._compile_metrics = None if metrics is None and weighted_metrics is None else \
            CompileMetrics(metrics or [], weighted_metrics or [])
        self.compiled = True
        if self._layers:
            loss.check_output(self._layers[-1].output_activation)

    def _resolve_metrics(self, metrics, argument, loss):
        if metrics is None:
            return None  # not given: `compile` then makes no CompileMetrics, as Keras
        if not isinstance(metrics, (list, tuple)):
            raise TypeError(f"`{argument}` must be a list. Received: "
                            f"{argument}={reprlib.repr(metrics)}")
        if any(m is None for m in metrics):  # metrics.get(None) is None, as Keras's
            raise TypeError(f"`{argument}` must hold metric names, functions or Metric "
                            f"instances. Received: {argument}={reprlib.repr(metrics)}")
        resolved = []
        for i, metric in enumerate(metrics):
            try:
                resolved.append(metrics_module.get(metric))
            except (ValueError, TypeError) as error:
                raise type(error)(f"`{argument}[{i}]`: {error}") from None
        return resolved

    @property
    def metrics(self):
        """What ``fit`` and ``evaluate`` log, as Keras 3 lists it: ``[]`` before ``compile``,
        then the loss's running mean (named ``"loss"``) and, when ``compile`` was given
        ``metrics`` or ``weighted_metrics``, one :class:`CompileMetrics` holding them
        all (named ``"compile_metrics"``; its ``metrics`` lists each one)."""
        if not self.compiled:
            return []
        return [self._loss_tracker] + ([] if self._compile_metrics is None
                                       else [self._compile_metrics])

    @property
    def metrics_names(self):
        """The names of :attr:`metrics`, as Keras 3 gives them: ``["loss", "compile_metrics"]``
        (``["loss"]`` without compiled metrics, ``[]`` before ``compile``). The log keys
        of each metric are those of ``evaluate(..., return_dict=True)``."""
        return [m.name for m in self.metrics]

    def _require_compiled(self, what):
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before `{what}()` on model "
                             f"{self.name!r}.")

    # -- data ---------------------------------------------------------------------

    def _prepare_x(self, x, argument="x", finite=True):
        x = validation.check_array(x, argument, finite=finite)
        if not self.built:
            if not self._layers:
                raise ValueError(f"Model {self.name!r} has no layers. Add layers before use.")
            if x.ndim == 1:  # one number per sample: one feature, as for a built model below
                x = x[:, None]
            self.build((None,) + x.shape[1:])
        x = _match_input_rank(x, self.input_shape)
        validation.check_features(x, self.input_shape, argument)
        return x

    def _prepare_y(self, y, argument="y"):
        output_shape = self.output_shape
        validation.check_loss_output(self.loss, output_shape)
        if self.loss.label_kind == "sparse":
            y = validation.check_array(y, argument, dtype=np.float64)
            return validation.check_sparse_labels(y, output_shape[-1], argument).astype(np.intp)
        y = validation.check_targets(validation.check_array(y, argument), output_shape, argument)
        self.loss.check_labels(y, argument)
        return y

    def _prepare(self, x, y, sample_weight=None, class_weight=None, names=("x", "y")):
        x = self._prepare_x(x, names[0])
        y = self._prepare_y(y, names[1])
        validation.check_same_length(x, y, *names)
        weights = None
        if sample_weight is not None:
            weights = validation.check_sample_weight(sample_weight, len(x))
        if class_weight is not None:
            per_class = self._class_weights(y, class_weight)
            weights = per_class if weights is None else weights * per_class
        return x, y, weights

    def _class_weights(self, y, class_weight):
        """Turn ``{class: weight}`` into one weight per sample (as Keras does): the class
        of a sample is its label, its one-hot row's argmax, or its rounded target."""
        if y.ndim == 1:
            labels, classes = y, self.output_shape[-1]
        elif y.shape[1] > 1:
            labels, classes = y.argmax(axis=1), y.shape[1]
        else:
            labels = np.round(y[:, 0]).astype(np.intp)
            classes = max(2, int(labels.max()) + 1)
        weights = validation.check_class_weight(class_weight, labels, classes)
        return weights.astype(np.dtype(self.weights[0].dtype) if self.weights else float)

    def _data(self, x, y, sample_weight=None, class_weight=None, names=("x", "y")):
        """The data of one loop: arrays in memory checked at once; Dask arrays, memory
        maps and sparse matrices as a source checking each block as it loads it
        (minikeras/utils/sources.py); a generator or PyDataset ``x`` as a BatchStream
        checking each batch as it comes (minikeras/utils/py_dataset.py)."""
        if not is_stream(x):
            return sources.data_source(
                (x, y, sample_weight), lambda x, y, w: self._prepare(x, y, w, class_weight, names),
                names=(*names, "sample_weight"))
        _refuse_with_stream(x, names[0], y=y, sample_weight=sample_weight)

        def prepare(x, y=None, sample_weight=None):
            if y is None:
                raise ValueError("training and evaluation need targets: the batches must be "
                                 "(x, y) or (x, y, sample_weight). Received a batch (x,).")
            return self._prepare(x, y, sample_weight, class_weight)
        return BatchStream(x, prepare, names[0])

    def _fit_data(self, x, y, sample_weight, class_weight, batch_size, shuffle, steps_per_epoch,
                  validation_split, validation_data, validation_batch_size, validation_steps):
        """Check ``fit``'s data arguments; return the training and validation batch iterators.

        ``validation_split`` takes the LAST fraction of the samples, before
        shuffling, as Keras does.
        """
        batch_size = validation.check_int(32 if batch_size is None else batch_size,
                                          "batch_size", 1)
        validation.check_number(validation_split, "validation_split", 0, 1, closed="left")
        data = self._data(x, y, sample_weight, class_weight)
        val = None
        if validation_data is not None:
            val = self._prepare_validation(validation_data)
        elif validation_split and isinstance(data, BatchStream):
            raise ValueError("`validation_split` needs arrays: a generator or a PyDataset cannot "
                             "be split. Pass `validation_data` instead. Received: "
                             f"validation_split={validation_split}, x of type {type(x).__name__}")
        elif validation_split:
            split = int(data.n * (1 - validation_split))
            if split == 0 or split == data.n:
                raise ValueError(f"`validation_split`={validation_split} leaves "
                                 f"{split} of {data.n} samples for training; choose a split "
                                 "that keeps samples on both sides.")
            data, val = data.split(split)
        data = EpochIterator(data, batch_size, shuffle, _steps(steps_per_epoch))
        if val is not None:
            val_batch = validation.check_int(
                batch_size if validation_batch_size is None else validation_batch_size,
                "validation_batch_size", 1)
            val = EpochIterator(val, val_batch, steps_per_epoch=_steps(validation_steps,
                                                                      "validation_steps"))
        return data, val

    def _prepare_validation(self, validation_data):
        if is_stream(validation_data):
            return self._data(validation_data, None, names=("validation_data", "validation_data"))
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("`validation_data` must be a tuple (x_val, y_val) or "
                             "(x_val, y_val, sample_weight_val). Received: a "
                             f"{type(validation_data).__name__}")
        x_val, y_val, *rest = validation_data
        return self._data(x_val, y_val, rest[0] if rest else None,
                            names=("validation_data[0]", "validation_data[1]"))

    def _callbacks(self, callbacks, verbose, epochs, steps, training=False):
        """The CallbackList of one call: the progress bar (when verbose), the user's
        callbacks, and in ``fit`` the NaN guard and the History, in that order."""
        shown = _resolve_verbose(verbose)
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            raise TypeError(f"`callbacks` must be a list of Callback instances. Received: "
                            f"callbacks={callbacks!r}")
        built_in = [NonFiniteLossGuard(), self.history] if training else []
        # Keras's params, in its order; `verbose` as given ("auto" stays "auto").
        return CallbackList(([ProgbarLogger(shown)] if shown else [])
                            + list(callbacks or []) + built_in,
                            model=self, params={"verbose": verbose, "epochs": epochs,
                                                "steps": steps})

    # -- one batch ------------------------------------------------------------------

    def _forward(self, x, training, activity=None):
        """The model's output for ``x``; ``activity``, a dict, receives the output of each
        layer that has an ``activity_regularizer``, inside nested models too."""
        for layer in self._layers:
            if isinstance(layer, Sequential):
                x = layer._forward(x, training, activity)
                continue
            x = layer.forward(x, training=training)
            if activity is not None and layer.activity_regularizer is not None:
                activity[layer] = x
        return x

    def _backward(self, grad, activity, from_logits=False):
        """``dL/dx`` from ``grad``, ``dL/d(output)`` (with ``from_logits``: ``dL/dz`` of the
        output layer's logits), adding ``R'(y) / batch_size`` at each layer ``activity``
        recorded, inside nested models too."""
        for layer in reversed(self._layers):
            if isinstance(layer, Sequential):
                grad = layer._backward(grad, activity, from_logits)
            elif from_logits:
                grad = layer.backward_from_logits(grad)
            else:
                grad = layer.backward(_add_activity_gradient(grad, layer, activity))
            from_logits = False  # only the output layer starts from its logits
        return grad

    def _output_layer(self):
        """The layer that makes the model's output, inside nested models."""
        last = self._layers[-1]
        return last._output_layer() if isinstance(last, Sequential) else last

    def _compute_gradients(self, x, y, sample_weight=None, training=True, variables=None):
        """Forward, loss and backward on one batch: set every ``variable.grad``.

        ``variables`` are the trainable weights, if the caller has listed them already.
        Returns ``(loss, y_pred)``, the loss including the weight penalties.
        """
        activity = {}
        y_pred = self._forward(x, training=training, activity=activity)
        last = self._output_layer()
        # The legal fused pairs (sigmoid + binary, softmax + categorical cross-entropy)
        # start backward from the logits, where dL/dz = (p - y) / batch stays exact;
        # every other pair goes through the output activation's own backward, and so
        # does an output whose activity penalty needs dL/dy.
        fused = None if last in activity else self.loss.for_output(last.output_activation)
        if fused is not None:
            value, grad = fused.value_and_gradient(y, last.logits, sample_weight)
            self._backward(grad, activity, from_logits=True)
        else:
            value, grad = self.loss.value_and_gradient(y, y_pred, sample_weight)
            self._backward(grad, activity)
        value += _activity_penalty(activity)
        for variable in self.trainable_weights if variables is None else variables:
            if variable.regularizer is not None:
                value += variable.regularizer(variable.value)
                variable.grad += variable.regularizer.gradient(variable.value)
        return value, y_pred

    def _loss_value(self, x, y, sample_weight=None, training=False):
        """Forward pass and loss (with penalties), no backward: ``(loss, y_pred)``."""
        activity = {}
        y_pred = self._forward(x, training=training, activity=activity)
        value = self.loss(y, y_pred, sample_weight)
        return value + self._penalty() + _activity_penalty(activity), y_pred

    def _penalty(self):
        return sum(v.regularizer(v.value) for v in self.trainable_weights
                   if v.regularizer is not None)

    def _train_step(self, x, y, sample_weight):
        """One optimizer step; returns the batch loss and the predictions."""
        variables = self.trainable_weights
        loss, y_pred = self._compute_gradients(x, y, sample_weight, variables=variables)
        self.optimizer.apply(variables)
        return loss, y_pred

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """One optimizer step on one batch; returns the batch loss (with penalties)."""
        self._require_compiled("train_on_batch")
        x, y, sample_weight = self._prepare(x, y, sample_weight, class_weight)
        with self._training_thread(), _diverging():
            return self._train_step(x, y, sample_weight)[0]

    # -- the loops -------------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` passes over ``(x, y)`` in shuffled minibatches.

        Each batch is one optimizer step on the batch's loss (each sample's loss
        times its weight, summed and divided by the batch size) plus the weight
        penalties; layers such as Dropout run in training mode. An unbuilt model
        is built from ``x``'s shape.

        Args:
            x: inputs, an array of shape ``(samples,) + input_shape``, cast to
                ``config.floatx()`` (float32 by default); NaN or inf is refused. A
                model whose input is ``(1,)`` also takes a 1-D array, as Keras.
                Data bigger than memory may be a Dask array or a memory map
                (``np.load(path, mmap_mode="r")``), read and checked block by
                block (see minikeras/utils/sources.py); a scipy.sparse matrix
                is read the same way, densified a block at a time; so may ``y``,
                ``sample_weight`` and ``validation_data``. Or, as in Keras, a
                Python generator of ``(x, y)`` or ``(x, y, sample_weight)``
                batches, or a :class:`~minikeras.utils.PyDataset`: they give the
                targets and weights themselves, so ``y``, ``sample_weight``,
                ``batch_size`` and ``validation_split`` do not apply; a generator
                is used up after one pass, so several epochs need
                ``steps_per_epoch`` and a generator that loops forever.
            y: targets, one per sample: for the sparse loss integer class
                labels, shape ``(samples,)``; otherwise rows as wide as the output
                (one-hot rows for categorical cross-entropy; ``(samples,)`` is
                accepted for a one-unit output).
            batch_size: samples per gradient step, a positive integer; the last
                batch of a pass may be smaller. Default None, meaning 32.
            epochs: the epoch to stop before: training runs epochs
                ``initial_epoch``, ..., ``epochs - 1``. Default 1.
            verbose: ``"auto"`` (the default) means 1, as in Keras; 0 prints
                nothing; 1 draws a progress bar per epoch, redrawn in place on a
                terminal or in a notebook, and written once as a single line at
                each epoch's end into a file or a pipe; 2 prints one line per epoch
                without the bar.
            callbacks: a list of :class:`~minikeras.callbacks.Callback` that hear
                every epoch and batch; ``fit`` adds the progress bar (when
                verbose), a :class:`~minikeras.callbacks.History` and a check that
                warns once if the loss stops being finite. Default None.
            validation_split: fraction in [0, 1) of the samples held out for
                validation: the LAST ones, taken before shuffling, as Keras does,
                so shuffle ordered data (sorted by class) first. Default 0.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val,
                sample_weight_val)``, or a generator or PyDataset of such batches,
                evaluated at the end of each epoch; it takes precedence over
                ``validation_split``. Default None.
            shuffle: draw a new order of the training samples for every pass
                (from minikeras's generator, see ``utils.set_random_seed``); for a
                PyDataset, a new order of its batches. Default True.
            class_weight: ``{class index: weight}`` multiplying each sample's loss
                by its class's weight; every class in ``y`` needs one (the class is
                the label, the argmax of a one-hot row, or the rounded value of a
                single output). Default None.
            sample_weight: one weight per training sample, shape ``(samples,)``,
                multiplying its loss (and ``class_weight``'s factor, when both are
                given); it also weights ``weighted_metrics``. Default None.
            initial_epoch: the epoch to start at, to resume a run; the epoch
                numbers callbacks and the progress bar see start here. Default 0.
            steps_per_epoch: batches per epoch; a pass left unfinished continues
                in the next epoch. Default None: one pass over the data.
            validation_steps: validation batches per evaluation. Default None: all.
            validation_batch_size: samples per validation batch. Default None:
                ``batch_size``.
            validation_freq: validate every that many epochs (after epochs
                ``validation_freq``, ``2 * validation_freq``, ...). Default 1.

        Returns:
            A :class:`~minikeras.callbacks.History` (also kept as
            ``model.history``) whose ``history`` dict maps ``"loss"``, each
            metric's name, and their ``"val_"`` forms when there is validation
            data, to one value per epoch, keys in sorted order as in Keras 3;
            ``history.params`` is ``{"verbose", "epochs", "steps"}`` as Keras's.

        Raises:
            ValueError: when the model is not compiled; when an argument is out
                of range (the message names it, what it expects and what it
                received); when ``x`` or ``y`` does not fit the model or each
                other, or holds NaN or inf; when ``class_weight`` misses a class;
                when a generator or PyDataset ``x`` comes with ``y``,
                ``sample_weight`` or ``validation_split``.
            TypeError: when ``x`` or ``y`` is not numeric, ``callbacks`` is not a
                list, or ``class_weight`` is not a dict.
            RuntimeError: when another thread is training this model.

        Warns:
            NonFiniteLossWarning: once, when the training loss becomes NaN or
                infinite (``callbacks.TerminateOnNaN()`` stops training instead).
            UserWarning: when the data runs out before ``steps_per_epoch``
                batches, or a used-up generator gives an epoch nothing (training
                then stops).

        Example::

            >>> import minikeras as keras
            >>> keras.utils.set_random_seed(0)
            >>> x, y = keras.datasets.moons(200, seed=0)
            >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
            >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            >>> history = model.fit(x, y, epochs=3, batch_size=50, validation_split=0.25,
            ...                     verbose=0)
            >>> sorted(history.history), len(history.history["loss"])
            (['accuracy', 'loss', 'val_accuracy', 'val_loss'], 3)
        """
        self._require_compiled("fit")
        epochs = validation.check_int(epochs, "epochs", 0)
        initial_epoch = validation.check_int(initial_epoch, "initial_epoch", 0)
        validation_freq = validation.check_int(validation_freq, "validation_freq", 1)
        shuffle = validation.check_bool(shuffle, "shuffle")
        data, val = self._fit_data(x, y, sample_weight, class_weight, batch_size, shuffle,
                                   steps_per_epoch, validation_split, validation_data,
                                   validation_batch_size, validation_steps)
        self.history = History()
        callbacks = self._callbacks(callbacks, verbose, epochs, data.steps, training=True)
        running = _RunningLogs(self.metrics)
        self.stop_training = False
        with self._training_thread(), buffers.reuse(), _diverging():
            callbacks.on_train_begin()
            logs = {}
            for epoch in range(initial_epoch, epochs):
                running.reset()
                callbacks.on_epoch_begin(epoch)
                steps_run = 0
                for step, (xb, yb, wb) in data:
                    callbacks.on_train_batch_begin(step)
                    loss, y_pred = self._train_step(xb, yb, wb)
                    running.update(yb, y_pred, loss, wb)
                    steps_run += 1
                    callbacks.on_train_batch_end(step, running.result())
                    if self.stop_training:
                        break
                if steps_run == 0:  # a used-up generator (the iterator warned): nothing to train
                    break
                logs = running.result()
                val_logs = None
                if val is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = self._test_loop(val, callbacks)
                logs.update({f"val_{k}": v for k, v in (val_logs or {}).items()})
                callbacks.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            callbacks.on_train_end(logs)
        return self.history

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss (with weight penalties) and metrics on ``(x, y)``, without training.

        Layers run in inference mode (no dropout, batch normalization with its
        moving statistics). The loss is the mean over all samples of the batch
        losses, weighted by batch size, as Keras computes it.

        Args:
            x: inputs, as for :meth:`fit`; also a generator or a PyDataset of
                ``(x, y)`` or ``(x, y, sample_weight)`` batches.
            y: targets, as for :meth:`fit`.
            batch_size: samples per batch, a positive integer. Default None,
                meaning 32.
            verbose: ``"auto"`` (the default) means 1; 0 prints nothing; 1 draws a
                progress bar (one line at the end in a file or a pipe); 2 prints
                one line at the end.
            sample_weight: one weight per sample, shape ``(samples,)``, weighting
                the loss and the ``weighted_metrics``. Default None.
            steps: evaluate only that many batches. Default None: all.
            callbacks: a list of callbacks whose ``on_test_*`` hooks hear each
                batch. Default None.
            return_dict: return ``{name: value}`` instead of a list. Default False.

        Returns:
            A float, the loss, when there are no metrics; else the list ``[loss,
            *metrics]`` in the order ``compile`` was given them (``metrics``, then
            ``weighted_metrics``, a weighted metric renamed ``weighted_<name>``
            last), as Keras 3; with ``return_dict=True``, the dict ``{name:
            value}`` with its keys in sorted order, as Keras 3. A metric with
            one value per threshold or class gives an array.

        Raises:
            ValueError: when the model is not compiled, an argument is out of
                range, or ``x`` and ``y`` do not fit the model or each other (or
                hold NaN or inf).
            TypeError: when ``x`` or ``y`` is not numeric, or ``callbacks`` is not
                a list.

        Example::

            >>> import numpy as np
            >>> import minikeras as keras
            >>> model = keras.Sequential([keras.Input((2,)),
            ...                           keras.layers.Dense(1, kernel_initializer="zeros")])
            >>> model.compile(loss="mse", metrics=["mae"])
            >>> x, y = np.ones((4, 2)), np.array([1.0, 1.0, 3.0, 3.0])   # predictions: 0
            >>> model.evaluate(x, y, verbose=0)                          # mse 5, mae 2
            [5.0, 2.0]
            >>> model.evaluate(x, y, verbose=0, return_dict=True)
            {'loss': 5.0, 'mae': 2.0}
        """
        self._require_compiled("evaluate")
        batch_size = validation.check_int(32 if batch_size is None else batch_size,
                                          "batch_size", 1)
        data = EpochIterator(self._data(x, y, sample_weight), batch_size,
                             steps_per_epoch=_steps(steps))
        logs = self._test_loop(data, self._callbacks(callbacks, verbose, 1, data.steps))
        if logs is None:
            raise ValueError("`x` gave no batch to evaluate: a Python generator is used up "
                             "after one pass.")
        if return_dict:
            return keras_logs(logs)
        values = _in_keras_order(logs, self.metrics)
        return values[0] if len(values) == 1 else values

    def _test_loop(self, data, callbacks):
        """Evaluate on every batch of ``data``; the logs ``{"loss", metrics...}`` (None when
        ``data`` gave no batch: a used-up generator)."""
        # Metrics of its own: evaluations in other threads (or fit's) never mix with it.
        running = _RunningLogs(copy.deepcopy(self.metrics))
        callbacks.on_test_begin()
        logs = None
        with buffers.inference(), buffers.reuse():
            for step, (xb, yb, wb) in data:
                callbacks.on_test_batch_begin(step)
                loss, y_pred = self._loss_value(xb, yb, wb)
                running.update(yb, y_pred, loss, wb)
                logs = running.result()
                callbacks.on_test_batch_end(step, logs)
        callbacks.on_test_end(logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for ``x``, computed in batches (inference mode).

        No compiled model is needed; an unbuilt one is built from ``x``'s shape.
        Several threads may predict with one model at once.

        Args:
            x: inputs, an array of shape ``(samples,) + input_shape``, cast to
                ``config.floatx()``; NaN or inf is refused, naming the first bad
                sample. As for :meth:`fit`, it may be a Dask array, a memory
                map, a scipy.sparse matrix, or a generator or a PyDataset of
                batches ``(x,)`` (the ``y`` of an ``(x, y)`` batch is ignored).
            batch_size: samples per batch, a positive integer (larger batches
                are faster and take more memory). Default None, meaning 32.
            verbose: ``"auto"`` (the default) means 1; 0 prints nothing; 1 draws a
                progress bar (one line at the end in a file or a pipe); 2 prints
                one line at the end.
            steps: predict only the first that many batches. Default None: all.
            callbacks: a list of callbacks whose ``on_predict_*`` hooks hear each
                batch. Default None.

        Returns:
            An array of shape ``(samples,) + output_shape`` in ``config.floatx()``:
            for a sigmoid or softmax output, probabilities; for a linear one, the
            raw scores.

        Raises:
            ValueError: when the model has no layers, an argument is out of
                range, or ``x`` does not fit the model's input (or holds NaN or
                inf).
            TypeError: when ``x`` is not numeric, or ``callbacks`` is not a list.

        Example::

            >>> import numpy as np
            >>> import minikeras as keras
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
            ...     2, activation="softmax", kernel_initializer="zeros")])
            >>> model.predict(np.ones((4, 3)), verbose=0)     # equal logits: 1/2 each
            array([[0.5, 0.5],
                   [0.5, 0.5],
                   [0.5, 0.5],
                   [0.5, 0.5]], dtype=float32)
        """
        batch_size = validation.check_int(32 if batch_size is None else batch_size,
                                          "batch_size", 1)

        def prepare(x, *targets):  # a stream's batch may carry targets: predict ignores them
            return (self._prepare_x(x, finite=False),)
        if is_stream(x):
            data = BatchStream(x, prepare)
        else:
            data = sources.data_source((x,), prepare, ("x",))
        data = EpochIterator(data, batch_size, steps_per_epoch=_steps(steps))
        callbacks = self._callbacks(callbacks, verbose, 1, data.steps)
        callbacks.on_predict_begin()
        outputs, start = [], 0
        with buffers.inference(), buffers.reuse():
            for step, (batch,) in data:
                callbacks.on_predict_batch_begin(step)
                # Checked here rather than in one pass over all of x: the batch is then
                # still in cache for the first matrix product.
                validation.check_finite(batch, "x", offset=start)
                # A copy: the layers reuse their result arrays for the next batch.
                outputs.append(self._forward(batch, training=False).copy())
                start += len(batch)
                callbacks.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("`x` gave no batch to predict: a Python generator is used up "
                             "after one pass.")
        return np.concatenate(outputs)

    def __call__(self, x, training=False):
        """The model's output for ``x`` (a new array), as in Keras; see ``Layer.__call__``.

        A :class:`~minikeras.backend.Tensor`: a numpy array that also has Keras's ``.numpy()``.
        """
        x = self._prepare_x(x)
        with buffers.inference(not training):
            return as_tensor(self._forward(x, training=training))

    def _training_thread(self):
        """A context in which this thread trains the model; another thread training it is refused."""
        return _Trainer(self)

    # -- as a layer of another model -------------------------------------------------
    # A model follows the layer contract (minikeras/layers/layer.py), so it can be one
    # layer of another model, as in Keras: its forward and backward run its layers in
    # turn, and its weights, parameter count and summary row are its layers' together.

    # A model adds no penalty on its output of its own (its layers may).
    activity_regularizer = None

    @property
    def build_input_shape(self):
        return self.input_shape

    def compute_output_shape(self, input_shape):
        for layer in self._layers:
            input_shape = layer.compute_output_shape(input_shape)
        return tuple(input_shape)

    def forward(self, x, training=False):
        return self._forward(x, training)

    def backward(self, grad):
        return self._backward(grad, {})

    @property
    def output_activation(self):
        return self._layers[-1].output_activation if self._layers else None

    @property
    def logits(self):
        return self._layers[-1].logits

    def backward_from_logits(self, dz):
        return self._backward(dz, {}, from_logits=True)

    @property
    def input_gradient(self):
        """Whether backward returns dL/dx: only inside another model, after its first layer."""
        return self._input_gradient

    @input_gradient.setter
    def input_gradient(self, value):
        self._input_gradient = value
        self._mark_first_layer()

    def get_state(self):
        """Each layer's :meth:`Layer.get_state`, in order (a seeded Dropout's generator)."""
        return {"layers": [layer.get_state() for layer in self._layers]}

    def set_state(self, state):
        """Restore what :meth:`get_state` returned."""
        if not isinstance(state, dict) or not isinstance(state.get("layers"), list) \
                or len(state["layers"]) != len(self._layers):
            raise ValueError(f"Model {self.name!r} keeps one state per layer "
                             f"({len(self._layers)}). Received: {state!r:.100}")
        for layer, layer_state in zip(self._layers, state["layers"]):
            layer.set_state(layer_state)

    # -- configuration (Keras 3's format: see minikeras/utils/serialization.py) ---------

    def get_config(self):
        """The architecture as Keras 3 writes it: ``{"name", "trainable", "dtype", "layers",
        "build_input_shape"}``, the layers listed after an ``InputLayer`` once the input
        shape is known."""
        dtype = self.weights[0].dtype.name if self.weights else config.floatx()
        layers = [serialization.serialize_layer(layer) for layer in self._layers]
        cfg = {"name": self.name, "trainable": self._trainable,
               "dtype": serialization.dtype_policy(dtype), "layers": layers}
        if self.input_shape is not None:
            cfg["layers"] = [serialization.input_layer_entry(self._input_layer)] + layers
            cfg["build_input_shape"] = list(self.input_shape)
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the architecture from :meth:`get_config` (or a config Keras wrote), with
        freshly initialised weights.

        Raises:
            ValueError: for a config that is not a Sequential model's, or a layer or
                feature minikeras does not have (named in the message).
        """
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError("`config` must be a dict from `Sequential.get_config()`, with a "
                             f"'layers' list. Received: config={config!r:.200}")
        name = config.get("name")
        if name is not None and not (isinstance(name, str) and name):
            raise ValueError(f"The model's 'name' must be a non-empty string. Received: "
                             f"{name!r:.100}")
        registry.SCOPED_OBJECTS.append(custom_objects or {})
        try:
            model = cls(name=name)
            for entry in config["layers"]:
                if serialization.is_input_layer(entry):
                    model.add(InputLayer.from_config(entry.get("config")))
                else:
                    model.add(serialization.deserialize_layer(entry))
        finally:
            registry.SCOPED_OBJECTS.pop()
        serialization.policy_dtype(config.get("dtype"), f"Model {model.name!r}")
        if config.get("build_input_shape") is not None and not model.built:
            model.build(serialization.input_shape_from(config["build_input_shape"],
                                                       "build_input_shape"))
        if config.get("trainable", True) is False:  # Keras freezes every layer of the model
            model.trainable = False
        return model

    def get_build_config(self):
        """``{"input_shape": [None, ...]}`` once the input shape is known, else None."""
        return None if self.input_shape is None else {"input_shape": list(self.input_shape)}

    def build_from_config(self, config):
        """Build from :meth:`get_build_config`'s dict."""
        if not isinstance(config, dict):
            raise ValueError(f"`config` must be a dict {{'input_shape': ...}}. Received: "
                             f"config={config!r:.200}")
        self.build(serialization.input_shape_from(config.get("input_shape"), "input_shape"))

    def get_compile_config(self):
        """``compile``'s arguments as Keras 3 writes them, or None if not compiled."""
        return serialization.compile_config(self) if self.compiled else None

    def compile_from_config(self, config):
        """Compile with the arguments :meth:`get_compile_config` (or Keras) wrote."""
        self.compile(**serialization.compile_arguments(config))

    def to_json(self, **kwargs):
        """The model's configuration as a JSON string, as Keras's ``Model.to_json``.

        ``kwargs`` go to ``json.dumps`` (e.g. ``indent=2``). Rebuild it, compiled
        if it was, with fresh weights, by :func:`model_from_json`.
        """
        return json.dumps(serialization.serialize_model(self), **kwargs)

    # -- saving (the formats are described in minikeras/saving.py) -------------------

    def save(self, filepath, overwrite=True):
        """Write architecture, weights, compile settings and optimizer state to one file.

        The format follows the name: ``.keras`` a Keras 3 archive, ``.h5`` Keras's
        legacy HDF5 file (both need ``pip install "minikeras[h5]"``), anything
        else minikeras's own pickle-free archive. The write is atomic: a failure
        midway leaves any previous file intact. Reload with :func:`load_model`.
        """
        saving.save_model(self, filepath, overwrite)

    def export(self, filepath, format="onnx", verbose=None, input_signature=None, **kwargs):
        """Write the model in inference mode for serving, as Keras 3's ``export``.

        ``format="onnx"`` (the only one, hence the default; Keras's is
        ``"tf_saved_model"``) writes an ONNX file that ONNX Runtime serves
        (``pip install "minikeras[onnx]"``); ``opset_version=`` may be given.
        See :mod:`minikeras.export`.
        """
        from . import export
        if format not in export.FORMATS:
            raise ValueError(f"`format` must be one of {list(export.FORMATS)}: minikeras exports "
                             f"ONNX only. Received: format={format!r}")
        export.export_onnx(self, filepath, verbose=verbose, input_signature=input_signature,
                           **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Write only the weights: ``.weights.h5`` as Keras 3 does, other names minikeras's way."""
        saving.save_weights(self, filepath, overwrite)

    def load_weights(self, filepath):
        """Load weights saved by :meth:`save_weights` or :meth:`save`, here or by Keras."""
        saving.load_weights(self, filepath)

    def __repr__(self):
        return f"<Sequential name={self.name}, layers={len(self._layers)}, built={self.built}>"


def load_model(filepath, custom_objects=None, compile=True):
    """Load a model written by ``model.save`` or by Keras (see ``minikeras.saving.load_model``)."""
    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile)


def _activity_penalty(activity):
    """Keras's activity penalty: ``R(y) / batch_size`` for each regularized layer output ``y``."""
    return sum(layer.activity_regularizer(y) / len(y) for layer, y in activity.items())


def _add_activity_gradient(grad, layer, activity):
    """``dL/dy`` of ``layer``'s output with its activity penalty's ``R'(y) / batch_size`` added."""
    if layer not in activity:
        return grad
    y = activity[layer]
    return grad + layer.activity_regularizer.gradient(y) / len(y)


class CompileMetrics(metrics_module.Metric):
    """The metrics ``compile`` was given, as one metric named ``"compile_metrics"`` (Keras 3's).

    ``update_state(y, y_pred, sample_weight)`` feeds every metric, the weight only
    to the ``weighted_metrics``; ``result()`` is a dict ``{log name: value}``, the
    names from :func:`minikeras.metrics.log_names` (``weighted_<name>`` or
    ``<name>_1`` where two would clash).

    Args:
        metrics: the unweighted metric objects.
        weighted_metrics: the metric objects that take ``sample_weight``.

    Attributes:
        metrics: all of them, unweighted first, as Keras's ``CompileMetrics.metrics``.
    """

    def __init__(self, metrics, weighted_metrics):
        self.unweighted_metrics, self.weighted_metrics = list(metrics), list(weighted_metrics)
        self.names = metrics_module.log_names(self.unweighted_metrics, self.weighted_metrics)
        super().__init__(name="compile_metrics")

    @property
    def metrics(self):
        return self.unweighted_metrics + self.weighted_metrics

    def update_state(self, y_true, y_pred, sample_weight=None):
        for metric in self.unweighted_metrics:
            metric.update_state(y_true, y_pred)
        for metric in self.weighted_metrics:
            metric.update_state(y_true, y_pred, sample_weight=sample_weight)

    def result(self):
        results = {}
        for name, metric in zip(self.names, self.metrics):
            value = metric.result()  # an array for metrics with several thresholds or classes
            results[name] = float(value) if np.ndim(value) == 0 else value
        return results

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()

    def get_config(self):
        raise NotImplementedError("CompileMetrics is made by `compile`; it has no config.")


class _RunningLogs:
    """The loss and metrics one loop accumulates, batch by batch (Keras's logs).

    ``metrics`` is :attr:`Sequential.metrics`: the loss tracker, then the
    :class:`CompileMetrics` if any.
    """

    def __init__(self, metrics):
        self.loss_tracker, *self.compiled = metrics
        self.reset()

    def reset(self):
        for metric in (self.loss_tracker, *self.compiled):
            metric.reset_state()

    def update(self, y, y_pred, loss, sample_weight):
        self.loss_tracker.update_state(loss, sample_weight=len(y))
        for metric in self.compiled:
            metric.update_state(y, y_pred, sample_weight)

    def result(self):
        logs = {"loss": float(self.loss_tracker.result())}
        for metric in self.compiled:
            logs.update(metric.result())
        return logs


class _Trainer:
    """Marks ``model`` as trained by this thread for the duration of a ``with`` block."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        me = threading.get_ident()
        with _trainer_lock:
            if self.model._trainer not in (None, me):
                raise RuntimeError(f"Model {self.model.name!r} is being trained in another "
                                   "thread; train one model from one thread at a time (copy "
                                   "it with minikeras.models.clone_model to train another).")
            self._outer, self.model._trainer = self.model._trainer, me

    def __exit__(self, *exc):
        self.model._trainer = self._outer


def _diverging():
    """Training that diverges overflows to inf and NaN on the way, in the forward pass,
    the loss and the optimizer's squares alike: numpy's warnings from each are noise
    beside the one report that matters, fit's NonFiniteLossGuard (or a user's
    TerminateOnNaN) on the loss. Inference keeps numpy's warnings."""
    return np.errstate(over="ignore", invalid="ignore")


def _in_keras_order(logs, metrics):
    """``evaluate``'s list as Keras 3 orders it: the values of the logs named by the
    metrics (the loss, then each compiled metric), then the other keys (renamed
    weighted metrics) in sorted order. Keras repeats a value when two metrics share a
    name; here each log comes once."""
    names = [m.name for metric in metrics
             for m in (metric.metrics if isinstance(metric, CompileMetrics) else [metric])]
    named = [name for name in dict.fromkeys(names) if name in logs]
    return [logs[name] for name in named + sorted(set(logs) - set(named))]


def _match_input_rank(x, input_shape):
    """``x`` with the rank of the model's input, as Keras adjusts it: data missing the
    input's trailing axis of 1 (a 1-D ``x`` for an input ``(1,)``) gains it, and an
    extra trailing axis of 1 is dropped. Anything else is left for the shape check."""
    if x.ndim == len(input_shape) - 1 and input_shape[-1] == 1:
        return x[..., None]
    if x.ndim == len(input_shape) + 1 and x.shape[-1] == 1:
        return x[..., 0]
    return x


def _refuse_with_stream(data, argument, **given):
    """Arguments a generator or PyDataset gives with its batches must not come separately."""
    kind = "PyDataset" if isinstance(data, PyDataset) else "generator"
    for name, value in given.items():
        if value is not None:
            raise ValueError(f"When `{argument}` is a {kind}, `{name}` must not be passed: the "
                             f"{kind} gives it with each batch, (x, y) or (x, y, "
                             f"sample_weight). Received: {name} of type {type(value).__name__}")


def _steps(value, argument="steps_per_epoch"):
    return None if value is None else validation.check_int(value, argument, 1)


def save_model(model, filepath, overwrite=True):
    """``model.save(filepath)``: see :func:`minikeras.saving.save_model`."""
    saving.save_model(model, filepath, overwrite)


def model_from_json(json_string, custom_objects=None):
    """The model ``model.to_json()`` (or Keras's) describes, compiled if it was, with fresh weights.

    Raises:
        ValueError: for text that is not such a configuration.
    """
    if not isinstance(json_string, (str, bytes)):
        raise TypeError("`json_string` must be a str. Received: "
                        f"json_string of type {type(json_string).__name__}")
    try:
        entry = json.loads(json_string)
    except (ValueError, RecursionError) as e:
        raise ValueError(f"`json_string` is not valid JSON: {e}") from None
    registry.SCOPED_OBJECTS.append(custom_objects or {})
    try:
        return serialization.deserialize_model(entry)
    finally:
        registry.SCOPED_OBJECTS.pop()


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialised weights (not compiled).

    As Keras's ``clone_model``: each layer is rebuilt from its config, or by
    ``clone_function(layer)`` when given (which may return the layer itself to share it).

    Args:
        model: a :class:`Sequential`.
        input_tensors: an ``Input(shape)`` for the clone; default the model's input shape.
        clone_function: ``layer -> layer``; default ``type(layer).from_config(layer.get_config())``.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"`model` must be a Sequential model. Received: model={model!r}")
    if input_tensors is not None and not isinstance(input_tensors, (InputTensor, InputLayer)):
        raise TypeError("`input_tensors` must be an `Input(shape)`. Received: "
                        f"input_tensors={input_tensors!r}")
    clone_function = clone_function or (lambda layer: type(layer).from_config(layer.get_config()))
    if input_tensors is None and model.input_shape is not None:
        input_tensors = InputLayer.from_config(model._input_layer.get_config())
    start = [] if input_tensors is None else [input_tensors]
    return type(model)(start + [clone_function(layer) for layer in model.layers], name=model.name)


def _resolve_verbose(verbose):
    if isinstance(verbose, str) and verbose == "auto":
        return 1
    if not isinstance(verbose, numbers.Integral) or verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: "
                         f"verbose={reprlib.repr(verbose)}")
    return int(verbose)
