"""The reader interface and the JSON driver that every JSON reader shares.

A reader turns one input file into a stream of :class:`Batch` objects. JSON readers decode lines in batches with
a typed msgspec decoder (the fast path: one C call per few thousand lines) and fall back to one line at a time
only when a batch contains something unexpected, so a bad line costs its own time, not everyone's.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import msgspec

from .batch import Batch
from .fast import extract_into, extractor
from .source import QUARANTINE_RAW_LIMIT, InputFile, TruncatedInput, Unit

BATCH_BYTES = 16 * 1024 * 1024
# msgspec raises UnicodeDecodeError, not DecodeError, for bytes that are not UTF-8.
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError)
UTF8_HINT = "re-encode the file as UTF-8 (e.g. `iconv -f cp1252 -t utf-8`) or pass --encoding"


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while parsing.

    Readers allocate millions of small acyclic tuples and strings; the collector's generational passes over them
    cost more than the parsing itself (measured: 24k vs 35k tweets/s) and can free nothing, since nothing cycles.
    Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class MissingField(ValueError):
    """A record lacks a field without which it cannot become a row (an id, usually)."""


class InvalidField(ValueError):
    """A nested part of a record, decoded lazily, has the wrong shape (``"user": {"id_str": 5}``)."""


class Reader:
    """Base class: ``read`` yields batches for one file; subclasses name their format and version."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    time_formats: ClassVar[dict[str, str]] = {}

    def __init__(self, *, batch_size: int = 5000, encoding: str | None = None, board: str | None = None):
        self.batch_size = batch_size
        self.encoding = encoding
        self.board = board

    def read(self, source: InputFile) -> Iterator[Batch]:
        raise NotImplementedError

    # Quarantine rows follow schema.QUARANTINE: file, line, offset, location, reader, reason, raw, raw_truncated.
    def quarantine(self, batch: Batch, source: InputFile, unit: Unit | None, reason: str, location: str | None = None):
        if unit is None:
            batch.quarantine.append((source.name, None, None, location or "file", self.name, reason, b"", False))
            return
        raw = unit.data[:QUARANTINE_RAW_LIMIT]
        truncated = unit.oversized or len(unit.data) > QUARANTINE_RAW_LIMIT
        batch.quarantine.append(
            (source.name, unit.line, unit.offset, location or unit.location, self.name, reason, raw, truncated)
        )

    def recode(self, data: bytes) -> bytes:
        """Bytes as UTF-8, converting from --encoding when the user gave one."""
        if self.encoding and self.encoding.lower().replace("-", "") not in ("utf8", "utf8sig"):
            return data.decode(self.encoding, errors="strict").encode("utf-8")
        return data


def utf8_problem(data: bytes) -> str | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start}); {UTF8_HINT}"
    return None


def oversized_reason(unit: Unit, limit: int) -> str:
    return (
        f"record of {unit.length:,} bytes exceeds the {limit:,}-byte limit (first {QUARANTINE_RAW_LIMIT:,} bytes "
        f"kept; raise --max-record-mb to read it)"
    )


