"""The bundled demo tape: loads from the package, parses with the ESPN normalizer and tells the real match.

Mexico 2-0 South Africa (2026-06-11): Quiñones 9', Jiménez 67', half-time 19:54:57Z-20:11:31Z,
full time at 90'+8' (tests/fixtures/espn_soccer summary of event 760415).
"""

from __future__ import annotations

import importlib.resources
import json
import math
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import EventKind, Match, MoneyLine, PhaseState, SourceStatus, StatusUpdate
from scoreterm.engine.clock import FakeClock
from scoreterm.providers.espn import EspnProvider
from scoreterm.providers.espn_normalize import normalize_scoreboard, normalize_summary
from scoreterm.replay.player import ReplayTransport
from scoreterm.replay.tape import DEMO_TAPE, Tape, TapeFrame, demo_tape
from scoreterm.session import replay_session

FIXTURES = Path(__file__).parent / "fixtures"
KICKOFF = datetime(2026, 6, 11, 19, 5, 57, tzinfo=UTC)  # the Kickoff key event's wall clock
PHASE_ORDER = [PhaseState.SCHEDULED, PhaseState.LIVE, PhaseState.BREAK, PhaseState.LIVE, PhaseState.FINAL]


@cache
def tape() -> Tape:
    return demo_tape()


@cache
def scoreboards() -> tuple[tuple[TapeFrame, Match], ...]:
    out = []
    for frame in tape().frames:
        if frame.path.endswith("/scoreboard"):
            matches = normalize_scoreboard(msgspec.json.decode(frame.content), "fifa.world")
            out.append((frame, next(m for m in matches if m.id == "espn-760415")))
    return tuple(out)


def test_the_tape_ships_inside_the_package() -> None:
    resource = importlib.resources.files("scoreterm.replay") / "data" / DEMO_TAPE
    assert resource.is_file()
    assert len(resource.read_bytes()) < 1024 * 1024


def test_header() -> None:
    header = tape().header
    assert (header.format, header.version) == ("scoreterm-tape", 1)
    assert header.leagues == ("fifa.world",)
    assert header.providers == ("espn",)
    assert header.started_at == KICKOFF - timedelta(minutes=5)
    assert "fifa.world_summary_MEX-RSA_2-0" in header.note


def test_requests_are_what_an_engine_sends_on_match_day() -> None:
    keys = {(f.path, tuple(f.params.items())) for f in tape().frames}
    assert keys == {
        ("/apis/site/v2/sports/soccer/fifa.world/scoreboard", (("dates", "20260611"),)),
        ("/apis/site/v2/sports/soccer/fifa.world/summary", (("event", "760415"),)),
    }
    assert all(f.status == 200 and f.etag and f.provider == "espn" for f in tape().frames)


def test_first_frame_is_scheduled_and_last_is_final_two_nil() -> None:
    frames = scoreboards()
    first, last = frames[0][1], frames[-1][1]
    assert first.phase.state is PhaseState.SCHEDULED
    assert (first.home.name, first.away.name) == ("Mexico", "South Africa")
    assert last.phase.state is PhaseState.FINAL
    assert (last.home.abbrev, last.away.abbrev, str(last.score)) == ("MEX", "RSA", "2-0")
    assert frames[-1][0].t == max(f.t for f, _ in frames)


def test_phases_run_in_order_with_a_real_half_time() -> None:
    runs: list[tuple[PhaseState, float]] = []
    for frame, match in scoreboards():
        if not runs or runs[-1][0] is not match.phase.state:
            runs.append((match.phase.state, frame.t))
    assert [state for state, _ in runs] == PHASE_ORDER
    assert runs[1][1] == 300.0  # kick-off, 5 minutes in
    half_time = [m for _, m in scoreboards() if m.phase.state is PhaseState.BREAK]
    assert {(m.phase.label, m.clock) for m in half_time} == {("HT", "HT")}
    assert 16 * 60 <= runs[3][1] - runs[2][1] <= 17 * 60  # the real 16.5-minute interval


