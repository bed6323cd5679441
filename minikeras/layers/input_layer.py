"""Input: declares the shape of one sample, so the next layers build at once."""
from .layer import _shape_tuple


class InputSpec:
    """The shape one sample has, without the batch axis: ``Input(shape=(30,))``.

    Like Keras's ``keras.Input``, it is not a layer of the model: it only tells
    ``Sequential`` what the first layer will receive, and it does not appear in
    ``model.layers`` or ``summary()``.

    Args:
        shape: a tuple of positive integers, e.g. ``(30,)`` or ``(28, 28)``.
        name: optional name.
    """

    def __init__(self, shape, name=None):
        self.shape = _shape_tuple(shape)
        self.name = name

    def __repr__(self):
        return f"Input(shape={self.shape})"


def Input(shape, name=None):  # noqa: N802 - Keras spells it as a class
    """Declare one sample's shape: ``Sequential([Input((30,)), Dense(1)])``."""
    return InputSpec(shape, name=name)
