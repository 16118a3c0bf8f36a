"""Team statistics as a fan reads them: Title Case labels, real percentages, a two-sided bar share.

ESPN's ``boxscore.teams[].statistics`` arrive as label/display-string pairs with three traps
(fifa.world MEX-RSA summary): ratios sent as rounded fractions (``On Target %`` ``0.3`` for 4 of
16 shots, ``Pass Completion %`` ``0.9``), ``Possession`` as ``60.5`` without its ``%``, and
shouting labels (``SHOTS``, ``ON GOAL``) among Title Case ones. US sports add sentence-case labels
(``3rd down efficiency``) and compound values (``41-86``, ``14/25``, ``23:45``).

:func:`format_stats` takes any rows with ``name``/``home``/``away`` strings (``model.Stat``,
``centre.TeamStat``) and returns :class:`StatRow` s for display.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Protocol

import msgspec

__all__ = ["StatLike", "StatRow", "format_stats", "stat_label", "stat_number"]

# Labels that are not merely mis-cased (keys are lower-cased ESPN labels).
_ALIASES = {"shots": "Shots", "on goal": "Shots on Target"}
# Ratios ESPN rounds to one decimal of a fraction: recomputed from their own counts when present.
_RATIOS = {
    "on target %": ("on goal", "shots"),
    "pass completion %": ("accurate passes", "passes"),
    "cross %": ("accurate crosses", "crosses"),
    "long balls %": ("accurate long balls", "long balls"),
    "tackle %": ("effective tackles", "tackles"),
}
_SMALL = frozenset(("a", "and", "by", "from", "in", "of", "on", "or", "per", "the", "to", "vs"))
# At most 12 digits before the point: real statistics never need more, and float() stays finite.
_LEADING = re.compile(r"^[+-]?(\d{1,12}(?:\.\d{0,6})?|\.\d{1,6})")
_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)$")


class StatLike(Protocol):
    """A stat row as display strings (``model.Stat``, ``centre.TeamStat``)."""

    @property
    def name(self) -> str:
        """The provider's label."""
        ...

    @property
    def home(self) -> str:
        """The home team's value."""
        ...

    @property
    def away(self) -> str:
        """The away team's value."""
        ...


class StatRow(msgspec.Struct, frozen=True, kw_only=True):
    """One display row: label, both values as shown, and the home share of a two-sided bar.

    ``home_share`` is in [0, 1]; None when the values cannot be compared (missing, negative,
    not numbers) or are both 0.
    """

    label: str
    home: str
    away: str
    home_share: float | None = None


def stat_label(raw: str) -> str:
    """Title Case a label, keeping abbreviations (``FG``, ``3PT``, ``Comp/Att``, ``1st``).

    ``SHOTS`` -> ``Shots``, ``ON GOAL`` -> ``Shots on Target``, ``3rd down efficiency`` ->
    ``3rd Down Efficiency``, ``Yards per pass`` -> ``Yards per Pass``.
    """
    text = " ".join(raw.split())
    alias = _ALIASES.get(text.lower())
    if alias is not None:
        return alias
    words = text.split(" ")
    return " ".join(_word(word, first=index == 0) for index, word in enumerate(words))


def _word(word: str, *, first: bool) -> str:
    if not word.isalpha():
        return word
    if word.isupper() and len(word) <= 3:
        return word
    if not (word.islower() or word.isupper()):
        return word
    lowered = word.lower()
    return lowered if lowered in _SMALL and not first else lowered.capitalize()


def stat_number(value: str) -> float | None:
    """The number a display value stands for: ``"54.1"``, ``"60.5%"``, ``".278"``, the first of
    ``"41-86"`` / ``"14/25"`` (makes, completions), ``"23:45"`` as seconds; None otherwise."""
    text = value.strip()
    clock = _CLOCK.match(text)
    if clock:
        return float(int(clock.group(1)) * 60 + int(clock.group(2)))
    match = _LEADING.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    if rest and rest[0] not in "-/% ":
        return None
    return float(match.group(0))


def _share(home: float | None, away: float | None) -> float | None:
    if home is None or away is None or home < 0 or away < 0:
        return None
    total = home + away
    return None if total == 0 else home / total  # 0 against 0: no bar rather than a 50/50 one


def _is_percent(label: str) -> bool:
    lowered = label.lower()
    return "%" in lowered or "percent" in lowered or lowered.endswith(" pct")


def _percent(value: float, decimals: int) -> str:
    # Half up (12.5 -> 13), as fans and ESPN round, not Python's half-to-even.
    scale = 10**decimals
    rounded = math.floor(value * scale + 0.5) / scale
    return f"{rounded:.{decimals}f}%"


def format_stats(stats: Iterable[StatLike]) -> tuple[StatRow, ...]:
    """Turn stat rows into display rows, in the order given.

    Percentages: a ratio with its counts among the rows is recomputed from them (``On Target %``
    from ``ON GOAL``/``SHOTS``: 4/16 -> ``25%``; no attempts -> ``-``); other ``%`` rows whose two
    values are both fractions (0-1) are scaled to percent, values already in percent get their
    ``%``; ``Possession`` gets its ``%`` when the two add up to 100.
    """
    rows = list(stats)
    counts = {row.name.strip().lower(): (stat_number(row.home), stat_number(row.away)) for row in rows}
    return tuple(_row(row, counts) for row in rows)


def _row(row: StatLike, counts: dict[str, tuple[float | None, float | None]]) -> StatRow:
    label, key = stat_label(row.name), row.name.strip().lower()
    home, away = stat_number(row.home), stat_number(row.away)
    ratio = _RATIOS.get(key)
    if ratio is not None and ratio[0] in counts and ratio[1] in counts:
        made, tried = counts[ratio[0]], counts[ratio[1]]
        texts, values = [], []
        for side in (0, 1):
            hit, total = made[side], tried[side]
            value = 100 * hit / total if hit is not None and total else None
            values.append(value)
            texts.append("-" if value is None else _percent(value, 0))
        return StatRow(label=label, home=texts[0], away=texts[1], home_share=_share(values[0], values[1]))
    if _is_percent(key) and home is not None and away is not None:
        if 0 <= home <= 1 and 0 <= away <= 1:
            home, away = home * 100, away * 100
            return StatRow(
                label=label, home=_percent(home, 0), away=_percent(away, 0), home_share=_share(home, away)
            )
        return StatRow(
            label=label, home=_suffix(row.home), away=_suffix(row.away), home_share=_share(home, away)
        )
    if key == "possession" and home is not None and away is not None and abs(home + away - 100) <= 1.5:
        return StatRow(
            label=label, home=_suffix(row.home), away=_suffix(row.away), home_share=_share(home, away)
        )
    return StatRow(label=label, home=row.home.strip(), away=row.away.strip(), home_share=_share(home, away))


def _suffix(value: str) -> str:
    text = value.strip()
    return text if text.endswith("%") else f"{text}%"
