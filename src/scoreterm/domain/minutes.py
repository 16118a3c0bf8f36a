"""Match minutes as providers write them (``67'``, ``45'+2'``, ``90+4'``): parse, order, show. Pure."""

from __future__ import annotations

import re

_ANY = re.compile(r"(\d{1,3})'?\s*(?:\+\s*(\d{1,2}))?")
_EXACT = re.compile(r"\s*(\d{1,3})'?\s*(?:\+\s*(\d{1,2})'?)?\s*")


def parse_minute(text: str) -> tuple[int, int] | None:
    """``(minute, added)`` from the first minute in ``text`` (``"45'+2'"`` -> ``(45, 2)``), or None."""
    found = _ANY.search(text or "")
    return (int(found[1]), int(found[2] or 0)) if found else None


def exact_minute(text: str) -> tuple[int, int] | None:
    """``(minute, added)`` when ``text`` is nothing but a minute (``"45'+2'"``, ``"90+4'"``, ``" 12 "``).

    Anything else (``"HT"``, ``"45' 2H"``, a number of four digits) is None.
    """
    found = _EXACT.fullmatch(text) if isinstance(text, str) else None
    return (int(found[1]), int(found[2] or 0)) if found else None


def is_minute(text: str) -> bool:
    """True when ``text`` is nothing but a minute (``67'``, ``90'+4'``, ``90+4'``, ``12``)."""
    return exact_minute(text) is not None


def minute_order(text: str) -> float:
    """Sort key for minute text: ``45'+2'`` sorts after ``45'`` and before ``46'``; -1 for none."""
    parsed = parse_minute(text)
    return -1.0 if parsed is None else parsed[0] + parsed[1] / 100
