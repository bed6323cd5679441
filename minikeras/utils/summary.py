"""The ``model.summary()`` table, in Keras's layout, drawn with tabulate."""
import sys

from tabulate import tabulate

from .console import can_encode

_BOX_DRAWING = "┌─┬┐│├┼┤└┴┘"


def summary_text(model, ascii_only=None):
    """Return the summary of a built model as a string.

    Layer (type) / Output Shape / Param # for every layer, then the total,
    trainable and non-trainable parameter counts with their size in bytes.

    Args:
        model: a built model.
        ascii_only: draw the table's frame with ``+ - |`` instead of box-drawing
            characters. Default None: only when ``sys.stdout`` cannot encode
            them (a console set to ASCII or a legacy code page).
    """
    if ascii_only is None:
        ascii_only = not can_encode(sys.stdout, _BOX_DRAWING)
    rows = []
    shape = model.input_shape
    for layer in model.layers:
        shape = layer.compute_output_shape(shape)
        rows.append([f"{layer.name} ({type(layer).__name__})", _shape(shape),
                     f"{layer.count_params():,}"])
    table = tabulate(rows, headers=["Layer (type)", "Output Shape", "Param #"],
                     tablefmt="outline" if ascii_only else "simple_outline",
                     colalign=("left", "left", "right"), disable_numparse=True)
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    lines = [
        f'Model: "{model.name}"',
        table,
        _count_line("Total params", trainable + non_trainable),
        _count_line("Trainable params", trainable),
        _count_line("Non-trainable params", non_trainable),
    ]
    return "\n".join(lines)


def _shape(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _count_line(label, variables):
    count = sum(v.size for v in variables)
    size = sum(v.value.nbytes for v in variables)
    return f" {label}: {count:,} ({readable_bytes(size)})"


def readable_bytes(size):
    """``57348`` -> ``"56.00 KB"`` (powers of 1024, as Keras prints them)."""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
