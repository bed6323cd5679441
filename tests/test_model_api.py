"""The model API a Keras 3 script touches, each behaviour checked against real Keras 3.

Twin tests run the same snippet on minikeras and on Keras 3 (torch backend) and compare what
must match: names, orders, params, values on the same weights. They skip, saying why, without
Keras. A few tests of minikeras-only choices (where Keras has nothing to copy) close the file.
"""
import re

import numpy as np
import pytest
from conftest import import_keras

import minikeras
from minikeras import Input, Sequential, backend
from minikeras.callbacks import Callback
from minikeras.layers import Dense


@pytest.fixture(scope="module")
def keras():
    return import_keras()


def _data(n=40, features=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    return x, (x[:, 0] + x[:, 1] > 0).astype("float32")


def _model(framework, metrics=None, weighted_metrics=None, weights=None, compiled=True):
    model = framework.Sequential([framework.Input((4,)),
                                  framework.layers.Dense(3, activation="relu"),
                                  framework.layers.Dense(1, activation="sigmoid")])
    if weights is not None:
        model.set_weights(weights)
    if compiled:
        model.compile(optimizer=framework.optimizers.SGD(learning_rate=0.1),
                      loss="binary_crossentropy", metrics=metrics,
                      weighted_metrics=weighted_metrics)
    return model


def _twins(keras, **compile_args):
    ours = _model(minikeras, **compile_args)
    return ours, _model(keras, weights=ours.get_weights(), **compile_args)


# -- the package surface ----------------------------------------------------------------------

SUBMODULES = ["layers", "models", "optimizers", "losses", "metrics", "callbacks", "activations",
              "initializers", "regularizers", "utils", "datasets", "saving", "backend"]


def test_the_submodules_keras_scripts_use_are_there_after_one_import(keras):
    for name in SUBMODULES:
        assert hasattr(keras, name) and hasattr(minikeras, name), name
    assert hasattr(minikeras, "wrappers")  # SciKeras's wrappers, reachable from the package
    assert minikeras.optimizers.schedules.ExponentialDecay is not None
    assert keras.optimizers.schedules.ExponentialDecay is not None


def test_keras_import_paths_work():
    from minikeras.backend import clear_session, epsilon, floatx, set_floatx  # noqa: F401
    from minikeras.models import (Sequential, clone_model, load_model,  # noqa: F401
                                  model_from_json, save_model)
    from minikeras.optimizers.schedules import ExponentialDecay
    from minikeras.utils import PyDataset, Sequence, set_random_seed, to_categorical  # noqa: F401
    assert ExponentialDecay is minikeras.schedules.ExponentialDecay


def test_backend_settings_match_keras(keras):
    assert backend.floatx() == keras.backend.floatx() == "float32"
    assert backend.epsilon() == keras.backend.epsilon()
    assert backend.backend() == "numpy"
    backend.set_floatx("float64")
    assert minikeras.config.floatx() == "float64"  # conftest puts float32 back


def test_clear_session_restarts_the_names_as_in_keras(keras):
    names = {}
    for framework in (minikeras, keras):
        [framework.layers.Dense(2) for _ in range(3)]
        framework.Sequential()
        framework.backend.clear_session()
        names[framework.__name__] = [framework.layers.Dense(2).name, framework.Sequential().name,
                                     framework.metrics.Precision().name,
                                     framework.layers.Dense(2).name]
    assert names["minikeras"] == names["keras"] == ["dense", "sequential", "precision", "dense_1"]


def test_get_layer_by_its_automatic_name_after_clear_session():
    Dense(2)
    backend.clear_session()
    model = Sequential([Input((3,)), Dense(4), Dense(1)])
    assert model.get_layer("dense") is model.layers[0]


# -- metrics, metrics_names and the order of the logs ---------------------------------------

COMPILE_CONFIGS = {
    "no_metrics": {},
    "empty_list": {"metrics": []},
    "accuracy": {"metrics": ["accuracy"]},
    "mixed": {"metrics": ["mse", "accuracy"], "weighted_metrics": ["mae"]},
    "clash": {"metrics": ["accuracy", "auc"], "weighted_metrics": ["accuracy"]},
    "renamed_first": {"metrics": ["mse"], "weighted_metrics": ["mse", "mae"]},
}
# Where Keras's evaluate list repeats a value: it lists the logs by metric name, so two
# metrics of one name ("accuracy" and the weighted "accuracy") give that value twice.
KERAS_REPEATS = {"clash": 3, "renamed_first": 2}


@pytest.mark.parametrize("config", COMPILE_CONFIGS.values(), ids=COMPILE_CONFIGS.keys())
def test_metrics_and_metrics_names_match_keras(keras, config):
    x, y = _data()
    ours, theirs = _model(minikeras, compiled=False), _model(keras, compiled=False)
    assert ours.metrics_names == theirs.metrics_names == []
    described = []
    for model, framework in ((ours, minikeras), (theirs, keras)):
        model.compile(optimizer="sgd", loss="binary_crossentropy", **config)
        after_compile = model.metrics_names
        model.fit(x, y, epochs=1, verbose=0)
        model.evaluate(x, y, verbose=0)
        described.append((after_compile, model.metrics_names,
                          [type(m).__name__ for m in model.metrics],
                          [m.name for m in model.metrics[1].metrics]
                          if len(model.metrics) > 1 else None))
    assert described[0] == described[1]


@pytest.mark.parametrize("name", COMPILE_CONFIGS)
def test_log_keys_and_values_come_in_keras_order(keras, name):
    config = COMPILE_CONFIGS[name]
    x, y = _data()
    ours, theirs = _twins(keras, **config)
    results = []
    for model in (ours, theirs):
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                            validation_split=0.25)
        results.append((history.history, model.evaluate(x, y, verbose=0, return_dict=True),
                        model.evaluate(x, y, verbose=0)))
    (history, logs, values), (keras_history, keras_logs, keras_values) = results
    assert list(history) == list(keras_history)
    for key in keras_history:
        np.testing.assert_allclose(history[key], keras_history[key], rtol=1e-4, atol=1e-6)
    assert list(logs) == list(keras_logs)
    np.testing.assert_allclose(list(logs.values()), list(keras_logs.values()), rtol=1e-4)
    if name in KERAS_REPEATS:
        del keras_values[KERAS_REPEATS[name]]  # each log once here
    np.testing.assert_allclose(values, keras_values, rtol=1e-4)  # the list: loss, then compile's


