"""Every ``>>>`` example in minikeras's docstrings runs and prints what it shows.

One test per docstring that has examples, named by its object
(``minikeras.layers.dense.Dense``), run by :mod:`doctest` in the module's
namespace, as ``python -m pytest --doctest-modules`` would, but here so that
each example runs in a temporary working directory (examples that save a model
or a CSV file write there) after the suite's usual seeding. ``help()`` shows
these examples: they must be true.

Examples that need an optional extra skip, saying why, when it is absent;
``import minikeras`` and the collection of these tests never need one.
"""
import copy
import doctest
import importlib
import importlib.util
import inspect
import io
import pkgutil
import re

import pytest

import minikeras

# Docstrings (by name prefix) whose examples need an optional extra: (extra, its module).
NEEDS = {
    "minikeras.plot": ("plot", "matplotlib"),
    "minikeras.callbacks.TensorBoard": ("tensorboard", "tensorboardX"),
    "minikeras.export": ("onnx", "onnx"),
}
# Importing minikeras.__main__ runs the command line; it has no docstring examples.
NOT_IMPORTED = {"minikeras.__main__"}


def _collect():
    finder = doctest.DocTestFinder()
    for info in pkgutil.walk_packages(minikeras.__path__, "minikeras."):
        if info.name in NOT_IMPORTED:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError as error:  # a module that needs an extra at import: a bug, but skip
            yield pytest.param(None, id=info.name, marks=pytest.mark.skip(
                reason=f"{info.name} cannot be imported here: {error}"))
            continue
        for test in sorted(finder.find(module), key=lambda t: t.name):
            if test.examples:
                yield pytest.param(test, id=test.name)


DOCTESTS = list(_collect())


def test_docstring_examples_are_found():
    """The collection itself works: the package's examples are many and span its modules."""
    names = {param.id for param in DOCTESTS}
    assert len(names) >= 50
    for name in ("minikeras.layers.dense.Dense", "minikeras.optimizers.Adam",
                 "minikeras.models.Sequential.fit"):
        assert name in names


@pytest.mark.parametrize("test", DOCTESTS)
def test_docstring_example(test, tmp_path, monkeypatch):
    for prefix, (extra, module) in NEEDS.items():
        if test.name.startswith(prefix) and importlib.util.find_spec(module) is None:
            pytest.skip(f"example needs the `{extra}` extra ({module} is not installed): "
                        f"pip install -e '.[{extra}]'")
    monkeypatch.chdir(tmp_path)
    test = copy.copy(test)
    test.globs = dict(test.globs)  # the module's namespace, fresh for each run
    report = io.StringIO()
    result = doctest.DocTestRunner(verbose=False).run(test, out=report.write)
    if result.failed:
        pytest.fail(f"{result.failed} of {result.attempted} examples failed in "
                    f"{test.name} ({test.filename}:{test.lineno + 1}):\n{report.getvalue()}",
                    pytrace=False)


@pytest.mark.parametrize("method", ["compile", "fit", "evaluate", "predict"])
def test_sequential_methods_document_every_parameter(method):
    """``help(Sequential.fit)`` and its kin name every parameter under Args, once."""
    from minikeras.models import Sequential
    function = getattr(Sequential, method)
    doc = inspect.getdoc(function)
    sections = dict(re.findall(r"^(\w+):\n((?:    .*\n|\n)*)", doc + "\n", re.M))
    documented = re.findall(r"^    (\w+):", sections["Args"], re.M)
    parameters = [name for name in inspect.signature(function).parameters if name != "self"]
    assert documented == parameters
    assert "Raises" in sections
    if method != "compile":  # compile returns nothing, as in Keras
        assert "Returns" in sections
