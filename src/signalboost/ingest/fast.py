"""The compiled fast path of the Twitter JSON readers (``_fastjson``, C++ on simdjson).

It turns a batch of lines straight into Arrow column buffers, with no Python object per field, and hands back the
indices of the lines it did not take (bad JSON, a wrong type, a missing id, other shapes such as search
responses), which the Python reader then handles one by one exactly as it always does. The rows it writes are the
rows the Python readers write; ``tests/test_fast_path.py`` holds the two to the same output.

The module is optional: without a compiler or simdjson at install time, or with ``SIGNALBOOST_PURE_PYTHON=1``,
every line takes the Python path, which is slower and otherwise the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from ..schema import ACCOUNTS, HASHTAGS, INTERACTIONS, POSTS, TIMESTAMP, URLS, TableSpec
from .batch import Batch, to_timestamp
from .text import normalise_url, source_client

try:
    from . import _fastjson
except ImportError:  # built from source without simdjson, or an sdist without a compiler
    _fastjson = None

TWITTER = "twitter"
_TYPES = {"string": pa.string(), "int64": pa.int64(), "int32": pa.int32(), "bool": pa.bool_()}


def available() -> bool:
    return _fastjson is not None and os.environ.get("SIGNALBOOST_PURE_PYTHON", "") not in ("1", "true", "yes")


def extractor(name: str) -> Callable | None:
    """The compiled function for one format (``extract_v1_statuses`` …), or None when the fast path is off."""
    return getattr(_fastjson, name) if available() else None


def _array(kind: str, length: int, nulls: int, validity, offsets, data) -> pa.Array:
    buffers = [pa.py_buffer(validity) if validity is not None else None]
    if offsets is not None:
        buffers.append(pa.py_buffer(offsets))
    buffers.append(pa.py_buffer(data))
    return pa.Array.from_buffers(_TYPES[kind], length, buffers, null_count=nulls)


def map_distinct(values: pa.Array, function: Callable[[str], object]) -> tuple[list, pa.Array]:
    """Apply ``function`` once per distinct non-null value; returns (results per distinct value, their indices).

    Sources, URLs and hashtags repeat across a batch, so the Python helpers run once per distinct value.
    """
    encoded = pc.dictionary_encode(values)
    return [function(value) for value in encoded.dictionary.to_pylist()], encoded.indices


def _mapped(results: list, indices: pa.Array) -> pa.Array:
    return pa.array(results, type=pa.string()).take(indices)


def _constant(value: str, length: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), length)


def _timestamps(spec: TableSpec, name: str, columns: dict[str, pa.Array], time_formats: dict[str, str]) -> pa.Array:
    """Epoch ms parsed by the extractor, and Arrow's parser for the values it passed on as text."""
    parsed = columns.pop(name).cast(TIMESTAMP)
    text = columns.pop(name + "~text")
    if text.null_count == len(text):
        return parsed
    fmt = time_formats.get(spec.name + "." + name, time_formats.get(name))
    return pc.coalesce(parsed, to_timestamp(text, fmt))


def _table(spec: TableSpec, columns: dict[str, pa.Array], length: int) -> pa.Table:
    arrays = [
        columns[field.name] if field.name in columns else pa.nulls(length, field.type) for field in spec.schema
    ]
    return pa.Table.from_arrays(arrays, schema=spec.schema)


def twitter_tables(raw: dict, time_formats: dict[str, str], html_sources: bool) -> list[tuple[TableSpec, pa.Table]]:
    """Canonical tables from the compiled extractor's column buffers; ``html_sources`` for v1.1's ``<a>`` sources."""
    out = []
    for spec in (ACCOUNTS, POSTS, INTERACTIONS, URLS, HASHTAGS):
        columns = {name: _array(*buffers) for name, buffers in raw[spec.name].items()}
        length = len(next(iter(columns.values())))
        if length == 0:
            continue
        columns["platform"] = _constant(TWITTER, length)
        for field in spec.schema:
            if field.type == TIMESTAMP:
                columns[field.name] = _timestamps(spec, field.name, columns, time_formats)
        if spec is POSTS and html_sources:
            results, indices = map_distinct(columns["source"], source_client)
            columns["source"] = _mapped(results, indices)
        elif spec is URLS:
            results, indices = map_distinct(columns.pop("link"), normalise_url)
            columns["normalised_url"] = _mapped([normalised for normalised, _ in results], indices)
            columns["domain"] = _mapped([domain for _, domain in results], indices)
        elif spec is HASHTAGS:
            results, indices = map_distinct(columns["tag"], str.casefold)
            columns["normalised_tag"] = _mapped(results, indices)
        out.append((spec, _table(spec, columns, length)))
    return out


def extract_into(function: Callable, chunk: bytes, max_record: int, batch: Batch, time_formats: dict[str, str],
                 html_sources: bool) -> tuple[list[tuple[int, int, int]], int]:  # fmt: skip
    """Run the compiled extractor over a chunk of whole lines, adding its tables, notes and record count to
    ``batch``; returns the lines it left to the Python reader as (line index in chunk, start, end), and the
    number of newlines in the chunk."""
    whole = chunk.obj if isinstance(chunk, memoryview) else None  # InputFile.chunks leaves slack after the data
    raw, rejected, notes, records, newlines = function(chunk, max_record, whole)
    batch.records += records
    batch.tables.extend(twitter_tables(raw, time_formats, html_sources))
    for what, count in notes.items():
        batch.note(what, count)
    return rejected, newlines
