"""One harness that every layer's tests pass through (Keras's ``run_layer_test``).

``check_layer`` builds a layer, checks its output shape and parameter count,
calls it, checks the gradients of its input and of every trainable weight by
finite differences in inference and in training mode, and round-trips its
config. ``gradient_errors`` is the finite-difference step on its own, for tests
that set their own weights first. ``torch_run`` runs the PyTorch module a
layer is compared with. Import them in a test file as ``from _harness import ...``
(pytest puts the tests folder on ``sys.path``).
"""
import numpy as np

from minikeras.layers import Layer
from minikeras.random import set_seed
from minikeras.utils.gradient_check import numerical_gradient, relative_error


def fixed_randomness(layer, seed=7):
    """A ``reseed`` hook: each call rewinds the random draws ``layer`` makes.

    It re-seeds minikeras's global generator and restores the layer's own
    generator (``get_state``/``set_state``), so a random layer (Dropout,
    GaussianNoise) draws the same mask or noise at every forward pass and the
    finite differences see one fixed function. For other layers it changes nothing.
    """
    state = layer.get_state()

    def reseed():
        set_seed(seed)
        layer.set_state(state)
    return reseed


def gradient_errors(layer, x, rng, training, reseed=None):
    """Relative errors of dL/dx and of each trainable weight's gradient, by name,
    for ``L = sum(upstream * layer.forward(x, training))`` with a random ``upstream``.

    ``reseed`` (default :func:`fixed_randomness`) is called before every forward pass.
    """
    reseed = reseed or fixed_randomness(layer)
    reseed()
    upstream = rng.normal(size=layer.forward(x, training=training).shape)

    def loss():
        reseed()
        return float(np.sum(upstream * layer.forward(x, training=training)))

    reseed()
    layer.forward(x, training=training)
    errors = {"x": relative_error(layer.backward(upstream), numerical_gradient(loss, x))}
    for w in layer.trainable_weights:
        reseed()
        layer.forward(x, training=training)
        layer.backward(upstream)
        errors[w.name] = relative_error(w.grad.copy(), numerical_gradient(loss, w.value))
    return errors


def check_layer(make, x_shape, params, rng, output_shape=None, reseed=None, tolerance=1e-7):
    """Run a new layer from ``make()`` through every check; return it.

    Use with the ``float64`` fixture, so that the finite differences are exact enough.

    Args:
        make: a function returning a new, unbuilt layer.
        x_shape: the shape of the test batch, batch axis first.
        params: the parameter count ``count_params()`` must give once built.
        rng: a numpy generator for the batch and the upstream gradients.
        output_shape: what ``compute_output_shape`` must return, batch axis
            ``None`` first (default: the input's shape, a shape-preserving layer).
        reseed: the hook :func:`gradient_errors` calls before each forward pass
            (default: :func:`fixed_randomness` of the layer).
        tolerance: the largest relative gradient error accepted.
    """
    layer = make()
    assert isinstance(layer, Layer)
    input_shape = (None,) + tuple(x_shape[1:])
    layer.build(input_shape)
    output_shape = input_shape if output_shape is None else output_shape
    assert layer.compute_output_shape(input_shape) == output_shape
    assert layer.count_params() == params
    x = rng.normal(size=x_shape)
    assert layer(x).shape == (x_shape[0],) + tuple(output_shape[1:])
    for training in (False, True):
        errors = gradient_errors(layer, x, rng, training, reseed)
        assert max(errors.values()) < tolerance, (f"training={training}", errors)
    renamed = {**layer.get_config(), "name": layer.name + "_copy"}
    clone = type(layer).from_config(renamed)
    assert clone.get_config() == renamed
    return layer


# -- the PyTorch oracle ------------------------------------------------------------------

def torch_run(module, x, upstream):
    """Forward the torch ``module`` on ``x`` and backpropagate ``upstream``: ``(y, dx)``.

    Torch is imported here, so only the tests that call this need it (they
    ``pytest.importorskip`` it first, saying why).
    """
    import torch
    xt = torch.tensor(x, requires_grad=True)
    y = module(xt)
    y.backward(torch.tensor(upstream))
    return y.detach().numpy(), xt.grad.numpy()


def assert_close(a, b):
    """Equal up to float64 rounding: the tolerance of every float64 oracle comparison here."""
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
