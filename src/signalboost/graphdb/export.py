"""CSV files for ``neo4j-admin database import full``: the fastest way to put a very large case into Neo4j.

One file per label and per relationship (start label, type, end label), headers in the import tool's syntax
(``account_id:ID(Account)``, ``:START_ID(Account)``, ``followers:long``, ``created_at:datetime``, ``:LABEL``,
``:TYPE``), each label its own id space, plus ``import.sh`` with the command that reads them.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd

from .model import NODE_KEYS, REL_SPECS, GraphRows


def _typed_header(frame: pd.DataFrame, skip: set[str]) -> dict[str, str]:
    header = {}
    for column in frame.columns:
        if column in skip:
            continue
        dtype = frame[column].dtype
        kind = "string"
        if pd.api.types.is_bool_dtype(dtype):
            kind = "boolean"
        elif pd.api.types.is_integer_dtype(dtype):
            kind = "long"
        elif pd.api.types.is_float_dtype(dtype):
            kind = "double"
        elif pd.api.types.is_datetime64_any_dtype(dtype) or "timestamp" in str(dtype):
            kind = "datetime"
        header[column] = column if kind == "string" else f"{column}:{kind}"
    return header


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype) or "timestamp" in str(dtype):
            out[column] = pd.to_datetime(out[column], utc=True).map(lambda v: v.isoformat() if pd.notna(v) else "")
        elif pd.api.types.is_bool_dtype(dtype):
            out[column] = out[column].map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
    return out


def export_admin_csv(rows: GraphRows, out_dir: str | Path, *, database: str = "neo4j") -> dict[str, Path]:
    """Write the import files and ``import.sh``; returns the paths by label / relationship name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    arguments = []
    for label, frame in rows.nodes.items():
        key = NODE_KEYS[label]
        header = {key: f"{key}:ID({label})", **_typed_header(frame, {key})}
        data = _prepare(frame).rename(columns=header)
        data[":LABEL"] = label
        path = out / f"nodes_{label}.csv"
        data.to_csv(path, index=False)
        paths[label] = path
        arguments.append(f"--nodes={shlex.quote(path.name)}")
    for spec in REL_SPECS:
        frame = rows.rels.get(spec.name)
        if frame is None:
            continue
        header = {"start": f":START_ID({spec.start})", "end": f":END_ID({spec.end})",
                  **_typed_header(frame, {"start", "end"})}  # fmt: skip
        data = _prepare(frame).rename(columns=header)
        data[":TYPE"] = spec.type
        path = out / f"rels_{spec.name}.csv"
        data.to_csv(path, index=False)
        paths[spec.name] = path
        arguments.append(f"--relationships={shlex.quote(path.name)}")
    script = out / "import.sh"
    script.write_text(
        "#!/bin/sh\n# Run where neo4j-admin is, with Neo4j stopped; the target database must be new or is overwritten.\n"
        f'cd "$(dirname "$0")"\nneo4j-admin database import full {shlex.quote(database)} --overwrite-destination \\\n  '
        + " \\\n  ".join(arguments) + "\n"
    )
    script.chmod(0o755)
    return paths
