"""Neo4j: the graph model, an idempotent batched loader, the Cypher query library, and an embedded target.

``load_case(driver, case, analysis)`` writes a case and its findings; ``library()`` / ``load_query(name)`` give the
shipped ``.cypher`` queries and ``run_query`` runs one with typed parameters; ``bolt_target(uri, ...)`` and
``embedded_target(case)`` are the two places they run (a Neo4j server, or ArcadeDB inside the case directory).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .export import export_admin_csv
from .loader import LoadReport, apply_schema, graph_counts, load_case, load_rows
from .model import LABELS, REL_SPECS, REL_TYPES, Analysis, GraphRows, graph_rows
from .queries import Query, QueryError, QueryResult, library, load_query, read_query_file, run_query
from .target import GraphTarget, TargetError, bolt_target, embedded_target, results_dir_for


def analysis_for(case, results_dir: str | Path | None = None) -> Analysis:
    """The findings to write back: from ``results_dir`` (an ``investigate --out`` folder), from the folder the
    case sits in when it came from ``investigate``, or computed now by running every detector."""
    results = Path(results_dir) if results_dir else results_dir_for(case)
    if results is not None:
        return Analysis.from_dir(results)
    from ..investigate import analyse

    with tempfile.TemporaryDirectory() as tmp:
        return Analysis.from_investigation(analyse(case, tmp, report=False))


__all__ = [
    "LABELS", "REL_SPECS", "REL_TYPES", "Analysis", "GraphRows", "GraphTarget", "LoadReport", "Query", "QueryError",
    "QueryResult", "TargetError", "analysis_for", "apply_schema", "bolt_target", "embedded_target",
    "export_admin_csv", "graph_counts", "graph_rows", "library", "load_case", "load_query", "load_rows",
    "read_query_file", "results_dir_for", "run_query",
]  # fmt: skip
