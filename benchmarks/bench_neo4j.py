"""Neo4j loading speed: rows/s per node label and relationship type into a real Bolt server, and driver encoding.

    python benchmarks/bench_neo4j.py --tweets 100000 [--batch-size 10000] [--uri bolt://... (else ArcadeDB)]

Simulates a campaign, investigates it, then loads it with ``signalboost.graphdb.load_case`` into the server the
test suite uses (ArcadeDB from the arcadedb-embedded wheel, in a temporary directory) or into ``--uri`` (credentials
from NEO4J_USER / NEO4J_PASSWORD; the database is wiped first, so never point it at one you need). Then, in two
fresh processes, it times encoding a 100k-row UNWIND parameter of real Tweet rows with the driver's pure-Python
packer and with the neo4j-rust-ext one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENCODE = r"""
import io, pickle, sys, time
if sys.argv[1] == "pure":
    sys.modules["neo4j._rust"] = None
from neo4j._codec.hydration.bolt.v2.hydration_handler import HydrationHandler
from neo4j._codec.packstream.v1 import Packer
rows = pickle.load(open(sys.argv[2], "rb"))
hooks = HydrationHandler().new_hydration_scope().dehydration_hooks
buffer = io.BytesIO()
started = time.perf_counter()
Packer(buffer).pack({"rows": rows}, hooks)
print(f"{len(rows) / (time.perf_counter() - started):.0f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--uri", help="a Neo4j to load into instead of ArcadeDB (it is wiped first)")
    args = parser.parse_args()

    import pickle

    from neo4j import GraphDatabase

    from signalboost import Case
    from signalboost.graphdb import Analysis, graph_rows, load_rows
    from signalboost.graphdb.arcade import DATABASE, ArcadeServer
    from signalboost.graphdb.loader import records
    from signalboost.investigate import investigate
    from signalboost.simulate import simulate

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        paths = simulate(tmp / "input", args.tweets, seed=1)
        investigate([paths["v2"], paths["chan"]], tmp / "out", seed=0)
        rows = graph_rows(Case.open(tmp / "out" / "case"), Analysis.from_dir(tmp / "out"))
        print(f"simulated and investigated {args.tweets:,} tweets in {time.perf_counter() - started:.0f} s (not timed below)")

        server = None
        if args.uri:
            uri, auth, database = args.uri, (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")), None
            target = "Neo4j at " + args.uri
        else:
            server = ArcadeServer(tmp / "arcadedb").start()
            uri, auth, database, target = server.uri, server.auth, DATABASE, "ArcadeDB 26.10.2 (arcadedb-embedded, Bolt)"
        try:
            with GraphDatabase.driver(uri, auth=auth) as driver:
                driver.execute_query("MATCH (n) DETACH DELETE n", database_=database)
                report = load_rows(driver, rows, database=database, batch_size=args.batch_size)
        finally:
            if server:
                server.stop()
        print(f"\nload into {target}, batch {args.batch_size:,} rows, one managed transaction per batch")
        print(f"{'label / relationship':40} {'rows':>10} {'seconds':>8} {'rows/s':>10}")
        for name, count in report.rows.items():
            if count:
                print(f"{name:40} {count:>10,} {report.seconds[name]:>8.2f} {report.rate(name):>10,.0f}")
        total = sum(report.rows.values())
        print(f"{'total':40} {total:>10,} {report.total_seconds:>8.2f} {total / report.total_seconds:>10,.0f}")

        sample, _ = records(rows.nodes["Tweet"].head(100_000))
        sample = (sample * (100_000 // max(len(sample), 1) + 1))[:100_000]
        with open(tmp / "rows.pickle", "wb") as handle:
            pickle.dump(sample, handle)
        print("\ndriver-side encoding of a 100,000-row UNWIND parameter (Tweet rows):")
        for mode in ("pure", "rust"):
            out = subprocess.run([sys.executable, "-c", ENCODE, mode, str(tmp / "rows.pickle")], capture_output=True,
                                 text=True, check=True)  # fmt: skip
            label = "pure Python packer" if mode == "pure" else "neo4j-rust-ext"
            print(f"  {label:20} {int(out.stdout):>12,} rows/s")


if __name__ == "__main__":
    main()
