"""ActivityRegularization: the identity, with an L1/L2 penalty on what passes through."""
from .. import regularizers
from ..utils.validation import check_number
from .layer import Layer


class ActivityRegularization(Layer):
    """Pass the inputs on unchanged and add a penalty on them to the loss, as Keras does.

    With ``n`` the batch size, the model adds to the loss (in ``fit`` and ``evaluate``)::

        y       = x
        penalty = (l1 * sum(|x|) + l2 * sum(x**2)) / n
        dL/dx   = grad + (l1 * sign(x) + 2 * l2 * x) / n

    The penalty is the layer's ``activity_regularizer``, ``L1L2(l1, l2)``: the model
    adds it and its gradient as for any layer's activity regularizer (see
    :class:`Layer`), so this layer's own ``forward`` and ``backward`` are the identity.

    Example: ``Sequential([..., Dense(64, activation="relu"),
    ActivityRegularization(l1=1e-4), ...])`` favours sparse activations.

    Args:
        l1: the L1 factor, a number >= 0 (default 0).
        l2: the L2 factor, a number >= 0 (default 0).
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        if kwargs.pop("activity_regularizer", None) is not None:
            raise ValueError("ActivityRegularization takes its penalty as `l1` and `l2`; it "
                             "does not take another `activity_regularizer`.")
        self.l1 = check_number(l1, "l1", 0)
        self.l2 = check_number(l2, "l2", 0)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=self.l1, l2=self.l2),
                         **kwargs)

    def forward(self, x, training=False):
        return x

    def backward(self, grad):
        return grad

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)  # written as l1 and l2, as Keras does
        return config | {"l1": self.l1, "l2": self.l2}
