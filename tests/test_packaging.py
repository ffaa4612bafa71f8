"""The wheel ships every subpackage, the Cypher library, the bot model and the viewer's JavaScript."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_and_data_file_is_declared():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT / "src").parts) for p in (ROOT / "src" / "signalboost").rglob("__init__.py")}
    assert found | {"signalboost.cypher"} == declared
    assert config["package-dir"]["signalboost.cypher"] == "cypher"
    patterns = config["package-data"]
    for path in (ROOT / "cypher").glob("*.cypher"):
        assert any(fnmatch(path.name, p) for p in patterns["signalboost.cypher"]), path
    shipped = [*(ROOT / "src/signalboost/bots/model").iterdir(), *(ROOT / "src/signalboost/viz/assets").iterdir()]
    for path in shipped:
        relative = path.relative_to(ROOT / "src" / "signalboost").as_posix()
        assert any(fnmatch(relative, p) for p in patterns["signalboost"]), relative
