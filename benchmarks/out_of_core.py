"""Epoch time of out-of-core training against the in-memory run, on the MNIST training rows.

    python benchmarks/out_of_core.py [--epochs 3] [--rounds 2] [--cases dask ...]
                                     [--data-dir ../shared/data/mnist]

Workload (a) of ``run.py`` (784-256-128-10, ReLU, softmax, Adam 1e-3, batch 128,
shuffled) on the same 60,000 rows, read four ways, each case in fresh processes
(the fastest of ``--rounds`` counts) with one BLAS thread (``--blas-threads``):

* ``memory``: a float32 array (pixels / 255) loaded whole;
* ``memmap-f32``: the same array in a ``.npy`` file, ``np.load(mmap_mode="r")``:
  batches are gathered from the map, nothing converted;
* ``memmap-u8``: the raw pixels' file, which each block converts to float32
  when it is loaded (no scaling: it measures the reading, not the learning);
* ``dask``: ``da.from_array`` of the uint8 map in chunks of 3,000 rows, ``/ 255``
  as float32 in Dask, so every chunk is read and preprocessed when it is
  computed (Dask's local threads; needs the ``distributed`` extra's dask).

It prints one line per case: the median seconds per timed epoch (after one
warm-up epoch), wall-clock and CPU (of all the process's threads; CPU time
suffers less when other jobs share the machine), each the best of the rounds,
their ratios to the in-memory run, the final training accuracy, the process's
peak resident memory (``VmHWM``), and the largest anonymous memory
(``RssAnon``: what the process allocated itself) seen every 50 batches. The
peak resident memory also counts the file's pages a memory map has touched:
those belong to the page cache, which the kernel empties when it needs the
room; the anonymous memory is what reading by blocks saves.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = ("memory", "memmap-f32", "memmap-u8", "dask")


def prepare_files(data_dir, folder):
    """Write the MNIST training rows as x_f32.npy (pixels / 255), x_u8.npy and y.npy."""
    sys.path.insert(0, str(ROOT))
    from minikeras.datasets import mnist
    (x, y), _ = mnist.load_data(path=data_dir)
    x = x.reshape(len(x), -1)
    np.save(folder / "x_u8.npy", x)
    np.save(folder / "x_f32.npy", x.astype(np.float32) / 255)
    np.save(folder / "y.npy", y.astype(np.int64))


def run_case(case, folder, epochs):
    """One case in this process; the record as a dict."""
    from minikeras import Input, Sequential, callbacks
    from minikeras.layers import Dense
    from minikeras.random import set_seed

    y = np.load(folder / "y.npy")
    if case == "memory":
        x = np.load(folder / "x_f32.npy")
    elif case == "memmap-f32":
        x = np.load(folder / "x_f32.npy", mmap_mode="r")
    elif case == "memmap-u8":
        x = np.load(folder / "x_u8.npy", mmap_mode="r")
    else:
        import dask.array as da
        pixels = da.from_array(np.load(folder / "x_u8.npy", mmap_mode="r"), chunks=(3_000, 784))
        x = (pixels / 255).astype(np.float32)
    set_seed(0)
    model = Sequential([Input((784,)), Dense(256, activation="relu"),
                        Dense(128, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    times, cpu_times, anonymous = [], [], [memory_mb("RssAnon")]

    class Clock(callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start, self.cpu_start = time.perf_counter(), time.process_time()

        def on_train_batch_end(self, batch, logs=None):
            if batch % 50 == 0:
                anonymous.append(memory_mb("RssAnon"))

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)
            cpu_times.append(time.process_time() - self.cpu_start)

    history = model.fit(x, y, batch_size=128, epochs=epochs + 1, verbose=0,
                        callbacks=[Clock()])
    return {"case": case, "median": float(np.median(times[1:])),
            "cpu": float(np.median(cpu_times[1:])),
            "accuracy": history.history["accuracy"][-1],
            "peak_rss_mb": memory_mb("VmHWM"), "anonymous_mb": max(anonymous)}


def memory_mb(field):
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs after one warm-up")
    parser.add_argument("--rounds", type=int, default=2, help="fresh processes per case")
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads per process (0: the library's default)")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES),
                        help="the cases to run; 'memory' is always run, as the base")
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)   # a child's case
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.folder), args.epochs)))
        return
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    if args.blas_threads:
        env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = str(args.blas_threads)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cases = [case for case in CASES if case == "memory" or case in args.cases]
    with tempfile.TemporaryDirectory() as folder:
        prepare_files(args.data_dir, Path(folder))
        best = {}
        for _ in range(args.rounds):
            for case in cases:   # interleaved, so a slow phase of the machine hits every case
                out = subprocess.run([sys.executable, __file__, "--case", case, "--folder", folder,
                                      "--epochs", str(args.epochs)], env=env, check=True,
                                     capture_output=True, text=True).stdout
                record = json.loads(out.strip().splitlines()[-1])
                if case not in best or record["median"] < best[case]["median"]:
                    best[case] = dict(record, cpu=min(record["cpu"], best.get(case, record)["cpu"]))
                else:
                    best[case]["cpu"] = min(best[case]["cpu"], record["cpu"])
    base, cpu_base = best["memory"]["median"], best["memory"]["cpu"]
    print(f"{'case':<16} {'s/epoch':>8} {'ratio':>6} {'CPU s':>7} {'ratio':>6} {'accuracy':>9} "
          f"{'peak RSS':>9} {'anonymous':>10}")
    for case in cases:
        r = best[case]
        print(f"{case:<16} {r['median']:8.3f} {r['median'] / base:6.2f} {r['cpu']:7.3f} "
              f"{r['cpu'] / cpu_base:6.2f} {r['accuracy']:9.4f} {r['peak_rss_mb']:6.0f} MB "
              f"{r['anonymous_mb']:7.0f} MB")


if __name__ == "__main__":
    main()
