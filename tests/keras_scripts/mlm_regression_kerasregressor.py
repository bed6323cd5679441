# Source: machinelearningmastery.com/regression-tutorial-keras-deep-learning-library-python/
#         ("Regression Tutorial with the Keras Deep Learning Library in Python", Jason
#         Brownlee; the SciKeras revision), the standardized-pipeline baseline
# License: none stated (all rights reserved by the author): nothing of its text is copied.
# What this file is: the post's Keras and scikit-learn calls, in its order and with its
# arguments, as we read them in the published post (not checked against a stored copy); the
# code around them is written here.
# Changes:
#   1. imports: `from tensorflow.keras.models import Sequential; from tensorflow.keras.layers
#      import Dense` -> the same names from `minikeras`; `from scikeras.wrappers import
#      KerasRegressor` -> `from minikeras.wrappers import KerasRegressor`.
#   2. data: the Boston housing CSV read with pandas -> sklearn's load_diabetes, first 150
#      rows, 10 features instead of 13 (so the first layer has 10 units and input shape
#      (10,) where the post has 13), targets divided by 10 to sit in Boston's price range.
#   3. size: epochs 100 -> 5, 10 folds -> 3 (batch_size=5 kept).
#   4. one added last line printing the final metrics.
from sklearn.datasets import load_diabetes
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from minikeras.layers import Dense
from minikeras.models import Sequential
from minikeras.wrappers import KerasRegressor

features, target = load_diabetes(return_X_y=True)
X, Y = features[:150], target[:150] / 10


def baseline_model():
    model = Sequential()
    model.add(Dense(10, input_shape=(10,), kernel_initializer="normal", activation="relu"))
    model.add(Dense(1, kernel_initializer="normal"))
    model.compile(loss="mean_squared_error", optimizer="adam")
    return model


estimators = [("standardize", StandardScaler()),
              ("mlp", KerasRegressor(model=baseline_model, epochs=5, batch_size=5, verbose=0))]
pipeline = Pipeline(estimators)
kfold = KFold(n_splits=3)
results = cross_val_score(pipeline, X, Y, cv=kfold, scoring="neg_mean_squared_error")
print(f"standardized: {results.mean():.2f} ({results.std():.2f}) MSE")
print("FINAL_METRICS", {"cv_mse": float(-results.mean())})
