"""Where one minikeras training epoch spends its time (workload (a) by default).

    python benchmarks/profile_epoch.py [--batch-size 128] [--data-dir DIR]

Runs one warm-up epoch, then one epoch under cProfile, and splits its time by
the functions of the training step. The matrix products are timed apart, on
the same shapes, with preallocated outputs (the GEMM floor of ``contestants.py``).
"""
import argparse
import cProfile
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.contestants import WORKLOADS, load, minikeras_model, run_gemm  # noqa: E402

# (label, file suffix, function name): cumulative time of these functions.
PARTS = [
    ("Dense forward (matmul + bias; activation below)", "layers/dense.py", "forward"),
    ("Dense backward (matmuls + bias sum)", "layers/dense.py", "backward_from_logits"),
    ("activations forward", "activations.py", "forward_into"),
    ("activations backward", "activations.py", "backward_into"),
    ("loss value and gradient", "losses.py", "value_and_gradient"),
    ("optimizer (Adam, in place)", "optimizers.py", "apply"),
    ("batching (permutation + gather)", "utils/batching.py", "minibatches"),
    ("metrics and logs", "models.py", "update"),
    ("callbacks (batch hooks)", "callbacks.py", "on_train_batch_end"),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", default="mnist_b128",
                        choices=[w for w in WORKLOADS if not WORKLOADS[w]["predict"]])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    args = parser.parse_args(argv)
    workload = WORKLOADS[args.workload]
    data = load(workload, args.data_dir)
    x, y, _, _, classes = data
    model = minikeras_model(x.shape[1], workload["hidden"], classes)
    fit = lambda: model.fit(x, y, batch_size=workload["batch_size"], epochs=1, verbose=0)  # noqa: E731
    fit()
    profiler = cProfile.Profile()
    profiler.runcall(fit)
    stats = pstats.Stats(profiler).stats
    total = max(v[3] for (file, _, name), v in stats.items() if name == "fit")
    rows = []
    for label, suffix, function in PARTS:
        seconds = sum(v[3] for (file, _, name), v in stats.items()
                      if file.endswith(suffix) and name == function)
        rows.append((label, seconds))
    # Dense.forward calls the activation: count that time once, on the activation's row.
    rows[0] = (rows[0][0], rows[0][1] - rows[2][1])
    rows.append(("everything else (Python glue)", total - sum(s for _, s in rows)))
    gemm = min(run_gemm(workload, data, 3)[0])

    print(f"One epoch of {args.workload} under cProfile: {total:.3f} s "
          "(profiling adds overhead to every Python call)\n")
    print("| part | seconds | share |\n|---|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.3f} | {seconds / total:.0%} |")
    print(f"\nThe matrix products alone (GEMM floor, no profiler): {gemm:.3f} s per epoch.")


if __name__ == "__main__":
    main()
