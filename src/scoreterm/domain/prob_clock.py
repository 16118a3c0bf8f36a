"""How much of a game is left, from the clock text and phase label a Match carries. Pure.

Soccer (``67'``, ``45'+2'``, ``90'+4'``, ``118'``; labels 1H/HT/2H/FT/ET/ET-HT/PEN): minutes left
in regulation and in extra time, counting the added time still expected. US sports (``5:32``,
``45.2``; periods; baseball ``Top 5th``): the fraction of regulation played. A clock or label that
does not parse never raises: the time falls back to the start of the phase the label names (the
cautious side, closest to the pre-match view) and ``known`` says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from scoreterm.domain.minutes import exact_minute
from scoreterm.domain.model import Sport

# Expected added time in minutes. Since the 2022 World Cup and IFAB's 2023 instruction to add the
# time lost in full, top-flight matches add roughly 10-12 minutes in all, most of it after the
# break (the captured World Cup frames show 45'+6' and goals at 90'+8'); we take 3 and 6, plus 1 per
# half of extra time. While a half's added time is being played and the expectation is used up,
# at least FLOOR_MINUTES remain: the half is not over until it is over.
ADDED_FIRST_HALF = 3.0
ADDED_SECOND_HALF = 6.0
ADDED_EXTRA_HALF = 1.0
FLOOR_MINUTES = 0.5
REGULATION_MINUTES = 90.0 + ADDED_FIRST_HALF + ADDED_SECOND_HALF
EXTRA_MINUTES = 30.0 + 2 * ADDED_EXTRA_HALF

_GAME_CLOCK = re.compile(r"^\s*(?:(\d{1,3}):)?(\d{1,2}(?:\.\d+)?)\s*$")
_INNING = re.compile(r"^\s*(top|bot|bottom|mid|middle|end)\w*\s+(\d{1,2})", re.IGNORECASE)

# period length (minutes), regulation periods, overtime period length (minutes)
US_PERIODS: dict[Sport, tuple[float, int, float]] = {
    Sport.BASKETBALL: (12.0, 4, 5.0),
    Sport.FOOTBALL: (15.0, 4, 10.0),
    Sport.HOCKEY: (20.0, 3, 5.0),
}
BASEBALL_HALF_INNINGS = 18


@dataclass(frozen=True)
class SoccerTime:
    """Minutes left, with expected added time: ``regular`` of regulation, ``extra`` of extra time.

    ``extra`` is None until extra time begins (or the regulation break before it); ``shootout``
    is True once the penalties are under way. ``known`` is False when the clock did not parse.
    """

    regular: float
    extra: float | None = None
    shootout: bool = False
    known: bool = True


def soccer_time(clock: str, label: str, period: int = 0) -> SoccerTime:
    """Minutes left in a soccer match at ``clock`` during the phase ``label`` (or ``period``)."""
    phase = _soccer_phase(label, period)
    if phase == "PEN":
        return SoccerTime(regular=0.0, extra=0.0, shootout=True)
    if phase == "HT":
        return SoccerTime(regular=45.0 + ADDED_SECOND_HALF)
    if phase == "FT":
        return SoccerTime(regular=0.0, extra=EXTRA_MINUTES)
    if phase == "ET-HT":
        return SoccerTime(regular=0.0, extra=15.0 + ADDED_EXTRA_HALF)
    minute = exact_minute(clock)
    known = minute is not None
    base, added = minute if minute is not None else (_PHASE_START[phase], 0)
    if phase == "ET" or (phase == "" and base > 90 and added == 0) or base > 105:
        return SoccerTime(regular=0.0, extra=_extra_left(base, added), known=known)
    return SoccerTime(regular=_regular_left(phase, base, added), known=known)


_PHASE_START = {"1H": 0, "2H": 45, "ET": 90, "": 0}
_BREAK_MINUTE = {"HT": 45, "ET-HT": 105}


def _soccer_phase(label: str, period: int) -> str:
    text = label.strip().upper() if isinstance(label, str) else ""
    if text in ("1H", "2H", "HT", "ET", "ET-HT", "PEN"):
        return text
    if text in ("FT", "AET", "FT-PENS", "SO"):
        return "FT" if text == "FT" else "PEN"
    return {1: "1H", 2: "2H", 3: "ET", 4: "ET", 5: "PEN"}.get(period, "")


def _regular_left(phase: str, base: int, added: int) -> float:
    if phase == "2H" or base > 45:
        base = max(base, 45)
        if base >= 90:
            return max(ADDED_SECOND_HALF - added, FLOOR_MINUTES)
        return (90 - base) + ADDED_SECOND_HALF
    first = max(ADDED_FIRST_HALF - added, FLOOR_MINUTES) if base >= 45 else (45 - base) + ADDED_FIRST_HALF
    return first + 45.0 + ADDED_SECOND_HALF


def _extra_left(base: int, added: int) -> float:
    base = min(max(base, 90), 120)
    if base < 105:
        return (105 - base) + ADDED_EXTRA_HALF + 15.0 + ADDED_EXTRA_HALF
    if base == 105 and added:
        return max(ADDED_EXTRA_HALF - added, FLOOR_MINUTES) + 15.0 + ADDED_EXTRA_HALF
    if base < 120:
        return (120 - base) + ADDED_EXTRA_HALF
    return max(ADDED_EXTRA_HALF - added, FLOOR_MINUTES)


def parse_game_clock(text: str) -> float | None:
    """``"5:32"`` -> 332.0 seconds, ``"45.2"`` -> 45.2; None when it is not a game clock."""
    match = _GAME_CLOCK.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    minutes = int(match.group(1) or 0)
    return minutes * 60.0 + float(match.group(2))


def us_remaining(sport: Sport, period: int, clock: str, label: str = "") -> tuple[float, bool]:
    """The share of regulation still to play (1.0 before, 0.0 at the end) and whether it parsed.

    Clocks count down within a period (ESPN's scoreboard ``displayClock``). In overtime the share
    is what is left of the overtime period, relative to regulation. Baseball reads the inning from
    ``label`` (``Top 5th``, ``Bot 9th``, ``Mid 3rd``, ``End 7th``); extra innings count as one more
    inning to play.
    """
    if sport is Sport.BASEBALL:
        return _baseball_remaining(label, period)
    length, periods, overtime = US_PERIODS.get(sport, (15.0, 4, 10.0))
    total = length * periods
    seconds = parse_game_clock(clock)
    number = period if isinstance(period, int) and period > 0 else 1
    current = overtime if number > periods else length
    left_in_period = current if seconds is None else min(max(seconds / 60.0, 0.0), current)
    if number > periods:
        return left_in_period / total, seconds is not None
    return ((periods - number) * length + left_in_period) / total, seconds is not None


def _baseball_remaining(label: str, period: int) -> tuple[float, bool]:
    match = _INNING.match(label) if isinstance(label, str) else None
    if match is None:
        inning = period if isinstance(period, int) and period > 0 else 1
        done = 2 * (inning - 1)
    else:
        inning = int(match.group(2))
        half = match.group(1).lower()
        done = 2 * (inning - 1) + (0 if half == "top" else 2 if half == "end" else 1)
    if inning > BASEBALL_HALF_INNINGS // 2:
        done_in_inning = done - 2 * (inning - 1)
        return max(2 - done_in_inning, 1) / BASEBALL_HALF_INNINGS, match is not None
    return max(BASEBALL_HALF_INNINGS - done, 0) / BASEBALL_HALF_INNINGS, match is not None


def game_progress(sport: Sport, clock: str, label: str = "", period: int = 0) -> float | None:
    """Share of regulation played (beyond 1 in extra time or overtime), for a chart's x axis.

    Soccer counts the nominal minute over 90 (added time sits on the half's last minute, as on
    ESPN's chart); the other sports the clock within their periods. None when the clock does not
    parse.
    """
    if sport is Sport.SOCCER:
        minute = exact_minute(clock)
        if minute is None:
            # A break has no running clock (ESPN's reads "HT"): the line still reached the break.
            at_break = _BREAK_MINUTE.get(_soccer_phase(label, period))
            return None if at_break is None else at_break / 90.0
        return min(minute[0], 130) / 90.0
    number = period if isinstance(period, int) else 0
    share, known = us_remaining(sport, number, clock, label)
    if not known:
        return None
    length, periods, overtime = US_PERIODS.get(sport, (15.0, 4, 10.0))
    if sport is Sport.BASEBALL or number <= periods:
        return 1.0 - share
    regulation = length * periods
    return 1.0 + ((number - periods) * overtime - share * regulation) / regulation


def clamp_fraction(value: float | None) -> float | None:
    """``value`` within [0, 1], or None when it is None or not a finite number."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    if not math.isfinite(number):
        return None
    return min(max(number, 0.0), 1.0)
