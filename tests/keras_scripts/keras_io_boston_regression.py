# Source: keras-team/keras-io, examples/structured_data/regression_boston_housing.py
#         ("Regression Model on Boston Housing Dataset"; commit abf63bfa)
# License: Apache-2.0 (the keras-io repository)
# What this file is: the source's Keras calls, in its order and with its arguments; the code
# around them is written here (the source's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf; from tensorflow import keras;
#      from tensorflow.keras import layers` -> `import minikeras as keras;
#      from minikeras import layers`.
#   2. data: `tf.keras.datasets.boston_housing.load_data(test_split=0.3, seed=42)` ->
#      sklearn's load_diabetes split 70/30 the same way, targets divided by 10 to sit in
#      Boston's price range (10 features instead of 13).
#   3. size: epochs 100 -> 40 (the early stopping of patience 10 is kept).
#   4. the matplotlib figures are left out.
#   5. one added last line printing the final metrics.
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

import minikeras as keras
from minikeras import layers

features, prices = load_diabetes(return_X_y=True)
x_train, x_test, y_train, y_test = train_test_split(features, prices / 10.0, test_size=0.3,
                                                    random_state=42)
print("train:", x_train.shape, "test:", x_test.shape)


def build_model():
    model = keras.Sequential([
        layers.Dense(32, activation="relu", input_shape=[x_train.shape[1]]),
        layers.Dense(32, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(loss="mse", optimizer="adam", metrics=["mae", "mse"])
    return model


model = build_model()
model.summary()
stop_early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10)
history = model.fit(x_train, y_train, batch_size=32, epochs=40, verbose=0,
                    validation_split=0.3, callbacks=[stop_early])
print("epochs run:", len(history.history["loss"]))

loss, mae, mse = model.evaluate(x_test, y_test, verbose=2)
predicted = model.predict(x_test).flatten()
print("first predictions:", np.round(predicted[:5], 1))
print("FINAL_METRICS", {"test_mae": float(mae)})
