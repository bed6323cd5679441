# Source: tensorflow/docs, site/en/tutorials/keras/regression.ipynb ("Basic regression:
#         Predict fuel efficiency"); commit 7c365021
# License: Apache-2.0
# What this file is: the tutorial's Keras calls, in its order and with its arguments; the code
# around them is written here (the tutorial's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf; from tensorflow import keras; from tensorflow.keras
#      import layers` -> `import minikeras as keras; from minikeras import layers`, and every
#      `tf.keras.` -> `keras.`; `tf.linspace(0.0, 250, 251)` -> `np.linspace(0.0, 250, 251)`.
#   2. data: the UCI Auto MPG CSV read with pandas -> an offline stand-in in numpy with the
#      same nine feature columns after one-hot encoding of the origin (cylinders,
#      displacement, horsepower, weight, acceleration, model year, Europe, Japan, USA) and
#      392 rows, MPG made from horsepower, weight and year plus noise; pandas column access
#      becomes numpy column access.
#   3. size: epochs 100 -> 10 for each of the four models.
#   4. the seaborn and matplotlib figures are left out.
#   5. one added last line printing the final metrics.
import numpy as np

import minikeras as keras
from minikeras import layers

np.set_printoptions(precision=3, suppress=True)

rng = np.random.default_rng(0)
rows = 392
cylinders = rng.choice([4, 6, 8], rows, p=[0.5, 0.25, 0.25]).astype(float)
displacement = 40 * cylinders + rng.normal(0, 20, rows)
horsepower = 0.5 * displacement + 20 + rng.normal(0, 10, rows)
weight = 1500 + 7 * displacement + rng.normal(0, 200, rows)
acceleration = 20 - horsepower / 20 + rng.normal(0, 1.5, rows)
model_year = rng.integers(70, 83, rows).astype(float)
origin = np.eye(3)[rng.integers(0, 3, rows)]
mpg = np.clip(50 - 0.1 * horsepower - 0.004 * weight + 0.6 * (model_year - 76)
              + rng.normal(0, 2.5, rows), 9, 47)
features = np.column_stack([cylinders, displacement, horsepower, weight, acceleration,
                            model_year, origin])
HORSEPOWER = 2

shuffled = rng.permutation(rows)
train_rows, test_rows = shuffled[:int(0.8 * rows)], shuffled[int(0.8 * rows):]
train_features, test_features = features[train_rows], features[test_rows]
train_labels, test_labels = mpg[train_rows], mpg[test_rows]

normalizer = layers.Normalization(axis=-1)
normalizer.adapt(np.array(train_features))
print(normalizer.mean.numpy())
first = np.array(train_features[:1])
print("first example:", first)
print("normalized:", normalizer(first).numpy())

# One input: horsepower.
horsepower = np.array(train_features[:, HORSEPOWER])
horsepower_normalizer = layers.Normalization(input_shape=[1, ], axis=None)
horsepower_normalizer.adapt(horsepower)
horsepower_model = keras.Sequential([horsepower_normalizer, layers.Dense(units=1)])
horsepower_model.summary()
print(horsepower_model.predict(horsepower[:10]))
horsepower_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                         loss="mean_absolute_error")
history = horsepower_model.fit(train_features[:, HORSEPOWER], train_labels, epochs=10,
                               verbose=0, validation_split=0.2)
print("epochs:", history.epoch, "last val_loss:", history.history["val_loss"][-1])
test_results = {"horsepower_model": horsepower_model.evaluate(test_features[:, HORSEPOWER],
                                                              test_labels, verbose=0)}
x = np.linspace(0.0, 250, 251)
y = horsepower_model.predict(x)

# All inputs, linear.
linear_model = keras.Sequential([normalizer, layers.Dense(units=1)])
print(linear_model.predict(train_features[:10]))
print(linear_model.layers[1].kernel)
linear_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                     loss="mean_absolute_error")
linear_model.fit(train_features, train_labels, epochs=10, verbose=0, validation_split=0.2)
test_results["linear_model"] = linear_model.evaluate(test_features, test_labels, verbose=0)


def build_and_compile_model(norm):
    model = keras.Sequential([
        norm,
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.001))
    return model


dnn_horsepower_model = build_and_compile_model(horsepower_normalizer)
dnn_horsepower_model.summary()
dnn_horsepower_model.fit(train_features[:, HORSEPOWER], train_labels, validation_split=0.2,
                         verbose=0, epochs=10)
y = dnn_horsepower_model.predict(x)
test_results["dnn_horsepower_model"] = dnn_horsepower_model.evaluate(
    test_features[:, HORSEPOWER], test_labels, verbose=0)

dnn_model = build_and_compile_model(normalizer)
dnn_model.summary()
dnn_model.fit(train_features, train_labels, validation_split=0.2, verbose=0, epochs=10)
test_results["dnn_model"] = dnn_model.evaluate(test_features, test_labels, verbose=0)
test_predictions = dnn_model.predict(test_features).flatten()
error = test_predictions - test_labels

dnn_model.save("dnn_model.keras")
reloaded = keras.models.load_model("dnn_model.keras")
test_results["reloaded"] = reloaded.evaluate(test_features, test_labels, verbose=0)
print(test_results)
print("FINAL_METRICS", {f"test_mae_{name}": float(value) for name, value in test_results.items()})
