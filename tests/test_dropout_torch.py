"""Dropout against PyTorch: the same law in training, the identity at inference."""
import numpy as np
import pytest

from minikeras.layers import Dropout
from _harness import assert_close, torch_run  # the tests folder is on sys.path

torch = pytest.importorskip("torch", reason="PyTorch oracle not installed: pip install -e '.[reference]'")


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8], ids=lambda r: f"rate{r}")
def test_dropout_follows_torch_formula(rate, float64, rng):
    """PyTorch's masks cannot be shared, so check that both follow the same law.

    In training both give ``y = x * m / (1 - rate)`` and ``dx = grad * m / (1 - rate)``
    for a 0/1 mask ``m``, dropping about ``rate`` of the entries; at inference
    both are the identity.
    """
    x = rng.uniform(1.0, 2.0, size=(200, 50))
    upstream = rng.normal(size=x.shape)
    theirs = torch.nn.Dropout(rate)
    ours = Dropout(rate, seed=0)

    y_t, dx_t = torch_run(theirs.train(), x, upstream)
    y = ours.forward(x, training=True)
    dx = ours.backward(upstream)
    for y_, dx_ in ((y_t, dx_t), (y, dx)):
        mask = (y_ != 0).astype(np.float64)
        assert_close(y_, x * mask / (1 - rate))
        assert_close(dx_, upstream * mask / (1 - rate))
        assert abs(1 - mask.mean() - rate) < 0.02

    y_t, dx_t = torch_run(theirs.eval(), x, upstream)
    ours.forward(x, training=False)
    assert_close(ours.forward(x), y_t)
    assert_close(ours.backward(upstream), dx_t)
