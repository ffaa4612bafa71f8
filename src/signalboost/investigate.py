"""The whole investigation: ingest, then every detector, then the output contract in one directory.

Output contract (names and columns are stable; see docs/outputs.md):

    catalysts.csv              rank, account_id, username, score, role, first_post_id, first_seen, content, evidence…
    accounts.csv               account_id, username, community, amplifier_cluster, role, bot_score, label
    amplifier_clusters.csv     cluster_id, size, automated, coordination_score, median_delay_s, top_content, …
    crossplatform_links.csv    chan_board, chan_thread, chan_post, tweet_id, account_id, url, direction, lag_s, evidence
    summary.json               counts, time span, coordination window, timings per stage
and, beside them, communities.csv, amplifier_members.csv, url_first_sightings.csv, bridges.csv, bot_scores.csv and case/ (the
ingested Parquet case).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
import pandas as pd

from .bots import label_groups
from .bots.evaluate import score_case
from .bots.features import case_evidence, retweet_evidence, structural_features
from .case import Case
from .detect import cross_platform_links, find_amplifier_clusters, find_communities, rank_catalysts
from .graph import account_edges, build_graph
from .ingest import IngestReport, ingest
from .memory import release_unused_memory

ACCOUNT_COLUMNS = ["account_id", "username", "community", "amplifier_cluster", "role", "bot_score", "label"]
EXPLAIN_FROM = 0.2  # bot_scores.csv explains accounts scoring at least this (the "mixed" bound of bots/communities.py)
ROLE_ORDER = ("catalyst", "mainstream-influencer", "amplifier", "early-poster", "organic")


@dataclass
class Investigation:
    out_dir: Path
    case: Case
    catalysts: pd.DataFrame
    accounts: pd.DataFrame
    amplifier_clusters: pd.DataFrame
    crossplatform_links: pd.DataFrame
    summary: dict
    files: dict[str, Path] = field(default_factory=dict)
    ingest_report: IngestReport | None = None
    communities: pd.DataFrame | None = None
    bot_scores: pd.DataFrame | None = None


def retweet_pagerank(edges: pd.DataFrame) -> pd.Series:
    """PageRank on the retweet/quote graph (retweeter → original author), weighted; evidence for catalysts."""
    subset = edges[edges["kind"].isin(["retweet", "quote"])]
    if subset.empty:
        return pd.Series(dtype=float)
    graph = build_graph(subset[["source", "target", "weight"]])
    scores = graph.pagerank(weights="weight", directed=True)
    return pd.Series(scores, index=graph.vs["name"])


def _timed(timings: dict, stage: str, func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    # A stage's temporaries are gone now; hand the allocators' cached free memory back, so that the two
    # processes' peaks do not stack on memory neither of them uses.
    release_unused_memory()
    timings[stage] = round(time.perf_counter() - started, 3)
    return result


def _case_only_stages(case_path: str, window_s: float | None, seed: int) -> tuple:
    """The stages that read nothing but the case: amplifier clusters and the bot model's case evidence."""
    case = Case.open(case_path)
    timings: dict = {}
    amplifiers = _timed(timings, "amplifiers", find_amplifier_clusters, case, window_s=window_s, seed=seed)
    evidence = _timed(timings, "bot_evidence", case_evidence, case, retweets=False)
    return amplifiers, evidence, timings


class SecondProcessFailed(RuntimeError):
    """A stage in the second process raised; the message carries its traceback."""


def _second_process(read_fd: int, write_fd: int) -> None:
    """The second process's main: one task in, its results (or the traceback) out."""
    import lightgbm  # noqa: F401  (not used here, but it brings scikit-learn and SciPy, which the stages use)

    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    try:
        task = inbox.recv()
    except EOFError:  # the parent finished without a task for it
        return
    try:
        reply = ("done", _case_only_stages(*task))
    except BaseException:  # noqa: BLE001  (handed to the parent, which raises it)
        reply = ("failed", traceback.format_exc())
    outbox.send(reply)


