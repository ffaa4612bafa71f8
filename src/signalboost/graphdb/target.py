"""Where Cypher runs: a Neo4j (or other Bolt) server named by URI, or the embedded graph inside a case.

Both are a :class:`GraphTarget`, a driver plus a database name, so the loader and the query library never know
which one they talk to. Credentials come from flags or ``NEO4J_*`` environment variables and are never printed:
error messages pass through :func:`redact`.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .arcade import DATABASE, ArcadeServer, ServerError

EMBEDDED_DIR = "graphdb"
STAMP = "loaded.json"
GRAPH_FORMAT = 1


class TargetError(RuntimeError):
    """The graph database could not be reached or used; the message says how to fix it."""


@dataclass
class GraphTarget:
    driver: object
    database: str | None
    kind: str  # "bolt" or "embedded"
    _features: dict = field(default_factory=dict)

    def has(self, feature: str) -> bool:
        """Whether the server offers a Neo4j plugin (``gds``, ``apoc``), probed once by calling its version()."""
        if feature not in self._features:
            probe = {"gds": "RETURN gds.version() AS v", "apoc": "RETURN apoc.version() AS v"}.get(feature)
            if probe is None:
                self._features[feature] = False
            else:
                try:
                    self.driver.execute_query(probe, database_=self.database)
                    self._features[feature] = True
                except Exception:  # noqa: BLE001 - any refusal means the feature is absent
                    self._features[feature] = False
        return self._features[feature]


def redact(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@contextmanager
def bolt_target(uri: str, user: str, password: str | None, database: str | None = None):
    """A driver for a Bolt server; fails with a clear, password-free message when it cannot connect."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ConfigurationError, Neo4jError, ServiceUnavailable

    try:
        driver = GraphDatabase.driver(uri, auth=(user, password or ""))
    except (ValueError, ConfigurationError) as exc:
        raise TargetError(redact(f"cannot use Neo4j URI {uri!r}: {exc}; give bolt://HOST:7687 or neo4j://HOST:7687",
                                 password)) from exc  # fmt: skip
    try:
        try:
            driver.verify_connectivity()
        except AuthError as exc:
            raise TargetError(f"Neo4j at {uri} refused user {user!r}: check NEO4J_USER / NEO4J_PASSWORD "
                              "(or --user / --password)") from exc  # fmt: skip
        except (ServiceUnavailable, OSError, Neo4jError) as exc:
            raise TargetError(redact(f"cannot reach Neo4j at {uri}: {exc}. Is the server running? "
                                     "(docker/README.md starts one)", password)) from exc  # fmt: skip
        yield GraphTarget(driver, database, "bolt")
    finally:
        driver.close()


def case_stamp(case) -> str:
    """What the embedded graph was loaded from: the case manifest and the analysis files beside it."""
    digest = hashlib.sha256(f"format {GRAPH_FORMAT}".encode())
    digest.update((Path(case.path) / "manifest.json").read_bytes())
    for path in sorted(results_dir_for(case).glob("*.csv")) if results_dir_for(case) else []:
        digest.update(path.name.encode() + str(path.stat().st_mtime_ns).encode())
    return digest.hexdigest()


def results_dir_for(case) -> Path | None:
    """The investigation output folder a case belongs to (``investigate --out DIR`` puts the case in DIR/case)."""
    parent = Path(case.path).resolve().parent
    summary = parent / "summary.json"
    if summary.exists():
        try:
            if Path(json.loads(summary.read_text()).get("case", "")).resolve() == Path(case.path).resolve():
                return parent
        except (json.JSONDecodeError, OSError):
            return None
    return None


@contextmanager
def embedded_target(case, *, analysis=None, reload: bool = False, progress: bool = False, batch_size: int = 5000):
    """The case's own graph database (``CASE/graphdb``), loaded on first use and again when the case changes."""
    from .loader import load_case

    root = Path(case.path) / EMBEDDED_DIR
    stamp_path = root / STAMP
    stamp = case_stamp(case)
    fresh = stamp_path.exists() and json.loads(stamp_path.read_text()).get("stamp") == stamp and not reload
    if not fresh:
        server = ArcadeServer(root)
        server.wipe()
        stamp_path.unlink(missing_ok=True)
    (root / "config" / "server-users.jsonl").unlink(missing_ok=True)  # each start sets a new random password
    server = ArcadeServer(root)
    try:
        server.start()
    except ServerError as exc:
        raise TargetError(str(exc)) from exc
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(server.uri, auth=server.auth)
    try:
        target = GraphTarget(driver, DATABASE, "embedded")
        if not fresh:
            if analysis is None:
                from . import analysis_for

                analysis = analysis_for(case)
            load_case(driver, case, analysis, database=DATABASE, batch_size=batch_size, progress=progress)
            stamp_path.write_text(json.dumps({"stamp": stamp}) + "\n")
        yield target
    finally:
        driver.close()
        server.stop()

