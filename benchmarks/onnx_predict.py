"""Predict throughput: ONNX Runtime serving an exported model against ``model.predict``.

    python benchmarks/onnx_predict.py [--data-dir DIR] [--repeats 7]

Trains the MNIST MLP of workload (a) (784-256-128-10, ReLU, ReLU, softmax) for
one epoch, exports it with ``model.export(..., format="onnx")``, then predicts
the 10,000 test images with both, at several batch sizes, in this one process.
Each figure is the fastest of ``--repeats`` passes over the whole test set,
after one warm-up pass, the two contestants' passes interleaved. ONNX Runtime
runs with its default options (all optimizations, one thread per core) unless
``--threads`` limits both; batches are fed to it the way a server would, one
``run`` call per batch. The script also checks that the two agree (largest
difference, same predicted classes).

Needs the ``onnx`` extra and the MNIST files (default ``../shared/data/mnist``).
Unset ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` when running it, as for
``run.py``.
"""
import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import minikeras  # noqa: E402
from minikeras.datasets import mnist  # noqa: E402
from minikeras.layers import Dense, Flatten  # noqa: E402


def fastest(runs, repeats):
    """The fastest of ``repeats`` timed calls of each function, the calls interleaved."""
    for run in runs:
        run()  # warm-up
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batch-sizes", default="32,1000,10000")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for numpy's BLAS and for ONNX Runtime (default: theirs)")
    args = parser.parse_args(argv)
    import onnxruntime
    if args.threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)

    minikeras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=args.data_dir)
    x_train = (x_train / 255).astype(np.float32)
    x_test = (x_test / 255).astype(np.float32)
    model = minikeras.Sequential([minikeras.Input((28, 28)), Flatten(),
                                  Dense(256, activation="relu"), Dense(128, activation="relu"),
                                  Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=0)

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "mnist.onnx")
        model.export(path, verbose=False)
        options = onnxruntime.SessionOptions()
        if args.threads:
            options.intra_op_num_threads = args.threads
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    def serve(batch_size):
        return np.concatenate([session.run(None, {"input": x_test[i:i + batch_size]})[0]
                               for i in range(0, len(x_test), batch_size)])

    expected = model.predict(x_test, batch_size=1000, verbose=0)
    served = serve(1000)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; numpy "
          f"{np.__version__}, onnxruntime {onnxruntime.__version__}; MNIST test set "
          f"{x_test.shape[0]:,} x 784, fastest of {args.repeats} passes, threads: "
          f"{args.threads or 'default'}")
    print(f"agreement: largest difference {np.abs(served - expected).max():.1e}, same class "
          f"for {np.mean(served.argmax(1) == expected.argmax(1)):.2%}, accuracy "
          f"{np.mean(expected.argmax(1) == y_test):.4f}")
    print("| batch size | model.predict | ONNX Runtime | ONNX Runtime speed-up |")
    print("| ---: | ---: | ---: | ---: |")
    for batch_size in (int(b) for b in args.batch_sizes.split(",")):
        ours, theirs = fastest([lambda: model.predict(x_test, batch_size=batch_size, verbose=0),
                                lambda: serve(batch_size)], args.repeats)
        print(f"| {batch_size:,} | {len(x_test) / ours:,.0f}/s ({ours * 1000:.1f} ms) | "
              f"{len(x_test) / theirs:,.0f}/s ({theirs * 1000:.1f} ms) | {ours / theirs:.2f} |")


if __name__ == "__main__":
    main()
