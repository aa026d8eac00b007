"""UTC timestamps as the archive stores them (no I/O).

Every datetime in aggregator is timezone-aware UTC. The archive stores them as
ISO 8601 text, ``YYYY-MM-DDTHH:MM:SSZ``, which sorts chronologically as text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = [
    "from_db",
    "parse_duration",
    "parse_when",
    "seconds_of_db",
    "text_of_db",
    "to_db",
    "to_db_text",
    "to_db_seconds",
    "utcnow",
]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, to the second.

    Returns:
        The current time.
    """
    return datetime.now(UTC).replace(microsecond=0)


def to_db(value: datetime | None) -> str | None:
    """Format a datetime for the archive.

    Args:
        value: a datetime (naive ones are taken as UTC) or ``None``.

    Returns:
        ``YYYY-MM-DDTHH:MM:SSZ`` in UTC, or ``None``.
    """
    return None if value is None else to_db_text(value)


def to_db_text(value: datetime) -> str:
    """:func:`to_db` of a datetime that is there: ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value.year < 1000:
        # strftime writes such a year without leading zeros ("999-01-01"), isoformat with.
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    # The same text as the strftime above, at about half its cost (a few per stored story).
    return value.isoformat(timespec="seconds")[:19] + "Z"


def to_db_seconds(value: datetime) -> int:
    """A datetime as the archive's columns of seconds keep it: Unix seconds, UTC.

    The same instant as :func:`to_db`'s text, to the second (the fraction is
    dropped as there), in 4-6 bytes instead of 20: ``sources.seen_at``, one
    per sighting, is stored so. :func:`from_db` reads both forms.

    Args:
        value: a datetime (naive ones are taken as UTC).

    Returns:
        Seconds since 1970-01-01T00:00:00Z.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # Exact integer arithmetic (no float), and no calendar module (it imports re and
    # locale, which the search's start-up avoids).
    return (value.replace(microsecond=0) - _EPOCH) // _SECOND


def seconds_of_db(value: str | int | float | bytes | None) -> str | int | float | bytes | None:
    """A stored time as :func:`to_db_seconds` keeps it, whichever form it was stored in.

    Text written by :func:`to_db` becomes its seconds; seconds, ``None`` and
    anything else (a value another program wrote) are returned as they are.
    For columns that became seconds (``sources.seen_at`` at schema 9).
    """
    if not isinstance(value, str):
        return value
    try:
        when = from_db(value)
    except ValueError:
        return value
    return to_db_seconds(when) if when is not None else value


def text_of_db(value: str | int) -> str:
    """A stored time as :func:`to_db`'s text, whichever form it was stored in.

    Seconds (``stories.published`` since schema 10) become the text
    :func:`to_db` writes for the same instant; text is returned as it is. What
    commands print is so the same for archives of either form.
    """
    if isinstance(value, int):
        return to_db_text(datetime.fromtimestamp(value, UTC))
    return value


def from_db(value: str | int | None) -> datetime | None:
    """Read a datetime stored by :func:`to_db` (text) or :func:`to_db_seconds` (an integer).

    Args:
        value: the stored text or seconds, or ``None``.

    Returns:
        A UTC datetime, or ``None``.
    """
    if isinstance(value, int):
        return datetime.fromtimestamp(value, UTC)
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_duration(value: object) -> timedelta:
    """Parse a duration such as ``"45s"``, ``"30m"``, ``"2h"``, ``"1d"`` or a number of seconds.

    Args:
        value: a string with a unit (s, m, h, d, w) or a non-negative number of seconds.

    Returns:
        The duration.

    Raises:
        ValueError: the value is not a duration.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration like '45s', '30m', '2h' or '1d'")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value!r} is negative")
        return timedelta(seconds=value)
    if isinstance(value, str):
        # A number, then a unit: "1.5h", "30 m". (No regular expression: ``re`` is
        # slow to import and ``aggregator search --since 7d`` starts with this.)
        text = value.strip()
        number = text[:-1].rstrip()
        whole, _, fraction = number.partition(".")
        if (
            text[-1:] in _UNITS
            and whole.isdecimal()
            and (fraction.isdecimal() or "." not in number)
        ):
            return timedelta(seconds=float(number) * _UNITS[text[-1]])
    raise ValueError(f"{value!r} is not a duration like '45s', '30m', '2h' or '1d'")


def parse_when(value: str, *, now: datetime) -> datetime:
    """Parse a user's date: ``YYYY-MM-DD``, an ISO timestamp, or a duration ago (``24h``, ``7d``).

    Args:
        value: what the user typed.
        now: the current time (UTC).

    Returns:
        The moment meant, in UTC.

    Raises:
        ValueError: the value is neither a date nor a duration.
    """
    text = value.strip()
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date (YYYY-MM-DD) or a duration like '24h' or '7d'"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
