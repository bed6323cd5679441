"""Ensembles: train the same model from several seeds and average what they predict.

Members started from different random weights (and shuffled differently) make
partly independent errors; averaging their predicted probabilities cancels
some of them, so the ensemble is usually at least as accurate as its average
member, and better calibrated.

Example::

    def build():
        model = Sequential([Input((30,)), Dense(16, activation="relu"),
                            Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return model

    members = train_ensemble(build, x, y, seeds=range(5), epochs=10)
    p = average_predictions(members, x_val)          # shape (n, 1), mean probability
"""
import numpy as np

from .random import set_seed


def train_ensemble(build_fn, x, y, seeds, **fit_kwargs):
    """Build and fit one model per seed; return the fitted models in seed order.

    Before building member ``i``, minikeras's global seed is set to
    ``seeds[i]``, so its initial weights and its shuffling come from that seed
    (and the whole ensemble is reproducible). The global generator is left in
    the state the last member's training put it in.

    Args:
        build_fn: a zero-argument function returning a new compiled model.
        x, y: the training data, passed to every ``fit``.
        seeds: non-negative integers, one per member (at least one).
        **fit_kwargs: passed to ``fit`` (``epochs``, ``batch_size``, ...);
            ``verbose`` defaults to 0.

    Returns:
        The list of trained models.
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("`seeds` must hold at least one seed (one per member). Received: "
                         "seeds=[]")
    fit_kwargs.setdefault("verbose", 0)
    members = []
    for seed in seeds:
        set_seed(seed)
        model = build_fn()
        model.fit(x, y, **fit_kwargs)
        members.append(model)
    return members


def average_predictions(models, x, batch_size=32):
    """The mean of the members' ``predict(x)``: ``p = (1 / N) * sum_i model_i(x)``.

    For classifiers this averages probabilities (soft voting); take
    ``p > 0.5`` or ``argmax`` afterwards for labels.

    Args:
        models: the members, each mapping ``x`` to outputs of the same shape.
        x: the inputs.
        batch_size: passed to each ``predict``; default 32.

    Example: members predicting ``[[0.2]]`` and ``[[0.6]]`` average to ``[[0.4]]``.
    """
    models = list(models)
    if not models:
        raise ValueError("`models` must hold at least one model. Received: models=[]")
    total = None
    for model in models:
        p = model.predict(x, batch_size=batch_size, verbose=0)
        if total is None:
            total = p.copy()
        elif p.shape != total.shape:
            raise ValueError(f"All members must predict the same shape. Received {p.shape} "
                             f"from {getattr(model, 'name', model)!r}, expected {total.shape}.")
        else:
            total += p
    total /= len(models)
    return total
