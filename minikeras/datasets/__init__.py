"""Datasets that need no download."""
from . import breast_cancer

__all__ = ["breast_cancer"]
