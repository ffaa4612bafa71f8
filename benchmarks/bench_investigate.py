"""End-to-end investigation speed and memory on simulated campaigns.

    python benchmarks/bench_investigate.py --tweets 100000 1000000

For each size: simulate a campaign (twarc2 v2 pages + a /pol/ thread; not timed), then run
``signalboost.investigate`` in a fresh process and print wall time per stage (from summary.json), the total, and
the peak memory. Targets on the 2-core reference machine: 1M tweets end to end ≤ 60 s and ≤ 4 GB.

``investigate`` runs the case-only stages (amplifiers, bot evidence) in a second process beside the graph stages
(``--serial`` turns that off), so peak memory is that of the whole process tree: the sum of the RSS of the
investigation and its children, sampled every 50 ms (shared library pages counted twice, so an upper bound).
The main process's own ``ru_maxrss`` is printed beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def child(inputs: list[str], out: str, parallel: bool) -> None:
    from signalboost.investigate import investigate

    started = time.perf_counter()
    result = investigate(inputs, out, parallel=parallel)
    total = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"total_s": total, "peak_mb": peak_mb, "timings": result.summary["timings_s"],
                      "counts": result.summary["counts"],
                      "second_process": result.summary["stages_in_second_process"]}))  # fmt: skip


def run_sampling_memory(command: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``command``; returns its result and the peak summed RSS (MB) of it and its descendants."""
    import psutil

    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    watched = psutil.Process(process.pid)
    output: dict[str, str] = {}

    def drain(name, stream):
        output[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(name, stream)) for name, stream in
               (("stdout", process.stdout), ("stderr", process.stderr))]  # fmt: skip
    for reader in readers:
        reader.start()
    while process.poll() is None:
        total = 0
        with contextlib.suppress(psutil.Error):  # a process may end between listing and reading it
            for member in [watched, *watched.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += member.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.05)
    for reader in readers:
        reader.join()
    return subprocess.CompletedProcess(command, process.returncode, output["stdout"], output["stderr"]), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workdir", help="where simulated inputs are kept (default: a temp dir)")
    parser.add_argument("--serial", action="store_true", help="run every stage in one process")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[:-1], args.child[-1], parallel=not args.serial)
        return
    from signalboost.simulate import simulate

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="sb-investigate-"))
    for size in args.tweets:
        folder = workdir / f"sim_{size}"
        if not (folder / "truth.json").exists():
            started = time.perf_counter()
            simulate(folder, size, seed=1)
            print(f"simulated {size:,} tweets in {time.perf_counter() - started:.0f} s (not part of the timing)")
        inputs = [str(folder / "tweets_v2.jsonl"), str(folder / "pol")]
        with tempfile.TemporaryDirectory() as out:
            command = [sys.executable, __file__, *(["--serial"] if args.serial else []), "--child", *inputs, out]
            run, tree_peak_mb = run_sampling_memory(command)
        if run.returncode != 0:
            print(run.stderr[-3000:])
            raise SystemExit(f"investigation of {size:,} tweets failed")
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        stages = "  ".join(f"{name} {seconds:.1f}s" for name, seconds in figures["timings"].items())
        counts = figures["counts"]
        beside = ", ".join(figures["second_process"]) or "nothing (serial)"
        print(f"{size:>10,} tweets: total {figures['total_s']:.1f} s, peak {tree_peak_mb:,.0f} MB for the process "
              f"tree (main process alone {figures['peak_mb']:,.0f} MB; {size / figures['total_s']:,.0f} tweets/s; "
              f"second process ran {beside})")  # fmt: skip
        print(f"{'':>18}{stages}")
        print(f"{'':>18}{counts['catalysts']} catalysts, {counts['amplifier_clusters']} clusters "
              f"({counts['automated_clusters']} automated), {counts['communities']} communities")  # fmt: skip


if __name__ == "__main__":
    main()
