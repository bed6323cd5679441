# Source: ageron/handson-ml3, 11_training_deep_neural_networks.ipynb, "Transfer Learning with
#         Keras"; commit e3f3f9e6
# License: Apache-2.0
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf` -> `import minikeras as keras`, and every
#      `tf.keras.` -> `keras.`; `tf.random.set_seed(42)` -> `keras.utils.set_random_seed(42)`.
#   2. data: `tf.keras.datasets.fashion_mnist.load_data()` -> an offline stand-in of the same
#      shapes (28x28 uint8 images, labels 0-9: one random template per class plus noise),
#      split into task A (8 classes) and task B (pullover vs T-shirt) as the notebook does.
#   3. size: 1,000 training, 300 validation and 300 test images instead of 55,000, 5,000 and
#      10,000 (task B still keeps only 200 training images); model A trains 5 epochs instead
#      of 20, model B 5 instead of 20, the reused model 2 + 4 instead of 4 + 16.
#   4. one added last line printing the final metrics.
import numpy as np

import minikeras as keras

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_fashion(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


(X_train, y_train), (X_valid, y_valid), (X_test, y_test) = (
    stand_in_fashion(1000), stand_in_fashion(300), stand_in_fashion(300))
X_train, X_valid, X_test = X_train / 255, X_valid / 255, X_test / 255
class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
pos_class_id = class_names.index("Pullover")
neg_class_id = class_names.index("T-shirt/top")


def split_tasks(X, y):
    """Task B: pullover (1) vs T-shirt (0). Task A: the other eight classes, renumbered 0-7."""
    in_b = np.isin(y, [pos_class_id, neg_class_id])
    others = [c for c in range(10) if c not in (pos_class_id, neg_class_id)]
    y_a = np.searchsorted(others, y[~in_b]).astype("uint8")
    y_b = (y[in_b] == pos_class_id).astype(np.float32)
    return (X[~in_b], y_a), (X[in_b], y_b)


(X_train_A, y_train_A), (X_train_B, y_train_B) = split_tasks(X_train, y_train)
(X_valid_A, y_valid_A), (X_valid_B, y_valid_B) = split_tasks(X_valid, y_valid)
(X_test_A, y_test_A), (X_test_B, y_test_B) = split_tasks(X_test, y_test)
X_train_B, y_train_B = X_train_B[:200], y_train_B[:200]


def three_hidden_layers(output):
    return keras.Sequential([
        keras.layers.Flatten(input_shape=[28, 28]),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        output,
    ])


keras.utils.set_random_seed(42)
model_A = three_hidden_layers(keras.layers.Dense(8, activation="softmax"))
model_A.compile(loss="sparse_categorical_crossentropy",
                optimizer=keras.optimizers.SGD(learning_rate=0.001), metrics=["accuracy"])
model_A.fit(X_train_A, y_train_A, epochs=5, validation_data=(X_valid_A, y_valid_A))
model_A.save("my_model_A.keras")

keras.utils.set_random_seed(42)
model_B = three_hidden_layers(keras.layers.Dense(1, activation="sigmoid"))
model_B.compile(loss="binary_crossentropy",
                optimizer=keras.optimizers.SGD(learning_rate=0.001), metrics=["accuracy"])
model_B.fit(X_train_B, y_train_B, epochs=5, validation_data=(X_valid_B, y_valid_B))
print("model B alone:", model_B.evaluate(X_test_B, y_test_B))

model_A = keras.models.load_model("my_model_A.keras")
model_B_on_A = keras.Sequential(model_A.layers[:-1])
model_B_on_A.add(keras.layers.Dense(1, activation="sigmoid"))

keras.utils.set_random_seed(42)
model_A_clone = keras.models.clone_model(model_A)
model_A_clone.set_weights(model_A.get_weights())
model_B_on_A = keras.Sequential(model_A_clone.layers[:-1])
model_B_on_A.add(keras.layers.Dense(1, activation="sigmoid"))

for layer in model_B_on_A.layers[:-1]:
    layer.trainable = False
model_B_on_A.compile(loss="binary_crossentropy",
                     optimizer=keras.optimizers.SGD(learning_rate=0.001), metrics=["accuracy"])
model_B_on_A.fit(X_train_B, y_train_B, epochs=2, validation_data=(X_valid_B, y_valid_B))

for layer in model_B_on_A.layers[:-1]:
    layer.trainable = True
model_B_on_A.compile(loss="binary_crossentropy",
                     optimizer=keras.optimizers.SGD(learning_rate=0.001), metrics=["accuracy"])
model_B_on_A.fit(X_train_B, y_train_B, epochs=4, validation_data=(X_valid_B, y_valid_B))
loss, accuracy = model_B_on_A.evaluate(X_test_B, y_test_B)
print("FINAL_METRICS", {"test_loss_B_on_A": float(loss),
                        "params": model_B_on_A.count_params()})
