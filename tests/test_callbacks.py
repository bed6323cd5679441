"""Callbacks with Keras 3 semantics, driven through `fit` with scripted monitored values."""
import csv
import warnings

import numpy as np
import pytest

from minikeras import Input, Sequential, optimizers
from minikeras.callbacks import (CSVLogger, EarlyStopping, LambdaCallback,
                                 LearningRateScheduler, ModelCheckpoint, NonFiniteLossWarning,
                                 ReduceLROnPlateau, TerminateOnNaN)
from minikeras.layers import Dense, Layer
from minikeras.models import load_model


def _data(rng, n=40):
    x = rng.normal(size=(n, 3)).astype(np.float32)
    return x, (x @ np.array([1.0, -2.0, 0.5], np.float32))[:, None]


def _model(lr=0.01):
    model = Sequential([Input((3,)), Dense(4, activation="tanh"), Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def _script(key, values):
    """A callback that overwrites ``logs[key]`` with ``values[epoch]`` before later callbacks."""
    def write(epoch, logs):
        logs[key] = values[epoch]
    return LambdaCallback(on_epoch_end=write)


def _fit(model, x, y, callbacks, epochs, **kwargs):
    return model.fit(x, y, epochs=epochs, batch_size=10, verbose=0, callbacks=callbacks,
                     **kwargs)


# -- EarlyStopping ----------------------------------------------------------------------

# Each case worked by hand with Keras 3's rule: wait += 1 each epoch; an improvement
# (beating the best by more than min_delta) resets it, unless it misses the baseline;
# stop when wait >= patience, never at epoch 0.
EARLY_STOPPING_CASES = [
    pytest.param({"patience": 2}, "val_loss", [1.0, 0.9, 0.95, 0.91, 0.8, 0.7], 3, 1,
                 id="patience-2"),
    pytest.param({"patience": 0}, "val_loss", [1.0, 1.1, 0.5], 1, 0, id="patience-0"),
    pytest.param({"patience": 0}, "val_loss", [1.0, 0.9, 0.8, 1.0], 3, 2,
                 id="patience-0-improving"),
    pytest.param({"patience": 1, "min_delta": 0.05}, "val_loss", [1.0, 0.97, 0.5], 1, 0,
                 id="min-delta"),
    pytest.param({"patience": 1}, "val_accuracy", [0.5, 0.6, 0.55, 0.9], 2, 1,
                 id="auto-max-for-accuracy"),
    pytest.param({"patience": 1, "mode": "max"}, "val_loss", [1.0, 2.0, 1.5, 3.0], 2, 1,
                 id="explicit-max"),
    pytest.param({"patience": 3, "baseline": 0.5}, "val_loss", [1.0, 0.9, 0.8, 0.85, 0.1], 3,
                 2, id="baseline-not-reached"),
    pytest.param({"patience": 3}, "val_loss", [1.0, 0.9, 0.8, 0.85, 0.1, 0.2], None, 4,
                 id="same-without-baseline"),
    pytest.param({"patience": 0, "start_from_epoch": 2}, "val_loss", [1, 2, 3, 4, 5], 3, 2,
                 id="start-from-epoch"),
]


@pytest.mark.parametrize("kwargs, monitor, values, stopped, best", EARLY_STOPPING_CASES)
def test_early_stopping_rule(kwargs, monitor, values, stopped, best, rng):
    x, y = _data(rng)
    stop = EarlyStopping(monitor=monitor, **kwargs)
    history = _fit(_model(), x, y, [_script(monitor, values), stop], epochs=len(values))
    epochs_run = len(values) if stopped is None else stopped + 1
    assert len(history.history["loss"]) == epochs_run
    assert stop.stopped_epoch == (stopped or 0)
    assert stop.best == values[best]


def _weights_per_epoch():
    seen = []
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(
        [w.value.copy() for w in recorder.model.weights]))
    return seen, recorder


@pytest.mark.parametrize("values, epochs, best", [
    pytest.param([1.0, 0.5, 0.7, 0.8, 0.9], 5, 1, id="stopped-early"),
    pytest.param([1.0, 0.5, 0.7], 3, 1, id="ran-all-epochs"),  # Keras 3 restores here too
])
def test_early_stopping_restores_the_best_epoch(values, epochs, best, rng):
    x, y = _data(rng)
    seen, recorder = _weights_per_epoch()
    stop = EarlyStopping(patience=2, restore_best_weights=True)
    model = _model(lr=0.05)
    _fit(model, x, y, [_script("val_loss", values), recorder, stop], epochs=epochs)
    assert stop.best_epoch == best
    assert not np.array_equal(seen[best][0], seen[-1][0])
    for restored, expected in zip(model.get_weights(), seen[best]):
        np.testing.assert_array_equal(restored, expected)


def test_early_stopping_keeps_last_weights_by_default(rng):
    x, y = _data(rng)
    seen, recorder = _weights_per_epoch()
    model = _model(lr=0.05)
    _fit(model, x, y, [_script("val_loss", [1.0, 0.5, 0.7, 0.8]), recorder,
                       EarlyStopping(patience=2)], epochs=4)
    np.testing.assert_array_equal(model.get_weights()[0], seen[-1][0])


def test_early_stopping_on_real_validation_loss(rng, capsys):
    x, y = _data(rng, n=60)
    stop = EarlyStopping(monitor="val_loss", patience=2, verbose=1, restore_best_weights=True)
    model = _model(lr=0.5)  # large steps: the validation loss soon stops improving
    history = _fit(model, x, y, [stop], epochs=200, validation_split=0.25)
    val = history.history["val_loss"]
    assert len(val) < 200 and len(val) == stop.stopped_epoch + 1
    assert stop.best == min(val) and val.index(min(val)) == stop.best_epoch
    assert model.evaluate(x[45:], y[45:], verbose=0) == pytest.approx(min(val), rel=1e-5)
    assert f"Epoch {stop.stopped_epoch + 1}: early stopping" in capsys.readouterr().out


def test_early_stopping_instance_can_be_reused(rng):
    x, y = _data(rng)
    stop = EarlyStopping(patience=1)
    _fit(_model(), x, y, [_script("val_loss", [0.1, 0.2, 0.3])], epochs=3)
    for _ in range(2):
        history = _fit(_model(), x, y, [_script("val_loss", [1.0, 0.9, 0.95]), stop], epochs=3)
        assert len(history.history["loss"]) == 3 and stop.best == 0.9


def test_unknown_monitor_warns_and_never_stops(rng):
    x, y = _data(rng)
    with pytest.warns(UserWarning, match=r"Early stopping conditioned on metric `val_los` "
                                         r"which is not available. Available metrics are: loss"):
        history = _fit(_model(), x, y, [EarlyStopping(monitor="val_los")], epochs=3)
    assert len(history.history["loss"]) == 3


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="mode 'maximum' is unknown, fallback to auto mode"):
        stop = EarlyStopping(monitor="val_accuracy", mode="maximum")
    assert stop.mode == "auto" and stop.best == -np.inf


