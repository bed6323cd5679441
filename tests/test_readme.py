"""The README's Python blocks run as written, in order, as one session.

Every ```python block of README.md is executed in one namespace, in the order
the README gives them, in a temporary working directory (the blocks save
models, CSV logs and pictures). One test per block reports how it went. A
block that needs an optional extra says so in an HTML comment on the line
before its fence, ``<!-- needs: onnx -->`` (several: ``<!-- needs: onnx, plot
-->``), and is skipped, saying why, when the extra is absent; such blocks must
not define anything a later block uses.

``mnist.load_data()`` reads ``$MINIKERAS_DATA``: here the real files of
../shared/data/mnist when they are beside the checkout, else the small
generated ones of tests/conftest.py, so the README's MNIST lines run offline.

The shell blocks are not run; the command line's usage block is checked
against the parser: every option it shows exists, and every option exists in it.
"""
import contextlib
import importlib.util
import io
import re
import traceback
from pathlib import Path

import pytest

from conftest import HAVE_REAL_MNIST, SHARED_MNIST  # noqa: E402 - the tests folder is on sys.path
from minikeras import config
from minikeras.cli import build_parser
from minikeras.datasets import mnist
from minikeras.random import set_seed

README = Path(__file__).resolve().parents[1] / "README.md"

# What each extra named in a `needs:` comment installs, by importable module.
EXTRAS = {
    "plot": ("matplotlib",),
    "h5": ("h5py",),
    "onnx": ("onnx", "onnxruntime"),
    "tensorboard": ("tensorboardX",),
    "distributed": ("dask", "distributed"),
}

FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<code>.*?)^```$", re.M | re.S)
NEEDS = re.compile(r"<!--\s*needs:\s*(?P<extras>[\w\s,-]+?)\s*-->\s*\Z")


class Block:
    """One fenced block: its language, code, first code line (1-based) and extras."""

    def __init__(self, lang, code, line, needs):
        self.lang, self.code, self.line, self.needs = lang, code, line, needs

    def __repr__(self):
        return f"README.md:{self.line}"


def read_blocks(text):
    blocks = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start("code")) + 1
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        needs = NEEDS.search(before)
        extras = tuple(e.strip() for e in needs["extras"].split(",")) if needs else ()
        blocks.append(Block(match["lang"], match["code"], line, extras))
    return blocks


BLOCKS = read_blocks(README.read_text(encoding="utf-8"))
PYTHON = [block for block in BLOCKS if block.lang == "python"]


def missing_extra(block):
    """Why ``block`` cannot run here (an extra is not installed), or None."""
    for extra in block.needs:
        absent = [m for m in EXTRAS[extra] if importlib.util.find_spec(m) is None]
        if absent:
            return (f"README.md:{block.line} needs the `{extra}` extra ({', '.join(absent)} "
                    f"not installed): pip install -e '.[{extra}]'")
    return None


@pytest.fixture(scope="module")
def readme_session(request, tmp_path_factory):
    """Run every Python block once, in order; ``{line: (outcome, detail)}``."""
    outcomes = {}
    namespace = {"__name__": "__main__"}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("readme"))
        if HAVE_REAL_MNIST:
            patch.setenv("MINIKERAS_DATA", str(SHARED_MNIST))
        else:
            folder, table = request.getfixturevalue("generated_mnist")
            patch.setattr(mnist, "FILES", table)
            patch.setenv("MINIKERAS_DATA", str(folder))
        set_seed(0)
        config.set_floatx("float32")
        for block in PYTHON:
            reason = missing_extra(block)
            if reason:
                outcomes[block.line] = ("skipped", reason)
                continue
            # Padded with blank lines so that a traceback names the README's own line.
            code = compile("\n" * (block.line - 1) + block.code, str(README), "exec")
            printed = io.StringIO()
            try:
                with contextlib.redirect_stdout(printed):
                    exec(code, namespace)
            except Exception:
                outcomes[block.line] = ("failed", traceback.format_exc(limit=-3)
                                        + "\nprinted:\n" + printed.getvalue()[-2000:])
            else:
                outcomes[block.line] = ("passed", printed.getvalue())
    return outcomes


def test_readme_has_python_blocks_and_known_extras():
    assert len(PYTHON) >= 10
    for block in BLOCKS:
        assert set(block.needs) <= set(EXTRAS), f"{block}: unknown extra in {block.needs}"
        assert not block.needs or block.lang == "python", f"{block}: `needs` on a {block.lang} block"


def test_extras_named_here_are_the_projects():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library "
                                                    "from Python 3.11 on")
    pyproject = tomllib.loads((README.parent / "pyproject.toml").read_text(encoding="utf-8"))
    declared = pyproject["project"]["optional-dependencies"]
    used = {extra for block in PYTHON for extra in block.needs}
    assert used <= set(declared), f"README names extras pyproject.toml lacks: {used - set(declared)}"


@pytest.mark.parametrize("block", PYTHON, ids=repr)
def test_readme_block_runs(block, readme_session):
    outcome, detail = readme_session[block.line]
    if outcome == "skipped":
        pytest.skip(detail)
    if outcome == "failed":
        pytest.fail(f"README.md:{block.line}, run after the blocks before it, raised:\n{detail}",
                    pytrace=False)


# -- the command line -------------------------------------------------------------------

def _usage_block():
    for block in BLOCKS:
        if block.lang == "" and block.code.startswith("minikeras train"):
            return block
    raise AssertionError("README.md has no usage block starting with `minikeras train`")


def _parser_options():
    """``{subcommand: {option strings}}`` of the real parser, and its top-level options."""
    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    options = {name: {s for a in sub._actions for s in a.option_strings if s.startswith("--")}
               for name, sub in commands.choices.items()}
    options[None] = {s for a in parser._actions for s in a.option_strings if s.startswith("--")}
    return options


def test_readme_usage_lists_the_real_options():
    shown = {}
    command = None
    for line in _usage_block().code.splitlines():
        words = line.split()
        if words and words[0] == "minikeras":
            command = words[1] if not words[1].startswith("-") else None
        shown.setdefault(command, set()).update(re.findall(r"--[a-z][a-z-]*", line))
    real = _parser_options()
    for command in real:
        expected = real[command] - {"--help"}
        assert shown.get(command, set()) == expected, (
            f"README's usage of `minikeras {command or ''}` shows {sorted(shown.get(command, ()))}, "
            f"the parser has {sorted(expected)}")


def test_readme_shell_commands_parse():
    """The `minikeras ...` commands of the shell blocks are valid command lines."""
    commands = [re.search(r"minikeras (.*?)(?:$|&&|\|)", line)
                for block in BLOCKS if block.lang == "bash" for line in block.code.splitlines()]
    commands = [c[1].split() for c in commands if c]
    assert commands, "no `minikeras ...` command found in the README's shell blocks"
    for argv in commands:
        build_parser().parse_args(argv)
