"""Dense layers and whole models against PyTorch: outputs, loss, and every gradient."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch oracle not installed: pip install -e '.[reference]'")

from minikeras import Input, Sequential, losses  # noqa: E402
from minikeras.layers import Dense  # noqa: E402

ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
               "linear": lambda z: z, "elu": torch.nn.functional.elu}


def _torch_mlp(model):
    """Torch parameters holding the same values as the minikeras model's weights."""
    return [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in model.get_weights()]


def _torch_forward(model, params, x):
    a = torch.tensor(x, dtype=torch.float64)
    for i, layer in enumerate(model.layers):
        z = a @ params[2 * i] + params[2 * i + 1]
        a = z if i == len(model.layers) - 1 else ACTIVATIONS[layer.activation.name](z)
    return a  # logits of the last layer


CASES = {
    "binary": ("sigmoid", losses.BinaryCrossentropy(), 1,
               lambda z, y: torch.nn.functional.binary_cross_entropy_with_logits(z, y)),
    "categorical": ("softmax", losses.CategoricalCrossentropy(), 4,
                    lambda z, y: torch.nn.functional.cross_entropy(z, y)),
    "sparse": ("softmax", losses.SparseCategoricalCrossentropy(), 4,
               lambda z, y: torch.nn.functional.cross_entropy(z, y)),
    "mse": ("linear", losses.MeanSquaredError(), 2,
            lambda z, y: torch.nn.functional.mse_loss(z, y)),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("hidden", ["relu", "tanh", "elu"])
def test_model_loss_and_gradients_match_torch(case, hidden, float64, rng):
    out_act, loss, width, torch_loss = CASES[case]
    model = Sequential([Input((5,)), Dense(7, activation=hidden), Dense(6, activation=hidden),
                        Dense(width, activation=out_act)])
    model.compile(optimizer="sgd", loss=loss)
    x = rng.normal(size=(16, 5))
    if case == "sparse":
        y = rng.integers(0, width, size=16)
        y_torch = torch.tensor(y)
    elif case == "categorical":
        y = np.eye(width)[rng.integers(0, width, size=16)]
        y_torch = torch.tensor(y)
    else:
        y = rng.uniform(size=(16, width)).round() if case == "binary" else rng.normal(size=(16, width))
        y_torch = torch.tensor(y)
    value, _ = model._compute_gradients(x, model._prepare_y(y), training=True)

    params = _torch_mlp(model)
    expected = torch_loss(_torch_forward(model, params, x), y_torch)
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-10)
    for variable, param in zip(model.weights, params):
        np.testing.assert_allclose(variable.grad, param.grad.numpy(), rtol=1e-9, atol=1e-12)
    probabilities = {"sigmoid": torch.sigmoid, "softmax": lambda z: torch.softmax(z, dim=1),
                     "linear": lambda z: z}[out_act]
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               probabilities(_torch_forward(model, params, x)).detach().numpy(),
                               rtol=1e-10, atol=1e-14)


def test_adam_training_trajectory_matches_torch(float64, rng):
    """Five full-batch Adam steps on a softmax MLP land on the same weights as PyTorch."""
    from minikeras.optimizers import Adam
    model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    # Keras's epsilon is added to sqrt(v) before bias correction, PyTorch's after; with a
    # negligible epsilon both rules are the same.
    model.compile(optimizer=Adam(learning_rate=0.01, epsilon=1e-14),
                  loss="sparse_categorical_crossentropy")
    x, y = rng.normal(size=(32, 4)), rng.integers(0, 3, size=32)
    params = _torch_mlp(model)
    torch_opt = torch.optim.Adam(params, lr=0.01, eps=1e-14)
    for _ in range(5):
        model.train_on_batch(x, y)
        torch_opt.zero_grad()
        torch.nn.functional.cross_entropy(_torch_forward(model, params, x), torch.tensor(y)).backward()
        torch_opt.step()
    for w, p in zip(model.get_weights(), params):
        np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-8, atol=1e-12)
