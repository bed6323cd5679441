"""What an output stream can show: a line redrawn in place, and box-drawing characters.

The progress bar and the summary table ask here instead of guessing, so a
terminal, a Jupyter notebook, a CI log and a console limited to ASCII each get
output they can display.
"""


def is_live(stream):
    """True when a line can be redrawn in place on ``stream`` (``\\r`` returns to its start).

    A terminal can, and so can a Jupyter notebook, whose output stream is not
    a TTY but renders carriage returns. The notebook is recognised by the class
    of its stream (ipykernel's ``OutStream``), so IPython is never imported
    here. A file or a pipe cannot: a log would fill with half-drawn lines.
    """
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        pass
    return type(stream).__module__.startswith("ipykernel.")


def can_encode(stream, text):
    """True when every character of ``text`` can be written to ``stream``.

    A stream without an encoding (``io.StringIO``) takes any text; a console
    set to ASCII or a legacy code page cannot print ``━`` or ``┌``.
    """
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
