"""The case store: canonical tables as Parquet files in one directory, plus a manifest of what went in.

Layout of a case directory::

    manifest.json          inputs (path, size, sha256, reader and version, counts), table row counts
    accounts.parquet  posts.parquet  interactions.parquet  urls.parquet  hashtags.parquet
    quarantine.parquet     every record that could not be read, with file, line/offset and reason

Tables are rewritten whole at the end of each ingest (through a temporary file and an atomic rename), merged
with what was there and deduplicated on their keys, so a second ingest adds and never duplicates.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schema import ALL_TABLES, QUARANTINE, TABLES_BY_NAME, TableSpec

MANIFEST = "manifest.json"
CASE_FORMAT_VERSION = 1


class CaseError(Exception):
    """The directory is not a case, or the case is damaged."""


@dataclass
class MergeResult:
    table: str
    before: int
    added_rows: int  # rows offered by this ingest
    after: int
    duplicates_resolved: int = 0

    @property
    def new_rows(self) -> int:
        return self.after - self.before


def _key_codes(table: pa.Table, key: tuple[str, ...]) -> np.ndarray:
    """One int64 per row, equal exactly when the rows' key columns are equal (nulls equal to nulls)."""
    codes = np.zeros(table.num_rows, dtype=np.int64)
    distinct = 1
    for name in key:
        encoded = pc.dictionary_encode(table.column(name).combine_chunks(), null_encoding="encode")
        size = max(len(encoded.dictionary), 1)
        if distinct * size >= 1 << 62:  # renumber densely before the product could overflow
            codes = np.unique(codes, return_inverse=True)[1].astype(np.int64)
            distinct = int(codes.max()) + 1
        codes = codes * size + encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        distinct *= size
    return codes


