"""Per-address limiters forget an address once it holds nothing (issue 10, item 7), and IPv6 is counted
per /64. Time is a plain number here (``now``), moved by the test: no clock, no sleep.
"""

from __future__ import annotations

import tracemalloc

import pytest

from scoreterm.net.limits import KeyedBuckets, SlidingWindow, TokenBucket, client_key

WINDOW_S = 60.0


def addresses(count: int) -> list[str]:
    return [f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(count)]


def test_the_window_still_limits_each_address() -> None:
    window = SlidingWindow(3, WINDOW_S)
    assert [window.allow("a", t) for t in (0.0, 1.0, 2.0, 3.0)] == [True, True, True, False]
    assert window.allow("b", 3.0)  # another address has its own budget
    assert window.retry_after("a", 3.0) == pytest.approx(57.0)
    assert window.allow("a", 60.0)  # the first event left the window
    assert not window.allow("a", 60.5)


def test_the_window_forgets_addresses_whose_events_have_all_expired() -> None:
    """Before: a deque per address, for ever (about 0.86 KB each; unbounded over IPv6)."""
    window = SlidingWindow(10, WINDOW_S)
    for i, ip in enumerate(addresses(50_000)):
        window.allow(ip, i * 0.001)  # 50,000 addresses within 50 s
    assert len(window) == 50_000
    window.allow("10.0.0.1", 50.0 + WINDOW_S)  # the last of them a minute old: swept
    assert len(window) == 1
    # An address still inside its window is kept, with its count.
    window.allow("busy", 200.0)
    window.allow("busy", 230.0)
    window.allow("other", 265.0)
    assert len(window) == 2 and window.retry_after("busy", 265.0) == 0.0


def test_the_windows_memory_goes_back_down() -> None:
    window = SlidingWindow(10, WINDOW_S)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for i, ip in enumerate(addresses(20_000)):
            window.allow(ip, i * 0.001)
        held = tracemalloc.get_traced_memory()[0] - base
        window.allow("10.0.0.1", 20.0 + WINDOW_S)
        after = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert held > 20_000 * 300  # each address costs something while it counts...
    assert after < held / 50  # ...and nothing once forgotten


def test_keyed_buckets_limit_and_then_forget_full_buckets() -> None:
    buckets = KeyedBuckets(rate=1.0, burst=3.0)
    assert [buckets.allow("a", 0.0) for _ in range(4)] == [True, True, True, False]
    assert buckets.retry_after("a", 0.0) == pytest.approx(1.0)
    assert buckets.retry_after("a", 0.5) == pytest.approx(0.5)
    assert buckets.allow("a", 1.0) and not buckets.allow("a", 1.0)
    for ip in addresses(10_000):
        buckets.allow(ip, 2.0)
    assert len(buckets) == 10_001
    # Three seconds refill any bucket; the next request after that sweeps every full one away.
    assert buckets.allow("b", 2.0 + 3.0)
    assert len(buckets) == 1
    assert buckets.retry_after("a", 100.0) == 0.0


def test_a_refilled_bucket_forgotten_is_the_same_as_a_fresh_one() -> None:
    kept, forgetful = KeyedBuckets(rate=2.0, burst=4.0), KeyedBuckets(rate=2.0, burst=4.0)
    times = [0.0, 0.1, 0.2, 0.3, 0.4, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0]
    forgetful.allow("other", 0.0)
    answers_kept = [kept.allow("a", t) for t in times]
    answers_forgetful = []
    for t in times:
        forgetful.allow("sweeper", t)  # gives the sweep every chance to run
        answers_forgetful.append(forgetful.allow("a", t))
    assert answers_kept == answers_forgetful == [True] * 4 + [False] + [True] * 4 + [False, True]


def test_token_bucket() -> None:
    bucket = TokenBucket(rate=5.0, burst=2.0, now=0.0)
    assert [bucket.allow(0.0) for _ in range(3)] == [True, True, False]
    assert bucket.allow(0.2)


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),  # same /64, same budget
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4 through a dual-stack socket
        ("fe80::1%eth0", "fe80::/64"),
        ("?", "?"),
        ("not an address", "not an address"),
    ],
)
def test_client_key(host: str, key: str) -> None:
    assert client_key(host) == key