def test_goals_come_at_the_real_minutes_with_the_real_scorers() -> None:
    changes: list[tuple[float, str, Match]] = []
    for frame, match in scoreboards():
        if not changes or str(match.score) != changes[-1][1]:
            changes.append((frame.t, str(match.score), match))
    assert [score for _, score, _ in changes] == ["0-0", "1-0", "2-0"]
    for (t, _, match), (scorer, minute, wallclock) in zip(
        changes[1:],
        [("Julián Quiñones", "9'", "2026-06-11T19:14:30Z"), ("Raúl Jiménez", "67'", "2026-06-11T20:33:07Z")],
        strict=True,
    ):
        goal = [e for e in match.events if e.kind is EventKind.GOAL][-1]
        assert (goal.player, goal.minute) == (scorer, minute)
        scored_at = (datetime.fromisoformat(wallclock) - tape().header.started_at).total_seconds()
        assert scored_at <= t < scored_at + 20


def test_no_score_ever_goes_down_and_events_only_accumulate() -> None:
    previous = None
    for _, match in scoreboards():
        if previous is not None:
            assert match.score.home >= previous.score.home
            assert match.score.away >= previous.score.away
            assert len(match.events) >= len(previous.events)
        previous = match


def test_every_summary_parses_and_tells_no_more_than_had_happened() -> None:
    latest: Match | None = None
    seen = 0
    for frame in tape().frames:
        body = msgspec.json.decode(frame.content)
        if frame.path.endswith("/scoreboard"):
            latest = next(m for m in normalize_scoreboard(body, "fifa.world") if m.id == "espn-760415")
            continue
        assert latest is not None
        detail = normalize_summary(body, latest)
        assert detail.score == latest.score
        if latest.phase.is_active:
            # The summary holds only the line at kick-off: in play no price, the prior kept.
            assert detail.odds is not None and detail.odds.moneyline == MoneyLine()
            assert detail.odds.close is not None and detail.odds.close.home == -230
        else:
            assert detail.odds is not None and detail.odds.moneyline.home == -230
        goals = [e for e in detail.events if e.kind.is_goal]
        assert len(goals) == detail.score.home + detail.score.away
        assert len(detail.events) >= seen
        seen = len(detail.events)
    final = normalize_summary(msgspec.json.decode(tape().frames[-1].content), latest)  # type: ignore[arg-type]
    stats = {stat.name: (stat.home, stat.away) for stat in final.stats}
    assert stats["Possession"] == ("60.5", "39.5")
    assert stats["SHOTS"] == ("16", "3")


@pytest.mark.parametrize(
    ("minutes_in", "score", "label"),
    [(0, "0-0", ""), (20, "1-0", "1H"), (60, "1-0", "HT"), (100, "2-0", "2H"), (123, "2-0", "FT")],
)
async def test_replays_through_the_real_espn_provider(minutes_in: int, score: str, label: str) -> None:
    clock = FakeClock(tape().header.started_at)
    await clock.advance(minutes_in * 60)
    league = get_league("fifa.world")
    async with httpx.AsyncClient(transport=ReplayTransport(tape(), clock)) as client:
        espn = EspnProvider(client, base_url="http://tape.invalid")
        matches = await espn.scoreboard(league, date(2026, 6, 11), date(2026, 6, 11))
        match = next(m for m in matches if m.id == "espn-760415")
        detail = await espn.match_detail(league, match)
    assert {m.id for m in matches} == {"espn-760415", "espn-760414"}
    assert (str(match.score), match.phase.label) == (score, label)
    if match.phase.is_active:
        # Only the line at kick-off on the tape: never shown as live, kept as the prior.
        assert detail.odds is not None and detail.odds.moneyline == MoneyLine() and detail.odds.in_play
    else:
        assert detail.odds is not None and detail.odds.provider == "DraftKings"
        assert detail.odds.moment == ("close" if label == "FT" else detail.odds.moment)


