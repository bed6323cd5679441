# Source: fchollet/deep-learning-with-python-notebooks, chapter05_fundamentals-of-ml.ipynb
#         (3rd edition, Keras 3), the IMDB regularization section (L2, L1/L1-L2, dropout);
#         commit dea84a4e
# License: MIT
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. imports: `import keras; from keras import layers; from keras.regularizers import l2;
#      from keras import regularizers` -> the same names from `minikeras`.
#   2. data: `imdb.load_data(num_words=10000)` -> offline stand-in reviews (three tenths of each
#      review's words come from a sentiment-specific half of the vocabulary), vocabulary
#      10,000 -> 2,000 words, 2,000 reviews instead of 25,000.
#   3. size: the 20 epochs of each model are kept; the smaller and larger capacity models
#      of the same section are left out (same calls as the baseline).
#   4. the matplotlib figures are left out.
#   5. one added last line printing the final metrics.
import numpy as np

import minikeras as keras
from minikeras import layers
from minikeras import regularizers
from minikeras.regularizers import l2

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


train_data, train_labels = stand_in_reviews(2000)


def vectorize_sequences(sequences, dimension=NUM_WORDS):
    encoded = np.zeros((len(sequences), dimension))
    for row, sequence in enumerate(sequences):
        encoded[row, sequence] = 1.0
    return encoded


train_data = vectorize_sequences(train_data)


def train(model):
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model.fit(train_data, train_labels, epochs=20, batch_size=512, validation_split=0.4)


history_original = train(keras.Sequential([
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
]))
history_l2_reg = train(keras.Sequential([
    layers.Dense(16, kernel_regularizer=l2(0.002), activation="relu"),
    layers.Dense(16, kernel_regularizer=l2(0.002), activation="relu"),
    layers.Dense(1, activation="sigmoid"),
]))
print("other penalties:", regularizers.l1(0.001), regularizers.l1_l2(l1=0.001, l2=0.001))
history_dropout = train(keras.Sequential([
    layers.Dense(16, activation="relu"),
    layers.Dropout(0.5),
    layers.Dense(16, activation="relu"),
    layers.Dropout(0.5),
    layers.Dense(1, activation="sigmoid"),
]))
for name, history in [("original", history_original), ("l2", history_l2_reg),
                      ("dropout", history_dropout)]:
    print(name, "final val_loss", round(history.history["val_loss"][-1], 3))
print("FINAL_METRICS", {
    "val_accuracy_original": float(history_original.history["val_accuracy"][-1]),
    "val_accuracy_l2": float(history_l2_reg.history["val_accuracy"][-1]),
    "val_accuracy_dropout": float(history_dropout.history["val_accuracy"][-1]),
})
