"""Normalization: standardize features with a mean and variance computed once from data."""
import math

import numpy as np

from .. import config
from ..backend import as_tensor
from ..utils.validation import check_bool, check_int
from .layer import Layer

EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation divided by


class Normalization(Layer):
    """Shift and scale the inputs with fixed statistics: ``y = (x - mean) / sqrt(variance)``.

    The statistics are not learned by gradient descent: ``adapt(data)`` computes
    them once, from the training data, before ``fit`` (or they are given as
    ``mean`` and ``variance``). With ``s = max(sqrt(variance), 1e-7)``, the
    floor keeping a constant feature finite::

        y     = (x - mean) / s          (invert=True:  y = mean + x * s)
        dL/dx = grad / s                (invert=True:  dL/dx = grad * s)

    ``axis`` names the axes that keep their own statistics: the default -1 gives
    each feature its own mean and variance, computed over all the other axes
    (the samples); ``axis=None`` one mean and variance for everything.
    ``variance`` is the biased one, ``mean((x - mean)**2)``, as in Keras.

    After ``adapt`` the statistics are the layer's weights ``mean``, ``variance``
    and ``count`` (non-trainable, saved with the model; ``count`` stays 0, as in
    Keras 3, which keeps it for its file layout): 2 * features + 1 parameters.
    Given as arguments they are configuration, not weights (0 parameters).

    Example, as in the keras-io regression tutorial::

        >>> import numpy as np
        >>> from minikeras import Sequential
        >>> from minikeras.layers import Dense
        >>> normalizer = Normalization(axis=-1)
        >>> normalizer.adapt(np.array([[0.0, 7.0], [2.0, 9.0]]))   # means 1, 8; variances 1, 1
        >>> normalizer(np.array([[0.0, 7.0]]))
        array([[-1., -1.]])
        >>> Sequential([normalizer, Dense(1)]).input_shape   # adapt fixed the input shape
        (None, 2)

    Args:
        axis: an integer, a list of integers, or None. Default -1.
        mean, variance: the statistics, numbers or nested lists that broadcast
            to the shape of the kept axes; both or neither. Default None (adapt).
        invert: apply the inverse, turning normalized values back into data.
            Default False.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif not isinstance(axis, (list, tuple)):
            axis = (axis,)
        self.axis = tuple(check_int(a, f"axis[{i}]") for i, a in enumerate(axis))
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean!r:.100} and variance={variance!r:.100}")
        if mean is not None:
            mean, variance = _statistic(mean, "mean"), _statistic(variance, "variance")
            if np.shape(mean) != np.shape(variance):
                raise ValueError("`mean` and `variance` must have the same shape. Received: "
                                 f"shapes {np.shape(mean)} and {np.shape(variance)}")
            if np.ndim(mean) > len(self.axis):
                raise ValueError(f"`mean` must have at most one axis per entry of `axis` "
                                 f"({len(self.axis)}). Received: mean of shape {np.shape(mean)}")
            if np.any(np.asarray(variance) < 0):
                raise ValueError("`variance` must not be negative. Received: "
                                 f"variance={variance!r:.100}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = check_bool(invert, "invert")
        self.adapt_mean = self.adapt_variance = self.count = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if not all(-ndim < a < ndim and a % ndim != 0 for a in self.axis):
            raise ValueError(f"`axis` must name feature axes of inputs of shape "
                             f"{tuple(input_shape)} (not the batch axis 0). Received: "
                             f"axis={list(self.axis)}")
        self._keep_axes = tuple(sorted(a % ndim for a in self.axis))
        self._reduce_axes = tuple(a for a in range(ndim) if a not in self._keep_axes)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep_axes else 1
                                      for a in range(ndim))
        shape = tuple(input_shape[a] for a in self._keep_axes)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight("mean", shape, "zeros", trainable=False)
            self.adapt_variance = self.add_weight("variance", shape, "ones", trainable=False)
            self.count = self.add_weight("count", (), "zeros", trainable=False, dtype="int32")
        else:
            # Numbers broadcast everywhere; arrays fill the last kept axes, as in Keras.
            fixed = []
            for value in (self.input_mean, self.input_variance):
                value = np.asarray(value, config.floatx())
                expanded = [1] * ndim
                for a, size in zip(self._keep_axes[len(self._keep_axes) - value.ndim:],
                                   value.shape):
                    expanded[a] = size
                try:
                    fixed.append(np.broadcast_to(value.reshape(expanded), self._broadcast_shape))
                except ValueError:
                    raise ValueError(f"`mean` and `variance` of shape {value.shape} do not fit "
                                     f"the axes {list(self.axis)} of inputs of shape "
                                     f"{tuple(input_shape)}.") from None
            self._fixed_mean, self._fixed_variance = fixed
        super().build(input_shape)

    @property
    def mean(self):
        """The mean, shaped to broadcast against the inputs (e.g. ``(1, features)``),
        a :class:`~minikeras.backend.Tensor` as Keras's (``.numpy()`` works)."""
        if not self.built:
            return None
        if self.adapt_mean is None:
            return as_tensor(self._fixed_mean)
        return as_tensor(self.adapt_mean.value.reshape(self._broadcast_shape))

    @property
    def variance(self):
        """The variance, shaped as :attr:`mean`."""
        if not self.built:
            return None
        if self.adapt_variance is None:
            return as_tensor(self._fixed_variance)
        return as_tensor(self.adapt_variance.value.reshape(self._broadcast_shape))

    def adapt(self, data):
        """Compute the mean and variance of ``data`` and keep them as the layer's weights.

        Args:
            data: an array of samples (``(samples, features)`` for the default
                ``axis``), or an iterable of such batches (a list of arrays, a
                generator; ``(x, y)`` pairs use ``x``), whose statistics are
                combined exactly, batch by batch (Chan et al.'s formula).

        Raises:
            ValueError: if the layer was given ``mean`` and ``variance``, or the
                data does not match the shape it was built for.
        """
        if self.input_mean is not None:
            raise ValueError(f"Layer {self.name!r} was given `mean` and `variance`; "
                             "`adapt` would replace them. Create it without them to adapt.")
        if hasattr(data, "__array__") or np.isscalar(data):  # one array (or a DataFrame)
            batches = [data]
        elif hasattr(data, "__iter__"):
            batches = data
        else:
            raise TypeError("`data` must be an array of samples or an iterable of batches. "
                            f"Received: data of type {type(data).__name__}")
        seen, mean, var = 0, 0.0, 0.0
        for batch in batches:
            if isinstance(batch, tuple):  # (x, y) or (x, y, sample_weight): statistics of x
                batch = batch[0]
            batch = self._adapt_batch(batch)
            axes = tuple(a for a in range(batch.ndim) if a not in self._keep_axes)
            n = math.prod(batch.shape[a] for a in axes)
            batch_mean, batch_var = batch.mean(axis=axes), batch.var(axis=axes)
            # Chan et al.: the variance of the union adds the spread between the two means.
            total = seen + n
            delta = batch_mean - mean
            var = (seen * var + n * batch_var) / total + delta ** 2 * (seen * n / total ** 2)
            mean = mean + delta * (n / total)
            seen = total
        if seen == 0:
            raise ValueError("`data` must hold at least one sample. Received: no batches.")
        self.adapt_mean.assign(np.broadcast_to(mean, self.adapt_mean.shape))
        self.adapt_variance.assign(np.broadcast_to(var, self.adapt_variance.shape))

    def _adapt_batch(self, batch):
        """``batch`` as a float64 array that fits the layer; builds the layer on first use."""
        try:
            batch = np.asarray(batch, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("`data` must hold numbers. Received: a batch of type "
                             f"{type(batch).__name__}") from None
        if batch.ndim == 0 or len(batch) == 0:
            raise ValueError(f"`data` must hold at least one sample. Received: a batch of "
                             f"shape {batch.shape}")
        if not np.isfinite(batch).all():
            raise ValueError("`data` must hold finite numbers (it holds NaN or infinity).")
        if not self.built:
            self.build((None,) + (self._input_shape_arg or batch.shape[1:]))
        # With no kept axes the statistics are scalars: data of any shape will do.
        if self._keep_axes and (batch.ndim != len(self.build_input_shape) or any(
                batch.shape[a] != self.build_input_shape[a] for a in self._keep_axes)):
            raise ValueError(f"Layer {self.name!r} was built for inputs of shape "
                             f"{self.build_input_shape}, but `adapt` received data of shape "
                             f"{batch.shape}.")
        return batch

    def forward(self, x, training=False):
        if not self.built:
            raise ValueError(f"Layer {self.name!r} has no statistics yet: call `adapt(data)` "
                             "or give it `mean` and `variance`.")
        x = np.asarray(x)
        if x.dtype.kind != "f":
            x = x.astype(config.floatx())
        mean, std = self.mean.astype(x.dtype), self._std(x.dtype)
        return mean + x * std if self.invert else (x - mean) / std

    def backward(self, grad):
        std = self._std(grad.dtype)
        return grad * std if self.invert else grad / std

    def _std(self, dtype):
        return np.maximum(np.sqrt(self.variance.astype(dtype)), dtype.type(EPSILON))

    def get_config(self):
        return super().get_config() | {"axis": list(self.axis), "invert": self.invert,
                                       "mean": self.input_mean, "variance": self.input_variance}


def _statistic(value, argument):
    """``mean`` or ``variance`` as given: a finite number or a nested list of them."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or not np.isfinite(array).all():
        raise ValueError(f"`{argument}` must be a finite number or a (nested) list of finite "
                         f"numbers. Received: {argument}={value!r:.100}")
    return array.tolist()
