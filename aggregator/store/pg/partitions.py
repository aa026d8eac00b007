"""Stories partitioned by month on PostgreSQL (schema version 2).

``stories`` is range-partitioned on ``published`` (UTC text that sorts by
time): ``stories_2026_11`` holds the stories of November 2026, from
``'2026-11'`` up to ``'2026-12'``. A story dated in a month without a
partition (far back, far ahead, or a date that is not one) lands in
``stories_default``; :func:`ensure_partitions` (run by ``aggregator
maintain`` and the daemon's daily maintenance) creates the coming
:data:`AHEAD` months and gives every month found in the default partition its
own, moving those stories there. A story whose date is changed (a merge keeps
the earlier date) moves between partitions by itself.

Why months: search (:mod:`aggregator.store.pg.search`) reads the newest
stories first, so it touches one or two partitions for most queries, and a
date bound skips every partition outside it; a month's GIN index stays small
enough to read whole for a rare word; retention drops old stories where they
are stored together.

What partitioning takes away, and what replaces it:

- **Unique keys.** A partitioned table's unique keys must contain the
  partition key, so the primary key is ``(id, published)``. ``story_ids``
  (``id`` its primary key) keeps the story id unique across partitions: a row
  trigger inserts each new story's id there, so a second story with an id
  already used fails as a unique violation, whatever its date. URL keys and
  fingerprints were never unique keys: the dedupe decision (read the
  candidates, then insert) runs under the advisory lock
  :data:`~aggregator.store.pg.archive.STORE_LOCK`, on one partition or forty.
- **Foreign keys.** ``sources`` and ``story_links`` can no longer reference
  ``stories(id)``. The trigger that removes a deleted story's id from
  ``story_ids`` deletes its sources and links too, as ``ON DELETE CASCADE``
  did, unless the story still exists: a date change that moves a story to
  another partition is a delete and an insert, and must keep them.
- **Lookups by id** (``WHERE id = ?``) probe each partition's key; cheap (an
  index probe per partition), and search passes the date too, which prunes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aggregator.store.pg.dialect import PgConnection

__all__ = [
    "AHEAD",
    "DEFAULT",
    "STORY_COLUMNS",
    "Partition",
    "PARTITIONS_SQL",
    "date_story_ids",
    "ensure_partitions",
    "from_rows",
    "partition_name",
    "partition_stories",
    "partitions",
]

AHEAD = 3
"""Months created ahead of the current one (stories dated a little ahead land in their own)."""

DEFAULT = "stories_default"
"""The partition of stories dated in a month without one."""

STORY_COLUMNS = (
    "id",
    "category",
    "title",
    "body",
    "questions",
    "actions",
    "published",
    "url",
    "url_key",
    "fingerprint",
    "author",
    "tags",
    "generator",
    "updated_at",
    "lang",
)
"""The columns of ``stories`` that are stored as written (``search`` is generated)."""

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_MONTH_SQL = "'^[0-9]{4}-(0[1-9]|1[0-2])'"
_MOVING = "aggregator.moving"  # set while maintenance moves stories between partitions
_BOUNDS = re.compile(r"FROM \('([^']*)'\) TO \('([^']*)'\)")


class Partition:
    """One partition of ``stories``: its table and the ``[low, high)`` range of ``published``.

    The default partition has ``low = high = None``. ``size``: its stories as
    the planner's statistics count them (0 when never counted).
    """

    __slots__ = ("high", "low", "name", "size")

    def __init__(self, name: str, low: str | None, high: str | None, size: float = 0.0) -> None:
        self.name = name
        self.low = low
        self.high = high
        self.size = size

    def __repr__(self) -> str:
        return f"Partition({self.name!r}, {self.low!r}, {self.high!r})"


def partition_name(month: str) -> str:
    """The partition of a month: ``2026-11`` -> ``stories_2026_11``."""
    if not _MONTH.match(month):
        raise ValueError(f"not a month: {month!r}")
    return f"stories_{month[:4]}_{month[5:7]}"


def _next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def coming_months(now: datetime, ahead: int = AHEAD) -> list[str]:
    """The current month and the ``ahead`` next ones, as ``YYYY-MM``."""
    month = f"{now.year:04d}-{now.month:02d}"
    out = [month]
    for _ in range(ahead):
        month = _next_month(month)
        out.append(month)
    return out


PARTITIONS_SQL = (
    "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), GREATEST(c.reltuples, 0)"
    " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
    " WHERE i.inhparent = 'stories'::regclass"
)
"""The partitions of ``stories``: name, bound and planner's row count (see :func:`from_rows`)."""


