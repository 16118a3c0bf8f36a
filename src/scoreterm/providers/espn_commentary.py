"""ESPN soccer summary ``commentary[]`` and shots -> domain structs. Pure, defensive.

In the real payload (fifa.world MEX-RSA) each commentary item has ``sequence`` (0 = "Lineups are
announced", counting up to "Match ends"), ``time.displayValue`` (``"45'+2'"``), ``text`` and,
for events, a ``play`` with ``type.text`` (``Shot On Target``, ``Shot Off Target``, ``Shot
Blocked``, ``Shot Hit Woodwork``, ``Goal - Header``, ``Foul``...), ``period.number``,
``team.displayName`` (no team id) and, on shots, ``fieldPositionX/Y``, ``fieldPosition2X/Y`` and
``goalPositionY``. ``keyEvents`` carry goals in the same shape with a team id; a goal missing
from the commentary (which can lag) is taken from there. Shoot-out kicks and own goals are not
shots of the side credited with them and are left out of the shot map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoreterm.domain.centre import (
    CommentaryItem,
    CommentaryKind,
    Shot,
    ShotOutcome,
    SideName,
    minute_text,
)
from scoreterm.domain.minutes import exact_minute
from scoreterm.providers.values import as_dict, as_list, dig, flag, integer, name, number, text

__all__ = ["commentary_kind", "normalize_commentary", "normalize_shots", "shot_outcome"]

MAX_COMMENTARY = 400
MAX_SHOTS = 200
_PHASES = ("kickoff", "halftime", "start 2nd half", "end regular time", "full time", "end of", "start of")


def _type_text(play: Mapping[str, Any]) -> str:
    kind = as_dict(play.get("type"))
    return (text(kind.get("text"), 60) or text(kind.get("type"), 60).replace("-", " ")).lower()


def commentary_kind(type_text: str) -> CommentaryKind:
    """Classify a play by its lower-cased ``type.text``."""
    if "own goal" in type_text:
        return "own_goal"
    if (type_text.startswith("goal") and "disallow" not in type_text) or type_text.startswith(
        "penalty - scored"
    ):
        return "goal"
    if "red card" in type_text:
        return "red_card"
    if "yellow card" in type_text:
        return "yellow_card"
    if "substitution" in type_text:
        return "substitution"
    if shot_outcome(type_text) is not None:
        return "shot"
    if type_text.startswith("var"):
        return "var"
    if type_text.startswith(_PHASES):
        return "phase"
    return "other"


def shot_outcome(type_text: str) -> ShotOutcome | None:
    """The outcome of a shot-like play by its lower-cased ``type.text``; None if not a shot."""
    if "own goal" in type_text or "disallow" in type_text:
        return None
    if type_text.startswith("goal") or type_text.startswith("penalty - scored"):
        return "goal"
    if "woodwork" in type_text:
        return "woodwork"
    if "blocked" in type_text and ("shot" in type_text or "penalty" in type_text):
        return "blocked"
    if type_text.startswith("shot on target") or type_text.startswith("penalty - saved"):
        return "on_target"
    if type_text.startswith("shot off target") or type_text.startswith("penalty - missed"):
        return "off_target"
    return None


def _side(
    play: Mapping[str, Any], by_id: Mapping[str, SideName], by_name: Mapping[str, SideName]
) -> SideName | None:
    team = as_dict(play.get("team"))
    return by_id.get(text(team.get("id"), 20)) or by_name.get(name(team.get("displayName")))


def normalize_commentary(
    items: Any, by_id: Mapping[str, SideName], by_name: Mapping[str, SideName]
) -> tuple[CommentaryItem, ...]:
    """Turn ``commentary[]`` into items, oldest first (by ESPN's ``sequence``, which is also the
    order ESPN lists them in). Items without text are skipped; at most the latest
    ``MAX_COMMENTARY`` are kept.

    Args:
        items: the summary's ``commentary`` value.
        by_id: ESPN team id -> side.
        by_name: team display name -> side (commentary plays name the team, without its id).
    """
    found: list[CommentaryItem] = []
    for index, raw in enumerate(as_list(items)):
        item = as_dict(raw)
        play = as_dict(item.get("play"))
        body = text(item.get("text")) or text(play.get("text"))
        if not body:
            continue
        sequence = integer(item.get("sequence"), 0, 10**7)
        found.append(
            CommentaryItem(
                sequence=index if sequence is None else sequence,
                minute=minute_text(text(dig(item, "time", "displayValue"), 20)),
                text=body,
                period=integer(dig(play, "period", "number"), 0, 20) or 0,
                kind=commentary_kind(_type_text(play)) if play else "other",
                side=_side(play, by_id, by_name) if play else None,
                play_id=text(play.get("id"), 30),
            )
        )
    found.sort(key=lambda c: c.sequence)
    return tuple(found[-MAX_COMMENTARY:])


def _coordinate(value: Any) -> float | None:
    found = number(value)
    return found if found is not None and 0.0 <= found <= 100.0 else None


def _shot(
    play: Mapping[str, Any], by_id: Mapping[str, SideName], by_name: Mapping[str, SideName]
) -> Shot | None:
    outcome = shot_outcome(_type_text(play))
    side = _side(play, by_id, by_name)
    if outcome is None or side is None or flag(play.get("shootout")):
        return None
    participants = as_list(play.get("participants"))
    return Shot(
        side=side,
        player=name(dig(participants[0], "athlete", "displayName")) if participants else "",
        minute=minute_text(text(dig(play, "clock", "displayValue"), 20)),
        outcome=outcome,
        period=integer(dig(play, "period", "number"), 0, 20) or 0,
        x=_coordinate(play.get("fieldPositionX")),
        y=_coordinate(play.get("fieldPositionY")),
        end_x=_coordinate(play.get("fieldPosition2X")),
        end_y=_coordinate(play.get("fieldPosition2Y")),
        goal_y=_coordinate(play.get("goalPositionY")),
        play_id=text(play.get("id"), 30),
    )


def _order(shot: Shot) -> tuple[int, int, int]:
    minute = exact_minute(shot.minute) or (999, 0)
    return shot.period, minute[0], minute[1]


def normalize_shots(
    commentary: Any, key_events: Any, by_id: Mapping[str, SideName], by_name: Mapping[str, SideName]
) -> tuple[Shot, ...]:
    """Collect the shots of the commentary, plus goals only ``keyEvents`` has, in match order."""
    shots: list[Shot] = []
    seen: set[str] = set()
    plays = [as_dict(as_dict(item).get("play")) for item in as_list(commentary)]
    for play in (*plays, *(as_dict(event) for event in as_list(key_events))):
        shot = _shot(play, by_id, by_name)
        if shot is None or (shot.play_id and shot.play_id in seen):
            continue
        seen.add(shot.play_id)
        shots.append(shot)
    shots.sort(key=_order)
    return tuple(shots[:MAX_SHOTS])
