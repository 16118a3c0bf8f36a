"""The knock-out bracket from the real 2026 World Cup knock-out scoreboards, checked against the
payloads' own values: who advanced, shoot-out scores, extra time, placeholders and the tree."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import msgspec
import pytest

from scoreterm.domain.bracket import Bracket, Outcome, Placeholder, Tie, build_bracket, parse_placeholder
from scoreterm.domain.leagues import get_league
from scoreterm.domain.model import PhaseState, Score, Side
from scoreterm.providers.base import JsonFetcher, PayloadError
from scoreterm.providers.espn_bracket import fetch_bracket, normalize_knockouts
from tests.httpserver import FIXTURES, Reply, ScriptedServer

FINISHED = "all_finished_knockouts"
# The live captures of the mirror, in the order they were taken (each one's live match is later).
CHAIN = [
    "knockouts_mostly_scheduled",
    "live_HALFTIME_CAN0-0MAR",
    "live_SECOND_HALF_MEX2-3ENG_89min_redcard_pens",
    "live_OVERTIME_SUI0-0COL_120+1_before_pens",
    "live_IN_PROGRESS_ESP1-1BEL_86min",
    "live_OVERTIME_NOR1-2ENG_118min",
    "live_IN_PROGRESS_ARG1-0SUI_45+1",
    "live_FIRST_HALF_FRA0-3ENG_39min",
    "live_SECOND_HALF_ESP0-0ARG_90+4_final",
    FINISHED,
]
WORLD_CUP = "/apis/site/v2/sports/soccer/fifa.world/scoreboard"


def payload(name: str) -> Any:
    return json.loads(
        (FIXTURES / f"espn_soccer/fifa.world_scoreboard_{name}.json").read_text(encoding="utf-8")
    )


def bracket(name: str, previous: Bracket | None = None) -> Bracket:
    return build_bracket("fifa.world", normalize_knockouts(payload(name), "fifa.world"), previous=previous)


def raw_events(name: str) -> dict[str, dict[str, Any]]:
    return {f"espn-{e['id']}": e for e in payload(name)["events"]}


def competitors(event: dict[str, Any]) -> dict[Side, dict[str, Any]]:
    return {Side(c["homeAway"]): c for c in event["competitions"][0]["competitors"]}


def ties(built: Bracket) -> dict[str, Tie]:
    return {t.id: t for r in built.rounds for t in r.ties}


def other(side: Side) -> Side:
    return Side.AWAY if side is Side.HOME else Side.HOME


def chained() -> Bracket:
    built: Bracket | None = None
    for name in CHAIN:
        built = bracket(name, built)
    assert built is not None
    return built


# -- the finished knock-out stage --


def test_rounds_come_in_order_from_season_slug() -> None:
    built = bracket(FINISHED)
    assert [(r.slug, r.name, len(r.ties)) for r in built.rounds] == [
        ("round-of-32", "Round of 32", 16),
        ("round-of-16", "Round of 16", 8),
        ("quarterfinals", "Quarter-finals", 4),
        ("semifinals", "Semi-finals", 2),
        ("3rd-place-match", "Third place", 1),
        ("final", "Final", 1),
    ]
    raw = raw_events(FINISHED)
    assert all(raw[t.id]["season"]["slug"] == r.slug for r in built.rounds for t in r.ties)


def test_winners_shootouts_and_extra_time_agree_with_the_payload() -> None:
    raw = raw_events(FINISHED)
    found = ties(bracket(FINISHED))
    assert len(found) == 32
    for tie_id, tie in found.items():
        sides = competitors(raw[tie_id])
        flag = "advance" if "advance" in sides[Side.HOME] else "winner"  # final and 3rd place: winner
        [flagged] = [side for side, c in sides.items() if c[flag] is True]
        assert tie.winner is flagged
        assert tie.side(flagged).advanced is True and tie.side(other(flagged)).advanced is False
        assert tie.score == Score(int(sides[Side.HOME]["score"]), int(sides[Side.AWAY]["score"]))
        status = raw[tie_id]["status"]["type"]["name"]
        assert tie.extra_time is (status in ("STATUS_FINAL_AET", "STATUS_FINAL_PEN"))
        if status == "STATUS_FINAL_PEN":
            shootout = Score(sides[Side.HOME]["shootoutScore"], sides[Side.AWAY]["shootoutScore"])
            assert tie.shootout == shootout and tie.score.home == tie.score.away
            assert (shootout.home > shootout.away) is (tie.winner is Side.HOME)
        else:
            assert tie.shootout is None
            assert (tie.score.home > tie.score.away) is (tie.winner is Side.HOME)
    shootouts = {t.id: (str(t.shootout), t.winner) for t in found.values() if t.shootout}
    assert shootouts == {
        "espn-760489": ("3-4", Side.AWAY),  # Germany-Paraguay
        "espn-760488": ("2-3", Side.AWAY),  # Netherlands-Morocco
        "espn-760499": ("2-4", Side.AWAY),  # Australia-Egypt
        "espn-760508": ("4-3", Side.HOME),  # Switzerland-Colombia, 0-0
    }
    final = found["espn-760517"]
    assert (final.home.team.name, str(final.score), final.extra_time, final.winner) == (
        "Spain",
        "1-0",
        True,
        Side.HOME,
    )


def test_the_tree_links_every_tie_to_the_one_its_winner_plays_next() -> None:
    built = bracket(FINISHED)
    found = ties(built)
    for tie in found.values():
        for side in (Side.HOME, Side.AWAY):
            source_id = tie.side(side).from_tie
            if tie.round == "round-of-32":
                assert source_id is None
                continue
            assert source_id is not None
            source = found[source_id]
            team = tie.side(side).team
            if tie.round == "3rd-place-match":
                assert source.round == "semifinals" and source.loser_feeds == tie.id
                assert source.side(other(source.winner) if source.winner else side).team == team
            else:
                assert source.feeds == tie.id and source.feeds_side is side
                assert source.winner is not None and source.side(source.winner).team == team
    feeding = [t for t in found.values() if t.round not in ("final", "3rd-place-match")]
    assert all(t.feeds is not None for t in feeding)
    assert [t.loser_feeds for t in built.rounds[3].ties] == ["espn-760516", "espn-760516"]
    # Canada (from RSA-CAN) and Morocco (from NED-MAR on penalties) met in the round of 16.
    assert (found["espn-760486"].feeds, found["espn-760488"].feeds) == ("espn-760502", "espn-760502")


# -- placeholders --


def test_placeholders_spell_out_the_rounds_still_to_play() -> None:
    raw = raw_events("live_HALFTIME_CAN0-0MAR")
    found = ties(bracket("live_HALFTIME_CAN0-0MAR"))
    waiting = {
        tie_id: (
            str(t.home.placeholder and t.home.placeholder.text),
            str(t.away.placeholder and t.away.placeholder.text),
        )
        for tie_id, t in found.items()
        if t.home.placeholder or t.away.placeholder
    }
    assert len(waiting) == 8  # quarter-finals, semi-finals, third place, final
    for tie_id, texts in waiting.items():
        sides = competitors(raw[tie_id])
        assert texts == (sides[Side.HOME]["team"]["displayName"], sides[Side.AWAY]["team"]["displayName"])
        assert all(c["team"]["isActive"] is False for c in sides.values())
    quarter = found["espn-760511"]
    assert quarter.home.placeholder == Placeholder(
        text="Round of 16 5 Winner", round="round-of-16", number=5, outcome=Outcome.WINNER
    )
    assert quarter.home.team.abbrev == "RD16 W5" and quarter.home.team.id == "19278"
    third = found["espn-760516"]
    assert third.away.placeholder is not None
    assert (third.away.placeholder.round, third.away.placeholder.number, third.away.placeholder.outcome) == (
        "semifinal", 2, Outcome.LOSER
    )  # fmt: skip
    assert all(t.winner is None and t.home.advanced is None for t in found.values() if t.id in waiting)
    # The round-of-16 match at half-time: nobody through yet, and nothing linked to a placeholder
    # whose round-of-16 number is still unknown.
    live = found["espn-760502"]
    assert (live.phase.state, live.winner, live.feeds) == (PhaseState.BREAK, None, None)
    assert all(t.number is None for t in found.values() if t.round == "round-of-16")


def test_parse_placeholder_names() -> None:
    assert parse_placeholder("Quarterfinal 4 Winner") == Placeholder(
        text="Quarterfinal 4 Winner", round="quarterfinal", number=4, outcome=Outcome.WINNER
    )
    assert parse_placeholder("Round of 32 12 loser").number == 12
    assert parse_placeholder("Group A Winner") == Placeholder(text="Group A Winner")
    assert parse_placeholder("Group C 2nd Place").number is None
    assert parse_placeholder("").round == ""


def test_numbers_learnt_from_filled_placeholders_match_the_payloads() -> None:
    numbers = {t.id: t.number for r in chained().rounds for t in r.ties}
    # The placeholders of the half-time capture, resolved by the teams that later took their place.
    early = ties(bracket("live_HALFTIME_CAN0-0MAR"))
    late = ties(bracket(FINISHED))
    checked = 0
    for tie_id, tie in early.items():
        for side in (Side.HOME, Side.AWAY):
            holder = tie.side(side).placeholder
            if holder is None or holder.number is None:
                continue
            source = late[tie_id].side(side).from_tie
            assert source is not None and numbers[source] == holder.number
            checked += 1
    assert checked == 16  # 8 quarter-final sides, 4 semi-final, 2 third-place (losers), 2 final
    round_of_16 = {t.id[-3:]: t.number for t in chained().rounds[1].ties}
    # Not the kick-off order: "Round of 16 1" (France's) kicked off after "Round of 16 2".
    assert round_of_16 == {"502": 2, "503": 1, "504": 3, "505": 4, "506": 5, "507": 6, "509": 7, "508": 8}


def test_a_placeholder_links_once_its_number_is_known() -> None:
    halftime = bracket("live_HALFTIME_CAN0-0MAR")
    mex_eng = ties(bracket("live_SECOND_HALF_MEX2-3ENG_89min_redcard_pens", halftime))
    quarter = mex_eng["espn-760512"]
    # Norway came from Brazil-Norway; "Round of 16 4 Winner" waits for Mexico-England, in play.
    assert (quarter.home.team.name, quarter.home.from_tie) == ("Norway", "espn-760504")
    assert quarter.away.placeholder is not None and quarter.away.from_tie is None
    assert mex_eng["espn-760505"].phase.state is PhaseState.LIVE and mex_eng["espn-760505"].winner is None
    assert mex_eng["espn-760504"].number == 3 and mex_eng["espn-760505"].number is None
    # Two ties later, every round-of-16 number is known, and placeholders link through them.
    sui_col = ties(bracket("live_OVERTIME_SUI0-0COL_120+1_before_pens", bracket(CHAIN[2], halftime)))
    assert sui_col["espn-760505"].number == 4
    assert sui_col["espn-760508"].extra_time is True and sui_col["espn-760508"].winner is None
    assert sui_col["espn-760508"].feeds == "espn-760513" and sui_col["espn-760508"].feeds_side is Side.AWAY


def test_the_chain_of_captures_ends_in_the_same_tree_as_the_finished_file() -> None:
    by_chain, alone = chained(), bracket(FINISHED)
    strip = lambda b: [(t.id, t.feeds, t.loser_feeds, t.winner) for r in b.rounds for t in r.ties]  # noqa: E731
    assert strip(by_chain) == strip(alone)


# -- what is not a knock-out, and hostile input --


def test_group_stage_events_are_not_in_the_bracket() -> None:
    day_one = json.loads(
        (FIXTURES / "espn_soccer/fifa.world_scoreboard_20260611_two_full_time.json").read_text()
    )
    assert normalize_knockouts(day_one, "fifa.world") == []
    assert build_bracket("fifa.world", []).rounds == ()


@pytest.mark.parametrize("bad", [None, [], {"events": None}, {"events": "x"}, "scoreboard"])
def test_a_payload_without_events_raises_payload_error(bad: Any) -> None:
    with pytest.raises(PayloadError):
        normalize_knockouts(bad, "fifa.world")


def test_malformed_events_are_skipped() -> None:
    good = payload("knockouts_mostly_scheduled")
    bad = copy.deepcopy(good)
    events = bad["events"]
    events[0]["competitions"] = "x"
    events[1]["season"] = {"slug": ["final"]}
    events[2]["competitions"][0]["competitors"][0]["score"] = 10**400
    events.extend(
        [None, 7, {"season": {"slug": "final"}}, {"id": "1", "season": {"slug": "final"}, "date": 5}]
    )
    kept = normalize_knockouts(bad, "fifa.world")
    assert [k.match.id for k in kept] == ["espn-760488"]  # Netherlands-Morocco; its score is junk
    assert kept[0].match.score != Score(10**400, 1)
    [tie] = build_bracket("fifa.world", kept).rounds[0].ties
    assert tie.winner is Side.AWAY  # ESPN's own verdict (advance), not a guess from the junk score
    if "suspect" in type(kept[0].match).__struct_fields__:
        assert tie.suspect == ("score",)
        # Without ESPN's verdict a suspect score decides nothing.
        unflagged = msgspec.structs.replace(kept[0], advanced=None)
        assert build_bracket("fifa.world", [unflagged]).rounds[0].ties[0].winner is None


def test_brackets_travel_over_the_wire() -> None:
    built = chained()
    assert msgspec.json.decode(msgspec.json.encode(built), type=Bracket) == built


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


async def test_fetch_bracket_asks_for_the_knockout_dates(
    http_server: ScriptedServer, client: httpx.AsyncClient
) -> None:
    http_server.route(WORLD_CUP, Reply.file(f"espn_soccer/fifa.world_scoreboard_{FINISHED}.json"))
    fetcher = JsonFetcher("espn", client, http_server.url, timeout_s=5.0)
    built = await fetch_bracket(fetcher, get_league("fifa.world"), date(2026, 6, 28), date(2026, 7, 19))
    assert http_server.requests[0].query == {"dates": ["20260628-20260719"], "limit": ["300"]}
    assert built.rounds[-1].ties[0].winner is Side.HOME
    with pytest.raises(ValueError):
        await fetch_bracket(fetcher, get_league("fifa.world"), date(2026, 7, 19), date(2026, 6, 28))


def test_rendered_bracket_fits_80_columns_and_marks_who_went_through() -> None:
    from scoreterm.domain.table_text import render_bracket

    lines = render_bracket(bracket("live_SECOND_HALF_MEX2-3ENG_89min_redcard_pens"))
    assert all(len(line) <= 80 for line in lines)
    assert [line for line in lines if line and not line.startswith(" ")][:2] == ["Round of 32", "Round of 16"]
    germany = next(line for line in lines if "Germany" in line)
    assert germany.split() == ["Germany", "1-1", "Paraguay*", "PEN", "(3-4", "pens)"]
    in_play = next(line for line in lines if "England" in line and "Mexico" in line)
    assert in_play.split() == ["Mexico", "2-3", "England", "2H", "89'"]
    assert next(line for line in lines if "Portugal" in line and "Spain" in line).split() == [
        "Portugal",
        "v",
        "Spain",
    ]
    assert "Semifinal 1 Winner" in lines[-1]
