"""minikeras: a small, readable Keras-style neural-network framework on numpy.

``import minikeras as keras`` gives the submodules a Keras 3 script of
Sequential models uses (``layers``, ``models``, ``optimizers`` with
``optimizers.schedules``, ``losses``, ``metrics``, ``callbacks``,
``activations``, ``initializers``, ``regularizers``, ``utils``, ``datasets``,
``wrappers``, ``saving``, ``backend``), with no further import.

    >>> import minikeras as keras
    >>> model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
"""
import importlib
import sys

from . import (activations, backend, callbacks, config, constraints, datasets, ensemble,
               initializers, layers, losses, metrics, models, optimizers, regularizers,
               saving, schedules, utils)
from .layers import Input
from .models import Sequential


def __getattr__(name):
    # The scikit-learn wrappers import scikit-learn, and with it scipy: a second and some
    # 100 MB that a script which never uses them should not pay at `import minikeras`.
    # `minikeras.wrappers` imports them on first use (PEP 562).
    if name == "wrappers":
        return importlib.import_module(f"{__name__}.wrappers")  # it sets the attribute too
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Keras keeps the schedules in `keras.optimizers.schedules`; here they have a module of
# their own (`optimizers.schedules` names it), importable by Keras's path too
# (`from minikeras.optimizers.schedules import ExponentialDecay`).
sys.modules[__name__ + ".optimizers.schedules"] = schedules

__version__ = "0.1.0"

__all__ = ["Input", "Sequential", "activations", "backend", "callbacks", "config", "constraints",
           "datasets", "ensemble", "initializers", "layers", "losses", "metrics", "models",
           "optimizers", "regularizers", "saving", "schedules", "utils", "wrappers"]
