"""scikit-learn estimators around a minikeras ``Sequential``, in the manner of SciKeras.

``MiniKerasClassifier`` and ``MiniKerasRegressor`` are ordinary scikit-learn
estimators: they drop into ``Pipeline``, ``GridSearchCV``, ``cross_val_score``
and ``clone``, and pickle with joblib. Each ``fit`` builds a fresh network from
the data's shape:

* ``model=None`` (default): ``hidden_layer_sizes`` Dense layers of
  ``activation``, then an output layer picked from the task (as scikit-learn's
  ``MLPClassifier``/``MLPRegressor`` do);
* ``model=f``: ``f(n_features_in, n_outputs, **model__kwargs)`` returns a
  ``Sequential``, compiled or not. Add a ``meta`` argument to ``f`` to receive
  a dict describing the task (``classes_``, ``output_activation``, ``loss``...).

Parameters with a prefix are routed, as in SciKeras, so grid search reaches
them: ``model__units=32`` goes to ``f``, ``optimizer__beta_1=0.8`` to the
optimizer, ``loss__label_smoothing`` to the loss, ``compile__weighted_metrics``
to ``compile``, ``fit__class_weight`` to ``Sequential.fit`` and
``predict__batch_size`` to ``Sequential.predict``.

Example::

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> clf = make_pipeline(StandardScaler(),
    ...                     MiniKerasClassifier(hidden_layer_sizes=(16,), epochs=20,
    ...                                         random_state=0))
    >>> clf.fit(X, y).predict_proba(X[:2])      # doctest: +SKIP
"""
import inspect
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted

from . import activations, config, losses, optimizers
from .layers import Dense, Input
from .models import Sequential
from .random import set_seed
from .utils.validation import check_int

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6 has it as a method
    def validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)

ROUTES = ("model", "optimizer", "loss", "compile", "fit", "predict")
_FLOATS = (np.float64, np.float32)


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


def _is_routed(key):
    return "__" in key and key.split("__", 1)[0] in ROUTES


