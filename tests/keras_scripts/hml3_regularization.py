# Source: ageron/handson-ml3, 11_training_deep_neural_networks.ipynb, "Avoiding Overfitting
#         Through Regularization" (l2 with functools.partial, dropout, max-norm);
#         commit e3f3f9e6
# License: Apache-2.0
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf` -> `import minikeras as keras`, and every
#      `tf.keras.` -> `keras.`; `tf.random.set_seed(42)` -> `keras.utils.set_random_seed(42)`.
#   2. data: `tf.keras.datasets.fashion_mnist.load_data()` -> an offline stand-in of the same
#      shapes (28x28 uint8 images, labels 0-9: one random template per class plus noise).
#   3. size: 640 training, 200 validation and 200 test images instead of 55,000, 5,000 and
#      10,000; the dropout and max-norm models train 3 epochs instead of 10 (the l2 one keeps
#      its 2).
#   4. left out: the MC-dropout cells (they stack `model(X, training=True)` results with
#      np.stack, which works on TensorFlow tensors only: torch tensors that require grad
#      refuse numpy()) and the MCDropout subclass.
#   5. one added last line printing the final metrics.
from functools import partial

import numpy as np

import minikeras as keras

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_fashion(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


(X_train, y_train), (X_valid, y_valid), (X_test, y_test) = (
    stand_in_fashion(640), stand_in_fashion(200), stand_in_fashion(200))
X_train, X_valid, X_test = X_train / 255, X_valid / 255, X_test / 255

layer = keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal",
                           kernel_regularizer=keras.regularizers.l2(0.01))

keras.utils.set_random_seed(42)
RegularizedDense = partial(keras.layers.Dense, activation="relu",
                           kernel_initializer="he_normal",
                           kernel_regularizer=keras.regularizers.l2(0.01))
model = keras.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    RegularizedDense(100),
    RegularizedDense(100),
    RegularizedDense(10, activation="softmax", kernel_initializer="glorot_normal"),
])
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=keras.optimizers.SGD(learning_rate=0.02), metrics=["accuracy"])
l2_history = model.fit(X_train, y_train, epochs=2, validation_data=(X_valid, y_valid))

keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    keras.layers.Dropout(rate=0.2),
    keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    keras.layers.Dropout(rate=0.2),
    keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    keras.layers.Dropout(rate=0.2),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
              metrics=["accuracy"])
model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid))
train_loss, train_accuracy = model.evaluate(X_train, y_train)
dropout_loss, dropout_accuracy = model.evaluate(X_test, y_test)

dense = keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal",
                           kernel_constraint=keras.constraints.max_norm(1.))
MaxNormDense = partial(keras.layers.Dense, activation="relu", kernel_initializer="he_normal",
                       kernel_constraint=keras.constraints.max_norm(1.))
keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    MaxNormDense(100),
    MaxNormDense(100),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
              metrics=["accuracy"])
max_norm_history = model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid))
print("FINAL_METRICS", {"val_accuracy_l2": float(l2_history.history["val_accuracy"][-1]),
                        "test_accuracy_dropout": float(dropout_accuracy),
                        "val_accuracy_max_norm":
                            float(max_norm_history.history["val_accuracy"][-1]),
                        "max_norm_holds": max(float(np.linalg.norm(w, axis=0).max())
                                              for w in model.get_weights()[0:4:2]) <= 1 + 1e-5})