@pytest.mark.parametrize("kwargs", [{}, {"verbose": 0}, {"verbose": 2, "batch_size": 10},
                                    {"verbose": 0, "steps_per_epoch": 2}],
                         ids=["default", "silent", "lines", "steps_per_epoch"])
def test_history_params_match_keras(keras, kwargs, capsys):
    x, y = _data()
    ours, theirs = _twins(keras)
    params = [list(model.fit(x, y, epochs=2, **kwargs).params.items())
              for model in (ours, theirs)]
    capsys.readouterr()
    assert params[0] == params[1]


def _hook_recorder(framework, events):
    """A callback recording each hook as (hook, epoch or batch, how logs came, their keys)."""

    class Recorder(framework.callbacks.Callback):
        def on_batch_begin(self, batch, logs=None):
            events.append(("on_batch_begin alias", batch, sorted(logs)))

        def on_batch_end(self, batch, logs=None):
            events.append(("on_batch_end alias", batch, sorted(logs)))

    def hook(name):
        def record(self, *args, **kwargs):
            logs = kwargs["logs"] if "logs" in kwargs else args[-1]
            events.append((name, args[:-1] if "logs" not in kwargs else args,
                           "keyword" if "logs" in kwargs else "positional",
                           None if logs is None else list(logs)))
            getattr(framework.callbacks.Callback, name)(self, *args, **kwargs)
        return record
    for name in dir(framework.callbacks.Callback):
        if name.startswith("on_") and name not in ("on_batch_begin", "on_batch_end"):
            setattr(Recorder, name, hook(name))
    return Recorder()


def test_every_hook_is_called_as_keras_calls_it(keras):
    """fit (with validation), evaluate and predict: the same hooks in the same order, with
    logs dicts (never None, keys sorted), batch hooks given logs by keyword, and the
    on_batch_* aliases heard through on_train_batch_*."""
    x, y = _data()
    runs = []
    for framework in (minikeras, keras):
        model = _model(framework, metrics=["accuracy"], weighted_metrics=["mse"])
        events = []
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_split=0.25,
                  callbacks=[_hook_recorder(framework, events)])
        model.evaluate(x, y, batch_size=32, verbose=0, callbacks=[_hook_recorder(framework,
                                                                                  events)])
        model.predict(x, batch_size=32, verbose=0, callbacks=[_hook_recorder(framework, events)])
        runs.append(events)
    assert runs[0] == runs[1]
    assert ("on_test_begin", (), "positional", []) in runs[0]  # fit's validation runs test hooks


