# Source: keras-team/keras-io, examples/structured_data/imbalanced_classification.py
#         ("Imbalanced classification: credit card fraud detection", fchollet; commit 0e2570ad)
# License: Apache-2.0 (the keras-io repository)
# What this file is: the source's Keras calls, in its order and with its arguments; the code
# around them is written here (the source's text is not copied).
# Changes:
#   1. import: `import keras` -> `import minikeras as keras`.
#   2. data: the Kaggle credit-card CSV -> sklearn.datasets.make_classification, 30 features,
#      about 3% positives (the real set has 0.17% on 284,807 rows).
#   3. size: 4,000 rows; epochs 30 -> 15.
#   4. one added last line printing the final metrics.
import numpy as np
from sklearn.datasets import make_classification

x_all, y_all = make_classification(n_samples=4000, n_features=30, n_informative=10,
                                   weights=[0.97], flip_y=0.0, class_sep=1.5, random_state=0)
x_all = x_all.astype("float32")
y_all = y_all.reshape(-1, 1).astype("uint8")

# The last 20% validates; the training half's class counts give the weights.
held_out = int(len(x_all) * 0.2)
x_fit, y_fit = x_all[:-held_out], y_all[:-held_out]
x_val, y_val = x_all[-held_out:], y_all[-held_out:]
negatives, positives = np.bincount(y_fit[:, 0])
print(f"{positives} positives in {len(y_fit)} training rows")

centre = x_fit.mean(axis=0)
x_fit -= centre
x_val -= centre
spread = x_fit.std(axis=0)
x_fit /= spread
x_val /= spread

import minikeras as keras

model = keras.Sequential([
    keras.Input(shape=x_fit.shape[1:]),
    keras.layers.Dense(256, activation="relu"),
    keras.layers.Dense(256, activation="relu"),
    keras.layers.Dropout(0.3),
    keras.layers.Dense(256, activation="relu"),
    keras.layers.Dropout(0.3),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.summary()

model.compile(
    optimizer=keras.optimizers.Adam(1e-2),
    loss="binary_crossentropy",
    metrics=[
        keras.metrics.FalseNegatives(name="fn"),
        keras.metrics.FalsePositives(name="fp"),
        keras.metrics.TrueNegatives(name="tn"),
        keras.metrics.TruePositives(name="tp"),
        keras.metrics.Precision(name="precision"),
        keras.metrics.Recall(name="recall"),
    ],
)
history = model.fit(
    x_fit, y_fit,
    batch_size=2048,
    epochs=15,
    verbose=2,
    callbacks=[keras.callbacks.ModelCheckpoint("fraud_model_at_epoch_{epoch}.keras")],
    validation_data=(x_val, y_val),
    class_weight={0: 1.0 / negatives, 1: 1.0 / positives},
)
print("FINAL_METRICS", {"val_recall": float(history.history["val_recall"][-1])})
