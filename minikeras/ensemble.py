"""Ensembles: train the same model from several seeds and average what they predict.

Members started from different random weights (and shuffled differently) make
partly independent errors; averaging their predicted probabilities cancels
some of them, so the ensemble is usually at least as accurate as its average
member, and better calibrated.

Members are independent, so they can train in parallel through joblib: in
threads, in local processes, or on a Dask cluster (``backend="dask"`` with a
``distributed.Client`` open, from the ``distributed`` extra). Each member draws
only from its own seed's generator, so the ensemble is the same wherever and
in whatever order its members train.

Example::

    >>> import minikeras as keras
    >>> from minikeras.layers import Dense
    >>> (x, y), (x_val, y_val) = keras.datasets.breast_cancer.load_data()
    >>> def build():
    ...     model = keras.Sequential([keras.Input((30,)), Dense(16, activation="relu"),
    ...                               Dense(1, activation="sigmoid")])
    ...     model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    ...     return model
    >>> members = train_ensemble(build, x, y, seeds=range(5), epochs=10, n_jobs=2,
    ...                          backend="threading")
    >>> average_predictions(members, x_val).shape   # the members' mean probability per sample
    (100, 1)
"""
import numbers

from . import random


def train_ensemble(build_fn, x, y, seeds, n_jobs=None, backend=None, **fit_kwargs):
    """Build and fit one model per seed; return the fitted models in seed order.

    Member ``i`` is built and trained inside ``random.using(seeds[i])``: its
    initial weights, its shuffling and its dropout masks come from that seed
    alone, exactly as after ``set_random_seed(seeds[i])`` in a script of its own,
    and minikeras's process-wide generator is left untouched.

    Args:
        build_fn: a zero-argument function returning a new compiled model. For
            process or cluster backends it must pickle: a module-level function
            (cloudpickle, which joblib's process and Dask backends use, also
            takes lambdas and local functions).
        x, y: the training data, passed to every ``fit``.
        seeds: non-negative integers, one per member (at least one).
        n_jobs: members trained at once, as joblib counts them; default None:
            one at a time, unless an enclosing ``joblib.parallel_config`` says
            otherwise (-1: as many as the backend has workers).
        backend: joblib backend: ``"loky"`` (processes, joblib's default),
            ``"threading"``, ``"dask"`` (a ``distributed.Client`` must be open)...;
            default None: the enclosing ``joblib.parallel_config``'s, else loky.
        **fit_kwargs: passed to ``fit`` (``epochs``, ``batch_size``, ...);
            ``verbose`` defaults to 0.

    Returns:
        The list of trained models.
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("`seeds` must hold at least one seed (one per member). Received: "
                         "seeds=[]")
    for i, seed in enumerate(seeds):
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"`seeds` must hold non-negative integers. Received: "
                             f"seeds[{i}]={seed!r}")
    fit_kwargs.setdefault("verbose", 0)
    import joblib  # scikit-learn's dependency, imported here so `import minikeras` stays light
    train = joblib.delayed(_train_member)
    # The backend goes through parallel_config, not Parallel(backend=...): joblib 1.6
    # fails on Parallel(backend="dask") ("Batch.__call__() got an unexpected keyword
    # argument 'nesting_level'") but runs the same backend set by parallel_config.
    with joblib.parallel_config(**({} if backend is None else {"backend": backend})):
        return joblib.Parallel(n_jobs=n_jobs)(
            train(build_fn, x, y, int(seed), fit_kwargs) for seed in seeds)


def _train_member(build_fn, x, y, seed, fit_kwargs):
    """One member, drawing from its own seed's generator (in whichever thread or process)."""
    with random.using(seed):
        model = build_fn()
        model.fit(x, y, **fit_kwargs)
    return model


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