class _MiniKerasEstimator(BaseEstimator):
    """Shared machinery of the classifier and the regressor (see their docstrings)."""

    def __init__(self, model=None, *, hidden_layer_sizes=(100,), activation="relu",
                 optimizer="adam", learning_rate=0.001, loss=None, metrics=None,
                 batch_size=32, epochs=100, validation_split=0.0, shuffle=True,
                 callbacks=None, random_state=None, verbose=0, warm_start=False, **kwargs):
        self.model = model
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.epochs = epochs
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        # Stored unchecked, as scikit-learn asks: `fit` rejects the unknown ones.
        vars(self).update(kwargs)

    # -- parameters: the routed ones live beside the constructor's ------------------

    def _extra_params(self):
        """Keyword arguments beyond the signature: neither private nor fitted (``x_``)."""
        named = self._get_param_names()
        return {k: v for k, v in vars(self).items()
                if k not in named and not k.startswith("_") and not k.endswith("_")}

    def get_params(self, deep=True):
        return {**super().get_params(deep=deep), **self._extra_params()}

    def set_params(self, **params):
        for key in [k for k in params if _is_routed(k)]:
            setattr(self, key, params.pop(key))
        return super().set_params(**params)

    def _routed(self, prefix):
        start = prefix + "__"
        return {k[len(start):]: v for k, v in vars(self).items() if k.startswith(start)}

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": self.random_state is None}

    # -- fitting ----------------------------------------------------------------------

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Train a new network (or continue the current one when ``warm_start=True``).

        Args:
            X: array of shape ``(n_samples, n_features)``.
            y: targets, ``(n_samples,)`` (or ``(n_samples, n_outputs)`` for the regressor).
            sample_weight: optional weight per sample.
            **kwargs: arguments of ``Sequential.fit`` (``validation_data``,
                ``class_weight``, ``callbacks``...), overriding ``fit__*`` parameters.

        Returns:
            self.
        """
        reset = not (self.warm_start and self.__sklearn_is_fitted__())
        return self._fit(X, y, sample_weight, kwargs, reset=reset)

    def _partial_fit(self, X, y, sample_weight, classes=None):
        reset = not self.__sklearn_is_fitted__()
        return self._fit(X, y, sample_weight, {"epochs": 1}, reset=reset, classes=classes)

    def _fit(self, X, y, sample_weight, kwargs, reset, classes=None):
        self._check_routes()
        X, y = validate_data(self, X, y, reset=reset, dtype=_FLOATS, **self._y_checks)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=config.floatx())
        self._set_targets(y, reset, classes)
        self._seed(reset)
        if reset:
            self.model_ = self._build_model()
            self.history_ = {}
        fit_kwargs = {"batch_size": self.batch_size, "epochs": self.epochs,
                      "validation_split": self.validation_split, "shuffle": self.shuffle,
                      "callbacks": self.callbacks, "verbose": self.verbose,
                      **self._routed("fit"), **kwargs}
        if fit_kwargs.get("validation_data") is not None:
            x_val, y_val, *rest = fit_kwargs["validation_data"]
            x_val = check_array(x_val, dtype=_FLOATS).astype(config.floatx(), copy=False)
            fit_kwargs["validation_data"] = (x_val, self._encode(np.asarray(y_val)), *rest)
        self._adjust_fit_kwargs(fit_kwargs)
        history = self.model_.fit(X.astype(config.floatx(), copy=False), self._encode(y),
                                  sample_weight=sample_weight, **fit_kwargs)
        for key, values in history.history.items():
            self.history_.setdefault(key, []).extend(values)
        self.loss_curve_ = self.history_.get("loss", [])
        self.validation_loss_curve_ = self.history_.get("val_loss")
        self.n_iter_ = len(self.loss_curve_)
        return self

    def _adjust_fit_kwargs(self, fit_kwargs):
        """Hook: the classifier translates ``class_weight`` keys to class indices."""

    def _check_routes(self):
        unknown = [k for k in self._extra_params() if not _is_routed(k)]
        if unknown:
            raise ValueError(f"Unknown parameter(s) of {type(self).__name__}: {unknown}. "
                             "Extra parameters must be routed, starting with one of "
                             f"{', '.join(p + '__' for p in ROUTES)}")
        if self.model is None and self._routed("model"):
            raise ValueError(f"`model__*` parameters ({', '.join(self._routed('model'))}) go "
                             "to the `model` function, but model=None. Pass a function as "
                             "`model`, or describe the network with `hidden_layer_sizes`.")

    def _seed(self, reset):
        """Seed minikeras's global generator from ``random_state`` (None leaves it alone).

        A fresh fit with ``random_state=s`` calls exactly ``set_seed(s)`` before
        building, so it matches a script that does the same by hand. Continued
        training (``warm_start``, ``partial_fit``) seeds from ``(s, n_iter_)``, so
        every call is repeatable without replaying the first epoch's shuffle.
        """
        state = self.random_state
        if state is None:
            return
        if isinstance(state, numbers.Integral) and not isinstance(state, bool):
            if state < 0:
                raise ValueError("`random_state` must be None, a non-negative integer or a "
                                 f"numpy RandomState. Received: random_state={state!r}")
            seed = int(state)
        elif isinstance(state, np.random.RandomState):
            seed = int(check_random_state(state).randint(np.iinfo(np.int32).max))
        else:
            raise ValueError("`random_state` must be None, a non-negative integer or a "
                             f"numpy RandomState. Received: random_state={state!r}")
        if not reset:
            seed = int(np.random.SeedSequence([seed, self.n_iter_]).generate_state(1)[0])
        set_seed(seed)

    # -- building the network -----------------------------------------------------------

    def _build_model(self):
        """Build and compile a fresh network for the data seen by ``_set_targets``."""
        user_loss = self._make_loss()
        units, out_activation = self._output_layer(user_loss)
        n_features = self.n_features_in_
        if self.model is None:
            sizes = self.hidden_layer_sizes
            if isinstance(sizes, (list, tuple, np.ndarray)):
                sizes = [check_int(s, f"hidden_layer_sizes[{i}]", 1) for i, s in enumerate(sizes)]
            else:  # one hidden layer, as scikit-learn's MLP accepts
                sizes = [check_int(sizes, "hidden_layer_sizes", 1)]
            model = Sequential([Input((n_features,))]
                               + [Dense(size, activation=self.activation) for size in sizes]
                               + [Dense(units, activation=out_activation)])
        elif callable(self.model):
            kwargs = self._routed("model")
            if "meta" in inspect.signature(self.model).parameters:
                kwargs["meta"] = {**self._meta(), "n_outputs": units,
                                  "output_activation": out_activation, "loss": user_loss}
            model = self.model(n_features, units, **kwargs)
            if not isinstance(model, Sequential):
                raise TypeError("`model` must return a minikeras Sequential. Received: "
                                f"{type(model).__name__} from {self.model!r}")
        else:
            raise TypeError("`model` must be None or a function "
                            "`model(n_features_in, n_outputs, **model__kwargs)` returning a "
                            f"Sequential. Received: model={self.model!r}")
        if not model.built:
            model.build((None, n_features))
        if not model.compiled:
            loss = user_loss if user_loss is not None else self._default_loss(model)
            model.compile(optimizer=self._make_optimizer(), loss=loss, metrics=self.metrics,
                          **self._routed("compile"))
        self.n_outputs_ = model.output_shape[-1]
        return model

    def _make_optimizer(self):
        """A new optimizer each fit: an instance given as ``optimizer`` is copied, not shared."""
        return _from_parameter(self.optimizer, self._routed("optimizer"), optimizers,
                               optimizers.Optimizer, "optimizer", "'adam'",
                               defaults={"learning_rate": self.learning_rate})

    def _make_loss(self):
        """The ``loss`` parameter as a Loss object, or None to pick one from the task."""
        if self.loss is None:
            return None
        return _from_parameter(self.loss, self._routed("loss"), losses, losses.Loss, "loss",
                               "'mse'")

    def _network_output(self, X, **kwargs):
        """Validate ``X`` and run the network: ``(outputs, X's float dtype)``."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=_FLOATS)
        kwargs = {"batch_size": self.batch_size, "verbose": 0, **self._routed("predict"),
                  **kwargs}
        return self.model_.predict(X.astype(config.floatx(), copy=False), **kwargs), X.dtype


class MiniKerasClassifier(ClassifierMixin, _MiniKerasEstimator):
    """A minikeras network as a scikit-learn classifier.

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
            ``Sequential``; compiled models keep their optimizer and loss.
        hidden_layer_sizes: widths of the hidden Dense layers; default ``(100,)``.
        activation: their activation; default ``"relu"``.
        optimizer: name, Optimizer class or instance; default ``"adam"``.
        learning_rate: for an optimizer given by name or class; default 0.001
            (an instance keeps its own; ``optimizer__learning_rate`` wins over both).
        loss: None (picked from the task, see above), a name, class or instance.
        metrics: Keras metrics recorded in ``history_``; default None.
        batch_size: minibatch size for fit and predict; default 32, as Keras
            (scikit-learn's MLP uses 200).
        epochs: passes over the data per ``fit``; default 100 (Keras's ``fit``
            defaults to 1, too few for an estimator fitted blindly in a grid).
        validation_split: last fraction of the samples held out, before
            shuffling, as in Keras; default 0.0.
        shuffle: shuffle the minibatches each epoch; default True.
        callbacks: list of minikeras callbacks; default None.
        random_state: None (default: the global generator, not reseeded), a
            non-negative int or a numpy ``RandomState``. An int makes ``fit``
            call ``minikeras.utils.set_random_seed`` (which also seeds numpy's and
            Python's global generators), so fits are bitwise repeatable.
        verbose: 0 (default), 1 or 2, as ``Sequential.fit``.
        warm_start: if True, ``fit`` continues training the current network.
        **kwargs: routed parameters, ``model__*``, ``optimizer__*``, ``loss__*``,
            ``compile__*``, ``fit__*``, ``predict__*``.

    Attributes (after ``fit``): ``model_`` (the ``Sequential``), ``classes_``,
    ``n_features_in_``, ``n_outputs_`` (network output width), ``history_``
    (per-epoch logs), ``loss_curve_``, ``validation_loss_curve_`` (None without
    validation data), ``n_iter_`` (epochs run, counting warm starts).

    Example::

        >>> clf = MiniKerasClassifier(hidden_layer_sizes=(16,), epochs=30, random_state=0)
        >>> clf.fit(X_train, y_train).score(X_test, y_test)     # doctest: +SKIP
        0.97
    """

    _y_checks = {}

    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch on ``(X, y)``, keeping the current network; ``classes`` lists every
        label the later calls may see (default: those in the first ``y``)."""
        return self._partial_fit(X, y, sample_weight, classes)

    def _set_targets(self, y, reset, classes):
        check_classification_targets(y)
        if reset:
            self.classes_ = np.unique(y if classes is None else np.asarray(classes))
            if len(self.classes_) < 2:
                raise ValueError("`y` must hold at least 2 classes, but it contains only one "
                                 f"class: {self.classes_[0]!r}")
        unseen = np.setdiff1d(y, self.classes_)
        if len(unseen):
            raise ValueError(f"`y` holds labels absent from `classes_` {self.classes_.tolist()}: "
                             f"{unseen.tolist()}. Pass every label as `classes` to the first "
                             "`partial_fit`.")

    def _meta(self):
        return {"n_features_in_": self.n_features_in_, "classes_": self.classes_,
                "n_classes_": len(self.classes_)}

    def _output_layer(self, loss):
        """``(units, activation)`` of the output layer for ``loss`` (None: the default)."""
        n_classes = len(self.classes_)
        binary_ce = loss is None or isinstance(loss, losses.BinaryCrossentropy)
        units = 1 if n_classes == 2 and binary_ce else n_classes
        if getattr(loss, "from_logits", False):
            return units, "linear"
        return units, "sigmoid" if units == 1 or isinstance(loss, losses.BinaryCrossentropy) \
            else "softmax"

    @staticmethod
    def _default_loss(model):
        return ("binary_crossentropy" if model.output_shape[-1] == 1
                else "sparse_categorical_crossentropy")

    def _encode(self, y):
        """Labels to what the loss expects: a 0/1 column, class indices, or one-hot rows."""
        codes = np.searchsorted(self.classes_, y)
        width = self.n_outputs_
        if isinstance(self.model_.loss, losses.SparseCategoricalCrossentropy):
            return codes
        if width == 1:
            if len(self.classes_) != 2:
                raise ValueError(f"The network has 1 output, which suits 2 classes, but `y` has "
                                 f"{len(self.classes_)}. Give the last layer n_outputs units.")
            return codes.astype(config.floatx())[:, None]
        if width != len(self.classes_):
            raise ValueError(f"The network has {width} outputs, but `y` has "
                             f"{len(self.classes_)} classes.")
        return np.eye(width, dtype=config.floatx())[codes]

    def _adjust_fit_kwargs(self, fit_kwargs):
        class_weight = fit_kwargs.get("class_weight")
        if class_weight is not None:
            unknown = [k for k in class_weight if k not in self.classes_]
            if unknown:
                raise ValueError(f"`class_weight` keys must be labels in `classes_` "
                                 f"{self.classes_.tolist()}. Received unknown keys {unknown}")
            fit_kwargs["class_weight"] = {int(np.searchsorted(self.classes_, k)): w
                                          for k, w in class_weight.items()}

    def predict_proba(self, X):
        """Probability of each class, shape ``(n_samples, n_classes)``, in ``X``'s float dtype."""
        out, dtype = self._network_output(X)
        if getattr(self.model_.loss, "from_logits", False):
            out = activations.get("sigmoid" if out.shape[1] == 1 else "softmax")(out)
        if out.shape[1] == 1:
            out = np.hstack([1 - out, out])
        return out.astype(dtype, copy=False)

    def predict(self, X):
        """The most probable class of each sample, as one of the original labels."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class MiniKerasRegressor(RegressorMixin, _MiniKerasEstimator):
    """A minikeras network as a scikit-learn regressor.

    The default network ends with ``n_outputs`` linear units trained on mean
    squared error; ``y`` may be ``(n_samples,)`` or ``(n_samples, n_outputs)``,
    and ``predict`` returns the same layout (a single output as a 1-D array, as
    ``MLPRegressor``), in ``X``'s float dtype.

    Args and attributes: as :class:`MiniKerasClassifier`, without ``classes_``;
    the default ``loss`` is ``"mean_squared_error"``.

    Example::

        >>> reg = MiniKerasRegressor(hidden_layer_sizes=(32,), epochs=50, random_state=0)
        >>> reg.fit(X_train, y_train).predict(X_test[:3])        # doctest: +SKIP
    """

    _y_checks = {"multi_output": True, "y_numeric": True}

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch on ``(X, y)``, keeping the current network."""
        return self._partial_fit(X, y, sample_weight)

    def _set_targets(self, y, reset, classes):
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if not reset and n_outputs != self.n_outputs_:
            raise ValueError(f"`y` must have {self.n_outputs_} output(s), as in the first fit. "
                             f"Received: y with shape {y.shape}")
        self._y_outputs = n_outputs

    def _meta(self):
        return {"n_features_in_": self.n_features_in_}

    def _output_layer(self, loss):
        return self._y_outputs, "linear"

    @staticmethod
    def _default_loss(model):
        return "mean_squared_error"

    def _encode(self, y):
        y = np.asarray(y, dtype=config.floatx())
        return y[:, None] if y.ndim == 1 else y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {**super()._more_tags(), "multioutput": True}

    def predict(self, X):
        """Predicted targets: ``(n_samples,)`` for one output, else ``(n_samples, n_outputs)``."""
        out, dtype = self._network_output(X)
        return (out.ravel() if out.shape[1] == 1 else out).astype(dtype, copy=False)
