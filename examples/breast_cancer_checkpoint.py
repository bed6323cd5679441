"""Breast cancer with early stopping and checkpoints: keep the best model, reload it from disk.

A 30 -> 16 (relu) -> 8 (relu) -> 1 (sigmoid) network trained with Adam on the
469 training rows, validated on the 100 held-out rows after every epoch. Two
callbacks watch the validation loss:

* ``ModelCheckpoint(save_best_only=True)`` rewrites ``best.mk`` whenever it
  improves (each write is atomic, so the file is always a complete model);
* ``EarlyStopping(patience=10, restore_best_weights=True)`` stops once it has
  not improved for 10 epochs and puts the best epoch's weights back.

The script then reloads ``best.mk`` with ``load_model`` and reports its
validation accuracy, which is the in-memory model's too: both hold the weights
of the same best epoch.

Target: >= 95% validation accuracy for the reloaded checkpoint (the full run
stops after about 60 epochs with 98%).

Run:
    python examples/breast_cancer_checkpoint.py [--quick] [--out DIR]

Writes ``best.mk`` into ``--out`` (default: a temporary folder, deleted at the end).
"""
import tempfile
from pathlib import Path

import numpy as np

import minikeras as keras
from minikeras.callbacks import EarlyStopping, ModelCheckpoint
from minikeras.datasets import breast_cancer
from minikeras.layers import Dense

from _common import example_parser, report

TARGET = 0.95


def build_model():
    model = keras.Sequential([
        keras.Input((30,)),
        Dense(16, activation="relu"),
        Dense(8, activation="relu"),
        Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def run(out_dir, epochs, patience):
    (x_train, y_train), (x_val, y_val) = breast_cancer.load_data()
    keras.utils.set_random_seed(0)
    model = build_model()
    path = Path(out_dir) / "best.mk"
    callbacks = [
        ModelCheckpoint(path, monitor="val_loss", save_best_only=True),
        EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True),
    ]
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32,
                        validation_data=(x_val, y_val), callbacks=callbacks, verbose=0)
    val_loss = history.history["val_loss"]
    best_epoch = int(np.argmin(val_loss))
    print(f"trained {len(val_loss)} epochs; best val_loss {val_loss[best_epoch]:.4f} "
          f"at epoch {best_epoch + 1}")

    best = keras.models.load_model(path)
    loss, accuracy = best.evaluate(x_val, y_val, verbose=0)
    same = np.array_equal(best.predict(x_val, verbose=0), model.predict(x_val, verbose=0))
    print(f"reloaded {path.name}: val_loss {loss:.4f}, val_accuracy {accuracy:.3f}")
    print(f"reloaded model equals the restored in-memory model: {same}")
    return accuracy


def main():
    # Its --epochs is a maximum and its --out holds best.mk, so it adds its own.
    parser = example_parser(__doc__, "at most 5 epochs (for CI)", out=False)
    parser.add_argument("--epochs", type=int, default=300, help="maximum epochs (default: 300)")
    parser.add_argument("--patience", type=int, default=10, help="EarlyStopping patience")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for best.mk (default: a temporary folder)")
    args = parser.parse_args()
    epochs = min(args.epochs, 5) if args.quick else args.epochs
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        accuracy = run(args.out, epochs, args.patience)
    else:
        with tempfile.TemporaryDirectory() as out_dir:
            accuracy = run(out_dir, epochs, args.patience)
    return report(args.quick, f"the reloaded checkpoint's validation accuracy is {accuracy:.1%}",
                  f">= {TARGET:.0%}", accuracy >= TARGET)


if __name__ == "__main__":
    raise SystemExit(main())
