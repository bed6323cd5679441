"""InputLayer and Input: the shape of one sample, so the layers after it build at once."""
import warnings

from .. import config
from ..utils.registry import unique_name
from ..utils.validation import check_int
from .layer import _float_dtype, _shape_tuple


class InputLayer:
    """A model's input (Keras 3's ``InputLayer``): one sample's shape, a batch size, a type.

    It computes nothing. ``Sequential`` reads the shape from it to build every
    layer at once and keeps it for the model's configuration; as in Keras, it
    is not one of ``model.layers`` and has no row in ``summary()``.
    ``Sequential([InputLayer(shape=(30,)), ...])`` and
    ``Sequential([Input((30,)), ...])`` are the same model.

    Example::

        >>> layer = InputLayer(shape=(28, 28))
        >>> layer.batch_shape
        (None, 28, 28)

    Args:
        shape, batch_size, dtype, batch_shape, sparse, ragged, optional: as for
            :func:`Input` (checked by it).
        input_tensor: :func:`Input`'s ``tensor``.
        name: default ``input_layer``, ``input_layer_1``, ...
        input_shape: Keras 2's name for ``shape``, still accepted with Keras 3's
            deprecation warning; ``batch_input_shape`` likewise for ``batch_shape``.

    Attributes:
        output: the :class:`InputTensor` that ``Input`` would have returned.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        if "input_shape" in kwargs:
            warnings.warn("Argument `input_shape` is deprecated. Use `shape` instead.",
                          UserWarning, stacklevel=2)
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to InputLayer: "
                             f"{kwargs!r:.200}. InputLayer accepts: shape, batch_size, dtype, "
                             "sparse, ragged, batch_shape, input_tensor, optional, name.")
        self.output = Input(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                            ragged=ragged, batch_shape=batch_shape, name=name,
                            tensor=input_tensor, optional=optional)
        self.name = name or unique_name("input_layer")

    @classmethod
    def of(cls, tensor):
        """The InputLayer an ``Input(...)`` tensor comes from (Keras's ``_keras_history``)."""
        return cls(batch_shape=tensor.shape, dtype=tensor.dtype, name=tensor.name)

    @property
    def batch_shape(self):
        """``(batch_size,) + shape``, ``batch_size`` None unless fixed."""
        return self.output.shape

    @property
    def shape(self):
        """One sample's shape, without the batch axis."""
        return self.output.shape[1:]

    @property
    def dtype(self):
        """The input's float type (the default float type unless one was given)."""
        return self.output.dtype or config.floatx()

    def get_config(self):
        """Keras 3's InputLayer config (its off features written at their off values)."""
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}

    @classmethod
    def from_config(cls, config):
        """The InputLayer a Keras 3 config (or Keras 2's, with ``batch_input_shape``) describes.

        A fixed batch size reads as None, as everywhere a configuration gives one:
        minikeras models take batches of any size.

        Raises:
            ValueError: for anything but a plain dict of InputLayer arguments, or a
                Keras feature minikeras does not have.
        """
        if not isinstance(config, dict):
            raise ValueError(f"An InputLayer config must be a dict. Received: {config!r:.200}")
        config = dict(config)
        for key in ("batch_shape", "batch_input_shape"):
            if isinstance(config.get(key), (list, tuple)) and config[key]:
                config[key] = [None, *config[key][1:]]
        try:
            return cls(**config)
        except (NotImplementedError, TypeError) as e:
            raise ValueError(f"The InputLayer config cannot be read: {e}") from None

    def __repr__(self):
        return f"InputLayer(shape={self.shape}, name={self.name!r})"


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
