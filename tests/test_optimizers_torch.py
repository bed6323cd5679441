"""Optimizer trajectories against torch.optim in float64.

The same random start and the same sequence of random gradients go through a
minikeras optimizer and its PyTorch counterpart; the weights must agree after
every one of the steps to ~1e-10 relative. Where Keras and PyTorch differ
(epsilon placement), the PyTorch side is set up so that the two rules coincide
exactly, and a comment says how.
"""
import math

import numpy as np
import pytest

from minikeras import optimizers, schedules
from minikeras.variable import Variable

torch = pytest.importorskip("torch", reason="PyTorch oracle not installed: "
                                            "pip install -e '.[reference]'")

SHAPES = [(3,), (4, 5), (2, 3, 2)]


@pytest.fixture(autouse=True)
def torch_float64_state():
    # torch.optim keeps scalar state (step, NAdam's mu_product) in the default
    # dtype: float32 would cost 1e-8 of relative accuracy.
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(saved)
STEPS = 10


def run_both(ours, make_torch, before_torch_step=None, after_torch_step=None, steps=STEPS,
             grad_scale=1.0):
    """Step both optimizers on the same gradients; return the per-step weights of each."""
    rng = np.random.default_rng(0)
    start = [rng.normal(size=s) for s in SHAPES]
    grads = [[grad_scale * rng.normal(size=s) for s in SHAPES] for _ in range(steps)]
    variables = [Variable(x.copy(), f"w{i}") for i, x in enumerate(start)]
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in start]
    theirs = make_torch(params)
    ours_path, theirs_path = [], []
    for t, step_grads in enumerate(grads, start=1):
        for v, g in zip(variables, step_grads):
            v.grad[...] = g
        ours.apply(variables)
        for p, g in zip(params, step_grads):
            p.grad = torch.tensor(g, dtype=torch.float64)
        if before_torch_step:
            before_torch_step(theirs, params, t)
        theirs.step()
        if after_torch_step:
            after_torch_step(t)
        ours_path.append(np.concatenate([v.value.ravel() for v in variables]))
        theirs_path.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return np.array(ours_path), np.array(theirs_path)


def assert_same_path(ours_path, theirs_path):
    np.testing.assert_allclose(ours_path, theirs_path, rtol=1e-10, atol=1e-12)


def adam_epsilon_hat(epsilon, beta_2):
    """Keras's Adam with `epsilon` is PyTorch's Adam with eps = epsilon / sqrt(1 - beta_2**t).

    Keras: lr * sqrt(c2) / c1 * m / (sqrt(v) + epsilon), with c_i = 1 - beta_i**t.
    PyTorch: lr / c1 * m / (sqrt(v) / sqrt(c2) + eps) = lr * sqrt(c2) / c1 * m / (sqrt(v) + eps * sqrt(c2)).
    """
    def before(opt, params, t):
        for group in opt.param_groups:
            group["eps"] = epsilon / math.sqrt(1 - beta_2**t)
    return before


