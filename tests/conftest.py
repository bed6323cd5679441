"""Shared fixtures: every test starts from the same seed and the default float type."""
import numpy as np
import pytest

from minikeras import config
from minikeras.random import set_seed


@pytest.fixture(autouse=True)
def _seeded_float32():
    set_seed(1234)
    config.set_floatx("float32")
    yield
    config.set_floatx("float32")


@pytest.fixture
def float64():
    """Build weights in float64 for finite-difference checks."""
    config.set_floatx("float64")
    yield
    config.set_floatx("float32")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# -- Keras 3 twin tests ------------------------------------------------------------------
# Keras is the oracle for "a Keras script behaves the same on minikeras". It runs on its
# torch backend (the `reference` extra); the backend must be chosen before Keras's first
# import, hence the environment variable here rather than in each test.

def keras_skip_reason():
    """Why Keras 3 on torch cannot serve as a twin here, or None when it can.

    Cheap (nothing is imported), for tests that run Keras in a subprocess.
    """
    import importlib.util
    missing = [name for name in ("keras", "torch") if importlib.util.find_spec(name) is None]
    if missing:
        return (f"Keras twin skipped: {' and '.join(missing)} not installed "
                "(pip install -e '.[reference]')")
    from importlib.metadata import version
    if int(version("keras").split(".")[0]) < 3:
        return f"Keras twin skipped: Keras {version('keras')} installed, the twin needs Keras 3"
    return None


def import_keras():
    """Import Keras 3 on its torch backend, or skip the calling test saying why."""
    reason = keras_skip_reason()
    if reason:
        pytest.skip(reason)
    import os
    backend = os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    if keras.backend.backend() != "torch":
        pytest.skip(f"Keras twin skipped: Keras was imported with the {backend!r} backend; "
                    "set KERAS_BACKEND=torch")
    return keras


@pytest.fixture(scope="session")
def keras3():
    """Keras 3 (torch backend) for twin tests; skips with the reason when unavailable."""
    return import_keras()
