"""Which reader fits a file: decided from its content (first records or CSV header), never from its name alone."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import msgspec

from . import csvfiles, fourchan, twitter_v1, twitter_v2
from .base import Reader
from .source import InputFile, TruncatedInput

SUPPORTED_FORMATS = (
    "Twitter v1.1 statuses (JSON lines, a JSON array, or a search response with 'statuses'), gzip/zstd or plain",
    "Twitter v1.1 user objects (JSON lines or array)",
    "Twitter v2 twarc2 pages (one response page per line) and twarc2 flattened tweets (one tweet per line)",
    "Twitter v2 user lookups (pages or one user per line)",
    "4chan API thread JSON ({\"posts\": [...]}, one file or one thread per line)",
    "CSV: IRA troll tweets (FiveThirtyEight/Clemson), 4chan posts (no,resto,time,com), "
    "v1.1 user profiles (id,screen_name,followers_count,...), generic tweets (id,created_at,author_id|username,text)",
)


@dataclass(frozen=True)
class Detection:
    reader: type[Reader] | None
    reason: str  # why this reader, or why none


def _classify(value) -> type[Reader] | str | None:
    """A reader class for one decoded JSON value, a string explaining a known-unsupported shape, or None."""
    if isinstance(value, list):
        for item in value[:20]:
            found = _classify(item)
            if found is None or isinstance(found, str):
                if found is not None:
                    return found
                continue
            if found in (
                twitter_v1.TwitterV1StatusReader, twitter_v1.TwitterV1UserReader, twitter_v2.TwitterV2UserLineReader
            ):
                return found
            return f"a JSON array of {found.name} records (this format is read one record per line)"
        return None
    if not isinstance(value, dict):
        return None
    keys = value.keys()
    if "posts" in keys and isinstance(value["posts"], list):
        return fourchan.ChanThreadReader
    if "statuses" in keys:
        return twitter_v1.TwitterV1StatusReader
    if "data" in keys:
        data = value["data"]
        first = data[0] if isinstance(data, list) and data else data
        if isinstance(first, dict):
            if "text" in first:
                return twitter_v2.TwitterV2PageReader
            if "username" in first:
                return twitter_v2.TwitterV2UserReader
            return "a Twitter v2 page from an endpoint without tweets or users (counts, lists, compliance)"
        return None
    if "id_str" in keys or ("user" in keys and ("text" in keys or "full_text" in keys)):
        if "screen_name" in keys and "text" not in keys and "full_text" not in keys:
            return twitter_v1.TwitterV1UserReader
        return twitter_v1.TwitterV1StatusReader
    if "screen_name" in keys and ("followers_count" in keys or "id" in keys):
        return twitter_v1.TwitterV1UserReader
    if "text" in keys and ("author_id" in keys or "author" in keys) and "id" in keys:
        return twitter_v2.TwitterV2FlatReader
    if "username" in keys and "id" in keys:
        return twitter_v2.TwitterV2UserLineReader
    if "profile" in keys and "tweet" in keys:
        return "a TwiBot-20 style user bundle (not a supported input yet)"
    return None


_DOCUMENT_VARIANTS = {
    twitter_v1.TwitterV1StatusReader: twitter_v1.TwitterV1StatusDocumentReader,
    twitter_v1.TwitterV1UserReader: twitter_v1.TwitterV1UserDocumentReader,
    fourchan.ChanThreadReader: fourchan.ChanThreadDocumentReader,
}


def _unsupported(what: str) -> Detection:
    return Detection(None, f"unknown format: {what}. Supported: " + "; ".join(SUPPORTED_FORMATS))


def detect(source: InputFile) -> Detection:
    head = source.head()
    stripped = head.lstrip()
    if not stripped:
        return Detection(None, "empty file")
    if stripped[:1] in (b"{", b"["):
        return _detect_json(source, head)
    return _detect_csv(head)


def _first_units(source: InputFile, count: int = 200, budget: int = 64 * 1024 * 1024) -> list[bytes]:
    """The first lines of the file, whole (a twarc2 page line is often larger than any fixed head)."""
    found: list[bytes] = []
    used = 0
    with source.open() as stream:
        try:
            for unit in source.units(stream):
                if unit.oversized:
                    break
                if unit.data.strip():
                    found.append(unit.data)
                used += len(unit.data)
                if len(found) >= count or used >= budget:
                    break
        except TruncatedInput:
            pass
    return found


def _detect_json(source: InputFile, head: bytes) -> Detection:
    decoder = msgspec.json.Decoder()
    complete = len(head) < 256 * 1024  # the head is the whole file
    parsed_any = False
    explanation = None
    for line in _first_units(source):
        try:
            value = decoder.decode(line)
        except msgspec.DecodeError:
            continue
        parsed_any = True
        found = _classify(value)
        if isinstance(found, str):
            explanation = found
            continue
        if found is not None:
            return Detection(found, f"{found.name}: JSON lines")
    if not parsed_any:
        # A multi-line document (pretty-printed array or thread file).
        if complete:
            try:
                value = decoder.decode(head)
            except msgspec.DecodeError as exc:
                return Detection(None, f"not valid JSON ({exc}) and not one JSON value per line")
            found = _classify(value)
        else:
            found = _sniff_keys(head)
        if isinstance(found, str):
            return _unsupported(found)
        if found is not None:
            document_reader = _DOCUMENT_VARIANTS.get(found)
            if document_reader is None:
                return _unsupported(f"a multi-line {found.name} document (write one record per line)")
            return Detection(document_reader, f"{found.name}: one JSON document")
    return _unsupported(explanation or "JSON records with none of the fields of a supported format")


def _sniff_keys(head: bytes) -> type[Reader] | None:
    text = head[:65536].decode("utf-8", errors="replace")
    if re.search(r'"posts"\s*:\s*\[', text):
        return fourchan.ChanThreadReader
    if re.search(r'"statuses"\s*:\s*\[', text) or ('"id_str"' in text and '"user"' in text):
        return twitter_v1.TwitterV1StatusReader
    if '"screen_name"' in text:
        return twitter_v1.TwitterV1UserReader
    return None


def _detect_csv(head: bytes) -> Detection:
    text = head.decode("utf-8", errors="replace")
    first_line = text.split("\n", 1)[0]
    try:
        header = next(csv.reader(io.StringIO(first_line)))
    except (csv.Error, StopIteration):
        return _unsupported("neither JSON nor a CSV header")
    names = {name.strip().lstrip("\ufeff") for name in header}
    if len(names) < 2:
        return _unsupported("neither JSON nor a CSV file with a header row")
    for reader in csvfiles.CSV_READERS:
        if reader.matches(names):
            return Detection(reader, f"{reader.name}: CSV header")
    shown = ", ".join(sorted(names)[:12])
    return _unsupported(f"a CSV file whose columns ({shown}) match no supported layout")
