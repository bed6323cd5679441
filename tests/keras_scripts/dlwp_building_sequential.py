# Source: fchollet/deep-learning-with-python-notebooks, chapter07_deep-dive-keras.ipynb
#         (3rd edition, Keras 3), "The Sequential model" section; commit dea84a4e
# License: MIT
# What this file is: the notebook's Keras calls, in its order and with its arguments; the code
# around them is written here (the notebook's text is not copied).
# Changes:
#   1. imports: `import keras; from keras import layers` -> `import minikeras as keras;
#      from minikeras import layers`.
#   2. the notebook shows `model.weights` on an unbuilt model as an error cell; Keras 3 now
#      returns an empty list there, and this file prints it.
#   3. one added last line printing the parameter counts (this section trains nothing).
import minikeras as keras
from minikeras import layers

model = keras.Sequential([
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])

model = keras.Sequential()
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(10, activation="softmax"))
print("weights before building:", model.weights)
model.build(input_shape=(None, 3))
print("weight shapes after building:", [tuple(w.shape) for w in model.weights])
model.summary(line_length=80)
built_params = model.count_params()

model = keras.Sequential(name="my_example_model")
model.add(layers.Dense(64, activation="relu", name="my_first_layer"))
model.add(layers.Dense(10, activation="softmax", name="my_last_layer"))
model.build((None, 3))
model.summary(line_length=80)
named = model

model = keras.Sequential()
model.add(keras.Input(shape=(3,)))
model.add(layers.Dense(64, activation="relu"))
model.summary(line_length=80)
partial_params = model.count_params()
model.add(layers.Dense(10, activation="softmax"))
model.summary(line_length=80)
print("FINAL_METRICS", {"params_built": built_params, "params_named": named.count_params(),
                        "params_partial": partial_params, "params_input": model.count_params(),
                        "names": [named.name] + [layer.name for layer in named.layers]})
