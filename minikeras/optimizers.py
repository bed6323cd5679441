"""Optimizers: Keras 3's update rules, applied in place to each Variable.

The base class owns everything the rules share: the iteration count, the
learning rate (a float or a schedule from :mod:`minikeras.schedules`, evaluated
at the current iteration), gradient clipping, decoupled weight decay and the
per-variable state ("slots", keyed by the Variable object). A subclass writes
``update_step``, and ``build`` when it has slots: it creates them there in
Keras's order, which is the order :meth:`Optimizer.get_state` lists them in.

One call of ``apply(variables)`` is one training step, in Keras's order:

1. clip the gradients (``clipnorm`` per variable, ``global_clipnorm`` over all,
   or ``clipvalue`` elementwise; at most one of the three);
2. decay the weights: ``w <- w - lr * weight_decay * w`` (when set), with the
   learning rate of this step;
3. ``update_step(g, variable, lr)`` for each trainable variable;
4. ``w <- constraint(w)`` for each variable that has a constraint (Keras
   applies ``variable.constraint`` right after the update too);
5. ``iterations += 1``.

Notation in the docstrings: ``w`` weight, ``g`` its gradient, ``t`` the step
number counted from 1 (``iterations + 1``), ``lr`` the learning rate of the step.

The update rules run once per weight per batch, so they write into the state
arrays in place and do their arithmetic in a buffer (reused from step to step
inside ``fit``, see :mod:`minikeras.utils.buffers`) instead of allocating a
temporary for every ``+`` and ``*``. Each line carries the formula
it computes.
"""
import math
from abc import ABC, abstractmethod

import numpy as np

from . import schedules
from .utils import buffers
from .utils.registry import resolve
from .utils.validation import check_bool, check_name, check_number


