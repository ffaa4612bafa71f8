"""Opening inputs: compression by magic bytes, bounded line reading with offsets, whole-document reads."""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
UTF8_BOM = b"\xef\xbb\xbf"

DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024
# How much of an oversized or bad record quarantine keeps; the file, offset and length locate the rest.
QUARANTINE_RAW_LIMIT = 1024 * 1024
# Spare bytes after each chunk buffer: the compiled parser may read this far past a line, so it needs no copy.
CHUNK_SLACK = 64


class TruncatedInput(Exception):
    """The compressed stream ended early or is corrupt; everything before it was read."""


class Unit(NamedTuple):
    """One record-sized piece of input: a line, or the whole document for multi-line JSON."""

    line: int | None  # 1-based line number, None for a whole document
    offset: int  # byte offset in the decompressed stream
    data: bytes
    oversized: bool = False  # longer than the limit: data holds only its first QUARANTINE_RAW_LIMIT bytes
    length: int = 0  # full length in bytes (differs from len(data) when oversized)

    @property
    def location(self) -> str:
        return f"line {self.line}" if self.line is not None else f"document at byte {self.offset}"


class InputFile:
    """A file on disk (or stdin) with transparent gzip/zstd decompression detected from its first bytes."""

    def __init__(self, path: str | os.PathLike, *, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES):
        self.path = Path(path)
        self.max_record_bytes = max_record_bytes
        with open(self.path, "rb") as raw:
            magic = raw.read(4)
        if magic.startswith(GZIP_MAGIC):
            self.compression = "gzip"
        elif magic.startswith(ZSTD_MAGIC):
            self.compression = "zstd"
        else:
            self.compression = None
        self.size = self.path.stat().st_size
        self._raw = None

    @property
    def name(self) -> str:
        return str(self.path)

    def raw_position(self) -> int:
        """Bytes of the file on disk consumed so far (for progress on compressed inputs)."""
        try:
            return self._raw.tell() if self._raw is not None and not self._raw.closed else self.size
        except (OSError, ValueError):
            return self.size

    def open(self) -> io.BufferedReader:
        """Open the decompressed byte stream; the caller closes it."""
        self._raw = open(self.path, "rb", buffering=1024 * 1024)  # noqa: SIM115 - closed via the stream
        if self.compression == "gzip":
            stream = gzip.GzipFile(fileobj=self._raw, mode="rb")
        elif self.compression == "zstd":
            stream = _ZstdFrames(self._raw)
        else:
            return self._raw
        return io.BufferedReader(_GuardedStream(stream, self._raw), buffer_size=1024 * 1024)

    def head(self, size: int = 256 * 1024) -> bytes:
        """The first decompressed bytes (for format detection), without any BOM."""
        with self.open() as stream:
            try:
                data = stream.read(size)
            except TruncatedInput:
                data = b""
        return data[3:] if data.startswith(UTF8_BOM) else data

    def units(self, stream: io.BufferedReader) -> Iterator[Unit]:
        """Lines of ``stream`` with their numbers and offsets; over-long lines come back marked oversized."""
        limit = self.max_record_bytes
        offset = 0
        line_no = 0
        readline = stream.readline
        while True:
            data = readline(limit + 1)
            if not data:
                return
            line_no += 1
            if line_no == 1 and data.startswith(UTF8_BOM):
                data = data[3:]
                offset += 3
            if len(data) > limit and not data.endswith(b"\n"):
                length = len(data)
                kept = data[:QUARANTINE_RAW_LIMIT]
                while True:  # skip the rest of the line without holding it in memory
                    more = readline(1024 * 1024)
                    length += len(more)
                    if not more or more.endswith(b"\n"):
                        break
                yield Unit(line_no, offset, kept, oversized=True, length=length)
                offset += length
                continue
            yield Unit(line_no, offset, data, length=len(data))
            offset += len(data)

    def chunks(self, stream: io.BufferedReader, size: int) -> Iterator[tuple[int, memoryview, Unit | None]]:
        """Whole lines in pieces of about ``size`` bytes, as (offset, data, None); the caller numbers the lines.

        A line longer than the record limit comes as (offset, empty, oversized Unit with line 0) without being held
        in memory. When a compressed stream breaks, the lines read before the break come first, then TruncatedInput.
        Each piece is read straight into one reused buffer (one copy) that has ``CHUNK_SLACK`` spare bytes after the
        data (``data.obj`` is that buffer), so ``data`` is valid only until the next piece is asked for. Compressed
        streams are read 1 MB at a time so that a break loses at most that much.
        """
        limit = self.max_record_bytes
        step = 1024 * 1024 if self.compression else size
        offset, pending, first = 0, b"", True
        buffer = bytearray()
        while True:
            capacity = len(pending) + size
            if len(buffer) < capacity + CHUNK_SLACK:  # room for a longer carried-over line than usual, too
                buffer = bytearray(capacity + CHUNK_SLACK + size // 16)
            buffer[: len(pending)] = pending
            view = memoryview(buffer)
            filled = len(pending)
            try:
                while filled < capacity and (got := stream.readinto(view[filled : min(filled + step, capacity)])):
                    filled += got
            except TruncatedInput:
                if filled:
                    yield offset, view[:filled], None
                raise
            if first:
                first = False
                if buffer.startswith(UTF8_BOM):
                    buffer = buffer[3:]  # a copy, once per file
                    view = memoryview(buffer)
                    filled -= 3
                    offset = 3
            if filled == len(pending):  # end of stream
                if pending:
                    yield offset, view[:filled], None
                return
            cut = buffer.rfind(b"\n", 0, filled) + 1
            if cut == 0:
                pending = bytes(view[:filled])
                if len(pending) > limit:
                    kept, length = pending[:QUARANTINE_RAW_LIMIT], len(pending)
                    pending = b""
                    while more := stream.read(1024 * 1024):  # skip the rest of the line
                        newline = more.find(b"\n")
                        if newline >= 0:
                            length += newline + 1
                            pending = more[newline + 1 :]
                            break
                        length += len(more)
                    yield offset, memoryview(b""), Unit(0, offset, kept, oversized=True, length=length)
                    offset += length
                continue
            pending = bytes(view[cut:filled])
            yield offset, view[:cut], None
            offset += cut

    def document(self, stream: io.BufferedReader) -> Unit:
        """The whole stream as one unit (multi-line JSON); bounded by the record limit."""
        data = stream.read(self.max_record_bytes + 1)
        if data.startswith(UTF8_BOM):
            data = data[3:]
        if len(data) > self.max_record_bytes:
            length = len(data)
            while chunk := stream.read(1024 * 1024):
                length += len(chunk)
            return Unit(None, 0, data[:QUARANTINE_RAW_LIMIT], oversized=True, length=length)
        return Unit(None, 0, data, length=len(data))


class _ZstdFrames:
    """Decompresses concatenated zstd frames and, unlike zstandard's stream reader, notices a cut-off frame."""

    def __init__(self, raw):
        self._raw = raw
        self._decompressor = zstandard.ZstdDecompressor()
        self._frame = self._decompressor.decompressobj()
        self._in_frame = False

    def read(self, size: int) -> bytes:
        while True:
            chunk = self._raw.read(max(size, 1024 * 1024))
            if not chunk:
                if self._in_frame:
                    raise TruncatedInput("zstd stream ends inside a frame")
                return b""
            out = [self._frame.decompress(chunk)]
            self._in_frame = not self._frame.eof
            while self._frame.eof and self._frame.unused_data:
                rest = self._frame.unused_data
                self._frame = self._decompressor.decompressobj()
                out.append(self._frame.decompress(rest))
                self._in_frame = not self._frame.eof
            if self._frame.eof:
                self._frame = self._decompressor.decompressobj()
            data = b"".join(out)
            if data:
                return data

    def close(self) -> None:
        self._raw.close()


class _GuardedStream(io.RawIOBase):
    """Turns decompressor errors on damaged input into TruncatedInput so readers can keep what came before."""

    def __init__(self, inner, raw):
        self._inner = inner
        self._raw = raw
        self._leftover = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._leftover
        if not data:
            try:
                data = self._inner.read(len(buffer))
            except (EOFError, OSError, zstandard.ZstdError, gzip.BadGzipFile) as exc:
                raise TruncatedInput(str(exc) or exc.__class__.__name__) from exc
        size = min(len(buffer), len(data))
        buffer[:size] = data[:size]
        self._leftover = data[size:]
        return size

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._raw.close()
            super().close()
