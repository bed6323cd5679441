# Source: keras-team/keras-io, guides/keras_core/writing_your_own_callbacks.py
#         ("Writing your own callbacks", Rick Chao & Francois Chollet; Keras 3 version,
#         commit 855e37d4)
# License: Apache-2.0 (the keras-io repository)
# What this file is: the source's Keras calls, in its order and with its arguments; the code
# around them is written here (the source's text is not copied).
# Changes:
#   1. import: `import keras` -> `import minikeras as keras`.
#   2. data: `keras.datasets.mnist.load_data()` -> an offline stand-in of the same shapes
#      (28x28 uint8 images, labels 0-9: one random template per digit plus noise, seeded).
#   3. size: 500 training and 500 test images instead of 1,000 each; the early-stopping run
#      has 10 epochs instead of 30 (the scheduling run keeps its 15).
#   4. `np.Inf` -> `np.inf` (NumPy 2 removed the alias; the source fails on it).
#   5. one added last line printing the final metrics.
import numpy as np

import minikeras as keras

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_digits(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


(x_train, y_train), (x_test, y_test) = stand_in_digits(500), stand_in_digits(500)
x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
x_test = x_test.reshape(-1, 784).astype("float32") / 255.0


def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
                  loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


class ReportEveryHook(keras.callbacks.Callback):
    """Prints which hook ran and the keys of the logs it received."""

    def _report(self, what, logs):
        print(what, "logs:", sorted(logs.keys()))

    def on_train_begin(self, logs=None):
        self._report("train begin", logs)

    def on_train_end(self, logs=None):
        self._report("train end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._report(f"epoch {epoch} begin", logs)

    def on_epoch_end(self, epoch, logs=None):
        self._report(f"epoch {epoch} end", logs)

    def on_test_begin(self, logs=None):
        self._report("test begin", logs)

    def on_test_end(self, logs=None):
        self._report("test end", logs)

    def on_predict_begin(self, logs=None):
        self._report("predict begin", logs)

    def on_predict_end(self, logs=None):
        self._report("predict end", logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._report(f"  train batch {batch} begin", logs)

    def on_train_batch_end(self, batch, logs=None):
        self._report(f"  train batch {batch} end", logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._report(f"  test batch {batch} begin", logs)

    def on_test_batch_end(self, batch, logs=None):
        self._report(f"  test batch {batch} end", logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._report(f"  predict batch {batch} begin", logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._report(f"  predict batch {batch} end", logs)


model = get_model()
model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=0, validation_split=0.5,
          callbacks=[ReportEveryHook()])
model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[ReportEveryHook()])
model.predict(x_test, batch_size=128, callbacks=[ReportEveryHook()])


class PrintLossAndError(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print(f"up to batch {batch}: mean loss {logs['loss']:7.2f}")

    def on_test_batch_end(self, batch, logs=None):
        print(f"up to test batch {batch}: mean loss {logs['loss']:7.2f}")

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch}: loss {logs['loss']:7.2f}, "
              f"mean absolute error {logs['mean_absolute_error']:7.2f}")


model = get_model()
model.fit(x_train, y_train, batch_size=128, epochs=2, verbose=0,
          callbacks=[PrintLossAndError()])
model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[PrintLossAndError()])


class StopAtLowestLoss(keras.callbacks.Callback):
    """Stops once the training loss has not improved for `patience` epochs, keeping the best
    weights seen."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.waited = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        loss = logs.get("loss")
        if np.less(loss, self.best):
            self.best, self.waited = loss, 0
            self.best_weights = self.model.get_weights()
            return
        self.waited += 1
        if self.waited >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"stopped early at epoch {self.stopped_epoch + 1}")


model = get_model()
model.fit(x_train, y_train, batch_size=64, epochs=10, verbose=0,
          callbacks=[PrintLossAndError(), StopAtLowestLoss()])


class ScheduleByEpoch(keras.callbacks.Callback):
    """Sets the optimizer's learning rate from schedule(epoch, current_rate) each epoch."""

    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('the optimizer needs a "learning_rate" attribute')
        current = self.model.optimizer.learning_rate
        new_rate = self.schedule(epoch, current)
        self.model.optimizer.learning_rate = new_rate
        print(f"epoch {epoch}: learning rate {float(np.array(new_rate))}")


RATE_AT_EPOCH = {3: 0.05, 6: 0.01, 9: 0.005, 12: 0.001}


def rate_for(epoch, rate):
    return RATE_AT_EPOCH.get(epoch, rate)


model = get_model()
history = model.fit(x_train, y_train, batch_size=64, epochs=15, verbose=0,
                    callbacks=[PrintLossAndError(), ScheduleByEpoch(rate_for)])
print("FINAL_METRICS", {"mean_absolute_error": float(history.history["mean_absolute_error"][-1])})