T = torch.optim
CASES = {
    "sgd": (lambda: optimizers.SGD(learning_rate=0.1),
            lambda p: T.SGD(p, lr=0.1), None),
    "sgd_momentum": (lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9),
                     lambda p: T.SGD(p, lr=0.05, momentum=0.9), None),
    "sgd_nesterov": (lambda: optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
                     lambda p: T.SGD(p, lr=0.05, momentum=0.9, nesterov=True), None),
    "sgd_nesterov_high_lr": (
        lambda: optimizers.SGD(learning_rate=3.0, momentum=0.99, nesterov=True),
        lambda p: T.SGD(p, lr=3.0, momentum=0.99, nesterov=True), None),
    "adam": (lambda: optimizers.Adam(learning_rate=0.01),
             lambda p: T.Adam(p, lr=0.01, betas=(0.9, 0.999)), adam_epsilon_hat(1e-7, 0.999)),
    # A large epsilon makes its placement matter at the 1e-2 level, not 1e-6.
    "adam_big_epsilon": (lambda: optimizers.Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99,
                                                 epsilon=0.1),
                         lambda p: T.Adam(p, lr=0.01, betas=(0.8, 0.99)),
                         adam_epsilon_hat(0.1, 0.99)),
    "adam_amsgrad": (lambda: optimizers.Adam(learning_rate=0.01, amsgrad=True, epsilon=1e-3),
                     lambda p: T.Adam(p, lr=0.01, amsgrad=True), adam_epsilon_hat(1e-3, 0.999)),
    "adamw": (lambda: optimizers.AdamW(learning_rate=0.01, weight_decay=0.1),
              lambda p: T.AdamW(p, lr=0.01, weight_decay=0.1), adam_epsilon_hat(1e-7, 0.999)),
    "adamw_amsgrad": (lambda: optimizers.AdamW(learning_rate=0.3, weight_decay=0.5,
                                               amsgrad=True),
                      lambda p: T.AdamW(p, lr=0.3, weight_decay=0.5, amsgrad=True),
                      adam_epsilon_hat(1e-7, 0.999)),
    # Keras's epsilon sits inside the sqrt, PyTorch's outside, and no constant maps
    # one onto the other: both are 0 here (these gradients are never 0).
    "rmsprop": (lambda: optimizers.RMSprop(learning_rate=0.01, epsilon=0.0),
                lambda p: T.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0), None),
    "rmsprop_momentum": (lambda: optimizers.RMSprop(learning_rate=0.01, rho=0.8, momentum=0.9,
                                                    epsilon=0.0),
                         lambda p: T.RMSprop(p, lr=0.01, alpha=0.8, momentum=0.9, eps=0.0),
                         None),
    "rmsprop_centered": (lambda: optimizers.RMSprop(learning_rate=0.01, centered=True,
                                                    epsilon=0.0),
                         lambda p: T.RMSprop(p, lr=0.01, alpha=0.9, centered=True, eps=0.0),
                         None),
    "rmsprop_centered_momentum": (
        lambda: optimizers.RMSprop(learning_rate=0.01, momentum=0.5, centered=True,
                                   epsilon=0.0),
        lambda p: T.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, centered=True, eps=0.0),
        None),
    # The accumulator starts at 0.1, so a 1e-12 epsilon inside or outside the sqrt
    # changes the step by < 1e-11 relative.
    "adagrad": (lambda: optimizers.Adagrad(learning_rate=0.1, epsilon=1e-12),
                lambda p: T.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, eps=1e-12), None),
    # PyTorch's momentum schedule is 0.96**(t * momentum_decay): 1.0 gives Keras's 0.96**t.
    # Epsilon sits after the bias correction in both, so Keras's default works as is.
    "nadam": (lambda: optimizers.Nadam(learning_rate=0.01),
              lambda p: T.NAdam(p, lr=0.01, eps=1e-7, momentum_decay=1.0), None),
    "nadam_weight_decay": (lambda: optimizers.Nadam(learning_rate=0.01, beta_1=0.8,
                                                    weight_decay=0.3, epsilon=0.01),
                           lambda p: T.NAdam(p, lr=0.01, betas=(0.8, 0.999), eps=0.01,
                                             momentum_decay=1.0, weight_decay=0.3,
                                             decoupled_weight_decay=True), None),
    # PyTorch adds eps inside the maximum, max(beta_2 u, |g| + eps); Keras adds epsilon
    # to the maximum. With both 0 the rules coincide (these gradients are never 0).
    "adamax": (lambda: optimizers.Adamax(learning_rate=0.01, epsilon=0.0),
               lambda p: T.Adamax(p, lr=0.01, eps=0.0), None),
    "adamax_betas": (lambda: optimizers.Adamax(learning_rate=0.05, beta_1=0.5, beta_2=0.8,
                                               epsilon=0.0),
                     lambda p: T.Adamax(p, lr=0.05, betas=(0.5, 0.8), eps=0.0), None),
    # The same rule on both sides, epsilon inside both square roots.
    "adadelta": (lambda: optimizers.Adadelta(learning_rate=1.0, rho=0.9, epsilon=1e-6),
                 lambda p: T.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6), None),
    "adadelta_keras_defaults": (lambda: optimizers.Adadelta(learning_rate=0.5),
                                lambda p: T.Adadelta(p, lr=0.5, rho=0.95, eps=1e-7), None),
}


@pytest.mark.parametrize("case", CASES)
def test_trajectory_matches_torch(case):
    make_ours, make_torch, before = CASES[case]
    assert_same_path(*run_both(make_ours(), make_torch, before))


def test_nadam_default_torch_schedule_differs():
    # Guard for the test above: with PyTorch's default momentum_decay the paths part.
    ours, theirs = run_both(optimizers.Nadam(learning_rate=0.01),
                            lambda p: T.NAdam(p, lr=0.01, eps=1e-7))
    assert np.max(np.abs(ours - theirs)) > 1e-4