def test_a_key_added_in_on_epoch_end_reaches_history_as_in_keras(keras):
    x, y = _data()
    histories = []
    for framework in (minikeras, keras):
        class Lr(framework.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                logs["lr"] = self.model.optimizer.learning_rate.numpy()
        histories.append(_model(framework).fit(x, y, epochs=2, verbose=0,
                                               callbacks=[Lr()]).history)
    assert list(histories[0]) == list(histories[1]) == ["loss", "lr"]
    np.testing.assert_allclose(histories[0]["lr"], histories[1]["lr"])


# -- learning rates -----------------------------------------------------------------------


def test_learning_rate_answers_like_a_keras_variable(keras):
    seen = []
    for framework in (minikeras, keras):
        optimizer = framework.optimizers.SGD(learning_rate=0.5)
        rate = optimizer.learning_rate
        first = (rate.numpy().shape, float(rate.numpy()), float(rate), float(np.array(rate)))
        optimizer.learning_rate = 0.25                    # a float
        second = float(optimizer.learning_rate.numpy())
        optimizer.learning_rate = optimizer.learning_rate.numpy() * 2   # a numpy value
        third = float(optimizer.learning_rate)
        optimizer.learning_rate.assign(0.125)             # Keras's variable method
        seen.append((first, second, third, float(optimizer.learning_rate)))
    assert seen[0] == seen[1] == (((), 0.5, 0.5, 0.5), 0.25, 0.5, 0.125)


def test_a_schedule_s_learning_rate_is_its_value_now_and_cannot_be_set(keras):
    for framework in (minikeras, keras):
        schedule = framework.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10,
                                                                   decay_rate=0.5)
        optimizer = framework.optimizers.SGD(learning_rate=schedule)
        assert float(np.asarray(optimizer.learning_rate)) == pytest.approx(0.1)
        with pytest.raises(TypeError, match="LearningRateSchedule"):
            optimizer.learning_rate = 0.5


def _epoch_rates(framework, schedule):
    x, y = _data()
    history = _model(framework).fit(x, y, epochs=4, verbose=0,
                                    callbacks=[framework.callbacks.LearningRateScheduler(schedule)])
    return history.history["learning_rate"]


@pytest.mark.parametrize("schedule", [
    lambda epoch: 0.01 * 0.1 ** (epoch / 20),                 # Keras 2's one-argument form
    lambda epoch, lr: lr if epoch < 2 else lr * 0.5,
    lambda epoch: np.float64([0.01, 0.005][epoch > 1]),        # a numpy float
], ids=["one_argument", "two_arguments", "numpy_float"])
def test_learning_rate_scheduler_takes_the_schedules_keras_takes(keras, schedule):
    np.testing.assert_allclose(_epoch_rates(minikeras, schedule), _epoch_rates(keras, schedule),
                               rtol=1e-6)


def test_learning_rate_scheduler_refuses_an_int_rate_as_keras(keras):
    for framework in (minikeras, keras):
        with pytest.raises(ValueError, match="should be a float"):
            _epoch_rates(framework, lambda epoch: 1)


def test_a_type_error_inside_a_two_argument_schedule_is_not_hidden():
    def broken(epoch, lr):
        return lr + "fast"  # Keras would retry as broken(epoch) and report that call instead
    with pytest.raises(TypeError, match="unsupported operand"):
        _epoch_rates(minikeras, broken)


# -- variables and values with .numpy() ----------------------------------------------------


def test_layer_variables_match_keras(keras):
    described = []
    for framework in (minikeras, keras):
        model = framework.Sequential([framework.Input((3,)),
                                      framework.layers.Dense(4, use_bias=False),
                                      framework.layers.BatchNormalization(),
                                      framework.layers.Dense(2)])
        flags = [[(v.name, v.trainable) for v in layer.variables] for layer in model.layers]
        model.layers[2].trainable = False  # Keras then also marks its variables untrainable
        described.append(flags
                         + [[v.name for v in layer.trainable_variables] for layer in model.layers]
                         + [[v.name for v in layer.non_trainable_variables]
                            for layer in model.layers]
                         + [len(model.variables), len(model.trainable_variables),
                            len(model.non_trainable_variables)])
    assert described[0] == described[1]


