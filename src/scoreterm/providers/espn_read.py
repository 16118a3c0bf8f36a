"""Defensive readers for vendor JSON fed straight from the network.

Every reader takes ``Any`` and returns a value of one type, never raising: a wrong type, a huge
integer (``10**400``: ``float()`` of it overflows, ``str()`` of it exceeds Python's digit limit),
NaN or infinity reads as "missing". Strings are capped so one absurd field cannot bloat the
wire or a tape.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

TEXT_LIMIT = 600
NAME_LIMIT = 100
# Integers past this are not real sports numbers, and their str() may raise.
_INT_LIMIT = 10**15


def as_dict(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...`` through objects only; None as soon as a step is missing."""
    for key in keys:
        if not isinstance(value, Mapping):
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
