"""The pure scheduling functions: intervals, adaptive pace, backoff, floors, jitter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.poll.schedule import adaptive_interval, backoff, freshness_floor, jitter, next_fetch

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
MIN, MAX = timedelta(minutes=5), timedelta(days=1)


def decide(**kw: object) -> tuple[timedelta, str]:
    args: dict[str, object] = {
        "now": NOW,
        "url": "https://a.example/feed",
        "interval": timedelta(minutes=30),
        "min_interval": MIN,
        "max_interval": MAX,
    }
    args.update(kw)
    d = next_fetch(**args)  # type: ignore[arg-type]
    return d.at - NOW, d.reason


def test_default_interval() -> None:
    assert decide() == (timedelta(minutes=30), "interval")


def test_interval_is_clamped() -> None:
    assert decide(interval=timedelta(seconds=10)) == (MIN, "interval")
    assert decide(interval=timedelta(days=9)) == (MAX, "interval")


def test_backoff_doubles_and_caps() -> None:
    base = timedelta(minutes=30)
    assert [backoff(n, base=base, cap=MAX) for n in (1, 2, 3)] == [base, base * 2, base * 4]
    assert backoff(30, base=base, cap=MAX) == MAX
    assert decide(failures=3) == (timedelta(hours=2), "backoff")


def test_retry_after_wins_and_is_not_capped() -> None:
    later = NOW + timedelta(days=3)
    assert decide(retry_after=later) == (timedelta(days=3), "retry-after")
    assert decide(retry_after=NOW + timedelta(minutes=1)) == (timedelta(minutes=30), "interval")


def test_ttl_and_max_age_are_floors_capped_at_max() -> None:
    assert decide(ttl=timedelta(hours=2)) == (timedelta(hours=2), "ttl")
    assert decide(max_age=timedelta(hours=3)) == (timedelta(hours=3), "max-age")
    assert decide(max_age=timedelta(days=30)) == (MAX, "max-age")
    assert decide(ttl=timedelta(minutes=1)) == (timedelta(minutes=30), "interval")


def test_adaptive_follows_the_pace() -> None:
    hourly = [NOW - timedelta(hours=h) for h in range(10)]
    assert adaptive_interval(hourly, now=NOW) == timedelta(minutes=30)
    weekly = [NOW - timedelta(weeks=w) for w in range(5)]
    assert adaptive_interval(weekly, now=NOW) == timedelta(days=3.5)
    assert decide(adaptive=adaptive_interval(weekly, now=NOW)) == (MAX, "adaptive")
    burst = [NOW - timedelta(minutes=m) for m in range(20)]
    assert decide(adaptive=adaptive_interval(burst, now=NOW)) == (MIN, "adaptive")


def test_adaptive_needs_dates_and_notices_a_quiet_feed() -> None:
    assert adaptive_interval([None, None, NOW], now=NOW) is None
    assert adaptive_interval([NOW + timedelta(days=1)] * 5, now=NOW) is None  # future dates
    # Hourly once, silent for ten days since: it slowed down.
    old = [NOW - timedelta(days=10, hours=h) for h in range(10)]
    assert adaptive_interval(old, now=NOW) == timedelta(days=5)


def test_freshness_floor() -> None:
    assert freshness_floor({"cache-control": "public, max-age=600"}, now=NOW) == timedelta(
        minutes=10
    )
    assert freshness_floor({"cache-control": "no-cache, max-age=600"}, now=NOW) is None
    expires = "Sun, 29 Nov 2026 13:00:00 GMT"
    assert freshness_floor({"expires": expires}, now=NOW) == timedelta(hours=1)
    assert freshness_floor({"expires": "0"}, now=NOW) is None
    assert freshness_floor({}, now=NOW) is None


def test_jitter_is_stable_and_bounded() -> None:
    spread = timedelta(minutes=1)
    assert jitter("x", spread) == jitter("x", spread)
    values = {jitter(f"feed{i}", spread) for i in range(50)}
    assert len(values) > 10
    assert all(timedelta(0) <= v < spread for v in values)


@given(
    interval=st.integers(1, 10**7),
    failures=st.integers(0, 50),
    ttl=st.none() | st.integers(0, 10**7),
    adaptive=st.none() | st.integers(1, 10**7),
)
def test_next_fetch_always_within_bounds(
    interval: int, failures: int, ttl: int | None, adaptive: int | None
) -> None:
    wait, _ = decide(
        interval=timedelta(seconds=interval),
        failures=failures,
        ttl=None if ttl is None else timedelta(seconds=ttl),
        adaptive=None if adaptive is None else timedelta(seconds=adaptive),
        jitter_spread=timedelta(minutes=1),
    )
    assert MIN <= wait <= MAX + timedelta(minutes=1)


@pytest.mark.parametrize("failures", [1, 5])
def test_backoff_starts_from_adaptive_interval(failures: int) -> None:
    wait, reason = decide(adaptive=timedelta(hours=1), failures=failures)
    assert reason == "backoff"
    assert wait == min(timedelta(hours=1) * 2 ** (failures - 1), MAX)
