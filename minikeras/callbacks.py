"""Callbacks: hooks into ``fit``, ``evaluate`` and ``predict``, with Keras's names.

``fit`` calls, in order: ``on_train_begin``; per epoch ``on_epoch_begin``, per
batch ``on_train_batch_begin`` / ``on_train_batch_end``, then ``on_epoch_end``
with the epoch's logs (``loss``, metrics, ``val_*``); finally ``on_train_end``.
A callback may set ``self.model.stop_training = True`` to end training after
the current batch (or epoch, when set in ``on_epoch_end``).

Ready-made: :class:`EarlyStopping`, :class:`ModelCheckpoint`,
:class:`ReduceLROnPlateau`, :class:`LearningRateScheduler`,
:class:`TerminateOnNaN`, :class:`CSVLogger`, :class:`LambdaCallback`,
:class:`TensorBoard`, and the
:class:`History` and :class:`ProgbarLogger` that ``fit`` adds itself. A loss
that turns NaN or infinite makes ``fit`` warn once (:class:`NonFiniteLossWarning`)
unless a callback such as ``TerminateOnNaN`` stops training at that batch.

``evaluate`` calls ``on_test_begin``, per batch ``on_test_batch_begin`` /
``on_test_batch_end``, then ``on_test_end``; ``predict`` the ``on_predict_*``
hooks likewise. ``fit``'s validation at the end of an epoch calls the
``on_test_*`` hooks of ``fit``'s callbacks, as Keras 3 does.

As in Keras 3, every hook receives a ``logs`` dict, never None (empty where
there is nothing to report, as at ``on_train_batch_begin``), with its keys in
sorted order and its numbers as Python floats; one dict per call, shared by the
callbacks of that call, so a key one callback adds (``logs["lr"] = ...`` in
``on_epoch_end``) reaches the callbacks after it, ``History`` included.
``on_batch_begin`` / ``on_batch_end`` are Keras's older names: the base class's
``on_train_batch_begin`` / ``on_train_batch_end`` call them.
"""
import csv
import inspect
import math
import numbers
import os
import reprlib
import string
import warnings

import numpy as np

from .utils.progbar import Progbar
from .utils.validation import check_bool, check_int, check_number


