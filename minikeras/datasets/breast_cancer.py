"""The Wisconsin breast-cancer data set (569 samples, 30 features), shipped with scikit-learn."""
from .. import config
from ..utils.validation import check_int


def load_data(validation_rows=100, standardize=True):
    """Return ``((x_train, y_train), (x_val, y_val))``, holding out the first rows.

    The tutorial this project grew from validates on the first 100 rows and
    trains on the other 469. Features are standardised with the training rows'
    mean and standard deviation only, so nothing of the validation rows leaks
    into training.

    Args:
        validation_rows: how many leading rows to hold out (default 100).
        standardize: scale each feature to zero mean and unit variance.

    Returns:
        float arrays ``x`` of shape ``(n, 30)`` and ``y`` of shape ``(n,)``
        (1 = benign, 0 = malignant, scikit-learn's coding).
    """
    from sklearn.datasets import load_breast_cancer  # imported here: sklearn is slow to import

    data = load_breast_cancer()
    x = data.data.astype(config.floatx())
    y = data.target.astype(config.floatx())
    validation_rows = check_int(validation_rows, "validation_rows", 0, len(x), closed="neither")
    x_val, y_val = x[:validation_rows], y[:validation_rows]
    x_train, y_train = x[validation_rows:], y[validation_rows:]
    if standardize:
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        x_train = (x_train - mean) / std
        x_val = (x_val - mean) / std
    return (x_train, y_train), (x_val, y_val)
