"""A real Bolt server without Neo4j: ArcadeDB from the ``arcadedb-embedded`` wheel, run as a child process.

The wheel bundles its own Java runtime and a Bolt plugin that speaks Neo4j 5 Cypher, so the loader and the query
library run unchanged against it and against Neo4j. It backs two things: the embedded default
(``signalboost query NAME --case DIR`` keeps a graph database in ``DIR/graphdb``) and the test suite's server.

It runs in a child process rather than inside Python's (the wheel could start its JVM in-process) because a JVM
in the interpreter cannot be restarted once stopped, writes its logs into the working directory, and takes the
interpreter down with it if it crashes; a child process is started, waited for and stopped cleanly every time.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

DATABASE = "neo4j"
USER = "root"


class ServerError(RuntimeError):
    """The embedded graph server could not be started."""


def wheel_dir() -> Path:
    try:
        import arcadedb_embedded
    except ImportError as exc:  # a dependency of signalboost; missing only in a broken install
        raise ServerError("arcadedb-embedded is not installed; reinstall signalboost (pip install -e .)") from exc
    return Path(arcadedb_embedded.__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ArcadeServer:
    """An ArcadeDB server with Bolt on loopback, its databases under ``root``.

    The password is random per start unless given, lives only in this object and the child's command line, and is
    never printed. Use as a context manager, or ``start()`` / ``stop()``.
    """

    root: Path
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18), repr=False)
    bolt_port: int = 0
    http_port: int = 0
    heap: str = "2g"
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def auth(self) -> tuple[str, str]:
        return USER, self.password

    def command(self) -> list[str]:
        wheel = wheel_dir()
        java = wheel / "jre" / "bin" / "java"
        if not java.exists():
            raise ServerError(f"{java} is missing: the arcadedb-embedded wheel ships its own Java runtime")
        settings = {
            "arcadedb.server.rootPath": self.root, "arcadedb.server.databaseDirectory": self.root / "databases",
            "arcadedb.server.rootPassword": self.password, "arcadedb.server.defaultDatabases": f"{DATABASE}[{USER}]",
            "arcadedb.server.plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "arcadedb.server.httpIncomingHost": "127.0.0.1", "arcadedb.server.httpIncomingPort": self.http_port,
            "arcadedb.bolt.host": "127.0.0.1", "arcadedb.bolt.port": self.bolt_port,
            "arcadedb.server.mode": "development",
        }  # fmt: skip
        return [str(java), f"-Xmx{self.heap}", "-cp", str(wheel / "jars" / "*"),
                *(f"-D{key}={value}" for key, value in settings.items()), "com.arcadedb.server.ArcadeDBServer"]  # fmt: skip

    def start(self, timeout_s: float = 60.0) -> ArcadeServer:
        self.root = Path(self.root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.bolt_port = self.bolt_port or free_port()
        self.http_port = self.http_port or free_port()
        log = open(self.root / "server.log", "ab")  # noqa: SIM115 - the child keeps writing after we return
        self.process = subprocess.Popen(self.command(), cwd=self.root, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"the embedded graph server exited at start (code {self.process.returncode}); "
                                  f"see {self.root / 'server.log'}")  # fmt: skip
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise ServerError(f"the embedded graph server did not answer on Bolt within {timeout_s:.0f} s; "
                          f"see {self.root / 'server.log'}")  # fmt: skip

    def _ready(self) -> bool:
        from neo4j import GraphDatabase
        from neo4j.exceptions import Neo4jError, ServiceUnavailable

        try:
            with socket.create_connection(("127.0.0.1", self.bolt_port), timeout=0.5):
                pass
            # An auto-commit run is not retried by the driver, so a server still opening its database answers
            # "not yet" here instead of logging retry warnings.
            with GraphDatabase.driver(self.uri, auth=self.auth) as driver, driver.session(database=DATABASE) as session:
                session.run("MATCH (n) RETURN count(n) AS n").consume()
            return True
        except (OSError, ServiceUnavailable, Neo4jError):
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def kill(self) -> None:
        """Kill the server at once, as a crash would (for the kill-and-rerun test)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def wipe(self) -> None:
        shutil.rmtree(self.root / "databases", ignore_errors=True)

    def __enter__(self) -> ArcadeServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

