# Source: ageron/handson-ml3, 10_neural_nets_with_keras.ipynb, "Building a Regression MLP
#         Using the Sequential API"; commit e3f3f9e6
# License: Apache-2.0
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf` -> `import minikeras as keras`, and every
#      `tf.keras.` -> `keras.`; `tf.random.set_seed(42)` -> `keras.utils.set_random_seed(42)`.
#   2. data: sklearn's `fetch_california_housing()` (a download) -> sklearn's load_diabetes
#      (442 rows, 10 features instead of 8), targets divided by 100 to sit in the housing
#      targets' range; the same two train_test_split calls with random_state=42.
#   3. size: the 20 epochs are kept.
#   4. one added last line printing the final metrics.
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

import minikeras as keras

features, target = load_diabetes(return_X_y=True)
X_train_full, X_test, y_train_full, y_test = train_test_split(features, target / 100,
                                                              random_state=42)
X_train, X_valid, y_train, y_valid = train_test_split(X_train_full, y_train_full,
                                                      random_state=42)

keras.utils.set_random_seed(42)
norm_layer = keras.layers.Normalization(input_shape=X_train.shape[1:])
model = keras.Sequential([
    norm_layer,
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(1),
])
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])
norm_layer.adapt(X_train)
history = model.fit(X_train, y_train, epochs=20, validation_data=(X_valid, y_valid))
mse_test, rmse_test = model.evaluate(X_test, y_test)
X_new = X_test[:3]
y_pred = model.predict(X_new)
print("predictions:", y_pred.ravel(), "truth:", y_test[:3])
print("FINAL_METRICS", {"test_rmse": float(rmse_test), "params": model.count_params()})
