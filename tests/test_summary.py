"""model.summary() on consoles that can and cannot print box-drawing characters."""
import io
from contextlib import redirect_stdout

from minikeras import Input, Sequential
from minikeras.layers import Dense
from minikeras.utils.summary import summary_text


def _model():
    return Sequential([Input((30,)), Dense(16, activation="relu"), Dense(1)])


def _printed_to(encoding):
    """What summary() writes to a console of ``encoding``, as bytes decoded back."""
    raw = io.BytesIO()
    console = io.TextIOWrapper(raw, encoding=encoding)
    with redirect_stdout(console):
        _model().summary()  # would raise UnicodeEncodeError if it printed "┌" here
    console.flush()
    return raw.getvalue().decode(encoding)


def test_ascii_console_gets_an_ascii_frame():
    text = _printed_to("ascii")
    lines = text.splitlines()
    assert lines[1].startswith("+---") and lines[3].startswith("+===")
    assert any(line.startswith("| dense") and line.rstrip().endswith("496 |") for line in lines)
    assert " Total params: 513 (2.00 KB)" in text  # 30*16+16 + 16*1+1, 4 bytes each


def test_legacy_code_page_without_box_drawing_gets_ascii_too():
    assert _printed_to("cp1252").splitlines()[1].startswith("+---")


def test_unicode_console_keeps_the_box_drawing_frame():
    text = _printed_to("utf-8")
    assert text.splitlines()[1].startswith("┌───") and "│ dense" in text


def test_the_two_frames_hold_the_same_table():
    model = _model()
    boxed, plain = summary_text(model, ascii_only=False), summary_text(model, ascii_only=True)
    cells = [[cell.strip() for cell in line.strip("│|").split(sep)]
             for text, sep in ((boxed, "│"), (plain, "|"))
             for line in text.splitlines() if line.startswith(("│", "|"))]
    half = len(cells) // 2
    assert cells[:half] == cells[half:] and len(cells[:half]) == 3  # header and two layers
    assert [line for line in boxed.splitlines() if line.startswith(" ")] == \
        [line for line in plain.splitlines() if line.startswith(" ")]
