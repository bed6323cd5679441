# Source: fchollet/deep-learning-with-python-notebooks,
#         chapter04_classification-and-regression.ipynb (3rd edition, Keras 3),
#         the IMDB section; commit dea84a4e
# License: MIT
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. imports: `import keras; from keras import layers` -> `import minikeras as keras;
#      from minikeras import layers`.
#   2. data: `imdb.load_data(num_words=10000)` -> offline stand-in reviews (lists of word
#      indices; three tenths of each review's words come from a sentiment-specific half of the
#      vocabulary), vocabulary 10,000 -> 2,000 words.
#   3. size: 2,000 training and 1,000 test reviews instead of 25,000 each, so the hold-out
#      is 1,000 reviews instead of 10,000; the epochs (20, 20, 4) are kept.
#   4. the notebook's word-index decoding and matplotlib figures are left out.
#   5. one added last line printing the final metrics.
import numpy as np

import minikeras as keras
from minikeras import layers

NUM_WORDS = 2000
rng = np.random.default_rng(0)


def stand_in_reviews(count):
    labels = rng.integers(0, 2, count)
    reviews = []
    for label in labels:
        length = int(rng.integers(40, 160))
        words = rng.integers(1, NUM_WORDS, length)
        telling = rng.random(length) < 0.3
        words[telling] = rng.integers(1, NUM_WORDS // 2, telling.sum()) + label * (NUM_WORDS // 2)
        reviews.append(words.tolist())
    return reviews, labels


(train_data, train_labels), (test_data, test_labels) = (stand_in_reviews(2000),
                                                        stand_in_reviews(1000))


def multi_hot(sequences, width):
    encoded = np.zeros((len(sequences), width))
    for row, sequence in enumerate(sequences):
        encoded[row, sequence] = 1.0
    return encoded


x_train = multi_hot(train_data, NUM_WORDS)
x_test = multi_hot(test_data, NUM_WORDS)
y_train = train_labels.astype("float32")
y_test = test_labels.astype("float32")

model = keras.Sequential([
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])

x_val, partial_x_train = x_train[:1000], x_train[1000:]
y_val, partial_y_train = y_train[:1000], y_train[1000:]
history = model.fit(partial_x_train, partial_y_train, epochs=20, batch_size=512,
                    validation_data=(x_val, y_val))
history = model.fit(x_train, y_train, epochs=20, batch_size=512, validation_split=0.2)
print("history keys:", list(history.history.keys()))
print("last validation loss:", history.history["val_loss"][-1],
      "accuracy:", history.history["val_accuracy"][-1])

model = keras.Sequential([
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=4, batch_size=512)
results = model.evaluate(x_test, y_test)
print("test [loss, accuracy]:", results)
print("first predictions:", model.predict(x_test)[:3].ravel())
print("FINAL_METRICS", {"test_accuracy": float(results[1])})
