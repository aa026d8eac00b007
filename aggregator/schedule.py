"""When to poll a feed next: pure functions of ``now`` and the feed's history (no I/O).

The daemon keeps the schedule in the archive (``feeds.next_fetch`` and
``next_reason``), so a restart keeps it; these functions only decide.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Decision", "backoff", "jitter", "next_fetch"]


@dataclass(frozen=True, slots=True)
class Decision:
    """When to fetch next, and why.

    Attributes:
        at: the time of the next fetch (UTC).
        reason: ``interval``, ``backoff``, ``retry-after`` or ``ttl``.
    """

    at: datetime
    reason: str


def backoff(failures: int, *, base: timedelta, cap: timedelta) -> timedelta:
    """Exponential backoff after consecutive failures: base, 2x base, 4x base ... up to cap.

    Args:
        failures: consecutive failed polls, counting the latest (1 or more).
        base: the feed's normal interval.
        cap: the longest wait.

    Returns:
        The wait before the next attempt.
    """
    if failures <= 0:
        return base
    factor = 1 << min(failures - 1, 20)
    return min(base * factor, cap)


def jitter(key: str, spread: timedelta) -> timedelta:
    """A stable pseudo-random offset in ``[0, spread)`` for a key (a feed URL and a time).

    Args:
        key: what the offset depends on.
        spread: the width of the range.

    Returns:
        The offset; the same key always gives the same offset.
    """
    if spread <= timedelta(0):
        return timedelta(0)
    fraction = zlib.crc32(key.encode("utf-8")) / 2**32
    return timedelta(seconds=int(spread.total_seconds() * fraction))


def next_fetch(
    *,
    now: datetime,
    url: str,
    interval: timedelta,
    min_interval: timedelta,
    max_interval: timedelta,
    jitter_spread: timedelta = timedelta(0),
    failures: int = 0,
    retry_after: datetime | None = None,
    ttl: timedelta | None = None,
) -> Decision:
    """Decide the next fetch of one feed.

    Args:
        now: the time of the poll that just ended (UTC).
        url: the feed's URL (seeds the jitter).
        interval: the feed's interval (its own, else the configured default).
        min_interval: never sooner than this after ``now``.
        max_interval: never later than this after ``now`` (except Retry-After).
        jitter_spread: spread polls by up to this much.
        failures: consecutive failed polls including this one (0 after a success).
        retry_after: the server asked us not to come back before this time.
        ttl: the feed's own ``<ttl>``, honoured as a floor.

    Returns:
        When, and why.
    """
    wait = min(max(interval, min_interval), max_interval)
    reason = "interval"
    if failures > 0:
        wait = backoff(failures, base=wait, cap=max_interval)
        reason = "backoff"
    elif ttl is not None and ttl > wait:
        wait = min(ttl, max_interval)
        reason = "ttl"
    at = now + wait + jitter(f"{url}@{now.isoformat()}", jitter_spread)
    if retry_after is not None and retry_after > at:
        return Decision(retry_after, "retry-after")
    return Decision(at, reason)
