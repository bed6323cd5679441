"""Input: declares the shape of one sample, so the next layers build at once."""
from ..utils.validation import check_int
from .layer import _float_dtype, _shape_tuple


class InputTensor:
    """What ``Input(shape=(30,))`` returns: the model's input, known by its shape.

    Keras 3's ``Input`` returns a symbolic ``KerasTensor``; minikeras keeps only
    what a Sequential model needs from it. Like Keras's, it is not a layer of the
    model: it tells ``Sequential`` what the first layer will receive, and it does
    not appear in ``model.layers`` or ``summary()``.

    Attributes:
        shape: the batch shape, ``(batch_size,) + shape`` as Keras's
            ``KerasTensor.shape`` (``Input((30,)).shape == (None, 30)``).
        dtype: ``"float32"``, ``"float64"`` or None (the default float type);
            minikeras feeds every model its default float type.
        name: the name given, or None.
    """

    def __init__(self, shape, batch_size=None, dtype=None, name=None):
        self.shape = (check_int(batch_size, "batch_size", 1, allow=[None]),) \
            + _shape_tuple(shape, "shape")
        self.dtype = _float_dtype(dtype)
        if name is not None and not (isinstance(name, str) and name):
            raise ValueError(f"`name` must be a non-empty string. Received: name={name!r}")
        self.name = name

    def __repr__(self):
        return f"Input(shape={self.shape[1:]})"


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,  # noqa: N802
          batch_shape=None, name=None, tensor=None, optional=False):
    """Declare one sample's shape (no batch axis): ``Sequential([Input((30,)), Dense(1)])``.

    Keras's name for it (Keras spells it as a class), with Keras's arguments:

    Args:
        shape: one sample's shape, a tuple of positive integers, e.g. ``(30,)``.
        batch_size: the batch size Keras would fix, or None (default). It is
            part of the model's input shape, as in Keras, but minikeras models
            take batches of any size.
        dtype: ``"float32"`` or ``"float64"`` (or None).
        batch_shape: ``(batch_size, *shape)``, instead of ``shape`` and ``batch_size``.
        name: optional name.
        sparse, ragged, tensor, optional: Keras features minikeras does not
            have, accepted only at their defaults.
    """
    for argument, value, off in (("sparse", sparse, (None, False)),
                                 ("ragged", ragged, (None, False)),
                                 ("tensor", tensor, (None,)), ("optional", optional, (False,))):
        if not any(value is v for v in off):
            raise NotImplementedError(f"`{argument}` is a Keras feature minikeras does not "
                                      f"have: `Input` accepts only {argument}={off[0]!r}. "
                                      f"Received: {argument}={value!r:.100}")
    if (shape is None) == (batch_shape is None):
        raise ValueError("Give `Input` exactly one of `shape` and `batch_shape`. Received: "
                         f"shape={shape!r}, batch_shape={batch_shape!r}")
    if batch_shape is not None:
        if not isinstance(batch_shape, (tuple, list)) or len(batch_shape) < 2:
            raise ValueError("`batch_shape` must be a tuple (batch_size, *shape). Received: "
                             f"batch_shape={batch_shape!r}")
        if batch_size is not None:
            raise ValueError("Give `Input` either `batch_shape` or `batch_size`, not both.")
        check_int(batch_shape[0], "batch_shape[0]", 1, allow=[None])
        _shape_tuple(tuple(batch_shape[1:]), "batch_shape")
        batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
    return InputTensor(shape, batch_size=batch_size, dtype=dtype, name=name)
