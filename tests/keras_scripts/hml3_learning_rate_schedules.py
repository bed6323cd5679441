# Source: ageron/handson-ml3, 11_training_deep_neural_networks.ipynb, "Learning Rate
#         Scheduling" (power, exponential, piecewise-constant and performance scheduling);
#         commit e3f3f9e6
# License: Apache-2.0
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf` -> `import minikeras as keras`, and every
#      `tf.keras.` -> `keras.`; `tf.random.set_seed(seed)` -> `keras.utils.set_random_seed(seed)`.
#   2. data: `tf.keras.datasets.fashion_mnist.load_data()` -> an offline stand-in of the same
#      shapes (28x28 uint8 images, labels 0-9: one random template per class plus noise).
#   3. size: 320 training and 200 validation images instead of 55,000 and 5,000; the
#      schedule-object runs train 2 epochs instead of 10, the callback runs 5 instead of
#      20 or 25; the 1cycle section is left out.
#   4. the matplotlib figures are left out.
#   5. one added last line printing the final metrics.
import math

import numpy as np

import minikeras as keras

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_fashion(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


X_train_full, y_train_full = stand_in_fashion(520)
X_train, y_train = X_train_full[:-200] / 255, y_train_full[:-200]
X_valid, y_valid = X_train_full[-200:] / 255, y_train_full[-200:]


def build_model(seed=42):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.layers.Flatten(input_shape=[28, 28]),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def compiled(optimizer):
    model = build_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    return model


def fit(model, epochs, callbacks=()):
    return model.fit(X_train, y_train, epochs=epochs, validation_data=(X_valid, y_valid),
                     callbacks=list(callbacks))


# Schedules handed to the optimizer: updated every step.
power = keras.optimizers.schedules.InverseTimeDecay(initial_learning_rate=0.01,
                                                    decay_steps=10_000, decay_rate=1.0,
                                                    staircase=False)
fit(compiled(keras.optimizers.SGD(learning_rate=power)), epochs=2)
exponential = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=0.01,
                                                          decay_steps=20_000, decay_rate=0.1,
                                                          staircase=False)
fit(compiled(keras.optimizers.SGD(learning_rate=exponential)), epochs=2)


# Schedules as callbacks: updated every epoch.
def exponential_decay(lr0, s):
    def exponential_decay_fn(epoch):
        return lr0 * 0.1 ** (epoch / s)
    return exponential_decay_fn


n_epochs = 5
lr_scheduler = keras.callbacks.LearningRateScheduler(exponential_decay(lr0=0.01, s=20))
fit(compiled(keras.optimizers.SGD(learning_rate=0.001)), n_epochs, [lr_scheduler])


def exponential_decay_fn(epoch, lr):
    return lr * 0.1 ** (1 / 20)


fit(compiled(keras.optimizers.SGD(learning_rate=0.001)), n_epochs,
    [keras.callbacks.LearningRateScheduler(exponential_decay_fn)])


class ExponentialDecay(keras.callbacks.Callback):
    """Shrinks the learning rate a little before every batch."""

    def __init__(self, n_steps=40_000):
        super().__init__()
        self.n_steps = n_steps

    def on_batch_begin(self, batch, logs=None):
        lr = self.model.optimizer.learning_rate.numpy()
        self.model.optimizer.learning_rate = lr * 0.1 ** (1 / self.n_steps)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        logs["lr"] = self.model.optimizer.learning_rate.numpy()


batch_size = 32
n_steps = n_epochs * math.ceil(len(X_train) / batch_size)
per_step = fit(compiled(keras.optimizers.SGD(learning_rate=0.01)), n_epochs,
               [ExponentialDecay(n_steps)])
print("learning rate at the end:", per_step.history["lr"][-1])

piecewise = keras.optimizers.schedules.PiecewiseConstantDecay(
    boundaries=[50_000 * n_epochs // batch_size, 80_000 * n_epochs // batch_size],
    values=[0.01, 0.005, 0.001])
fit(compiled(keras.optimizers.SGD(learning_rate=piecewise)), epochs=2)


def piecewise_constant(boundaries, values):
    starts = np.array([0] + boundaries)
    values = np.array(values)

    def piecewise_constant_fn(epoch):
        return values[(starts > epoch).argmax() - 1]
    return piecewise_constant_fn


lr_scheduler = keras.callbacks.LearningRateScheduler(
    piecewise_constant([5, 15], [0.01, 0.005, 0.001]))
fit(compiled(keras.optimizers.Nadam(learning_rate=0.01)), n_epochs, [lr_scheduler])

lr_scheduler = keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=5)
history = fit(compiled(keras.optimizers.SGD(learning_rate=0.01)), n_epochs, [lr_scheduler])
print("FINAL_METRICS", {"val_accuracy": float(history.history["val_accuracy"][-1])})
