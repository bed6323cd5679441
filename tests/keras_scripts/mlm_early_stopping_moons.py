# Source: machinelearningmastery.com/
#         how-to-stop-training-deep-neural-networks-at-the-right-time-using-early-stopping/
#         ("Use Early Stopping to Halt the Training of Neural Networks At the Right Time",
#         Jason Brownlee), the final example: EarlyStopping plus ModelCheckpoint
# License: none stated (all rights reserved by the author): nothing of its text is copied.
# What this file is: the post's Keras calls, in its order and with its arguments, as we read
# them in the published post (not checked against a stored copy); the code around them is
# written here.
# Changes:
#   1. imports: `from keras.models import Sequential, load_model; from keras.layers import
#      Dense; from keras.callbacks import EarlyStopping, ModelCheckpoint` -> the same names
#      from `minikeras`.
#   2. data: none (sklearn's make_moons, as in the post).
#   3. size: epochs 4,000 -> 150 and patience 200 -> 30, so that early stopping can still
#      fire within the cut run.
#   4. one added last line printing the final metrics.
from sklearn.datasets import make_moons

from minikeras.callbacks import EarlyStopping, ModelCheckpoint
from minikeras.layers import Dense
from minikeras.models import Sequential, load_model

X, y = make_moons(n_samples=100, noise=0.2, random_state=1)
n_train = 30
trainX, testX = X[:n_train, :], X[n_train:, :]
trainy, testy = y[:n_train], y[n_train:]

model = Sequential()
model.add(Dense(500, input_dim=2, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
es = EarlyStopping(monitor="val_loss", mode="min", verbose=1, patience=30)
mc = ModelCheckpoint("best_model.h5", monitor="val_accuracy", mode="max", verbose=1,
                     save_best_only=True)
history = model.fit(trainX, trainy, validation_data=(testX, testy), epochs=150, verbose=0,
                    callbacks=[es, mc])
saved_model = load_model("best_model.h5")
_, train_acc = saved_model.evaluate(trainX, trainy, verbose=0)
_, test_acc = saved_model.evaluate(testX, testy, verbose=0)
print(f"train: {train_acc:.3f}, test: {test_acc:.3f}")
print("FINAL_METRICS", {"test_accuracy": float(test_acc)})
