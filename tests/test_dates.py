"""Date specs and the vendor days needed to cover a local day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from scoreterm.domain.dates import BadDateSpec, in_window, local_window, parse_date_spec, vendor_days

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("today", (TODAY, TODAY)),
        ("yesterday", (date(2026, 11, 21), date(2026, 11, 21))),
        ("Tomorrow", (date(2026, 11, 23), date(2026, 11, 23))),
        ("2026-06-28", (date(2026, 6, 28), date(2026, 6, 28))),
        ("2026-06-28..2026-07-19", (date(2026, 6, 28), date(2026, 7, 19))),
        ("yesterday..tomorrow", (date(2026, 11, 21), date(2026, 11, 23))),
    ],
)
def test_parse_date_spec(spec: str, expected: tuple[date, date]) -> None:
    assert parse_date_spec(spec, TODAY) == expected


@pytest.mark.parametrize(
    "spec", ["2026-13-01", "next week", "2026-07-19..2026-06-28", "2026-01-01..2026-12-31", "20260628"]
)
def test_bad_date_specs(spec: str) -> None:
    with pytest.raises(BadDateSpec):
        parse_date_spec(spec, TODAY)


def test_local_day_in_tokyo_needs_two_eastern_days() -> None:
    start, end = local_window(date(2026, 6, 28), date(2026, 6, 28), ZoneInfo("Asia/Tokyo"))
    assert start == datetime(2026, 6, 27, 15, tzinfo=UTC)
    assert end == datetime(2026, 6, 28, 15, tzinfo=UTC)
    # 15:00 UTC on the 27th is 11:00 Eastern on the 27th; the window ends on the 28th.
    assert vendor_days(start, end) == (date(2026, 6, 27), date(2026, 6, 28))


def test_local_day_in_los_angeles_reaches_next_utc_day() -> None:
    start, end = local_window(date(2026, 6, 28), date(2026, 6, 28), ZoneInfo("America/Los_Angeles"))
    assert vendor_days(start, end) == (date(2026, 6, 28), date(2026, 6, 29))


def test_in_window_is_half_open() -> None:
    start = datetime(2026, 6, 28, tzinfo=UTC)
    end = datetime(2026, 6, 29, tzinfo=UTC)
    assert in_window(start, start, end)
    assert not in_window(end, start, end)
