"""Run every workload against every contestant and write ``benchmarks/RESULTS.md``.

    python benchmarks/run.py [--epochs 5] [--data-dir ../shared/data/mnist]

Each contestant runs in its own process (``benchmarks/contestants.py``), so its
peak memory is its own, one after the other so they never compete for the
cores. On this virtual machine a whole process sometimes runs 30-50% slower
than the next identical one, so every contestant runs in ``--rounds`` fresh
processes (three times as many for the short workloads), interleaved with the
others in a rotating order, and its fastest round counts (as ``timeit`` keeps
the best of its repeats). OpenBLAS's ``OPENBLAS_CORETYPE`` and
``OPENBLAS_L2_SIZE``, which slow a current numpy, are removed from the
contestants' environment only. A peer that is not installed is reported as
skipped.

``--baseline REV`` adds minikeras as it was at the git revision ``REV`` as one
more contestant (``minikeras @ REV``), run by the same harness in the same
rounds: a change's speed is judged side by side, never against a figure
measured another day.
"""
import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.contestants import CONTESTANTS, WORKLOADS  # noqa: E402

TITLES = {
    "mnist_b128": "(a) MNIST 784-256-128-10, Adam, batch 128: seconds per epoch",
    "mnist_b32": "(b) MNIST 784-256-128-10, Adam, batch 32: seconds per epoch",
    "breast_cancer": "(c) Breast cancer 30-128-64-32-1, Adam, batch 100: seconds per epoch",
    "mnist_predict": "(d) predict on the 10,000 MNIST test images, batch 1000: seconds per pass",
}
PEERS = {"PyTorch": "torch", "Keras 3 (torch)": "keras", "scikit-learn MLP": "sklearn"}


