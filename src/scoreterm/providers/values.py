"""Reading numbers out of vendor JSON without trusting them. Pure functions that never raise.

Vendors send scores as ints, floats, strings or ``{"value": 2.0}``; a bad poll can send anything:
null, ``""``, ``"-1"``, ``"2.7"``, ``true``, a 400-digit integer (JSON allows it; ``float()`` of it
raises ``OverflowError``). These helpers say "not a valid value" (None) for every such case, so a
normalizer can flag the field as suspect instead of reading it as a 0 or a goal.
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


def parse_float(value: Any) -> float | None:
    """A finite float from an int, a float or a numeric string; None otherwise (never raises)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int):
        try:
            value = float(value)
        except OverflowError:
            return None
    if not isinstance(value, float) or not math.isfinite(value):
        return None
    return value


def parse_whole(value: Any, *, low: int = 0, high: int = 10**6) -> int | None:
    """A whole number in ``[low, high]`` from the same shapes as :func:`parse_float`; else None."""
    number = parse_float(value)
    if number is None or not number.is_integer() or not low <= number <= high:
        return None
    return int(number)


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