def partitions(conn: PgConnection) -> list[Partition]:
    """Every partition of ``stories``, newest range first, the default partition last."""
    return from_rows(conn.execute(PARTITIONS_SQL).fetchall())


def from_rows(rows: Iterable[Sequence[Any]]) -> list[Partition]:
    """The partitions from the rows of :data:`PARTITIONS_SQL` (another statement may carry them)."""
    out: list[Partition] = []
    default: Partition | None = None
    for name, bound, size in rows:
        m = _BOUNDS.search(str(bound))
        if m is None:
            default = Partition(str(name), None, None, float(size))
        else:
            out.append(Partition(str(name), m.group(1), m.group(2), float(size)))
    out.sort(key=lambda p: p.low or "", reverse=True)
    if default is not None:
        out.append(default)
    return out


def _create(conn: PgConnection, month: str) -> bool:
    """Create the partition of ``month`` unless it exists; move its stories out of the default."""
    name = partition_name(month)
    exists = conn.execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()
    if exists and exists[0]:
        return False
    low, high = month, _next_month(month)
    waiting = conn.execute(
        f"SELECT count(*) FROM {DEFAULT} WHERE published >= ? AND published < ?", (low, high)
    ).fetchone()
    columns = ", ".join(STORY_COLUMNS)
    if waiting and waiting[0]:
        # The default partition may not hold a new partition's rows when it is
        # created: they leave it first, with the triggers told it is a move
        # (their ids stay in story_ids, their sources stay).
        conn.execute("SELECT set_config(?, 'on', true)", (_MOVING,))
        conn.execute(
            f"CREATE TEMP TABLE aggregator_moving AS SELECT {columns} FROM {DEFAULT}"
            " WHERE published >= ? AND published < ?",
            (low, high),
        )
        conn.execute(f"DELETE FROM {DEFAULT} WHERE published >= ? AND published < ?", (low, high))
    conn.execute(
        f"CREATE TABLE {name} PARTITION OF stories FOR VALUES FROM ('{low}') TO ('{high}')"
    )
    if waiting and waiting[0]:
        _insert_select(conn, "aggregator_moving")
        conn.execute("DROP TABLE aggregator_moving")
        conn.execute("SELECT set_config(?, 'off', true)", (_MOVING,))
    return True


def _insert_select(conn: PgConnection, table: str) -> None:
    """Insert every row of ``table`` into ``stories`` (a statement that returns no ids)."""
    columns = ", ".join(STORY_COLUMNS)
    conn.execute(
        f"WITH copied AS (INSERT INTO stories ({columns}) SELECT {columns} FROM {table}) SELECT 1"
    )


def ensure_partitions(conn: PgConnection, now: datetime, months: Iterable[str] = ()) -> list[str]:
    """Create the coming months' partitions and those of the months in the default partition.

    Run inside a transaction (a partition and the stories moved into it appear at once).

    Args:
        conn: the archive's connection.
        now: the current time (UTC): its month and :data:`AHEAD` more are created.
        months: more months (``YYYY-MM``) to create.

    Returns:
        The partitions created.
    """
    wanted = set(coming_months(now)) | {m for m in months if _MONTH.match(m)}
    waiting = conn.execute(
        f"SELECT DISTINCT substr(published, 1, 7) FROM {DEFAULT} WHERE published ~ {_MONTH_SQL}"
    ).fetchall()
    wanted |= {str(r[0]) for r in waiting if _MONTH.match(str(r[0]))}
    return [partition_name(m) for m in sorted(wanted) if _create(conn, m)]


