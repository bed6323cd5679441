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
