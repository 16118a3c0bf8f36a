"""The dashboard on a replay started part-way or wound back: the Win % view shows the swings of the
goals before the start, ``[`` rewinds a tape played to its end at max speed, and full time is
toasted once per match however often the tape reaches it."""

from __future__ import annotations

import math
from datetime import UTC

from scoreterm.config import Settings
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session
from scoreterm.tui.app import AppOptions, ScoretermApp, make_app
from scoreterm.tui.board import ToastKind
from scoreterm.tui.screens.match import MatchScreen
from tests.test_tui_centre import MEX, lines
from tests.tui_helpers import until


def demo_from(minute: int | None, speed: float) -> ScoretermApp:
    session = replay_session(demo_tape(), UTC, name="demo", speed=speed, from_minute=minute)
    options = AppOptions(settings=Settings(), zone=UTC, leagues=["fifa.world"])
    return make_app(session.feed, options)


async def test_win_view_after_from_20_shows_the_swing_of_the_goal_before_it() -> None:
    app = demo_from(20, 60.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: MEX in app.board.matches)
        await pilot.press("space")  # pause, as the user did
        await app.push_screen(MatchScreen(MEX))
        await until(pilot, lambda: isinstance(app.screen, MatchScreen))
        await pilot.press("2")
        await until(pilot, lambda: app.screen.query_one("#winchart-plot").display is True)
        told = lines(app, "#winchart-swing-lines")
        assert "9' goal Julián Quiñones" in told and "Mexico win 66% → 89%" in told, told
        assert "No goal or red card has moved it yet" not in " ".join(told)
        match = app.board.matches[MEX]
        assert match.trend is not None and match.trend.prob[0].elapsed_s == 0.0


async def test_jump_back_after_the_end_at_max_speed_rewinds_and_full_time_is_toasted_once() -> None:
    app = demo_from(None, math.inf)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: app.feed_state == "ended", within=90.0)
        full_times = [n for n in app.toasted if n.kind is ToastKind.FULL_TIME]
        assert len(full_times) == 1
        replay = app.feed.replay
        assert replay is not None and replay.position == replay.duration
        await pilot.press("left_square_bracket")
        rewound = app.feed.replay
        assert rewound is not None and rewound is not replay
        await until(pilot, lambda: MEX in app.board.matches)
        # Held five minutes before the end (it would be back at the end at once otherwise).
        assert rewound.clock.paused and rewound.position == replay.duration - 300
        assert app.board.matches[MEX].phase.label != "FT"
        await pilot.press("space")  # play on to the end again
        await until(pilot, lambda: app.feed_state == "ended" and app.board.matches[MEX].phase.label == "FT")
        await pilot.pause()
        assert [n for n in app.toasted if n.kind is ToastKind.FULL_TIME] == full_times
