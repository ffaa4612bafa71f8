"""The compiled fast path (ingest/_fastjson.cpp) writes exactly what the Python readers write.

Each input is ingested twice, once through the compiled extractor and once with SIGNALBOOST_PURE_PYTHON=1, and
every table of the two cases (quarantine included) must be equal row for row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import signalboost
from conftest import DATA, shared
from signalboost.ingest import fast
from signalboost.render import Profile, Tweet, v1_status, v2_page
from signalboost.schema import ALL_TABLES
from signalboost.simulate import simulate

pytestmark = pytest.mark.skipif(
    not fast.available(),
    reason="the compiled fast path is not built (needs Debian's libsimdjson-dev and g++ at install: make install)",
)


def test_fast_path_is_built_where_simdjson_is_installed():
    # A broken build must not pass unnoticed as "skipped": where the header exists, the module must import.
    if Path("/usr/include/simdjson.h").exists():
        assert fast._fastjson is not None


def ingest_both(tmp_path: Path, monkeypatch, *inputs: Path) -> tuple[signalboost.Case, signalboost.Case]:
    cases = []
    for mode in ("fast", "python"):
        monkeypatch.setenv("SIGNALBOOST_PURE_PYTHON", "1" if mode == "python" else "0")
        signalboost.ingest([str(path) for path in inputs], tmp_path / mode)
        cases.append(signalboost.Case.open(tmp_path / mode))
    return cases[0], cases[1]


def canonical(case: signalboost.Case, name: str) -> pd.DataFrame:
    frame = case.table(name)
    if name == "quarantine":
        frame = frame.assign(raw=frame["raw"].map(bytes))
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def assert_same_cases(fast_case: signalboost.Case, python_case: signalboost.Case) -> None:
    for spec in ALL_TABLES:
        pd.testing.assert_frame_equal(canonical(fast_case, spec.name), canonical(python_case, spec.name),
                                      obj=spec.name)  # fmt: skip


TWITTER_FIXTURES = sorted(
    path.name for path in DATA.glob("*.json*") if path.name not in ("users.jsonl", "v1_users_lookup.json")
)


@pytest.mark.parametrize("name", TWITTER_FIXTURES)
def test_fixture_files(tmp_path, monkeypatch, name):
    assert_same_cases(*ingest_both(tmp_path, monkeypatch, DATA / name))


@pytest.mark.shared_data
def test_shared_twitter_fixtures(tmp_path, monkeypatch):
    folders = [shared("twitter-v1.1-fixtures"), shared("twitter-v2-twarc-csv-fixtures")]
    inputs = [path for folder in folders for path in sorted(folder.glob("*.json*"))]
    assert len(inputs) > 20
    fast_case, python_case = ingest_both(tmp_path, monkeypatch, *inputs)
    assert fast_case.count("posts") > 1000
    assert_same_cases(fast_case, python_case)


def test_simulated_campaign_v1_and_v2(tmp_path, monkeypatch):
    paths = simulate(tmp_path / "sim", 3000, seed=5, v1=True)
    fast_case, python_case = ingest_both(tmp_path, monkeypatch, paths["v1"], paths["v2"])
    assert fast_case.count("posts") >= 3000
    assert_same_cases(fast_case, python_case)


def hostile_v1_lines() -> list[bytes]:
    author = Profile(id="42", username="catalyst", name="Ça", created_at=pd.Timestamp("2017-05-05", tz="UTC"))
    good = v1_status(Tweet(id="1000", author=author, created_at=pd.Timestamp("2017-05-05 18:00", tz="UTC"),
                           text="leak #MacronLeaks @x https://t.co/a", hashtags=["MacronLeaks", "Straße"],
                           urls=["https://www.Example.com/a/?utm_source=x&b=1"], mentions=[author]))  # fmt: skip
    variants = []

    def variant(**changes):
        status = json.loads(json.dumps(good))
        for key, value in changes.items():
            if value is ...:
                status.pop(key, None)
            else:
                status[key] = value
        variants.append(json.dumps(status, ensure_ascii=False).encode())

    variant()
    variant(id_str="1001", user=None)  # no author
    variant(id_str="1002", user={"id_str": 5})  # wrong type inside the user: quarantined
    variant(id_str="1003", retweet_count="7")  # a number as text: read loosely by the Python path
    variant(id_str=..., id=1004)  # numeric id only
    variant(id_str=..., id=...)  # no id at all: quarantined
    variant(id_str="1005", withheld_in_countries=["FR"], source='<a href="x">Tweet&amp;Deck</a>')
    variant(id_str="1006", extended_tweet={"full_text": "long text", "entities": {"hashtags": [{"text": "Long"}]}})
    variant(id_str="1007", entities=None, in_reply_to_status_id_str="1000", in_reply_to_user_id_str="42")
    variant(id_str="1008", retweeted_status={**good, "id_str": "999", "user": {**good["user"], "followers_count": 9}})
    variant(id_str="1009", quoted_status_id_str="999", text="quoting")
    variant(id_str="1010", created_at="Fri May 05 19:00:00 +0000 2017", user={**good["user"], "name": "later"})
    variant(id_str="1011", entities={"hashtags": None})  # null list: quarantined by both
    variant(id_str="1012", retweeted_status={"text": "embedded without id"})  # quarantined
    return [
        *variants,
        b'{"delete": {"status": {"id_str": "1"}}}',
        b"[" + variants[0] + b"]",
        b'{"id_str": "1013", "text": "bad \xff byte"}',
        b'{"id_str": "1014", "text": tru}',
        b'{"id_str": "1015", "text": "cut',
        b'{"id_str": "1016", "id_str": "1017", "text": "duplicate key"}',
        b"42",
    ]


def test_hostile_v1_lines(tmp_path, monkeypatch):
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(hostile_v1_lines()) + b"\n")
    fast_case, python_case = ingest_both(tmp_path, monkeypatch, path)
    assert fast_case.count("quarantine") >= 5
    assert_same_cases(fast_case, python_case)


def test_hostile_v2_lines(tmp_path, monkeypatch):
    author = Profile(id="42", username="Catalyst", name="C", created_at=pd.Timestamp("2017-05-05", tz="UTC"))
    fan = Profile(id="43", username="fan", name="F", created_at=pd.Timestamp("2016-01-01", tz="UTC"))
    when = pd.Timestamp("2017-05-05 18:00", tz="UTC")
    original = Tweet(id="1", author=author, created_at=when, text="dump", urls=["http://archive.org/x/"])
    retweet = Tweet(id="2", author=fan, created_at=when, text="RT dump", retweet_of=original, mentions=[author])
    page = v2_page([original, retweet], when)
    lines = [json.dumps(page)]
    no_ids = json.loads(lines[0])
    for mention in no_ids["data"][1]["entities"]["mentions"]:
        mention.pop("id")  # resolved through includes.users by lower-cased username
    lines.append(json.dumps(no_ids))
    errors_only = {"errors": [{"title": "Not Found Error", "resource_type": "tweet", "detail": "gone"}]}
    lines.append(json.dumps(errors_only))
    bad_author = json.loads(lines[0])
    bad_author["data"][0]["author_id"] = 42
    lines.append(json.dumps(bad_author))
    single = {"data": page["data"][0], "includes": page["includes"]}
    lines += [json.dumps(single), json.dumps({"includes": {}}), '{"data": [{"text": "no id"}]}']
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(lines) + "\n")
    fast_case, python_case = ingest_both(tmp_path, monkeypatch, path)
    assert fast_case.count("posts") >= 2
    assert_same_cases(fast_case, python_case)


def test_fast_path_hands_back_exactly_what_it_cannot_read():
    lines = hostile_v1_lines()
    chunk = b"\n".join(lines) + b"\n"
    _, rejected, notes, records, newlines = fast.extractor("extract_v1_statuses")(chunk, 1 << 20)
    assert records == newlines == len(lines)
    assert [chunk[start:end] for _, start, end in rejected] == [lines[index] + b"\n" for index, _, _ in rejected]
    rejected = [index for index, _, _ in rejected]
    # wrong type in user, number as text, no id, null list, embedded status without id, a stream notice, an
    # array, invalid UTF-8, an invalid literal, a cut-off line, a bare number
    assert rejected == [2, 3, 5, 12, 13, 14, 15, 16, 17, 18, 20]
    assert notes == {"withheld posts": 1}


def test_a_chunk_read_in_place_gives_what_a_copied_chunk_gives():
    """With ``CHUNK_SLACK`` spare bytes after it the chunk is parsed in place; without, the extension copies it."""
    from signalboost.ingest.source import CHUNK_SLACK

    pytest.importorskip("signalboost.ingest._fastjson")
    lines = hostile_v1_lines()
    chunk = b"\n".join(lines) + b"\n"
    # The spare bytes hold the start of a next line, as InputFile.chunks leaves them: they must change nothing.
    buffer = bytearray(chunk + b'{"id_str": "9", "text": "never read"' + b"x" * CHUNK_SLACK)
    in_place = memoryview(buffer)[: len(chunk)]
    extract = fast.extractor("extract_v1_statuses")
    copied = extract(chunk, 1 << 20)
    read_in_place = extract(in_place, 1 << 20, in_place.obj)
    too_short = extract(memoryview(bytearray(chunk))[: len(chunk)], 1 << 20, bytearray(chunk))  # another buffer: a copy

    def plain(result):
        tables, rejected, notes, records, newlines = result
        columns = {(table, name): tuple(bytes(b) if b is not None and not isinstance(b, (str, int)) else b
                                        for b in buffers)
                   for table, named in tables.items() for name, buffers in named.items()}  # fmt: skip
        return columns, rejected, notes, records, newlines

    assert plain(read_in_place) == plain(copied) == plain(too_short)
    assert copied[3] == len(lines)


ISO_TIMES = [
    "2017-05-05T18:00:00.000Z", "2017-05-05T18:00:00Z", "2017-05-05T18:00:04.950000+00:00",
    "2017-05-05T18:00:04.950123+02:30", "2016-02-29T23:59:59-05:00", "2017-02-29T10:00:00.000Z",
    "2017-05-05T18:00:00.1Z", "2017-05-05 18:00:00", "2017-05-05T25:00:00Z", "yesterday", "",
]  # fmt: skip
V1_TIMES = [
    "Fri May 05 18:00:00 +0000 2017", "Mon Feb 29 12:00:00 +0000 2016", "Fri Feb 29 12:00:00 +0000 2017",
    "Xyz May 05 18:00:00 +0000 2017", "Fri May 05 18:00:00 +0200 2017", "Fri May 5 18:00:00 +0000 2017", "",
]  # fmt: skip


def test_times_parsed_in_the_extension_agree_with_arrow(tmp_path, monkeypatch):
    # The extension parses the common shapes itself and passes every other one to Arrow; both must agree.
    flat = [json.dumps({"id": str(i), "text": "t", "author_id": "1", "created_at": value,
                        "__twarc": {"retrieved_at": value}}) for i, value in enumerate(ISO_TIMES)]  # fmt: skip
    v1 = [json.dumps({"id_str": str(100 + i), "text": "t", "created_at": value,
                      "user": {"id_str": "1", "created_at": value}}) for i, value in enumerate(V1_TIMES)]  # fmt: skip
    (tmp_path / "flat.jsonl").write_text("\n".join(flat) + "\n")
    (tmp_path / "v1.jsonl").write_text("\n".join(v1) + "\n")
    for name in ("flat.jsonl", "v1.jsonl"):
        fast_case, python_case = ingest_both(tmp_path / name.split(".")[0], monkeypatch, tmp_path / name)
        assert_same_cases(fast_case, python_case)
        assert fast_case.posts["created_at"].notna().sum() >= 3


def test_line_numbers_and_offsets_hold_across_chunks(tmp_path, monkeypatch):
    from signalboost.ingest import base

    monkeypatch.setattr(base, "BATCH_BYTES", 2000)  # a few lines a chunk
    lines = hostile_v1_lines()[:2] * 30
    lines[36] = b'{"id_str": "9", "text": '  # line 37
    lines[40] = b""  # a blank line 41 is skipped, not counted
    path = tmp_path / "many.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    fast_case, python_case = ingest_both(tmp_path, monkeypatch, path)
    assert_same_cases(fast_case, python_case)
    bad = fast_case.quarantine.iloc[0]
    assert bad["line"] == 37 and bad["offset"] == sum(len(line) + 1 for line in lines[:36])
