"""Data sets: MNIST (downloaded once, cached), breast cancer and 2-D toy generators.

    >>> from minikeras import datasets
    >>> (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()  # doctest: +SKIP
    >>> x, y = datasets.spiral(100, 3)
"""
from . import breast_cancer, mnist
from .toy import blobs, moons, spiral

__all__ = ["blobs", "breast_cancer", "mnist", "moons", "spiral"]
