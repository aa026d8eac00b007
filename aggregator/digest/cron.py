"""Cron expressions for scheduled digests, read by APScheduler's ``CronTrigger``.

Expressions are ``minute hour day month weekday`` as in crontab(5), weekday 0
or 7 being Sunday, optionally preceded by a field for the second as in
Quartz, Spring and node-cron (``"*/2 * * * * *"``: every two seconds).
APScheduler 3 numbers weekdays from Monday, so numeric weekdays are
translated to names first.

APScheduler is imported only when a trigger is built: the config loader
imports this module to validate schedules, and commands that never schedule
anything (``aggregator search`` above all) should not pay for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cron_trigger"]

_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _weekday_item(item: str) -> list[str]:
    """Translate one crontab weekday item (``1``, ``1-5``, ``*/2``, ``0-6/2``) to names."""
    body, _, step_text = item.partition("/")
    if any(c.isalpha() for c in body):
        if step_text:
            raise ValueError(f"a step needs numeric weekdays: {item!r}")
        return [item]  # names mean the same to APScheduler as to cron
    step = int(step_text) if step_text else 1
    if step < 1:
        raise ValueError(f"bad step in {item!r}")
    if body == "*":
        first, last = 0, 6
    elif "-" in body:
        a, b = body.split("-", 1)
        first, last = int(a), int(b)
    else:
        first = int(body)
        last = 7 if step_text else first
    if not (0 <= first <= 7 and 0 <= last <= 7) or first > last:
        raise ValueError(f"weekday {item!r} is out of range 0-7")
    return [_CRON_DAYS[day % 7] for day in range(first, last + 1, step)]


def _weekdays(field: str) -> str:
    if field == "*":
        return field
    names: list[str] = []
    for item in field.split(","):
        try:
            names += _weekday_item(item)
        except ValueError as exc:
            if "invalid literal" in str(exc):
                raise ValueError(f"bad weekday {item!r}") from None
            raise
    return ",".join(dict.fromkeys(names))


def cron_trigger(expression: str, *, timezone: str = "UTC") -> Any:
    """Build the APScheduler trigger of a crontab-style expression.

    Args:
        expression: ``minute hour day month weekday``, optionally preceded by
            a field for the second; weekday 0 and 7 are Sunday.
        timezone: an IANA time zone name.

    Returns:
        An ``apscheduler.triggers.cron.CronTrigger``.

    Raises:
        ValueError: the expression is malformed.
        LookupError: the time zone is unknown.
    """
    from zoneinfo import ZoneInfo

    from apscheduler.triggers.cron import CronTrigger

    zone = ZoneInfo(timezone)
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ValueError(f"expected 5 or 6 fields, got {len(fields)}")
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        second=second,
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekdays(weekday),
        timezone=zone,
    )