class Optimizer(ABC):
    """Base class for optimizers.

    Args:
        learning_rate: a non-negative finite float (0 is allowed, as in Keras:
            it freezes the weights), a ``LearningRateSchedule`` or any
            zero-argument callable; a schedule is evaluated at ``iterations``,
            a plain callable is called with no argument, as in Keras.
        weight_decay: non-negative decoupled weight decay factor, or None (default).
        clipnorm: clip each gradient to this L2 norm; default None.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``;
            default None.
        global_clipnorm: clip all gradients together to this global L2 norm;
            default None.
        name: display name; default the lower-case class name.
        **kwargs: Keras's arguments for features minikeras does not have
            (``use_ema``, ``loss_scale_factor``, ``gradient_accumulation_steps``,
            ...), accepted at the values that leave them off and refused,
            naming them, otherwise.

    A clipping threshold of 0 means "no clipping", as in Keras. Clipping
    rescales ``variable.grad`` in place: the gradient belongs to this step.
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        if kwargs:  # imported only then: serialization imports this module
            from .utils.serialization import check_keras_arguments
            check_keras_arguments(type(self), kwargs, "optimizer")
        set_clips = [k for k, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                    ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(set_clips) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: {', '.join(set_clips)}")
        if isinstance(learning_rate, dict):
            learning_rate = schedules.deserialize(learning_rate)
        self._learning_rate = _check_learning_rate(learning_rate)
        self.weight_decay = check_number(weight_decay, "weight_decay", 0, allow=[None])
        self.clipnorm = check_number(clipnorm, "clipnorm", 0, allow=[None])
        self.clipvalue = check_number(clipvalue, "clipvalue", 0, allow=[None])
        self.global_clipnorm = check_number(global_clipnorm, "global_clipnorm", 0, allow=[None])
        self.name = check_name(name) or type(self).__name__.lower()
        self.iterations = 0
        self.built = False
        self._slots = {}
        # The Variable objects themselves, not their id()s: a copied or unpickled
        # optimizer then still excludes the copied variables.
        self._no_decay_variables = set()
        self._no_decay_names = ()

    @property
    def learning_rate(self):
        """The learning rate for the current iteration (schedules are evaluated here).

        A :class:`LearningRate`: a float that also has ``.numpy()`` and
        ``.assign(value)``, as the variable Keras returns here.
        """
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            value = self._learning_rate(self.iterations)
        elif callable(self._learning_rate):
            value = self._learning_rate()
        else:
            value = self._learning_rate
        return LearningRate(value, self)

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            # As Keras: overwriting would silently throw the schedule away.
            raise TypeError("This optimizer was created with a LearningRateSchedule, so its "
                            "`learning_rate` cannot be set. Create the optimizer with a float "
                            "learning rate to change it during training.")
        self._learning_rate = _check_learning_rate(value)

    def build(self, variables):
        """Create the per-variable state for ``variables`` (``apply`` calls it on its first step).

        Subclasses with slots override it, create each slot with :meth:`slot` in
        Keras's order, then call ``super().build(variables)``.
        """
        self.built = True

    def slot(self, variable, name, initial=0.0, shape=None, dtype=None):
        """Per-variable state array, created on first use as `initial`: the variable's
        shape and dtype unless ``shape`` or ``dtype`` is given (Adafactor's averages)."""
        key = (variable, name)
        array = self._slots.get(key)
        if array is None:
            array = self._slots[key] = np.full(variable.shape if shape is None else shape,
                                               initial, dtype or variable.dtype)
        return array

    def get_state(self):
        """The optimizer's state, as copies, in the order of Keras's ``optimizer.variables``.

        ``[iterations, learning_rate, *slots, *extras]``: the learning rate only
        when it is a number (a schedule is configuration, not state), the slots
        in the order ``build`` created them, then whatever a subclass keeps
        besides (Nadam's momentum product). The counterpart of Keras's
        ``save_own_variables``.
        """
        state = [np.array(self.iterations, np.int64)]
        if _is_number(self._learning_rate):
            state.append(np.array(self._learning_rate, np.float64))
        return state + [slot.copy() for slot in self._slots.values()]

    def set_state(self, state, variables):
        """Restore what :meth:`get_state` returned, for the model's trainable ``variables``.

        An optimizer that has slots in ``state`` is built for ``variables`` first,
        so that the slots line up with them as they did when the state was taken.

        Raises:
            ValueError: if the number or the shapes of the arrays do not match.
        """
        state = [np.asarray(a) for a in state]
        scalars = 1 + _is_number(self._learning_rate)
        if len(state) > scalars and not self.built:
            self.build(variables)
        slots = list(self._slots)
        if len(state) != scalars + len(slots):
            raise ValueError(f"Optimizer {self.name!r} keeps {scalars + len(slots)} state arrays "
                             f"for these variables. Received {len(state)}.")
        for (variable, name), value in zip(slots, state[scalars:]):
            shape = self._slots[variable, name].shape
            if value.shape != shape:
                raise ValueError(f"Optimizer slot {name!r} of weight {variable.name!r} has shape "
                                 f"{shape}. Received an array of shape {value.shape}.")
        self.iterations = int(state[0])
        if scalars == 2:
            self.learning_rate = float(state[1])
        for key, value in zip(slots, state[scalars:]):
            self._slots[key] = value.astype(self._slots[key].dtype)

    def _buffer(self, like, index=0):
        """A temporary shaped like `like`, reused from step to step inside ``fit``."""
        return buffers.buffer((self, like.shape, index), like.shape, like.dtype)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt variables from weight decay: these objects, or any whose name contains one of `var_names`.

        Example: ``opt.exclude_from_weight_decay(var_names=["bias"])``.
        """
        self._no_decay_variables = set(var_list or ())
        self._no_decay_names = tuple(var_names or ())

    def _use_weight_decay(self, variable):
        return variable not in self._no_decay_variables and not any(
            n in variable.name for n in self._no_decay_names)

    def apply(self, variables):
        """Take one step on every trainable variable, using ``variable.grad``."""
        variables = [v for v in variables if v.trainable]
        if not self.built:
            self.build(variables)
        self._clip([v.grad for v in variables])
        lr = self.learning_rate
        if self.weight_decay:
            for v in variables:
                if self._use_weight_decay(v):
                    v.value *= 1.0 - lr * self.weight_decay  # = w - lr * wd * w
        self._before_step()
        for v in variables:
            self.update_step(v.grad, v, lr)
        for v in variables:
            if v.constraint is not None:
                _project(v)
        self.iterations += 1

    def _before_step(self):
        """Hook for state shared by all variables of one step (Nadam's momentum product)."""

    @abstractmethod
    def update_step(self, grad, variable, lr):
        """Update ``variable.value`` in place from its (clipped) gradient."""

    def _clip(self, grads):
        # As in Keras, a threshold of 0 disables clipping instead of zeroing the gradients.
        if self.clipnorm:
            for g in grads:
                _scale_to_norm([g], self.clipnorm)
        elif self.global_clipnorm:
            _scale_to_norm(grads, self.global_clipnorm)
        elif self.clipvalue:
            for g in grads:
                np.clip(g, -self.clipvalue, self.clipvalue, out=g)

    def get_config(self):
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": schedules.serialize(lr) if hasattr(lr, "get_config") else lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _scale_to_norm(grads, max_norm):
    """Scale `grads` in place by ``max_norm / max(norm, max_norm)``, ``norm`` their joint L2 norm.

    The squares are summed in float64 so that a float32 gradient of 1e20 does
    not overflow. A non-finite norm makes every gradient NaN, as in Keras: the
    step is poisoned visibly rather than silently skipped.
    """
    norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads))
    if not math.isfinite(norm):
        for g in grads:
            g.fill(np.nan)
    elif norm > max_norm:
        for g in grads:
            g *= max_norm / norm


def _project(variable):
    """``w <- constraint(w)``, in place (the array stays the weight), its shape checked."""
    projected = np.asarray(variable.constraint(variable.value))
    if projected.shape != variable.shape:
        raise ValueError(f"The constraint {variable.constraint!r:.100} of weight "
                         f"{variable.name!r} must return an array of its shape {variable.shape}. "
                         f"Received an array of shape {projected.shape}.")
    variable.value[...] = projected


def _is_number(value):
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def _check_learning_rate(value):
    """A schedule or callable as it is, else a non-negative finite float.

    Keras accepts 0.0 (and, unchecked, negative, NaN and inf rates); 0 is kept
    because freezing the weights is a legitimate experiment, the rest refused.
    A one-number array (``learning_rate.numpy()`` scaled, a Keras variable) is
    taken as its number, as Keras's ``assign`` takes it.
    """
    if callable(value):
        return value
    if hasattr(value, "__array__") and np.ndim(value) == 0:
        value = np.asarray(value).item()
    return check_number(value, "learning_rate", 0)


