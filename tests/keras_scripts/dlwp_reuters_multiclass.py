# Source: fchollet/deep-learning-with-python-notebooks,
#         chapter04_classification-and-regression.ipynb (3rd edition, Keras 3),
#         the Reuters section; commit dea84a4e
# License: MIT
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. imports: `import keras; from keras import layers; from keras.utils import
#      to_categorical` -> the same names from `minikeras`.
#   2. data: `reuters.load_data(num_words=10000)` -> offline stand-in newswires (lists of word
#      indices; a fifth of each wire's words come from a topic-specific slice of the
#      vocabulary), 46 topics, vocabulary 10,000 -> 2,300 words.
#   3. size: 2,000 training and 500 test wires instead of 8,982 and 2,246; the bottleneck
#      experiment runs 10 epochs instead of 20 (the others keep theirs).
#   4. the notebook's word-index decoding, hand-written one-hot function, random baseline and
#      matplotlib figures are left out.
#   5. one added last line printing the final metrics.
import numpy as np

import minikeras as keras
from minikeras import layers
from minikeras.utils import to_categorical

NUM_WORDS, TOPICS = 2300, 46
rng = np.random.default_rng(0)


def stand_in_newswires(count):
    labels = rng.integers(0, TOPICS, count)
    wires = []
    for label in labels:
        length = int(rng.integers(40, 160))
        words = rng.integers(1, NUM_WORDS, length)
        telling = rng.random(length) < 0.2
        words[telling] = 50 * label + rng.integers(0, 50, telling.sum())
        wires.append(words.tolist())
    return wires, labels


(train_data, train_labels), (test_data, test_labels) = (stand_in_newswires(2000),
                                                        stand_in_newswires(500))


def multi_hot(sequences, width):
    encoded = np.zeros((len(sequences), width))
    for row, sequence in enumerate(sequences):
        encoded[row, sequence] = 1.0
    return encoded


x_train = multi_hot(train_data, NUM_WORDS)
x_test = multi_hot(test_data, NUM_WORDS)
y_train = to_categorical(train_labels)
y_test = to_categorical(test_labels)

model = keras.Sequential([
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(46, activation="softmax"),
])
top_3_accuracy = keras.metrics.TopKCategoricalAccuracy(k=3, name="top_3_accuracy")
model.compile(optimizer="adam", loss="categorical_crossentropy",
              metrics=["accuracy", top_3_accuracy])
x_val, partial_x_train = x_train[:1000], x_train[1000:]
y_val, partial_y_train = y_train[:1000], y_train[1000:]
history = model.fit(partial_x_train, partial_y_train, epochs=20, batch_size=512,
                    validation_data=(x_val, y_val))
print("last validation top-3 accuracy:", history.history["val_top_3_accuracy"][-1])

model = keras.Sequential([
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(46, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=9, batch_size=512)
results = model.evaluate(x_test, y_test)
predictions = model.predict(x_test)
print("prediction shape:", predictions[0].shape, "sums to", float(np.sum(predictions[0])),
      "argmax", int(np.argmax(predictions[0])))

# The same model accepts integer labels under the sparse loss.
y_train, y_test = train_labels, test_labels
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

model_narrow = keras.Sequential([
    layers.Dense(64, activation="relu"),
    layers.Dense(4, activation="relu"),
    layers.Dense(46, activation="softmax"),
])
model_narrow.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model_narrow.fit(partial_x_train, partial_y_train, epochs=10, batch_size=128,
                 validation_data=(x_val, y_val))
print("FINAL_METRICS", {"test_accuracy": float(results[1])})