def test_numpy_values_of_variables_and_outputs_match_keras(keras):
    x, _ = _data(5)
    ours, theirs = _twins(keras)
    for mine, its in zip(ours.variables, theirs.variables):
        np.testing.assert_array_equal(mine.numpy(), its.numpy())
        assert mine.numpy() is not mine.value  # a copy, as Keras's
    output = ours(x)
    np.testing.assert_allclose(output.numpy(), keras.ops.convert_to_numpy(theirs(x)), rtol=1e-5)
    relu = ours.layers[0](x)
    np.testing.assert_allclose(relu.numpy(), keras.ops.convert_to_numpy(theirs.layers[0](x)),
                               rtol=1e-5)


def test_outputs_are_numpy_arrays_whose_arithmetic_gives_plain_arrays():
    x, _ = _data(5)
    output = _model(minikeras, compiled=False)(x)
    assert isinstance(output, np.ndarray) and isinstance(output, backend.Tensor)
    for result in (output * 2, np.exp(output), output.sum(axis=0), np.concatenate([output])):
        assert type(result) is np.ndarray
    assert type(output.numpy()) is np.ndarray and np.shares_memory(output.numpy(), output)
    assert isinstance(output[0], backend.Tensor)  # indexing keeps .numpy(), as a Keras tensor


# -- data of Keras's shapes ------------------------------------------------------------------


def test_one_dimensional_x_for_a_one_feature_input_matches_keras(keras):
    x = np.linspace(-2, 2, 30).astype("float32")
    y = (2 * x + 1).astype("float32")
    results = []
    for framework in (minikeras, keras):
        model = framework.Sequential([framework.Input((1,)), framework.layers.Dense(1)])
        model.set_weights([np.array([[0.5]], "float32"), np.zeros(1, "float32")])
        model.compile(optimizer=framework.optimizers.SGD(learning_rate=0.1), loss="mse")
        history = model.fit(x, y, batch_size=10, shuffle=False, epochs=2, verbose=0,
                            validation_split=0.2)
        results.append((model.predict(x[:5], verbose=0), history.history,
                        model.evaluate(x, y, verbose=0)))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    for key in results[1][1]:
        np.testing.assert_allclose(results[0][1][key], results[1][1][key], rtol=1e-4)
    assert results[0][2] == pytest.approx(results[1][2], rel=1e-4)


def test_an_extra_trailing_axis_of_one_is_dropped_as_in_keras(keras):
    x, _ = _data(6, features=3)
    outputs = []
    for framework in (minikeras, keras):
        model = framework.Sequential([framework.Input((3,)), framework.layers.Dense(2)])
        model.set_weights([np.ones((3, 2), "float32"), np.zeros(2, "float32")])
        outputs.append(model.predict(x[..., None], verbose=0))
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-6)


def test_a_built_first_layer_gives_the_model_its_input_shape():
    first = Dense(3)
    first(np.ones((2, 5), "float32"))  # built by a call, as an adapted layer is built
    model = Sequential([first, Dense(1)])
    assert model.built and model.input_shape == (None, 5)
    assert model.count_params() == 5 * 3 + 3 + 3 + 1
    assert model.predict(np.ones((4, 5)), verbose=0).shape == (4, 1)


# -- summary ------------------------------------------------------------------------------


def _summary(framework, **kwargs):
    model = framework.Sequential([framework.Input((3,)),
                                  framework.layers.Dense(4, name="first"),
                                  framework.layers.BatchNormalization(),
                                  framework.layers.Dropout(0.1), framework.layers.Dense(2)])
    model.layers[0].trainable = False
    texts = []
    model.summary(print_fn=lambda text, **ignored: texts.append(text), **kwargs)
    return texts


def _table_rows(text):
    """The first line of each layer's row: ``[[name (type), shape, params, ...]]``."""
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in re.split("[│┃|]", line)[1:-1]]
        if len(cells) >= 3 and re.fullmatch(r"[\d,]+", cells[2]):
            rows.append(cells)
    return rows


def test_summary_line_length_sets_the_table_width_as_in_keras(keras):
    for line_length in (60, 80):  # Keras's output stops at 80 columns off a terminal
        widths = []
        for framework in (minikeras, keras):
            (text,) = _summary(framework, line_length=line_length)
            table = [line for line in text.splitlines() if line[:1] in "┌┏├┡│┃└+|"]
            widths.append({len(line) for line in table})
        assert widths[0] == widths[1] == {line_length}


