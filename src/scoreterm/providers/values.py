"""Reading vendor JSON without trusting it: readers that take ``Any`` and never raise.

Vendors send scores as ints, floats, strings or ``{"value": 2.0}``; a bad poll can send anything:
null, ``""``, ``"-1"``, ``"2.7"``, ``true``, a 400-digit integer (JSON allows it; ``float()`` of it
raises ``OverflowError``, ``str()`` of it can exceed Python's digit limit), NaN, a list where an
object belongs. Each reader returns one type or "missing" (None, ``""``, an empty mapping) for every
such case, so a normalizer can flag a field as suspect instead of reading it as a 0 or a goal.
Strings are capped, so one absurd field cannot bloat the wire or a tape.
"""

from __future__ import annotations

import logging
import math
import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

# Within reason for any sport we show (NBA scores pass 150; nobody passes 999).
MAX_SCORE = 999
TEXT_LIMIT = 600
NAME_LIMIT = 100
# Integers past this are not real sports numbers, and their str() may raise.
_INT_LIMIT = 10**15
_DIGITS = re.compile(r"\s*(\d{1,9})(?:\.0*)?\s*")
_LOGGED_LIMIT = 256
_logged: OrderedDict[str, None] = OrderedDict()


def parse_score(value: Any) -> int | None:
    """A score: a whole number in ``0..MAX_SCORE``; None for anything else.

    Accepts ``2``, ``2.0``, ``"2"``, ``" 2 "`` and ``{"value": 2.0, "displayValue": "2"}``.
    Refuses None, ``""``, blanks, booleans, negatives, fractions (``"2.7"``), exponents
    (``"1e308"``), huge integers, NaN and infinities.
    """
    if isinstance(value, Mapping):
        value = value.get("value", value.get("displayValue"))
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_SCORE else None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        return int(value) if 0 <= value <= MAX_SCORE else None
    if isinstance(value, str):
        found = _DIGITS.fullmatch(value)
        if found is None:
            return None
        number = int(found[1])
        return number if number <= MAX_SCORE else None
    return None


def is_blank(value: Any) -> bool:
    """True for a value that says nothing: None, ``""`` or whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_dict(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    # A decoded JSON object is a dict: checking that first skips the slower ABC check.
    return value if type(value) is dict or isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...`` through objects only; None as soon as a step is missing."""
    for key in keys:
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def text(value: Any, limit: int = TEXT_LIMIT) -> str:
    """A string field, stripped and capped at ``limit`` characters; numbers as their digits.

    Booleans, None, containers, huge or non-finite numbers read as ``""``.
    """
    if isinstance(value, str):
        return value.strip()[:limit]
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value) if abs(value) < _INT_LIMIT else ""
    if isinstance(value, float) and math.isfinite(value) and abs(value) < _INT_LIMIT:
        return str(int(value)) if value.is_integer() else str(value)
    return ""


def name(value: Any) -> str:
    """A person or team name (capped at ``NAME_LIMIT``)."""
    return text(value, NAME_LIMIT)


def number(value: Any) -> float | None:
    """A finite float from a number or numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped or len(stripped) > 40:
            return None
        try:
            value = float(stripped)
        except ValueError:
            return None
    if isinstance(value, int):
        if abs(value) >= _INT_LIMIT:
            return None
        value = float(value)
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


MAX_TABLE_STAT = 10**6
"""No standings number comes near this (points, goals, games): a bigger one is poison."""


def integer(value: Any, low: int = 0, high: int = 10**9) -> int | None:
    """A whole number in ``[low, high]`` (``"3"``, ``3``, ``3.0``); None otherwise."""
    found = number(value)
    if found is None or not found.is_integer():
        return None
    whole = int(found)
    return whole if low <= whole <= high else None


def flag(value: Any) -> bool:
    """True only for JSON ``true`` (ESPN's flags; ``"true"`` or 1 are not trusted)."""
    return value is True


def ratio(value: Any, *, low: float = 0.0, high: float = 1.0) -> float | None:
    """A finite float in ``[low, high]`` (a win percentage by default); None otherwise."""
    found = number(value)
    return found if found is not None and low <= found <= high else None


def warn_once(logger: logging.Logger, message: str, *args: object) -> None:
    """Log ``message`` at warning level the first time it is seen (then at debug).

    A poisoned payload polled every few seconds must not write the same warning every poll.
    """
    text = message % args if args else message
    if text in _logged:
        logger.debug(text)
        return
    _logged[text] = None
    if len(_logged) > _LOGGED_LIMIT:
        _logged.popitem(last=False)
    logger.warning(text)
