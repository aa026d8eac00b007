"""Columns of ``stories`` kept compact: dates as Unix seconds, the usual generator as NULL.

**Dates.** Schema 10 keeps ``stories.published`` as Unix seconds
(:func:`aggregator.timeutil.to_db_seconds`: 4-6 bytes instead of 20, in the
row and in its index). An older archive opened read-only (never migrated),
and PostgreSQL, whose stories are partitioned by month on a text
``published``, keep ``to_db`` text. Both forms sort as the times they stand
for; what a statement compares ``published`` with must be in the same form,
which the connection says (``dates_as_text``). Values read back become text
for output with :func:`aggregator.timeutil.text_of_db`.

**Generator.** ``stories.generator`` names who wrote a story's questions;
nearly every story's are the offline generator's. Since schema 10 (PostgreSQL
5) that name is stored as NULL (no byte in the row instead of 8): write
:func:`stored_generator`, read :data:`GENERATOR_SQL`. Every other name, and
the empty one, is stored as it is.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from aggregator.timeutil import to_db_seconds, to_db_text

__all__ = [
    "ArchiveConnection",
    "Date",
    "date_bounds",
    "date_param",
    "keeps_text_dates",
    "order_key",
    "sorts_before",
    "stored_generator",
    "GENERATOR_SQL",
    "OFFLINE",
]

OFFLINE = "offline"
"""The offline question generator's name, which ``stories.generator`` keeps as NULL."""

GENERATOR_SQL = f"COALESCE(generator, '{OFFLINE}')"
"""``stories.generator`` read back as the name (columns of ``stories``, unqualified)."""


def stored_generator(name: str) -> str | None:
    """The generator's name as ``stories.generator`` keeps it (NULL for :data:`OFFLINE`)."""
    return None if name == OFFLINE else name


Date = int | str
"""A ``published`` as an archive stores it: Unix seconds, or text before schema 10."""


_NO_LOWER = -(2**63)
"""Below every date in seconds (an open ``since``)."""

_NO_UPPER = "\uffff"
"""Above every date in either form (SQLite sorts numbers before text): an open ``until``."""


class ArchiveConnection(sqlite3.Connection):
    """An archive's SQLite connection: :class:`sqlite3.Connection` and the form of its dates.

    ``dates_as_text`` is set on a read-only connection to an archive older than
    schema 10 (:func:`keeps_text_dates`).
    """

    dates_as_text = False


def keeps_text_dates(conn: sqlite3.Connection) -> bool:
    """Whether the archive keeps ``stories.published`` as text (declared ``TEXT`` before
    schema 10, ``INTEGER`` since): read from the table, not the version number, so an
    archive of any version is compared in the form its column holds."""
    row = conn.execute(
        "SELECT type FROM pragma_table_info('stories') WHERE name = 'published'"
    ).fetchone()
    return row is not None and str(row[0]).upper() == "TEXT"


def date_param(conn: object, when: datetime) -> Date:
    """``when`` as a value compared with ``stories.published`` on ``conn``.

    Unix seconds on an archive of schema 10 or later; ``to_db`` text when the
    connection keeps dates as text (an older archive read as it is, or
    PostgreSQL).
    """
    if getattr(conn, "dates_as_text", False):
        return to_db_text(when)
    return to_db_seconds(when)


def date_bounds(conn: object, since: datetime | None, until: datetime | None) -> tuple[Date, Date]:
    """``[since, until)`` as values compared with ``stories.published`` (``None``: open)."""
    if since is not None:
        low = date_param(conn, since)
    else:
        low = "" if getattr(conn, "dates_as_text", False) else _NO_LOWER
    return low, date_param(conn, until) if until is not None else _NO_UPPER


def order_key(value: Date) -> tuple[bool, Date]:
    """A sort key that orders dates as SQLite does (numbers before text).

    Python cannot compare an integer with text: an archive of schema 10 may
    still hold a text ``published`` written by another program.
    """
    return isinstance(value, str), value


def sorts_before(a: Date, b: Date) -> bool:
    """``a < b`` as SQLite orders them: numbers before text."""
    if isinstance(a, int) != isinstance(b, int):
        return isinstance(a, int)
    return a < b  # type: ignore[operator]
