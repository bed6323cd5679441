# Source: ageron/handson-ml3, 10_neural_nets_with_keras.ipynb, "Building an Image Classifier
#         Using the Sequential API"; commit e3f3f9e6
# License: Apache-2.0
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf` -> `import minikeras as keras`, and every
#      `tf.keras.` -> `keras.`; `tf.random.set_seed(42)` -> `keras.utils.set_random_seed(42)`.
#   2. data: `tf.keras.datasets.fashion_mnist.load_data()` -> an offline stand-in of the same
#      shapes (28x28 uint8 images, labels 0-9: one random template per class plus noise).
#   3. size: 1,000 training, 200 validation and 300 test images instead of 55,000, 5,000 and
#      10,000; epochs 30 -> 5.
#   4. `tf.keras.utils.plot_model` (needs pydot and graphviz), pandas and matplotlib cells are
#      left out.
#   5. one added last line printing the final metrics.
import numpy as np

import minikeras as keras

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_fashion(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


(X_train_full, y_train_full), (X_test, y_test) = stand_in_fashion(1200), stand_in_fashion(300)
X_train, y_train = X_train_full[:-200], y_train_full[:-200]
X_valid, y_valid = X_train_full[-200:], y_train_full[-200:]
X_train, X_valid, X_test = X_train / 255., X_valid / 255., X_test / 255.
class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

keras.utils.set_random_seed(42)
model = keras.Sequential()
model.add(keras.layers.InputLayer(input_shape=[28, 28]))
model.add(keras.layers.Flatten())
model.add(keras.layers.Dense(300, activation="relu"))
model.add(keras.layers.Dense(100, activation="relu"))
model.add(keras.layers.Dense(10, activation="softmax"))

keras.backend.clear_session()
keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    keras.layers.Dense(300, activation="relu"),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()
print([layer.name for layer in model.layers])
hidden1 = model.layers[1]
print(hidden1.name, model.get_layer("dense") is hidden1)
weights, biases = hidden1.get_weights()
print("kernel", weights.shape, "bias", biases.shape)

model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
# The notebook's equivalent spelling with objects instead of strings:
model.compile(loss=keras.losses.sparse_categorical_crossentropy,
              optimizer=keras.optimizers.SGD(),
              metrics=[keras.metrics.sparse_categorical_accuracy])
print(keras.utils.to_categorical([0, 5, 1, 0], num_classes=10))

history = model.fit(X_train, y_train, epochs=5, validation_data=(X_valid, y_valid))
print(history.params)
print(history.epoch)
print(sorted(history.history))
test_loss, test_accuracy = model.evaluate(X_test, y_test)
X_new = X_test[:3]
y_proba = model.predict(X_new)
print(y_proba.round(2))
y_pred = y_proba.argmax(axis=-1)
print(y_pred, np.array(class_names)[y_pred], y_test[:3])
print("FINAL_METRICS", {"test_accuracy": float(test_accuracy), "params": model.count_params()})
