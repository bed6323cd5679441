# Source: keras-team/keras, examples/mnist_mlp.py ("Trains a simple deep NN on the MNIST
#         dataset"; stored copy @10bfb1c5, where labels go through `np_utils.to_categorical`;
#         later Keras 2 revisions call `keras.utils.to_categorical`, as here; the examples/
#         folder left the repository afterwards)
# License: MIT (the keras repository's license in the Keras 2 era)
# What this file is: the source's Keras calls, in its order and with its arguments; the code
# around them is written here (the source's text is not copied).
# Changes:
#   1. imports: `import keras`, `from keras.datasets import mnist`,
#      `from keras.models import Sequential`, `from keras.layers import Dense, Dropout`,
#      `from keras.optimizers import RMSprop` -> the same names from `minikeras`.
#   2. data: `mnist.load_data()` -> an offline stand-in of the same shapes (28x28 uint8
#      images, labels 0-9: one random template per digit plus noise, seeded).
#   3. size: 2,000 training and 500 test images instead of 60,000 and 10,000; epochs 20 -> 3.
#   4. one added last line printing the final metrics.
import numpy as np

import minikeras as keras
from minikeras.datasets import mnist  # noqa: F401  (the source's import; data comes below)
from minikeras.layers import Dense, Dropout
from minikeras.models import Sequential
from minikeras.optimizers import RMSprop

batch_size = 128
num_classes = 10
epochs = 3

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_digits(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


(x_train, y_train), (x_test, y_test) = stand_in_digits(2000), stand_in_digits(500)
x_train = x_train.reshape(len(x_train), 784).astype("float32") / 255
x_test = x_test.reshape(len(x_test), 784).astype("float32") / 255
print(len(x_train), "train samples,", len(x_test), "test samples")

y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = Sequential()
model.add(Dense(512, activation="relu", input_shape=(784,)))
model.add(Dropout(0.2))
model.add(Dense(512, activation="relu"))
model.add(Dropout(0.2))
model.add(Dense(num_classes, activation="softmax"))
model.summary()

model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=1,
                    validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("test loss:", score[0])
print("test accuracy:", score[1])
print("FINAL_METRICS", {"test_accuracy": float(score[1]), "params": model.count_params()})