@pytest.mark.parametrize("monitor, direction", [
    ("val_loss", "min"), ("loss", "min"), ("val_mean_absolute_error", "min"),
    ("accuracy", "max"), ("val_binary_accuracy", "max"), ("val_auc", "max"),
    ("precision", "max"), ("val_recall", "max"), ("val_acc", "max"),
], ids=lambda v: v)
def test_auto_mode_reads_direction_from_name(monitor, direction):
    for callback in (EarlyStopping(monitor), ReduceLROnPlateau(monitor),
                     ModelCheckpoint("m.mk", monitor)):
        assert callback._direction == direction


# -- ModelCheckpoint ----------------------------------------------------------------------


class _SavingSpy:
    """Replaces ``model.save`` / ``model.save_weights``: writes a marker file, records paths."""

    def __init__(self, model):
        self.calls = []
        model.save = lambda path: self._write("save", path)
        model.save_weights = lambda path: self._write("save_weights", path)

    def _write(self, method, path):
        self.calls.append((method, path))
        with open(path, "w") as f:
            f.write(method)


def test_checkpoint_formats_epoch_and_logs_into_the_name(tmp_path, rng):
    x, y = _data(rng)
    model = _model()
    spy = _SavingSpy(model)
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.3f}.mk")
    _fit(model, x, y, [_script("val_loss", [1.0, 0.25, 0.5]), ModelCheckpoint(pattern)],
         epochs=3)
    names = ["ckpt-01-1.000.mk", "ckpt-02-0.250.mk", "ckpt-03-0.500.mk"]
    assert spy.calls == [("save", str(tmp_path / n)) for n in names]
    assert sorted(p.name for p in tmp_path.iterdir()) == names


