"""The knock-out bracket: rounds in order, each tie with its two sides, who went through, and the tree.

:func:`build_bracket` takes the knock-out matches of a competition (:class:`KnockoutMatch`: a
Match, its round and who advanced, as the provider says) and links the ties into a tree:

- A side already filled with a team came from the tie of the previous round that this team won
  (lost, for the third-place match); that tie ``feeds`` this one.
- A side still waiting is a placeholder whose name spells out the tree (``Round of 16 5 Winner``,
  ``Semifinal 1 Loser``). Its number is the provider's numbering of that round, which is not the
  kick-off order (in the 2026 World Cup, "Round of 16 1" is the second match played), so a tie's
  ``number`` is known only once seen: when a placeholder of ``previous`` has been replaced by a team,
  the tie that team came from carries that number from then on (and when a round has one tie and one
  number left, they go together). Until then the placeholder stays unlinked, never guessed.

Pure functions; the provider module builds the inputs.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from scoreterm.domain.model import Match, Phase, Score, Side, Team

ROUND_NAMES = {
    "round-of-64": "Round of 64",
    "round-of-32": "Round of 32",
    "round-of-16": "Round of 16",
    "quarterfinals": "Quarter-finals",
    "semifinals": "Semi-finals",
    "3rd-place-match": "Third place",
    "final": "Final",
}
_NOT_KNOCKOUT = ("group", "regular", "league", "preseason", "qualif")
_PLACEHOLDER = re.compile(
    r"^(?P<round>.*?\D)\s*(?P<number>\d{1,3})\s+(?P<outcome>winner|loser)$", re.IGNORECASE
)
_EXTRA_TIME_LABELS = frozenset({"ET", "ET-HT", "AET", "PEN"})


class Outcome(enum.StrEnum):
    """Which team of a tie a placeholder stands for."""

    WINNER = "winner"
    LOSER = "loser"


class Placeholder(msgspec.Struct, frozen=True, kw_only=True):
    """A side not known yet, as the provider names it (``Round of 16 5 Winner``).

    ``round`` is the slug of the round it refers to (``round-of-16``), ``number`` the tie's number
    in that round; both are empty/None for names that do not refer to a tie (``Group A Winner``).
    """

    text: str
    round: str = ""
    number: int | None = None
    outcome: Outcome | None = None


class TieSide(msgspec.Struct, frozen=True, kw_only=True):
    """One side of a tie: the team (or the placeholder's name as a team), and where it came from."""

    team: Team
    placeholder: Placeholder | None = None
    advanced: bool | None = None
    from_tie: str | None = None


class Tie(msgspec.Struct, frozen=True, kw_only=True):
    """One knock-out match.

    Attributes:
        id: the match id (``espn-760505``).
        round: the round's slug.
        number: the tie's number in its round, as placeholders count them; None until known.
        score, shootout: the match score (extra time included) and the shoot-out score.
        extra_time: the match went (or is going) beyond 90 minutes.
        winner: the side that went through (won, for a final or third-place match); None while open.
        feeds, feeds_side: the tie (and side) the winner plays next, when known.
        loser_feeds: the third-place match, for a semi-final whose loser plays it.
        suspect: the match's fields the provider sent in a shape that makes no sense (``score``):
            shown as unknown, never used to decide who went through.
    """

    id: str
    round: str
    kickoff: datetime
    phase: Phase
    home: TieSide
    away: TieSide
    clock: str = ""
    number: int | None = None
    score: Score = msgspec.field(default_factory=Score)
    shootout: Score | None = None
    extra_time: bool = False
    winner: Side | None = None
    feeds: str | None = None
    feeds_side: Side | None = None
    loser_feeds: str | None = None
    suspect: tuple[str, ...] = ()

    def side(self, side: Side) -> TieSide:
        """Return the home or away side."""
        return self.home if side is Side.HOME else self.away


class Round(msgspec.Struct, frozen=True, kw_only=True):
    """A round of the bracket, its ties in kick-off order."""

    slug: str
    name: str
    ties: tuple[Tie, ...] = ()


class Bracket(msgspec.Struct, frozen=True, kw_only=True):
    """A competition's knock-out rounds, first to last."""

    league: str
    rounds: tuple[Round, ...] = ()

    def tie(self, tie_id: str) -> Tie | None:
        """Return the tie with id ``tie_id``, if any."""
        return next((t for r in self.rounds for t in r.ties if t.id == tie_id), None)


class KnockoutMatch(msgspec.Struct, frozen=True, kw_only=True):
    """What a provider knows of one knock-out match: the match, its round and who advanced.

    ``advanced`` is the provider's own verdict (ESPN's ``advance``, or ``winner`` for a final);
    ``placeholders`` names the sides whose team is a stand-in (``Round of 16 1 Winner``).
    """

    match: Match
    round: str
    advanced: Side | None = None
    placeholders: frozenset[Side] = frozenset()


def is_knockout_round(slug: str) -> bool:
    """True for a round slug of the knock-out stage (not ``group-stage``, ``regular-season``...)."""
    lowered = slug.lower()
    return bool(lowered) and not any(word in lowered for word in _NOT_KNOCKOUT)


def parse_placeholder(text: str) -> Placeholder:
    """Read ``Round of 16 5 Winner`` as round ``round-of-16``, number 5, the winner."""
    found = _PLACEHOLDER.match(text.strip())
    if found is None:
        return Placeholder(text=text)
    return Placeholder(
        text=text,
        round=_slug(found["round"]),
        number=int(found["number"]),
        outcome=Outcome(found["outcome"].lower()),
    )


def round_name(slug: str) -> str:
    """The display name of a round slug (``round-of-16`` -> ``Round of 16``)."""
    return ROUND_NAMES.get(slug, slug.replace("-", " ").title())


def _slug(text: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@dataclass
class _Draft:
    """A tie while the tree is being linked."""

    item: KnockoutMatch
    number: int | None = None
    from_tie: dict[Side, str] = field(default_factory=dict)
    feeds: tuple[str, Side] | None = None
    loser_feeds: str | None = None


def knockouts_of(matches: Iterable[Match]) -> list[KnockoutMatch]:
    """The knock-out matches among ``matches`` (those whose ``stage`` is a knock-out round), for a
    bracket built from what the engine holds; who went through comes from the score and shoot-out."""
    found = []
    for match in matches:
        if not is_knockout_round(match.stage):
            continue
        waiting = frozenset(
            side for side in Side if parse_placeholder(match.team(side).name).number is not None
        )
        found.append(KnockoutMatch(match=match, round=match.stage, placeholders=waiting))
    return found


def build_bracket(
    league: str, matches: Iterable[KnockoutMatch], *, previous: Bracket | None = None
) -> Bracket:
    """Build the bracket of ``league`` from its knock-out matches.

    Args:
        league: the catalog slug.
        matches: the knock-out matches (others, e.g. group games, are ignored).
        previous: the bracket built from an earlier poll: its placeholders, now filled, give the
            ties their numbers (see the module docstring).
    """
    drafts: dict[str, _Draft] = {}
    for item in matches:
        if is_knockout_round(item.round):
            drafts[item.match.id] = _Draft(item)
    rounds = _rounds(drafts.values())
    _link_teams(rounds)
    _number(rounds, drafts, previous)
    _link_placeholders(rounds)
    return Bracket(
        league=league,
        rounds=tuple(
            Round(
                slug=slug,
                name=round_name(slug),
                ties=tuple(map(_tie, ties)),
            )
            for slug, ties in rounds
        ),
    )


def _rounds(drafts: Iterable[_Draft]) -> list[tuple[str, list[_Draft]]]:
    by_round: dict[str, list[_Draft]] = {}
    for draft in drafts:
        by_round.setdefault(draft.item.round, []).append(draft)
    for ties in by_round.values():
        ties.sort(key=lambda d: (d.item.match.kickoff, d.item.match.id))
    return sorted(by_round.items(), key=lambda pair: (pair[1][0].item.match.kickoff, pair[0]))


def _is_third_place(slug: str) -> bool:
    return "3rd" in slug or "third" in slug


def _feeder(rounds: list[tuple[str, list[_Draft]]], index: int) -> list[_Draft]:
    """The ties of the last main round before round ``index`` (the third-place match feeds nothing)."""
    for slug, ties in reversed(rounds[:index]):
        if not _is_third_place(slug):
            return ties
    return []


def _winner(item: KnockoutMatch) -> Side | None:
    if item.advanced is not None:
        return item.advanced
    match = item.match
    if not match.phase.is_over or "score" in getattr(match, "suspect", ()):
        return None
    score = (
        match.shootout
        if match.shootout is not None and match.shootout.home != match.shootout.away
        else match.score
    )
    if score.home == score.away:
        return None
    return Side.HOME if score.home > score.away else Side.AWAY


def _team_side(draft: _Draft, team: Team) -> Side | None:
    for side in (Side.HOME, Side.AWAY):
        if side not in draft.item.placeholders and _same(draft.item.match.team(side), team):
            return side
    return None


def _same(a: Team, b: Team) -> bool:
    return (a.id == b.id) if a.id and b.id else a.name == b.name


def _link(source: _Draft, target: _Draft, side: Side, outcome: Outcome) -> None:
    target.from_tie[side] = source.item.match.id
    if outcome is Outcome.LOSER:
        source.loser_feeds = target.item.match.id
    else:
        source.feeds = (target.item.match.id, side)


def _link_teams(rounds: list[tuple[str, list[_Draft]]]) -> None:
    for index, (slug, ties) in enumerate(rounds):
        outcome = Outcome.LOSER if _is_third_place(slug) else Outcome.WINNER
        feeder = _feeder(rounds, index)
        for target in ties:
            for side in (Side.HOME, Side.AWAY):
                if side in target.item.placeholders:
                    continue
                team = target.item.match.team(side)
                for source in feeder:
                    played = _team_side(source, team)
                    result = _winner(source.item)
                    if played is not None and (
                        result is None or (result is played) is (outcome is Outcome.WINNER)
                    ):
                        _link(source, target, side, outcome)
                        break


def _number(
    rounds: list[tuple[str, list[_Draft]]], drafts: Mapping[str, _Draft], previous: Bracket | None
) -> None:
    if previous is not None:
        for tie in (t for r in previous.rounds for t in r.ties):
            if tie.number is not None and tie.id in drafts:
                drafts[tie.id].number = tie.number
            now = drafts.get(tie.id)
            for side in (Side.HOME, Side.AWAY):
                was = tie.side(side).placeholder
                came_from = now.from_tie.get(side) if now is not None else None
                if (
                    was is not None
                    and was.number is not None
                    and came_from is not None
                    and came_from in drafts
                ):
                    drafts[came_from].number = was.number
    for _, ties in rounds:
        unnumbered = [d for d in ties if d.number is None]
        free = set(range(1, len(ties) + 1)) - {d.number for d in ties}
        if len(unnumbered) == 1 and len(free) == 1:
            unnumbered[0].number = free.pop()


def _link_placeholders(rounds: list[tuple[str, list[_Draft]]]) -> None:
    by_slug = {slug: ties for slug, ties in rounds}
    for _, ties in rounds:
        for target in ties:
            for side in target.item.placeholders:
                holder = parse_placeholder(target.item.match.team(side).name)
                source_round = by_slug.get(holder.round) or by_slug.get(holder.round + "s") or []
                source = next((d for d in source_round if d.number == holder.number), None)
                if source is not None and holder.outcome is not None:
                    _link(source, target, side, holder.outcome)


def _tie(draft: _Draft) -> Tie:
    item, match = draft.item, draft.item.match
    winner = _winner(item)

    def side(which: Side) -> TieSide:
        placeholder = parse_placeholder(match.team(which).name) if which in item.placeholders else None
        return TieSide(
            team=match.team(which),
            placeholder=placeholder,
            advanced=None if winner is None else winner is which,
            from_tie=draft.from_tie.get(which),
        )

    label = match.phase.label
    return Tie(
        id=match.id,
        round=item.round,
        kickoff=match.kickoff,
        phase=match.phase,
        clock=match.clock,
        home=side(Side.HOME),
        away=side(Side.AWAY),
        number=draft.number,
        score=match.score,
        shootout=match.shootout,
        extra_time=label in _EXTRA_TIME_LABELS or match.shootout is not None,
        winner=winner,
        feeds=draft.feeds[0] if draft.feeds else None,
        feeds_side=draft.feeds[1] if draft.feeds else None,
        loser_feeds=draft.loser_feeds,
        suspect=tuple(getattr(match, "suspect", ())),
    )
