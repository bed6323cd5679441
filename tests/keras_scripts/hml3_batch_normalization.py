# Source: ageron/handson-ml3, 11_training_deep_neural_networks.ipynb, "Batch Normalization"
#         and "Gradient Clipping"; commit e3f3f9e6
# License: Apache-2.0
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf` -> `import minikeras as keras`, and every
#      `tf.keras.` -> `keras.`; `tf.random.set_seed(42)` -> `keras.utils.set_random_seed(42)`.
#   2. data: `tf.keras.datasets.fashion_mnist.load_data()` -> an offline stand-in of the same
#      shapes (28x28 uint8 images, labels 0-9: one random template per class plus noise).
#   3. size: 1,000 training and 200 validation images instead of 55,000 and 5,000; the two
#      epochs of each model are kept.
#   4. one added last line printing the final metrics: the last epoch's training accuracy
#      (with 64 steps instead of the source's 3,400 the moving statistics that validation
#      uses have not settled, and validation accuracy swings by 0.2 between seeds).
import numpy as np

import minikeras as keras

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_fashion(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


X_train_full, y_train_full = stand_in_fashion(1200)
X_train, y_train = X_train_full[:-200] / 255, y_train_full[:-200]
X_valid, y_valid = X_train_full[-200:] / 255, y_train_full[-200:]

keras.backend.clear_session()
keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(300, activation="relu", kernel_initializer="he_normal"),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()
print([(var.name, var.trainable) for var in model.layers[1].variables])
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
after = model.fit(X_train, y_train, epochs=2, validation_data=(X_valid, y_valid))
params_after = model.count_params()

keras.backend.clear_session()
keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    keras.layers.Dense(300, kernel_initializer="he_normal", use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(100, kernel_initializer="he_normal", use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
before = model.fit(X_train, y_train, epochs=2, validation_data=(X_valid, y_valid))

optimizer = keras.optimizers.SGD(clipvalue=1.0)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
optimizer = keras.optimizers.SGD(clipnorm=1.0)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
print("FINAL_METRICS", {"accuracy_bn_after": float(after.history["accuracy"][-1]),
                        "accuracy_bn_before": float(before.history["accuracy"][-1]),
                        "params_bn_after": params_after,
                        "params_bn_before": model.count_params()})