async def test_an_engine_polling_at_next_frame_time_sees_every_change_once() -> None:
    clock = FakeClock(tape().header.started_at)
    player = ReplayTransport(tape(), clock)
    league = get_league("fifa.world")
    seen: list[tuple[str, str]] = []
    polls = 0
    async with httpx.AsyncClient(transport=player) as client:
        espn = EspnProvider(client, base_url="http://tape.invalid")
        cursor: float | None = 0.0
        while cursor is not None:
            await clock.advance(max(0.0, cursor - player.position()))
            matches = await espn.scoreboard(league, date(2026, 6, 11), date(2026, 6, 11))
            match = next(m for m in matches if m.id == "espn-760415")
            polls += 1
            if not seen or seen[-1] != (match.phase.label, str(match.score)):
                seen.append((match.phase.label, str(match.score)))
            cursor = player.next_frame_time(cursor)
    assert seen == [
        ("", "0-0"),
        ("1H", "0-0"),
        ("1H", "1-0"),
        ("HT", "1-0"),
        ("2H", "1-0"),
        ("2H", "2-0"),
        ("FT", "2-0"),
    ]
    assert polls == len({frame.t for frame in tape().frames})
    assert player.position() == pytest.approx(player.duration)


# -- the match centre on the tape: team sheets, substitutions and commentary as they happened ----

SUMMARY_FIXTURE = "fifa.world_summary_MEX-RSA_2-0_full_time_keyEvents_commentary_odds.json"


@cache
def real_summary() -> dict[str, Any]:
    return json.loads((FIXTURES / "espn_soccer" / SUMMARY_FIXTURE).read_text())


@cache
def centres() -> tuple[tuple[datetime, Match], ...]:
    """Every summary frame normalized as the engine would: (the tape's instant, the match)."""
    return tuple((at, match) for at, _, match in summary_frames())


@cache
def summary_frames() -> tuple[tuple[datetime, dict[str, Any], Match], ...]:
    """Every summary frame: the tape's instant, the payload, the match normalized from it."""
    out = []
    latest: Match | None = None
    for frame in tape().frames:
        body = msgspec.json.decode(frame.content)
        if frame.path.endswith("/scoreboard"):
            latest = next(m for m in normalize_scoreboard(body, "fifa.world") if m.id == "espn-760415")
            continue
        assert latest is not None
        at = tape().header.started_at + timedelta(seconds=frame.t)
        out.append((at, body, normalize_summary(body, latest)))
    return tuple(out)


def real_starters(side: str) -> list[tuple[int, str]]:
    roster = next(r for r in real_summary()["rosters"] if r["homeAway"] == side)
    return sorted(
        (int(p["formationPlace"]), p["athlete"]["displayName"]) for p in roster["roster"] if p["starter"]
    )


def test_lineups_before_kick_off_are_the_real_starting_elevens() -> None:
    at, first = centres()[0]
    assert at < KICKOFF and first.phase.state is PhaseState.SCHEDULED
    assert first.centre is not None
    home, away = first.centre.home_lineup, first.centre.away_lineup
    assert home is not None and away is not None
    assert (home.team, home.formation, away.team, away.formation) == (
        "Mexico",
        "4-1-4-1",
        "South Africa",
        "5-3-2",
    )
    for lineup, side in ((home, "home"), (away, "away")):
        assert len(lineup.starters) == 11
        assert [(p.formation_place, p.name) for p in lineup.starters] == real_starters(side)
        # Nothing has happened yet: no one came on or went off, no goal, no card.
        players = (*lineup.starters, *lineup.bench)
        assert not any(p.came_on or p.went_off or p.goals or p.yellow_cards or p.red_cards for p in players)
    assert [p.name for p in home.starters][:2] == ["Raúl Rangel", "Israel Reyes"]


