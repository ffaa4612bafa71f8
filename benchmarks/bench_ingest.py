"""Ingest speed and memory: parse + extract rate (tweets/s, one core) and peak RSS for v1.1 and v2 inputs.

    python benchmarks/bench_ingest.py --tweets 1000000

Generates realistic v1.1 statuses (one per line, ~1/3 retweets with the original embedded, full user objects)
and twarc2 v2 pages (100 tweets per line with includes), then, each in a fresh process so peak memory is its own:

* ``parse+extract``: the reader over the whole file (the stage the 250k tweets/s target is for). With the compiled
  fast path (ingest/_fastjson.cpp) this already yields finished Arrow tables for every canonical table; on the
  pure-Python path (SIGNALBOOST_PURE_PYTHON=1) it yields row tuples;
* ``+arrow``: the same plus conversion of any row tuples to Arrow tables (all of them on the Python path);
* ``full ingest``: ``signalboost.ingest`` end to end into a fresh case (staging, dedup merge, Parquet, manifest).

Each file is read once before the stages so that they time parsing, not the disk (the page cache holds it
when memory allows; a stage that still finds it cold is slower than the one after it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def generate(path_v1: Path, path_v2: Path, count: int, seed: int = 7) -> None:
    from signalboost.render import Profile, Tweet, v1_status, v2_page

    rng = random.Random(seed)
    start = datetime(2017, 5, 5, 18, 0, tzinfo=UTC)
    profiles = [
        Profile(
            id=str(10_000_000 + i), username=f"user_{i}", name=f"User {i}",
            created_at=start - timedelta(days=rng.randint(10, 3000)), followers=rng.randint(0, 50_000),
            following=rng.randint(0, 5000), statuses=rng.randint(1, 200_000), description="Patriot. #MAGA fan",
            location="Paris, France",
        )  # fmt: skip
        for i in range(max(100, count // 20))
    ]
    words = ["leak", "macron", "campaign", "documents", "france", "election", "emails", "breaking", "share", "truth", "media"]
    originals: list[Tweet] = []
    with open(path_v1, "w") as v1, open(path_v2, "w") as v2:
        page: list[Tweet] = []
        for i in range(count):
            author = rng.choice(profiles)
            moment = start + timedelta(seconds=i * 0.05)
            roll = rng.random()
            text = " ".join(rng.choices(words, k=14)) + f" #MacronLeaks {i}"
            tweet = Tweet(
                id=str(860_000_000_000_000_000 + i), author=author, created_at=moment, text=text,
                hashtags=["MacronLeaks"], urls=[f"https://archive.org/details/EMLEAKS/{i % 500}"] if roll < 0.4 else [],
                mentions=[rng.choice(profiles)] if roll > 0.7 else [], retweet_count=rng.randint(0, 100),
            )  # fmt: skip
            if originals and roll < 0.33:
                tweet.retweet_of = rng.choice(originals[-500:])
            elif originals and roll < 0.40:
                tweet.quote_of = rng.choice(originals[-500:])
            elif originals and roll < 0.47:
                tweet.reply_to = rng.choice(originals[-500:])
            else:
                originals.append(tweet)
            v1.write(json.dumps(v1_status(tweet)) + "\n")
            page.append(tweet)
            if len(page) == 100:
                v2.write(json.dumps(v2_page(page, moment)) + "\n")
                page = []
        if page:
            v2.write(json.dumps(v2_page(page, start)) + "\n")


def run_stage(stage: str, path: str, tweets: int) -> None:
    """Runs in a child process; prints one JSON line of figures."""
    import signalboost
    from signalboost.ingest.batch import rows_to_table
    from signalboost.ingest.detect import detect
    from signalboost.ingest.source import InputFile
    from signalboost.schema import DATA_TABLES

    started = time.perf_counter()
    cpu_started = time.process_time()
    if stage == "ingest":
        with tempfile.TemporaryDirectory() as case:
            signalboost.ingest([path], Path(case) / "case")
    else:
        source = InputFile(path)
        reader = detect(source).reader(batch_size=5000)
        for batch in reader.read(source):
            if stage == "arrow":
                for spec in DATA_TABLES:
                    rows_to_table(spec, batch.rows(spec), reader.time_formats)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "peak_mb": peak_mb, "tweets_per_s": tweets / wall,
                      "tweets_per_cpu_s": tweets / cpu}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=1_000_000)
    parser.add_argument("--workdir", default=None, help="where to write the generated files (default: a temp dir)")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        run_stage(args.stage, args.path, args.tweets)
        return
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="sb-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    v1, v2 = workdir / f"v1_{args.tweets}.jsonl", workdir / f"v2_{args.tweets}.jsonl"
    if not (v1.exists() and v2.exists()):
        t0 = time.perf_counter()
        generate(v1, v2, args.tweets)
        print(f"generated {args.tweets:,} tweets in {time.perf_counter() - t0:.1f} s")
    print(f"inputs: v1.1 {v1.stat().st_size / 1e6:,.0f} MB ({v1.stat().st_size / args.tweets:,.0f} B/tweet), "
          f"v2 {v2.stat().st_size / 1e6:,.0f} MB")  # fmt: skip
    print(f"{'format':8} {'stage':14} {'wall s':>8} {'tweets/s':>12} {'tweets/cpu-s':>13} {'peak MB':>9}")
    for label, path in (("v1.1", v1), ("v2", v2)):
        with open(path, "rb") as warm:
            while warm.read(64 << 20):
                pass
        for stage, name in (("parse", "parse+extract"), ("arrow", "+arrow"), ("ingest", "full ingest")):
            out = subprocess.run(
                [sys.executable, __file__, "--stage", stage, "--path", str(path), "--tweets", str(args.tweets)],
                capture_output=True, text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
            )  # fmt: skip
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{label:8} {name:14} {figures['wall_s']:8.1f} {figures['tweets_per_s']:12,.0f} "
                  f"{figures['tweets_per_cpu_s']:13,.0f} {figures['peak_mb']:9,.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
