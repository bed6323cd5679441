# Source: machinelearningmastery.com/
#         multi-class-classification-tutorial-keras-deep-learning-library/
#         ("Multi-Class Classification Tutorial with the Keras Deep Learning Library", Jason
#         Brownlee; the SciKeras revision)
# License: none stated (all rights reserved by the author): nothing of its text is copied.
# What this file is: the post's Keras and scikit-learn calls, in its order and with its
# arguments, as we read them in the published post (not checked against a stored copy); the
# code around them is written here.
# Changes:
#   1. imports: `from tensorflow.keras.models import Sequential; from tensorflow.keras.layers
#      import Dense; from tensorflow.keras.utils import to_categorical` -> the same names
#      from `minikeras`; `from scikeras.wrappers import KerasClassifier` ->
#      `from minikeras.wrappers import KerasClassifier`.
#   2. data: the iris CSV read with pandas -> sklearn's load_iris, the species as strings.
#   3. size: epochs 200 -> 50, 10 folds -> 3 (batch_size=5 kept).
#   4. one added last line printing the final metrics.
import numpy as np
from sklearn.datasets import load_iris
from sklearn.model_selection import KFold, cross_val_score
from sklearn.preprocessing import LabelEncoder

from minikeras.layers import Dense
from minikeras.models import Sequential
from minikeras.utils import to_categorical
from minikeras.wrappers import KerasClassifier

iris = load_iris()
X = iris.data.astype(float)
Y = np.array(iris.target_names)[iris.target]
encoder = LabelEncoder()
encoder.fit(Y)
encoded_Y = encoder.transform(Y)
dummy_y = to_categorical(encoded_Y)


def baseline_model():
    model = Sequential()
    model.add(Dense(8, input_shape=(4,), activation="relu"))
    model.add(Dense(3, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


estimator = KerasClassifier(model=baseline_model, epochs=50, batch_size=5, verbose=0)
kfold = KFold(n_splits=3, shuffle=True)
results = cross_val_score(estimator, X, dummy_y, cv=kfold)
print(f"baseline: {results.mean() * 100:.2f}% ({results.std() * 100:.2f}%)")
print("FINAL_METRICS", {"cv_accuracy": float(results.mean())})
