"""Loading a case into Neo4j (or any Bolt server speaking Neo4j 5 Cypher), idempotently and in batches.

Every statement is ``UNWIND $rows AS row MERGE …``: nodes merge on their key, relationships merge between
matched ends, so loading twice, or again after a load killed halfway, yields the same graph. Each batch is one
managed transaction (``session.execute_write``), which the driver retries on transient errors; auto-commit
``session.run`` is never used for writes (it is not retried, and on ArcadeDB leaves partial writes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from ..frames import epoch_seconds
from .model import (
    LABELS,
    NODE_KEYS,
    NODE_PROPERTIES,
    REL_SPECS,
    REL_TYPES,
    Analysis,
    GraphRows,
    check_identifier,
    graph_rows,
)
from .queries import schema_statements


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    batches: int = 0
    schema_statements: int = 0

    def rate(self, name: str) -> float:
        return self.rows[name] / self.seconds[name] if self.seconds.get(name) else float("nan")

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def _time_assignments(variable: str, columns, allowed) -> str:
    # Times travel as epoch milliseconds and become datetimes on the server: the driver's Python dehydration of
    # datetime values costs ~40 µs each, 40 times the rest of a row with the Rust encoder.
    return "".join(
        f", {variable}.{check_identifier(c, allowed)} = CASE WHEN row.times.{c} IS NULL THEN NULL "
        f"ELSE datetime({{epochMillis: row.times.{c}}}) END"
        for c in columns
    )


def node_statement(label: str, time_columns: tuple[str, ...] = ()) -> str:
    label = check_identifier(label, LABELS)
    key = check_identifier(NODE_KEYS[label], NODE_PROPERTIES[label])
    return (f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.props.{key}}}) SET n += row.props"
            + _time_assignments("n", time_columns, NODE_PROPERTIES[label]))


def rel_statement(spec, time_columns: tuple[str, ...] = ()) -> str:
    start, end = check_identifier(spec.start, LABELS), check_identifier(spec.end, LABELS)
    rel_type = check_identifier(spec.type, REL_TYPES)
    statement = (f"UNWIND $rows AS row MATCH (a:{start} {{{NODE_KEYS[start]}: row.start}}) "
                 f"MATCH (b:{end} {{{NODE_KEYS[end]}: row.end}}) MERGE (a)-[r:{rel_type}]->(b)")  # fmt: skip
    if spec.properties:
        statement += " SET r += row.props" + _time_assignments("r", time_columns, spec.properties)
    return statement


def time_columns(frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(c for c in frame.columns
                 if pd.api.types.is_datetime64_any_dtype(frame[c].dtype) or "timestamp" in str(frame[c].dtype))  # fmt: skip


def records(frame: pd.DataFrame, *, relationship: bool = False) -> tuple[list[dict], tuple[str, ...]]:
    """Rows as plain Python values the driver encodes fast (Rust), and the names of the time columns.

    A node row is ``{props, times}``, a relationship row ``{start, end, props, times}``; missing values are left
    out of ``props`` (Neo4j stores no nulls) and times are epoch milliseconds.
    """
    if frame.empty:
        return [], ()
    frame = frame.reset_index(drop=True)
    times = time_columns(frame)
    plain = frame.drop(columns=list(times))
    millis = {c: (epoch_seconds(frame[c]) * 1000) for c in times}
    table = pa.Table.from_pandas(plain, preserve_index=False)
    rows = table.to_pylist()
    time_rows = pa.table({c: pa.array(np.where(np.isnan(v), None, v), type=pa.float64()).cast(pa.int64())
                          for c, v in millis.items()}).to_pylist() if times else [{}] * len(rows)  # fmt: skip
    out = []
    for row, stamp in zip(rows, time_rows, strict=True):
        if relationship:
            start, end = row.pop("start"), row.pop("end")
            out.append({"start": start, "end": end, "props": {k: v for k, v in row.items() if v is not None},
                        "times": stamp})  # fmt: skip
        else:
            out.append({"props": {k: v for k, v in row.items() if v is not None}, "times": stamp})
    return out, times


def apply_schema(driver, database: str | None = None) -> int:
    """Run ``cypher/schema.cypher`` (constraints and indexes, ``IF NOT EXISTS``); returns statements run."""
    statements = schema_statements()
    for statement in statements:
        driver.execute_query(statement, database_=database)
    return len(statements)


def write_batches(driver, statement: str, rows: list[dict], *, database: str | None, batch_size: int,
                  on_batch: Callable[[int], None] | None = None) -> int:  # fmt: skip
    def work(tx, batch):
        tx.run(statement, rows=batch).consume()

    batches = 0
    with driver.session(database=database) as session:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            session.execute_write(work, batch)
            batches += 1
            if on_batch:
                on_batch(len(batch))
    return batches


def load_rows(driver, rows: GraphRows, *, database: str | None = None, batch_size: int = 5000,
              progress: bool = False, only: set[str] | None = None) -> LoadReport:  # fmt: skip
    """Write ``rows`` (nodes first, then relationships); ``only`` limits to some labels / relationship names."""
    from tqdm import tqdm

    report = LoadReport()
    report.schema_statements = apply_schema(driver, database)
    work = []
    for label, frame in rows.nodes.items():
        batch_rows, times = records(frame)
        work.append((label, node_statement(label, times), batch_rows))
    for spec in REL_SPECS:
        if spec.name in rows.rels:
            batch_rows, times = records(rows.rels[spec.name], relationship=True)
            work.append((spec.name, rel_statement(spec, times), batch_rows))
    if only is not None:
        work = [item for item in work if item[0] in only]
    total = sum(len(batch_rows) for _, _, batch_rows in work)
    with tqdm(total=total, unit="rows", disable=not progress, desc="load") as bar:
        for name, statement, batch_rows in work:
            started = time.perf_counter()
            bar.set_postfix_str(name)
            report.batches += write_batches(driver, statement, batch_rows, database=database, batch_size=batch_size,
                                            on_batch=bar.update)  # fmt: skip
            report.rows[name] = len(batch_rows)
            report.seconds[name] = round(time.perf_counter() - started, 3)
    return report


def load_case(driver, case, analysis: Analysis | None = None, *, database: str | None = None, batch_size: int = 5000,
              progress: bool = False) -> LoadReport:  # fmt: skip
    """Load a case and its analysis into the graph behind ``driver``."""
    return load_rows(driver, graph_rows(case, analysis), database=database, batch_size=batch_size, progress=progress)


def graph_counts(driver, database: str | None = None) -> dict[str, int]:
    """Nodes per label and relationships per RelSpec name (start label, type, end label), counted by the server."""
    counts: dict[str, int] = {}
    for label in LABELS:
        statement = f"MATCH (n:{check_identifier(label, LABELS)}) RETURN count(n) AS n"
        counts[label] = driver.execute_query(statement, database_=database).records[0]["n"]
    for spec in REL_SPECS:
        statement = (f"MATCH (:{check_identifier(spec.start, LABELS)})-[r:{check_identifier(spec.type, REL_TYPES)}]->"
                     f"(:{check_identifier(spec.end, LABELS)}) RETURN count(r) AS n")  # fmt: skip
        counts[spec.name] = driver.execute_query(statement, database_=database).records[0]["n"]
    return counts
