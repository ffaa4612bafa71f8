from __future__ import annotations

from pathlib import Path

import pytest

import signalboost

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared(relative: str) -> Path:
    """A file of ../shared/data; the test is skipped, saying so, when the folder is not beside the checkout."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs {path} (the shared real-data folder beside the checkout)")
    return path


@pytest.fixture
def ingest_into(tmp_path):
    """ingest_into(*inputs, **options) -> (Case, IngestReport) in a fresh case directory."""
    counter = iter(range(1000))

    def run(*inputs, **options):
        case_dir = tmp_path / f"case{next(counter)}"
        report = signalboost.ingest([str(item) for item in inputs], case_dir, **options)
        return signalboost.Case.open(case_dir), report

    return run


def in_collection(case):
    posts = case.posts
    return posts[posts["in_collection"].astype(bool)]


@pytest.fixture
def case_of(tmp_path):
    """case_of(tweets, chan_posts=None) -> Case built from rendered v2 pages and a /pol/ thread file."""
    import json

    from signalboost.render import chan_thread, v2_page

    counter = iter(range(1000))

    def build(tweets, chan_posts=None):
        folder = tmp_path / f"built{next(counter)}"
        (folder / "pol").mkdir(parents=True)
        inputs = []
        if tweets:
            pages = folder / "tweets.jsonl"
            with open(pages, "w") as handle:
                for start in range(0, len(tweets), 100):
                    chunk = tweets[start : start + 100]
                    handle.write(json.dumps(v2_page(chunk, max(t.created_at for t in chunk))) + "\n")
            inputs.append(pages)
        if chan_posts:
            thread = folder / "pol" / "thread.json"
            thread.write_text(json.dumps(chan_thread(chan_posts)))
            inputs.append(thread)
        report = signalboost.ingest(inputs, folder / "case")
        assert report.quarantined == 0
        return signalboost.Case.open(folder / "case")

    return build


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory):
    """A real Bolt server for the Neo4j layer: ArcadeDB from the arcadedb-embedded wheel (a dependency), or the
    Neo4j named by SIGNALBOOST_TEST_NEO4J_URI (with SIGNALBOOST_TEST_NEO4J_USER / _PASSWORD / _DATABASE).

    The tests wipe that database, which is why a real Neo4j is named by its own variable and never by NEO4J_URI.
    Yields (uri, user, password, database).
    """
    import os

    uri = os.environ.get("SIGNALBOOST_TEST_NEO4J_URI")
    if uri:
        yield (uri, os.environ.get("SIGNALBOOST_TEST_NEO4J_USER", "neo4j"),
               os.environ.get("SIGNALBOOST_TEST_NEO4J_PASSWORD", ""), os.environ.get("SIGNALBOOST_TEST_NEO4J_DATABASE"))
        return
    from signalboost.graphdb.arcade import DATABASE, ArcadeServer

    server = ArcadeServer(tmp_path_factory.mktemp("arcadedb"))
    server.start()
    try:
        yield server.uri, server.auth[0], server.auth[1], DATABASE
    finally:
        server.stop()
