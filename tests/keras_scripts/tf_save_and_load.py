# Source: tensorflow/docs, site/en/tutorials/keras/save_and_load.ipynb ("Save and load
#         models"); commit 7c365021
# License: Apache-2.0
# What this file is: the tutorial's Keras calls, in its order and with its arguments; the code
# around them is written here (the tutorial's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf; from tensorflow import keras` ->
#      `import minikeras as keras`, and every `tf.keras.` -> `keras.`.
#   2. data: `tf.keras.datasets.mnist.load_data()` (cut to 1,000 images by the tutorial) ->
#      an offline stand-in of the same shapes (28x28 images, labels 0-9: one random template
#      per digit plus noise, seeded).
#   3. size: 500 training and 500 test images instead of 1,000 each; epochs 10 -> 3,
#      50 -> 5 and 5 -> 2 (the periodic checkpoint still fires, once, at epoch 5).
#   4. left out: the `tf.saved_model` export (TensorFlow only) and the shell cells.
#   5. one added last line printing the final metrics.
import math
import os

import numpy as np

import minikeras as keras

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_digits(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


(train_images, train_labels), (test_images, test_labels) = (stand_in_digits(500),
                                                            stand_in_digits(500))
train_images = train_images.reshape(-1, 28 * 28) / 255.0
test_images = test_images.reshape(-1, 28 * 28) / 255.0


def create_model():
    model = keras.Sequential([
        keras.layers.Dense(512, activation="relu", input_shape=(784,)),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model


model = create_model()
model.summary()

# Weights only, after every epoch.
checkpoint_path = "training_1/cp.weights.h5"
checkpoint_dir = os.path.dirname(checkpoint_path)
cp_callback = keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, save_weights_only=True,
                                              verbose=1)
model.fit(train_images, train_labels, epochs=3, validation_data=(test_images, test_labels),
          callbacks=[cp_callback])
print(os.listdir(checkpoint_dir))

model = create_model()
loss, acc = model.evaluate(test_images, test_labels, verbose=2)
print(f"untrained model, accuracy: {100 * acc:5.2f}%")
model.load_weights(checkpoint_path)
loss, acc = model.evaluate(test_images, test_labels, verbose=2)
print(f"restored model, accuracy: {100 * acc:5.2f}%")

# Weights every five epochs, one file per checkpoint.
checkpoint_path = "training_2/cp-{epoch:04d}.weights.h5"
checkpoint_dir = os.path.dirname(checkpoint_path)
os.mkdir(checkpoint_dir)
batch_size = 32
n_batches = math.ceil(len(train_images) / batch_size)
cp_callback = keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, verbose=1,
                                              save_weights_only=True, save_freq=5 * n_batches)
model = create_model()
model.save_weights(checkpoint_path.format(epoch=0))
model.fit(train_images, train_labels, epochs=5, batch_size=batch_size, callbacks=[cp_callback],
          validation_data=(test_images, test_labels), verbose=0)
print(sorted(os.listdir(checkpoint_dir)))
latest = max(os.listdir(checkpoint_dir), key=lambda name: int(name.split("-")[1].split(".")[0]))
model = create_model()
model.load_weights(os.path.join(checkpoint_dir, latest))
loss, acc = model.evaluate(test_images, test_labels, verbose=2)
print(f"restored from {latest}, accuracy: {100 * acc:5.2f}%")
periodic_accuracy = acc

# Weights by hand.
os.mkdir("./checkpoints")
model.save_weights("./checkpoints/my_checkpoint.weights.h5")
model = create_model()
model.load_weights("./checkpoints/my_checkpoint.weights.h5")
loss, acc = model.evaluate(test_images, test_labels, verbose=2)

# The whole model, in the .keras format.
model = create_model()
model.fit(train_images, train_labels, epochs=2)
model.save("my_model.keras")
new_model = keras.models.load_model("my_model.keras")
new_model.summary()
loss, keras_format_accuracy = new_model.evaluate(test_images, test_labels, verbose=2)
print(new_model.predict(test_images).shape)

# The whole model, in the legacy HDF5 format.
model = create_model()
model.fit(train_images, train_labels, epochs=2)
model.save("my_model.h5")
new_model = keras.models.load_model("my_model.h5")
new_model.summary()
loss, h5_accuracy = new_model.evaluate(test_images, test_labels, verbose=2)
print("FINAL_METRICS", {"test_accuracy_periodic": float(periodic_accuracy),
                        "test_accuracy_keras_format": float(keras_format_accuracy),
                        "test_accuracy_h5": float(h5_accuracy)})
