"""Spiral: three interleaved arms, one hidden ReLU layer, softmax, L2.

Follows CS231n's "Putting it together: minimal neural network case study":
100 points per class on 3 spiral arms, 100 ReLU units, a softmax classifier with
L2 regularisation 1e-3, full-batch gradient descent with step size 1 for
10,000 iterations. CS231n writes the penalty as ``0.5 * reg * sum(W**2)``,
which is Keras's ``L2(l2=0.5 * reg)``.

Target: training accuracy >= 98% (CS231n's figure) and test accuracy >= 95%
on 300 fresh points drawn the same way.

Run:
    python examples/spiral.py [--quick] [--out DIR]

Writes ``spiral_boundary.png`` into ``--out`` (default: the current directory).
"""
import time

import minikeras as keras
from minikeras.datasets import spiral
from minikeras.layers import Dense
from minikeras.plot import plot_decision_boundary

from _common import example_parser, report, save_picture

TRAIN_TARGET, TEST_TARGET = 0.98, 0.95


def main():
    args = example_parser(__doc__, "1,000 iterations instead of 10,000").parse_args()
    iterations = 1_000 if args.quick else 10_000

    keras.utils.set_random_seed(0)
    x_train, y_train = spiral(100, 3)
    x_test, y_test = spiral(100, 3)
    l2 = keras.regularizers.L2(0.5 * 1e-3)
    model = keras.Sequential([
        keras.Input((2,)),
        Dense(100, activation="relu", kernel_regularizer=l2),
        Dense(3, activation="softmax", kernel_regularizer=l2),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=len(x_train), epochs=iterations, verbose=0)
    seconds = time.perf_counter() - start
    for i in range(0, iterations, iterations // 10):
        print(f"iteration {i:5d}: loss {history.history['loss'][i]:.4f}")
    train_accuracy = model.evaluate(x_train, y_train, verbose=0)[1]
    test_accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
    reached = train_accuracy >= TRAIN_TARGET and test_accuracy >= TEST_TARGET
    status = report(args.quick, f"{iterations} iterations in {seconds:.1f} s: training accuracy "
                                f"{train_accuracy:.1%}, test accuracy {test_accuracy:.1%}",
                    f"training >= {TRAIN_TARGET:.0%}, test >= {TEST_TARGET:.0%}", reached)

    save_picture(plot_decision_boundary, model, x_train, y_train,
                 filename=args.out / "spiral_boundary.png",
                 title="spiral, 100 ReLU units (training points)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
