"""Grid search over width and learning rate on breast cancer, minikeras beside MLPClassifier.

Both estimators sit in the same ``Pipeline(StandardScaler, classifier)``, see
the same grid (hidden width x learning rate), the same 5 stratified folds, the
same epoch budget and batch size, and are scored by mean cross-validated
accuracy. MLPClassifier stops early when its training loss stalls for 10 epochs
(its default); minikeras runs every epoch.

Run:
    python examples/sklearn_grid_search.py            # full grid (about 25 s)
    python examples/sklearn_grid_search.py --quick    # tiny grid, a few epochs (CI)

With ``--out DIR`` it also writes every grid point's mean and standard deviation
of CV accuracy, for both estimators, to ``sklearn_grid_search.csv`` in ``DIR``
(default: no file).
"""
import csv
import os
import time
import warnings
from pathlib import Path

from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from minikeras.wrappers import MiniKerasClassifier

from _common import example_parser

FULL = {"widths": [16, 64, 256], "learning_rates": [1e-3, 1e-2, 1e-1], "epochs": 100}
QUICK = {"widths": [8], "learning_rates": [1e-2, 1e-1], "epochs": 3}


def search(name, classifier, grid, cv, x, y, n_jobs):
    """Fit a GridSearchCV over ``grid`` and print its best parameters and score."""
    pipeline = Pipeline([("scale", StandardScaler()), ("clf", classifier)])
    start = time.perf_counter()
    result = GridSearchCV(pipeline, grid, cv=cv, n_jobs=n_jobs).fit(x, y)
    seconds = time.perf_counter() - start
    best = {k.removeprefix("clf__"): v for k, v in result.best_params_.items()}
    print(f"{name:<20} best CV accuracy {result.best_score_:.4f}  "
          f"({seconds:.1f} s)  best params {best}")
    return result


def write_table(filename, searches):
    """Write each grid point's CV accuracy, one row per estimator and point, atomically."""
    partial = filename.with_name(f".{filename.name}.part")
    with open(partial, "w", newline="") as f:
        table = csv.writer(f)
        table.writerow(["estimator", "width", "learning_rate", "mean_cv_accuracy",
                        "std_cv_accuracy"])
        for name, result in searches.items():
            cv = result.cv_results_
            for params, mean, std in zip(cv["params"], cv["mean_test_score"],
                                         cv["std_test_score"]):
                rate = params.get("clf__learning_rate", params.get("clf__learning_rate_init"))
                table.writerow([name, params["clf__hidden_layer_sizes"][0], rate,
                                f"{mean:.4f}", f"{std:.4f}"])
    os.replace(partial, filename)
    print(f"Wrote {filename}")


def main(argv=None):
    parser = example_parser(__doc__, "tiny grid and few epochs, for CI", out=False)
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel fits (default 1)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for sklearn_grid_search.csv, every grid point's CV "
                             "accuracy (default: no file)")
    args = parser.parse_args(argv)
    setup = QUICK if args.quick else FULL

    x, y = load_breast_cancer(return_X_y=True)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    widths = [(w,) for w in setup["widths"]]
    print(f"breast cancer: {x.shape[0]} samples, {x.shape[1]} features; 5-fold CV; "
          f"widths {setup['widths']}, learning rates {setup['learning_rates']}, "
          f"{setup['epochs']} epochs, batch 32")

    minikeras = MiniKerasClassifier(epochs=setup["epochs"], batch_size=32, random_state=0)
    ours = search("MiniKerasClassifier", minikeras,
                  {"clf__hidden_layer_sizes": widths,
                   "clf__learning_rate": setup["learning_rates"]}, cv, x, y, args.n_jobs)

    mlp = MLPClassifier(max_iter=setup["epochs"], batch_size=32, random_state=0)
    with warnings.catch_warnings():
        # Few epochs (--quick) leave the MLP unconverged; that is the point of the mode.
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = search("MLPClassifier", mlp,
                        {"clf__hidden_layer_sizes": widths,
                         "clf__learning_rate_init": setup["learning_rates"]}, cv, x, y,
                        args.n_jobs)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        write_table(args.out / "sklearn_grid_search.csv",
                    {"MiniKerasClassifier": ours, "MLPClassifier": theirs})
    return ours, theirs


if __name__ == "__main__":
    main()
