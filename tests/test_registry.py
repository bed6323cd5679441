"""Every module's ``get`` resolves the same way (Keras 3's look-up), through one helper."""
import pytest

from minikeras import activations, initializers, losses, metrics, optimizers, regularizers

# module, a Keras name, the class it names, what None gives, what a plain function gives
# (None: refused, since minikeras needs its gradient)
MODULES = [
    pytest.param(activations, "relu", activations.ReLU, activations.Linear, None,
                 id="activations"),
    pytest.param(initializers, "zeros", initializers.Zeros, None, lambda fn, got: got is fn,
                 id="initializers"),
    pytest.param(losses, "mse", losses.MeanSquaredError, None, None, id="losses"),
    pytest.param(metrics, "mae", metrics.MeanAbsoluteError, None,
                 lambda fn, got: isinstance(got, metrics.MeanMetricWrapper) and got.name == "fn",
                 id="metrics"),
    pytest.param(optimizers, "adam", optimizers.Adam, None, None, id="optimizers"),
    pytest.param(regularizers, "l2", regularizers.L2, None, None, id="regularizers"),
]


@pytest.mark.parametrize("module, name, cls, none_gives, function_gives", MODULES)
def test_get_resolves_as_keras(module, name, cls, none_gives, function_gives):
    assert type(module.get(name)) is cls
    assert type(module.get(cls.__name__)) is cls
    assert type(module.get({"class_name": cls.__name__, "config": {}})) is cls
    assert type(module.get(cls)) is cls                     # a class: its default instance
    instance = cls()
    assert module.get(instance) is instance                 # an instance: as it is
    if none_gives is None:
        assert module.get(None) is None
    else:
        assert type(module.get(None)) is none_gives

    def fn(*args):
        return 0.0
    if function_gives:
        assert function_gives(fn, module.get(fn))
    else:
        with pytest.raises(TypeError, match=r"must be a string name or a \w+ instance\. "
                                            r"Received: \w+=<function"):
            module.get(fn)
    with pytest.raises(ValueError, match=rf"Unknown `\w+`: 'no_such_name'\. Valid names are: "
                                         rf".*\b{name}\b"):
        module.get("no_such_name")


def test_compile_still_refuses_none_entries():
    from minikeras import Sequential
    from minikeras.layers import Dense
    model = Sequential([Dense(1)])
    with pytest.raises(ValueError, match=r"`optimizer` must be .*Received: optimizer=None"):
        model.compile(optimizer=None, loss="mse")
    with pytest.raises(TypeError, match=r"`metrics` must hold .*Received: metrics=\[None\]"):
        model.compile(loss="mse", metrics=[None])
