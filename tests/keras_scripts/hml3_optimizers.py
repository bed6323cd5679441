# Source: ageron/handson-ml3, 11_training_deep_neural_networks.ipynb, "Faster Optimizers"
#         (momentum, Nesterov, AdaGrad, RMSProp, Adam, AdaMax, Nadam, AdamW); commit e3f3f9e6
# License: Apache-2.0
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf` -> `import minikeras as keras`, and every
#      `tf.keras.` -> `keras.`; `tf.random.set_seed(seed)` -> `keras.utils.set_random_seed(seed)`.
#   2. data: `tf.keras.datasets.fashion_mnist.load_data()` -> an offline stand-in of the same
#      shapes (28x28 uint8 images, labels 0-9: one random template per class plus noise).
#   3. size: 320 training and 200 validation images instead of 55,000 and 5,000; each
#      optimizer trains 5 epochs instead of 10.
#   4. the matplotlib comparison of the learning curves is left out.
#   5. one added last line printing the final metrics.
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


def build_and_train_model(optimizer):
    model = build_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    return model.fit(X_train, y_train, epochs=5, validation_data=(X_valid, y_valid))


histories = {
    "sgd": build_and_train_model(keras.optimizers.SGD(learning_rate=0.001)),
    "momentum": build_and_train_model(keras.optimizers.SGD(learning_rate=0.001, momentum=0.9)),
    "nesterov": build_and_train_model(keras.optimizers.SGD(learning_rate=0.001, momentum=0.9,
                                                           nesterov=True)),
    "adagrad": build_and_train_model(keras.optimizers.Adagrad(learning_rate=0.001)),
    "rmsprop": build_and_train_model(keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9)),
    "adam": build_and_train_model(keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9,
                                                        beta_2=0.999)),
    "adamax": build_and_train_model(keras.optimizers.Adamax(learning_rate=0.001, beta_1=0.9,
                                                            beta_2=0.999)),
    "nadam": build_and_train_model(keras.optimizers.Nadam(learning_rate=0.001, beta_1=0.9,
                                                          beta_2=0.999)),
    "adamw": build_and_train_model(keras.optimizers.AdamW(weight_decay=1e-5, learning_rate=0.001,
                                                          beta_1=0.9, beta_2=0.999)),
}
print("FINAL_METRICS", {f"val_loss_{name}": float(history.history["val_loss"][-1])
                        for name, history in histories.items()})
