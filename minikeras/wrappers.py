"""scikit-learn estimators around a minikeras ``Sequential``, under the names people already use.

Three families share one estimator core, so they validate, encode targets,
seed, train, pickle and predict the same way and differ only in how they are
configured and how they obtain the network:

* ``MiniKerasClassifier`` / ``MiniKerasRegressor``: scikit-learn's MLP
  defaults (``hidden_layer_sizes``, ``learning_rate``, 100 epochs, Adam) and a
  network built for the task when ``model`` is None;
  ``model(n_features_in, n_outputs, **model__kwargs)`` otherwise.
* ``KerasClassifier`` / ``KerasRegressor``: SciKeras's interface and defaults
  (``model=build_fn``, ``optimizer="rmsprop"``, ``epochs=1``, ``verbose=1``).
  The build function is called with its own parameters only, by keyword: the
  wrapper's extra keyword arguments and ``model__*`` ones, plus ``meta``,
  ``compile_kwargs`` and ``params`` when its signature names them (or takes
  ``**kwargs``). ``meta`` holds what the fit learnt from the data
  (``n_features_in_``, ``target_type_``, ``classes_``, ``n_classes_``,
  ``n_outputs_``, ``n_outputs_expected_``, ``X_dtype_``, ``X_shape_``,
  ``y_dtype_``, ``y_ndim_``) and, beyond SciKeras, the output layer the task
  suggests (``n_outputs``, ``output_activation``, ``loss``).
* ``SKLearnClassifier`` / ``SKLearnRegressor`` / ``SKLearnTransformer``: Keras
  3's ``keras.wrappers`` (``model``, ``warm_start``, ``model_kwargs``,
  ``fit_kwargs``): ``model(X=X, y=y, **model_kwargs)`` returns a compiled
  model; classifiers hand it one-hot ``y``.

Routed parameters, as in SciKeras, reach every part from one flat namespace
(so ``GridSearchCV`` can search them): ``model__units`` goes to the build
function, ``optimizer__beta_1`` to the optimizer, ``loss__label_smoothing`` to
the loss, ``metrics__0__thresholds`` / ``callbacks__patience`` to metrics and
callbacks given as classes (``i__`` picks the i-th), ``compile__*`` to
``compile``, ``fit__*`` to ``Sequential.fit`` and ``predict__*`` to
``Sequential.predict``.

Targets. Classifiers read ``y`` as scikit-learn's ``type_of_target`` does
and train on what the compiled loss takes (``Loss.label_kind``): binary and
multi-class labels of any type become class indices, a 0/1 column or one-hot
rows (one-hot with categorical cross-entropy); ``KerasClassifier`` also takes
one-hot rows and multi-label 0/1 matrices, which pass through as SciKeras's do
(the MiniKeras and SKLearn classifiers take 1-D labels, as ``MLPClassifier``).
``predict`` returns the labels in ``y``'s layout, ``predict_proba`` one column
per class (two for a binary task).

Randomness. ``random_state`` (an int or a ``RandomState``) gives each fit its
own generator through :func:`minikeras.random.using`: the weights, the
shuffling and the dropout masks of that fit come from it and from nothing
else, so fits are bitwise repeatable even when ``GridSearchCV(n_jobs=...)``
runs them side by side in threads, and the process-wide generator is left
alone. ``random_state=None`` draws from the process-wide generator.

Example::

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> clf = make_pipeline(StandardScaler(),
    ...                     MiniKerasClassifier(hidden_layer_sizes=(16,), epochs=20,
    ...                                         random_state=0))
    >>> clf.fit(X, y).predict_proba(X[:2])      # doctest: +SKIP
"""
import copy
import inspect
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted

from . import activations, config, losses, optimizers, random
from .layers import Dense, Input
from .models import Sequential

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6 has it as a method
    def validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)

ROUTES = ("model", "optimizer", "loss", "metrics", "callbacks", "compile", "fit", "predict")
_FLOATS = (np.float64, np.float32)


# -- turning parameters into objects -----------------------------------------------------


def _from_parameter(value, routed, module, base, argument, example, defaults=None):
    """Build a ``base`` object from a name, a class or an instance, applying ``routed`` arguments.

    An instance is rebuilt from its config, so no two fits share its state;
    ``defaults`` apply to names and classes only (an instance keeps its own).
    """
    if isinstance(value, base):
        return type(value).from_config({**value.get_config(), **routed})
    config_ = {**(defaults or {}), **routed}
    if isinstance(value, type) and issubclass(value, base):
        return value(**config_)
    if isinstance(value, str):
        return module.get({"class_name": value, "config": config_})
    raise TypeError(f"`{argument}` must be a name such as {example}, a {base.__name__} class "
                    f"or a {base.__name__} instance. Received: {argument}={value!r}")