def test_each_substitution_appears_only_once_it_happened() -> None:
    subs = [k for k in real_summary()["keyEvents"] if k["type"]["type"] == "substitution"]
    assert len(subs) == 9
    for key_event in subs:
        made = datetime.fromisoformat(key_event["wallclock"].replace("Z", "+00:00"))
        on, off = (p["athlete"]["displayName"] for p in key_event["participants"])
        for at, match in centres():
            assert match.centre is not None
            lineup = (
                match.centre.home_lineup if key_event["team"]["id"] == "203" else match.centre.away_lineup
            )
            assert lineup is not None
            sub = next(p for p in lineup.bench if p.name == on)
            starter = next(p for p in (*lineup.starters, *lineup.bench) if p.name == off)
            if at < made:
                assert sub.came_on is None and starter.went_off is None, (on, at)
            else:
                assert sub.came_on is not None and sub.came_on.player == off
                assert sub.came_on.minute == key_event["clock"]["displayValue"]
                assert starter.went_off is not None and starter.went_off.player == on
    final = centres()[-1][1].centre
    assert final is not None and final.away_lineup is not None
    zwane = next(p for p in final.away_lineup.bench if p.name == "Themba Zwane")
    assert zwane.came_on is not None and zwane.red_cards == ("84'",)  # on at 61', sent off at 84'


def test_cards_and_goals_on_the_team_sheet_wait_for_their_moment() -> None:
    for at, match in centres():
        assert match.centre is not None and match.centre.home_lineup is not None
        quinones = next(p for p in match.centre.home_lineup.starters if p.name == "Julián Quiñones")
        scored = datetime(2026, 6, 11, 19, 14, 30, tzinfo=UTC)
        assert quinones.goals == (("9'",) if at >= scored else ()), at


def test_commentary_never_runs_ahead_of_the_tape() -> None:
    grew = 0
    previous = 0
    for at, body, match in summary_frames():
        assert match.centre is not None
        for entry in body["commentary"]:
            if "play" in entry:
                assert datetime.fromisoformat(entry["play"]["wallclock"].replace("Z", "+00:00")) <= at
        count = len(match.centre.commentary)
        assert count >= previous
        grew += count > previous
        previous = count
    assert grew > 30  # it fills in minute by minute, not all at once
    assert previous == len(real_summary()["commentary"])
    assert len(centres()[0][1].centre.commentary) <= 1  # type: ignore[union-attr]


def test_shots_form_and_head_to_head_ride_on_every_summary() -> None:
    first = centres()[0][1]
    assert first.centre is not None and first.centre.preview is not None
    preview = first.centre.preview
    assert preview.home_form_text and preview.away_form_text
    assert preview.head_to_head and preview.head_to_head[0].date == "2010-06-11"
    final = centres()[-1][1].centre
    assert final is not None
    goals = [s for s in final.shots if s.outcome == "goal"]
    assert [(g.side, g.player, g.minute) for g in goals] == [
        ("home", "Julián Quiñones", "9'"),
        ("home", "Raúl Jiménez", "67'"),
    ]
    assert len(final.shots) == 19  # 16 + 3, the box score's shots


def test_the_tape_stays_small() -> None:
    size = len((importlib.resources.files("scoreterm.replay") / "data" / DEMO_TAPE).read_bytes())
    assert size < 950 * 1024


async def test_a_replay_says_no_next_poll_in_its_status() -> None:
    """A tape has no poller: a countdown in tape seconds would lie to a client watching it served
    at another speed (``serve --demo``: "next poll 20s" while frames came every second)."""
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    await session.feed.start()
    statuses: list[SourceStatus] = []
    try:
        async for update in session.feed:
            if isinstance(update, StatusUpdate) and update.channel.startswith("league:"):
                statuses.append(update.status)
    finally:
        await session.aclose()
    assert statuses and all(status.next_poll_s is None for status in statuses)
    assert {status.state for status in statuses} == {"ok"}
