# Source: machinelearningmastery.com/tutorial-first-neural-network-python-keras/ ("Your First
#         Deep Learning Project in Python with Keras Step-by-Step", Jason Brownlee; the
#         TensorFlow 2 revision)
# License: none stated (all rights reserved by the author): nothing of its text is copied.
# What this file is: the post's Keras calls, in its order and with its arguments; the code
# around them is written here.
# Changes:
#   1. imports: `from tensorflow.keras.models import Sequential; from tensorflow.keras.layers
#      import Dense` -> the same names from `minikeras`.
#   2. data: `loadtxt('pima-indians-diabetes.csv')` -> a synthetic set of the same shape
#      (768 rows, 8 features, a 0/1 label) from sklearn.datasets.make_classification.
#   3. size: epochs 150 -> 3 (batch_size=10 kept).
#   4. one added last line printing the final metrics.
import numpy as np
from sklearn.datasets import make_classification

from minikeras.layers import Dense
from minikeras.models import Sequential

X, y = make_classification(n_samples=768, n_features=8, n_informative=5, random_state=7)

model = Sequential()
model.add(Dense(12, input_shape=(8,), activation="relu"))
model.add(Dense(8, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X, y, epochs=3, batch_size=10)
_, accuracy = model.evaluate(X, y)
print(f"accuracy: {accuracy * 100:.2f}")

predictions = (model.predict(X) > 0.5).astype(int)
for row in range(5):
    print(X[row].round(2).tolist(), "=>", int(predictions[row, 0]), "expected", y[row])
print("FINAL_METRICS", {"accuracy": float(accuracy), "params": model.count_params()})
