"""Graphistry: the campaign as a pygraphistry Plotter, and a thin upload.

``cascade_plotter`` builds the Plotter offline (frames, bindings, encodings, settings); nothing contacts a
server until ``upload``, which registers with credentials from ``GRAPHISTRY_*`` environment variables (or
arguments) and plots. Without credentials the CLI says how to set them and writes the offline view instead.
"""

from __future__ import annotations

import os

from .graph import BOT_COLOURS, ROLE_COLOURS, TIME_RAMP, TYPE_COLOURS, CascadeFrames

CREDENTIAL_VARIABLES = {
    "username": "GRAPHISTRY_USERNAME", "password": "GRAPHISTRY_PASSWORD",
    "personal_key_id": "GRAPHISTRY_PERSONAL_KEY_ID", "personal_key_secret": "GRAPHISTRY_PERSONAL_KEY_SECRET",
    "server": "GRAPHISTRY_SERVER", "protocol": "GRAPHISTRY_PROTOCOL",
}  # fmt: skip
HOW_TO = ("set GRAPHISTRY_USERNAME and GRAPHISTRY_PASSWORD, or GRAPHISTRY_PERSONAL_KEY_ID and "
          "GRAPHISTRY_PERSONAL_KEY_SECRET (and GRAPHISTRY_SERVER for a server other than hub.graphistry.com)")  # fmt: skip


class GraphistryUnavailable(RuntimeError):
    """No Graphistry credentials were given."""


def credentials(env=None) -> dict | None:
    """``graphistry.register`` arguments from the environment, or None when no usable pair is set."""
    env = os.environ if env is None else env
    found = {key: env[name] for key, name in CREDENTIAL_VARIABLES.items() if env.get(name)}
    has_login = "username" in found and "password" in found
    has_key = "personal_key_id" in found and "personal_key_secret" in found
    if not (has_login or has_key):
        return None
    found.setdefault("server", "hub.graphistry.com")
    found.setdefault("protocol", "https")
    return found


def cascade_plotter(frames: CascadeFrames, *, colour_by: str = "role", name: str | None = None):
    """A pygraphistry Plotter for :func:`signalboost.viz.graph.cascade_frames`, built without any server.

    Points: accounts (and URL / 4chan-thread nodes in URL focus), coloured by role or bot label, sized by reach,
    titled with username, role, bot and catalyst scores. Edges: interactions, coloured by first time on a
    dark-to-yellow ramp, with ``first_at`` as a real datetime column, which Graphistry's time bar and histogram
    filters offer for replaying the cascade (``showTimebars`` is an embedding setting, not a URL parameter).
    """
    import graphistry

    if colour_by not in ("role", "bot_label"):
        raise ValueError("colour_by must be 'role' or 'bot_label'")
    nodes = frames.nodes.copy()
    edges = frames.edges.copy()
    edges["first_at"] = edges["first_at"].astype("datetime64[ms, UTC]")
    edges["title"] = edges["kind"] + " ×" + edges["weight"].astype(str)
    mapping = {**(ROLE_COLOURS if colour_by == "role" else BOT_COLOURS), **TYPE_COLOURS}
    plotter = (
        graphistry.edges(edges, "source", "target")
        .nodes(nodes, "node_id")
        .bind(point_title="title", point_label="label", point_size="size", edge_title="title", edge_label="kind")
        .encode_point_color(colour_by, categorical_mapping=mapping, default_mapping="#c7cdd4")
        .encode_point_size("size")
        .encode_edge_color("first_ts", palette=list(TIME_RAMP), as_continuous=True)
        .settings(url_params={"play": 2000, "pointsOfInterestMax": 10, "showArrows": True, "showHistograms": True},
                  validate="strict")  # fmt: skip
    )
    label = name or f"signalboost {frames.focus}"
    return plotter.name(label).description(f"{len(nodes):,} nodes, {len(edges):,} of {frames.total_edges:,} edges")


def upload(plotter, creds: dict | None = None) -> str:
    """Register with Graphistry and upload; returns the visualisation URL. The only call that needs a server."""
    import graphistry

    creds = credentials() if creds is None else creds
    if not creds:
        raise GraphistryUnavailable(f"no Graphistry credentials: {HOW_TO}")
    graphistry.register(api=3, **creds)
    return plotter.plot(render=False)
