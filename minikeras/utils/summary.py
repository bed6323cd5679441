"""The ``model.summary()`` table, in Keras's layout, drawn with tabulate."""
import re
import sys

from tabulate import MIN_PADDING, tabulate

from .console import can_encode

_BOX_DRAWING = "┌─┬┐│├┼┤└┴┘"
_KERAS_POSITIONS = [0.45, 0.80, 1.0]  # Keras 3's column edges for a Sequential model


def summary_text(model, ascii_only=None, line_length=None, positions=None, expand_nested=False,
                 show_trainable=False, layer_range=None):
    """Return the summary of a built model as a string.

    Layer (type) / Output Shape / Param # for every layer, then the total,
    trainable and non-trainable parameter counts with their size in bytes.

    Args:
        model: a built model.
        ascii_only: draw the table's frame with ``+ - |`` instead of box-drawing
            characters. Default None: only when ``sys.stdout`` cannot encode
            them (a console set to ASCII or a legacy code page).
        line_length: the table's width in characters; default None: as wide as
            its contents. Longer cells wrap.
        positions: each column's right edge, as fractions of ``line_length``
            (all at most 1) or as character counts; default Keras's
            ``[0.45, 0.80, 1.0]`` (scaled by 0.9, the Trainable column taking the
            rest, with ``show_trainable``). Only used with ``line_length``.
        expand_nested: list the layers of a layer that has ``layers`` (a nested
            model) under it, indented with ``└``.
        show_trainable: add a "Trainable" column: ``Y``, ``N``, or ``-`` for a
            layer without weights.
        layer_range: ``[first, last]``: show the rows from the first layer whose
            name matches the regular expression ``first`` to the last whose name
            matches ``last``. Default all.
    """
    if ascii_only is None:
        ascii_only = not can_encode(sys.stdout, _BOX_DRAWING)
    headers = ["Layer (type)", "Output Shape", "Param #"] + ["Trainable"] * show_trainable
    align = ["left", "left", "right"] + ["center"] * show_trainable
    first, last = _layer_range(model.layers, layer_range)
    rows = []
    shape = model.input_shape
    for index, layer in enumerate(model.layers):
        shape = layer.compute_output_shape(shape)
        if first <= index <= last:
            rows.extend(_rows(layer, _shape(shape), show_trainable, expand_nested))
    widths = None
    if line_length is not None:
        widths = _column_widths(line_length, positions, show_trainable)
        # tabulate makes a column as wide as its header plus MIN_PADDING: a header
        # padded (or cut) to that fixes the width, and longer cells wrap at it.
        headers = [_header(h, w - MIN_PADDING, a) for h, w, a in zip(headers, widths, align)]
    table = tabulate(rows, headers=headers,
                     tablefmt="outline" if ascii_only else "simple_outline",
                     colalign=align, disable_numparse=True, maxcolwidths=widths)
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


def _rows(layer, output_shape, show_trainable, expand_nested, depth=0):
    """The table rows of ``layer``, and of its own layers with ``expand_nested``."""
    prefix = "   " * depth + "└ " if depth else ""
    row = [f"{prefix}{layer.name} ({type(layer).__name__})", output_shape,
           f"{layer.count_params():,}"]
    if show_trainable:
        row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    rows = [row]
    for inner in getattr(layer, "layers", []) if expand_nested else []:
        shape = _shape(inner.compute_output_shape(inner.build_input_shape)) if inner.built \
            else "?"
        rows.extend(_rows(inner, shape, show_trainable, expand_nested, depth + 1))
    return rows


def _header(text, width, align):
    """``text`` padded to exactly ``width`` characters, cut with "…" where it is longer."""
    if len(text) > width:
        text = text[:width - 1] + "…"
    return {"left": str.ljust, "right": str.rjust, "center": str.center}[align](text, width)


def _layer_range(layers, layer_range):
    """The indices of the first and last layer to show (Keras's ``layer_range``)."""
    if layer_range is None:
        return 0, len(layers) - 1
    if not (isinstance(layer_range, (list, tuple)) and len(layer_range) == 2
            and all(isinstance(name, str) for name in layer_range)):
        raise ValueError("`layer_range` must be a list of two layer names (or regular "
                         f"expressions). Received: layer_range={layer_range!r}")
    starts = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    ends = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not starts or not ends or starts[0] > ends[-1]:
        raise ValueError(f"`layer_range` names no layers of the model, in order. Layers: "
                         f"{[layer.name for layer in layers]}. Received: "
                         f"layer_range={layer_range!r}")
    return starts[0], ends[-1]


def _column_widths(line_length, positions, show_trainable):
    """The text width of each column for a table ``line_length`` characters wide."""
    columns = 3 + show_trainable
    if positions is None:
        positions = _KERAS_POSITIONS
        if show_trainable:
            positions = [p * 0.9 for p in positions] + [1.0]
    if (not isinstance(positions, (list, tuple)) or len(positions) != columns
            or not all(isinstance(p, (int, float)) and p > 0 for p in positions)):
        raise ValueError(f"`positions` must be {columns} increasing positive numbers, the right "
                         f"edge of each column. Received: positions={positions!r}")
    if positions[-1] <= 1:
        positions = [p * line_length for p in positions]
    edges = [0] + [int(p) for p in positions]
    # Each column spends 3 characters on its left edge and padding; the table's right edge 1.
    widths = [right - left - 3 for left, right in zip(edges, edges[1:])]
    widths[-1] -= 1
    if min(widths) <= MIN_PADDING:
        raise ValueError(f"`line_length`={line_length} leaves a column of the summary no room "
                         f"(column edges at {edges[1:]}); give a larger line_length.")
    return widths


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