class LearningRate(float):
    """``optimizer.learning_rate``: the rate of the current step, a float with Keras's
    variable methods.

    Keras returns a variable there, so Keras scripts write
    ``optimizer.learning_rate.numpy()`` and ``optimizer.learning_rate.assign(0.01)``;
    both work here. Otherwise it is a float: arithmetic on it gives floats, and
    a copy or a pickle of it is a plain float.

    Example:
        >>> rate = SGD(learning_rate=0.5).learning_rate
        >>> rate * 2, rate.numpy()
        (1.0, array(0.5))
    """

    __slots__ = ("_optimizer",)

    def __new__(cls, value, optimizer=None):
        rate = super().__new__(cls, value)
        rate._optimizer = optimizer
        return rate

    def numpy(self):
        """The rate as a 0-d numpy array, as Keras's ``Variable.numpy()``."""
        return np.array(float(self))

    def assign(self, value):
        """Set the optimizer's learning rate to ``value`` (``optimizer.learning_rate = value``)."""
        if self._optimizer is None:
            raise ValueError("This learning rate is a copy, not attached to an optimizer; set "
                             "`optimizer.learning_rate = value` instead.")
        self._optimizer.learning_rate = value

    def __reduce__(self):
        return float, (float(self),)


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum, as in Keras 3.

    Without momentum: ``w <- w - lr * g``. With momentum ``mu``, the velocity
    ``m`` (zero at start) follows ``m <- mu * m - lr * g`` and then
    ``w <- w + m`` or, with Nesterov, ``w <- w + mu * m - lr * g``.

    PyTorch keeps ``b <- mu * b + g`` and steps ``w <- w - lr * b``: the same
    trajectory while ``lr`` is constant, but Keras's velocity remembers past
    learning rates, so the two differ under a schedule.

    Args:
        learning_rate: default 0.01.
        momentum: in [0, 1]; default 0.0.
        nesterov: default False.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([1.0]), "w"); w.grad[:] = 0.5
        >>> SGD(learning_rate=0.1).apply([w]); w.value   # 1 - 0.1 * 0.5
        array([0.95])
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = check_number(momentum, "momentum", 0, 1)
        self.nesterov = check_bool(nesterov, "nesterov")

    def build(self, variables):
        if self.momentum != 0:
            for variable in variables:
                self.slot(variable, "momentum")
        super().build(variables)

    def update_step(self, grad, variable, lr):
        w = variable.value
        step = np.multiply(grad, lr, out=self._buffer(w))    # lr * g
        if self.momentum == 0:
            w -= step                                          # w - lr * g
            return
        m = self.slot(variable, "momentum")
        m *= self.momentum
        m -= step                                              # m = mu * m - lr * g
        if self.nesterov:
            w -= step
            w += np.multiply(m, self.momentum, out=step)       # w + mu * m - lr * g
        else:
            w += m

    def get_config(self):
        return super().get_config() | {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: steps scaled by running estimates of the gradient's mean and mean square.

    With ``m``, ``v`` zero at start and ``t = iterations + 1``::

        m <- m + (1 - beta_1) * (g - m)
        v <- v + (1 - beta_2) * (g**2 - v)
        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w <- w - alpha * m / (sqrt(v) + epsilon)

    ``epsilon`` is the paper's "epsilon hat": it is added to ``sqrt(v)``
    before the bias correction of ``v``. PyTorch adds it after:
    ``w - lr / (1 - beta_1**t) * m / (sqrt(v / (1 - beta_2**t)) + eps)``, so
    the two agree when PyTorch's ``eps`` equals
    ``epsilon / sqrt(1 - beta_2**t)`` at every step. With ``amsgrad`` the
    denominator uses ``v_hat <- max(v_hat, v)`` instead of ``v``.

    Args:
        learning_rate: default 0.001.
        beta_1: decay of the first-moment average, in [0, 1); default 0.9.
        beta_2: decay of the second-moment average, in [0, 1); default 0.999.
        epsilon: non-negative; default 1e-7.
        amsgrad: default False.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example (the first step moves each weight by about ``lr``, whatever the
    gradient's scale):
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([1.0]), "w"); w.grad[:] = 0.5
        >>> Adam(learning_rate=0.1).apply([w]); w.value
        array([0.90000063])
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number(beta_1, "beta_1", 0, 1, closed="left")
        self.beta_2 = check_number(beta_2, "beta_2", 0, 1, closed="left")
        self.epsilon = check_number(epsilon, "epsilon", 0)
        self.amsgrad = check_bool(amsgrad, "amsgrad")

    def build(self, variables):
        for variable in variables:  # Keras interleaves each weight's two moments
            self.slot(variable, "momentum")
            self.slot(variable, "velocity")
        if self.amsgrad:
            for variable in variables:
                self.slot(variable, "velocity_hat")
        super().build(variables)

    def update_step(self, grad, variable, lr):
        w = variable.value
        m, v = self.slot(variable, "momentum"), self.slot(variable, "velocity")
        t = self.iterations + 1
        alpha = lr * math.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        tmp = self._buffer(w)
        np.subtract(grad, m, out=tmp)
        tmp *= 1 - self.beta_1
        m += tmp                                        # m + (1 - beta_1) (g - m)
        np.square(grad, out=tmp)
        tmp -= v
        tmp *= 1 - self.beta_2
        v += tmp                                        # v + (1 - beta_2) (g^2 - v)
        if self.amsgrad:
            v_hat = self.slot(variable, "velocity_hat")
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= alpha
        w -= tmp                                        # w - alpha m / (sqrt(v) + eps)

    def get_config(self):
        return super().get_config() | {"beta_1": self.beta_1, "beta_2": self.beta_2,
                                       "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as in Keras 3.

    Each step first shrinks the weights, ``w <- w - lr * weight_decay * w``,
    then takes the :class:`Adam` step. This is PyTorch's ``AdamW`` rule too
    (with Adam's epsilon difference); only the default ``weight_decay``
    differs: 0.004 here and in Keras, 0.01 in PyTorch.

    Args:
        learning_rate: default 0.001.
        weight_decay: non-negative; default 0.004.
        beta_1, beta_2, epsilon, amsgrad: as :class:`Adam`.
        **kwargs: ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``name``.

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([1.0]), "w"); w.grad[:] = 0.5
        >>> AdamW(learning_rate=0.1, weight_decay=0.5).apply([w]); w.value  # 0.95 - 0.0999994
        array([0.85000063])
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        check_number(weight_decay, "weight_decay", 0)  # None, allowed in Adam, is not here
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad,
                         weight_decay=weight_decay, **kwargs)


class RMSprop(Optimizer):
    """RMSprop: divide each gradient by a running root mean square of its history.

    With ``v`` (and ``a``, ``m``) zero at start::

        v <- rho * v + (1 - rho) * g**2
        a <- rho * a + (1 - rho) * g                    (centered only)
        step = lr * g / sqrt(v - a**2 + epsilon)        (v + epsilon if not centered)
        m <- momentum * m + step;  w <- w - m           (w <- w - step if momentum == 0)

    Differences from PyTorch: Keras puts ``epsilon`` inside the square root
    (PyTorch: ``sqrt(v) + eps``), and Keras's momentum buffer holds
    ``lr * g / ...`` where PyTorch's holds ``g / ...`` and multiplies by ``lr``
    afterwards (equal while ``lr`` is constant). PyTorch calls ``rho`` ``alpha``.

    Args:
        learning_rate: default 0.001.
        rho: decay of the mean-square average, in [0, 1); default 0.9.
        momentum: in [0, 1]; default 0.0.
        epsilon: non-negative; default 1e-7.
        centered: subtract the squared running mean of ``g`` (a variance
            estimate); default False.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([10.0]), "w"); w.grad[:] = 10.0
        >>> RMSprop(learning_rate=0.1).apply([w]); w.value  # 10 - 0.1 * 10 / sqrt(10 + 1e-7)
        array([9.68377224])
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = check_number(rho, "rho", 0, 1, closed="left")
        self.momentum = check_number(momentum, "momentum", 0, 1)
        self.epsilon = check_number(epsilon, "epsilon", 0)
        self.centered = check_bool(centered, "centered")

    def build(self, variables):
        kinds = ["velocity"] + ["momentum"] * (self.momentum > 0) \
            + ["average_gradient"] * self.centered
        for kind in kinds:  # Keras groups the slots by kind
            for variable in variables:
                self.slot(variable, kind)
        super().build(variables)

    def update_step(self, grad, variable, lr):
        w = variable.value
        v = self.slot(variable, "velocity")
        tmp = self._buffer(w)
        v *= self.rho
        np.square(grad, out=tmp)
        tmp *= 1 - self.rho
        v += tmp                                        # rho v + (1 - rho) g^2
        if self.centered:
            a = self.slot(variable, "average_gradient")
            a *= self.rho
            np.multiply(grad, 1 - self.rho, out=tmp)
            a += tmp                                    # rho a + (1 - rho) g
            np.square(a, out=tmp)
            np.subtract(v, tmp, out=tmp)
            # v >= a^2 holds exactly (Cauchy-Schwarz); clamp the rounding error
            # so that a tiny epsilon cannot leave a negative under the sqrt.
            np.maximum(tmp, 0, out=tmp)
            tmp += self.epsilon                         # v - a^2 + eps
        else:
            np.add(v, self.epsilon, out=tmp)            # v + eps
        np.sqrt(tmp, out=tmp)
        np.divide(grad, tmp, out=tmp)
        tmp *= lr                                       # step = lr g / sqrt(...)
        if self.momentum > 0:
            m = self.slot(variable, "momentum")
            m *= self.momentum
            m += tmp
            w -= m
        else:
            w -= tmp

    def get_config(self):
        return super().get_config() | {"rho": self.rho, "momentum": self.momentum,
                                       "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """Adagrad: per-weight learning rates that shrink with the sum of past squared gradients.

    With the accumulator ``s`` starting at ``initial_accumulator_value``::

        s <- s + g**2
        w <- w - lr * g / sqrt(s + epsilon)

    PyTorch adds ``eps`` outside the square root (``sqrt(s) + eps``) and
    starts ``s`` at 0 by default.

    Args:
        learning_rate: default 0.001.
        initial_accumulator_value: non-negative; default 0.1.
        epsilon: non-negative; default 1e-7.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([1.0]), "w"); w.grad[:] = 0.3
        >>> Adagrad(learning_rate=0.1).apply([w]); w.value  # 1 - 0.1 * 0.3 / sqrt(0.19 + 1e-7)
        array([0.9311753])
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = check_number(initial_accumulator_value,
                                                      "initial_accumulator_value", 0)
        self.epsilon = check_number(epsilon, "epsilon", 0)

    def build(self, variables):
        for variable in variables:
            self.slot(variable, "accumulator", self.initial_accumulator_value)
        super().build(variables)

    def update_step(self, grad, variable, lr):
        w = variable.value
        s = self.slot(variable, "accumulator", self.initial_accumulator_value)
        tmp = self._buffer(w)
        np.square(grad, out=tmp)
        s += tmp                                        # s + g^2
        np.add(s, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.divide(grad, tmp, out=tmp)
        tmp *= lr
        w -= tmp                                        # w - lr g / sqrt(s + eps)

    def get_config(self):
        return super().get_config() | {
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum (Dozat, 2015), as in Keras 3.

    The momentum coefficient warms up over the first few hundred steps,
    ``u_t = beta_1 * (1 - 0.5 * 0.96**t)``, and ``P_t = u_1 * ... * u_t`` is
    kept across steps. With ``m``, ``v`` zero at start::

        m <- m + (1 - beta_1) * (g - m)
        v <- v + (1 - beta_2) * (g**2 - v)
        m_hat = u_{t+1} * m / (1 - P_t * u_{t+1}) + (1 - u_t) * g / (1 - P_t)
        v_hat = v / (1 - beta_2**t)
        w <- w - lr * m_hat / (sqrt(v_hat) + epsilon)

    Unlike Adam, ``epsilon`` sits after the bias correction here, exactly as
    in PyTorch's ``NAdam``. PyTorch's schedule is
    ``0.96**(t * momentum_decay)`` with ``momentum_decay=0.004`` by default;
    ``momentum_decay=1.0`` gives Keras's.

    Args:
        learning_rate: default 0.001.
        beta_1: in [0, 1); default 0.9.
        beta_2: in [0, 1); default 0.999.
        epsilon: non-negative; default 1e-7.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([1.0]), "w"); w.grad[:] = 0.5
        >>> Nadam(learning_rate=0.1).apply([w]); w.value
        array([0.89372124])
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number(beta_1, "beta_1", 0, 1, closed="left")
        self.beta_2 = check_number(beta_2, "beta_2", 0, 1, closed="left")
        self.epsilon = check_number(epsilon, "epsilon", 0)
        self._u_product = 1.0  # P_t, shared by all variables

    def build(self, variables):
        for variable in variables:
            self.slot(variable, "momentum")
            self.slot(variable, "velocity")
        super().build(variables)

    def get_state(self):
        return super().get_state() + [np.array(self._u_product, np.float64)]

    def set_state(self, state, variables):
        *state, u_product = state
        super().set_state(state, variables)
        self._u_product = float(u_product)

    def _u(self, t):
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** t)

    def _before_step(self):
        self._u_product *= self._u(self.iterations + 1)

    def update_step(self, grad, variable, lr):
        w = variable.value
        m, v = self.slot(variable, "momentum"), self.slot(variable, "velocity")
        t = self.iterations + 1
        u_t, u_next = self._u(t), self._u(t + 1)
        tmp, denom = self._buffer(w), self._buffer(w, 1)
        np.subtract(grad, m, out=tmp)
        tmp *= 1 - self.beta_1
        m += tmp                                        # m + (1 - beta_1) (g - m)
        np.square(grad, out=tmp)
        tmp -= v
        tmp *= 1 - self.beta_2
        v += tmp                                        # v + (1 - beta_2) (g^2 - v)
        np.divide(v, 1 - self.beta_2 ** t, out=denom)
        np.sqrt(denom, out=denom)
        denom += self.epsilon                           # sqrt(v_hat) + eps
        # m_hat / denom, one term at a time so no third buffer is needed.
        np.divide(m, denom, out=tmp)
        tmp *= lr * u_next / (1 - self._u_product * u_next)
        w -= tmp
        np.divide(grad, denom, out=tmp)
        tmp *= lr * (1 - u_t) / (1 - self._u_product)
        w -= tmp

    def get_config(self):
        return super().get_config() | {"beta_1": self.beta_1, "beta_2": self.beta_2,
                                       "epsilon": self.epsilon}


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm, ``max(beta_2 * u, |g|)``, in place of ``sqrt(v)``.

    With ``m``, ``u`` zero at start and ``t = iterations + 1``::

        m <- m + (1 - beta_1) * (g - m)
        u <- max(beta_2 * u, |g|)
        w <- w - lr * m / ((1 - beta_1**t) * (u + epsilon))

    ``u`` needs no bias correction: a maximum is not pulled towards its zero
    start as an average is. PyTorch's ``Adamax`` adds ``eps`` inside the
    maximum, ``max(beta_2 * u, |g| + eps)``; the two agree with ``epsilon = 0``.

    Args:
        learning_rate: default 0.001.
        beta_1: decay of the first-moment average, in [0, 1); default 0.9.
        beta_2: decay of the infinity norm, in [0, 1); default 0.999.
        epsilon: non-negative; default 1e-7.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([1.0]), "w"); w.grad[:] = 0.5
        >>> Adamax(learning_rate=0.1).apply([w]); w.value   # 1 - 0.1 * 0.05 / (0.1 * 0.5)
        array([0.90000002])
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number(beta_1, "beta_1", 0, 1, closed="left")
        self.beta_2 = check_number(beta_2, "beta_2", 0, 1, closed="left")
        self.epsilon = check_number(epsilon, "epsilon", 0)

    def build(self, variables):
        for variable in variables:  # interleaved, as Keras creates them
            self.slot(variable, "momentum")
            self.slot(variable, "norm")
        super().build(variables)

    def update_step(self, grad, variable, lr):
        w = variable.value
        m, u = self.slot(variable, "momentum"), self.slot(variable, "norm")
        t = self.iterations + 1
        tmp = self._buffer(w)
        np.subtract(grad, m, out=tmp)
        tmp *= 1 - self.beta_1
        m += tmp                                        # m + (1 - beta_1) (g - m)
        u *= self.beta_2
        np.maximum(u, np.abs(grad, out=tmp), out=u)     # max(beta_2 u, |g|)
        np.add(u, self.epsilon, out=tmp)
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1 - self.beta_1 ** t)
        w -= tmp                                        # w - lr m / ((1 - beta_1^t)(u + eps))

    def get_config(self):
        return super().get_config() | {"beta_1": self.beta_1, "beta_2": self.beta_2,
                                       "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta: steps whose size is the running RMS of past steps over that of the gradients.

    With ``a`` (gradients) and ``d`` (steps) zero at start and
    ``rms(x) = sqrt(x + epsilon)``::

        a <- rho * a + (1 - rho) * g**2
        step = -rms(d) / rms(a) * g
        d <- rho * d + (1 - rho) * step**2
        w <- w + lr * step

    Zeiler's method has no learning rate (``lr = 1``, PyTorch's default); Keras's
    default is 0.001. PyTorch's ``Adadelta`` is the same rule.

    Args:
        learning_rate: default 0.001.
        rho: decay of both averages, in [0, 1); default 0.95.
        epsilon: non-negative (positive in practice: the first step is
            ``sqrt(epsilon)``-sized); default 1e-7.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([1.0]), "w"); w.grad[:] = 0.5
        >>> Adadelta(learning_rate=1.0, epsilon=1e-6).apply([w]); w.value  # 1 - 0.001 * 0.5 / 0.1118
        array([0.99552804])
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = check_number(rho, "rho", 0, 1, closed="left")
        self.epsilon = check_number(epsilon, "epsilon", 0)

    def build(self, variables):
        for variable in variables:
            self.slot(variable, "accumulated_grad")
            self.slot(variable, "accumulated_delta_var")
        super().build(variables)

    def update_step(self, grad, variable, lr):
        w = variable.value
        a = self.slot(variable, "accumulated_grad")
        d = self.slot(variable, "accumulated_delta_var")
        step, tmp = self._buffer(w), self._buffer(w, 1)
        a *= self.rho
        np.square(grad, out=tmp)
        tmp *= 1 - self.rho
        a += tmp                                        # rho a + (1 - rho) g^2
        np.add(d, self.epsilon, out=step)
        np.sqrt(step, out=step)
        step *= grad
        np.add(a, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        step /= tmp                                     # -step = rms(d) g / rms(a)
        d *= self.rho
        np.square(step, out=tmp)
        tmp *= 1 - self.rho
        d += tmp                                        # rho d + (1 - rho) step^2
        step *= lr
        w -= step                                       # w + lr step

    def get_config(self):
        return super().get_config() | {"rho": self.rho, "epsilon": self.epsilon}


class Lion(Optimizer):
    """Lion (Chen et al., 2023): steps of fixed size ``lr`` along the sign of a momentum.

    With ``m`` zero at start::

        w <- w - lr * sign(beta_1 * m + (1 - beta_1) * g)
        m <- beta_2 * m + (1 - beta_2) * g

    Every coordinate moves by exactly ``lr`` (or 0), so Lion wants a learning
    rate 3-10 times smaller than Adam's.

    Args:
        learning_rate: default 0.001.
        beta_1: weight of the momentum in the step's direction, in (0, 1]; default 0.9.
        beta_2: decay of the momentum, in [0, 1]; default 0.99.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([1.0, 1.0]), "w"); w.grad[:] = [0.5, -2.0]
        >>> Lion(learning_rate=0.1).apply([w]); w.value
        array([0.9, 1.1])
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number(beta_1, "beta_1", 0, 1, closed="right")
        self.beta_2 = check_number(beta_2, "beta_2", 0, 1)

    def build(self, variables):
        for variable in variables:
            self.slot(variable, "momentum")
        super().build(variables)

    def update_step(self, grad, variable, lr):
        w = variable.value
        m = self.slot(variable, "momentum")
        tmp = self._buffer(w)
        np.multiply(grad, 1 - self.beta_1, out=tmp)
        tmp += self.beta_1 * m
        np.sign(tmp, out=tmp)
        tmp *= lr
        w -= tmp                                        # w - lr sign(beta_1 m + (1 - beta_1) g)
        m *= self.beta_2
        np.multiply(grad, 1 - self.beta_2, out=tmp)
        m += tmp                                        # beta_2 m + (1 - beta_2) g

    def get_config(self):
        return super().get_config() | {"beta_1": self.beta_1, "beta_2": self.beta_2}


class Lamb(Optimizer):
    """LAMB (You et al., 2019): Adam's direction, rescaled per weight by a trust ratio.

    With ``m``, ``v`` zero at start and ``t = iterations + 1``::

        m <- m + (1 - beta_1) * (g - m)
        v <- v + (1 - beta_2) * (g**2 - v)
        r = (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon)
        w <- w - lr * (|w| / |r|) * r

    ``|.|`` is the L2 norm of the whole weight array; the trust ratio
    ``|w| / |r|`` is 1 when either norm is 0. Each layer thus moves by about
    ``lr`` times its own size, which lets large batches train with large rates.

    Args:
        learning_rate: default 0.001.
        beta_1: in [0, 1); default 0.9.
        beta_2: in [0, 1); default 0.999.
        epsilon: non-negative; default 1e-7.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example (the step's norm is ``lr`` times the weight's norm):
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([3.0, 4.0]), "w"); w.grad[:] = [1.0, 1.0]
        >>> Lamb(learning_rate=0.1).apply([w]); w.value
        array([2.64644661, 3.64644661])
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number(beta_1, "beta_1", 0, 1, closed="left")
        self.beta_2 = check_number(beta_2, "beta_2", 0, 1, closed="left")
        self.epsilon = check_number(epsilon, "epsilon", 0)

    def build(self, variables):
        for variable in variables:
            self.slot(variable, "momentum")
            self.slot(variable, "velocity")
        super().build(variables)

    def update_step(self, grad, variable, lr):
        w = variable.value
        m, v = self.slot(variable, "momentum"), self.slot(variable, "velocity")
        t = self.iterations + 1
        r, tmp = self._buffer(w), self._buffer(w, 1)
        np.subtract(grad, m, out=tmp)
        tmp *= 1 - self.beta_1
        m += tmp                                        # m + (1 - beta_1) (g - m)
        np.square(grad, out=tmp)
        tmp -= v
        tmp *= 1 - self.beta_2
        v += tmp                                        # v + (1 - beta_2) (g^2 - v)
        np.divide(v, 1 - self.beta_2 ** t, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += self.epsilon
        np.divide(m, 1 - self.beta_1 ** t, out=r)
        r /= tmp                                        # r = m_hat / (sqrt(v_hat) + eps)
        w_norm, r_norm = np.linalg.norm(w), np.linalg.norm(r)
        ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else 1.0
        r *= lr * ratio
        w -= r                                          # w - lr (|w| / |r|) r

    def get_config(self):
        return super().get_config() | {"beta_1": self.beta_1, "beta_2": self.beta_2,
                                       "epsilon": self.epsilon}


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), the online learner of large sparse linear models.

    With ``p = -learning_rate_power`` (1/2 by default), the accumulator ``n``
    starting at ``initial_accumulator_value``, the linear term ``z`` at 0,
    ``l1``, ``l2``, ``l2s`` the three regularization strengths and
    ``l2' = l2 + beta / (2 lr)``::

        n_new = n + g**2
        z <- z + (g + 2 l2s w) - (n_new**p - n**p) / lr * w
        w <- (clip(z, -l1, l1) - z) / (n_new**p / lr + 2 l2')
        n <- n_new

    The weights are recomputed from ``z`` at each step rather than nudged, and
    the L1 term sets every weight with ``|z| <= l1`` to exactly zero.

    Args:
        learning_rate: positive; default 0.001.
        learning_rate_power: at most 0; default -0.5.
        initial_accumulator_value: non-negative; default 0.1.
        l1_regularization_strength, l2_regularization_strength,
        l2_shrinkage_regularization_strength: non-negative; default 0.0.
        beta: default 0.0.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([0.0]), "w"); w.grad[:] = 0.5   # z = 0.5, n = 0.35
        >>> Ftrl(learning_rate=0.1).apply([w]); w.value        # -0.5 / (sqrt(0.35) / 0.1)
        array([-0.08451543])
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.learning_rate_power = check_number(learning_rate_power, "learning_rate_power",
                                                None, 0)
        self.initial_accumulator_value = check_number(initial_accumulator_value,
                                                      "initial_accumulator_value", 0)
        self.l1_regularization_strength = check_number(
            l1_regularization_strength, "l1_regularization_strength", 0)
        self.l2_regularization_strength = check_number(
            l2_regularization_strength, "l2_regularization_strength", 0)
        self.l2_shrinkage_regularization_strength = check_number(
            l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength", 0)
        self.beta = check_number(beta, "beta")

    def build(self, variables):
        for variable in variables:
            self.slot(variable, "accumulator", self.initial_accumulator_value)
            self.slot(variable, "linear")
        super().build(variables)

    def update_step(self, grad, variable, lr):
        if lr <= 0:
            raise ValueError(f"Ftrl divides by the learning rate, which must be positive. "
                             f"Received: learning_rate={lr}")
        w = variable.value
        n = self.slot(variable, "accumulator", self.initial_accumulator_value)
        z = self.slot(variable, "linear")
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        n_new, tmp = self._buffer(w), self._buffer(w, 1)
        np.square(grad, out=n_new)
        n_new += n                                      # n + g^2
        z += grad
        z += (2 * self.l2_shrinkage_regularization_strength) * w
        np.power(n_new, power, out=tmp)
        tmp -= np.power(n, power, out=n)                # n is replaced below
        tmp *= w
        tmp /= lr
        z -= tmp                                        # z + g' - (n_new^p - n^p) / lr w
        np.power(n_new, power, out=tmp)
        tmp /= lr
        tmp += 2 * l2                                   # n_new^p / lr + 2 l2'
        np.clip(z, -l1, l1, out=w)
        w -= z
        w /= tmp                                        # (clip(z, -l1, l1) - z) / ...
        n[...] = n_new

    def get_config(self):
        return super().get_config() | {
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta}


class Adafactor(Optimizer):
    """Adafactor (Shazeer and Stern, 2018): Adam's second moment at the memory cost of its sums.

    For a weight of two or more axes, the average of the squared gradients is
    kept only by rows ``r`` (the mean over the last axis) and by columns ``c``
    (the mean over the next-to-last axis); their product, scaled by the mean
    of ``r``, stands in for the whole matrix. Smaller weights keep ``v`` whole.
    With ``t = iterations + 1``, ``rms(a) = sqrt(mean(a**2))`` and
    ``q = g**2 + epsilon_1``::

        beta  = 1 - t**beta_2_decay                 (0 at t = 1: the first step sees q alone)
        r <- beta * r + (1 - beta) * mean(q, axis=-1)
        c <- beta * c + (1 - beta) * mean(q, axis=-2)
        v  = r[..., None] * c[..., None, :] / mean(r, axis=-1)[..., None, None]
             (v <- beta * v + (1 - beta) * q  for a weight of fewer than two axes)
        u  = g / sqrt(v)
        u  = u / max(1, rms(u) / clip_threshold)
        w <- w - min(lr, 1 / sqrt(t)) * max(epsilon_2, rms(w)) * u

    The step is relative to the weight's own size (``rms(w)``) and never larger
    than ``1 / sqrt(t)``. Keras 3 caps the learning rate so whatever
    ``relative_step`` says; minikeras does the same, and keeps the argument
    for Keras's configurations.

    Args:
        learning_rate: default 0.001.
        beta_2_decay: the exponent of the decay schedule, negative; default -0.8.
        epsilon_1: added to the squared gradients, non-negative; default 1e-30.
        epsilon_2: the smallest weight size a step scales with; default 1e-3.
        clip_threshold: the largest ``rms(u)`` before ``u`` is scaled down,
            positive; default 1.0.
        relative_step: kept for Keras's configurations (see above); default True.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name`` (see :class:`Optimizer`).

    Example:
        >>> from minikeras.variable import Variable
        >>> w = Variable(np.array([2.0]), "w"); w.grad[:] = 0.5
        >>> Adafactor(learning_rate=0.1).apply([w]); w.value   # 2 - 0.1 * rms(w) * 1
        array([1.8])
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_2_decay = check_number(beta_2_decay, "beta_2_decay", None, 0, closed="right")
        self.epsilon_1 = check_number(epsilon_1, "epsilon_1", 0)
        self.epsilon_2 = check_number(epsilon_2, "epsilon_2", 0)
        self.clip_threshold = check_number(clip_threshold, "clip_threshold", 0, closed="neither")
        self.relative_step = check_bool(relative_step, "relative_step")

    def build(self, variables):
        for variable in variables:  # in Keras's order
            if variable.value.ndim >= 2:
                self.slot(variable, "row_average", shape=variable.shape[:-1])
                self.slot(variable, "column_average",
                          shape=variable.shape[:-2] + variable.shape[-1:])
            else:  # unused: Keras keeps an integer 0 in their place
                self.slot(variable, "row_average", shape=(), dtype=np.int32)
                self.slot(variable, "column_average", shape=(), dtype=np.int32)
            self.slot(variable, "velocity")
        super().build(variables)

    def update_step(self, grad, variable, lr):
        w = variable.value
        t = self.iterations + 1
        beta = 1 - t ** self.beta_2_decay
        step = min(lr, 1 / np.sqrt(t)) * max(self.epsilon_2, _rms(w))
        q = self._buffer(w)
        np.square(grad, out=q)
        q += self.epsilon_1
        v = self.slot(variable, "velocity")
        if w.ndim >= 2:
            r = self.slot(variable, "row_average", shape=w.shape[:-1])
            c = self.slot(variable, "column_average", shape=w.shape[:-2] + w.shape[-1:])
            r[...] = beta * r + (1 - beta) * q.mean(axis=-1)
            c[...] = beta * c + (1 - beta) * q.mean(axis=-2)
            np.multiply((r / r.mean(axis=-1, keepdims=True))[..., None], c[..., None, :], out=v)
        else:
            v *= beta
            v += (1 - beta) * q
        u = np.divide(grad, np.sqrt(v, out=q), out=q)
        u *= step / max(1.0, _rms(u) / self.clip_threshold)
        w -= u

    def get_config(self):
        return super().get_config() | {
            "beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
            "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
            "relative_step": self.relative_step}


def _rms(a):
    """Root mean square of all the entries of ``a``."""
    return float(np.sqrt(np.mean(np.square(a))))


ALL_OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop,
                  "adagrad": Adagrad, "nadam": Nadam, "adamax": Adamax, "adadelta": Adadelta,
                  "lion": Lion, "lamb": Lamb, "ftrl": Ftrl, "adafactor": Adafactor}


def get(identifier):
    """The optimizer a Keras name (with its Keras defaults), a config dict, a class or an
    :class:`Optimizer` names; ``None`` gives None, as in Keras.

    The same look-up as every ``get`` (:func:`minikeras.utils.registry.resolve`).

    Example: ``get("adam")`` is ``Adam()``; ``get("RMSprop")`` also works.
    """
    return resolve(identifier, ALL_OPTIMIZERS, Optimizer, "optimizer")