def deduplicate(spec: TableSpec, table: pa.Table) -> tuple[pa.Table, int]:
    """One row per key of ``spec``; among duplicates the highest priority columns win, then the greatest content
    (every other column, compared in schema order), so the survivor does not depend on input order. Returns the
    table and how many rows were dropped."""
    if table.num_rows == 0:
        return table, 0
    codes = _key_codes(table, spec.key)
    duplicated = np.bincount(codes)[codes] > 1 if codes.max() < 4 * table.num_rows else _duplicated(codes)
    if not duplicated.any():
        return table, 0
    candidate_index = np.flatnonzero(duplicated)
    candidates = table.take(pa.array(candidate_index)).append_column("__code", pa.array(codes[candidate_index]))
    others = [name for name in spec.schema.names if name not in spec.key and name not in spec.priority]
    order = pc.sort_indices(
        candidates,
        sort_keys=[("__code", "ascending"), *((name, "descending") for name in (*spec.priority, *others))],
    ).to_numpy()  # nulls sort last (Arrow's default), so a known value beats a missing one
    sorted_codes = codes[candidate_index][order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_codes[1:] != sorted_codes[:-1]
    keep = np.concatenate([np.flatnonzero(~duplicated), candidate_index[order[first]]])
    keep.sort()
    return table.take(pa.array(keep)), table.num_rows - len(keep)


def _duplicated(codes: np.ndarray) -> np.ndarray:
    _, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    return counts[inverse] > 1


@dataclass
class Case:
    """A case directory. ``Case.open(dir)`` for an existing one; tables come back as pandas DataFrames."""

    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | os.PathLike) -> Case:
        path = Path(path)
        manifest_path = path / MANIFEST
        if not manifest_path.exists():
            raise CaseError(
                f"{path} is not a signalboost case (no {MANIFEST}); create one with "
                f"`signalboost ingest INPUT... --case {path}`"
            )
        try:
            manifest = json.loads(manifest_path.read_text())
        except json.JSONDecodeError as exc:
            raise CaseError(f"{manifest_path} is damaged ({exc}); re-ingest into a new case") from exc
        return cls(path, manifest)

    @classmethod
    def create(cls, path: str | os.PathLike) -> Case:
        path = Path(path)
        if (path / MANIFEST).exists():
            return cls.open(path)
        if path.exists() and any(path.iterdir()):
            raise CaseError(f"{path} exists, is not empty and is not a signalboost case; choose another --case")
        path.mkdir(parents=True, exist_ok=True)
        case = cls(path, {"format_version": CASE_FORMAT_VERSION, "inputs": [], "tables": {}})
        case.save_manifest()
        return case

    def table_path(self, name: str) -> Path:
        return self.path / f"{name}.parquet"

    def arrow(self, name: str, columns: list[str] | None = None) -> pa.Table:
        spec = TABLES_BY_NAME[name]
        path = self.table_path(name)
        if not path.exists():
            schema = spec.schema if columns is None else pa.schema([spec.schema.field(c) for c in columns])
            return schema.empty_table()
        # One chunk per column: pandas' Arrow-backed take, factorize and comparisons pay per chunk.
        return pq.read_table(path, columns=columns).combine_chunks()

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """A canonical table as a DataFrame (nullable Arrow-backed dtypes, UTC timestamps)."""
        return self.arrow(name, columns).to_pandas(types_mapper=pd.ArrowDtype)

    @property
    def accounts(self) -> pd.DataFrame:
        return self.table("accounts")

    @property
    def posts(self) -> pd.DataFrame:
        return self.table("posts")

    @property
    def interactions(self) -> pd.DataFrame:
        return self.table("interactions")

    @property
    def urls(self) -> pd.DataFrame:
        return self.table("urls")

    @property
    def hashtags(self) -> pd.DataFrame:
        return self.table("hashtags")

    @property
    def quarantine(self) -> pd.DataFrame:
        return self.table("quarantine")

    def count(self, name: str) -> int:
        path = self.table_path(name)
        return pq.ParquetFile(path).metadata.num_rows if path.exists() else 0

    def merge(self, spec: TableSpec, new: pa.Table) -> MergeResult:
        """Add ``new`` rows to a table, deduplicate, and replace the file atomically."""
        existing = self.arrow(spec.name)
        before = existing.num_rows
        combined = pa.concat_tables([existing, new.cast(spec.schema)]) if before else new.cast(spec.schema)
        merged, dropped = deduplicate(spec, combined)
        tmp = self.table_path(spec.name).with_suffix(".parquet.tmp")
        pq.write_table(merged, tmp, compression="zstd")
        os.replace(tmp, self.table_path(spec.name))
        self.manifest.setdefault("tables", {})[spec.name] = merged.num_rows
        return MergeResult(spec.name, before, new.num_rows, merged.num_rows, dropped)

    def save_manifest(self) -> None:
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(self.manifest, indent=2, sort_keys=True, default=str))
        os.replace(tmp, self.path / MANIFEST)

    def ingested_hashes(self) -> dict[str, dict]:
        return {entry["sha256"]: entry for entry in self.manifest.get("inputs", []) if entry.get("sha256")}

    def info(self) -> dict[str, Any]:
        """Counts per table, platforms, time span, languages, post kinds and quarantine reasons."""
        summary: dict[str, Any] = {
            "case": str(self.path),
            "inputs": len(self.manifest.get("inputs", [])),
            "tables": {spec.name: self.count(spec.name) for spec in ALL_TABLES},
        }
        posts = self.arrow("posts", ["platform", "created_at", "lang", "kind", "in_collection"])
        if posts.num_rows:
            frame = posts.to_pandas()
            summary["platforms"] = frame["platform"].value_counts().to_dict()
            summary["posts_in_collection"] = int(frame["in_collection"].sum())
            summary["kinds"] = frame["kind"].value_counts().to_dict()
            times = frame["created_at"].dropna()
            if len(times):
                summary["time_span"] = {"first": times.min().isoformat(), "last": times.max().isoformat()}
            summary["languages"] = frame["lang"].value_counts().head(10).to_dict()
        accounts = self.arrow("accounts", ["platform"])
        if accounts.num_rows:
            summary["accounts_by_platform"] = accounts.to_pandas()["platform"].value_counts().to_dict()
        quarantine = self.arrow(QUARANTINE.name, ["reason"])
        if quarantine.num_rows:
            reasons = quarantine.to_pandas()["reason"].str.replace(r"\d[\d,]*", "N", regex=True)
            summary["quarantine_reasons"] = reasons.str.slice(0, 120).value_counts().head(10).to_dict()
        return summary
