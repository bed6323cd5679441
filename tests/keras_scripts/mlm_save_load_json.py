# Source: machinelearningmastery.com/save-load-keras-deep-learning-models/ ("How to Save and
#         Load Your Keras Deep Learning Model", Jason Brownlee; the TensorFlow 2 revision:
#         JSON architecture + weights, then the whole model)
# License: none stated (all rights reserved by the author): nothing of its text is copied.
# What this file is: the post's Keras calls, in its order and with its arguments; the code
# around them is written here.
# Changes:
#   1. imports: `from tensorflow.keras.models import Sequential, model_from_json, load_model;
#      from tensorflow.keras.layers import Dense` -> the same names from `minikeras`.
#   2. data: `loadtxt('pima-indians-diabetes.csv')` -> a synthetic set of the same shape
#      (768 rows, 8 features, a 0/1 label) from sklearn.datasets.make_classification.
#   3. size: epochs 150 -> 3 (batch_size=10 kept).
#   4. left out: the YAML section (`to_yaml` was removed from Keras).
#   5. one added last line printing the final metrics.
from sklearn.datasets import make_classification

from minikeras.layers import Dense
from minikeras.models import Sequential, load_model, model_from_json

X, Y = make_classification(n_samples=768, n_features=8, n_informative=5, random_state=7)

model = Sequential()
model.add(Dense(12, input_shape=(8,), activation="relu"))
model.add(Dense(8, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X, Y, epochs=3, batch_size=10, verbose=0)
scores = model.evaluate(X, Y, verbose=0)
print(f"{model.metrics_names[1]}: {scores[1] * 100:.2f}%")

# Architecture as JSON, weights as HDF5.
with open("model.json", "w") as json_file:
    json_file.write(model.to_json())
model.save_weights("model.weights.h5")
with open("model.json") as json_file:
    loaded_model = model_from_json(json_file.read())
loaded_model.load_weights("model.weights.h5")
loaded_model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
json_scores = loaded_model.evaluate(X, Y, verbose=0)
print(f"{loaded_model.metrics_names[1]}: {json_scores[1] * 100:.2f}%")

# The whole model in one file.
model.save("model.keras")
whole = load_model("model.keras")
whole.summary()
whole_scores = whole.evaluate(X, Y, verbose=0)
print("FINAL_METRICS", {"accuracy": float(scores[1]),
                        "json_round_trip_equal": abs(json_scores[1] - scores[1]) < 1e-6,
                        "keras_round_trip_equal": abs(whole_scores[1] - scores[1]) < 1e-6})
