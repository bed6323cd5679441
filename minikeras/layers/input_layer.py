"""Input: declares the shape of one sample, so the next layers build at once."""
from .layer import _shape_tuple


class InputTensor:
    """What ``Input(shape=(30,))`` returns: the model's input, known by its shape.

    Keras 3's ``Input`` returns a symbolic ``KerasTensor``; minikeras keeps only
    what a Sequential model needs from it. Like Keras's, it is not a layer of the
    model: it tells ``Sequential`` what the first layer will receive, and it does
    not appear in ``model.layers`` or ``summary()``.

    Attributes:
        shape: the batch shape, ``(None,) + shape`` as Keras's ``KerasTensor.shape``
            (``Input((30,)).shape == (None, 30)``).
        name: the name given, or None.
    """

    def __init__(self, shape, name=None):
        self.shape = (None,) + _shape_tuple(shape)
        self.name = name

    def __repr__(self):
        return f"Input(shape={self.shape[1:]})"


def Input(shape, name=None):  # noqa: N802 - Keras spells it as a class
    """Declare one sample's shape (no batch axis): ``Sequential([Input((30,)), Dense(1)])``."""
    return InputTensor(shape, name=name)
