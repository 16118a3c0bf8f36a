"""Pure display helpers shared by the one-shot table, the headless JSON and the TUI."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from scoreterm.domain.model import Match, PhaseState


def score_text(match: Match) -> str:
    """``2-3``, ``1-1 (4-3 p)`` after a shoot-out, or ``v`` before kick-off."""
    if match.phase.state in (PhaseState.SCHEDULED, PhaseState.POSTPONED, PhaseState.CANCELLED):
        return "v"
    text = f"{match.score.home}-{match.score.away}"
    if match.shootout is not None:
        text += f" ({match.shootout.home}-{match.shootout.away} p)"
    return text


def status_text(match: Match) -> str:
    """What the status column shows: the live clock, ``HT``, ``FT``, ``PPD``..."""
    phase = match.phase
    if phase.state is PhaseState.SCHEDULED:
        return ""
    if phase.state is PhaseState.LIVE:
        parts = [phase.label, match.clock] if match.clock and match.clock != phase.label else [phase.label]
        return " ".join(part for part in parts if part)
    return phase.label or match.clock or phase.state.value


def kickoff_text(match: Match, zone: tzinfo, with_day: bool = True) -> str:
    """Kick-off in the user's zone: ``28 Jun 20:00`` (or ``20:00`` without the day)."""
    local = match.kickoff.astimezone(zone)
    return local.strftime("%d %b %H:%M") if with_day else local.strftime("%H:%M")


def match_json(match: Match) -> dict[str, Any]:
    """The stable JSON shape of a match for ``scores --json`` and scripts."""
    return {
        "id": match.id,
        "league": match.league,
        "kickoff": _iso_utc(match.kickoff),
        "home": {"name": match.home.name, "abbrev": match.home.abbrev},
        "away": {"name": match.away.name, "abbrev": match.away.abbrev},
        "score": {"home": match.score.home, "away": match.score.away},
        "shootout": ({"home": match.shootout.home, "away": match.shootout.away} if match.shootout else None),
        "phase": match.phase.state.value,
        "period": match.phase.period,
        "label": match.phase.label,
        "clock": match.clock,
        "provider": match.provider,
    }


def _iso_utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
