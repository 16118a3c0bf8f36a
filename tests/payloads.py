"""Build sequences of ESPN-shaped payloads from real fixtures, for tests that need a match to move.

Every function takes a real ``events[]`` item (see :func:`fixture_event`) and returns a modified
deep copy; the input is never changed, so one fixture event can seed a whole sequence::

    villa = fixture_event(ENG1_FILE, "740896")
    goal = detail_at(find_detail(villa, "Goal"), "23'")
    frames = [
        scoreboard(scheduled(villa)),
        scoreboard(live(villa, "1'")),
        scoreboard(with_details(with_score(live(villa, "23'"), 1, 0), [goal])),
        scoreboard(full_time(with_details(with_score(villa, 1, 0), [goal]))),
    ]

The shapes follow the captured payloads (``tests/fixtures/espn_soccer``): the status object sits
both on the event and on its competition, scores are strings on the competitors, and
``competitions[0].details`` lists goals and cards with ``clock.displayValue`` and ``clock.value``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from tests.httpserver import FIXTURES

Payload = dict[str, Any]

ENG1_FILE = "espn_soccer/eng.1_scoreboard_20260322_full_time_3_matches.json"
ENG1_SCOREBOARD = "/apis/site/v2/sports/soccer/eng.1/scoreboard"
ENG1_SUMMARY = "/apis/site/v2/sports/soccer/eng.1/summary"

# The status objects of the captured payloads, keyed by ESPN status name: (id, state, description).
_STATUS = {
    "STATUS_SCHEDULED": ("1", "pre", "Scheduled"),
    "STATUS_FIRST_HALF": ("25", "in", "First Half"),
    "STATUS_HALFTIME": ("23", "in", "Halftime"),
    "STATUS_SECOND_HALF": ("26", "in", "Second Half"),
    "STATUS_FULL_TIME": ("28", "post", "Full Time"),
}
_MINUTE = re.compile(r"(\d+)'(?:\+(\d+)')?")


def load_fixture(relative: str) -> Payload:
    """Decode the JSON file at ``tests/fixtures/<relative>``."""
    data: Payload = json.loads((FIXTURES / relative).read_text(encoding="utf-8"))
    return data


def fixture_event(relative: str, event_id: str) -> Payload:
    """A deep copy of the ``events[]`` item ``event_id`` of the scoreboard fixture ``relative``.

    Raises:
        KeyError: the fixture has no such event.
    """
    for event in load_fixture(relative)["events"]:
        if event["id"] == event_id:
            return copy.deepcopy(event)
    raise KeyError(f"{relative} has no event {event_id}")


def competition(event: Mapping[str, Any]) -> Payload:
    """The first (only) competition of ``event`` (not a copy)."""
    found: Payload = event["competitions"][0]
    return found


def competitor(event: Mapping[str, Any], side: str) -> Payload:
    """The ``home`` or ``away`` competitor of ``event`` (not a copy)."""
    for item in competition(event)["competitors"]:
        if item["homeAway"] == side:
            found: Payload = item
            return found
    raise KeyError(f"no {side} competitor")


def team_id(event: Mapping[str, Any], side: str) -> str:
    """The ESPN team id of the ``home`` or ``away`` side."""
    return str(competitor(event, side)["team"]["id"])


def clock_seconds(minute: str) -> float:
    """ESPN's ``clock.value`` for a minute text: ``"23'"`` -> 1380.0, ``"45'+2'"`` -> 2820.0."""
    found = _MINUTE.fullmatch(minute)
    if found is None:
        raise ValueError(f"not a minute: {minute!r}")
    return (int(found[1]) + int(found[2] or 0)) * 60.0


def with_status(
    event: Mapping[str, Any],
    name: str,
    *,
    period: int,
    display_clock: str,
    detail: str | None = None,
) -> Payload:
    """A copy of ``event`` with its status set (on the event and on its competition).

    Args:
        event: a scoreboard ``events[]`` item.
        name: an ESPN status name: STATUS_SCHEDULED, STATUS_FIRST_HALF, STATUS_HALFTIME,
            STATUS_SECOND_HALF or STATUS_FULL_TIME.
        period: ``status.period`` (0 before kick-off).
        display_clock: ``status.displayClock`` (``"23'"``, ``"45'+2'"``).
        detail: ``type.detail`` / ``shortDetail``; defaults to the clock while live, ``HT`` / ``FT``
            at the breaks, ``Scheduled`` before.
    """
    status_id, state, description = _STATUS[name]
    if detail is None:
        detail = {"pre": "Scheduled", "post": "FT"}.get(state, display_clock)
        if name == "STATUS_HALFTIME":
            detail = "HT"
    seconds = clock_seconds(display_clock) if _MINUTE.fullmatch(display_clock) else 0.0
    status: Payload = {
        "clock": seconds,
        "displayClock": display_clock,
        "type": {
            "id": status_id,
            "name": name,
            "state": state,
            "completed": state == "post",
            "description": description,
            "detail": detail,
            "shortDetail": detail,
        },
    }
    if period:
        status["period"] = period
    out = copy.deepcopy(dict(event))
    out["status"] = status
    competition(out)["status"] = copy.deepcopy(status)
    return out


