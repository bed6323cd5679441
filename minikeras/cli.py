"""The ``minikeras`` command: ``minikeras train --dataset breast_cancer``.

It trains the tutorial's network (30 -> 128 -> 64 -> 32 -> 1, ReLU then
sigmoid, binary cross-entropy) on the breast-cancer data that ships with
scikit-learn, printing the summary, the per-epoch progress and the final
validation accuracy.
"""
import argparse
import sys

DATASETS = ("breast_cancer",)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2, without the usage block."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _hidden_sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 128,64,32, got {text!r}")
    return sizes


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        return value
    return parse


def build_parser():
    parser = _Parser(prog="minikeras", description="Train minikeras models from the command line.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=_Parser)
    train = commands.add_parser(
        "train", help="train the tutorial model on a bundled data set",
        description="Train a dense network and report its validation accuracy. breast_cancer: "
                    "30 features, the first 100 rows held out for validation.")
    train.add_argument("--dataset", choices=DATASETS, default="breast_cancer",
                       help="data set to train on (default: %(default)s)")
    train.add_argument("--hidden", type=_hidden_sizes, default=(128, 64, 32),
                       help="hidden layer widths, comma-separated (default: 128,64,32)")
    train.add_argument("--epochs", type=_positive(int), default=30,
                       help="passes over the training data (default: %(default)s)")
    train.add_argument("--batch-size", type=_positive(int), default=100,
                       help="samples per gradient step (default: %(default)s)")
    train.add_argument("--lr", type=_positive(float), default=1e-3,
                       help="Adam learning rate (default: %(default)s)")
    train.add_argument("--seed", type=int, default=0,
                       help="random seed; the same seed gives the same run (default: %(default)s)")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=2,
                       help="0 silent, 1 progress bar, 2 one line per epoch (default: %(default)s)")
    _add_export_command(commands)
    return parser


def train(args):
    from . import Input, Sequential, optimizers, utils
    from .datasets import breast_cancer
    from .layers import Dense

    utils.set_random_seed(args.seed)
    (x_train, y_train), (x_val, y_val) = breast_cancer.load_data()
    model = Sequential([Input((x_train.shape[1],))]
                       + [Dense(units, activation="relu") for units in args.hidden]
                       + [Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=args.lr),
                  loss="binary_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
              validation_data=(x_val, y_val), verbose=args.verbose)
    logs = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    print(f"Final validation accuracy: {logs['accuracy']:.4f} "
          f"(loss {logs['loss']:.4f}, {len(x_val)} held-out samples)")
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    return export(args) if args.command == "export" else train(args)


def _add_export_command(commands):
    from .export import DEFAULT_OPSET, FORMATS
    command = commands.add_parser(
        "export", help="export a saved model for serving (ONNX)",
        description="Write a model saved with `model.save` as an ONNX file that ONNX Runtime "
                    "serves. Needs the onnx extra: pip install \"minikeras[onnx]\".")
    command.add_argument("model_file", metavar="MODEL_FILE", help="a file written by model.save")
    command.add_argument("out", metavar="OUT", help="the file to write")
    command.add_argument("--format", choices=FORMATS, default=FORMATS[0],
                         help="export format (default: %(default)s)")
    command.add_argument("--opset-version", type=_positive(int), default=None,
                         help=f"ONNX opset (default: {DEFAULT_OPSET})")


def export(args):
    """``minikeras export MODEL_FILE --format onnx OUT``: exit status 1, one line, on failure."""
    from .models import load_model
    try:
        model = load_model(args.model_file, compile=False)
        model.export(args.out, format=args.format, opset_version=args.opset_version)
    except (OSError, ValueError, ImportError) as e:
        print(f"minikeras export: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
