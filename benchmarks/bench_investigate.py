"""End-to-end investigation speed and memory on simulated campaigns.

    python benchmarks/bench_investigate.py --tweets 100000 1000000

For each size: simulate a campaign (twarc2 v2 pages + a /pol/ thread; not timed), then run
``signalboost.investigate`` in a fresh process and print wall time per stage (from summary.json), the total, and
the process's peak RSS. Targets on the 2-core reference machine: 1M tweets end to end ≤ 60 s and ≤ 4 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(inputs: list[str], out: str) -> None:
    from signalboost.investigate import investigate

    started = time.perf_counter()
    result = investigate(inputs, out)
    total = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"total_s": total, "peak_mb": peak_mb, "timings": result.summary["timings_s"],
                      "counts": result.summary["counts"]}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workdir", help="where simulated inputs are kept (default: a temp dir)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[:-1], args.child[-1])
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
            run = subprocess.run([sys.executable, __file__, "--child", *inputs, out], capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stderr[-3000:])
            raise SystemExit(f"investigation of {size:,} tweets failed")
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        stages = "  ".join(f"{name} {seconds:.1f}s" for name, seconds in figures["timings"].items())
        counts = figures["counts"]
        print(f"{size:>10,} tweets: total {figures['total_s']:.1f} s, peak {figures['peak_mb']:,.0f} MB "
              f"({size / figures['total_s']:,.0f} tweets/s)")  # fmt: skip
        print(f"{'':>18}{stages}")
        print(f"{'':>18}{counts['catalysts']} catalysts, {counts['amplifier_clusters']} clusters "
              f"({counts['automated_clusters']} automated), {counts['communities']} communities")  # fmt: skip


if __name__ == "__main__":
    main()
