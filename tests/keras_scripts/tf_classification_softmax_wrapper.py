# Source: tensorflow/docs, site/en/tutorials/keras/classification.ipynb ("Basic
#         classification: Classify images of clothing"); commit 7c365021
# License: Apache-2.0
# What this file is: the tutorial's Keras calls, in its order and with its arguments; the code
# around them is written here (the tutorial's text is not copied).
# Changes:
#   1. import: `import tensorflow as tf` -> `import minikeras as keras`, and every
#      `tf.keras.` -> `keras.`.
#   2. data: `tf.keras.datasets.fashion_mnist.load_data()` -> an offline stand-in of the same
#      shapes (28x28 uint8 images, labels 0-9: one random template per class plus noise).
#   3. size: 1,000 training and 300 test images instead of 60,000 and 10,000; epochs 10 -> 5.
#   4. the matplotlib figures are left out.
#   5. one added last line printing the final metrics.
import numpy as np

import minikeras as keras

rng = np.random.default_rng(0)
templates = rng.random((10, 28, 28))


def stand_in_fashion(count):
    labels = rng.integers(0, 10, count).astype("uint8")
    pixels = 0.6 * templates[labels] + 0.4 * rng.random((count, 28, 28))
    return (255 * pixels).astype("uint8"), labels


(train_images, train_labels), (test_images, test_labels) = (stand_in_fashion(1000),
                                                            stand_in_fashion(300))
train_images = train_images / 255.0
test_images = test_images / 255.0

model = keras.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10),
])
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.fit(train_images, train_labels, epochs=5)
test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
print("test accuracy:", test_acc)

probability_model = keras.Sequential([model, keras.layers.Softmax()])
predictions = probability_model.predict(test_images)
print(predictions[0], np.argmax(predictions[0]), test_labels[0])

img = np.expand_dims(test_images[1], 0)
predictions_single = probability_model.predict(img)
print(predictions_single.shape, np.argmax(predictions_single[0]))
print("FINAL_METRICS", {"test_accuracy": float(test_acc),
                        "rows_sum_to_one":
                            bool(np.allclose(predictions.sum(axis=1), 1, atol=1e-5))})