_SECOND_PROCESS_MAIN = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
    "from signalboost.investigate import _second_process; _second_process(int(sys.argv[2]), int(sys.argv[3]))"
)


class SecondCore:
    """A second Python process that runs the case-only stages beside the graph stages.

    Every detector seeds its own random state, and the stages run in a process of their own (igraph's Leiden
    draws from Python's ``random``, so threads would interleave their draws): results are the same as a serial
    run, which ``tests/test_simulation.py`` checks. It is a fresh interpreter, not a fork, so no lock held by
    another thread (Arrow's pool, OpenMP) is copied into it; and unlike multiprocessing's spawn it does not
    re-run the caller's script, so a script without an ``if __name__ == "__main__"`` guard is safe. Started before
    the ingest, its imports overlap the ingest.
    """

    def __init__(self) -> None:
        child_inbox, to_child = os.pipe()
        from_child, child_outbox = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SECOND_PROCESS_MAIN, json.dumps(sys.path), str(child_inbox), str(child_outbox)],
            pass_fds=(child_inbox, child_outbox), stdin=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(child_inbox)
        os.close(child_outbox)
        self.outbox = Connection(to_child, readable=False)
        self.inbox = Connection(from_child, writable=False)

    def submit(self, *task) -> None:
        with contextlib.suppress(OSError):  # it has died already; result() says so
            self.outbox.send(task)

    def result(self) -> tuple | None:
        """The stages' results, or None when the process died (out of memory, killed)."""
        try:
            reply = self.inbox.recv()
        except (EOFError, OSError):
            return None
        if reply[0] == "failed":
            raise SecondProcessFailed(f"a stage in the second process failed:\n{reply[1]}")
        return reply[1]

    def close(self) -> None:
        self.outbox.close()  # a process still waiting for a task sees the end of its input and exits
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # the parent stopped early, mid-stage
            self.process.kill()
            self.process.wait()
        self.inbox.close()


# Below these sizes the second process's start (a new interpreter importing pandas, igraph, LightGBM: 2–3 s of
# CPU) costs more than it saves; measured here, 100k simulated tweets (112 MB) ran as fast either way.
SECOND_PROCESS_FROM_POSTS = 100_000
SECOND_PROCESS_FROM_BYTES = 100 * 2**20


def use_second_core(parallel: bool | None, *, posts: int | None = None, input_bytes: int | None = None) -> bool:
    """``parallel`` as given; else whether more than one CPU is available to a POSIX interpreter and the work is
    big enough (``posts`` in the case, or ``input_bytes`` about to be ingested) to be worth a second process."""
    if parallel is not None:
        return parallel
    if os.name != "posix" or not sys.executable:
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus < 2:
        return False
    if posts is not None:
        return posts >= SECOND_PROCESS_FROM_POSTS
    if input_bytes is not None:
        return input_bytes >= SECOND_PROCESS_FROM_BYTES
    return True


def _input_bytes(inputs) -> int:
    """Bytes in the input files and directories (stdin and missing paths count 0; ingest reports those)."""
    total = 0
    for item in inputs:
        path = Path(item)
        if str(item) == "-" or not path.exists():
            continue
        if path.is_dir():
            total += sum(child.stat().st_size for child in path.rglob("*") if child.is_file())
        else:
            total += path.stat().st_size
    return total


