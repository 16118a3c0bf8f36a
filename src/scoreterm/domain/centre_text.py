"""Pure helpers over the match-centre structs: minutes, live-state lines, formations, shot counts.

Re-exported by :mod:`scoreterm.domain.centre`; the structs are imported for type checking only,
because ``centre`` imports this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from scoreterm.domain.minutes import exact_minute

if TYPE_CHECKING:
    from scoreterm.domain.centre import Lineup, LineupPlayer, Play, Shot, Situation

SEP = " · "
# Regulation periods and the label prefix of the sports with a game clock (as espn_status).
_PERIODS = {"basketball": (4, "Q"), "football": (4, "Q"), "hockey": (3, "P")}
_HALVES = {"top": "Top", "bottom": "Bot", "middle": "Mid", "end": "End"}

# Depth of a position on the pitch (0 = goalkeeper .. 5 = striker), by ESPN's abbreviation without
# its side suffix ("CD-L" -> "CD"). Unknown abbreviations count as midfield.
_DEPTH = {
    **dict.fromkeys(("G", "GK"), 0),
    **dict.fromkeys(("CD", "CB", "SW", "RB", "LB", "D"), 1),
    **dict.fromkeys(("RWB", "LWB", "WB", "DM", "CDM"), 2),
    **dict.fromkeys(("CM", "RM", "LM", "M"), 3),
    **dict.fromkeys(("AM", "CAM", "RW", "LW", "W", "SS"), 4),
    **dict.fromkeys(("F", "CF", "ST", "S", "FW"), 5),
}
_WIDE_RIGHT = frozenset(("RB", "RWB", "RM", "RW"))
_WIDE_LEFT = frozenset(("LB", "LWB", "LM", "LW"))


def minute_text(raw: str) -> str:
    """ESPN's minute as a fan writes it: ``"90'+2'"`` -> ``"90+2'"``, ``"9'"`` -> ``"9'"``.

    Empty stays empty; a shape that is not a minute (``"HT"``) comes back stripped, unchanged.
    """
    text = raw.strip()
    parsed = exact_minute(text)
    if parsed is None:
        return text
    base, added = parsed
    return f"{base}+{added}'" if added else f"{base}'"


def clock_text(clock: str) -> str:
    """A live clock as the rest of the screen writes minutes: ``"45'+2'"`` -> ``"45+2'"``.

    Only a soccer clock has an apostrophe: a US game clock (``5:32``, ``12.4``) comes back as sent.
    """
    return minute_text(clock) if "'" in clock else clock


def period_text(sport: str, period: int) -> str:
    """A period as scoreboards print it: ``Q3``, ``OT``, ``2OT``, ``P2``; innings as ``Inn 7``.

    Hockey periods past overtime read ``2OT`` (a play-off second overtime); a regular-season
    shoot-out is named by the status (``SO``), which the caller's phase label carries.
    """
    if period <= 0:
        return ""
    if sport == "baseball":
        return f"Inn {period}"
    regulation, prefix = _PERIODS.get(sport, (0, "P"))
    if regulation == 0 or period <= regulation:
        return f"{prefix}{period}"
    extra = period - regulation
    return "OT" if extra == 1 else f"{extra}OT"


def bases_text(situation: Situation) -> str:
    """Runners as three marks, first, second and third base left to right: ``●○●``."""
    return "".join("●" if on else "○" for on in (situation.on_first, situation.on_second, situation.on_third))


def situation_text(
    sport: str,
    situation: Situation | None,
    *,
    label: str = "",
    clock: str = "",
    period: int = 0,
    home: str = "",
    away: str = "",
) -> str:
    """The compact live state a fan reads, in full (no cut-off ordinals).

    - baseball: ``Top 7 · 2 out · 1-2 · ●○●`` (count is balls-strikes, left out once the at-bat
      is over at 4 balls or 3 strikes; runners on first, second, third; between half-innings
      ``Mid 7``);
    - football: ``Q3 5:32 · 3rd & 4 at NE 35 · NE ball · red zone``;
    - basketball: ``Q4 2:11``; hockey: ``P2 12:03``.

    Args:
        sport: ESPN sport slug (``baseball``, ``football``, ``basketball``, ``hockey``).
        situation: the scoreboard's situation, or None when the provider gave none.
        label: the match's phase label (``Q3``, ``OT``, ``SO``, ``Top 5th``); wins over ``period``.
        clock: the match's clock text (``5:32``).
        period: the period number, used when ``label`` is empty.
        home: home team abbreviation, to name the team in possession.
        away: away team abbreviation.
    """
    if sport == "baseball":
        return _baseball(situation, label, period)
    head = " ".join(part for part in (label or period_text(sport, period), clock) if part)
    parts = [head] if head else []
    if sport == "football" and situation is not None:
        if situation.yard_line_text:
            parts.append(situation.yard_line_text)
        team = {"home": home, "away": away}.get(situation.possession or "", "")
        if team:
            parts.append(f"{team} ball")
        if situation.red_zone:
            parts.append("red zone")
    return SEP.join(parts)


def _baseball(situation: Situation | None, label: str, period: int) -> str:
    if situation is None or not situation.inning_half or situation.inning <= 0:
        return label or period_text("baseball", period)
    parts = [f"{_HALVES[situation.inning_half]} {situation.inning}"]
    if situation.inning_half in ("middle", "end"):
        return parts[0]
    if situation.outs is not None:
        parts.append(f"{situation.outs} out")
    # ESPN leaves a finished count up ("4-1" after ball four); it is nobody's count any more.
    if (
        situation.balls is not None
        and situation.strikes is not None
        and situation.balls < 4
        and situation.strikes < 3
    ):
        parts.append(f"{situation.balls}-{situation.strikes}")
    parts.append(bases_text(situation))
    return SEP.join(parts)


# -- lineups --


def _base(position: str) -> str:
    return position.upper().split("-")[0]


def _depth(player: LineupPlayer) -> int:
    return _DEPTH.get(_base(player.position), 3)


def _lateral(player: LineupPlayer) -> int:
    """Right flank negative, left flank positive, from the team's own point of view."""
    base, upper = _base(player.position), player.position.upper()
    if base in _WIDE_RIGHT:
        return -2
    if base in _WIDE_LEFT:
        return 2
    return -1 if upper.endswith("-R") else 1 if upper.endswith("-L") else 0


