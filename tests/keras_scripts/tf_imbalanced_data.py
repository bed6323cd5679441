# Source: tensorflow/docs, site/en/tutorials/structured_data/imbalanced_data.ipynb
#         ("Classification on imbalanced data"); commit 7c365021
# License: Apache-2.0
# What this file is: the tutorial's Keras calls, in its order and with its arguments; the code
# around them is written here (the tutorial's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf; from tensorflow import keras` ->
#      `import minikeras as keras`, and every `tf.keras.` -> `keras.`.
#   2. data: the Kaggle credit-card CSV read with pandas -> sklearn.datasets.make_classification
#      with the cleaned table's 29 feature columns and about 3% positives (the real set has
#      0.17%); the same train/validation/test splits, StandardScaler and clipping.
#   3. size: 5,000 rows instead of 284,807; EPOCHS 100 -> 20 (early stopping patience 10
#      kept), the two bias-comparison runs keep their 20 epochs.
#   4. left out: the oversampling section (it builds tf.data pipelines), seaborn/matplotlib
#      figures and confusion-matrix plots.
#   5. one added last line printing the final metrics.
import os
import tempfile

import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import minikeras as keras

features, labels = make_classification(n_samples=5000, n_features=29, n_informative=8,
                                       weights=[0.97], flip_y=0.0, class_sep=1.2,
                                       random_state=0)
neg, pos = np.bincount(labels)
total = neg + pos
print(f"{total} examples, {pos} positive ({100 * pos / total:.2f}%)")

train_x, test_x, train_y, test_y = train_test_split(features, labels, test_size=0.2,
                                                    random_state=0)
train_x, val_x, train_y, val_y = train_test_split(train_x, train_y, test_size=0.2,
                                                  random_state=0)
train_labels, val_labels, test_labels = (y.reshape(-1, 1) for y in (train_y, val_y, test_y))
scaler = StandardScaler()
train_features = np.clip(scaler.fit_transform(train_x), -5, 5)
val_features = np.clip(scaler.transform(val_x), -5, 5)
test_features = np.clip(scaler.transform(test_x), -5, 5)

METRICS = [
    keras.metrics.BinaryCrossentropy(name="cross entropy"),
    keras.metrics.MeanSquaredError(name="Brier score"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.FalsePositives(name="fp"),
    keras.metrics.TrueNegatives(name="tn"),
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.BinaryAccuracy(name="accuracy"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
    keras.metrics.AUC(name="auc"),
    keras.metrics.AUC(name="prc", curve="PR"),
]


def make_model(metrics=METRICS, output_bias=None):
    if output_bias is not None:
        output_bias = keras.initializers.Constant(output_bias)
    model = keras.Sequential([
        keras.layers.Dense(16, activation="relu", input_shape=(train_features.shape[-1],)),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(1, activation="sigmoid", bias_initializer=output_bias),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss=keras.losses.BinaryCrossentropy(), metrics=metrics)
    return model


EPOCHS = 20
BATCH_SIZE = 2048


def early_stopping():
    return keras.callbacks.EarlyStopping(monitor="val_prc", verbose=1, patience=10, mode="max",
                                         restore_best_weights=True)


model = make_model()
model.summary()
print(model.predict(train_features[:10]))
results = model.evaluate(train_features, train_labels, batch_size=BATCH_SIZE, verbose=0)
print(f"loss with the default bias: {results[0]:0.4f}")

initial_bias = np.log([pos / neg])
model = make_model(output_bias=initial_bias)
print(model.predict(train_features[:10]))
results = model.evaluate(train_features, train_labels, batch_size=BATCH_SIZE, verbose=0)
print(f"loss with the careful bias: {results[0]:0.4f}")
initial_weights = os.path.join(tempfile.mkdtemp(), "initial.weights.h5")
model.save_weights(initial_weights)

model = make_model()
model.load_weights(initial_weights)
model.layers[-1].bias.assign([0.0])
zero_bias_history = model.fit(train_features, train_labels, batch_size=BATCH_SIZE, epochs=20,
                              validation_data=(val_features, val_labels), verbose=0)
model = make_model()
model.load_weights(initial_weights)
careful_bias_history = model.fit(train_features, train_labels, batch_size=BATCH_SIZE,
                                 epochs=20, validation_data=(val_features, val_labels),
                                 verbose=0)

model = make_model()
model.load_weights(initial_weights)
baseline_history = model.fit(train_features, train_labels, batch_size=BATCH_SIZE, epochs=EPOCHS,
                             callbacks=[early_stopping()],
                             validation_data=(val_features, val_labels))
train_predictions_baseline = model.predict(train_features, batch_size=BATCH_SIZE)
test_predictions_baseline = model.predict(test_features, batch_size=BATCH_SIZE)
baseline_results = model.evaluate(test_features, test_labels, batch_size=BATCH_SIZE, verbose=0)
for name, value in zip(model.metrics_names, baseline_results):
    print(name, ": ", value)

weight_for_0 = (1 / neg) * (total / 2.0)
weight_for_1 = (1 / pos) * (total / 2.0)
class_weight = {0: weight_for_0, 1: weight_for_1}
weighted_model = make_model()
weighted_model.load_weights(initial_weights)
weighted_history = weighted_model.fit(train_features, train_labels, batch_size=BATCH_SIZE,
                                      epochs=EPOCHS, callbacks=[early_stopping()],
                                      validation_data=(val_features, val_labels),
                                      class_weight=class_weight)
weighted_results = weighted_model.evaluate(test_features, test_labels, batch_size=BATCH_SIZE,
                                           verbose=0)
for name, value in zip(weighted_model.metrics_names, weighted_results):
    print(name, ": ", value)
print("FINAL_METRICS", {"test_auc_baseline": float(baseline_results[10]),
                        "test_auc_weighted": float(weighted_results[10])})
