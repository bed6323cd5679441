"""Small 2-D data sets drawn on the fly, for seeing a decision boundary.

Each generator returns ``(x, y)``: ``x`` a floatx array of shape ``(n, 2)``,
``y`` integer labels of shape ``(n,)``. The points come in a random order
(``shuffle=True``, as scikit-learn's generators), so any slice of them, such as
the last fraction ``validation_split`` holds out, has every class; with
``shuffle=False`` they come class by class. Randomness comes from minikeras's
generator (see :func:`minikeras.utils.set_random_seed`), or from a private one
when ``seed`` is given: the same seed gives the same points in the same order.
"""
import numpy as np

from .. import config, random
from ..utils.validation import check_int, check_number


def moons(n_samples=200, noise=0.2, seed=None, shuffle=True):
    """Two interleaving half circles (class 0 on top, class 1 below), as scikit-learn's.

    Args:
        n_samples: total number of points (default 200), split as evenly as possible.
        noise: standard deviation of the Gaussian noise added to each coordinate (0.2).
        seed: integer for a private generator; ``None`` uses the global one.
        shuffle: return the points in a random order (default) or class by class.

    Example::

        >>> x, y = moons(6, noise=0.0, seed=0, shuffle=False)
        >>> x.shape, y.tolist()
        ((6, 2), [0, 0, 0, 1, 1, 1])
        >>> moons(6, noise=0.0, seed=0)[1].tolist()
        [1, 1, 0, 0, 1, 0]
    """
    n_samples = check_int(n_samples, "n_samples", 2)
    noise = check_number(noise, "noise", 0)
    n_top = n_samples - n_samples // 2
    top = np.linspace(0.0, np.pi, n_top)
    bottom = np.linspace(0.0, np.pi, n_samples // 2)
    # The lower moon is the upper one turned over and shifted right and down.
    x = np.r_[np.c_[np.cos(top), np.sin(top)],
              np.c_[1.0 - np.cos(bottom), 0.5 - np.sin(bottom)]]
    rng = random.generator(seed)
    x += rng.normal(scale=noise, size=x.shape)
    y = np.r_[np.zeros(n_top, np.intp), np.ones(n_samples // 2, np.intp)]
    return _shuffled(x.astype(config.floatx()), y, rng, shuffle)


def spiral(points_per_class=100, classes=3, noise=0.2, seed=None, shuffle=True):
    """CS231n's spiral: each class is one arm of ``points_per_class`` points.

    The point ``i`` of arm ``k`` sits at radius ``r = i / (points_per_class - 1)``
    and angle ``4 r + 4 k + noise``: arms wind around each other, so no straight
    line separates them.

    Args:
        points_per_class: points on each arm (default 100).
        classes: number of arms and classes (default 3).
        noise: standard deviation of the angle noise, in radians (0.2).
        seed: integer for a private generator; ``None`` uses the global one.
        shuffle: return the points in a random order (default) or arm by arm.

    Example::

        >>> x, y = spiral(50, 3, seed=0)
        >>> x.shape, np.bincount(y).tolist()
        ((150, 2), [50, 50, 50])
    """
    points_per_class = check_int(points_per_class, "points_per_class", 2)
    classes = check_int(classes, "classes", 1)
    noise = check_number(noise, "noise", 0)
    radius = np.tile(np.linspace(0.0, 1.0, points_per_class), classes)
    theta = 4.0 * radius + np.repeat(4.0 * np.arange(classes), points_per_class)
    rng = random.generator(seed)
    theta += rng.normal(scale=noise, size=theta.shape)
    x = np.c_[radius * np.sin(theta), radius * np.cos(theta)]
    y = np.repeat(np.arange(classes), points_per_class)
    return _shuffled(x.astype(config.floatx()), y, rng, shuffle)


#: Four blobs on the corners of a square, labelled like XOR: the "hard" layout.
HARD_CENTERS = ((-2.0, -2.0), (2.0, 2.0), (-2.0, 2.0), (2.0, -2.0))
HARD_LABELS = (0, 0, 1, 1)


def blobs(n_samples=400, centers=HARD_CENTERS, labels=HARD_LABELS, cluster_std=1.0, seed=None,
          shuffle=True):
    """Gaussian blobs: blob ``i`` is centred on ``centers[i]`` and has class ``labels[i]``.

    The default is the "hard" data set: four overlapping blobs whose classes
    alternate around a square (an XOR pattern), so a network needs hidden
    layers to separate them. ``blobs(centers=[(-2, 0), (2, 0)], labels=[0, 1])``
    is the easy, linearly separable one.

    Args:
        n_samples: total number of points (default 400), shared as evenly as possible.
        centers: sequence of 2-D centres (default :data:`HARD_CENTERS`).
        labels: the class of each blob (default :data:`HARD_LABELS`).
        cluster_std: standard deviation of every blob (default 1.0).
        seed: integer for a private generator; ``None`` uses the global one.
        shuffle: return the points in a random order (default) or blob by blob.

    Example::

        >>> x, y = blobs(8, seed=0, shuffle=False)
        >>> x.shape, y.tolist()
        ((8, 2), [0, 0, 0, 0, 1, 1, 1, 1])
        >>> blobs(8, seed=0)[1].tolist()
        [0, 1, 1, 1, 0, 0, 0, 1]
    """
    centers = np.asarray(centers, dtype=np.float64)
    labels = np.asarray(labels)
    if centers.ndim != 2 or len(centers) == 0:
        raise ValueError("`centers` must be a non-empty sequence of points. Received: "
                         f"centers with shape {centers.shape}")
    if labels.shape != (len(centers),) or labels.dtype.kind not in "iu":
        raise ValueError(f"`labels` must hold one integer class per centre ({len(centers)}). "
                         f"Received: labels={labels.tolist()!r}")
    n_samples = check_int(n_samples, "n_samples", len(centers))
    cluster_std = check_number(cluster_std, "cluster_std", 0)
    counts = np.full(len(centers), n_samples // len(centers))
    counts[:n_samples % len(centers)] += 1
    blob = np.repeat(np.arange(len(centers)), counts)
    rng = random.generator(seed)
    x = centers[blob] + rng.normal(scale=cluster_std, size=(n_samples, centers.shape[1]))
    return _shuffled(x.astype(config.floatx()), labels[blob].astype(np.intp), rng, shuffle)


def _shuffled(x, y, rng, shuffle):
    """``x`` and ``y`` in one random order when ``shuffle`` is true.

    The order is drawn after the points, so ``shuffle=False`` gives the same
    points, class by class.
    """
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError(f"`shuffle` must be True or False. Received: shuffle={shuffle!r}")
    if not shuffle:
        return x, y
    order = rng.permutation(len(y))
    return x[order], y[order]