def partition_stories(
    conn: PgConnection, columns: str, search: str, now: datetime | None = None
) -> None:
    """Schema version 2: turn ``stories`` into a table partitioned by month, rows kept.

    Every month that holds stories gets its partition, and the coming ones;
    the rows are copied (their ``tsvector`` computed again), ids and the id
    sequence kept.

    Args:
        conn: the connection, in the migration's transaction.
        columns: the columns after ``id``, as the schema defines them.
        search: the SQL expression of the generated ``search`` column (the schema's).
        now: the current time (UTC); ``None`` for the clock's.
    """
    from aggregator.timeutil import utcnow

    run = conn.execute
    run("ALTER TABLE stories RENAME TO stories_v1")
    for table, name in run(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint"
        " WHERE contype = 'f' AND confrelid = 'stories_v1'::regclass"
    ).fetchall():
        run(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    run("ALTER SEQUENCE stories_id_seq OWNED BY NONE")
    run(
        f"""
        CREATE TABLE stories (
            id BIGINT NOT NULL DEFAULT nextval('stories_id_seq'),
            {columns},
            search tsvector GENERATED ALWAYS AS ({search}) STORED
        ) PARTITION BY RANGE (published)
        """
    )
    run(f"CREATE TABLE {DEFAULT} PARTITION OF stories DEFAULT")
    months = [
        str(r[0])
        for r in run(
            "SELECT DISTINCT substr(published, 1, 7) FROM stories_v1"
            f" WHERE published ~ {_MONTH_SQL}"
        ).fetchall()
    ]
    ensure_partitions(conn, now or utcnow(), months)
    _insert_select(conn, "stories_v1")
    run("DROP TABLE stories_v1")
    run("ALTER SEQUENCE stories_id_seq OWNED BY stories.id")
    for sql in (
        "ALTER TABLE stories ADD PRIMARY KEY (id, published)",
        "CREATE INDEX stories_url_key ON stories (url_key)",
        "CREATE INDEX stories_fingerprint ON stories (fingerprint)",
        "CREATE INDEX stories_published ON stories (published, id)",
        "CREATE INDEX stories_search ON stories USING GIN (search)",
        "CREATE TABLE story_ids (id BIGINT PRIMARY KEY)",
        "INSERT INTO story_ids (id) SELECT id FROM stories",
        f"""
        CREATE FUNCTION aggregator_story_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('{_MOVING}', true) IS DISTINCT FROM 'on' THEN
                INSERT INTO story_ids (id) VALUES (NEW.id);
            END IF;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE FUNCTION aggregator_story_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('{_MOVING}', true) IS DISTINCT FROM 'on' THEN
                DELETE FROM story_ids WHERE id = OLD.id;
                IF NOT EXISTS (SELECT 1 FROM stories WHERE id = OLD.id) THEN
                    DELETE FROM sources WHERE story_id = OLD.id;
                    DELETE FROM story_links WHERE story_id = OLD.id;
                END IF;
            END IF;
            RETURN NULL;
        END $$
        """,
        "CREATE TRIGGER stories_added AFTER INSERT ON stories"
        " FOR EACH ROW EXECUTE FUNCTION aggregator_story_added()",
        "CREATE TRIGGER stories_removed AFTER DELETE ON stories"
        " FOR EACH ROW EXECUTE FUNCTION aggregator_story_removed()",
    ):
        run(sql)


def date_story_ids(conn: PgConnection) -> None:
    """Schema version 3: ``story_ids`` also holds each story's date, kept by the triggers.

    ``story_ids (id, published)`` then says which partition holds a story, so
    the stories of a list of ids (a feed's) are read from their partitions
    only, not looked up in every one.
    """
    run = conn.execute
    run("ALTER TABLE story_ids ADD COLUMN published TEXT")
    run("UPDATE story_ids i SET published = s.published FROM stories s WHERE s.id = i.id")
    run(
        f"""
        CREATE OR REPLACE FUNCTION aggregator_story_added() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('{_MOVING}', true) IS DISTINCT FROM 'on' THEN
                INSERT INTO story_ids (id, published) VALUES (NEW.id, NEW.published);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    # A date changed within the month (a move to another month fires the
    # delete and insert triggers instead, the insert recording the new date).
    run(
        """
        CREATE FUNCTION aggregator_story_redated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE story_ids SET published = NEW.published
            WHERE id = NEW.id AND published IS DISTINCT FROM NEW.published;
            RETURN NULL;
        END $$
        """
    )
    run(
        "CREATE TRIGGER stories_redated AFTER UPDATE OF published ON stories"
        " FOR EACH ROW EXECUTE FUNCTION aggregator_story_redated()"
    )