def _instantiate(value, routed, argument):
    """Metrics or callbacks given as a list, a dict, a class or an object, SciKeras-style.

    A class is called with the routed arguments meant for it: ``i__name``
    (list position or dict key ``i``) or plain ``name`` (every class). Names and
    objects are kept as they are, so they take no arguments.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        return [_instantiate(item, _routed_under(routed, key), argument)
                for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [_instantiate(item, _routed_under(routed, str(i)), argument)
                for i, item in enumerate(value)]
    plain = {k: v for k, v in routed.items() if "__" not in k}
    if isinstance(value, type):
        return value(**plain)
    if plain:
        raise TypeError(f"`{argument}__*` parameters ({', '.join(plain)}) configure classes, "
                        f"but {value!r} is already an object. Pass its class instead.")
    return value


def _routed_under(routed, key):
    """The routed arguments for item ``key``: its ``key__*`` ones over the shared plain ones."""
    start = key + "__"
    mine = {k[len(start):]: v for k, v in routed.items() if k.startswith(start)}
    return {**{k: v for k, v in routed.items() if "__" not in k}, **mine}


def _store_params(estimator, arguments):
    """``__init__``'s job, as scikit-learn asks: keep every argument unchanged, check nothing.

    ``arguments`` is the constructor's ``locals()``; its ``**kwargs`` (routed
    parameters, a build function's own) become attributes too.
    """
    arguments = dict(arguments)
    extra = arguments.pop("kwargs", {})
    arguments.pop("self")
    arguments.pop("__class__", None)
    vars(estimator).update(arguments, **extra)


def _is_routed(key):
    return "__" in key and key.split("__", 1)[0] in ROUTES


def _accepts(function, name):
    """Whether ``function`` takes a keyword argument ``name`` (by name or through ``**kwargs``)."""
    parameters = inspect.signature(function).parameters.values()
    return any(p.name == name and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               or p.kind == p.VAR_KEYWORD for p in parameters)


def _label_kind(loss):
    """What labels ``loss`` takes: "binary", "categorical", "sparse" or None (real values)."""
    return getattr(loss, "label_kind", None)


def _check_hidden_layer_sizes(sizes):
    """``hidden_layer_sizes`` as a tuple of positive ints (one int means one layer, as in MLP)."""
    one = isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool)
    many = isinstance(sizes, (list, tuple, np.ndarray)) and np.ndim(sizes) == 1
    items = (sizes,) if one else tuple(sizes) if many else None
    if items is None or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool)
                                and s > 0 for s in items):
        raise ValueError("`hidden_layer_sizes` must be a tuple of positive integers, one width "
                         "per hidden layer, such as (100,) or (64, 32). Received: "
                         f"hidden_layer_sizes={sizes!r}")
    return tuple(int(s) for s in items)


def _clone_compiled(model):
    """A new network with ``model``'s architecture and compile settings and fresh weights.

    What ``keras.models.clone_model`` does for a compiled model: the clone's
    weights are drawn anew and its optimizer starts without state.
    """
    clone = Sequential.from_config(model.get_config())
    if model.compiled:
        optimizer = type(model.optimizer).from_config(model.optimizer.get_config())
        loss = type(model.loss).from_config(model.loss.get_config())
        compiled = model._compile_metrics
        clone.compile(optimizer=optimizer, loss=loss,
                      metrics=copy.deepcopy(compiled.unweighted_metrics) if compiled else None,
                      weighted_metrics=copy.deepcopy(compiled.weighted_metrics) if compiled
                      else None)
    return clone


# -- the core every estimator shares ------------------------------------------------------


class _Estimator(BaseEstimator):
    """Validation, targets, seeding, training and prediction, shared by every wrapper.

    A family (MiniKeras, SciKeras, Keras) says how its parameters become a network
    and the arguments of ``fit`` and ``predict``; a task (classifier, regressor)
    says how targets are read, encoded and decoded. Each hook is named and
    documented below where the core calls it.
    """

    # Unrouted extra keyword arguments: rejected (False) or handed to the build function.
    _free_params_to_model = False
    # scikit-learn's "poor_score" tag: set by the families whose defaults train one epoch.
    _poor_score = False

    # -- parameters: the routed ones live beside the constructor's --------------------

    def _extra_params(self):
        """Keyword arguments beyond the signature: neither private nor fitted (``x_``)."""
        named = self._get_param_names()
        return {k: v for k, v in vars(self).items()
                if k not in named and not k.startswith("_") and not k.endswith("_")}

    def get_params(self, deep=True):
        return {**super().get_params(deep=deep), **self._extra_params()}

    def set_params(self, **params):
        extras = [k for k in params if _is_routed(k)
                  or (self._free_params_to_model and k in self._extra_params())]
        for key in extras:
            setattr(self, key, params.pop(key))
        return super().set_params(**params)

    def _routed(self, prefix):
        start = prefix + "__"
        return {k[len(start):]: v for k, v in vars(self).items() if k.startswith(start)}

    def _check_params(self):
        unknown = [k for k in self._extra_params() if not _is_routed(k)]
        if unknown and not self._free_params_to_model:
            raise ValueError(f"Unknown parameter(s) of {type(self).__name__}: {unknown}. "
                             "Extra parameters must be routed, starting with one of "
                             f"{', '.join(p + '__' for p in ROUTES)}")

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self._seed_parameter() is None
        tags.input_tags.sparse = True  # fit and predict read it a block of rows at a time
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": self._seed_parameter() is None}

    def _seed_parameter(self):
        """Hook: the ``random_state`` parameter, or None for a family without one."""
        return self.random_state

    # -- fitting ----------------------------------------------------------------------

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Train a new network (or continue the current one when ``warm_start=True``).

        Args:
            X: array of shape ``(n_samples, n_features)``.
            y: targets, ``(n_samples,)`` or ``(n_samples, n_outputs)``.
            sample_weight: optional weight per sample.
            **kwargs: arguments of ``Sequential.fit`` (``validation_data``,
                ``class_weight``, ``callbacks``...), overriding ``fit__*`` parameters.

        Returns:
            self.
        """
        reset = not (self.warm_start and self.__sklearn_is_fitted__())
        return self._fit(X, y, sample_weight, kwargs, reset=reset)

    def _partial_fit(self, X, y, sample_weight, kwargs, classes=None):
        for argument in ("epochs", "initial_epoch"):
            if argument in kwargs:
                raise ValueError(f"`partial_fit` trains for exactly one epoch from the current "
                                 f"state, so it takes no `{argument}`. Received: "
                                 f"{argument}={kwargs[argument]!r}")
        reset = not self.__sklearn_is_fitted__()
        return self._fit(X, y, sample_weight, {**kwargs, "epochs": 1}, reset=reset,
                         classes=classes, partial=True)

    def initialize(self, X, y=None):
        """Build (and compile) the network for ``(X, y)`` without training it, as SciKeras.

        Useful for a network whose weights come from elsewhere (``model_.set_weights``);
        ``predict`` works afterwards. A later ``fit`` builds anew unless ``warm_start``.
        """
        if y is None:
            raise ValueError(f"`initialize` needs `y`: {type(self).__name__} learns the number "
                             "of outputs (and the classes) from it. Received: y=None")
        self._check_params()
        X, y = self._check_data(X, y, reset=True)
        with random.using(self._generator(reset=True)):
            self._start(X, y)
        return self

    def _fit(self, X, y, sample_weight, kwargs, reset, classes=None, partial=False):
        self._check_params()
        X, y = self._check_data(X, y, reset, classes)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=config.floatx())
        # Everything random in this fit (initial weights, shuffling, dropout
        # masks) draws from this fit's generator, and only in this thread.
        with random.using(self._generator(reset)):
            if reset:
                self._start(X, y)
            fit_kwargs = self._fit_kwargs(X, kwargs)
            sample_weight = self._class_sample_weight(y, sample_weight)
            history = self.model_.fit(X.astype(config.floatx(), copy=False), self._encode(y),
                                      sample_weight=sample_weight, **fit_kwargs)
        self.n_iter_ += len(history.history.get("loss", ()))
        self._record_history(history, reset, partial)
        return self

    def _start(self, X, y):
        """Build and compile a fresh network for the data just read."""
        model = self._new_model(X, y)
        if not isinstance(model, Sequential):
            raise TypeError("`model` must return a minikeras Sequential. Received: "
                            f"{type(model).__name__} from {self.model!r}")
        if not model.built:
            model.build((None, self.n_features_in_))
        if not model.compiled:
            self._compile(model)
        self.model_ = model
        self.n_iter_ = 0
        self._on_model_built()

    def _on_model_built(self):
        """Hook: attributes a family derives from the built network."""

    def _fit_kwargs(self, X, kwargs):
        """Arguments for ``Sequential.fit``: the family's, then ``fit__*``, then ``fit``'s own."""
        fit_kwargs = {**self._fit_defaults(), **self._routed("fit"), **kwargs}
        if fit_kwargs.get("batch_size") == -1:  # SciKeras's "one batch of everything"
            fit_kwargs["batch_size"] = X.shape[0]
        if fit_kwargs.get("validation_data") is not None:
            x_val, y_val, *rest = fit_kwargs["validation_data"]
            x_val = check_array(x_val, dtype=_FLOATS, accept_sparse="csr").astype(
                config.floatx(), copy=False)
            fit_kwargs["validation_data"] = (x_val, self._encode(np.asarray(y_val)), *rest)
        if fit_kwargs.get("class_weight") is not None:
            fit_kwargs["class_weight"] = self._class_weight_by_index(fit_kwargs["class_weight"])
        return fit_kwargs

    def _class_weight_by_index(self, class_weight):
        """Hook: the classifiers key ``class_weight`` by label and translate it here."""
        return class_weight

    def _class_sample_weight(self, y, sample_weight):
        """Hook: SciKeras's ``class_weight`` parameter turns into sample weights here."""
        return sample_weight

    def _record_history(self, history, reset, partial):
        """Keep the per-epoch logs: appended to ``history_`` while the network lives on."""
        if reset:
            self.history_ = {}
        for key, values in history.history.items():
            self.history_.setdefault(key, []).extend(values)

    def _generator(self, reset):
        """The generator this fit draws from.

        ``random_state=s`` starts ``default_rng(s)`` (the stream ``set_seed(s)``
        would give, so a fit matches a script seeded by hand). Continued training
        (``warm_start``, ``partial_fit``) derives its seed from ``(s, n_iter_)``,
        so every call is repeatable without replaying the first epoch's draws.
        ``random_state=None`` keeps drawing from the current generator.
        """
        state = self._seed_parameter()
        if state is None:
            return random.generator()
        if isinstance(state, numbers.Integral) and not isinstance(state, bool) and state >= 0:
            seed = int(state)
        elif isinstance(state, np.random.RandomState):
            seed = int(check_random_state(state).randint(np.iinfo(np.int32).max))
        else:
            raise ValueError("`random_state` must be None, a non-negative integer or a "
                             f"numpy RandomState. Received: random_state={state!r}")
        if not reset:
            seed = int(np.random.SeedSequence([seed, self.n_iter_]).generate_state(1)[0])
        return np.random.default_rng(seed)

    # -- data -----------------------------------------------------------------------

    def _check_data(self, X, y, reset, classes=None):
        """Validate ``X`` and ``y`` as scikit-learn does and read the targets."""
        X, y = validate_data(self, X, y, reset=reset, dtype=_FLOATS, accept_sparse="csr",
                             **self._y_checks)
        if reset:
            self.X_dtype_, self.X_shape_ = X.dtype, X.shape
        self._read_targets(y, reset, classes)
        return X, y

    def _meta(self):
        """What a build function may ask for as ``meta``: SciKeras's keys, then the suggestion."""
        loss = self._make_loss()
        units, activation = self._output_layer(loss)
        return {"n_features_in_": self.n_features_in_, "X_dtype_": self.X_dtype_,
                "X_shape_": self.X_shape_, "y_dtype_": self.y_dtype_, "y_ndim_": self.y_ndim_,
                "target_type_": self.target_type_, **self._target_meta(),
                "n_outputs": units, "output_activation": activation, "loss": loss}

    def _make_loss(self):
        """Hook: the ``loss`` parameter as a Loss object, or None."""
        return None

    # -- inference -------------------------------------------------------------------

    def _network_output(self, X, **kwargs):
        """Validate ``X`` and run the network: ``(outputs, X's float dtype)``."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=_FLOATS, accept_sparse="csr")
        kwargs = {**self._predict_defaults(), **self._routed("predict"), **kwargs}
        if kwargs.get("batch_size") == -1:
            kwargs["batch_size"] = X.shape[0]
        return self.model_.predict(X.astype(config.floatx(), copy=False), **kwargs), X.dtype

    def _outputs_as_targets(self, out):
        """Outputs shaped like the ``y`` of the fit: 1-D for a 1-D ``y`` with one output."""
        if out.size == len(out) * int(np.prod(self._y_shape)):
            return out.reshape((len(out),) + self._y_shape)
        return out


# -- tasks: how targets are read, encoded and decoded --------------------------------------


class _Classification(ClassifierMixin):
    """Labels in, labels out; probabilities in between."""

    _offers_predict_proba = True

    def partial_fit(self, X, y, classes=None, sample_weight=None, **kwargs):
        """One epoch on ``(X, y)``, keeping the current network.

        Args:
            classes: every label later calls may see; needed on the first call
                when ``y`` does not hold them all (default: the labels in ``y``).
        """
        return self._partial_fit(X, y, sample_weight, kwargs, classes=classes)

    def _read_targets(self, y, reset, classes):
        """Learn the classes and how ``y`` lays them out (``_layout``), or check a later ``y``.

        ``_layout`` is "labels" (one label per sample: binary or multi-class),
        "one-hot" (0/1 rows with a single 1), "multilabel" (0/1 rows) or
        "multioutput" (several label columns, SciKeras's "multiclass-multioutput").
        """
        check_classification_targets(y)
        if not reset:
            self._check_later_targets(y)
            return
        target_type = type_of_target(y)
        if classes is not None:
            classes = np.unique(np.asarray(classes))
            if target_type == "binary" and len(classes) > 2:
                target_type = "multiclass"
        if target_type in ("binary", "multiclass"):
            self._layout = "labels"
            self.classes_ = np.unique(y) if classes is None else classes
            if len(self.classes_) < 2:
                raise ValueError("`y` must hold at least 2 classes, but it contains only one "
                                 f"class: {self.classes_[0]!r}")
            self.n_classes_ = len(self.classes_)
        elif target_type == "multiclass-multioutput":
            self._layout = "multioutput"
            self.classes_ = self.n_classes_ = None
        else:  # a multi-label 0/1 matrix, or one-hot rows: one class per column
            self._layout = "one-hot" if np.all(y.sum(axis=1) == 1) else "multilabel"
            self.classes_ = np.arange(y.shape[1])
            self.n_classes_ = y.shape[1]
        self.target_type_, self.y_dtype_, self.y_ndim_ = target_type, y.dtype, y.ndim
        self._y_shape = y.shape[1:]
        self._check_later_targets(y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = self._poor_score
        if self._y_checks.get("multi_output"):  # one-hot, multi-label and multi-output y
            tags.classifier_tags.multi_label = True
            tags.target_tags.multi_output = True
        return tags

    def _check_later_targets(self, y):
        if y.shape[1:] != self._y_shape:
            raise ValueError(f"`y` must have shape (n_samples, {', '.join(map(str, self._y_shape))})"
                             f" as in the first fit. Received: y with shape {y.shape}")
        if self._layout == "labels":
            unseen = np.setdiff1d(y, self.classes_)
            if len(unseen):
                raise ValueError(f"`y` holds labels absent from `classes_` "
                                 f"{self.classes_.tolist()}: {unseen.tolist()}. Pass every "
                                 "label as `classes` to the first `partial_fit`.")

    def _target_meta(self):
        # SciKeras's classifiers count y's columns as one output, whatever their number.
        return {"classes_": self.classes_, "n_classes_": self.n_classes_, "n_outputs_": 1,
                "n_outputs_expected_": 1}

    def _output_layer(self, loss):
        """``(units, activation)`` the task suggests for the output layer under ``loss``."""
        kind = _label_kind(loss)
        if self._layout == "labels":
            binary = self.n_classes_ == 2 and kind in (None, "binary")
            units = 1 if binary else self.n_classes_
            activation = "sigmoid" if units == 1 or kind == "binary" else "softmax"
        elif self._layout == "multilabel":
            units, activation = self.n_classes_, "sigmoid"
        elif self._layout == "one-hot":
            units, activation = self.n_classes_, "sigmoid" if kind == "binary" else "softmax"
        else:
            units, activation = int(np.prod(self._y_shape)), "linear"
        return units, "linear" if getattr(loss, "from_logits", False) else activation

    def _default_loss(self, model):
        """The loss a network gets when nobody named one (the MiniKeras estimators)."""
        if self._layout == "labels":
            return ("binary_crossentropy" if model.output_shape[-1] == 1
                    else "sparse_categorical_crossentropy")
        return "categorical_crossentropy" if self._layout == "one-hot" else "binary_crossentropy"

    def _encode(self, y):
        """Targets as the compiled loss takes them: class indices, a 0/1 column or rows."""
        kind, width = _label_kind(self.model_.loss), self.model_.output_shape[-1]
        if self._layout != "labels":
            y = np.asarray(y, dtype=config.floatx())
            return y.argmax(axis=1) if kind == "sparse" and self._layout == "one-hot" else y
        codes = np.searchsorted(self.classes_, np.ravel(y))
        if kind == "sparse":
            return codes
        if width == 1:
            if self.n_classes_ != 2:
                raise ValueError(f"The network has 1 output, which suits 2 classes, but `y` has "
                                 f"{self.n_classes_}. Give the last layer {self.n_classes_} units.")
            return codes.astype(config.floatx())[:, None]
        if width != self.n_classes_:
            raise ValueError(f"The network has {width} outputs, but `y` has "
                             f"{self.n_classes_} classes.")
        return np.eye(width, dtype=config.floatx())[codes]

    def _targets_for_build(self, y):
        """The ``y`` Keras's SKLearnClassifier hands its build function: one-hot rows."""
        return np.eye(self.n_classes_)[np.searchsorted(self.classes_, np.ravel(y))]

    def _class_weight_by_index(self, class_weight):
        """``class_weight`` keyed by label, as the user knows them, to class indices."""
        if not isinstance(class_weight, dict):
            raise TypeError("`class_weight` must be a dict {label: weight}. Received: "
                            f"class_weight={class_weight!r}")
        unknown = [k for k in class_weight if not np.isin(k, self.classes_)]
        if unknown:
            raise ValueError(f"`class_weight` keys must be labels in `classes_` "
                             f"{self.classes_.tolist()}. Received unknown keys {unknown}")
        return {int(np.searchsorted(self.classes_, k)): w for k, w in class_weight.items()}

    @available_if(lambda self: self._offers_predict_proba)
    def predict_proba(self, X):
        """Probability of each class, ``(n_samples, n_classes)``, in ``X``'s float dtype.

        A single sigmoid output becomes two columns ``[1 - p, p]``; a network
        trained on logits (``from_logits=True``) gets its sigmoid or softmax here.
        """
        return self._probabilities(X)

    def _probabilities(self, X):
        out, dtype = self._network_output(X)
        loss = self.model_.loss
        if getattr(loss, "from_logits", False):
            binary = _label_kind(loss) == "binary" or out.shape[1] == 1
            out = activations.get("sigmoid" if binary else "softmax")(out)
        if out.shape[1] == 1 and self._layout == "labels":
            out = np.hstack([1 - out, out])
        return out.astype(dtype, copy=False)

    def predict(self, X):
        """Labels in ``y``'s layout: one of ``classes_`` per sample, one-hot rows or 0/1 rows."""
        proba = self._probabilities(X)
        if self._layout == "labels":
            return self._outputs_as_targets(self.classes_[np.argmax(proba, axis=1)])
        if self._layout == "one-hot":
            return np.eye(proba.shape[1], dtype=int)[np.argmax(proba, axis=1)]
        if self._layout == "multilabel":
            return (proba > 0.5).astype(int)
        raise NotImplementedError("Class predictions are not defined for 'multiclass-multioutput' "
                                  "targets; use `predict_proba` for the network's outputs.")


class _RealTargets:
    """Real-valued targets, one or several columns (regressors and the transformer)."""

    def _read_targets(self, y, reset, classes):
        if not reset:
            if y.shape[1:] != self._y_shape:
                raise ValueError(f"`y` must have {self._y_width()} output(s), as in the first "
                                 f"fit. Received: y with shape {y.shape}")
            return
        self.target_type_ = type_of_target(y)
        self.y_dtype_, self.y_ndim_, self._y_shape = y.dtype, y.ndim, y.shape[1:]

    def _y_width(self):
        return int(np.prod(self._y_shape))

    def _target_meta(self):
        return {"n_outputs_": self._y_width(), "n_outputs_expected_": 1}

    def _output_layer(self, loss):
        return self._y_width(), "linear"

    def _default_loss(self, model):
        return "mean_squared_error"

    def _encode(self, y):
        return np.asarray(y, dtype=config.floatx()).reshape(len(y), -1)

    def _targets_for_build(self, y):
        return y.reshape(len(y), -1)


class _Regression(RegressorMixin, _RealTargets):
    """A regressor: ``predict`` and ``partial_fit`` on real-valued targets."""

    def partial_fit(self, X, y, sample_weight=None, **kwargs):
        """One epoch on ``(X, y)``, keeping the current network."""
        return self._partial_fit(X, y, sample_weight, kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.regressor_tags.poor_score = self._poor_score
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {**super()._more_tags(), "multioutput": True}

    def predict(self, X):
        """Predicted targets in ``y``'s layout (1-D for a 1-D ``y``), in ``X``'s float dtype."""
        out, dtype = self._network_output(X)
        return self._outputs_as_targets(out).astype(dtype, copy=False)


# -- families: how parameters become a network --------------------------------------------


class _Compiling(_Estimator):
    """Families that compile the network themselves from ``optimizer``, ``loss``, ``metrics``."""

    def _compile(self, model):
        loss = self._make_loss()
        if loss is None:
            loss = self._missing_loss(model)
        metrics = _instantiate(self.metrics, self._routed("metrics"), "metrics")
        model.compile(optimizer=self._make_optimizer(), loss=loss, metrics=metrics,
                      **self._routed("compile"))

    def _make_optimizer(self):
        """A new optimizer each fit: an instance given as ``optimizer`` is copied, not shared."""
        return _from_parameter(self.optimizer, self._routed("optimizer"), optimizers,
                               optimizers.Optimizer, "optimizer", "'adam'",
                               defaults=self._optimizer_defaults())

    def _optimizer_defaults(self):
        return {}

    def _make_loss(self):
        if self.loss is None:
            return None
        return _from_parameter(self.loss, self._routed("loss"), losses, losses.Loss, "loss",
                               "'mse'")

    def _callbacks(self):
        """``callbacks``, with classes instantiated from the ``callbacks__*`` parameters."""
        return _instantiate(self.callbacks, self._routed("callbacks"), "callbacks")


class _MiniKeras(_Compiling):
    """scikit-learn's MLP conventions, a network built for the task unless ``model`` is given."""

    def _new_model(self, X, y):
        units, out_activation = self._output_layer(self._make_loss())
        if self.model is None:
            sizes = _check_hidden_layer_sizes(self.hidden_layer_sizes)
            return Sequential([Input((self.n_features_in_,))]
                              + [Dense(size, activation=self.activation) for size in sizes]
                              + [Dense(units, activation=out_activation)])
        if not callable(self.model):
            raise TypeError("`model` must be None or a function "
                            "`model(n_features_in, n_outputs, **model__kwargs)` returning a "
                            f"Sequential. Received: model={self.model!r}")
        kwargs = self._routed("model")
        if "meta" in inspect.signature(self.model).parameters:
            kwargs["meta"] = self._meta()
        return self.model(self.n_features_in_, units, **kwargs)

    def _check_params(self):
        super()._check_params()
        if self.model is None and self._routed("model"):
            raise ValueError(f"`model__*` parameters ({', '.join(self._routed('model'))}) go "
                             "to the `model` function, but model=None. Pass a function as "
                             "`model`, or describe the network with `hidden_layer_sizes`.")
        if self.model is None:
            _check_hidden_layer_sizes(self.hidden_layer_sizes)

    def _missing_loss(self, model):
        return self._default_loss(model)

    def _optimizer_defaults(self):
        return {"learning_rate": self.learning_rate}

    def _on_model_built(self):
        self.n_outputs_ = self.model_.output_shape[-1]

    def _fit_defaults(self):
        return {"batch_size": self.batch_size, "epochs": self.epochs,
                "validation_split": self.validation_split, "shuffle": self.shuffle,
                "callbacks": self._callbacks(), "verbose": self.verbose}

    def _predict_defaults(self):
        return {"batch_size": self.batch_size, "verbose": 0}

    def _record_history(self, history, reset, partial):
        super()._record_history(history, reset, partial)
        self.loss_curve_ = self.history_.get("loss", [])
        self.validation_loss_curve_ = self.history_.get("val_loss")


class _SciKeras(_Compiling):
    """SciKeras's ``KerasClassifier`` / ``KerasRegressor`` conventions."""

    _free_params_to_model = True
    _poor_score = True

    @property
    def initialized_(self):
        """Whether the network exists (``fit`` or ``initialize`` was called)."""
        return self.__sklearn_is_fitted__()

    @property
    def current_epoch(self):
        """Epochs in ``history_``: how far the last ``fit`` and later ``partial_fit`` got."""
        return len(getattr(self, "history_", {}).get("loss", ()))

    def _build_function(self):
        if self.model is None and self.build_fn is not None:
            warnings.warn("`build_fn` is SciKeras's former name of `model`: pass "
                          "`model=build_fn` instead.", UserWarning, stacklevel=5)
            return self.build_fn
        if self.model is None:
            if hasattr(self, "_keras_build_fn"):
                return self._keras_build_fn
            raise ValueError(f"{type(self).__name__} needs `model`: a function returning a "
                             "Sequential, or a Sequential. Received: model=None")
        return self.model

    def _new_model(self, X, y):
        build = self._build_function()
        if isinstance(build, Sequential):
            # SciKeras trains the given object itself; a copy leaves the parameter
            # untouched, as scikit-learn asks, and refits start from the same weights.
            return copy.deepcopy(build)
        if not callable(build):
            raise TypeError("`model` must be a function returning a Sequential, or a "
                            f"Sequential. Received: model={build!r}")
        kwargs = {k: v for k, v in self._extra_params().items() if not _is_routed(k)}
        kwargs.update(self._routed("model"))
        for name, make in (("meta", self._meta), ("compile_kwargs", self._compile_kwargs),
                           ("params", self.get_params)):
            if _accepts(build, name):
                kwargs[name] = make()
        return build(**kwargs)

    def _compile_kwargs(self):
        """What SciKeras hands a build function that compiles the model itself."""
        return {"optimizer": self._make_optimizer(), "loss": self._make_loss(),
                "metrics": _instantiate(self.metrics, self._routed("metrics"), "metrics"),
                **self._routed("compile")}

    def _missing_loss(self, model):
        raise ValueError(f"{type(self).__name__} needs a loss: pass `loss` (such as "
                         "loss='binary_crossentropy'), or compile the model in the `model` "
                         "function.")

    def _on_model_built(self):
        for key, value in self._meta().items():
            if key.endswith("_"):
                setattr(self, key, value)

    def _fit_defaults(self):
        defaults = {"batch_size": self.batch_size, "epochs": self.epochs,
                    "validation_split": self.validation_split, "shuffle": self.shuffle,
                    "verbose": self.verbose, "callbacks": self._callbacks()}
        if self.validation_batch_size is not None:
            defaults["validation_batch_size"] = self.validation_batch_size
        return defaults

    def _predict_defaults(self):
        return {"batch_size": self.batch_size, "verbose": self.verbose}

    def _record_history(self, history, reset, partial):
        # SciKeras starts the history anew with each `fit`; `partial_fit` appends.
        super()._record_history(history, reset or not partial, partial)


class _KerasWrapper(_Estimator):
    """Keras 3's ``keras.wrappers`` conventions: a compiled model from ``model(X=, y=)``."""

    _poor_score = True

    def _seed_parameter(self):
        return None  # Keras's wrappers have no random_state: seed with set_random_seed

    def _new_model(self, X, y):
        if isinstance(self.model, Sequential):
            return _clone_compiled(self.model)
        if not callable(self.model):
            raise TypeError("`model` must be a compiled Sequential or a function "
                            "`model(X=X, y=y, **model_kwargs)` returning one. Received: "
                            f"model={self.model!r}")
        return self.model(X=X, y=self._targets_for_build(y), **(self.model_kwargs or {}))

    def _compile(self, model):
        raise RuntimeError("Given model needs to be compiled, and have a loss and an optimizer: "
                           "call `model.compile(...)` in the `model` function.")

    def _fit_defaults(self):
        return dict(self.fit_kwargs or {})

    def _predict_defaults(self):
        return {}

    def _record_history(self, history, reset, partial):
        self.history_ = history  # a History callback, as Keras keeps it


# -- the public estimators -----------------------------------------------------------------


class MiniKerasClassifier(_Classification, _MiniKeras):
    """A minikeras network as a scikit-learn classifier, with ``MLPClassifier``'s habits.

    Labels (strings, integers, booleans...) are encoded as ``0 .. n_classes-1``
    internally and decoded by ``predict``. Unless ``loss`` or a compiled
    ``model`` says otherwise, a binary task gets one sigmoid output and binary
    cross-entropy, a multi-class task ``n_classes`` softmax outputs and sparse
    categorical cross-entropy; ``loss="categorical_crossentropy"`` switches to
    one-hot targets. ``predict_proba`` always returns one column per class (two
    for a binary task), so ``roc_auc_score`` and ``CalibratedClassifierCV`` work.

    Args:
        model: None (build from ``hidden_layer_sizes``) or a function
            ``model(n_features_in, n_outputs, **model__kwargs)`` returning a
            ``Sequential`` (add a ``meta`` argument to receive the task's
            description, see the module docstring); compiled models keep their
            optimizer and loss.
        hidden_layer_sizes: widths of the hidden Dense layers, positive integers;
            default ``(100,)``.
        activation: their activation; default ``"relu"``.
        optimizer: name, Optimizer class or instance; default ``"adam"``.
        learning_rate: for an optimizer given by name or class; default 0.001
            (an instance keeps its own; ``optimizer__learning_rate`` wins over both).
        loss: None (picked from the task, see above), a name, class or instance.
        metrics: Keras metrics recorded in ``history_``; default None.
        batch_size: minibatch size for fit and predict; default 32, as Keras
            (scikit-learn's MLP uses 200); -1 for one batch of everything.
        epochs: passes over the data per ``fit``; default 100 (Keras's ``fit``
            defaults to 1, too few for an estimator fitted blindly in a grid).
        validation_split: last fraction of the samples held out, before
            shuffling, as in Keras; default 0.0.
        shuffle: shuffle the minibatches each epoch; default True.
        callbacks: list of minikeras callbacks (objects or classes); default None.
        random_state: None (default: draw from minikeras's current generator),
            a non-negative int or a numpy ``RandomState``: the fit draws from
            its own generator, so it is bitwise repeatable, in any thread.
        verbose: 0 (default), 1 or 2, as ``Sequential.fit``.
        warm_start: if True, ``fit`` continues training the current network.
        **kwargs: routed parameters, ``model__*``, ``optimizer__*``, ``loss__*``,
            ``metrics__*``, ``callbacks__*``, ``compile__*``, ``fit__*``, ``predict__*``.

    Attributes (after ``fit``): ``model_`` (the ``Sequential``), ``classes_``,
    ``n_features_in_``, ``n_outputs_`` (network output width, as MLPClassifier),
    ``history_`` (per-epoch logs), ``loss_curve_``, ``validation_loss_curve_``
    (None without validation data), ``n_iter_`` (epochs run, counting warm starts).

    Example::

        >>> clf = MiniKerasClassifier(hidden_layer_sizes=(16,), epochs=30, random_state=0)
        >>> clf.fit(X_train, y_train).score(X_test, y_test)     # doctest: +SKIP
        0.97
    """

    _y_checks = {}

    def __init__(self, model=None, *, hidden_layer_sizes=(100,), activation="relu",
                 optimizer="adam", learning_rate=0.001, loss=None, metrics=None,
                 batch_size=32, epochs=100, validation_split=0.0, shuffle=True,
                 callbacks=None, random_state=None, verbose=0, warm_start=False, **kwargs):
        _store_params(self, locals())  # unchecked: `fit` rejects unknown ones


class MiniKerasRegressor(_Regression, _MiniKeras):
    """A minikeras network as a scikit-learn regressor, with ``MLPRegressor``'s habits.

    The default network ends with ``n_outputs`` linear units trained on mean
    squared error; ``y`` may be ``(n_samples,)`` or ``(n_samples, n_outputs)``,
    and ``predict`` returns the same layout, in ``X``'s float dtype.

    Args and attributes: as :class:`MiniKerasClassifier`, without ``classes_``;
    the default ``loss`` is ``"mean_squared_error"``.

    Example::

        >>> reg = MiniKerasRegressor(hidden_layer_sizes=(32,), epochs=50, random_state=0)
        >>> reg.fit(X_train, y_train).predict(X_test[:3])        # doctest: +SKIP
    """

    _y_checks = {"multi_output": True, "y_numeric": True}

    __init__ = MiniKerasClassifier.__init__


class KerasClassifier(_Classification, _SciKeras):
    """SciKeras's ``KerasClassifier`` on minikeras: ``KerasClassifier(model=build_fn, ...)``.

    Accepts binary and multi-class labels of any type (1-D or a column), one-hot
    rows and multi-label 0/1 matrices; see the module docstring for the build
    function's arguments and the routing.

    Args:
        model: a function returning a ``Sequential`` (compiled or not), or a
            ``Sequential`` (copied for each fit).
        build_fn: SciKeras's former name of ``model`` (warns).
        warm_start: if True, ``fit`` continues training the current network.
        random_state: None, a non-negative int or a numpy ``RandomState``, as
            for :class:`MiniKerasClassifier`.
        optimizer: name, class or instance; default ``"rmsprop"`` (Keras's).
        loss: name, class or instance; default None: the build function compiles.
        metrics: list of names, classes (``metrics__*`` configure them) or objects.
        batch_size: for fit and predict; None for Keras's 32, -1 for all samples.
        validation_batch_size: passed to ``fit`` when given.
        verbose: default 1, as SciKeras (progress bars in fit and predict).
        callbacks: list (or dict) of callbacks, objects or classes (``callbacks__*``).
        validation_split, shuffle: as ``Sequential.fit``.
        run_eagerly: accepted and ignored (minikeras always runs eagerly).
        epochs: default 1, as Keras's ``fit``.
        class_weight: ``{label: weight}`` or ``"balanced"``, turned into sample
            weights; default None.
        **kwargs: routed parameters, and the build function's own ones.

    Attributes (after ``fit`` or ``initialize``): ``model_``, ``history_``,
    ``initialized_``, ``current_epoch`` and the ``meta`` keys (``classes_``,
    ``n_classes_``, ``target_type_``, ``n_features_in_``, ``n_outputs_``...).
    """

    _y_checks = {"multi_output": True}

    def __init__(self, model=None, *, build_fn=None, warm_start=False, random_state=None,
                 optimizer="rmsprop", loss=None, metrics=None, batch_size=None,
                 validation_batch_size=None, verbose=1, callbacks=None, validation_split=0.0,
                 shuffle=True, run_eagerly=False, epochs=1, class_weight=None, **kwargs):
        _store_params(self, locals())

    def _class_sample_weight(self, y, sample_weight):
        """SciKeras multiplies ``class_weight`` (by label, or "balanced") into the sample weights."""
        if self.class_weight is None:
            return sample_weight
        weights = compute_sample_weight(self.class_weight, y).astype(config.floatx())
        return weights if sample_weight is None else sample_weight * weights


class KerasRegressor(_Regression, _SciKeras):
    """SciKeras's ``KerasRegressor`` on minikeras: ``KerasRegressor(model=build_fn, ...)``.

    Args and attributes: as :class:`KerasClassifier`, without ``class_weight``
    and ``classes_``; ``score`` is R², as SciKeras.
    """

    _y_checks = {"multi_output": True, "y_numeric": True}

    def __init__(self, model=None, *, build_fn=None, warm_start=False, random_state=None,
                 optimizer="rmsprop", loss=None, metrics=None, batch_size=None,
                 validation_batch_size=None, verbose=1, callbacks=None, validation_split=0.0,
                 shuffle=True, run_eagerly=False, epochs=1, **kwargs):
        _store_params(self, locals())


class SKLearnClassifier(_Classification, _KerasWrapper):
    """Keras 3's ``keras.wrappers.SKLearnClassifier`` on minikeras.

    Args:
        model: a compiled ``Sequential`` (cloned with fresh weights for each fit)
            or a function ``model(X=X, y=y, **model_kwargs)`` returning one;
            ``y`` arrives one-hot, ``(n_samples, n_classes)``.
        warm_start: if True, ``fit`` continues training the current network.
        model_kwargs: dict of further arguments for the ``model`` function.
        fit_kwargs: dict of arguments for ``Sequential.fit`` (``epochs``...);
            ``fit(X, y, **kwargs)`` overrides them.

    Attributes: ``model_``, ``history_`` (the ``History`` of the last fit),
    ``classes_``. ``decision_function`` returns the network's raw outputs;
    Like Keras's, it has no ``predict_proba``.
    """

    _y_checks = {}
    _offers_predict_proba = False  # as Keras: `decision_function` gives the outputs

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        _store_params(self, locals())

    def decision_function(self, X):
        """The network's raw outputs, ``(n_samples, n_outputs)``."""
        return self._network_output(X)[0]


class SKLearnRegressor(_Regression, _KerasWrapper):
    """Keras 3's ``keras.wrappers.SKLearnRegressor`` on minikeras.

    Args and attributes: as :class:`SKLearnClassifier`; ``y`` reaches the
    ``model`` function as a 2-D array and ``predict`` returns ``y``'s layout.
    """

    _y_checks = {"multi_output": True, "y_numeric": True}

    __init__ = SKLearnClassifier.__init__


class SKLearnTransformer(TransformerMixin, _RealTargets, _KerasWrapper):
    """Keras 3's ``keras.wrappers.SKLearnTransformer``: ``transform(X)`` is the network's output.

    Fitted like :class:`SKLearnRegressor` (``fit(X, y)``); then usable as a
    feature extractor inside a ``Pipeline``.
    """

    _y_checks = {"multi_output": True, "y_numeric": True}

    __init__ = SKLearnClassifier.__init__

    def transform(self, X):
        """The network's outputs for ``X``, ``(n_samples, n_outputs)``."""
        return self._network_output(X)[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


__all__ = ["KerasClassifier", "KerasRegressor", "MiniKerasClassifier", "MiniKerasRegressor",
           "SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