class JsonReader(Reader):
    """Shared driver for line-delimited (or whole-document) JSON formats.

    Subclasses set ``record_type`` (the msgspec type of one line), implement ``extract`` (typed record → rows)
    and may implement ``extract_other`` for other shapes the same format allows (arrays, search responses).
    """

    record_type: ClassVar[Any]
    # Other typed shapes a unit may take (arrays, response envelopes), tried before the slow untyped path.
    alternate_types: ClassVar[tuple] = ()
    whole_document: bool = False
    # Name of the compiled extractor for this format (ingest/fast.py), tried first for every batch.
    fast_extractor: ClassVar[str | None] = None
    html_sources: ClassVar[bool] = False  # v1.1 sources are <a> tags, reduced to the client name

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._one = msgspec.json.Decoder(self.record_type)
        self._alternates = [msgspec.json.Decoder(kind) for kind in self.alternate_types]
        self._any = msgspec.json.Decoder()

    def extract(self, record: Any, batch: Batch) -> None:
        raise NotImplementedError

    def extract_other(self, value: Any, batch: Batch, source: InputFile, unit: Unit) -> bool:
        """Handle a decoded value of another shape; return False when the shape is not this format's."""
        return False

    def read(self, source: InputFile) -> Iterator[Batch]:
        with paused_gc():
            yield from self._read(source)

    def _read(self, source: InputFile) -> Iterator[Batch]:
        fast = extractor(self.fast_extractor) if self.fast_extractor and self.encoding is None else None
        if fast is not None and not self.whole_document:
            yield from self._read_fast(source, fast)
            return
        stream = source.open()
        batch = Batch()
        try:
            units = [source.document(stream)] if self.whole_document else source.units(stream)
            pending: list[Unit] = []
            pending_bytes = 0
            try:
                for unit in units:
                    if len(unit.data) < 8 and not unit.data.strip():  # blank line; never copy a long one to check
                        continue
                    pending.append(unit)
                    pending_bytes += len(unit.data)
                    # Bytes bound the batch too: one twarc2 line is a page of 100 tweets.
                    if len(pending) >= self.batch_size or pending_bytes >= BATCH_BYTES:
                        self._process(pending, batch, source)
                        pending = []
                        pending_bytes = 0
                        batch.bytes_read = source.raw_position()
                        yield batch
                        batch = Batch()
            except TruncatedInput as exc:
                self.quarantine(
                    batch, source, None, f"compressed input is truncated or corrupt ({exc}); records before it were read",
                    location="end of readable data",
                )
            if pending:
                self._process(pending, batch, source)
        finally:
            stream.close()
        batch.bytes_read = source.size
        yield batch

    def _read_fast(self, source: InputFile, fast: Callable) -> Iterator[Batch]:
        """Chunks of whole lines through the compiled extractor; the lines it hands back take the Python path."""
        stream = source.open()
        limit = source.max_record_bytes
        first_line = 1
        try:
            try:
                for offset, data, oversized in source.chunks(stream, BATCH_BYTES):
                    batch = Batch()
                    if oversized is not None:
                        batch.records += 1
                        oversized = oversized._replace(line=first_line)
                        self.quarantine(batch, source, oversized, oversized_reason(oversized, limit))
                        first_line += 1
                    else:
                        rejected, newlines = extract_into(fast, data, limit, batch, self.time_formats,
                                                          self.html_sources)  # fmt: skip
                        units = [
                            Unit(first_line + index, offset + start, bytes(data[start:end]), length=end - start)
                            if end - start <= limit
                            else Unit(first_line + index, offset + start,
                                      bytes(data[start : start + QUARANTINE_RAW_LIMIT]), oversized=True,
                                      length=end - start)  # fmt: skip
                            for index, start, end in rejected
                        ]
                        batch.records -= len(units)  # _process counts them again
                        if units:
                            self._process(units, batch, source)
                        first_line += newlines
                    batch.bytes_read = source.raw_position()
                    yield batch
            except TruncatedInput as exc:
                batch = Batch()
                self.quarantine(
                    batch, source, None, f"compressed input is truncated or corrupt ({exc}); records before it were read",
                    location="end of readable data",
                )
                yield batch
        finally:
            stream.close()
        yield Batch(bytes_read=source.size)

    def _process(self, units: list[Unit], batch: Batch, source: InputFile) -> None:
        batch.records += len(units)
        good = []
        for unit in units:
            if unit.oversized:
                self.quarantine(batch, source, unit, oversized_reason(unit, source.max_record_bytes))
            else:
                good.append(unit)
        if not good:
            return
        decode = self._one.decode
        extract = self.extract
        for unit in good:
            if self.encoding is None:
                try:
                    record = decode(unit.data)
                except DECODE_ERRORS:
                    self._process_one(unit, batch, source)
                    continue
                try:
                    extract(record, batch)
                except (MissingField, InvalidField):
                    # Perhaps another shape of this format (a search response, an array): the slow path knows.
                    self._process_one(unit, batch, source)
            else:
                self._process_one(unit, batch, source)
        self.finish_batch(batch)

    def finish_batch(self, batch: Batch) -> None:
        """Called after each batch of units, for readers that defer rows (per-batch profile dedup)."""

    def _extract_guarded(self, record: Any, batch: Batch, source: InputFile, unit: Unit, location: str | None = None):
        try:
            self.extract(record, batch)
        except MissingField as exc:
            self.quarantine(batch, source, unit, f"missing required field: {exc}", location)
        except InvalidField as exc:
            self.quarantine(batch, source, unit, f"invalid field: {exc}", location)

    def _process_one(self, unit: Unit, batch: Batch, source: InputFile) -> None:
        data = unit.data
        if self.encoding is not None:
            try:
                data = self.recode(data)
            except UnicodeDecodeError as exc:
                self.quarantine(batch, source, unit, f"cannot decode as {self.encoding}: {exc}")
                return
        for decoder in self._alternates:
            try:
                value = decoder.decode(data)
            except DECODE_ERRORS:
                continue
            if self.extract_other(value, batch, source, unit):
                return
        try:
            record = self._one.decode(data)
        except DECODE_ERRORS:
            pass
        else:
            self._extract_guarded(record, batch, source, unit)
            return
        problem = utf8_problem(data)
        if problem:
            self.quarantine(batch, source, unit, problem)
            return
        if b"\x00" in data:
            position = data.index(b"\x00")
            self.quarantine(batch, source, unit, f"NUL byte at position {position}; the file is damaged")
            return
        try:
            value = self._any.decode(data)
        except msgspec.DecodeError as exc:
            reason = f"malformed JSON: {exc}"
            if "truncated" in str(exc):
                reason += " (the record is cut off; the file may have been truncated while writing)"
            self.quarantine(batch, source, unit, reason)
            return
        if self.extract_other(value, batch, source, unit):
            return
        self._convert_loose(value, batch, source, unit)

    def _convert_loose(self, value: Any, batch: Batch, source: InputFile, unit: Unit, location: str | None = None):
        try:
            record = self._one.decode(msgspec.json.encode(value))
        except msgspec.ValidationError as exc:
            try:  # lenient: numbers written as strings and the like
                record = msgspec.convert(value, self.record_type, strict=False)
            except msgspec.ValidationError:
                self.quarantine(batch, source, unit, f"not a {self.description or self.name} record: {exc}", location)
                return
        self._extract_guarded(record, batch, source, unit, location)

    def extract_items(self, items: list, batch: Batch, source: InputFile, unit: Unit, handler: Callable | None = None):
        """Extract each element of a JSON array, quarantining bad elements one by one."""
        for index, item in enumerate(items):
            location = f"{unit.location} item {index}"
            if isinstance(item, self.record_type):
                self._extract_guarded(item, batch, source, unit, location)
            elif handler is not None:
                try:
                    handler(item, batch)
                except (msgspec.ValidationError, MissingField) as exc:
                    self.quarantine(batch, source, unit, f"bad item: {exc}", location)
            else:
                self._convert_loose(item, batch, source, unit, location)
