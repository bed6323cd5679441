"""Plumbing shared by the example scripts: command line, MNIST as rows, the result line,
saving a picture.

Each example keeps its own data, network and training recipe; only the parts that
are the same in every script live here. The examples import it as ``_common``,
which works because Python puts a script's folder on ``sys.path`` when it is run
as ``python examples/NAME.py``. The leading underscore keeps it out of the list of
runnable examples.
"""
import argparse
from pathlib import Path

from minikeras.datasets import mnist


def example_parser(doc, quick_help, epochs=None, out=True, data=False):
    """A parser with the options the examples share, described by the docstring's first line.

    Args:
        doc: the example's module docstring.
        quick_help: what ``--quick`` does in this example.
        epochs: default of an ``--epochs`` option; ``None`` (default) adds none.
        out: add ``--out``, the folder for the PNG (default ``True``).
        data: add ``--data``, the folder with the MNIST files (default ``False``).
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    if epochs is not None:
        parser.add_argument("--epochs", type=int, default=epochs,
                            help=f"epochs (default: {epochs})")
    if out:
        parser.add_argument("--out", type=Path, default=Path("."),
                            help="folder for the PNG (default: the current directory)")
    if data:
        parser.add_argument("--data", type=Path, default=None,
                            help="folder with the MNIST files (default: $MINIKERAS_DATA or the cache)")
    return parser


def flat_mnist(data=None, quick=False):
    """MNIST with each image a float32 row of 784 pixels in [0, 1]; labels stay integers.

    With ``quick`` only the first 5,000 training and 1,000 test images are kept.
    Without the files and without a network, the script ends with two lines, what
    went wrong and how to get the files, and exit status 1 (no traceback).
    """
    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data(data)
    except (OSError, ValueError) as error:
        # The library's first line says what went wrong; the remedy is said in this
        # script's own words (--data rather than the library's path=).
        raise SystemExit(f"{str(error).splitlines()[0]}\nTo get MNIST without a network, copy "
                         f"the four files ({', '.join(mnist.FILES)}) into "
                         f"{mnist.data_folder(data)}, or run with --data DIR (or set "
                         "MINIKERAS_DATA=DIR) naming a folder that holds them.") from None
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 255
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255
    if quick:
        x_train, y_train = x_train[:5000], y_train[:5000]
        x_test, y_test = x_test[:1000], y_test[:1000]
    return (x_train, y_train), (x_test, y_test)


def report(quick, result, target, reached):
    """Print the result line; return the exit status, 1 when a full run missed its target.

    A ``--quick`` run only checks that the workflow runs end to end: its figure
    says nothing about the recipe, so it is not set beside the target.

    Args:
        quick: whether this was a ``--quick`` run.
        result: what the run reached, e.g. ``"test accuracy 98.58%"``.
        target: the target in words, e.g. ``">= 98%"``.
        reached: whether the result meets the target.
    """
    if quick:
        print(f"Smoke run (--quick), not a test of the target: {result}")
        return 0
    print(f"{result} (target {target}: {'reached' if reached else 'missed'})")
    return 0 if reached else 1


def save_picture(plot, *args, filename, **kwargs):
    """Call ``plot(*args, filename=filename, **kwargs)`` and print where the PNG went.

    The plot functions raise ImportError with an install hint when matplotlib is
    missing; the picture is a bonus, so the example prints the hint and goes on.
    """
    try:
        filename.parent.mkdir(parents=True, exist_ok=True)
        plot(*args, filename=filename, **kwargs)
        print(f"Wrote {filename}")
    except ImportError as error:
        print(f"No picture: {error}")
