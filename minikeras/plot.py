"""Pictures of training: learning curves and 2-D decision boundaries.

matplotlib is an optional extra (``pip install "minikeras[plot]"``); it is
imported only when a function here is called, so ``import minikeras`` works
without it. Figures are drawn with matplotlib's Agg renderer on a standalone
:class:`matplotlib.figure.Figure`: nothing goes through ``pyplot``, no window
opens, and the user's chosen backend is left alone. Each function returns the
Figure; in a notebook it displays itself, and ``filename=`` saves a PNG.

Example::

    >>> import minikeras as keras
    >>> from minikeras.plot import plot_decision_boundary, plot_history
    >>> x, y = keras.datasets.moons(200, seed=0)
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16, activation="tanh"),
    ...                           keras.layers.Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    >>> history = model.fit(x, y, validation_split=0.2, epochs=20, verbose=0)
    >>> figure = plot_history(history, filename="history.png")
    >>> figure = plot_decision_boundary(model, x, y, filename="boundary.png")
"""
import os

import numpy as np

from .utils import files

_INSTALL_HINT = 'minikeras.plot needs matplotlib, an optional extra: pip install "minikeras[plot]"'


def _new_figure(figsize):
    """A Figure with its own Agg canvas, independent of pyplot's global backend."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    figure = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure, filename, dpi):
    """Save ``figure`` to ``filename`` (if given) atomically: a crash mid-save leaves the
    old picture, never half of one. The format is the file's extension's (PNG without one)."""
    if filename is not None:
        path = files.target_path(filename, "filename")
        extension = os.path.splitext(path)[1].lstrip(".").lower()
        files.write_atomic(path, lambda file: figure.savefig(file, dpi=dpi,
                                                             format=extension or "png"))
    return figure


def plot_history(history, filename=None, title=None, dpi=100):
    """Plot the loss and each metric per epoch, training solid and validation dashed.

    One panel per quantity: ``loss`` first, then the metrics in the order
    ``fit`` logged them; ``val_x`` is drawn in the panel of ``x``.

    Args:
        history: the :class:`~minikeras.callbacks.History` that ``fit`` returns,
            or its ``history`` dict ``{name: [value per epoch]}``.
        filename: save the figure as this PNG (default None: do not save).
        title: optional title over the panels.
        dpi: resolution of the saved PNG (default 100).

    Returns:
        The matplotlib Figure.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError("`history` must be the History returned by `fit` or a non-empty dict "
                         f"of per-epoch values. Received: history={history!r}")
    names = [name for name in logs if not name.startswith("val_")]
    names += [name[4:] for name in logs if name.startswith("val_") and name[4:] not in names]
    names.sort(key=lambda name: name != "loss")  # loss first; fit logs the keys sorted
    figure = _new_figure((4.5 * len(names), 3.6))
    from matplotlib.ticker import MaxNLocator  # matplotlib is known to be there by now

    axes = figure.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        for key, style, label in ((name, "-", "training"), (f"val_{name}", "--", "validation")):
            if key in logs:
                values = np.asarray(logs[key], dtype=float)
                # Dots mark the epochs while they can still be told apart.
                ax.plot(np.arange(1, len(values) + 1), values, style, label=label,
                        marker="." if len(values) <= 40 else None)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(name)
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    return _save(figure, filename, dpi)


def plot_decision_boundary(model, x, y, filename=None, title=None, resolution=300, dpi=100,
                           class_names=None):
    """Colour the plane by the class ``model`` predicts, with the points ``(x, y)`` on top.

    The model is evaluated on a ``resolution`` x ``resolution`` grid spanning
    the data plus a margin. The predicted class is ``argmax`` of a multi-unit
    output, or ``output > 0.5`` for a single sigmoid unit. A legend names the
    colour of each class among the points; a region has its class's colour.

    Args:
        model: a trained model with ``predict`` taking inputs of shape ``(n, 2)``.
        x: the points, shape ``(n, 2)``.
        y: their classes: integer labels ``(n,)``, or one-hot / probability rows.
        filename: save the figure as this PNG (default None: do not save).
        title: optional title.
        resolution: grid points per axis (default 300).
        dpi: resolution of the saved PNG (default 100).
        class_names: the legend's name for each class, indexed by class
            (default None: the class numbers).

    Returns:
        The matplotlib Figure.
    """
    figure = _new_figure((5.5, 4.8))
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError("`x` must have shape (n, 2): decision boundaries are drawn for 2-D "
                         f"inputs only. Received: x.shape={x.shape}")
    labels = _classes(np.asarray(y))
    low, high = x.min(axis=0), x.max(axis=0)
    margin = 0.1 * (high - low) + 1e-3
    u = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    v = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    grid_u, grid_v = np.meshgrid(u, v)
    grid = np.c_[grid_u.ravel(), grid_v.ravel()].astype(x.dtype if x.dtype.kind == "f" else float)
    predicted = _classes(model.predict(grid, batch_size=4096, verbose=0)).reshape(grid_u.shape)
    n_classes = int(max(labels.max(), predicted.max())) + 1
    cmap = "coolwarm" if n_classes == 2 else "viridis"
    ax = figure.subplots()
    ax.contourf(grid_u, grid_v, predicted, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap,
                alpha=0.35)
    points = ax.scatter(x[:, 0], x[:, 1], c=labels, cmap=cmap, vmin=0, vmax=n_classes - 1,
                        s=14, edgecolors="k", linewidths=0.4)
    present = np.unique(labels)
    if class_names is not None and len(class_names) < n_classes:
        raise ValueError(f"`class_names` must name each of the {n_classes} classes. "
                         f"Received: {len(class_names)} names")
    names = [str(class_names[c] if class_names is not None else c) for c in present]
    # One marker per class among the points (num=None: every class, however many).
    handles, _ = points.legend_elements(num=None, markeredgecolor="k", markeredgewidth=0.4)
    ax.legend(handles, names, title="class", loc="best", fontsize="small")
    ax.set_xlim(u[0], u[-1])
    ax.set_ylim(v[0], v[-1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    accuracy = float(np.mean(_classes(model.predict(x, verbose=0)) == labels))
    ax.set_title(f"{title + ': ' if title else ''}accuracy {accuracy:.1%}")
    return _save(figure, filename, dpi)


def _classes(y):
    """Integer classes from labels ``(n,)``, a sigmoid column ``(n, 1)`` or rows ``(n, k)``."""
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    y = y.reshape(len(y))
    return (y > 0.5).astype(np.intp) if y.dtype.kind == "f" and np.any(y % 1) else y.astype(np.intp)
