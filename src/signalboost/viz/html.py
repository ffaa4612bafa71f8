"""The offline cascade view: one self-contained HTML file (sigma.js + graphology inlined, no network).

Positions are computed here with igraph (Fruchterman & Reingold 1991; its grid variant for large graphs), so the page
only draws: WebGL through sigma.js, with the same colour and size meanings as the Graphistry view, a legend,
search by username, a time filter that replays the cascade, and a role / bot-label colour switch.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import numpy as np

from .graph import BOT_COLOURS, ROLE_COLOURS, TIME_RAMP, TYPE_COLOURS, CascadeFrames

FR_LIMIT = 3_000  # nodes; above it the grid variant of Fruchterman-Reingold (repulsion from nearby cells only)


def asset(name: str) -> str:
    return (resources.files("signalboost.viz") / "assets" / name).read_text(encoding="utf-8")


def layout(frames: CascadeFrames, *, seed: int = 0) -> np.ndarray:
    """x, y per node (rows of ``frames.nodes``), scaled to [-1, 1]; deterministic for a seed."""
    import random

    import igraph as ig

    n = len(frames.nodes)
    if n == 0:
        return np.zeros((0, 2))
    index = {node: i for i, node in enumerate(frames.nodes["node_id"])}
    pairs = np.column_stack([frames.edges["source"].map(index).to_numpy(), frames.edges["target"].map(index).to_numpy()])
    graph = ig.Graph(n=n, edges=pairs.tolist(), directed=False).simplify()
    random.seed(seed)
    rng = np.random.default_rng(seed)
    # Start spread over a square of side sqrt(n), as igraph does: the grid variant's cells assume that scale, and
    # a start squeezed into [-1, 1] puts every node in one cell (quadratic, minutes at 60k nodes).
    half = math.sqrt(n) / 2
    start = rng.uniform(-half, half, size=(n, 2)).tolist()
    # DrL was tried for large graphs and took minutes (458 s at 42k nodes); the grid FR takes seconds.
    grid = n > FR_LIMIT
    coords = np.array(graph.layout_fruchterman_reingold(niter=300 if grid else 500, seed=start, grid=grid).coords)
    coords -= np.median(coords, axis=0)
    # Small components drift far out and would shrink the main one to a dot: scale to the 95th percentile of
    # distance and pull the rest onto the rim.
    radius = np.hypot(coords[:, 0], coords[:, 1])
    scale = float(np.percentile(radius, 95)) or float(radius.max()) or 1.0
    coords = coords / scale
    radius = radius / scale
    outside = radius > 1.0
    coords[outside] /= radius[outside, None]
    return coords


def _clean(values) -> list:
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in values]


def view_data(frames: CascadeFrames, *, title: str, seed: int = 0) -> dict:
    nodes, edges = frames.nodes, frames.edges
    xy = layout(frames, seed=seed)
    index = {node: i for i, node in enumerate(nodes["node_id"])}
    t = edges["first_ts"].to_numpy(dtype=float)
    span = (float(np.nanmin(t)), float(np.nanmax(t))) if len(t) else (0.0, 1.0)
    weight = edges["weight"].to_numpy(dtype=float) if len(edges) else np.zeros(0)
    summary = f"{len(nodes):,} nodes · {len(edges):,} edges"
    if frames.truncated:
        summary += f" (the {len(edges):,} heaviest of {frames.total_edges:,})"
    return {
        "meta": {"title": title, "focus": frames.focus, "t_min": span[0], "t_max": span[1], "summary": summary},
        "legend": {"role": {**ROLE_COLOURS, **{k: v for k, v in TYPE_COLOURS.items() if k in set(nodes["type"])}},
                   "bot": {**BOT_COLOURS, **{k: v for k, v in TYPE_COLOURS.items() if k in set(nodes["type"])}}},
        "nodes": {
            "node_id": nodes["node_id"].astype(str).tolist(), "label": nodes["label"].astype(str).tolist(),
            "x": np.round(xy[:, 0], 4).tolist(), "y": np.round(xy[:, 1], 4).tolist(),
            "size": nodes["size"].astype(float).tolist(), "colour_role": nodes["colour_role"].tolist(),
            "colour_bot": nodes["colour_bot"].tolist(), "title": nodes["title"].tolist(),
            "first_ts": _clean(nodes["first_ts"].astype(float).tolist()),
        },
        "edges": {
            "source": edges["source"].map(index).astype(int).tolist(), "target": edges["target"].map(index).astype(int).tolist(),
            "colour": edges["colour_time"].tolist(), "size": np.round(0.5 + np.log1p(weight) * 0.6, 2).tolist(),
            "first_ts": _clean(np.nan_to_num(t, nan=span[0]).tolist()),
        },
    }  # fmt: skip


def render_html(frames: CascadeFrames, *, title: str = "signalboost cascade", seed: int = 0) -> str:
    """The page as a string: data and both libraries inlined, nothing fetched when it is opened."""
    data = json.dumps(view_data(frames, title=title, seed=seed), separators=(",", ":"), allow_nan=False)
    # "</" would end the script element early; JSON allows the escaped form.
    data = data.replace("</", "<\\/")
    ramp_css = ", ".join(TIME_RAMP)
    page = asset("cascade.html")
    escaped_title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for marker, value in (("{{TITLE}}", escaped_title), ("{{RAMP_CSS}}", ramp_css), ("{{DATA}}", data),
                          ("{{GRAPHOLOGY}}", asset("graphology.umd.min.js")), ("{{SIGMA}}", asset("sigma.min.js"))):  # fmt: skip
        page = page.replace(marker, value)
    return page


def write_html(frames: CascadeFrames, path: str | Path, *, title: str = "signalboost cascade", seed: int = 0) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(frames, title=title, seed=seed), encoding="utf-8")
    return path