def test_adam_without_epsilon_hat_mapping_differs():
    # Guard: the same eps on both sides is not the same rule once epsilon matters.
    ours, theirs = run_both(optimizers.Adam(learning_rate=0.01, epsilon=0.1),
                            lambda p: T.Adam(p, lr=0.01, eps=0.1))
    assert np.max(np.abs(ours - theirs)) > 1e-4


# --- clipping -------------------------------------------------------------------

def torch_clip_norm(max_norm, per_parameter):
    """PyTorch's clip_grad_norm_ scales by max_norm / (norm + 1e-6); Keras by max_norm / norm.

    Passing max_norm * (norm + 1e-6) / norm cancels that 1e-6 exactly.
    """
    def before(opt, params, t):
        groups = [[p] for p in params] if per_parameter else [params]
        for group in groups:
            norm = torch.linalg.vector_norm(
                torch.stack([torch.linalg.vector_norm(p.grad) for p in group])).item()
            torch.nn.utils.clip_grad_norm_(group, max_norm * (norm + 1e-6) / norm)
    return before


@pytest.mark.parametrize("clip, before", [
    ({"global_clipnorm": 1.0}, torch_clip_norm(1.0, per_parameter=False)),
    ({"clipnorm": 2.0}, torch_clip_norm(2.0, per_parameter=True)),
    ({"clipvalue": 0.5},
     lambda opt, params, t: torch.nn.utils.clip_grad_value_(params, 0.5)),
], ids=["global_clipnorm", "clipnorm", "clipvalue"])
def test_clipping_matches_torch(clip, before):
    ours, theirs = run_both(optimizers.SGD(learning_rate=0.1, momentum=0.9, **clip),
                            lambda p: T.SGD(p, lr=0.1, momentum=0.9), before, grad_scale=3.0)
    assert_same_path(ours, theirs)
    # and clipping was active: without it the paths differ
    unclipped, _ = run_both(optimizers.SGD(learning_rate=0.1, momentum=0.9),
                            lambda p: T.SGD(p, lr=0.1, momentum=0.9), grad_scale=3.0)
    assert np.max(np.abs(unclipped - ours)) > 1e-2


# --- schedules --------------------------------------------------------------------

@pytest.mark.parametrize("schedule", [
    schedules.CosineDecay(0.0, decay_steps=6, warmup_target=0.05, warmup_steps=3),
    schedules.ExponentialDecay(0.05, decay_steps=3, decay_rate=0.5, staircase=True),
    schedules.PiecewiseConstantDecay([2, 5], [0.05, 0.02, 0.01]),
], ids=lambda s: type(s).__name__)
def test_schedule_matches_torch_lambda_lr(schedule):
    # LambdaLR sets lr = base_lr * f(epoch), epoch counting scheduler.step() calls:
    # one per optimizer step makes it the optimizer's `iterations`.
    base_lr = 0.05
    holder = {}

    def make_torch(params):
        opt = T.AdamW(params, lr=base_lr, weight_decay=0.2)
        holder["scheduler"] = T.lr_scheduler.LambdaLR(opt, lambda e: schedule(e) / base_lr)
        return opt

    ours, theirs = run_both(optimizers.AdamW(learning_rate=schedule, weight_decay=0.2),
                            make_torch, adam_epsilon_hat(1e-7, 0.999),
                            after_torch_step=lambda t: holder["scheduler"].step())
    assert_same_path(ours, theirs)


def test_sgd_momentum_under_a_schedule_is_keras_not_torch():
    # Documented difference: Keras's velocity stores lr * g, PyTorch's stores g, so a
    # changing learning rate rescales PyTorch's whole history but not Keras's.
    schedule = schedules.PiecewiseConstantDecay([3], [0.1, 0.01])
    holder = {}

    def make_torch(params):
        opt = T.SGD(params, lr=0.1, momentum=0.9)
        holder["s"] = T.lr_scheduler.LambdaLR(opt, lambda e: schedule(e) / 0.1)
        return opt

    ours, theirs = run_both(optimizers.SGD(learning_rate=schedule, momentum=0.9), make_torch,
                            after_torch_step=lambda t: holder["s"].step())
    assert_same_path(ours[:4], theirs[:4])             # identical while lr is constant
    assert np.max(np.abs(ours[4:] - theirs[4:])) > 1e-3
