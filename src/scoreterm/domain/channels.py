"""Channel names: what a subscriber asks for and every update is published on. Pure."""

from __future__ import annotations

ALL = "*"
CONNECTION = "connection"
"""The channel of the status updates a remote feed makes of its own connection to a server."""


def league_channel(slug: str) -> str:
    """The channel of one league (``league:eng.1``)."""
    return f"league:{slug}"


def match_channel(match_id: str) -> str:
    """The channel of one match (``match:espn-760505``)."""
    return f"match:{match_id}"


def table_channel(slug: str) -> str:
    """The channel of one league's live table (``table:eng.1``)."""
    return f"table:{slug}"
