"""Weight initializers: callables that turn a shape into a fresh array of starting values.

Every initializer is called as ``initializer(shape, dtype=None)`` and returns a
new array; ``dtype`` defaults to :func:`minikeras.config.floatx`. Select one by
its Keras name with :func:`get`, e.g. ``get("he_normal")`` or ``get("HeNormal")``.

Randomness. Random initializers take ``seed=None`` as in Keras:

* ``seed=None`` draws from minikeras's global generator, so successive calls
  give different arrays and a whole run is reproduced by
  ``minikeras.random.set_seed``. (Keras 3 instead fixes a hidden seed when an
  unseeded initializer is created, so one instance repeats its values.)
* an integer ``seed`` starts a private generator on every call, so that
  instance returns the same array each time it is called (as in Keras). Do not
  share such an instance between layers unless you want equal weights.

The Glorot, He and LeCun families are one :class:`VarianceScaling` rule with
different ``scale``, ``mode`` and ``distribution``: they pick the spread so that
the variance of a layer's outputs matches that of its inputs.
"""
import math

import numpy as np

from . import config
from .random import generator
from .utils.registry import Configurable, resolve, serialize  # noqa: F401 - serialize is public here
from .utils.validation import check_int, check_number, check_option

# Standard deviation of a standard normal truncated to [-2, 2]. Dividing by it
# makes the *truncated* samples have the standard deviation that was asked for.
_TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape):
    """Return ``(fan_in, fan_out)``, the input and output sizes of a weight of `shape`.

    ``()`` -> ``(1, 1)``; ``(n,)`` -> ``(n, n)``; ``(n_in, n_out)`` -> ``(n_in, n_out)``;
    a convolution kernel ``(*window, in_channels, out_channels)`` counts each
    window position: ``(in_channels * prod(window), out_channels * prod(window))``.
    Example: ``compute_fans((3, 3, 16, 32))`` is ``(144, 288)``.
    """
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class Initializer(Configurable):
    """Base class: subclasses write ``__call__(shape, dtype=None)`` returning a new array.

    ``get_config()`` returns the constructor arguments, and
    ``type(init).from_config(init.get_config())`` builds an equal initializer.
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must implement `__call__`.")


def _check_unsharded(input_axes, output_axes):
    """Keras's ``input_axes``/``output_axes`` shard a weight's fans across devices: only None."""
    for argument, value in (("input_axes", input_axes), ("output_axes", output_axes)):
        if value is not None:
            raise NotImplementedError(f"`{argument}` is a Keras feature minikeras does not have "
                                      f"(sharded weights): only {argument}=None is accepted. "
                                      f"Received: {argument}={value!r:.100}")


def _standardize(shape, dtype):
    """``(shape, dtype)`` as a tuple of ints and a numpy dtype (default: floatx)."""
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
    return shape, np.dtype(config.floatx() if dtype is None else dtype)


class Zeros(Initializer):
    """All zeros: ``w = 0``. Example: ``Zeros()((2,))`` gives ``[0., 0.]``."""

    def __call__(self, shape, dtype=None):
        shape, dtype = _standardize(shape, dtype)
        return np.zeros(shape, dtype)


class Ones(Initializer):
    """All ones: ``w = 1``. Example: ``Ones()((2,))`` gives ``[1., 1.]``."""

    def __call__(self, shape, dtype=None):
        shape, dtype = _standardize(shape, dtype)
        return np.ones(shape, dtype)


class Constant(Initializer):
    """Every entry equal to ``value``, or ``value`` broadcast over the weight: ``w = value``.

    Args:
        value: a finite number (default ``0.0``), or an array (list) of finite
            numbers that broadcasts to the weight's shape, as in Keras; e.g. an
            output bias ``np.log([pos / neg])`` for imbalanced classes.

    Example: ``Constant(3.0)((2,))`` gives ``[3., 3.]``; ``Constant([1.0, 2.0])((2, 2))``
    gives ``[[1., 2.], [1., 2.]]``.
    """

    def __init__(self, value=0.0):
        if isinstance(value, dict) and value.get("class_name") == "__numpy__":
            value = value.get("config", {}).get("value")  # an array as Keras's configs write it
        if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
            self.value = check_number(value, "value")
            return
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
        if array is None or not np.isfinite(array).all():
            raise ValueError(f"`value` must be a finite number or an array of finite numbers. "
                             f"Received: value={value!r:.100}")
        self.value = array

    def __call__(self, shape, dtype=None):
        shape, dtype = _standardize(shape, dtype)
        try:
            return np.broadcast_to(np.asarray(self.value, dtype), shape).copy()
        except ValueError:
            raise ValueError(f"`Constant` value of shape {np.shape(self.value)} cannot fill a "
                             f"weight of shape {shape}.") from None

    def get_config(self):
        if isinstance(self.value, float):
            return {"value": self.value}
        # Keras's form for an array in a config, which Keras reads back as one.
        return {"value": {"class_name": "__numpy__",
                          "config": {"value": self.value.tolist(), "dtype": "float64"}}}


class Identity(Initializer):
    """The (possibly rectangular) identity matrix times `gain`: ``w[i, j] = gain * [i == j]``.

    Args:
        gain: multiplicative factor (default ``1.0``).

    Example: ``Identity(2.0)((2, 3))`` gives ``[[2, 0, 0], [0, 2, 0]]``.
    """

    def __init__(self, gain=1.0):
        self.gain = check_number(gain, "gain")

    def __call__(self, shape, dtype=None):
        shape, dtype = _standardize(shape, dtype)
        if len(shape) != 2:
            raise ValueError(f"`Identity` initializes 2-D matrices only. Received: shape={shape}")
        return self.gain * np.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


class RandomInitializer(Initializer):
    """Base of the random initializers: owns `seed` and the generator to draw from.

    Args:
        seed: ``None`` (default) to draw from the global generator, so each
            call differs; or a non-negative integer, so each call repeats.
    """

    def __init__(self, seed=None):
        self.seed = check_int(seed, "seed", 0, allow=[None])

    def _prepare(self, shape, dtype):
        """Standardize the arguments and return them with the generator for this call."""
        shape, dtype = _standardize(shape, dtype)
        if not np.issubdtype(dtype, np.floating):
            raise ValueError(
                f"`dtype` must be a floating-point type for {type(self).__name__}. "
                f"Received: dtype={dtype}"
            )
        # Looked up on every call: `set_seed` replaces the global generator.
        return shape, dtype, generator(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def _truncated_standard_normal(rng, shape):
    """Standard normal samples, each redrawn until it lies within [-2, 2]."""
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2.0
    # About 4.6% fall outside on each pass, so a few passes are enough.
    while outside.any():
        z[outside] = rng.standard_normal(np.count_nonzero(outside))
        outside = np.abs(z) > 2.0
    return z


class RandomNormal(RandomInitializer):
    """Normal samples: ``w ~ N(mean, stddev**2)``.

    Args:
        mean: mean of the samples (default ``0.0``).
        stddev: standard deviation (default ``0.05``).
        seed: see :class:`RandomInitializer`.

    Example: ``RandomNormal(stddev=1.0, seed=0)((2, 2))`` gives a 2x2 float32 array.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = check_number(mean, "mean"), check_number(stddev, "stddev", 0)
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype, rng = self._prepare(shape, dtype)
        return rng.normal(self.mean, self.stddev, shape).astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """Normal samples with those beyond 2 standard deviations redrawn.

    ``w = mean + stddev * z`` with ``z ~ N(0, 1)`` conditioned on ``|z| <= 2``, so
    ``|w - mean| <= 2 stddev``; the samples' actual standard deviation is
    ``0.8796 * stddev``.

    Args:
        mean: centre of the samples (default ``0.0``).
        stddev: standard deviation before truncation (default ``0.05``).
        seed: see :class:`RandomInitializer`.

    Example: ``TruncatedNormal(seed=0)((2, 2))`` has every entry within ``[-0.1, 0.1]``.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = check_number(mean, "mean"), check_number(stddev, "stddev", 0)
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype, rng = self._prepare(shape, dtype)
        return (self.mean + self.stddev * _truncated_standard_normal(rng, shape)).astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """Uniform samples: ``w ~ U[minval, maxval)``.

    Args:
        minval: lower bound, inclusive (default ``-0.05``).
        maxval: upper bound, exclusive (default ``0.05``).
        seed: see :class:`RandomInitializer`.

    Example: ``RandomUniform(0.0, 1.0, seed=0)((3,))`` has entries in ``[0, 1)``.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval = check_number(minval, "minval"), check_number(maxval, "maxval")
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype, rng = self._prepare(shape, dtype)
        return rng.uniform(self.minval, self.maxval, shape).astype(dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(RandomInitializer):
    """Samples whose variance is ``scale / n``, with ``n`` taken from the weight's shape.

    ``n`` is ``fan_in``, ``fan_out`` or ``(fan_in + fan_out) / 2`` by `mode` (see
    :func:`compute_fans`; at least 1). Then, by `distribution`:

    * ``"truncated_normal"``: ``TruncatedNormal(0, sqrt(scale / n) / 0.8796)``,
      whose standard deviation after truncation is ``sqrt(scale / n)``;
    * ``"untruncated_normal"``: ``N(0, scale / n)``;
    * ``"uniform"``: ``U[-limit, limit)`` with ``limit = sqrt(3 scale / n)``.

    Args:
        scale: positive factor (default ``1.0``).
        mode: ``"fan_in"`` (default), ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"`` (default; ``"normal"`` is an alias),
            ``"untruncated_normal"`` or ``"uniform"``.
        seed: see :class:`RandomInitializer`.
        input_axes, output_axes: Keras's fan axes for sharded weights; only None.

    Example: ``VarianceScaling(2.0, "fan_in", "uniform")((50, 10))`` draws from
    ``U[-0.346, 0.346)``, since ``sqrt(3 * 2 / 50) = 0.346``.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        _check_unsharded(input_axes, output_axes)
        self.scale = check_number(scale, "scale", 0, closed="neither")
        self.mode = check_option(mode, "mode", _MODES)
        name = distribution.lower() if isinstance(distribution, str) else distribution
        name = "truncated_normal" if name == "normal" else name
        self.distribution = check_option(name, "distribution", _DISTRIBUTIONS)
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype, rng = self._prepare(shape, dtype)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            w = (math.sqrt(variance) / _TRUNCATED_STD) * _truncated_standard_normal(rng, shape)
        elif self.distribution == "untruncated_normal":
            w = rng.normal(0.0, math.sqrt(variance), shape)
        else:
            limit = math.sqrt(3.0 * variance)
            w = rng.uniform(-limit, limit, shape)
        return w.astype(dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config(), "input_axes": None, "output_axes": None}


class _Preset(VarianceScaling):
    """A named VarianceScaling setting; its only argument is `seed`."""

    preset = {}

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(**self.preset, seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": None, "output_axes": None}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: ``U[-limit, limit)``, ``limit = sqrt(6 / (fan_in + fan_out))``.

    Args:
        seed: see :class:`RandomInitializer`.

    Example: for shape ``(400, 300)``, ``limit = sqrt(6 / 700) = 0.0926``.
    """

    preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"}


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: truncated normal with std ``sqrt(2 / (fan_in + fan_out))``.

    Args:
        seed: see :class:`RandomInitializer`.

    Example: for shape ``(400, 300)`` the samples' std is ``sqrt(2 / 700) = 0.0535``.
    """

    preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "truncated_normal"}


class HeUniform(_Preset):
    """He uniform: ``U[-limit, limit)``, ``limit = sqrt(6 / fan_in)``; suits ReLU layers.

    Args:
        seed: see :class:`RandomInitializer`.

    Example: for shape ``(400, 300)``, ``limit = sqrt(6 / 400) = 0.1225``.
    """

    preset = {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}


class HeNormal(_Preset):
    """He normal: truncated normal with std ``sqrt(2 / fan_in)``; suits ReLU layers.

    Args:
        seed: see :class:`RandomInitializer`.

    Example: for shape ``(400, 300)`` the samples' std is ``sqrt(2 / 400) = 0.0707``.
    """

    preset = {"scale": 2.0, "mode": "fan_in", "distribution": "truncated_normal"}


class LecunUniform(_Preset):
    """LeCun uniform: ``U[-limit, limit)``, ``limit = sqrt(3 / fan_in)``.

    Args:
        seed: see :class:`RandomInitializer`.

    Example: for shape ``(400, 300)``, ``limit = sqrt(3 / 400) = 0.0866``.
    """

    preset = {"scale": 1.0, "mode": "fan_in", "distribution": "uniform"}


class LecunNormal(_Preset):
    """LeCun normal: truncated normal with std ``sqrt(1 / fan_in)``; suits SELU layers.

    Args:
        seed: see :class:`RandomInitializer`.

    Example: for shape ``(400, 300)`` the samples' std is ``sqrt(1 / 400) = 0.05``.
    """

    preset = {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"}


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times `gain`, from the QR factorisation of a normal matrix.

    The shape is flattened to ``(rows, cols) = (prod(shape[:-1]), shape[-1])``.
    Draw ``A ~ N(0, 1)`` of shape ``(max(rows, cols), min(rows, cols))``, factor
    ``A = QR`` and flip each column of ``Q`` by the sign of ``R``'s diagonal (so
    ``Q`` is uniformly distributed). ``w = gain * Q`` when ``rows >= cols``
    (``w^T w = gain**2 I``), else ``gain * Q^T`` (``w w^T = gain**2 I``).

    Args:
        gain: multiplicative factor (default ``1.0``).
        seed: see :class:`RandomInitializer`.

    Example: ``Orthogonal(seed=0)((3, 2))`` has two orthonormal columns.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = check_number(gain, "gain")
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype, rng = self._prepare(shape, dtype)
        if len(shape) < 2:
            raise ValueError(
                f"`Orthogonal` needs a shape of rank 2 or more. Received: shape={shape}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype)

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


# Keras's functional-style names: in Keras 3 these are the classes themselves.
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, truncated_normal, random_uniform = RandomNormal, TruncatedNormal, RandomUniform
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal

ALL_INITIALIZERS = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "identity": Identity,
    "random_normal": RandomNormal, "truncated_normal": TruncatedNormal,
    "random_uniform": RandomUniform, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal,
    # Keras's short aliases.
    "zero": Zeros, "one": Ones, "normal": RandomNormal, "uniform": RandomUniform,
}


def get(identifier, argument="initializer"):
    """Resolve an initializer from a Keras name, a config dict, an instance or a function.

    ``get("glorot_uniform")`` and ``get("GlorotUniform")`` give ``GlorotUniform()``;
    ``get({"class_name": "RandomNormal", "config": {"stddev": 1.0}})`` builds one
    with arguments; an initializer class is instantiated with its defaults; a
    plain function ``f(shape, dtype=None)`` is returned as is; ``None`` gives ``None``.
    The same look-up as every ``get`` (:func:`minikeras.utils.registry.resolve`).

    ``argument`` names it in errors, e.g. ``"kernel_initializer"``.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
        TypeError: for anything else.
    """
    return resolve(identifier, ALL_INITIALIZERS, Initializer, argument,
                   function=lambda fn: fn)
