"""compile / fit / evaluate / predict: behaviour a Keras user relies on."""
import io
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest

from minikeras import Input, Sequential, losses, optimizers, regularizers
from minikeras.callbacks import Callback
from minikeras.layers import Dense
from minikeras.random import set_seed
from minikeras.utils import check_gradients


def binary_data(rng, n=120, features=4):
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float32)
    return x, y


def binary_model(features=4, optimizer="adam"):
    model = Sequential([Input((features,)), Dense(8, activation="relu"),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_fit_returns_history_per_epoch(rng):
    x, y = binary_data(rng)
    history = binary_model().fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_validation_split_holds_out_the_last_samples(rng):
    x, y = binary_data(rng, n=100)
    model = binary_model()
    history = model.fit(x, y, epochs=2, batch_size=10, validation_split=0.2, verbose=0)
    held_out = model.evaluate(x[80:], y[80:], verbose=0, return_dict=True)
    assert history.history["val_loss"][-1] == pytest.approx(held_out["loss"], rel=1e-6)
    assert history.history["val_accuracy"][-1] == pytest.approx(held_out["accuracy"])


def test_validation_data_is_evaluated_each_epoch(rng):
    x, y = binary_data(rng)
    model = binary_model()
    history = model.fit(x[:90], y[:90], validation_data=(x[90:], y[90:]), epochs=2, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[90:], y[90:], verbose=0)[0], rel=1e-6)


def test_training_learns_and_evaluate_matches_predict(rng):
    x, y = binary_data(rng, n=300)
    model = binary_model(optimizer=optimizers.Adam(0.01))
    model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    p = model.predict(x, verbose=0)[:, 0].astype(np.float64)
    assert accuracy == pytest.approx(np.mean((p > 0.5) == y))
    assert accuracy > 0.95
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert loss == pytest.approx(expected, rel=1e-4)


def test_predict_does_not_depend_on_batch_size(rng):
    x, _ = binary_data(rng)
    model = binary_model()
    np.testing.assert_allclose(model.predict(x, batch_size=7, verbose=0),
                               model.predict(x, batch_size=1000, verbose=0), rtol=1e-6)


def test_seeded_runs_are_bitwise_identical(rng):
    x, y = binary_data(rng)

    def run():
        set_seed(7)
        model = binary_model()
        history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
        return model.get_weights(), history.history

    (w1, h1), (w2, h2) = run(), run()
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert h1 == h2
    set_seed(8)
    assert not np.array_equal(binary_model().get_weights()[0], w1[0])


def test_shuffle_false_visits_batches_in_order(rng):
    x, y = binary_data(rng, n=40)
    seen = []

    class Spy(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)

    model = binary_model(optimizer=optimizers.SGD(0.0))
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[Spy()])
    assert seen == [0, 1, 2]


def test_callbacks_hooks_and_stop_training(rng):
    x, y = binary_data(rng)
    events = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_train_batch_end(self, batch, logs=None):
            assert "loss" in logs and "accuracy" in logs

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch} {sorted(logs)}")
            if epoch == 1:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            events.append("train_end")

    history = binary_model().fit(x, y, epochs=10, verbose=0, callbacks=[Recorder()])
    assert events == ["train_begin", "epoch_begin 0", "epoch_end 0 ['accuracy', 'loss']",
                      "epoch_begin 1", "epoch_end 1 ['accuracy', 'loss']", "train_end"]
    assert len(history.history["loss"]) == 2


def test_initial_epoch_counts_from_there(rng):
    x, y = binary_data(rng)
    history = binary_model().fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]


