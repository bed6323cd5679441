"""Two moons: a 2 -> 3 (tanh) -> 2 (softmax) network, full-batch gradient descent with L2.

Follows Denny Britz's "Implementing a neural network from scratch in Python":
200 noisy moon points, three tanh units, 20,000 passes of plain gradient
descent over the whole data set, the loss printed every 1000 passes, and the
decision boundary drawn at the end.

That tutorial sums the loss over the 200 samples and steps with 0.01 and an L2
strength of 0.01; minikeras (like Keras) averages over the batch, so the same
steps are ``learning_rate = 0.01 * 200 = 2.0`` and ``l2 = 0.01 / 200 / 2``
(Keras's L2 penalty is ``l2 * sum(w**2)``, whose gradient is ``2 * l2 * w``).

Target: training accuracy >= 96% and a curved boundary following the moons.

Run:
    python examples/moons.py [--quick] [--out DIR]

Writes ``moons_boundary.png`` into ``--out`` (default: the current directory).
"""
import time

import minikeras as keras
from minikeras.datasets import moons
from minikeras.layers import Dense
from minikeras.plot import plot_decision_boundary

from _common import example_parser, report, save_picture

TARGET = 0.96


class PrintLoss(keras.callbacks.Callback):
    """Print the loss every ``every`` passes, as the tutorial does."""

    def __init__(self, every):
        super().__init__()
        self.every = every

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            print(f"Loss after pass {epoch + 1:5d}: {logs['loss']:.6f}")


def main():
    args = example_parser(__doc__, "2,000 passes instead of 20,000").parse_args()
    passes = 2_000 if args.quick else 20_000

    keras.utils.set_random_seed(0)
    x, y = moons(200, noise=0.2)
    l2 = keras.regularizers.L2(0.01 / 200 / 2)
    model = keras.Sequential([
        keras.Input((2,)),
        Dense(3, activation="tanh", kernel_regularizer=l2),
        Dense(2, activation="softmax", kernel_regularizer=l2),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=2.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()

    start = time.perf_counter()
    model.fit(x, y, batch_size=len(x), epochs=passes, verbose=0,
              callbacks=[PrintLoss(every=1000)])
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x, y, verbose=0)
    status = report(args.quick, f"{passes} passes in {seconds:.1f} s: loss {loss:.4f}, "
                                f"training accuracy {accuracy:.1%}", f">= {TARGET:.0%}",
                    accuracy >= TARGET)

    save_picture(plot_decision_boundary, model, x, y, filename=args.out / "moons_boundary.png",
                 title="moons, 3 tanh units")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
