"""Which days a user means, and which vendor days to ask for to cover them.

"Today" is the user's local day. ESPN groups matches by US-Eastern day and others by UTC day, so a
local day can straddle two vendor days: we ask for every vendor day that overlaps the local window
and then keep the matches whose kickoff falls inside it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

US_EASTERN = ZoneInfo("America/New_York")
MAX_RANGE_DAYS = 62
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadDateSpec(ValueError):
    """A ``--date`` value that is not a day, a keyword or a range."""


def parse_date_spec(spec: str, today: date) -> tuple[date, date]:
    """Parse ``YYYY-MM-DD``, ``today``, ``yesterday``, ``tomorrow`` or ``A..B`` into a day range.

    Raises:
        BadDateSpec: with a message that says what is accepted.
    """
    text = spec.strip().lower()
    if ".." in text:
        first_text, _, last_text = text.partition("..")
        first, last = _one_day(first_text, today), _one_day(last_text, today)
        if last < first:
            raise BadDateSpec(f"date range {spec!r} ends before it starts")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise BadDateSpec(f"date range {spec!r} is longer than {MAX_RANGE_DAYS} days")
        return first, last
    day = _one_day(text, today)
    return day, day


def _one_day(text: str, today: date) -> date:
    keywords = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if text in keywords:
        return today + timedelta(days=keywords[text])
    if _ISO_DAY.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise BadDateSpec(
        f"bad date {text!r}: use YYYY-MM-DD, today, yesterday, tomorrow or YYYY-MM-DD..YYYY-MM-DD"
    )


def local_window(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) covering local days ``first``..``last`` in ``zone``."""
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def vendor_days(start: datetime, end: datetime) -> tuple[date, date]:
    """Vendor days (US-Eastern and UTC) that together cover the instants [start, end)."""
    last_instant = end - timedelta(microseconds=1)
    firsts = (start.astimezone(US_EASTERN).date(), start.astimezone(UTC).date())
    lasts = (last_instant.astimezone(US_EASTERN).date(), last_instant.astimezone(UTC).date())
    return min(firsts), max(lasts)


def in_window(kickoff: datetime, start: datetime, end: datetime) -> bool:
    """True when ``kickoff`` falls in [start, end)."""
    return start <= kickoff < end