@pytest.mark.parametrize("monitor, mode, values, saved_epochs", [
    pytest.param("val_loss", "auto", [1.0, 0.8, 0.9, 0.7, 0.7], [1, 2, 4], id="min"),
    pytest.param("val_accuracy", "auto", [0.5, 0.4, 0.6, 0.6, 0.9], [1, 3, 5], id="auto-max"),
    pytest.param("loss_x", "max", [1.0, 2.0, 1.0, 3.0, 0.0], [1, 2, 4], id="explicit-max"),
])
def test_checkpoint_save_best_only(monitor, mode, values, saved_epochs, tmp_path, rng):
    x, y = _data(rng)
    model = _model()
    spy = _SavingSpy(model)
    checkpoint = ModelCheckpoint(str(tmp_path / "e{epoch}.mk"), monitor=monitor, mode=mode,
                                 save_best_only=True)
    _fit(model, x, y, [_script(monitor, values), checkpoint], epochs=len(values))
    assert [path for _, path in spy.calls] == [str(tmp_path / f"e{e}.mk") for e in saved_epochs]


def test_checkpoint_weights_only_and_batch_frequency(tmp_path, rng):
    x, y = _data(rng)  # 40 samples, batch 10: 4 batches per epoch
    model = _model()
    spy = _SavingSpy(model)
    checkpoint = ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}.mk"), save_weights_only=True,
                                 save_freq=3)
    _fit(model, x, y, [checkpoint], epochs=2)
    assert spy.calls == [("save_weights", str(tmp_path / "w-1-3.mk")),
                         ("save_weights", str(tmp_path / "w-2-2.mk"))]


def test_checkpoint_creates_directories(tmp_path, rng):
    x, y = _data(rng)
    model = _model()
    _SavingSpy(model)
    _fit(model, x, y, [ModelCheckpoint(str(tmp_path / "a" / "b" / "m-{epoch}.mk"))], epochs=1)
    assert (tmp_path / "a" / "b" / "m-1.mk").read_text() == "save"


def test_checkpoint_missing_key_in_pattern(tmp_path, rng):
    x, y = _data(rng)
    model = _model()
    _SavingSpy(model)
    with pytest.raises(KeyError, match=r"no 'val_accuracy' in the logs.*loss, epoch"), \
            pytest.warns(UserWarning, match=r"`filepath` names \['val_accuracy'\], which this "
                                            r"model's logs do not have"):
        _fit(model, x, y, [ModelCheckpoint(str(tmp_path / "{val_accuracy}.mk"))], epochs=1)


def test_checkpoint_best_only_without_the_monitor_warns_and_saves(tmp_path, rng):
    x, y = _data(rng)
    model = _model()
    spy = _SavingSpy(model)
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        _fit(model, x, y, [ModelCheckpoint(str(tmp_path / "m.mk"), save_best_only=True)],
             epochs=2)
    assert len(spy.calls) == 2


@pytest.mark.parametrize("save_freq", [0, "batch", 2.5], ids=str)
def test_checkpoint_rejects_bad_save_freq(save_freq):
    with pytest.raises(ValueError, match="`save_freq` must be 'epoch' or a positive integer"):
        ModelCheckpoint("m.mk", save_freq=save_freq)


def test_checkpoint_with_real_save_reloads_the_best_model(tmp_path, rng):
    x, y = _data(rng, n=60)
    model = _model(lr=0.5)
    path = tmp_path / "best.mk"
    seen, recorder = _weights_per_epoch()
    checkpoint = ModelCheckpoint(path, save_best_only=True)
    history = _fit(model, x, y, [recorder, checkpoint], epochs=15, validation_split=0.25)
    val = history.history["val_loss"]
    best = int(np.argmin(val))
    best_model = load_model(path)
    for loaded, expected in zip(best_model.get_weights(), seen[best]):
        np.testing.assert_array_equal(loaded, expected)
    assert best_model.evaluate(x[45:], y[45:], verbose=0) == pytest.approx(val[best], rel=1e-5)


def test_checkpoint_with_real_save_weights(tmp_path, rng):
    x, y = _data(rng)
    model = _model()
    _fit(model, x, y, [ModelCheckpoint(tmp_path / "w.mk", save_weights_only=True)], epochs=2)
    other = _model()
    other.load_weights(tmp_path / "w.mk")
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- learning-rate callbacks ---------------------------------------------------------------


