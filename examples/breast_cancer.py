"""Breast cancer: 30 -> 128 -> 64 -> 32 -> 1, validated on the first 100 rows.

Follows the Keras tutorial this project grew from: scikit-learn's Wisconsin
breast-cancer data (569 samples, 30 features), standardised with the training
rows' statistics, the first 100 rows held out for validation, three ReLU hidden
layers and a sigmoid output, Adam, binary cross-entropy, batches of 100.

Target: validation accuracy >= 96%; the model summary is printed.

Run:
    python examples/breast_cancer.py [--quick] [--out DIR]

Writes ``breast_cancer_history.png`` into ``--out`` (default: the current directory).
"""
import time

import minikeras as keras
from minikeras.datasets import breast_cancer
from minikeras.layers import Dense
from minikeras.plot import plot_history

from _common import example_parser, report, save_picture

TARGET = 0.96


def main():
    args = example_parser(__doc__, "5 epochs instead of 30").parse_args()
    epochs = 5 if args.quick else 30

    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_val, y_val) = breast_cancer.load_data(validation_rows=100)
    model = keras.Sequential([
        keras.Input((30,)),
        Dense(128, activation="relu"),
        Dense(64, activation="relu"),
        Dense(32, activation="relu"),
        Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.summary()

    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=100, epochs=epochs, verbose=2,
                        validation_data=(x_val, y_val))
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
    status = report(args.quick, f"{epochs} epochs in {seconds:.1f} s: validation accuracy "
                                f"{accuracy:.1%} on the first {len(x_val)} rows",
                    f">= {TARGET:.0%}", accuracy >= TARGET)

    save_picture(plot_history, history, filename=args.out / "breast_cancer_history.png",
                 title="breast cancer, 30-128-64-32-1")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