def formation_lines(lineup: Lineup) -> tuple[tuple[LineupPlayer, ...], ...]:
    """The starters as lines from the goalkeeper forward, each from the right flank to the left.

    Outfield players are ordered by the depth of their position (defender, holding midfielder,
    midfielder, attacking midfielder, forward) and cut into the formation's lines (``4-1-4-1``
    gives lines of 4, 1, 4 and 1). When the formation is missing or does not add up to the
    outfield starters, players are grouped by depth instead.
    """
    keepers: list[LineupPlayer] = []
    outfield: list[LineupPlayer] = []
    for player in lineup.starters:
        keeper = _depth(player) == 0 or (not player.position and player.formation_place == 1)
        (keepers if keeper else outfield).append(player)
    outfield.sort(key=lambda p: (_depth(p), p.formation_place))
    sizes = _formation(lineup.formation)
    lines: list[list[LineupPlayer]] = []
    if sizes and sum(sizes) == len(outfield):
        start = 0
        for size in sizes:
            lines.append(outfield[start : start + size])
            start += size
    else:
        for player in outfield:
            if lines and _depth(lines[-1][0]) == _depth(player):
                lines[-1].append(player)
            else:
                lines.append([player])
    ordered = [tuple(keepers)] if keepers else []
    ordered.extend(tuple(sorted(line, key=lambda p: (_lateral(p), p.formation_place))) for line in lines)
    return tuple(ordered)


def _formation(text: str) -> list[int]:
    parts = text.strip().split("-")
    if not all(part.isdigit() and len(part) == 1 for part in parts):
        return []
    return [int(part) for part in parts]


# -- plays and shots --


def scoring_first(plays: Sequence[Play]) -> tuple[Play, ...]:
    """The scoring plays, then the others, each group in the order given."""
    return (*(p for p in plays if p.scoring), *(p for p in plays if not p.scoring))


def shot_counts(shots: Iterable[Shot], every: int = 15) -> tuple[tuple[int, int, int], ...]:
    """Shots per side in slices of ``every`` minutes: ``(slice start, home, away)`` rows.

    Minute ``m`` falls in slice ``(m - 1) // every`` (minutes 1-15 are the first slice) and added
    time counts in the slice of its base minute (``45+2'`` with minute 45). Slices run from 0 to
    the last one with a shot; shots without a readable minute are left out.
    """
    step = max(every, 1)
    counts: dict[int, list[int]] = {}
    for shot in shots:
        number = exact_minute(shot.minute)
        if number is None:
            continue
        index = max(number[0] - 1, 0) // step
        counts.setdefault(index, [0, 0])[0 if shot.side == "home" else 1] += 1
    if not counts:
        return ()
    rows = []
    for index in range(max(counts) + 1):
        home, away = counts.get(index, (0, 0))
        rows.append((index * step, home, away))
    return tuple(rows)
