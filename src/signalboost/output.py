"""Writing tables for people and pipes: ``--format csv|json|table|parquet``, ``-`` for stdout."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd

FORMATS = ("table", "csv", "json", "parquet")


def _printable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype).startswith("binary"):
            out[column] = out[column].map(
                lambda v: v.decode("utf-8", errors="replace") if isinstance(v, bytes | bytearray) else v
            )
    return out


def write_frame(frame: pd.DataFrame, fmt: str, output: str = "-", *, max_width: int = 60) -> None:
    """Write ``frame`` as ``fmt`` to ``output`` (a path, or ``-`` for stdout)."""
    if fmt == "parquet":
        if output == "-":
            if sys.stdout.isatty():
                raise ValueError("refusing to write Parquet to a terminal; give --output FILE or pipe it")
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            sys.stdout.buffer.write(buffer.getvalue())
            sys.stdout.buffer.flush()
        else:
            frame.to_parquet(output, index=False)
        return
    frame = _printable(frame)
    if fmt == "csv":
        text = frame.to_csv(index=False)
    elif fmt == "json":
        text = frame.to_json(orient="records", date_format="iso", force_ascii=False, lines=False, indent=1) + "\n"
    elif fmt == "table":
        shown = frame.copy()
        for column in shown.columns:
            shown[column] = shown[column].map(lambda v: _clip(v, max_width))
        text = (shown.to_string(index=False) if len(shown) else "(no rows)") + "\n"
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")


def _clip(value, width: int):
    if isinstance(value, str):
        value = value.replace("\n", " ")
        return value if len(value) <= width else value[: width - 1] + "…"
    return value


def write_json(data, output: str = "-") -> None:
    text = json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n"
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
