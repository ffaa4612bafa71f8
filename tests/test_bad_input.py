"""Every kind of bad input ends in quarantine with the right reason, and good records still go through."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest
import zstandard
from click.testing import CliRunner

from signalboost.cli import cli
from signalboost.render import Profile, Tweet, v1_status

START = datetime(2017, 5, 5, 18, 0, tzinfo=UTC)


def status_lines(count: int) -> list[bytes]:
    author = Profile(id="42", username="catalyst", name="C", created_at=START)
    return [
        json.dumps(v1_status(Tweet(id=str(1000 + i), author=author, created_at=START, text=f"tweet {i}"))).encode()
        for i in range(count)
    ]


def write_lines(path, lines):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def only_reason(case):
    reasons = case.quarantine["reason"].tolist()
    assert len(reasons) == 1, reasons
    return reasons[0]


def test_malformed_json_line(ingest_into, tmp_path):
    lines = status_lines(5)
    lines[2] = b'{"id_str": "1", "text": '
    case, report = ingest_into(write_lines(tmp_path / "t.jsonl", lines))
    assert case.count("posts") == 4
    bad = case.quarantine.iloc[0]
    assert bad["line"] == 3 and bad["location"] == "line 3"
    assert bad["reason"].startswith("malformed JSON") and "cut off" in bad["reason"]
    assert bad["offset"] == len(lines[0]) + len(lines[1]) + 2
    assert bad["raw"] == lines[2] + b"\n"


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_truncated_compressed_file(ingest_into, tmp_path, compression):
    data = b"\n".join(status_lines(2000)) + b"\n"
    packed = gzip.compress(data) if compression == "gzip" else zstandard.ZstdCompressor().compress(data)
    path = tmp_path / f"t.jsonl.{'gz' if compression == 'gzip' else 'zst'}"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    case, report = ingest_into(path)
    posts = case.count("posts")
    assert 0 < posts < 2000
    reasons = case.quarantine["reason"].tolist()
    assert any("truncated or corrupt" in reason for reason in reasons)
    assert report.usable


def test_invalid_utf8_line_names_the_fix(ingest_into, tmp_path):
    lines = status_lines(3)
    lines[1] = lines[1].replace(b"tweet 1", "café".encode("latin-1"))
    case, _ = ingest_into(write_lines(tmp_path / "t.jsonl", lines))
    assert case.count("posts") == 2
    reason = only_reason(case)
    assert "invalid UTF-8" in reason and "--encoding" in reason and "iconv" in reason


def test_latin1_csv_is_read_with_encoding(ingest_into, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("id,created_at,username,text\n1,2017-05-05 18:00:00,amélie,élection\n".encode("latin-1"))
    case, _ = ingest_into(path)
    assert case.count("posts") == 0
    assert "--encoding" in only_reason(case)
    case, _ = ingest_into(path, encoding="latin-1")
    assert case.posts.iloc[0]["text"] == "élection"
    assert case.posts.iloc[0]["account_id"] == "@amélie"


def test_missing_id(ingest_into, tmp_path):
    lines = status_lines(2)
    record = json.loads(lines[0])
    del record["id"], record["id_str"]
    lines[0] = json.dumps(record).encode()
    case, _ = ingest_into(write_lines(tmp_path / "t.jsonl", lines))
    assert case.count("posts") == 1
    assert only_reason(case) == "missing required field: id_str"


def test_wrong_field_type(ingest_into, tmp_path):
    lines = status_lines(2)
    record = json.loads(lines[0])
    record["retweet_count"] = {"many": True}
    lines[0] = json.dumps(record).encode()
    case, _ = ingest_into(write_lines(tmp_path / "t.jsonl", lines))
    assert case.count("posts") == 1
    reason = only_reason(case)
    assert reason.startswith("not a Twitter v1.1 status record") and "retweet_count" in reason


def test_nul_bytes(ingest_into, tmp_path):
    lines = status_lines(3)
    lines[1] = lines[1][:20] + b"\x00\x00" + lines[1][20:]
    case, _ = ingest_into(write_lines(tmp_path / "t.jsonl", lines))
    assert case.count("posts") == 2
    assert only_reason(case) == "NUL byte at position 20; the file is damaged"


def test_huge_line(ingest_into, tmp_path):
    lines = status_lines(3)
    record = json.loads(lines[1])
    record["text"] = "x" * 50_000
    lines[1] = json.dumps(record).encode()
    case, _ = ingest_into(write_lines(tmp_path / "t.jsonl", lines), max_record_bytes=10_000)
    assert case.count("posts") == 2
    bad = case.quarantine.iloc[0]
    assert "exceeds the 10,000-byte limit" in bad["reason"] and "--max-record-mb" in bad["reason"]
    assert bad["line"] == 2


def test_empty_and_unknown_files(ingest_into, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some notes\nnothing here\n")
    good = write_lines(tmp_path / "good.jsonl", status_lines(1))
    case, report = ingest_into(empty, unknown, good)
    assert [f.status for f in report.files] == ["empty", "unsupported", "read"]
    reasons = case.quarantine.set_index("file")["reason"]
    assert reasons[str(empty)] == "empty file"
    assert "Supported:" in reasons[str(unknown)] and "4chan API thread JSON" in reasons[str(unknown)]
    assert case.count("posts") == 1


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    result = runner.invoke(cli, ["ingest", str(bad), "--case", str(tmp_path / "a"), "-q"])
    assert result.exit_code == 1
    assert "nothing usable was read" in result.output
    good = write_lines(tmp_path / "good.jsonl", status_lines(2))
    result = runner.invoke(cli, ["ingest", str(bad), str(good), "--case", str(tmp_path / "b"), "-q"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["ingest", str(bad), str(good), "--case", str(tmp_path / "c"), "-q", "--strict"])
    assert result.exit_code == 1 and "--strict" in result.output
    result = runner.invoke(cli, ["ingest", str(tmp_path / "missing.json"), "--case", str(tmp_path / "d")])
    assert result.exit_code == 1 and "no such file" in result.output