def scheduled(event: Mapping[str, Any]) -> Payload:
    """A copy of ``event`` before kick-off: scheduled, 0-0, no details."""
    out = with_status(event, "STATUS_SCHEDULED", period=0, display_clock="0'")
    return with_details(with_score(out, 0, 0), [])


def live(event: Mapping[str, Any], minute: str) -> Payload:
    """A copy of ``event`` in play at ``minute``: first half up to ``45'+n'``, second half after."""
    found = _MINUTE.fullmatch(minute)
    if found is None:
        raise ValueError(f"not a minute: {minute!r}")
    name, period = ("STATUS_FIRST_HALF", 1) if int(found[1]) <= 45 else ("STATUS_SECOND_HALF", 2)
    return with_status(event, name, period=period, display_clock=minute)


def half_time(event: Mapping[str, Any]) -> Payload:
    """A copy of ``event`` at half-time (ESPN keeps ``state: in`` and the frozen clock)."""
    return with_status(event, "STATUS_HALFTIME", period=1, display_clock="45'+2'")


def full_time(event: Mapping[str, Any]) -> Payload:
    """A copy of ``event`` at full time."""
    return with_status(event, "STATUS_FULL_TIME", period=2, display_clock="90'+4'")


def with_score(event: Mapping[str, Any], home: int, away: int) -> Payload:
    """A copy of ``event`` with the competitors' scores set (strings, as ESPN sends them)."""
    out = copy.deepcopy(dict(event))
    competitor(out, "home")["score"] = str(home)
    competitor(out, "away")["score"] = str(away)
    for item in competition(out)["competitors"]:
        item.pop("winner", None)
    return out


def with_kickoff(event: Mapping[str, Any], when: datetime) -> Payload:
    """A copy of ``event`` kicking off at ``when`` (an aware datetime), in ESPN's ``...T14:15Z`` form."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    out = copy.deepcopy(dict(event))
    out["date"] = stamp
    for key in ("date", "startDate"):
        if key in competition(out):
            competition(out)[key] = stamp
    return out


def with_details(event: Mapping[str, Any], details: Iterable[Mapping[str, Any]]) -> Payload:
    """A copy of ``event`` whose ``competitions[0].details`` is exactly ``details`` (copied)."""
    out = copy.deepcopy(dict(event))
    competition(out)["details"] = [copy.deepcopy(dict(row)) for row in details]
    return out


def find_detail(event: Mapping[str, Any], text: str, index: int = 0) -> Payload:
    """A copy of the ``index``-th detail of ``event`` whose ``type.text`` is ``text``."""
    rows = [row for row in competition(event).get("details", []) if row["type"]["text"] == text]
    return copy.deepcopy(rows[index])


def detail_at(row: Mapping[str, Any], minute: str) -> Payload:
    """A copy of a detail row moved to ``minute`` (``clock.displayValue`` and ``clock.value``)."""
    out = copy.deepcopy(dict(row))
    out["clock"] = {"value": clock_seconds(minute), "displayValue": minute}
    return out


def scoreboard(*events: Mapping[str, Any], template: str = ENG1_FILE) -> Payload:
    """A whole scoreboard payload: the fixture ``template`` with its ``events`` replaced."""
    payload = load_fixture(template)
    payload["events"] = [copy.deepcopy(dict(e)) for e in events]
    return payload


def summary_stub(event: Mapping[str, Any]) -> Payload:
    """The smallest ESPN summary of ``event`` that parses: its id and nothing else.

    Serve it where the engine asks for details (it fetches a summary on every goal and phase
    change): it adds nothing, so the scoreboard alone drives the match, and a missing route does
    not count as a provider failure.
    """
    return {"header": {"id": str(event["id"])}}


def encode(payload: Mapping[str, Any]) -> bytes:
    """Compact JSON bytes of ``payload``, as a server would send them."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
