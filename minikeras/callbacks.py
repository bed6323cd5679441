"""Callbacks: hooks into ``fit``, ``evaluate`` and ``predict``, with Keras's names.

``fit`` calls, in order: ``on_train_begin``; per epoch ``on_epoch_begin``, per
batch ``on_train_batch_begin`` / ``on_train_batch_end``, then ``on_epoch_end``
with the epoch's logs (``loss``, metrics, ``val_*``); finally ``on_train_end``.
A callback may set ``self.model.stop_training = True`` to end training after
the current batch (or epoch, when set in ``on_epoch_end``).

Ready-made: :class:`EarlyStopping`, :class:`ModelCheckpoint`,
:class:`ReduceLROnPlateau`, :class:`LearningRateScheduler`,
:class:`TerminateOnNaN`, :class:`CSVLogger`, :class:`LambdaCallback`, and the
:class:`History` and :class:`ProgbarLogger` that ``fit`` adds itself. A loss
that turns NaN or infinite makes ``fit`` warn once (:class:`NonFiniteLossWarning`)
unless a callback such as ``TerminateOnNaN`` stops training at that batch.
"""
import csv
import math
import numbers
import os
import string
import warnings

from .utils.progbar import Progbar


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
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


# Positional arguments of each hook, `logs` included: (logs) or (epoch or batch, logs).
_HOOK_ARITY = {name: hook.__code__.co_argcount - 1 for name, hook in vars(Callback).items()
               if name.startswith("on_")}


class CallbackList:
    """Calls each hook on every callback, in order."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError("`callbacks` must be Callback instances. Received: "
                                f"{callback!r} (of type {type(callback).__name__})")
            callback.set_model(model)
            callback.set_params(params)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call_all(*args, **kwargs):
            if "logs" not in kwargs:  # Keras always passes `logs`, even None: hooks may need it
                args += (None,) * (_HOOK_ARITY.get(hook, len(args)) - len(args))
            for callback in self.callbacks:
                getattr(callback, hook)(*args, **kwargs)
        return call_all


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
    """Prints ``Epoch i/n`` and a progress bar (verbose=1) or one line per epoch (verbose=2)."""

    def __init__(self, verbose=1):
        super().__init__()
        self.verbose = verbose
        self._bar = None

    def on_epoch_begin(self, epoch, logs=None):
        print(f"Epoch {epoch + 1}/{self.params['epochs']}", flush=True)
        self._bar = Progbar(self.params["steps"], verbose=self.verbose)

    def on_train_batch_end(self, batch, logs=None):
        self._bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._bar.update(self.params["steps"], logs, finalize=True)


# -- the NaN guard of the fit loop ----------------------------------------------------


class NonFiniteLossWarning(UserWarning):
    """The training loss became NaN or inf; ``fit`` says so once per call."""


def warn_non_finite_loss(loss, epoch, batch):
    """Called by ``fit`` the first time a batch loss is not finite (``epoch``, ``batch`` 0-based)."""
    warnings.warn(f"The training loss is {loss} at epoch {epoch + 1}, batch {batch} (the first "
                  "epoch is 1, the first batch 0); the weights are no longer usable. Lower the "
                  "learning rate, clip the gradients (clipnorm=1.0) or check the data; add "
                  "callbacks.TerminateOnNaN() to stop training at once.",
                  NonFiniteLossWarning, stacklevel=3)


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
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode {mode!r} is unknown, fallback to auto "
                          "mode.", UserWarning, stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(min_delta)
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

        >>> stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
        >>> model.fit(x, y, epochs=100, validation_split=0.2, callbacks=[stop])
        >>> stop.stopped_epoch, stop.best_epoch     # 0-based, e.g. (12, 9)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
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

        >>> checkpoint = ModelCheckpoint("best.mk", monitor="val_accuracy", save_best_only=True)
        >>> model.fit(x, y, epochs=20, validation_split=0.2, callbacks=[checkpoint])
        >>> best = minikeras.models.load_model("best.mk")
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode)
        if save_freq != "epoch" and (isinstance(save_freq, bool)
                                     or not isinstance(save_freq, numbers.Integral)
                                     or save_freq <= 0):
            raise ValueError("`save_freq` must be 'epoch' or a positive integer (a number of "
                             f"batches). Received: save_freq={save_freq!r}")
        self.filepath = _checkpoint_pattern(filepath, save_weights_only,
                                            batch_field=save_freq != "epoch")
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.initial_value_threshold = initial_value_threshold
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
        keys = ["loss"] + [m.name for m in model.metrics + model.weighted_metrics]
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
        factor: multiplier, below 1 (default 0.1).
        patience: epochs without improvement before reducing (default 10).
        verbose: 1 prints each reduction (default 0).
        mode: ``"auto"``, ``"min"`` or ``"max"`` (default ``"auto"``).
        min_delta: smallest change that counts as an improvement (default 1e-4).
        cooldown: epochs to wait after a reduction (default 0).
        min_lr: lower bound on the learning rate (default 0).

    Example::

        >>> reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2)
        >>> history = model.fit(x, y, epochs=30, validation_split=0.2, callbacks=[reduce])
        >>> history.history["learning_rate"]     # e.g. [0.001, 0.001, 0.001, 0.0005, ...]
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0: `factor` "
                             f"must be below 1. Received: factor={factor}")
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = min_lr
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

    ``epoch`` counts from 0 and ``lr`` is the current rate. Each epoch's logs
    gain ``"learning_rate"``.

    Args:
        schedule: function ``(epoch, lr) -> new lr``, a float.
        verbose: 1 prints each new rate (default 0).

    Example::

        >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch < 10 else lr * 0.5)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError("`schedule` must be a function (epoch, lr) -> lr. Received: "
                            f"schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = self.schedule(epoch, float(self.model.optimizer.learning_rate))
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {lr!r}")
        self.model.optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


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
        self.raise_error = raise_error

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

        >>> model.fit(x, y, epochs=3, callbacks=[CSVLogger("training.csv")])
        # training.csv:  epoch,accuracy,loss
        #                0,0.89,0.31 ...
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
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

        >>> losses = []
        >>> record = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
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