def _lr_recorder():
    used = []
    return used, LambdaCallback(on_epoch_begin=lambda epoch, logs: used.append(
        float(recorder_model[0].optimizer.learning_rate)))


recorder_model = [None]


def test_reduce_lr_on_plateau_with_cooldown_and_floor(rng):
    x, y = _data(rng)
    model = _model(lr=0.1)
    recorder_model[0] = model
    used, recorder = _lr_recorder()
    reduce = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    history = _fit(model, x, y, [recorder, _script("val_loss", [1.0] * 9), reduce], epochs=9)
    # Epoch 0 sets best = 1; a flat curve then waits 2 epochs, reduces, cools down 1:
    # reductions at the ends of epochs 2, 4 and 6, the last one clamped to min_lr.
    expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02]
    assert used == pytest.approx(expected)
    assert history.history["learning_rate"] == pytest.approx(expected)
    assert model.optimizer.learning_rate == pytest.approx(0.02)


@pytest.mark.parametrize("monitor, values, reduced", [
    pytest.param("val_loss", [1.0, 0.99995, 0.99992, 0.99991], True, id="below-min-delta"),
    pytest.param("val_loss", [1.0, 0.9, 0.8, 0.7], False, id="improving"),
    pytest.param("val_accuracy", [0.5, 0.6, 0.7, 0.8], False, id="auto-max-improving"),
    pytest.param("val_accuracy", [0.5, 0.4, 0.3, 0.2], True, id="auto-max-worsening"),
])
def test_reduce_lr_on_plateau_improvement_rule(monitor, values, reduced, rng):
    x, y = _data(rng)
    model = _model(lr=0.1)
    _fit(model, x, y, [_script(monitor, values), ReduceLROnPlateau(monitor, patience=3)],
         epochs=4)
    assert model.optimizer.learning_rate == pytest.approx(0.01 if reduced else 0.1)


def test_reduce_lr_on_plateau_validation_and_missing_monitor(rng):
    with pytest.raises(ValueError, match=r"`factor` must be a number in \(0, 1\)\. "
                                         r"Received: factor=1\.0"):
        ReduceLROnPlateau(factor=1.0)
    x, y = _data(rng)
    with pytest.warns(UserWarning, match="Learning rate reduction is conditioned on metric "
                                         "`val_loss` which is not available"):
        history = _fit(_model(), x, y, [ReduceLROnPlateau()], epochs=1)
    assert history.history["learning_rate"] == [pytest.approx(0.01)]


def test_learning_rate_scheduler_sets_the_rate_each_epoch(rng):
    x, y = _data(rng)
    model = _model(lr=0.1)
    recorder_model[0] = model
    used, recorder = _lr_recorder()
    scheduler = LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr / 2)
    history = _fit(model, x, y, [scheduler, recorder], epochs=4)
    assert used == pytest.approx([0.1, 0.1, 0.05, 0.025])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.025])


def test_learning_rate_scheduler_rate_reaches_the_optimizer(rng):
    x, y = _data(rng)
    frozen, moving = _model(), _model()
    frozen.set_weights(moving.get_weights())
    before = frozen.get_weights()
    _fit(frozen, x, y, [LearningRateScheduler(lambda epoch, lr: 0.0)], epochs=2)
    _fit(moving, x, y, [LearningRateScheduler(lambda epoch, lr: 0.1)], epochs=2)
    for a, b in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(before[0], moving.get_weights()[0])


def test_learning_rate_scheduler_rejects_non_numbers(rng):
    x, y = _data(rng)
    with pytest.raises(ValueError, match="output of the `schedule` function should be a float"):
        _fit(_model(), x, y, [LearningRateScheduler(lambda epoch, lr: "fast")], epochs=1)
    with pytest.raises(TypeError, match="`schedule` must be a function"):
        LearningRateScheduler(0.1)


# -- NaN / inf losses -------------------------------------------------------------------------