def analyse(case: Case, out_dir: str | os.PathLike, *, seed: int = 0, window_s: float | None = None,
            timings: dict | None = None, report: bool = True, parallel: bool | None = None,
            worker: SecondCore | None = None) -> Investigation:  # fmt: skip
    """Run every detector on an existing case and write the output contract into ``out_dir``.

    With ``parallel`` (default: when more than one CPU is available and the case holds at least
    ``SECOND_PROCESS_FROM_POSTS`` posts) the amplifier clusters and the bot model's case evidence run in a second
    process while the graph, communities and catalysts run here; the results are the same either way.
    ``worker`` is an already started :class:`SecondCore` (``investigate`` starts one before its ingest); it is
    closed here.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    timings = {} if timings is None else timings
    if worker is None and use_second_core(parallel, posts=case.count("posts")):
        worker = SecondCore()
    try:
        if worker is not None:
            worker.submit(str(case.path), window_s, seed)
        edges = _timed(timings, "graph", account_edges, case)
        pagerank = _timed(timings, "pagerank", retweet_pagerank, edges)
        links = _timed(timings, "crosslinks", cross_platform_links, case)
        communities = _timed(timings, "communities", find_communities, case, edges=edges, seed=seed)
        catalysts = _timed(timings, "catalysts", rank_catalysts, case, links=links, pagerank=pagerank,
                           communities=communities.membership, seed=seed)  # fmt: skip
        # The rest of the bot evidence; here rather than in the other process, which has more to do.
        similarity, latency = _timed(timings, "bot_retweet_evidence", retweet_evidence, case)
        structure = _timed(timings, "bot_graph_structure", structural_features, edges)
        waited = time.perf_counter()
        done = worker.result() if worker is not None else None
        in_worker = done is not None
        if in_worker:
            timings["waiting_for_second_process"] = round(time.perf_counter() - waited, 3)
        else:  # serial, or the second process died: its stages run here
            done = _case_only_stages(str(case.path), window_s, seed)
        amplifiers, evidence, worker_timings = done
        evidence.similarity, evidence.latency = similarity, latency
        timings.update(worker_timings)
    finally:
        if worker is not None:
            worker.close()
    # Explanations (TreeSHAP) for the accounts worth a look; `signalboost bots score` explains every account.
    bot_scores = _timed(timings, "bots", score_case, case, edges=edges, amplifiers=amplifiers, evidence=evidence,
                        structure=structure, explain_from=EXPLAIN_FROM)  # fmt: skip
    community_table = communities.communities.merge(
        label_groups(communities.membership, bot_scores, "community"), on="community", how="left")
    cluster_table = amplifiers.clusters.merge(
        label_groups(amplifiers.membership, bot_scores, "cluster_id"), on="cluster_id", how="left")

    started = time.perf_counter()
    accounts = case.table("accounts", ["account_id", "username"]).drop_duplicates("account_id")
    accounts = accounts.merge(communities.membership, on="account_id", how="left")
    accounts = accounts.merge(amplifiers.membership.rename(columns={"cluster_id": "amplifier_cluster"}),
                              on="account_id", how="left")  # fmt: skip
    role = accounts["account_id"].map(catalysts.set_index("account_id")["role"])
    automated = set(amplifiers.clusters.loc[amplifiers.clusters["automated"].astype(bool), "cluster_id"])
    in_automated = accounts["amplifier_cluster"].isin(automated)
    # An account in an automated cluster is an amplifier even if it also posted early; catalysts and
    # influencers keep their role.
    leading = role.isin(["catalyst", "mainstream-influencer"])
    accounts["role"] = np.select([leading, in_automated, role.notna()], [role, "amplifier", role], default="organic")
    accounts["role"] = accounts["role"].astype(str)
    accounts = accounts.merge(bot_scores[["account_id", "bot_score", "label"]], on="account_id", how="left")
    order = {name: i for i, name in enumerate(ROLE_ORDER)}
    accounts = accounts.sort_values(["role", "account_id"], key=lambda s: s.map(order) if s.name == "role" else s)
    accounts = accounts[ACCOUNT_COLUMNS].reset_index(drop=True)

    files = {
        "catalysts": out / "catalysts.csv", "accounts": out / "accounts.csv",
        "amplifier_clusters": out / "amplifier_clusters.csv", "crossplatform_links": out / "crossplatform_links.csv",
        "communities": out / "communities.csv", "amplifier_members": out / "amplifier_members.csv",
        "url_first_sightings": out / "url_first_sightings.csv", "bridges": out / "bridges.csv",
        "bot_scores": out / "bot_scores.csv", "summary": out / "summary.json",
    }  # fmt: skip
    catalysts.to_csv(files["catalysts"], index=False)
    accounts.to_csv(files["accounts"], index=False)
    cluster_table.drop(columns=["members"]).to_csv(files["amplifier_clusters"], index=False)
    links.pairs.to_csv(files["crossplatform_links"], index=False)
    community_table.to_csv(files["communities"], index=False)
    bot_scores.to_csv(files["bot_scores"], index=False)
    amplifiers.membership.to_csv(files["amplifier_members"], index=False)
    links.first_sightings.to_csv(files["url_first_sightings"], index=False)
    links.bridges.to_csv(files["bridges"], index=False)
    timings["write"] = round(time.perf_counter() - started, 3)

    posts = case.table("posts", ["platform", "created_at", "in_collection"])
    times = posts["created_at"].dropna()
    summary = {
        "case": str(case.path),
        "counts": {
            "posts": int(len(posts)), "posts_in_collection": int(posts["in_collection"].sum()),
            "posts_by_platform": {k: int(v) for k, v in posts["platform"].value_counts().items()},
            "accounts": int(len(accounts)), "interaction_edges": int(len(edges)),
            "catalysts": int((catalysts["role"] == "catalyst").sum()),
            "mainstream_influencers": int((catalysts["role"] == "mainstream-influencer").sum()),
            "amplifier_clusters": int(len(amplifiers.clusters)),
            "automated_clusters": int(amplifiers.clusters["automated"].astype(bool).sum()),
            "communities": int(len(communities.communities)),
            "accounts_scored": int(bot_scores["bot_score"].notna().sum()),
            "accounts_labelled_bot": int((bot_scores["label"] == "bot").sum()),
            "crossplatform_links": int(len(links.pairs)),
        },
        "time_span": {"first": times.min().isoformat() if len(times) else None,
                      "last": times.max().isoformat() if len(times) else None},
        "coordination_window_s": amplifiers.window_s,
        "coordination_window_estimated": amplifiers.window_estimated,
        "modularity": round(communities.modularity, 4),
        "seed": seed,
        "timings_s": timings,
        # Stages that ran in the second process, beside the graph stages: their times overlap those.
        "stages_in_second_process": sorted(worker_timings) if in_worker else [],
        "files": {name: path.name for name, path in files.items()},
    }  # fmt: skip
    files["summary"].write_text(json.dumps(summary, indent=2) + "\n")
    if report:
        from .viz.report import build_report

        started = time.perf_counter()
        files["report"] = build_report(case, out)
        timings["report"] = round(time.perf_counter() - started, 3)
        summary["files"]["report"] = files["report"].name
        files["summary"].write_text(json.dumps(summary, indent=2) + "\n")
    return Investigation(out, case, catalysts, accounts, cluster_table, links.pairs, summary, files,
                         communities=community_table, bot_scores=bot_scores)  # fmt: skip


def _import_later_stages() -> None:
    import lightgbm  # noqa: F401


def investigate(inputs, out_dir: str | os.PathLike, *, seed: int = 0, window_s: float | None = None,
                quiet: bool = True, parallel: bool | None = None, **ingest_options) -> Investigation:  # fmt: skip
    """Ingest ``inputs`` into ``out_dir/case`` and run :func:`analyse` there (``parallel`` as there)."""
    out = Path(out_dir)
    started = time.perf_counter()
    # LightGBM (with scikit-learn) takes seconds to import; the ingest's compiled parser and Arrow leave the
    # interpreter free, so the bot stage's import happens on the other core meanwhile, as does the start of the
    # second process.
    threading.Thread(target=_import_later_stages, daemon=True).start()
    worker = SecondCore() if use_second_core(parallel, input_bytes=_input_bytes(inputs)) else None
    try:
        report = ingest(inputs, out / "case", quiet=quiet, **ingest_options)
    except BaseException:
        if worker is not None:
            worker.close()
        raise
    release_unused_memory()
    timings = {"ingest": round(time.perf_counter() - started, 3)}
    result = analyse(Case.open(out / "case"), out, seed=seed, window_s=window_s, timings=timings,
                     parallel=parallel, worker=worker)  # fmt: skip
    result.ingest_report = report
    return result
