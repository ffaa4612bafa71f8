"""Row buffers that readers fill and that become Arrow tables of the canonical schema.

Readers append plain tuples in schema column order (the cheapest thing Python can do per record) and leave
timestamps as the strings or numbers the source carries; conversion to Arrow types happens once per batch,
vectorised, with the time format the reader declares.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from ..schema import ACCOUNTS, HASHTAGS, INTERACTIONS, POSTS, QUARANTINE, TIMESTAMP, URLS, TableSpec

# Time formats a reader can declare for its timestamp columns.
TWITTER_V1_TIME = "twitter-v1"  # "Wed May 03 21:15:30 +0000 2017"
ISO_TIME = "iso"  # RFC 3339 / ISO 8601, "2021-09-22T16:37:29.000Z"
EPOCH_SECONDS = "epoch-s"
EPOCH_MILLISECONDS = "epoch-ms"
AUTO_TIME = "auto"  # try every format above, plus "YYYY-MM-DD HH:MM:SS" and "MM/DD/YYYY HH:MM" (UTC assumed)

_STRPTIME_FORMATS = {
    TWITTER_V1_TIME: "%a %b %d %H:%M:%S %z %Y",
}
_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d")


def _iso(values: pa.Array) -> pa.Array:
    try:
        return pc.cast(values, TIMESTAMP)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # Arrow's ISO parser takes at most millisecond fractions; microseconds are common (Python's isoformat()).
    values = pc.replace_substring_regex(values, r"(\.\d{3})\d+", r"\1")
    try:
        return pc.cast(values, TIMESTAMP)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Cast is all-or-nothing; fall back to per-value so one bad value does not null the batch.
        out = []
        for value in values.to_pylist():
            try:
                out.append(pc.cast(pa.scalar(value), TIMESTAMP).value if value else None)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                out.append(None)
        return pa.array(out, type=pa.int64()).cast(TIMESTAMP)


def _naive(values: pa.Array, fmt: str) -> pa.Array:
    parsed = pc.strptime(values, format=fmt, unit="ms", error_is_null=True)
    return pc.assume_timezone(parsed, "UTC")


def _twitter_v1(values: pa.Array) -> pa.Array:
    parsed = pc.strptime(values, format=_STRPTIME_FORMATS[TWITTER_V1_TIME], unit="ms", error_is_null=True)
    return parsed.cast(TIMESTAMP)


def _iso_only(values: pa.Array) -> pa.Array:
    looks_iso = pc.match_substring_regex(values, r"^\d{4}-\d{2}-\d{2}T")
    return _iso(pc.if_else(looks_iso, values, pa.scalar(None, pa.string())))


def to_timestamp(values: list, time_format: str) -> pa.Array:
    """Convert one column of raw time values to ``timestamp[ms, UTC]``; unparseable values become null."""
    if time_format == EPOCH_SECONDS:
        seconds = pa.array(values, type=pa.float64())
        return pc.cast(pc.multiply(seconds, 1000.0), pa.int64(), safe=False).cast(TIMESTAMP)
    if time_format == EPOCH_MILLISECONDS:
        return pa.array(values, type=pa.int64()).cast(TIMESTAMP)
    strings = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    if time_format == TWITTER_V1_TIME:
        return _twitter_v1(strings)
    if time_format == ISO_TIME:
        return _iso(strings)
    if time_format == AUTO_TIME:
        stripped = pc.utf8_trim_whitespace(strings)
        parsers = [_twitter_v1, _iso_only, *(functools.partial(_naive, fmt=fmt) for fmt in _NAIVE_FORMATS)]
        # The format of the first value goes first: one pass over the batch in the usual case of one format.
        first = next((value for value in stripped.to_pylist()[:1000] if value), None)
        if first is not None:
            sample = pa.array([first])
            parsers.sort(key=lambda parse: parse(sample).null_count)
        result = parsers[0](stripped)
        for parse in parsers[1:]:
            if result.null_count == stripped.null_count:
                break
            result = pc.coalesce(result, parse(stripped))
        return result
    raise ValueError(f"unknown time format {time_format!r}")


@dataclass
class Batch:
    """Rows extracted from part of one input file, one list of tuples per canonical table."""

    accounts: list[tuple] = field(default_factory=list)
    posts: list[tuple] = field(default_factory=list)
    interactions: list[tuple] = field(default_factory=list)
    urls: list[tuple] = field(default_factory=list)
    hashtags: list[tuple] = field(default_factory=list)
    quarantine: list[tuple] = field(default_factory=list)
    # Whole Arrow tables of the canonical schema, from the compiled fast path (ingest/fast.py).
    tables: list[tuple[TableSpec, pa.Table]] = field(default_factory=list)
    records: int = 0  # input records read (lines, array items, CSV rows), good or bad
    bytes_read: int = 0  # position in the (compressed) input after this batch
    notes: dict[str, int] = field(default_factory=dict)  # counted conditions that are not errors

    def note(self, what: str, count: int = 1) -> None:
        self.notes[what] = self.notes.get(what, 0) + count

    def rows(self, spec: TableSpec) -> list[tuple]:
        return getattr(self, spec.name)


def rows_to_table(spec: TableSpec, rows: list[tuple], time_formats: dict[str, str]) -> pa.Table:
    """Build an Arrow table of ``spec`` from row tuples; ``time_formats`` maps timestamp columns to formats."""
    if not rows:
        return spec.schema.empty_table()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in spec.schema]
    arrays = []
    for schema_field, values in zip(spec.schema, columns, strict=True):
        if schema_field.type == TIMESTAMP:
            fmt = time_formats.get(spec.name + "." + schema_field.name, time_formats.get(schema_field.name, ISO_TIME))
            arrays.append(to_timestamp(list(values), fmt))
        else:
            arrays.append(pa.array(values, type=schema_field.type))
    return pa.Table.from_arrays(arrays, schema=spec.schema)


TABLE_SPECS = (ACCOUNTS, POSTS, INTERACTIONS, URLS, HASHTAGS, QUARANTINE)
