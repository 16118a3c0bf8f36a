"""Readers for the values of standings and bracket payloads that never raise.

Each takes ``Any`` from decoded vendor JSON and returns one type or "missing" (None, ``""``, an
empty mapping): wrong types, NaN, infinities and huge integers (``10**400`` decodes to a Python
int whose ``float()`` overflows and whose ``str()`` may exceed the digit limit) all read as missing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

NAME_LIMIT = 100
_INT_LIMIT = 10**12


def as_dict(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def text(value: Any, limit: int = NAME_LIMIT) -> str:
    """A stripped string of at most ``limit`` characters; ids given as numbers become strings."""
    if isinstance(value, str):
        return value.strip()[:limit]
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)[:limit] if abs(value) < _INT_LIMIT else ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < _INT_LIMIT:
        return str(int(value))
    return ""


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return float(value) if abs(value) < _INT_LIMIT else None
    if isinstance(value, str):
        stripped = value.strip().lstrip("+")
        if not stripped or len(stripped) > 24:
            return None
        try:
            value = float(stripped)
        except ValueError:
            return None
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def whole(value: Any, *, low: int = 0, high: int = 10**6) -> int | None:
    """A whole number in ``[low, high]`` from an int, a float (``38.0``) or a string (``"+45"``)."""
    number = _finite(value)
    if number is None or not number.is_integer() or not low <= number <= high:
        return None
    return int(number)


def ratio(value: Any, *, low: float = 0.0, high: float = 1.0) -> float | None:
    """A finite float in ``[low, high]`` (a win percentage by default); None otherwise."""
    number = _finite(value)
    if number is None or not low <= number <= high:
        return None
    return number
