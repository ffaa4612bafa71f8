"""The CLI over real fixture files, through click's CliRunner, with exact counts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from conftest import DATA
from signalboost.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def run(*args, input=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)
    return result


def test_ingest_then_info_and_export(tmp_path):
    case = tmp_path / "case"
    result = run("ingest", DATA / "brexit.jsonl", DATA / "4chan" / "pol_thread_527919246.json", "--case", case)
    assert result.exit_code == 0, result.output
    assert "twitter-v2 — 1 records" in result.output and "4chan-thread" in result.output
    info = json.loads(run("info", "--case", case, "--format", "json").output)
    assert info["tables"]["posts"] == 155 + 225  # 159 brexit rows, 4 of them both in data and includes
    assert info["platforms"] == {"twitter": 155, "4chan": 225}
    assert info["posts_in_collection"] == 100 + 225
    table = run("info", "--case", case).output
    assert "posts by platform" in table and "time span" in table
    csv_text = run("export", "posts", "--case", case).output
    frame = pd.read_csv(io.StringIO(csv_text), dtype=str)
    assert len(frame) == 380 and "post_id" in frame.columns
    records = json.loads(run("export", "hashtags", "--case", case, "--format", "json").output)
    assert len(records) == 250 and {"post_id", "tag", "normalised_tag"} <= set(records[0])
    out = tmp_path / "urls.parquet"
    assert run("export", "urls", "--case", case, "--format", "parquet", "-o", out).exit_code == 0
    assert len(pd.read_parquet(out)) == info["tables"]["urls"]
    assert "post_id" in run("export", "posts", "--case", case, "--format", "table", "--limit", "2").output


def test_stdin_and_quarantine_listing(tmp_path):
    case = tmp_path / "case"
    lines = (DATA / "two_tweets.jsonl").read_text() + "{broken\n"
    result = run("ingest", "-", "--case", case, input=lines)
    assert result.exit_code == 0, result.output
    assert "<stdin>" in result.output
    listing = json.loads(run("quarantine", "--case", case, "--format", "json").output)
    assert listing == [{"file": "<stdin>", "line": 2, "offset": len(lines) - len("{broken\n"), "location": "line 2",
                        "reader": "twitter-v2", "reason": listing[0]["reason"], "raw_truncated": False}]  # fmt: skip
    assert listing[0]["reason"].startswith("malformed JSON")


def test_missing_case_is_a_clear_error(tmp_path):
    result = run("info", "--case", tmp_path / "nope")
    assert result.exit_code == 1 and "signalboost ingest" in result.output


def test_every_command_has_help_and_is_in_the_readme():
    readme = README.read_text()
    for name, command in cli.commands.items():
        assert command.help and len(command.help) > 20, name
        assert f"signalboost {name}" in readme, f"README does not mention `signalboost {name}`"
        assert run(name, "--help").exit_code == 0
