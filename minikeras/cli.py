"""The ``minikeras`` command: train a network, then evaluate it or predict with it.

    minikeras train --dataset breast_cancer --save model.mk
    minikeras evaluate model.mk held_out.csv
    minikeras predict model.mk samples.npy --output predictions.csv

``python -m minikeras`` is the same command. Exit status, as Unix tools use it:
0 done; 2 a bad option or value, said in exactly one line on stderr; 1 the work
itself failed (training diverged, a download failed), also in one line; 130
interrupted (Ctrl-C); 141 the reader of the output went away, as in
``minikeras train | head`` (what a shell reports for a tool stopped by SIGPIPE).
"""
import argparse
import contextlib
import csv
import math
import os
import sys
import warnings
from pathlib import Path

import numpy as np

from . import Input, Sequential, __version__, config, optimizers, utils
from .callbacks import Callback, NonFiniteLossWarning
from .layers import Dense
from .saving import load_model
from .utils import files
from .utils.progbar import format_value

DATASETS = ("breast_cancer", "mnist")

_EXIT_INTERRUPTED = 130        # 128 + SIGINT
_EXIT_BROKEN_PIPE = 128 + 13   # 128 + SIGPIPE

_DATA_FORMATS = """\
DATA holds one sample per row, as one of:
  .npz  arrays named x (the features) and, for evaluate, y (the labels)
  .npy  one 2-D array; evaluate takes the labels from column --label-column
  .csv  numbers separated by commas, one sample per line, with an optional
        first line of column names; evaluate takes the labels from column
        --label-column (a number or, with that first line, a name)
--label-column defaults to the last column for evaluate. Labels are what the
model was trained on: 0 or 1 for one sigmoid output, class numbers for sparse
categorical cross-entropy (a .npz y may also hold one column per output).
Features are reshaped to the model's input when their count matches it
(784 columns for a 28x28 input). A model saved by `minikeras train` takes its
data preprocessed as in training: breast_cancer features standardised with
the training rows' mean and deviation (as minikeras.datasets.breast_cancer
returns them), mnist pixels flattened to 784 values in [0, 1]."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2, without the usage block."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


class _BadValue(Exception):
    """A value given on the command line turned out unusable: a usage error (status 2)."""


class _Failure(Exception):
    """The work failed for a reason other than the command line (status 1)."""


# -- values of the options ----------------------------------------------------------------

def _integer(minimum, expected):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value
    return parse


def _learning_rate(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"expected a finite positive number such as 0.001, got {text!r}")
    return value


def _hidden_sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 128,64,32, got {text!r}")
    return sizes


def _existing_file(text):
    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    return Path(text)


def _new_file(*suffixes):
    """A file to write: its folder must exist, and its name end in one of ``suffixes``."""
    def parse(text):
        path = Path(text)
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"expected a file name, got the folder {text!r}")
        if not path.parent.is_dir():
            raise argparse.ArgumentTypeError(f"the folder {str(path.parent)!r} does not exist")
        if suffixes and path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(
                f"expected a file name ending in {' or '.join(suffixes)}, got {text!r}")
        return path
    return parse


_positive_int = _integer(1, "a positive integer")


def _add_verbose(parser, default, meaning):
    parser.add_argument("--verbose", type=int, choices=(0, 1, 2), default=default,
                        help=f"0 prints only the result; {meaning} (default: %(default)s)")


def build_parser():
    parser = _Parser(prog="minikeras",
                     description="Train a minikeras network, then evaluate it or predict with it.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=_Parser)

    train = commands.add_parser(
        "train", help="train a dense network on a bundled data set",
        description="Train a dense network (ReLU hidden layers, Adam) and report its accuracy "
                    "on held-out data. breast_cancer: 30 standardised features, a sigmoid "
                    "output, the first 100 rows held out. mnist: 784 pixels scaled to [0, 1], "
                    "a softmax over the 10 digits, the 10,000 test images held out.")
    train.add_argument("--dataset", choices=DATASETS, default="breast_cancer",
                       help="data set to train on (default: %(default)s)")
    train.add_argument("--data", metavar="FOLDER",
                       help="mnist only: the folder holding the four MNIST .gz files; missing "
                            "ones are downloaded into it (default: $MINIKERAS_DATA, else "
                            "~/.minikeras/datasets/mnist)")
    train.add_argument("--hidden", type=_hidden_sizes, default=(128, 64, 32), metavar="WIDTHS",
                       help="hidden layer widths, comma-separated (default: 128,64,32)")
    train.add_argument("--epochs", type=_positive_int, default=30, metavar="N",
                       help="passes over the training data (default: %(default)s)")
    train.add_argument("--batch-size", type=_positive_int, default=100, metavar="N",
                       help="samples per gradient step (default: %(default)s)")
    train.add_argument("--lr", type=_learning_rate, default=1e-3, metavar="RATE",
                       help="Adam learning rate, a finite positive number (default: %(default)s)")
    train.add_argument("--seed", type=_integer(0, "a non-negative integer"), default=0, metavar="N",
                       help="random seed; the same seed gives the same run (default: %(default)s)")
    train.add_argument("--save", type=_new_file(), metavar="PATH",
                       help="write the trained model to PATH (reload it with "
                            "minikeras.models.load_model, or use it with evaluate and predict)")
    _add_verbose(train, 1, "1 also the summary and a progress bar (one line per epoch in a "
                           "log); 2 the summary and one line per epoch")
    train.set_defaults(run=_train, command_parser=train)

    formats = dict(epilog=_DATA_FORMATS, formatter_class=argparse.RawDescriptionHelpFormatter)
    evaluate = commands.add_parser(
        "evaluate", help="loss and metrics of a saved model on labelled data",
        description="Print the loss and metrics of a model saved by `minikeras train --save`\n"
                    "(or by model.save) on labelled samples.", **formats)
    evaluate.add_argument("model", metavar="MODEL", type=_existing_file,
                          help="the saved model")
    evaluate.add_argument("data", metavar="DATA", type=_existing_file,
                          help="features and labels: .npz, .npy or .csv (see below)")
    evaluate.add_argument("--label-column", metavar="COLUMN",
                          help="the labels' column in a .npy or .csv file (default: the last)")
    evaluate.add_argument("--batch-size", type=_positive_int, default=32, metavar="N",
                          help="samples per batch (default: %(default)s)")
    _add_verbose(evaluate, 0, "1 also a progress bar; 2 also one progress line")
    evaluate.set_defaults(run=_evaluate, command_parser=evaluate)

    predict = commands.add_parser(
        "predict", help="outputs of a saved model",
        description="Compute the outputs of a model saved by `minikeras train --save` (or by\n"
                    "model.save): one row per sample, one column per output unit (the\n"
                    "probabilities of a sigmoid or softmax output).", **formats)
    predict.add_argument("model", metavar="MODEL", type=_existing_file, help="the saved model")
    predict.add_argument("data", metavar="DATA", type=_existing_file,
                         help="features: .npz (array x), .npy or .csv (see below)")
    predict.add_argument("--output", type=_new_file(".npy", ".csv"), metavar="FILE",
                         help="write the outputs to FILE, .npy (exact) or .csv (default: CSV "
                              "rows on stdout)")
    predict.add_argument("--label-column", metavar="COLUMN",
                         help="a column of a .npy or .csv file to leave out, so that a labelled "
                              "file serves too (default: none, every column is a feature)")
    predict.add_argument("--batch-size", type=_positive_int, default=32, metavar="N",
                         help="samples per batch (default: %(default)s)")
    _add_verbose(predict, 0, "1 also a progress bar, 2 also one progress line (on stderr "
                             "when the outputs go to stdout)")
    predict.set_defaults(run=_predict, command_parser=predict)

    export = commands.add_parser(
        "export", help="export a saved model for serving (ONNX)",
        description="Write a model saved with `model.save` as an ONNX file that ONNX Runtime "
                    "serves. Needs the onnx extra: pip install \"minikeras[onnx]\".")
    export.add_argument("model", metavar="MODEL_FILE", type=_existing_file,
                        help="a file written by model.save")
    export.add_argument("out", metavar="OUT", type=_new_file(), help="the file to write")
    export.add_argument("--format", choices=("onnx",), default="onnx",
                        help="export format (default: %(default)s)")
    export.add_argument("--opset-version", type=_positive_int, default=None, metavar="N",
                        help="ONNX opset (default: the one minikeras.export states)")
    export.set_defaults(run=_export, command_parser=export)
    return parser


# -- train ---------------------------------------------------------------------------------

def _train(args):
    if args.data is not None and args.dataset != "mnist":
        raise _BadValue(f"argument --data: applies only to --dataset mnist, not to "
                        f"--dataset {args.dataset}")
    utils.set_random_seed(args.seed)
    (x_train, y_train), (x_val, y_val) = _load_dataset(args.dataset, args.data)
    if args.dataset == "mnist":
        outputs, activation, loss = 10, "softmax", "sparse_categorical_crossentropy"
    else:
        outputs, activation, loss = 1, "sigmoid", "binary_crossentropy"
    model = Sequential([Input((x_train.shape[1],))]
                       + [Dense(units, activation="relu") for units in args.hidden]
                       + [Dense(outputs, activation=activation)])
    model.compile(optimizer=optimizers.Adam(learning_rate=args.lr), loss=loss,
                  metrics=["accuracy"])
    if args.verbose:
        model.summary()
    # A diverging run overflows before its loss turns NaN: numpy's warnings and fit's
    # NaN warning would say it in many lines, _StopWhenDiverged says it in one.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", NonFiniteLossWarning)
        model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                  validation_data=(x_val, y_val), verbose=args.verbose,
                  callbacks=[_StopWhenDiverged(args.lr)])
    logs = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    if args.save is not None:
        try:
            model.save(args.save)
        except OSError as error:
            raise _Failure(f"cannot save the model to {str(args.save)!r}: {error}") from error
        if args.verbose:
            print(f"Saved the model to {args.save}")
    print(f"Final validation accuracy: {logs['accuracy']:.4f} "
          f"(loss {logs['loss']:.4f}, {len(x_val)} held-out samples)")
    return 0


def _load_dataset(name, folder):
    if name == "breast_cancer":
        from .datasets import breast_cancer
        return breast_cancer.load_data()
    from .datasets import mnist
    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data(folder)
    except (OSError, ValueError) as error:
        raise _Failure(f"cannot load MNIST: {error}") from error
    scale = np.asarray(255, config.floatx())
    flat = [x.reshape(len(x), -1).astype(config.floatx()) / scale for x in (x_train, x_test)]
    return (flat[0], y_train), (flat[1], y_test)


class _StopWhenDiverged(Callback):
    """Ends the run, in one line, at the first batch whose loss is NaN or infinite."""

    def __init__(self, learning_rate):
        super().__init__()
        self.learning_rate = learning_rate
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            raise _Failure(f"training diverged: the loss is {loss} at epoch {self.epoch + 1}, "
                           f"batch {batch + 1}; try a smaller --lr (this run used "
                           f"{self.learning_rate:g})")


# -- evaluate and predict ------------------------------------------------------------------

def _evaluate(args):
    model = _load_model(args.model)
    if not model.compiled:
        raise _BadValue(f"argument MODEL: {str(args.model)!r} was saved before compile(), so "
                        "it has no loss to evaluate")
    x, y = _read_data(args.data, model, args.label_column, labels=True)
    try:
        logs = model.evaluate(x, y, batch_size=args.batch_size, verbose=args.verbose,
                              return_dict=True)
    except (ValueError, TypeError) as error:
        raise _BadValue(f"argument DATA: {error}") from error
    print(" - ".join(f"{name}: {format_value(value)}" for name, value in logs.items()))
    return 0


def _predict(args):
    model = _load_model(args.model)
    x, _ = _read_data(args.data, model, args.label_column, labels=False)
    # The outputs may go to stdout: a progress bar must not mix into them.
    bar_stream = sys.stderr if args.output is None else sys.stdout
    try:
        with contextlib.redirect_stdout(bar_stream):
            outputs = model.predict(x, batch_size=args.batch_size, verbose=args.verbose)
    except (ValueError, TypeError) as error:
        labelled = (args.label_column is None and x.ndim == 2
                    and x.shape[1] == math.prod(model.input_shape[1:]) + 1)
        hint = "; if one column is the label, leave it out with --label-column" if labelled else ""
        raise _BadValue(f"argument DATA: {error}{hint}") from error
    rows = outputs.reshape(len(outputs), -1)
    if args.output is None:
        sys.stdout.writelines(_csv_lines(rows))
        return 0
    try:
        _write_atomic(args.output, rows)
    except OSError as error:
        raise _Failure(f"cannot write {str(args.output)!r}: {error}") from error
    if args.verbose:
        print(f"Wrote {len(rows)} predictions to {args.output}")
    return 0


def _load_model(path):
    try:
        return load_model(path)
    except (OSError, ValueError) as error:
        raise _BadValue(f"argument MODEL: {error}") from error


def _read_data(path, model, label_column, labels):
    """``(x, y)`` from a .npz, .npy or .csv file; ``y`` is None when ``labels`` is False."""
    suffix = path.suffix.lower()
    if suffix == ".npz":
        if label_column is not None:
            raise _BadValue("argument --label-column: applies to .npy and .csv files; a .npz "
                            "file holds its labels in the array y")
        x, y = _read_npz(path, labels)
    elif suffix in (".npy", ".csv"):
        table, header = _read_npy(path) if suffix == ".npy" else _read_csv(path)
        if label_column is None and labels:
            label_column = "-1"
        x, y = table, None
        if label_column is not None:
            if table.ndim != 2:
                raise _BadValue(f"argument DATA: {str(path)!r} must be a 2-D table to take a "
                                f"label column from it; it has shape {table.shape}")
            column = _column_index(label_column, header, table.shape[1])
            if table.shape[1] < 2:
                raise _BadValue(f"argument DATA: {str(path)!r} has only the label column, no "
                                "feature column")
            x, y = np.delete(table, column, axis=1), (table[:, column] if labels else None)
    else:
        raise _BadValue(f"argument DATA: expected a .npz, .npy or .csv file, got {str(path)!r}")
    sample_shape = tuple(model.input_shape[1:])
    if (x.ndim >= 2 and x.shape[1:] != sample_shape
            and math.prod(x.shape[1:]) == math.prod(sample_shape)):
        x = x.reshape((len(x),) + sample_shape)
    return x, y


def _read_npz(path, labels):
    names = ("x", "y") if labels else ("x",)
    try:
        with np.load(path, allow_pickle=False) as arrays:
            missing = [name for name in names if name not in arrays.files]
            if missing:
                raise _BadValue(f"argument DATA: {str(path)!r} must hold arrays named "
                                f"{' and '.join(names)}; it holds {', '.join(arrays.files)}")
            x, y = arrays["x"], (arrays["y"] if labels else None)
    except (OSError, ValueError) as error:  # not an .npz file, or one holding objects
        raise _BadValue(f"argument DATA: cannot read {str(path)!r}: {error}") from error
    return x, y


def _read_npy(path):
    try:
        return np.load(path, allow_pickle=False), None
    except (OSError, ValueError) as error:
        raise _BadValue(f"argument DATA: cannot read {str(path)!r}: {error}") from error


def _read_csv(path):
    """Rows of numbers, after an optional first line of column names: ``(table, names)``."""
    header, rows = None, []
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            for fields in reader:
                if not fields:
                    continue  # a blank line
                try:
                    row = [float(field) for field in fields]
                except ValueError:
                    if header is None and not rows:
                        header = [field.strip() for field in fields]
                        continue
                    bad = next(field for field in fields if not _is_number(field))
                    raise _BadValue(f"argument DATA: {str(path)!r}, line {reader.line_num}: "
                                    f"{bad!r} is not a number") from None
                if rows and len(row) != len(rows[0]):
                    raise _BadValue(f"argument DATA: {str(path)!r}, line {reader.line_num}: "
                                    f"{len(row)} values, but the first row has {len(rows[0])}")
                rows.append(row)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise _BadValue(f"argument DATA: cannot read {str(path)!r}: {error}") from error
    if not rows:
        raise _BadValue(f"argument DATA: {str(path)!r} holds no rows of numbers")
    if header is not None and len(header) != len(rows[0]):
        raise _BadValue(f"argument DATA: {str(path)!r} names {len(header)} columns in its "
                        f"first line but its rows have {len(rows[0])} values")
    return np.array(rows), header


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _column_index(text, header, width):
    try:
        index = int(text)
    except ValueError:
        if header is not None and text in header:
            return header.index(text)
        known = (f"the columns are {', '.join(header)}" if header is not None
                 else "the file names no columns; give a column number")
        raise _BadValue(f"argument --label-column: no column named {text!r}; {known}") from None
    if not -width <= index < width:
        raise _BadValue(f"argument --label-column: expected a column number from {-width} to "
                        f"{width - 1} (the file has {width} columns), got {text!r}")
    return index % width


def _csv_lines(rows):
    # str() of a numpy float is the shortest text that reads back as the same number.
    return (",".join(str(value) for value in row) + "\n" for row in rows)


def _write_atomic(path, rows):
    """Write ``rows`` to ``path``, .npy or .csv, atomically (minikeras/utils/files.py)."""
    def write(file):
        if path.suffix.lower() == ".npy":
            np.save(file, rows)
        else:
            file.writelines(line.encode() for line in _csv_lines(rows))
    files.write_atomic(path, write)


# -- the entry point -----------------------------------------------------------------------

def main(argv=None):
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit status.

    A usage error raises ``SystemExit(2)`` after its one line on stderr, as
    argparse does.
    """
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        finally:
            sys.stdout.flush()  # --help or --version text, before argparse's SystemExit
        status = _run(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        _discard_stdout()
        return _EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return _EXIT_INTERRUPTED


def _run(args):
    try:
        return args.run(args)
    except _BadValue as error:
        args.command_parser.error(str(error))
    except (_Failure, MemoryError) as error:
        reason = str(error) if isinstance(error, _Failure) else f"out of memory: {error}"
        sys.stdout.flush()
        print(f"{args.command_parser.prog}: error: {' '.join(reason.split())}", file=sys.stderr)
        return 1


def _discard_stdout():
    """The reader has gone: send what is left to the null device, so exiting stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a stdout without a file descriptor
        pass


def _export(args):
    model = _load_model(args.model)
    try:
        model.export(args.out, format=args.format, opset_version=args.opset_version)
    except (OSError, ValueError, ImportError) as error:
        raise _Failure(str(error)) from error
    return 0


if __name__ == "__main__":
    sys.exit(main())
