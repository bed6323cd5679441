"""Learning-rate schedules: the learning rate as a function of the optimizer step.

A schedule is a callable ``step -> learning_rate``. Pass one as any optimizer's
``learning_rate``; the optimizer evaluates it at ``optimizer.iterations``, the
number of steps already taken (0 for the first step). The formulas and the
argument names are Keras 3's.

Example:
    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> schedule(0), schedule(10), schedule(20)
    (0.1, 0.05, 0.025)
"""
import bisect
import math

from .utils.registry import resolve, serialize  # noqa: F401 - serialize is public here
from .utils.validation import check_bool, check_number


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``.

    ``get_config()`` returns the constructor arguments, so
    ``type(s)(**s.get_config())`` rebuilds an equal schedule.
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()`.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """Multiply the learning rate by ``decay_rate`` every ``decay_steps`` steps, smoothly.

    ``lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)``;
    with ``staircase=True`` the exponent is ``floor(step / decay_steps)``, so the
    rate drops in jumps.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive number of steps per factor of ``decay_rate``.
        decay_rate: non-negative factor.
        staircase: default False.
        name: default ``"ExponentialDecay"``.

    Example:
        >>> ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True)(6)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate = check_number(initial_learning_rate,
                                                  "initial_learning_rate", 0)
        self.decay_steps = check_number(decay_steps, "decay_steps", 0, closed="neither")
        self.decay_rate = check_number(decay_rate, "decay_rate", 0)
        self.staircase = check_bool(staircase, "staircase")
        self.name = name

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """Decay the learning rate like ``1 / t``.

    ``lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)``;
    with ``staircase=True``, ``step / decay_steps`` is floored.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive number of steps per unit of ``decay_rate``.
        decay_rate: non-negative rate.
        staircase: default False.
        name: default ``"InverseTimeDecay"``.

    Example:
        >>> InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)(2)  # 0.1 / (1 + 0.5 * 2)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate = check_number(initial_learning_rate,
                                                  "initial_learning_rate", 0)
        self.decay_steps = check_number(decay_steps, "decay_steps", 0, closed="neither")
        self.decay_rate = check_number(decay_rate, "decay_rate", 0)
        self.staircase = check_bool(staircase, "staircase")
        self.name = name

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant learning rate on each interval between ``boundaries``.

    ``lr(step) = values[0]`` for ``step <= boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] < step <= boundaries[i]`` and ``values[-1]`` for
    ``step > boundaries[-1]``. As in Keras, a boundary step still belongs to the
    interval on its left.

    Args:
        boundaries: strictly increasing step numbers.
        values: learning rates, one more than ``boundaries``.
        name: default ``"PiecewiseConstant"``.

    Example:
        >>> schedule = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
        >>> schedule(10), schedule(11), schedule(21)
        (1.0, 0.5, 0.1)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "`values` must have one more element than `boundaries`. Received: "
                f"boundaries={boundaries} (length {len(boundaries)}), "
                f"values={values} (length {len(values)})")
        values = [check_number(v, f"values[{i}]", 0) for i, v in enumerate(values)]
        for i, b in enumerate(boundaries):
            check_number(b, f"boundaries[{i}]")
        if any(a >= b for a, b in zip(boundaries, boundaries[1:])):
            raise ValueError("`boundaries` must be strictly increasing. "
                             f"Received: boundaries={boundaries}")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        # bisect_left counts the boundaries strictly below `step`, which is the
        # index of its interval under the "boundary belongs to the left" rule.
        return self.values[bisect.bisect_left(self.boundaries, step)]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then half a cosine down to ``alpha`` times the peak.

    Without ``warmup_target`` the peak is ``initial_learning_rate`` and, with
    ``s = min(step, decay_steps)``,
    ``lr(step) = peak * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)``.

    With ``warmup_target`` the rate first rises linearly,
    ``lr(step) = initial_learning_rate + (warmup_target - initial_learning_rate) * step / warmup_steps``
    for ``step < warmup_steps``, and then decays as above from the peak
    ``warmup_target``, with ``s = min(step - warmup_steps, decay_steps)``.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: positive number of steps of the cosine part.
        alpha: final learning rate as a fraction of the peak, in [0, 1]; default 0.0.
        name: default ``"CosineDecay"``.
        warmup_target: peak learning rate after warmup; default None (no warmup).
        warmup_steps: non-negative number of warmup steps; default 0. Ignored
            when ``warmup_target`` is None, as in Keras.

    Example:
        >>> schedule = CosineDecay(0.0, decay_steps=10, warmup_target=0.1, warmup_steps=5)
        >>> schedule(0), schedule(5), round(schedule(10), 6), schedule(15)
        (0.0, 0.1, 0.05, 0.0)
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = check_number(initial_learning_rate,
                                                  "initial_learning_rate", 0)
        self.decay_steps = check_number(decay_steps, "decay_steps", 0, closed="neither")
        self.alpha = check_number(alpha, "alpha", 0, 1)
        self.name = name
        self.warmup_target = check_number(warmup_target, "warmup_target", 0, allow=[None])
        self.warmup_steps = check_number(warmup_steps, "warmup_steps", 0)

    def __call__(self, step):
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return (self.warmup_target - self.initial_learning_rate) * fraction \
                + self.initial_learning_rate
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def _decay(self, step, peak):
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return peak * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


ALL_SCHEDULES = {
    "exponential_decay": ExponentialDecay,
    "inverse_time_decay": InverseTimeDecay,
    "piecewise_constant_decay": PiecewiseConstantDecay,
    "cosine_decay": CosineDecay,
}


def deserialize(config):
    """Rebuild a schedule from :func:`serialize`'s output (or return a schedule unchanged)."""
    if isinstance(config, str):
        raise TypeError("`learning_rate` schedules need arguments: pass a "
                        f"LearningRateSchedule instance or a config dict. Received: {config!r}")
    return resolve(config, ALL_SCHEDULES, LearningRateSchedule, "learning_rate")

