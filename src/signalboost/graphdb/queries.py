"""The Cypher query library: one parameterised query per ``.cypher`` file, loaded by name.

The files live in the repository's top-level ``cypher/`` folder, which the wheel installs as the package
``signalboost.cypher``. Each starts with a header of ``//`` comment lines::

    // name: top_catalysts
    // purpose: The accounts that first carried content into Twitter, best first.
    // param limit: int = 20 | how many accounts
    // param role: str = catalyst | only this role ("" for every role)
    // example: signalboost query top_catalysts --param limit=10
    // needs: gds            (optional: a Neo4j-only feature; the query is skipped where the server lacks it)

Parameter types are ``int``, ``float``, ``str``, ``bool``, ``datetime`` (ISO 8601) and ``list`` (comma-separated
strings). A parameter without ``= default`` is required. Values only ever reach the server as ``$parameters``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

HEADER = re.compile(r"^//\s*(name|purpose|example|needs|returns):\s*(.*)$|^//\s*(param)\s+(.*)$")
PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>int|float|str|bool|datetime|list)"
                   r"(?:\s*=\s*(?P<default>[^|]*?))?\s*(?:\|\s*(?P<help>.*))?$")  # fmt: skip
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


class QueryError(ValueError):
    """A query file or a parameter is wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: object = None
    required: bool = True
    help: str = ""

    def convert(self, raw: str):
        try:
            if self.type == "int":
                return int(raw)
            if self.type == "float":
                return float(raw)
            if self.type == "bool":
                lowered = raw.strip().lower()
                if lowered not in TRUE | FALSE:
                    raise ValueError("expected true or false")
                return lowered in TRUE
            if self.type == "datetime":
                value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
                return value if value.tzinfo else value.replace(tzinfo=datetime.now().astimezone().tzinfo)
            if self.type == "list":
                return [item.strip() for item in raw.split(",") if item.strip()]
            return raw
        except ValueError as exc:
            raise QueryError(f"parameter {self.name} must be {self.type}: {raw!r} ({exc})") from exc


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    purpose: str = ""
    params: tuple[Param, ...] = ()
    example: str = ""
    needs: tuple[str, ...] = ()
    returns: str = ""
    path: str = ""

    def parameters(self, given: dict[str, str] | None = None, typed: dict | None = None) -> dict:
        """Typed values for every declared parameter: ``given`` strings converted, ``typed`` values as they are,
        defaults for the rest. An undeclared or missing required parameter is an error."""
        given, typed = dict(given or {}), dict(typed or {})
        declared = {param.name: param for param in self.params}
        unknown = sorted(set(given) | set(typed) - set(declared))
        unknown = [name for name in unknown if name not in declared]
        if unknown:
            known = ", ".join(declared) or "none"
            raise QueryError(f"query {self.name} has no parameter {', '.join(unknown)} (its parameters: {known})")
        values = {}
        for name, param in declared.items():
            if name in typed:
                values[name] = typed[name]
            elif name in given:
                values[name] = param.convert(given[name])
            elif param.required:
                raise QueryError(f"query {self.name} needs --param {name}=<{param.type}> ({param.help})")
            else:
                values[name] = param.default
        return values


def parse(text: str, *, name: str | None = None, path: str = "") -> Query:
    """Parse a query file's header; the body is everything after it."""
    fields: dict[str, object] = {"params": [], "needs": []}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            if stripped:
                break
            continue
        match = HEADER.match(stripped)
        if not match:
            continue
        key, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        value = value.strip()
        if key == "param":
            fields["params"].append(_param(value, path or name or "query"))
        elif key == "needs":
            fields["needs"].extend(item.strip() for item in value.split(",") if item.strip())
        else:
            fields[key] = value
    query_name = str(fields.get("name") or name or "query")
    body = _body(text)
    if not body:
        raise QueryError(f"{path or query_name}: the file holds no Cypher statement")
    used = set(re.findall(r"\$([A-Za-z_]\w*)", body))
    undeclared = sorted(used - {param.name for param in fields["params"]})
    if undeclared:
        raise QueryError(f"{path or query_name}: ${', $'.join(undeclared)} used but not declared; add "
                         f"`// param {undeclared[0]}: str` (or another type) to the header")
    return Query(query_name, text, str(fields.get("purpose", "")), tuple(fields["params"]), str(fields.get("example", "")),
                 tuple(fields["needs"]), str(fields.get("returns", "")), path)  # fmt: skip


def _param(spec: str, where: str) -> Param:
    match = PARAM.match(spec)
    if not match:
        raise QueryError(f"{where}: cannot read parameter declaration {spec!r}; write `// param name: type = default | help`")
    kind, default = match.group("type"), match.group("default")
    param = Param(match.group("name"), kind, None, default is None, (match.group("help") or "").strip())
    if default is None:
        return param
    default = default.strip()
    value = None if default in ("null", "") and kind != "str" else param.convert(default.strip('"'))
    return Param(param.name, kind, value, False, param.help)


def library_dir():
    return resources.files("signalboost.cypher")


def library() -> dict[str, Query]:
    """Every query of the shipped library by name (``schema.cypher`` is not a query and is left out)."""
    queries = {}
    for entry in sorted(library_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher") and entry.name != "schema.cypher":
            query = parse(entry.read_text(encoding="utf-8"), name=entry.name[: -len(".cypher")], path=entry.name)
            queries[query.name] = query
    return queries


def load_query(name: str) -> Query:
    queries = library()
    if name not in queries:
        raise QueryError(f"no query named {name!r}; `signalboost query --list` shows them ({', '.join(queries)})")
    return queries[name]


def read_query_file(path: str | Path) -> Query:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read {path}: {exc}") from exc
    return parse(text, name=path.stem, path=str(path))


def schema_statements() -> list[str]:
    """The statements of ``schema.cypher``, split on ``;`` with comments removed."""
    text = (library_dir() / "schema.cypher").read_text(encoding="utf-8")
    body = re.sub(r"(?m)^\s*//.*$", "", text)
    return [statement.strip() for statement in body.split(";") if statement.strip()]


@dataclass
class QueryResult:
    query: Query
    columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)

    def frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)


def run_query(driver, query: Query, params: dict, *, database: str | None = None) -> QueryResult:
    """Run a library or user query as a managed read transaction; values only as parameters."""
    from neo4j import READ_ACCESS, WRITE_ACCESS

    routing = WRITE_ACCESS if re.search(r"(?i)\b(CREATE|MERGE|SET|DELETE|REMOVE)\b", _body(query.text)) else READ_ACCESS

    def work(tx):
        result = tx.run(_body(query.text), params)
        keys = list(result.keys())
        return keys, [_plain(record.data()) for record in result]

    with driver.session(database=database, default_access_mode=routing) as session:
        run = session.execute_write if routing == WRITE_ACCESS else session.execute_read
        columns, rows = run(work)
    return QueryResult(query, columns, rows)


def _body(text: str) -> str:
    return re.sub(r"(?m)^\s*//.*$", "", text).strip().rstrip(";")


def _plain(value):
    """Driver values as plain Python: temporal types to ISO strings, nodes and paths to dicts and lists."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), **_plain(dict(value))}
    if isinstance(value, Relationship):
        return {"type": value.type, **_plain(dict(value))}
    if isinstance(value, Path):
        return [_plain(node) for node in value.nodes]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value
