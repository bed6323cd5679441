"""minikeras: a small, readable Keras-style neural-network framework on numpy.

    >>> import minikeras as keras
    >>> model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
"""
from . import (activations, callbacks, config, constraints, datasets, ensemble, initializers,
               layers, losses, metrics, models, optimizers, regularizers, saving, schedules,
               utils, wrappers)
from .layers import Input
from .models import Sequential

__version__ = "0.1.0"

__all__ = ["Input", "Sequential", "activations", "callbacks", "config", "constraints", "datasets",
           "ensemble", "initializers", "layers", "losses", "metrics", "models", "optimizers", "regularizers",
           "saving", "schedules", "utils", "wrappers"]
