# Source: ageron/handson-ml3, 11_training_deep_neural_networks.ipynb, "Glorot and He
#         Initialization" and "Better Activation Functions" (LeakyReLU, ELU, SELU);
#         commit e3f3f9e6
# License: Apache-2.0
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf` -> `import minikeras as keras`, and every
#      `tf.keras.` -> `keras.`; `tf.random.set_seed(42)` -> `keras.utils.set_random_seed(42)`.
#   2. data: `tf.keras.datasets.fashion_mnist.load_data()` -> an offline stand-in of the same
#      shapes (28x28 uint8 images, labels 0-9: one random template per class plus noise).
#   3. size: 640 training and 200 validation images instead of 55,000 and 5,000; the two deep
#      networks have 20 hidden layers instead of 100 (Keras on torch needs minutes of CPU
#      for 100) and train 2 epochs instead of 5.
#   4. the matplotlib figures (and scipy's erfc used to derive SELU's constants) are left out.
#   5. one added last line printing the final metrics.
import numpy as np

import minikeras as keras

dense = keras.layers.Dense(50, activation="relu", kernel_initializer="he_normal")
he_avg_init = keras.initializers.VarianceScaling(scale=2., mode="fan_avg",
                                                 distribution="uniform")
dense = keras.layers.Dense(50, activation="sigmoid", kernel_initializer=he_avg_init)

leaky_relu = keras.layers.LeakyReLU(alpha=0.2)
dense = keras.layers.Dense(50, activation=leaky_relu, kernel_initializer="he_normal")
model = keras.models.Sequential([
    keras.layers.Dense(50, kernel_initializer="he_normal"),
    keras.layers.LeakyReLU(alpha=0.2),
])
dense = keras.layers.Dense(50, activation="elu", kernel_initializer="he_normal")
dense = keras.layers.Dense(50, activation="selu", kernel_initializer="lecun_normal")

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_fashion(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


X_train_full, y_train_full = stand_in_fashion(840)
X_train, y_train = X_train_full[:-200] / 255, y_train_full[:-200]
X_valid, y_valid = X_train_full[-200:] / 255, y_train_full[-200:]
pixel_means = X_train.mean(axis=0, keepdims=True)
pixel_stds = X_train.std(axis=0, keepdims=True)
X_train_scaled = (X_train - pixel_means) / pixel_stds
X_valid_scaled = (X_valid - pixel_means) / pixel_stds


def deep_net(activation, initializer):
    keras.utils.set_random_seed(42)
    model = keras.Sequential()
    model.add(keras.layers.Flatten(input_shape=[28, 28]))
    for layer in range(20):
        model.add(keras.layers.Dense(100, activation=activation,
                                     kernel_initializer=initializer))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=0.001), metrics=["accuracy"])
    return model


selu_net = deep_net("selu", "lecun_normal")
selu_history = selu_net.fit(X_train_scaled, y_train, epochs=2,
                            validation_data=(X_valid_scaled, y_valid))
relu_net = deep_net("relu", "he_normal")
relu_history = relu_net.fit(X_train_scaled, y_train, epochs=2,
                            validation_data=(X_valid_scaled, y_valid))
print("FINAL_METRICS", {"val_accuracy_selu": float(selu_history.history["val_accuracy"][-1]),
                        "params": selu_net.count_params()})
