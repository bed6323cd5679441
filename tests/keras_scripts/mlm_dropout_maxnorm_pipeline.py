# Source: machinelearningmastery.com/dropout-regularization-deep-learning-models-keras/
#         ("Dropout Regularization in Deep Learning Models with Keras", Jason Brownlee; the
#         SciKeras revision), the "dropout on hidden layers" model on the Sonar data
# License: none stated (all rights reserved by the author): nothing of its text is copied.
# What this file is: the post's Keras and scikit-learn calls, in its order and with its
# arguments, as we read them in the published post (not checked against a stored copy); the
# code around them is written here.
# Changes:
#   1. imports: `from tensorflow.keras.models import Sequential; from tensorflow.keras.layers
#      import Dense, Dropout; from tensorflow.keras.optimizers import SGD;
#      from tensorflow.keras.constraints import MaxNorm` -> the same names from `minikeras`;
#      `from scikeras.wrappers import KerasClassifier` -> `from minikeras.wrappers import
#      KerasClassifier`.
#   2. data: the Sonar CSV read with pandas -> a synthetic set of the same shape (208 rows,
#      60 features in [0, 1], labels "M"/"R" as strings) from make_classification.
#   3. size: epochs 300 -> 5, 10 folds -> 3.
#   4. one added last line printing the final metrics.
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler

from minikeras.constraints import MaxNorm
from minikeras.layers import Dense, Dropout
from minikeras.models import Sequential
from minikeras.optimizers import SGD
from minikeras.wrappers import KerasClassifier

features, classes = make_classification(n_samples=208, n_features=60, n_informative=12,
                                        random_state=7)
X = (features - features.min()) / (features.max() - features.min())
Y = np.where(classes == 1, "M", "R")
encoded_Y = LabelEncoder().fit(Y).transform(Y)


def create_model():
    model = Sequential()
    model.add(Dense(60, input_shape=(60,), activation="relu", kernel_constraint=MaxNorm(3)))
    model.add(Dropout(0.2))
    model.add(Dense(30, activation="relu", kernel_constraint=MaxNorm(3)))
    model.add(Dropout(0.2))
    model.add(Dense(1, activation="sigmoid"))
    sgd = SGD(learning_rate=0.1, momentum=0.9)
    model.compile(loss="binary_crossentropy", optimizer=sgd, metrics=["accuracy"])
    return model


pipeline = Pipeline([
    ("standardize", StandardScaler()),
    ("mlp", KerasClassifier(model=create_model, epochs=5, batch_size=16, verbose=0)),
])
kfold = StratifiedKFold(n_splits=3, shuffle=True)
results = cross_val_score(pipeline, X, encoded_Y, cv=kfold)
print(f"hidden dropout: {results.mean() * 100:.2f}% ({results.std() * 100:.2f}%)")
print("FINAL_METRICS", {"cv_accuracy": float(results.mean())})
