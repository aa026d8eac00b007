"""When to poll a feed next: pure functions of ``now`` and the feed's history (no I/O).

The daemon keeps the schedule in the archive (``feeds.next_fetch`` and
``next_reason``), so a restart keeps it; these functions only decide.

The decision, in order:

1. The feed's interval: its own ``interval`` from the config when set (the
   user's word is final), else the *adaptive* interval — half the typical gap
   between the feed's recent entries, so a feed that publishes hourly is polled
   every 30 minutes and one that publishes weekly once a day — and the
   configured default when the entries carry no dates. Always clamped to
   ``[min_interval, max_interval]``.
2. After a failure: exponential backoff from that interval, capped at
   ``max_interval``.
3. Floors the publisher asked for: RSS ``<ttl>``, ``Cache-Control: max-age``
   and ``Expires`` (never polled sooner; still capped at ``max_interval``),
   and ``Retry-After`` (never sooner, not capped: the publisher said so).
4. A stable jitter spreads feeds so they do not all start at once.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = [
    "Decision",
    "adaptive_interval",
    "backoff",
    "freshness_floor",
    "jitter",
    "next_fetch",
]

_MAX_AGE = re.compile(r"(?:^|[,\s])(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|[,\s])(?:no-cache|no-store)(?:$|[,\s=])", re.IGNORECASE)
# Entries considered for the adaptive interval: the newest ones tell the current pace.
_RECENT = 20


@dataclass(frozen=True, slots=True)
class Decision:
    """When to fetch next, and why.

    Attributes:
        at: the time of the next fetch (UTC).
        reason: ``interval``, ``adaptive``, ``backoff``, ``retry-after``, ``ttl`` or ``max-age``.
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
        return min(base, cap)
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


def adaptive_interval(dates: Iterable[datetime | None], *, now: datetime) -> timedelta | None:
    """Half the typical gap between a feed's recent entries.

    Args:
        dates: the entries' publication dates (``None`` for undated entries).
        now: the current time (UTC); future dates are ignored.

    Returns:
        The interval, or ``None`` when fewer than three dated entries say nothing
        reliable. A feed whose newest entry is older than its typical gap is
        treated as having slowed down: the time since that entry counts as a gap.
    """
    recent = sorted((d for d in dates if d is not None and d <= now), reverse=True)[:_RECENT]
    if len(recent) < 3:
        return None
    import statistics  # here: it loads decimal and fractions, which a 304 never needs

    gaps = [(a - b).total_seconds() for a, b in zip(recent, recent[1:], strict=False)]
    typical = statistics.median(gaps)
    quiet = (now - recent[0]).total_seconds()
    typical = max(typical, quiet if quiet > typical else 0.0)
    return timedelta(seconds=max(typical / 2, 1.0))


def freshness_floor(headers: Mapping[str, str], *, now: datetime) -> timedelta | None:
    """How long the server said the document stays fresh (``Cache-Control`` / ``Expires``).

    Args:
        headers: the response headers, lower-case names.
        now: the current time (UTC).

    Returns:
        The freshness lifetime, or ``None`` when the server said nothing usable
        (or said ``no-cache``/``no-store``).
    """
    cache = headers.get("cache-control", "")
    if cache:
        if _NO_CACHE.search(cache):
            return None
        m = _MAX_AGE.search(cache)
        if m:
            return timedelta(seconds=min(int(m.group(1)), 10**9))
    expires = headers.get("expires", "").strip()
    if expires:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError, IndexError):
            return None  # "Expires: 0" and other garbage mean "already stale"
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if when > now:
            return when - now
    return None


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
    max_age: timedelta | None = None,
    adaptive: timedelta | None = None,
) -> Decision:
    """Decide the next fetch of one feed.

    Args:
        now: the time of the poll that just ended (UTC).
        url: the feed's URL (seeds the jitter).
        interval: the feed's own interval, or the configured default.
        min_interval: never sooner than this after ``now`` (except to honour nothing).
        max_interval: never later than this after ``now`` (except Retry-After).
        jitter_spread: spread polls by up to this much.
        failures: consecutive failed polls including this one (0 after a success).
        retry_after: the server asked us not to come back before this time.
        ttl: the feed's own ``<ttl>``, honoured as a floor.
        max_age: ``Cache-Control: max-age`` / ``Expires`` lifetime, honoured as a floor.
        adaptive: the feed's :func:`adaptive_interval`, used instead of ``interval``
            (pass ``None`` when the user set the feed's interval).

    Returns:
        When, and why.
    """
    wait, reason = interval, "interval"
    if adaptive is not None:
        wait, reason = adaptive, "adaptive"
    wait = min(max(wait, min_interval), max_interval)
    if failures > 0:
        wait = backoff(failures, base=wait, cap=max_interval)
        reason = "backoff"
    else:
        for floor, why in ((ttl, "ttl"), (max_age, "max-age")):
            if floor is not None and floor > wait and wait < max_interval:
                wait, reason = min(floor, max_interval), why
    at = now + wait + jitter(f"{url}@{now.isoformat()}", jitter_spread)
    if retry_after is not None and retry_after > at:
        return Decision(retry_after, "retry-after")
    return Decision(at, reason)