class Callback:
    """Base class: override the hooks you need. ``self.model`` is set by ``fit``."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)  # Keras's older name of this hook

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)  # Keras's older name of this hook

    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


class CallbackList:
    """Calls each hook on every callback, in order (``fit``, ``evaluate`` and ``predict`` own one).

    Every hook is written out, so that searching for ``on_train_batch_end``
    finds the place that calls it. Each hook hands every callback the same new
    dict, made by :func:`keras_logs` from the loop's ``logs`` (None included);
    batch hooks pass it by keyword, as Keras does.
    """

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError("`callbacks` must be Callback instances. Received: "
                                f"{callback!r} (of type {type(callback).__name__})")
            callback.set_model(model)
            callback.set_params(params)

    def on_train_begin(self, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_train_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_train_batch_end(batch, logs=logs)

    def on_test_begin(self, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_test_end(logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_test_batch_begin(batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_test_batch_end(batch, logs=logs)

    def on_predict_begin(self, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_end(logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_begin(batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        logs = keras_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_end(batch, logs=logs)


def keras_logs(logs):
    """``logs`` as Keras 3 hands them to callbacks: a new dict (empty for None), keys in
    sorted order, nested dicts flattened, and numbers as Python floats (arrays, such
    as ``predict``'s ``outputs``, stay as they are)."""
    if not logs:  # as at every batch's beginning
        return {}
    result = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            result.update(keras_logs(value))
            continue
        if not isinstance(value, np.ndarray) or value.ndim == 0:
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass
        result[key] = value
    return result


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"]`` is the list of epoch losses.

    ``fit`` always adds one and returns it.
    """

    def __init__(self):
        super().__init__()
        self.epoch = []
        self.history = {}

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class ProgbarLogger(Callback):
    """Draws the progress of ``fit``, ``evaluate`` and ``predict`` with a :class:`Progbar`.

    ``fit`` prints ``Epoch i/n`` (when there is more than one epoch) and a bar
    per epoch; ``evaluate`` and ``predict`` draw one bar for their pass. Values
    appear with their names sorted, as Keras 3 shows them
    (``accuracy - loss - val_accuracy - val_loss``); names that first appear at
    the end of the pass, such as ``val_*``, follow those seen during it.
    Inside ``fit`` the validation pass draws nothing, as in Keras.

    It reads ``self.params``, set by the loop:

    - ``"steps"``: batches in an epoch or pass; None if unknown (the count of
      batches seen is then the total at the end);
    - ``"epochs"``: epochs of ``fit`` (default 1);
    - ``"verbose"``: 1 for the bar, 2 for one line per pass, 0 for nothing
      (default 1; ``"auto"`` means 1). A ``verbose`` given here wins.

    Args:
        verbose: overrides ``params["verbose"]`` (default None: use it).
    """

    def __init__(self, verbose=None):
        super().__init__()
        self.verbose = verbose
        self._bar = None
        self._seen = 0
        self._in_fit = False

    def _verbosity(self):
        verbose = self.params.get("verbose", 1) if self.verbose is None else self.verbose
        return 1 if verbose == "auto" else verbose

    def _start_bar(self):
        self._seen = 0
        self._bar = None
        if self._verbosity():
            self._bar = Progbar(self.params.get("steps"), verbose=self._verbosity())

    def _update_bar(self, batch, logs):
        self._seen = batch + 1
        if self._bar is not None:
            self._bar.update(self._seen, sorted((logs or {}).items()), finalize=False)

    def _finish_bar(self, logs):
        if self._bar is not None:
            if self._bar.target is None:
                self._bar.target = self._seen
            self._bar.update(self._bar.target, sorted((logs or {}).items()), finalize=True)
            self._bar = None

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        epochs = self.params.get("epochs", 1)
        if self._verbosity() and epochs > 1:
            print(f"Epoch {epoch + 1}/{epochs}", flush=True)
        self._start_bar()

    def on_train_batch_end(self, batch, logs=None):
        self._update_bar(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish_bar(logs)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._start_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._update_bar(batch, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish_bar(logs)

    def on_predict_begin(self, logs=None):
        self._start_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update_bar(batch, None)  # the batch's outputs are not values to show

    def on_predict_end(self, logs=None):
        self._finish_bar(None)


# -- the NaN guard of the fit loop ----------------------------------------------------


class NonFiniteLossWarning(UserWarning):
    """The training loss became NaN or inf; ``fit`` says so once per call."""


class NonFiniteLossGuard(Callback):
    """Warn once per ``fit`` when the training loss stops being finite (``fit`` adds it last).

    A loss that becomes NaN or inf never passes silently; a callback earlier in
    the list that stops training at that batch (``TerminateOnNaN``) silences it.
    """

    def on_train_begin(self, logs=None):
        self._warned = False
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if self._warned or loss is None or math.isfinite(loss) or self.model.stop_training:
            return
        self._warned = True
        warnings.warn(f"The training loss is {loss} at epoch {self._epoch + 1}, batch {batch} "
                      "(the first epoch is 1, the first batch 0); the weights are no longer "
                      "usable. Lower the learning rate, clip the gradients (clipnorm=1.0) or "
                      "check the data; add callbacks.TerminateOnNaN() to stop training at once.",
                      NonFiniteLossWarning, stacklevel=4)


# -- callbacks that watch a logged quantity ----------------------------------------

_MAXIMIZED = ("acc", "auc", "precision", "recall")  # "acc" also matches "accuracy"


class _MonitorCallback(Callback):
    """Shared by callbacks that watch ``logs[monitor]`` and keep its best value.

    ``mode="auto"`` reads the direction from the name: accuracies, AUC,
    precision and recall are maximised, everything else (losses, errors) is
    minimised. An unknown mode warns and falls back to "auto", as in Keras.
    """

    def __init__(self, monitor, mode, min_delta=0.0):
        super().__init__()
        if not (isinstance(monitor, str) and monitor):
            raise ValueError(f"`monitor` must be the name of a logged quantity, such as "
                             f"'val_loss'. Received: monitor={reprlib.repr(monitor)}")
        if not isinstance(mode, str) or mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode {mode!r} is unknown, fallback to auto "
                          "mode.", UserWarning, stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(check_number(min_delta, "min_delta"))
        name = monitor.removeprefix("val_")
        maximize = mode == "max" or (mode == "auto" and any(k in name for k in _MAXIMIZED))
        self._direction = "max" if maximize else "min"
        self.best = self._worst()

    def _worst(self):
        return -math.inf if self._direction == "max" else math.inf

    def _is_improvement(self, current, reference):
        """Better than ``reference`` by more than ``min_delta``."""
        if self._direction == "max":
            return current - self.min_delta > reference
        return current + self.min_delta < reference

    def _monitor_value(self, logs, what):
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"{what} conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs or {})}",
                          UserWarning, stacklevel=3)
        return value


class EarlyStopping(_MonitorCallback):
    """Stop training when ``monitor`` has stopped improving for ``patience`` epochs.

    At each epoch end (from ``start_from_epoch`` on), ``wait`` counts the epochs
    since the last improvement, an improvement being a value better than the
    best so far by more than ``min_delta``. Training stops once
    ``wait >= patience`` (never after the first epoch). With a ``baseline``, an
    epoch that improves on the best but not on the baseline does not reset
    ``wait``. With ``restore_best_weights=True`` the weights of the best epoch
    are put back when training ends, whether it stopped early or ran all its
    epochs (Keras 3 behaviour).

    Args:
        monitor: the logged quantity, default ``"val_loss"``.
        min_delta: smallest change that counts as an improvement (default 0).
        patience: epochs without improvement before stopping (default 0).
        verbose: 1 prints when stopping and restoring (default 0).
        mode: ``"auto"``, ``"min"`` or ``"max"`` (default ``"auto"``).
        baseline: value the quantity must beat to reset the patience (default None).
        restore_best_weights: restore the best epoch's weights at the end (default False).
        start_from_epoch: epochs to ignore before monitoring (default 0).

    Example::

        >>> import minikeras as keras
        >>> keras.utils.set_random_seed(0)
        >>> x, y = keras.datasets.moons(200, seed=0)
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy",
        ...               metrics=["accuracy"])
        >>> stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
        >>> history = model.fit(x, y, epochs=100, validation_split=0.2, callbacks=[stop],
        ...                     verbose=0)
        >>> stop.stopped_epoch, stop.best_epoch     # 0-based: the 17th epoch stopped it
        (16, 13)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience = check_int(patience, "patience", 0)
        self.verbose = verbose
        self.baseline = check_number(baseline, "baseline", allow=[None])
        self.restore_best_weights = check_bool(restore_best_weights, "restore_best_weights")
        self.start_from_epoch = check_int(start_from_epoch, "start_from_epoch", 0)
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        # Reset, so one instance can serve several calls to fit.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = self._worst()
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = self._monitor_value(logs, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # The first monitored epoch is the best one seen, even if it is NaN.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(_MonitorCallback):
    """Save the model (or only its weights) during training.

    ``filepath`` is a ``str.format`` pattern filled with ``epoch`` (1-based, as
    printed by the progress bar) and the epoch's logs, e.g.
    ``"ckpt-{epoch:02d}-{val_loss:.3f}.mk"`` gives ``ckpt-03-0.215.mk``; with an
    integer ``save_freq``, ``batch`` (1-based) is available too. Missing parent
    directories are created. The model is written by ``model.save(path)``, or
    ``model.save_weights(path)`` with ``save_weights_only=True``.

    With ``save_best_only=True`` a file is written only when ``monitor`` beats
    the best value seen so far (a fixed ``filepath`` then always holds the best
    model); when ``monitor`` is missing from the logs it warns and saves anyway,
    as Keras does.

    Args:
        filepath: file name pattern (str or path).
        monitor: quantity compared by ``save_best_only`` (default ``"val_loss"``).
        verbose: 1 prints a line per decision (default 0).
        save_best_only: keep only improving models (default False).
        save_weights_only: save weights, not the whole model (default False).
        mode: ``"auto"``, ``"min"`` or ``"max"`` (default ``"auto"``).
        save_freq: ``"epoch"``, or save every that many batches (default ``"epoch"``).
        initial_value_threshold: initial best value for ``save_best_only`` (default None).

    Example::

        >>> import minikeras as keras
        >>> keras.utils.set_random_seed(0)
        >>> x, y = keras.datasets.moons(200, seed=0)
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy",
        ...               metrics=["accuracy"])
        >>> checkpoint = ModelCheckpoint("best.mk", monitor="val_accuracy", save_best_only=True)
        >>> history = model.fit(x, y, epochs=20, validation_split=0.2, callbacks=[checkpoint],
        ...                     verbose=0)
        >>> best = keras.models.load_model("best.mk")   # the epoch with the best val_accuracy
        >>> best.evaluate(x[160:], y[160:], verbose=0)[1] == max(history.history["val_accuracy"])
        True
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode)
        self.save_freq = check_int(save_freq, "save_freq", 1, allow=["epoch"])  # int: batches
        self.save_best_only = check_bool(save_best_only, "save_best_only")
        self.save_weights_only = check_bool(save_weights_only, "save_weights_only")
        self.filepath = _checkpoint_pattern(filepath, self.save_weights_only,
                                            batch_field=self.save_freq != "epoch")
        self.verbose = verbose
        self.initial_value_threshold = check_number(initial_value_threshold,
                                                    "initial_value_threshold", allow=[None])
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        self._warn_on_unknown_fields()
        self.best = self._worst() if self.initial_value_threshold is None \
            else self.initial_value_threshold
        self._epoch = 0
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _warn_on_unknown_fields(self):
        """Before training: fields that no log of this model will fill (other callbacks
        may add keys to the logs, so this warns rather than refuses)."""
        model = getattr(self, "model", None)
        if model is None or not getattr(model, "compiled", False):
            return
        # model.metrics: the loss tracker, then the compiled metrics (whose `names` are log keys).
        keys = ["loss"] + [name for compiled in model.metrics[1:] for name in compiled.names]
        known = {"epoch", "batch", "learning_rate", *keys, *(f"val_{k}" for k in keys)}
        unknown = sorted({name for _, name, _, _ in string.Formatter().parse(self.filepath)
                          if name is not None} - known)
        if unknown:
            warnings.warn(f"`filepath` names {unknown}, which this model's logs do not have, so "
                          f"the first save will fail. Available: {sorted(known)}. Received: "
                          f"filepath={self.filepath!r}", UserWarning, stacklevel=3)

    def _file_path(self, epoch, batch, logs):
        fields = dict(logs or {}, epoch=epoch + 1)
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as missing:
            raise KeyError(f"ModelCheckpoint cannot fill the `filepath` pattern "
                           f"{self.filepath!r}: no {missing} in the logs. Available keys: "
                           f"{', '.join(fields)}") from None

    def _should_save(self, epoch, logs, path):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          UserWarning, stacklevel=4)
            return True
        improved = self._is_improvement(current, self.best)
        if self.verbose > 0:
            change = (f"improved from {self.best:.5f} to {current:.5f}, saving model to {path}"
                      if improved else f"did not improve from {self.best:.5f}")
            print(f"\nEpoch {epoch + 1}: {self.monitor} {change}")
        if improved:
            self.best = current
        return improved

    def _save(self, epoch, batch, logs):
        path = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


def _checkpoint_pattern(filepath, save_weights_only, batch_field):
    """``filepath`` as a str pattern that ``str.format`` can fill at every save, checked now.

    Each field must be named (``{epoch}``, ``{batch}`` with an integer
    ``save_freq``, or a log key such as ``{val_loss}``) and its format spec must
    apply to its value (an integer for ``epoch`` and ``batch``, a float for a log
    value); braces must balance (``{{`` is a literal brace). The name must suit
    what is saved: Keras keeps ``.keras`` and ``.h5`` for whole models and
    ``.weights.h5`` for weights.
    """
    from .utils import files
    path = files.target_path(filepath, "filepath")
    try:
        fields = [field for _, *field in string.Formatter().parse(path) if field[0] is not None]
    except ValueError as e:
        raise ValueError(f"`filepath` is not a valid pattern ({e}); write a literal brace as "
                         f"'{{{{' or '}}}}'. Received: filepath={path!r}") from None
    for name, spec, conversion in fields:
        if name == "" or name.isdigit():
            raise ValueError("`filepath` fields must be named, such as {epoch} or "
                             f"{{val_loss:.2f}}, not positional. Received: filepath={path!r}")
        if not name.isidentifier():
            raise ValueError(f"`filepath` field {{{name}}} must be a plain name (no attribute or "
                             f"index access). Received: filepath={path!r}")
        if name == "batch" and not batch_field:
            raise ValueError("`filepath` field {batch} is only filled with an integer "
                             f"`save_freq`. Received: filepath={path!r}")
        sample = 1 if name in ("epoch", "batch") else 0.5
        field = "{x" + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        try:
            field.format(x=sample)
        except (ValueError, TypeError, KeyError, IndexError) as e:
            kind = "an integer" if isinstance(sample, int) else "a float"
            raise ValueError(f"`filepath` field {{{name}{field[2:]} cannot format {kind} "
                             f"({e}). Received: filepath={path!r}") from None
    if path.endswith((".keras", ".h5", ".hdf5")):
        if save_weights_only and not path.endswith(".weights.h5"):
            raise ValueError("`filepath` must end in `.weights.h5` (or have a non-Keras name) "
                             "with `save_weights_only=True`: `.keras` and `.h5` files hold "
                             f"whole models. Received: filepath={path!r}")
        from . import keras_files
        keras_files._h5py()  # needs the h5 extra: say so now, not after an epoch
    return path


class ReduceLROnPlateau(_MonitorCallback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving.

    After ``patience`` epochs without an improvement larger than ``min_delta``,
    ``lr <- max(lr * factor, min_lr)``; then ``cooldown`` epochs pass before
    epochs without improvement are counted again. Each epoch's logs gain
    ``"learning_rate"``, the rate that epoch trained with.

    Args:
        monitor: quantity watched (default ``"val_loss"``).
        factor: multiplier, in (0, 1) (default 0.1).
        patience: epochs without improvement before reducing (default 10).
        verbose: 1 prints each reduction (default 0).
        mode: ``"auto"``, ``"min"`` or ``"max"`` (default ``"auto"``).
        min_delta: smallest change that counts as an improvement (default 1e-4).
        cooldown: epochs to wait after a reduction (default 0).
        min_lr: lower bound on the learning rate (default 0).

    Example::

        >>> import minikeras as keras
        >>> keras.utils.set_random_seed(0)
        >>> x, y = keras.datasets.moons(200, seed=0)
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy",
        ...               metrics=["accuracy"])
        >>> reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2)
        >>> history = model.fit(x, y, epochs=24, validation_split=0.2, callbacks=[reduce],
        ...                     verbose=0)
        >>> history.history["learning_rate"][15:]   # halved after each 2 epochs without progress
        [0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.0125]
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta)
        # Keras refuses factor >= 1 (no reduction); 0 or less would zero or flip the rate.
        self.factor = check_number(factor, "factor", 0, 1, closed="neither")
        self.patience = check_int(patience, "patience", 0)
        self.verbose = verbose
        self.cooldown = check_int(cooldown, "cooldown", 0)
        self.min_lr = check_number(min_lr, "min_lr", 0)
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        self.best = self._worst()
        self.wait = 0
        self.cooldown_counter = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = self._monitor_value(logs, "Learning rate reduction is")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            old_lr = float(optimizer.learning_rate)
            if self.wait >= self.patience and old_lr > self.min_lr:
                new_lr = max(old_lr * self.factor, self.min_lr)
                optimizer.learning_rate = new_lr
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                          f"to {new_lr}.")
                self.cooldown_counter = self.cooldown
                self.wait = 0


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch's start: ``lr = schedule(epoch, lr)``.

    ``epoch`` counts from 0 and ``lr`` is the current rate, a float. As in
    Keras, ``schedule`` may also take the epoch alone (``schedule(epoch)``, the
    Keras 2 form); which form it is, is read from its signature. It must return
    a float (a numpy float too). Each epoch's logs gain ``"learning_rate"``.

    Args:
        schedule: function ``(epoch, lr) -> new lr`` or ``epoch -> new lr``.
        verbose: 1 prints each new rate (default 0).

    Example::

        >>> import minikeras as keras
        >>> keras.utils.set_random_seed(0)
        >>> x, y = keras.datasets.moons(200, seed=0)
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy",
        ...               metrics=["accuracy"])
        >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5)
        >>> history = model.fit(x, y, epochs=5, callbacks=[halve], verbose=0)
        >>> history.history["learning_rate"]
        [0.1, 0.1, 0.05, 0.025, 0.0125]
        >>> decay = LearningRateScheduler(lambda epoch: 0.01 * 0.1 ** (epoch / 20))  # Keras 2's form
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError("`schedule` must be a function (epoch, lr) -> lr. Received: "
                            f"schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _accepts(schedule, 2)

    def on_epoch_begin(self, epoch, logs=None):
        if self._takes_lr:
            lr = self.schedule(epoch, float(self.model.optimizer.learning_rate))
        else:
            lr = self.schedule(epoch)
        if isinstance(lr, bool) or not isinstance(lr, (float, np.floating)):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {lr!r}")
        self.model.optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


def _accepts(function, count):
    """Whether ``function`` can be called with ``count`` positional arguments.

    Keras calls a schedule with two and falls back to one on any TypeError, which
    also hides a TypeError raised inside a two-argument schedule; the signature
    answers without calling it. A function without one (some builtins) is
    assumed to take them.
    """
    try:
        inspect.signature(function).bind(*range(count))
    except TypeError:
        return False
    except ValueError:
        return True
    return True


class TerminateOnNaN(Callback):
    """Stop training at the batch whose running loss is NaN or infinite.

    That batch's optimizer step has already been applied, as in Keras, so the
    weights are usually spoiled: pair it with ``ModelCheckpoint`` or
    ``EarlyStopping(restore_best_weights=True)`` to keep a usable model.

    Args:
        raise_error: raise a ``RuntimeError`` instead of stopping gracefully
            (``on_train_end`` is then not called). Default False.

    Example: ``model.fit(x, y, callbacks=[TerminateOnNaN()])``.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = check_bool(raise_error, "raise_error")

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                               f"{loss}. Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch`` (0-based) then the logs' keys, sorted.

    Args:
        filename: the CSV file.
        separator: field separator (default ``","``).
        append: add to an existing file (without repeating its header) instead
            of overwriting it (default False).

    Example::

        >>> import minikeras as keras
        >>> keras.utils.set_random_seed(0)
        >>> x, y = keras.datasets.moons(200, seed=0)
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy",
        ...               metrics=["accuracy"])
        >>> history = model.fit(x, y, epochs=3, callbacks=[CSVLogger("training.csv")], verbose=0)
        >>> lines = open("training.csv").read().splitlines()
        >>> lines[0], len(lines)     # the header, then epochs 0, 1 and 2
        ('epoch,accuracy,loss', 4)
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = check_bool(append, "append")
        self.csv_file = self.writer = self.keys = None

    def on_train_begin(self, logs=None):
        self.append_header = not (self.append and os.path.exists(self.filename)
                                  and os.path.getsize(self.filename) > 0)
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="")
        self.writer = self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.writer is None:
            self.keys = sorted(logs)
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        self.writer.writerow({"epoch": epoch} | {k: logs.get(k, "NA") for k in self.keys})
        self.csv_file.flush()  # readable while training runs

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """A callback made of plain functions, for quick hooks.

    ``on_epoch_begin`` / ``on_epoch_end`` receive ``(epoch, logs)``,
    ``on_train_begin`` / ``on_train_end`` receive ``(logs)`` and
    ``on_train_batch_begin`` / ``on_train_batch_end`` receive ``(batch, logs)``.
    Any other hook can be given by keyword (e.g. ``on_test_end=...``).

    Example::

        >>> import minikeras as keras
        >>> keras.utils.set_random_seed(0)
        >>> x, y = keras.datasets.moons(200, seed=0)
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy",
        ...               metrics=["accuracy"])
        >>> losses = []
        >>> record = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
        >>> history = model.fit(x, y, epochs=3, callbacks=[record], verbose=0)
        >>> losses == history.history["loss"]
        True
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        for hook, function in hooks.items():
            if function is None:
                continue
            if not (hook.startswith("on_") and hasattr(Callback, hook)):
                raise ValueError(f"`{hook}` is not a callback hook. Hooks are: "
                                 f"{', '.join(h for h in dir(Callback) if h.startswith('on_'))}")
            setattr(self, hook, function)


class TensorBoard(Callback):
    """Write the training logs for TensorBoard: scalars, weight histograms and images.

    Event files go to ``log_dir/train`` and ``log_dir/validation``, which
    TensorBoard shows as two runs, under Keras 3's tag names:

    * ``epoch_<name>`` at step ``epoch`` (counted from 0) for every entry of the
      epoch's logs: ``epoch_loss``, ``epoch_accuracy``, ... in ``train``, and
      the ``val_`` entries without their prefix in ``validation``, so that
      TensorBoard draws training and validation loss in one chart; also
      ``epoch_learning_rate``, the optimizer's rate at the epoch's end, and
      ``epoch_steps_per_second`` with ``write_steps_per_second``;
    * ``batch_<name>`` in ``train`` every ``update_freq`` batches, at step ``b``,
      the number of batches since ``fit`` began (from 1): the running means of
      the epoch so far, as the progress bar shows them;
    * ``<layer>/<weight>/histogram`` (``dense/kernel/histogram``, ...) in
      ``train`` every ``histogram_freq`` epochs (epochs 0, f, 2f, ...), and
      ``<layer>/<weight>/image`` with ``write_images``.

    Values are stored as float32, as Keras stores them. The files are written by
    tensorboardX (``pip install "minikeras[tensorboard]"``, which brings the
    ``tensorboard`` viewer too) and flushed at each epoch's end, so a run can be
    watched live (meanwhile, in a shell: ``tensorboard --logdir logs``, then
    open http://localhost:6006)::

        >>> import os
        >>> import minikeras as keras
        >>> x, y = keras.datasets.moons(200, seed=0)
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        >>> history = model.fit(x, y, epochs=10, validation_split=0.2, verbose=0,
        ...                     callbacks=[TensorBoard(log_dir="logs/run1", histogram_freq=5)])
        >>> sorted(os.listdir("logs/run1"))
        ['train', 'validation']

    Args:
        log_dir: folder for the event files (default ``"logs"``); give each run
            its own, e.g. ``logs/run1``, to compare runs side by side.
        histogram_freq: write weight histograms every this many epochs; 0 (the
            default) writes none.
        write_graph: accepted for Keras compatibility; does nothing (a Sequential
            model has no graph beyond its layer list, which ``summary()`` prints).
        write_images: also write each weight matrix as a grey image, as Keras
            does: values are clipped to [0, 1], a kernel with more rows than
            columns is shown transposed, a bias as one column. Default False.
        write_steps_per_second: also log training steps per second
            (``epoch_steps_per_second``, ``batch_steps_per_second``). Default False.
        update_freq: ``"epoch"`` (the default) writes epoch scalars only;
            ``"batch"`` also writes batch scalars after every batch, an integer
            ``n`` after every ``n``-th.
        profile_batch, embeddings_freq, embeddings_metadata: accepted for Keras
            compatibility and ignored, with a warning when they ask for something:
            minikeras has no profiler and no Embedding layer.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        try:
            from tensorboardX import SummaryWriter
        except ImportError as e:
            raise ImportError("`TensorBoard` writes its files with tensorboardX, which minikeras "
                              "does not install by default. Install it with: pip install "
                              "\"minikeras[tensorboard]\" (which brings the tensorboard viewer "
                              "too).") from e
        import time
        self._summary_writer, self._clock = SummaryWriter, time.perf_counter
        histogram_freq = check_int(histogram_freq, "histogram_freq", 0)
        update_freq = 1 if update_freq == "batch" else \
            check_int(update_freq, "update_freq", 1, allow=["epoch", "batch"])
        ignored = {name: value for name, value in (("profile_batch", profile_batch),
                                                   ("embeddings_freq", embeddings_freq)) if value}
        if ignored:
            warnings.warn(f"minikeras's TensorBoard ignores {ignored}: minikeras has no profiler "
                          "and no Embedding layer.", UserWarning, stacklevel=2)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph, self.write_images = write_graph, write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.profile_batch, self.embeddings_freq = profile_batch, embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}  # run name ("train", "validation") -> SummaryWriter, made when needed
        self._global_train_batch = 0

    _files_opened = 0  # numbers each event file of this process

    def _writer(self, run):
        if run not in self._writers:
            # The writer names its file by the second and the host only; without a suffix a
            # second fit (or evaluation) in the same second would overwrite the first's file.
            TensorBoard._files_opened += 1
            suffix = f".{os.getpid()}.{TensorBoard._files_opened}"
            # Flushed every 10 s (TensorFlow's default) and at each epoch's end.
            self._writers[run] = self._summary_writer(os.path.join(self.log_dir, run),
                                                      flush_secs=10, filename_suffix=suffix)
        return self._writers[run]

    def _write_scalars(self, run, scalars, step):
        writer = self._writer(run)
        for tag, value in scalars.items():
            writer.add_scalar(tag, value, step)

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._writer("train")  # the run exists from the start, as in Keras

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = (self._clock(), self.model.optimizer.iterations)

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        self._batch_start = self._clock()

    def on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if self.update_freq == "epoch" or step % self.update_freq:
            return
        scalars = dict(logs or {})
        if self.write_steps_per_second:
            scalars["steps_per_second"] = 1 / (self._clock() - self._batch_start)
        self._write_scalars("train", {f"batch_{k}": v for k, v in scalars.items()}, step)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        train["learning_rate"] = float(self.model.optimizer.learning_rate)
        if self.write_steps_per_second:
            start, iterations = self._epoch_start
            train["steps_per_second"] = ((self.model.optimizer.iterations - iterations)
                                         / (self._clock() - start))
        self._write_scalars("train", {f"epoch_{k}": v for k, v in train.items()}, epoch)
        validation = {f"epoch_{k[4:]}": v for k, v in logs.items() if k.startswith("val_")}
        if validation:
            self._write_scalars("validation", validation, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_weights(epoch)
        for writer in self._writers.values():
            writer.flush()  # readable while training goes on

    def on_test_end(self, logs=None):
        """An evaluation's results against the optimizer's step count, as in Keras."""
        if not logs or self.model.optimizer is None:
            return
        self._write_scalars("validation", {f"evaluation_{k}_vs_iterations": v
                                           for k, v in logs.items()},
                            self.model.optimizer.iterations)
        if "train" in self._writers:  # inside fit: on_train_end closes it
            self._writers["validation"].flush()
        else:
            self._writers.pop("validation").close()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}  # a later fit starts new event files

    def _write_weights(self, epoch):
        train = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                tag = f"{layer.name}/{weight.name}"
                train.add_histogram(f"{tag}/histogram", weight.value, epoch)
                image = self._weight_image(weight.value) if self.write_images else None
                if image is not None:
                    train.add_image(f"{tag}/image", image, epoch, dataformats="HWC")

    @staticmethod
    def _weight_image(value):
        """A weight as Keras draws it: a ``(height, width, 1)`` image, or None for >2 axes."""
        value = value.squeeze()
        if value.ndim == 1:
            return value.reshape(-1, 1, 1)
        if value.ndim == 2:
            return (value.T if value.shape[0] > value.shape[1] else value)[..., None]
        return None