def benchmark_env(minikeras_from=None):
    """The contestants' environment; ``minikeras_from``, a folder holding an older
    ``minikeras`` package, puts that package ahead of this checkout's."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env.setdefault("KERAS_BACKEND", "torch")
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [minikeras_from and str(minikeras_from), str(ROOT), env.get("PYTHONPATH")]))
    return env


def extract_baseline(revision, folder):
    """Write the ``minikeras`` package as it was at git ``revision`` into ``folder``;
    return the contestant's name, ``minikeras @ <short hash>``."""
    short = subprocess.run(["git", "rev-parse", "--short", revision], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "archive", revision, "minikeras"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return f"minikeras @ {short}"


def cpu_jiffies():
    """``(busy, total)`` jiffies of the whole machine, from /proc/stat (Linux)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return None
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def best_round(records):
    """The round with the lowest median; the peak memory of the worst."""
    done = [r for r in records if "median" in r]
    if not done:
        return records[-1]
    best = dict(min(done, key=lambda r: r["median"]))
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in done)
    best["foreign_load"] = max(r.get("foreign_load", 0) for r in done)
    best["round_medians"] = [r["median"] for r in done]
    return best


def _children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_one(workload, contestant, epochs, data_dir, minikeras_from=None):
    """Run one contestant in a subprocess; return its record, plus how busy the rest was.

    With ``minikeras_from`` the process starts in that folder, so that its
    ``minikeras`` is imported rather than this checkout's (the harness still is).
    """
    before = cpu_jiffies()
    children_before = _children_cpu_seconds()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.contestants", workload, contestant,
         "--epochs", str(epochs), "--data-dir", str(Path(data_dir).resolve())],
        cwd=minikeras_from or ROOT, env=benchmark_env(minikeras_from), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    out, err = process.communicate()
    after = cpu_jiffies()
    own = _children_cpu_seconds() - children_before
    if process.returncode != 0:
        return {"error": (err.strip().splitlines() or ["failed"])[-1]}
    record = json.loads(out.strip().splitlines()[-1])
    if before and after:
        busy, total = after[0] - before[0], after[1] - before[1]
        # CPU the machine spent beyond what this contestant used itself.
        own_jiffies = own * os.sysconf("SC_CLK_TCK")
        record["foreign_load"] = max(0.0, (busy - own_jiffies) / max(total, 1))
    return record


def machine_description():
    import numpy as np
    try:
        from threadpoolctl import threadpool_info
        pools = [f"{p['internal_api']} {p.get('version', '')} ({p['num_threads']} threads, "
                 f"{p.get('architecture', '?')} kernel)" for p in threadpool_info()
                 if p["user_api"] == "blas"]
    except ImportError:
        pools = ["threadpoolctl not installed"]
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"numpy {np.__version__}; BLAS: {', '.join(pools) or 'unknown'}")


def is_installed(contestant):
    module = PEERS.get(contestant)
    if module is None:
        return True
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                           env=benchmark_env())
    return probe.returncode == 0


def table(workload, results, rounds):
    base = results.get("minikeras", {}).get("median")
    floor = results.get("numpy floor", {}).get("median")
    rows = ["| contestant | median s | samples/s | peak RSS MB | accuracy | x minikeras | "
            "x numpy floor |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        if "median" not in r:
            rows.append(f"| {name} | {r.get('error', 'skipped')} | | | | | |")
            continue
        extra = f" ({r['gflops']:.0f} GFLOP/s)" if "gflops" in r else ""
        accuracy = "" if r["accuracy"] is None else f"{r['accuracy']:.4f}"
        rows.append(f"| {name}{extra} | {r['median']:.4g} | {r['samples_per_second']:,.0f} | "
                    f"{r['peak_rss_mb']:.0f} | {accuracy} | "
                    f"{r['median'] / base:.2f} | {r['median'] / floor:.2f} |"
                    if base and floor else f"| {name} | {r['median']:.4g} | | | | | |")
    return (f"### {TITLES[workload]}\n\nFastest of {rounds} rounds.\n\n" + "\n".join(rows)
            + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5,
                        help="timed epochs (or predict passes) after one warm-up (default 5)")
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"),
                        help="folder with the four MNIST IDX gzip files")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help="comma-separated subset of: " + ", ".join(WORKLOADS))
    parser.add_argument("--contestants", default=",".join(CONTESTANTS),
                        help="comma-separated subset of: " + ", ".join(CONTESTANTS))
    parser.add_argument("--rounds", type=int, default=3,
                        help="fresh processes per contestant, times 3 for the short workloads "
                             "(c) and (d); the fastest counts (default 3)")
    parser.add_argument("--baseline", metavar="REV",
                        help="also run minikeras as it was at this git revision, side by side")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)

    machine = machine_description()
    print(machine, flush=True)
    names = args.contestants.split(",")
    installed = {c: is_installed(c) for c in names}
    baseline_dir = None  # where the baseline's package is: its contestant's name -> folder
    if args.baseline:
        scratch = tempfile.TemporaryDirectory()
        baseline = extract_baseline(args.baseline, scratch.name)
        baseline_dir = {baseline: scratch.name}
        names.insert(names.index("minikeras") + 1 if "minikeras" in names else 0, baseline)
        installed[baseline] = True
    sections, warnings = [], []
    for workload in args.workloads.split(","):
        contestants = [c for c in names
                       if not (workload == "mnist_predict" and c == "scikit-learn MLP")]
        records = {c: [] for c in contestants}
        rounds = args.rounds * WORKLOADS[workload]["round_factor"]
        for round_ in range(rounds):
            # Each round starts with the next contestant, so that no one always runs
            # first (after a different workload) or right after the heaviest peer.
            shift = round_ % len(contestants)
            for contestant in contestants[shift:] + contestants[:shift]:
                if not installed[contestant]:
                    records[contestant] = [{"error": f"skipped: {PEERS[contestant]} not "
                                                     "installed (pip install -e '.[bench]')"}]
                    continue
                if baseline_dir and contestant in baseline_dir:
                    record = run_one(workload, "minikeras", args.epochs, args.data_dir,
                                     baseline_dir[contestant])
                else:
                    record = run_one(workload, contestant, args.epochs, args.data_dir)
                records[contestant].append(record)
                shown = f"{record['median']:.4f} s" if "median" in record else record["error"]
                print(f"{workload:14s} {contestant:18s} {shown}", flush=True)
        results = {c: best_round(r) for c, r in records.items()}
        for contestant, record in results.items():
            if record.get("foreign_load", 0) > 0.10:
                warnings.append(f"{workload} / {contestant}: other processes used up to "
                                f"{record['foreign_load']:.0%} of the machine during a round")
        sections.append(table(workload, results, rounds))

    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    command = " ".join(["python benchmarks/run.py"] + (argv if argv is not None else sys.argv[1:]))
    text = [f"# Benchmark results\n\nMeasured {stamp} with `{command}`.\n\nMachine: {machine}.\n\n"
            f"Median of {args.epochs} timed epochs (MNIST), 20 x that many (breast cancer) or "
            "4 x that many predict passes, after one warm-up, in the fastest round (--rounds, "
            "times 3 for the two short workloads); each round of each contestant is a fresh "
            "process, and the rounds are interleaved in a rotating order. The last two "
            "columns are this row's time over minikeras's and over the numpy floor's.\n"]
    if warnings:
        text.append("**Warning: the machine was not idle:**\n\n"
                    + "\n".join(f"- {w}" for w in warnings) + "\n")
    text += sections
    Path(args.out).write_text("\n".join(text))
    for warning in warnings:
        print("WARNING:", warning, file=sys.stderr)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