def test_summary_show_trainable_and_layer_range_give_keras_rows(keras):
    rows = []
    for framework in (minikeras, keras):
        (text,) = _summary(framework, line_length=80, show_trainable=True,
                           layer_range=["first", "batch.*"])
        rows.append(_table_rows(text))
    assert rows[0] == rows[1]
    assert [row[-1] for row in rows[0]] == ["N", "Y"] and rows[0][0][0] == "first (Dense)"
    assert _table_rows(_summary(minikeras, show_trainable=True)[0])[2][-1] == "-"


def test_summary_positions_and_bad_arguments():
    (text,) = _summary(minikeras, line_length=70, positions=[30, 50, 70])
    header = text.splitlines()[1]
    assert [i for i, c in enumerate(header) if c in "┬┐"] == [30, 50, 69]
    with pytest.raises(ValueError, match="`positions` must be 3 increasing positive numbers"):
        _summary(minikeras, line_length=70, positions=[0.5, 1.0])
    with pytest.raises(ValueError, match="`layer_range` names no layers"):
        _summary(minikeras, layer_range=["nothing", "dense"])
    with pytest.raises(ValueError, match="`line_length`=12 leaves a column"):
        _summary(minikeras, line_length=12)


def test_summary_expand_nested_lists_a_nested_model_s_layers():
    class Block(Dense):
        """A layer holding layers of its own, as a nested model does."""

        @property
        def layers(self):
            return [self.inner]

    block = Block(4, name="block")
    block.inner = Dense(4, name="inner")
    block.inner.build((None, 4))
    model = Sequential([Input((3,)), block])
    texts = []
    model.summary(print_fn=texts.append, expand_nested=True)
    rows = _table_rows(texts[0])
    assert [row[0] for row in rows] == ["block (Block)", "└ inner (Dense)"]
    texts.clear()
    model.summary(print_fn=texts.append)
    assert len(_table_rows(texts[0])) == 1


# -- minikeras's own ------------------------------------------------------------------------


def test_compile_metrics_logs_every_metric_by_its_log_name():
    x, y = _data()
    model = _model(minikeras, metrics=["accuracy"], weighted_metrics=["accuracy"])
    compiled = model.metrics[1]
    assert compiled.names == ["accuracy", "weighted_accuracy"]
    assert len(compiled.metrics) == 2 and compiled.metrics[0] is not compiled.metrics[1]
    weights = np.where(y > 0, 3.0, 1.0)
    compiled.update_state(y[:, None], model.predict(x, verbose=0), sample_weight=weights)
    assert set(compiled.result()) == {"accuracy", "weighted_accuracy"}
    with pytest.raises(NotImplementedError):
        compiled.get_config()


def test_callback_hooks_receive_dicts_even_when_the_loop_passes_nothing():
    received = []

    class Watch(Callback):
        def on_train_begin(self, logs=None):
            received.append(logs)

        def on_batch_begin(self, batch, logs=None):
            received.append(logs)
    x, y = _data(8)
    _model(minikeras).fit(x, y, epochs=1, verbose=0, callbacks=[Watch()])
    assert received == [{}, {}]


def test_learning_rate_copies_are_plain_floats():
    import copy
    import pickle
    rate = minikeras.optimizers.SGD(learning_rate=0.5).learning_rate
    for clone in (copy.deepcopy(rate), pickle.loads(pickle.dumps(rate)), rate * 1):
        assert type(clone) is float and clone == 0.5
    with pytest.raises(ValueError, match="not attached to an optimizer"):
        type(rate)(0.5).assign(0.1)


def test_keras_utils_names():
    from minikeras import utils
    np.testing.assert_allclose(utils.normalize([[3.0, 4.0], [0.0, 0.0]]), [[0.6, 0.8], [0, 0]])
    np.testing.assert_allclose(utils.normalize(np.array([[3, 4]]), order=1), [[3 / 7, 4 / 7]])
    assert utils.get_custom_objects is minikeras.saving.get_custom_objects
    assert utils.Progbar is minikeras.utils.progbar.Progbar
    with pytest.raises(AttributeError, match="no attribute 'plot_model'"):
        utils.plot_model  # noqa: B018 - needs pydot and graphviz in Keras; not here
