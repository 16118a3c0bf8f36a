"""Headless output: one JSON line per update, flushed as written, for scripts and pipes."""

from __future__ import annotations

import json
from typing import Any, TextIO

from scoreterm.domain.display import match_json
from scoreterm.domain.model import EventKind, Match, MatchEvent, Score, Side, Update, UpdateKind
from scoreterm.engine.feed import Feed


def score_after(event: MatchEvent, match: Match | None) -> Score | None:
    """The score once ``event`` has happened (a disallowed goal takes one back)."""
    if event.kind is EventKind.GOAL_DISALLOWED and event.score is not None and event.side is not None:
        home, away = event.score.home, event.score.away
        return Score(home - 1, away) if event.side is Side.HOME else Score(home, away - 1)
    if event.score is not None:
        return event.score
    return match.score if match is not None else None


def update_line(update: Update, known: dict[str, Match]) -> dict[str, Any] | None:
    """The JSON object printed for ``update`` (None for status updates); ``known`` tracks state."""
    if update.kind is UpdateKind.SNAPSHOT:
        for match in update.matches:
            known[match.id] = match
        return {
            "type": "snapshot",
            "channel": update.channel,
            "matches": [{**match_json(m), "seq": m.seq} for m in update.matches],
        }
    if update.kind is UpdateKind.DELTA and update.match is not None:
        known[update.match.id] = update.match
        return {"type": "delta", "match_id": update.match.id, "seq": update.seq, **_state(update.match)}
    if update.kind is UpdateKind.EVENT and update.event is not None and update.match_id is not None:
        event = update.event
        score = score_after(event, known.get(update.match_id))
        return {
            "type": "event",
            "match_id": update.match_id,
            "seq": update.seq,
            "kind": event.kind.value,
            "minute": event.minute,
            "side": event.side.value if event.side else None,
            "player": event.player,
            "detail": event.detail,
            "score": {"home": score.home, "away": score.away} if score else None,
            "synthetic": event.synthetic,
            "enriches": event.enriches,
            "key": event.key,
        }
    return None


def _state(match: Match) -> dict[str, Any]:
    return {
        "score": {"home": match.score.home, "away": match.score.away},
        "phase": match.phase.state.value,
        "label": match.phase.label,
        "clock": match.clock,
        "unconfirmed": match.unconfirmed,
    }


async def print_feed(feed: Feed, out: TextIO) -> int:
    """Print every update of ``feed`` as JSON lines until it ends; return the lines printed."""
    known: dict[str, Match] = {}
    printed = 0
    async for update in feed:
        line = update_line(update, known)
        if line is not None:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
            printed += 1
    return printed
