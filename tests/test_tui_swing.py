"""The swing of a goal, a red card or a goal ruled out: in its toast and its timeline row; and the board
keeping a match's heavy parts (centre, trend) when a league delta comes without them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from scoreterm.domain.centre import CommentaryItem, MatchCentre
from scoreterm.domain.model import (
    DeltaUpdate,
    EventKind,
    EventUpdate,
    Match,
    MatchEvent,
    Phase,
    PhaseState,
    ProbabilityPoint,
    Score,
    Side,
    SnapshotUpdate,
    Team,
    Trend,
    Update,
    WinProbability,
)
from scoreterm.tui.board import Board, ToastKind
from scoreterm.tui.widgets.timeline import Timeline
from tests.test_tui_match import open_match, scripted, timeline_lines
from tests.tui_helpers import ScriptedFeed, until

AT = datetime(2026, 6, 11, 19, 30, tzinfo=UTC)
CHANNEL = "league:fifa.world"
BEFORE = WinProbability(home=0.493, away=0.25, draw=0.257, source="market")
AFTER = WinProbability(home=0.712, away=0.1, draw=0.188, source="market")


def live(**changes: Any) -> Match:
    match = Match(
        id="m1",
        league="fifa.world",
        kickoff=datetime(2026, 6, 11, 19, tzinfo=UTC),
        home=Team(name="Mexico", abbrev="MEX"),
        away=Team(name="South Africa", abbrev="RSA"),
        phase=Phase(state=PhaseState.LIVE, period=1, label="1H"),
        clock="9'",
        seq=1,
    )
    return msgspec.structs.replace(match, **changes)


def event(item: MatchEvent) -> Update:
    return EventUpdate(channel=CHANNEL, at=AT, match_id="m1", seq=item.seq, event=item)


def delta(match: Match) -> Update:
    return DeltaUpdate(channel=CHANNEL, at=AT, match_id=match.id, seq=match.seq, match=match)


def snapshot(match: Match) -> Update:
    return SnapshotUpdate(channel=CHANNEL, at=AT, matches=(match,))


GOAL = MatchEvent(
    kind=EventKind.GOAL,
    minute="9'",
    side=Side.HOME,
    player="Julián Quiñones",
    score=Score(1, 0),
    key="goal:home:1-0",
    prob_before=BEFORE,
    prob_after=AFTER,
    seq=2,
)


def board_with(match: Match) -> Board:
    board = Board()
    board.apply(snapshot(match), 0.0)
    return board


def test_goal_toast_tells_the_swing() -> None:
    notices = board_with(live()).apply(event(GOAL), 1.0)
    assert [(n.kind, n.title, n.message) for n in notices] == [
        (ToastKind.GOAL, "GOAL! Mexico", "MEX 1-0 RSA · Mexico win 49% → 71%\nJulián Quiñones 9'")
    ]


def test_red_card_toast_tells_the_other_sides_gain_and_minutes_read_as_fans_write_them() -> None:
    card = MatchEvent(
        kind=EventKind.RED_CARD,
        minute="90'+2'",
        side=Side.AWAY,
        player="Themba Zwane",
        key="card:away:zwane:1",
        prob_before=BEFORE,
        prob_after=AFTER,
        seq=3,
    )
    (notice,) = board_with(live()).apply(event(card), 1.0)
    assert (notice.title, notice.message) == (
        "Red card: South Africa",
        "Themba Zwane 90+2'\nMexico win 49% → 71%",
    )


def test_disallowed_goal_toast_tells_the_fall() -> None:
    ruled_out = MatchEvent(
        kind=EventKind.GOAL_DISALLOWED,
        minute="32'",
        side=Side.HOME,
        score=Score(0, 0),
        key="disallowed:home:1-0",
        prob_before=AFTER,
        prob_after=BEFORE,
        seq=4,
    )
    (notice,) = board_with(live()).apply(event(ruled_out), 1.0)
    assert notice.message == "Mexico goal 32' ruled out (VAR)\nMexico win 71% → 49%"


def test_no_swing_no_change_no_words() -> None:
    bare = msgspec.structs.replace(GOAL, prob_before=None, prob_after=None)
    (notice,) = board_with(live()).apply(event(bare), 1.0)
    assert notice.message == "MEX 1-0 RSA\nJulián Quiñones 9'"
    certain = WinProbability(home=0.9968, away=0.0001, draw=0.0031)
    flat = msgspec.structs.replace(GOAL, prob_before=certain, prob_after=certain)
    (notice,) = board_with(live()).apply(event(flat), 1.0)
    assert notice.message == "MEX 1-0 RSA\nJulián Quiñones 9'"  # ">99% → >99%" would tell nothing


def test_a_league_delta_without_heavy_parts_keeps_the_known_centre_and_trend() -> None:
    centre = MatchCentre(commentary=(CommentaryItem(sequence=1, minute="9'", text="Goal!", kind="goal"),))
    trend = Trend(prob=(ProbabilityPoint(prob=BEFORE, elapsed_s=0.0),))
    board = board_with(live(centre=centre, trend=trend))
    board.apply(delta(live(clock="10'", seq=3)), 1.0)  # as the server strips them on a league channel
    kept = board.matches["m1"]
    assert (kept.clock, kept.centre, kept.trend) == ("10'", centre, trend)
    newer = MatchCentre(
        commentary=(*centre.commentary, CommentaryItem(sequence=2, minute="11'", text="Corner"))
    )
    board.apply(delta(live(clock="11'", centre=newer, seq=4)), 2.0)  # the match channel's fuller state
    assert board.matches["m1"].centre == newer and board.matches["m1"].trend == trend


async def test_timeline_row_shows_the_swing_compactly() -> None:
    feed = ScriptedFeed([snapshot(live())])
    app = scripted(feed)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_match(pilot, app, "m1")
        feed.push(event(GOAL))
        card = MatchEvent(
            kind=EventKind.RED_CARD,
            minute="45'+2'",
            side=Side.AWAY,
            player="Sphephelo Sithole",
            key="card:away:sithole:1",
            prob_before=AFTER,
            prob_after=WinProbability(home=0.8, away=0.05, draw=0.15),
            seq=3,
        )
        feed.push(event(card))
        await until(pilot, lambda: any("Sithole" in line for line in timeline_lines(app)))
        lines = timeline_lines(app)
        assert "9'  GOAL  MEX  Julián Quiñones  1-0  MEX 49%→71%" in lines
        assert "45+2'  RC    RSA  Sphephelo Sithole  MEX 71%→80%" in lines
        assert next(n.message.splitlines()[0] for n in app.toasted) == "MEX 1-0 RSA · Mexico win 49% → 71%"
        assert app.screen.query_one("#timeline", Timeline).swing(GOAL) == "MEX 49%→71%"
