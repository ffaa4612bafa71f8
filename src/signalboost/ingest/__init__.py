"""Ingest raw platform files into a case: detect each file's format, stream it through its reader, stage the
rows as Parquet, then merge them into the case's canonical tables without duplicates."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..case import Case, MergeResult
from ..schema import ALL_TABLES, DATA_TABLES, QUARANTINE
from .base import Reader
from .batch import rows_to_table
from .detect import SUPPORTED_FORMATS, detect
from .source import DEFAULT_MAX_RECORD_BYTES, InputFile

__all__ = ["IngestReport", "FileReport", "ingest", "SUPPORTED_FORMATS", "expand_inputs"]

DOCUMENTATION_NAMES = ("readme", "license", "licence", "changelog", "original_readme")
DOCUMENTATION_SUFFIXES = (".md", ".rst", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".html", ".py", ".ipynb")


@dataclass
class FileReport:
    path: str
    status: str  # read | skipped | unsupported | empty | error
    message: str = ""
    reader: str | None = None
    reader_version: str | None = None
    size: int = 0
    sha256: str | None = None
    records: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    notes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def manifest_entry(self) -> dict:
        return {
            "path": self.path, "sha256": self.sha256, "size": self.size, "reader": self.reader,
            "reader_version": self.reader_version, "records": self.records, "rows": self.rows,
            "quarantined": self.quarantined, "notes": self.notes, "status": self.status,
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }  # fmt: skip


@dataclass
class IngestReport:
    case: str
    files: list[FileReport] = field(default_factory=list)
    merges: dict[str, MergeResult] = field(default_factory=dict)
    skipped_documentation: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def quarantined(self) -> int:
        return sum(report.quarantined for report in self.files)

    @property
    def usable(self) -> bool:
        """True when something could be read (or everything was already in the case)."""
        read_rows = any(sum(report.rows.values()) > 0 for report in self.files if report.status == "read")
        return read_rows or (bool(self.files) and all(report.status == "skipped" for report in self.files))

    def to_dict(self) -> dict:
        return {
            "case": self.case,
            "seconds": round(self.seconds, 3),
            "quarantined": self.quarantined,
            "files": [report.__dict__ for report in self.files],
            "tables": {
                name: {"before": m.before, "offered": m.added_rows, "after": m.after,
                       "duplicates_resolved": m.duplicates_resolved}
                for name, m in self.merges.items()
            },  # fmt: skip
            "skipped_documentation": self.skipped_documentation,
        }


def expand_inputs(inputs: Iterable[str | os.PathLike]) -> tuple[list[Path], list[str]]:
    """Files to read (directories walked in sorted order) and documentation files passed over."""
    files: list[Path] = []
    skipped: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if not child.is_file() or any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                lowered = child.name.lower()
                if lowered.startswith(DOCUMENTATION_NAMES) or lowered.endswith(DOCUMENTATION_SUFFIXES):
                    skipped.append(str(child))
                    continue
                files.append(child)
        else:
            files.append(path)
    return files, skipped


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class _Stage:
    """The rows of this ingest before they are merged: kept in memory up to ``memory_limit`` bytes, beyond that
    spilled to one Parquet file per table, so a large ingest stays bounded and a small one skips the disk."""

    def __init__(self, directory: Path, memory_limit: int = 1 << 30):
        self.directory = directory
        self.memory_limit = memory_limit
        self.held: dict[str, list[pa.Table]] = {}
        self.held_bytes = 0
        self.writers: dict[str, pq.ParquetWriter] = {}

    def write(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self.held.setdefault(name, []).append(table)
        self.held_bytes += table.nbytes
        if self.held_bytes > self.memory_limit:
            self._spill()

    def _spill(self) -> None:
        for name, tables in self.held.items():
            writer = self.writers.get(name)
            if writer is None:
                writer = pq.ParquetWriter(self.directory / f"{name}.parquet", tables[0].schema, compression="lz4")
                self.writers[name] = writer
            for table in tables:
                writer.write_table(table)
        self.held.clear()
        self.held_bytes = 0

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def read(self, name: str) -> pa.Table | None:
        path = self.directory / f"{name}.parquet"
        parts = [pq.read_table(path)] if path.exists() else []
        parts += self.held.get(name, [])
        return pa.concat_tables(parts) if parts else None


def _progress(total: int, quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc="ingest", file=sys.stderr)


def ingest(
    inputs: Iterable[str | os.PathLike],
    case: str | os.PathLike,
    *,
    force: bool = False,
    board: str | None = None,
    encoding: str | None = None,
    batch_size: int = 5000,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    quiet: bool = True,
    on_file: Callable[[FileReport], None] | None = None,
) -> IngestReport:
    """Read ``inputs`` (files or directories; ``-`` for stdin) into the case directory ``case``.

    Each file's format is detected from its content; good records become rows of the canonical tables, bad
    ones go to the case's quarantine with file, line/offset and reason. Files whose sha256 is already in the
    case manifest are skipped unless ``force``; rows are deduplicated on their keys either way.
    """
    started = time.perf_counter()
    the_case = Case.create(case)
    report = IngestReport(case=str(the_case.path))
    for stale in the_case.path.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    stage_dir = the_case.path / f".staging-{uuid.uuid4().hex[:8]}"
    stage_dir.mkdir()
    stage = _Stage(stage_dir)
    temporary: list[Path] = []
    try:
        inputs = list(inputs)
        stdin_paths = []
        if any(str(item) == "-" for item in inputs):
            handle = tempfile.NamedTemporaryFile(dir=stage_dir, prefix="stdin-", delete=False)  # noqa: SIM115
            shutil.copyfileobj(sys.stdin.buffer, handle)
            handle.close()
            stdin_paths.append(Path(handle.name))
            temporary.append(Path(handle.name))
            inputs = [handle.name if str(item) == "-" else item for item in inputs]
        files, report.skipped_documentation = expand_inputs(inputs)
        known = the_case.ingested_hashes()
        progress = _progress(sum(p.stat().st_size for p in files if p.is_file()), quiet)
        for path in files:
            display = "<stdin>" if path in stdin_paths else str(path)
            file_report = _ingest_file(
                path, display, stage, known, force=force, board=board, encoding=encoding,
                batch_size=batch_size, max_record_bytes=max_record_bytes, progress=progress,
            )  # fmt: skip
            report.files.append(file_report)
            if file_report.status != "skipped" and file_report.sha256:
                known[file_report.sha256] = file_report.manifest_entry()
            if on_file is not None:
                on_file(file_report)
        if progress is not None:
            progress.close()
        stage.close()
        for spec in ALL_TABLES:
            staged = stage.read(spec.name)
            if staged is not None:
                report.merges[spec.name] = the_case.merge(spec, staged)
        entries = the_case.manifest.setdefault("inputs", [])
        for file_report in report.files:
            if file_report.status in ("read", "unsupported", "empty"):
                entries.append(file_report.manifest_entry())
        the_case.manifest["tables"] = {spec.name: the_case.count(spec.name) for spec in ALL_TABLES}
        the_case.save_manifest()
    finally:
        stage.close()
        shutil.rmtree(stage_dir, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def _ingest_file(
    path: Path,
    display: str,
    stage: _Stage,
    known: dict[str, dict],
    *,
    force: bool,
    board: str | None,
    encoding: str | None,
    batch_size: int,
    max_record_bytes: int,
    progress,
) -> FileReport:
    started = time.perf_counter()
    report = FileReport(path=display, status="read")
    if not path.exists():
        report.status, report.message = "error", f"{display}: no such file"
        _file_quarantine(stage, display, "input", report.message + "; check the path")
        report.quarantined = 1
        return report
    report.size = path.stat().st_size
    report.sha256 = _sha256(path)
    previous = known.get(report.sha256)
    if previous is not None and not force:
        report.status = "skipped"
        report.message = f"already ingested (same sha256 as {previous.get('path')}); --force reads it again"
        if progress is not None:
            progress.update(report.size)
        return report
    source = InputFile(path, max_record_bytes=max_record_bytes)
    source_name = display
    detection = detect(source)
    if detection.reader is None:
        report.status = "empty" if detection.reason == "empty file" else "unsupported"
        report.message = detection.reason
        _file_quarantine(stage, source_name, "detect", detection.reason, head=source.head(4096))
        report.quarantined = 1
        if progress is not None:
            progress.update(report.size)
        return report
    reader: Reader = detection.reader(batch_size=batch_size, encoding=encoding, board=board)
    report.reader, report.reader_version = reader.name, reader.version
    report.message = detection.reason
    last_position = 0
    for batch in reader.read(source):
        report.records += batch.records
        for name, count in batch.notes.items():
            report.notes[name] = report.notes.get(name, 0) + count
        for spec in DATA_TABLES:
            rows = batch.rows(spec)
            if rows:
                stage.write(spec.name, rows_to_table(spec, rows, reader.time_formats))
                report.rows[spec.name] = report.rows.get(spec.name, 0) + len(rows)
        for spec, table in batch.tables:
            stage.write(spec.name, table)
            report.rows[spec.name] = report.rows.get(spec.name, 0) + table.num_rows
        if batch.quarantine:
            rows = [(source_name, *row[1:]) for row in batch.quarantine]
            stage.write(QUARANTINE.name, rows_to_table(QUARANTINE, rows, {}))
            report.quarantined += len(rows)
        if progress is not None:
            progress.update(max(0, batch.bytes_read - last_position))
            progress.set_postfix(records=report.records, refresh=False)
            last_position = batch.bytes_read
    if report.records == 0 and report.quarantined == 0:
        report.status = "empty"
        report.message = "no records in file"
        _file_quarantine(stage, source_name, reader.name, "empty file: no records")
        report.quarantined = 1
    report.seconds = time.perf_counter() - started
    return report


def _file_quarantine(stage: _Stage, file: str, reader: str, reason: str, head: bytes = b"") -> None:
    row = (file, None, 0 if head else None, "file", reader, reason, head, bool(head))
    stage.write(QUARANTINE.name, rows_to_table(QUARANTINE, [row], {}))
