# Source: fchollet/deep-learning-with-python-notebooks,
#         chapter04_classification-and-regression.ipynb (3rd edition, Keras 3),
#         the California-housing K-fold section; commit dea84a4e
# License: MIT
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. imports: `import keras; from keras import layers` -> `import minikeras as keras;
#      from minikeras import layers`.
#   2. data: `california_housing.load_data(version="small")` -> sklearn's load_diabetes
#      (200 training and 100 test rows, 10 features), targets divided by 100 where the
#      notebook divides prices by 100,000 (both land between about 0.3 and 5).
#   3. size: the two 4-fold loops run 5 epochs instead of 50 and 200; the final model 10
#      instead of 130.
#   4. the matplotlib figures are left out.
#   5. one added last line printing the final metrics.
import numpy as np
from sklearn.datasets import load_diabetes

import minikeras as keras
from minikeras import layers

features, targets = load_diabetes(return_X_y=True)
order = np.random.default_rng(0).permutation(len(features))
train_data, train_targets = features[order[:200]], targets[order[:200]]
test_data, test_targets = features[order[200:300]], targets[order[200:300]]

mean, std = train_data.mean(axis=0), train_data.std(axis=0)
x_train, x_test = (train_data - mean) / std, (test_data - mean) / std
y_train, y_test = train_targets / 100, test_targets / 100


def get_model():
    model = keras.Sequential([
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


def fold(i, k):
    """The i-th of k validation slices, and everything else for training."""
    size = len(x_train) // k
    held = slice(i * size, (i + 1) * size)
    keep = np.r_[0:i * size, (i + 1) * size:len(x_train)]
    return x_train[keep], y_train[keep], x_train[held], y_train[held]


k = 4
num_epochs = 5
all_scores = []
for i in range(k):
    fit_x, fit_y, val_x, val_y = fold(i, k)
    model = get_model()
    model.fit(fit_x, fit_y, epochs=num_epochs, batch_size=16, verbose=0)
    val_mse, val_mae = model.evaluate(val_x, val_y, verbose=0)
    all_scores.append(val_mae)
print("fold MAEs:", [round(score, 3) for score in all_scores])

all_mae_histories = []
for i in range(k):
    fit_x, fit_y, val_x, val_y = fold(i, k)
    model = get_model()
    history = model.fit(fit_x, fit_y, validation_data=(val_x, val_y), epochs=num_epochs,
                        batch_size=16, verbose=0)
    all_mae_histories.append(history.history["val_mean_absolute_error"])
average_mae_history = np.mean(all_mae_histories, axis=0)
print("average validation MAE per epoch:", np.round(average_mae_history, 3))

model = get_model()
model.fit(x_train, y_train, epochs=10, batch_size=16, verbose=0)
test_mean_squared_error, test_mean_absolute_error = model.evaluate(x_test, y_test)
print("first prediction:", model.predict(x_test)[0])
print("FINAL_METRICS", {"test_mae": float(test_mean_absolute_error)})
