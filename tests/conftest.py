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