class _Poison(Layer):
    """Outputs ``value`` everywhere at the ``at``-th training forward pass (0-based)."""

    def __init__(self, at, value=np.nan, **kwargs):
        super().__init__(**kwargs)
        self.at, self.value, self.calls = at, value, 0

    def forward(self, x, training=False):
        if training:
            self.calls += 1
            if self.calls - 1 == self.at:
                return np.full_like(x, self.value)
        return x

    def backward(self, grad):
        # Past an inf output, pass nothing back, so later batches are finite again.
        return grad if np.isnan(self.value) else np.zeros_like(grad)


def _poisoned_model(at, value=np.nan):
    model = Sequential([Input((3,)), Dense(4, activation="tanh"), Dense(1), _Poison(at, value)])
    model.compile(optimizer="adam", loss="mse")
    return model


def _batch_counter():
    batches = []
    return batches, LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))


def test_terminate_on_nan_stops_at_that_batch(rng, capsys):
    x, y = _data(rng)  # 4 batches per epoch; poison the 7th: epoch 1, batch 2
    batches, counter = _batch_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonFiniteLossWarning)
        history = _fit(_poisoned_model(at=6), x, y, [counter, TerminateOnNaN()], epochs=5)
    assert batches == [0, 1, 2, 3, 0, 1, 2]
    assert len(history.history["loss"]) == 2 and np.isnan(history.history["loss"][-1])
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out


def test_terminate_on_nan_can_raise(rng):
    x, y = _data(rng)
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        _fit(_poisoned_model(at=1, value=np.inf), x, y, [TerminateOnNaN(raise_error=True)],
             epochs=2)


@pytest.mark.parametrize("value", [np.nan, np.inf], ids=["nan", "inf"])
def test_fit_warns_once_naming_epoch_and_batch(value, rng):
    x, y = _data(rng)
    batches, counter = _batch_counter()
    with pytest.warns(NonFiniteLossWarning) as record:
        history = _fit(_poisoned_model(at=6, value=value), x, y, [counter], epochs=3)
    assert len(record) == 1
    assert "is nan" in str(record[0].message) or "is inf" in str(record[0].message)
    assert "at epoch 2, batch 2" in str(record[0].message)
    assert record[0].filename == __file__  # points at the caller of fit
    assert len(batches) == 12 and len(history.history["loss"]) == 3


def test_finite_training_does_not_warn(rng):
    x, y = _data(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _fit(_model(), x, y, [], epochs=2)


# -- CSVLogger and LambdaCallback ------------------------------------------------------------


def _read_csv(path, delimiter=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def test_csv_logger_writes_one_row_per_epoch(tmp_path, rng):
    x, y = _data(rng)
    path = tmp_path / "log.csv"
    history = _fit(_model(), x, y, [CSVLogger(path)], epochs=3, validation_split=0.25)
    rows = _read_csv(path)
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    np.testing.assert_allclose([float(r[1]) for r in rows[1:]], history.history["loss"])
    np.testing.assert_allclose([float(r[2]) for r in rows[1:]], history.history["val_loss"])


def test_csv_logger_append_and_separator(tmp_path, rng):
    x, y = _data(rng)
    path = tmp_path / "log.csv"
    _fit(_model(), x, y, [CSVLogger(path, separator=";")], epochs=2)
    _fit(_model(), x, y, [CSVLogger(path, separator=";", append=True)], epochs=1)
    rows = _read_csv(path, ";")
    assert rows[0] == ["epoch", "loss"] and [r[0] for r in rows[1:]] == ["0", "1", "0"]
    _fit(_model(), x, y, [CSVLogger(path, separator=";")], epochs=1)  # overwrites
    assert len(_read_csv(path, ";")) == 2


def test_lambda_callback_hooks_in_order(rng):
    x, y = _data(rng, n=20)
    events = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(f"epoch_begin {epoch}"),
        on_train_batch_begin=lambda batch, logs: events.append(f"batch_begin {batch}"),
        on_train_batch_end=lambda batch, logs: events.append(f"batch_end {batch}"),
        on_epoch_end=lambda epoch, logs: events.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: events.append("train_end"))
    _fit(_model(), x, y, [callback], epochs=1)
    assert events == ["train_begin", "epoch_begin 0", "batch_begin 0", "batch_end 0",
                      "batch_begin 1", "batch_end 1", "epoch_end 0 ['loss']", "train_end"]


def test_lambda_callback_rejects_unknown_hooks():
    with pytest.raises(ValueError, match="`on_epoch_ending` is not a callback hook"):
        LambdaCallback(on_epoch_ending=print)