def test_saturated_sigmoid_output_stays_finite_without_warnings():
    """Logits of +-1e4 into sigmoid + binary cross-entropy: the fused gradient is exact."""
    model = Sequential([Input((1,)), Dense(1, activation="sigmoid", kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = np.array([[1e4], [-1e4], [1e4], [-1e4]], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0], np.float32)      # two right, two maximally wrong
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, _ = model._compute_gradients(x, model._prepare_y(y))
        grads = [w.grad.copy() for w in model.weights]
        evaluated = model.evaluate(x, y, verbose=0)
    assert np.isfinite(loss) and np.isfinite(evaluated)
    assert loss == pytest.approx(1e4 / 2, rel=1e-3)       # mean of 0, 0, 1e4, 1e4
    # dL/dz = (p - y) / 4 = [0, 0, 1/4, -1/4]; dL/dw = sum x * dL/dz = 1e4/4 + 1e4/4
    assert grads[0][0, 0] == pytest.approx(5e3)
    assert grads[1][0] == pytest.approx(0.0)


def test_saturated_softmax_output_stays_finite_without_warnings():
    model = Sequential([Input((2,)), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    model.set_weights([np.array([[1e4, -1e4, 0], [0, 0, 0]], np.float32), np.zeros(3, np.float32)])
    x = np.array([[1.0, 0.0], [-1.0, 0.0]], np.float32)
    y = np.array([[0, 1, 0], [0, 0, 1]], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = model.train_on_batch(x, y)
    assert np.isfinite(loss) and loss == pytest.approx((2e4 + 1e4) / 2, rel=1e-3)
    assert all(np.isfinite(w).all() for w in model.get_weights())


@pytest.mark.parametrize("activation, loss, warns", [
    ("softmax", losses.CategoricalCrossentropy(from_logits=True), "from_logits=False"),
    ("sigmoid", losses.BinaryCrossentropy(from_logits=True), "from_logits=False"),
    (None, losses.CategoricalCrossentropy(), "from_logits=True"),
    (None, "sparse_categorical_crossentropy", "from_logits=True"),
    ("softmax", "categorical_crossentropy", None),
    (None, losses.CategoricalCrossentropy(from_logits=True), None),
    (None, "mse", None),
], ids=["softmax+logits", "sigmoid+logits", "linear+probs", "linear+sparse", "softmax+probs",
        "linear+logits", "mse"])
def test_compile_warns_about_activation_loss_mismatch(activation, loss, warns):
    model = Sequential([Input((4,)), Dense(3, activation=activation)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.compile(optimizer="sgd", loss=loss)
    messages = [str(w.message) for w in caught]
    if warns is None:
        assert messages == []
    else:
        assert len(messages) == 1 and warns in messages[0] and "Fix" in messages[0]


def test_evaluate_return_forms(rng):
    x, y = binary_data(rng)
    model = binary_model()
    as_list = model.evaluate(x, y, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert as_list == [as_dict["loss"], as_dict["accuracy"]]
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)


def test_sample_weight_enters_loss_as_keras_does(rng):
    """Keras's sum_over_batch_size: sum_i w_i l_i / N, whatever the weights sum to."""
    x, y = binary_data(rng, n=20)
    model = binary_model()
    w = rng.uniform(0, 2, size=20).astype(np.float32)
    p = model.predict(x, verbose=0)[:, 0].astype(np.float64)
    per_sample = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    loss = model.evaluate(x, y, sample_weight=w, batch_size=6, verbose=0,
                          return_dict=True)["loss"]
    assert loss == pytest.approx(np.sum(w * per_sample) / 20, rel=1e-5)


def test_only_weighted_metrics_see_sample_weights(rng):
    x, y = binary_data(rng, n=40)
    model = Sequential([Input((4,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy"])
    correct = ((model.predict(x, verbose=0)[:, 0] > 0.5) == y).astype(float)
    w = np.where(correct == 1, 1.0, 3.0)
    logs = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    assert list(logs) == ["accuracy", "loss", "weighted_accuracy"]  # sorted, as Keras 3
    assert logs["accuracy"] == pytest.approx(correct.mean())
    assert logs["weighted_accuracy"] == pytest.approx(np.sum(w * correct) / np.sum(w))


def test_class_weight_equals_the_matching_sample_weight(rng):
    x, y = binary_data(rng, n=64)

    def train(**kwargs):
        set_seed(3)
        model = binary_model()
        model.fit(x, y, epochs=2, batch_size=16, verbose=0, **kwargs)
        return model.get_weights()

    by_class = train(class_weight={0: 0.5, 1: 3.0})
    by_sample = train(sample_weight=np.where(y == 1, 3.0, 0.5))
    for a, b in zip(by_class, by_sample):
        np.testing.assert_array_equal(a, b)
    unweighted = train()
    assert not np.array_equal(by_class[0], unweighted[0])


def test_regularization_penalty_joins_the_loss(rng):
    x, y = binary_data(rng)
    model = Sequential([Input((4,)), Dense(8, activation="relu", kernel_regularizer=regularizers.L2(0.1)),
                        Dense(1, activation="sigmoid", bias_regularizer=regularizers.L1(0.2))])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    kernel, _, _, bias = model.get_weights()
    model.layers[1].bias.assign(np.array([0.5], np.float32))
    p = model.predict(x, verbose=0)[:, 0].astype(np.float64)
    data_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    penalty = 0.1 * np.sum(kernel.astype(np.float64) ** 2) + 0.2 * 0.5
    assert model.evaluate(x, y, batch_size=1000, verbose=0) == pytest.approx(data_loss + penalty,
                                                                              rel=1e-5)


def test_check_gradients_passes_for_a_regularized_model(float64, rng):
    model = Sequential([Input((3,)), Dense(5, activation="tanh", kernel_regularizer="l2"),
                        Dense(4, activation="elu", bias_regularizer="l1"),
                        Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    errors = check_gradients(model, rng.normal(size=(8, 3)), rng.integers(0, 3, size=8))
    assert list(errors) == [layer.name for layer in model.layers]
    assert max(errors.values()) < 1e-6


def test_check_gradients_catches_a_wrong_backward(rng):
    class Doubled(Dense):
        def backward_from_logits(self, dz):
            return super().backward_from_logits(2 * dz)   # deliberately wrong

    model = Sequential([Input((3,)), Dense(4, activation="tanh"), Doubled(1)])
    model.compile(optimizer="sgd", loss="mse")
    errors = check_gradients(model, rng.normal(size=(6, 3)), rng.normal(size=(6, 1)))
    assert errors[model.layers[1].name] > 0.1 and errors[model.layers[0].name] > 0.1
    assert model.get_weights()[0].dtype == np.float32       # restored after the check


@pytest.mark.parametrize("verbose, lines", [(0, 0), (2, 4), (1, 4), ("auto", 4)])
def test_verbose_prints_one_line_per_epoch_in_logs(verbose, lines, rng):
    x, y = binary_data(rng)
    out = io.StringIO()
    with redirect_stdout(out):
        binary_model().fit(x, y, epochs=2, batch_size=16, verbose=verbose)
    text = out.getvalue().splitlines()
    assert len(text) == lines
    if lines:
        assert text[0] == "Epoch 1/2" and text[1].startswith("8/8") and "loss: " in text[1]
        assert "\r" not in out.getvalue()


def test_metrics_names_follow_keras(rng):
    x = rng.normal(size=(30, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=30)
    model = Sequential([Input((4,)), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["accuracy", "loss"]  # sorted, as Keras 3 returns them
    assert logs["accuracy"] == pytest.approx(np.mean(model.predict(x, verbose=0).argmax(1) == y))


# -- one loop shape: hooks of fit, evaluate and predict -------------------------------


class HookRecorder(Callback):
    """Records every hook it hears, as 'hook' or 'hook step'."""

    def __init__(self):
        super().__init__()
        self.events = []
        for hook in [name for name in dir(Callback) if name.startswith("on_")]:
            setattr(self, hook, self._recorder(hook))

    def _recorder(self, hook):
        def record(*args, logs=None):
            self.events.append(f"{hook} {args[0]}" if args and not isinstance(args[0], dict)
                               and args[0] is not None else hook)
        return record


def test_evaluate_and_predict_fire_their_hooks(rng):
    x, y = binary_data(rng, n=40)
    model, spy = binary_model(), HookRecorder()
    model.evaluate(x, y, batch_size=16, verbose=0, callbacks=[spy])
    assert spy.events == ["on_test_begin", "on_test_batch_begin 0", "on_test_batch_end 0",
                          "on_test_batch_begin 1", "on_test_batch_end 1",
                          "on_test_batch_begin 2", "on_test_batch_end 2", "on_test_end"]
    spy.events.clear()
    model.predict(x, batch_size=32, verbose=0, callbacks=[spy])
    assert spy.events == ["on_predict_begin", "on_predict_batch_begin 0",
                          "on_predict_batch_end 0", "on_predict_batch_begin 1",
                          "on_predict_batch_end 1", "on_predict_end"]


def test_fit_validation_runs_the_test_hooks_as_keras_3_does(rng):
    x, y = binary_data(rng, n=40)
    spy = HookRecorder()
    binary_model().fit(x, y, batch_size=20, epochs=1, verbose=0, callbacks=[spy],
                       validation_data=(x[:10], y[:10]))
    assert spy.events == ["on_train_begin", "on_epoch_begin 0", "on_train_batch_begin 0",
                          "on_train_batch_end 0", "on_train_batch_begin 1",
                          "on_train_batch_end 1", "on_test_begin", "on_test_batch_begin 0",
                          "on_test_batch_end 0", "on_test_end", "on_epoch_end 0",
                          "on_train_end"]


def test_callback_hooks_receive_logs(rng):
    x, y = binary_data(rng, n=40)
    seen = {}

    class Keep(Callback):
        def on_test_end(self, logs=None):
            seen["test_end"] = dict(logs)

        def on_predict_batch_end(self, batch, logs=None):
            seen.setdefault("outputs", []).append(logs["outputs"].copy())

    model = binary_model()
    result = model.evaluate(x, y, verbose=0, callbacks=[Keep()], return_dict=True)
    assert seen["test_end"] == result
    predicted = model.predict(x, batch_size=25, verbose=0, callbacks=[Keep()])
    np.testing.assert_array_equal(np.concatenate(seen["outputs"]), predicted)


def test_fit_sets_model_history(rng):
    x, y = binary_data(rng)
    model = binary_model()
    history = model.fit(x, y, epochs=2, verbose=0)
    assert model.history is history and history.epoch == [0, 1]


# -- steps and frequencies ------------------------------------------------------------


def test_steps_per_epoch_continues_the_pass_across_epochs(rng):
    x, y = binary_data(rng, n=60)                     # 6 batches of 10
    steps = []

    class Count(Callback):
        def on_epoch_end(self, epoch, logs=None):
            steps.append(self.model.optimizer.iterations)

    with pytest.warns(UserWarning, match="ran out after 2 of `steps_per_epoch`=4"):
        binary_model().fit(x, y, batch_size=10, epochs=3, steps_per_epoch=4, verbose=0,
                           callbacks=[Count()])
    # 4 batches, then the pass's last 2 (it ran out: Keras warns and ends the epoch), then 4
    assert steps == [4, 6, 10]


def test_validation_freq_and_steps(rng):
    x, y = binary_data(rng, n=60)
    seen = []

    class Batches(Callback):
        def on_test_batch_end(self, batch, logs=None):
            seen.append(batch)

        def on_epoch_end(self, epoch, logs=None):
            seen.append(f"epoch {epoch}: {'val_loss' in logs}")

    history = binary_model().fit(x, y, batch_size=10, epochs=4, validation_split=0.5,
                                 validation_freq=2, validation_steps=2,
                                 validation_batch_size=5, verbose=0, callbacks=[Batches()])
    # two validation batches of 5 at the end of every second epoch
    assert seen == ["epoch 0: False", 0, 1, "epoch 1: True", "epoch 2: False", 0, 1,
                    "epoch 3: True"]
    assert len(history.history["val_loss"]) == 2 and len(history.history["loss"]) == 4


@pytest.mark.parametrize("argument, value", [
    ("steps_per_epoch", 0), ("validation_freq", 0), ("initial_epoch", -1),
    ("validation_batch_size", 0), ("validation_steps", 1.5)])
def test_fit_rejects_bad_step_arguments(argument, value, rng):
    x, y = binary_data(rng, n=20)
    with pytest.raises(ValueError, match=rf"`{argument}` must be .*Received: {argument}="):
        binary_model().fit(x, y, verbose=0, validation_split=0.5, **{argument: value})


# -- the fused output, declared by layers and decided by the loss ----------------------


def test_a_user_layer_without_logits_trains_through_the_plain_path(rng):
    from minikeras.layers import Layer

    class Sigmoid(Layer):
        activation = "sigmoid"                        # looks like one, but declares nothing

        def forward(self, x, training=False):
            y = 1 / (1 + np.exp(-x))
            self.save_for_backward(y=y)
            return y

        def backward(self, grad):
            y = self.saved["y"]
            return grad * y * (1 - y)

    x, y = binary_data(rng)
    model = Sequential([Input((4,)), Dense(1), Sigmoid()])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    reference = Sequential([Input((4,)), Dense(1, activation="sigmoid")])
    reference.compile(optimizer="sgd", loss="binary_crossentropy")
    reference.set_weights(model.get_weights())
    ours = model.train_on_batch(x, y)
    assert ours == pytest.approx(reference.train_on_batch(x, y), rel=1e-5)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("loss, activation, fused", [
    (losses.BinaryCrossentropy(), "sigmoid", True),
    (losses.CategoricalCrossentropy(), "softmax", True),
    (losses.SparseCategoricalCrossentropy(), "softmax", True),
    (losses.BinaryCrossentropy(), "softmax", False),
    (losses.CategoricalCrossentropy(), "sigmoid", False),
    (losses.BinaryCrossentropy(from_logits=True), "sigmoid", False),
    (losses.BinaryCrossentropy(), None, False),
    (losses.MeanSquaredError(), "sigmoid", False),
], ids=["bce+sigmoid", "cce+softmax", "scce+softmax", "bce+softmax", "cce+sigmoid",
        "bce_logits+sigmoid", "bce+undeclared", "mse+sigmoid"])
def test_the_loss_decides_the_fused_pairs(loss, activation, fused):
    plan = loss.for_output(activation)
    assert (plan is not None) == fused
    if fused:
        assert plan.from_logits and type(plan) is type(loss)
        assert loss.for_output(activation) is plan   # built once, reused every step
