"""Copying an archive to another engine: SQLite to PostgreSQL (moving up) and back.

:func:`copy_archive` copies, table by table in foreign-key order, the feeds
with their fetch state, the stories, their sources, their links and the
near-duplicate index (band keys and the settings they were built with). Ids
are kept, so everything that refers to a story still does. Rows go in
batches, each one transaction in the target, in id order; a copy that is
stopped (Ctrl-C, a lost connection) resumes where it stopped when run again,
because each table restarts after the highest id the target already has
(tables without ids are copied again, and rows already there are kept). At
the end the row counts of both archives are compared.

Only columns both engines have are copied: PostgreSQL's own (the search
vector, which it computes; the workers' claims) are left out. The event
tables are not copied: ``aggregator events --rebuild`` recomputes them. The
source is read as it is (read-only, not migrated): a source of an older
schema gets what the target's schema added to ``sources`` on the way
(``guid_key`` computed from the guid, ``seen_at`` in seconds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aggregator.dedupe.urls import guid_key
from aggregator.errors import ArchiveError
from aggregator.store.archive import Archive
from aggregator.store.compact import stored_generator
from aggregator.timeutil import seconds_of_db, text_of_db

__all__ = ["TABLES", "CopyReport", "copy_archive"]

TABLES = ("feeds", "stories", "sources", "story_links", "story_bands", "dedupe_meta")
"""What is copied, in this order (each table's references come before it)."""

_WITH_ID = ("feeds", "stories", "sources")
_KEYS = {
    "story_links": "story_id, kind, url",
    "story_bands": "key, story_id",
    "dedupe_meta": "name",
}

Progress = Callable[[str, int, int], None]
"""Called as ``progress(table, rows copied so far, rows in all)``."""


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What a copy did.

    Attributes:
        copied: rows written to the target in this run, per table.
        counts: rows per table in the source (and, verified, in the target).
    """

    copied: dict[str, int]
    counts: dict[str, int]


def _is_pg(archive: Archive) -> bool:
    return type(archive.conn).__name__ == "PgConnection"


def _columns(archive: Archive, table: str) -> list[str]:
    if _is_pg(archive):
        rows = archive.conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?"
            " AND is_generated = 'NEVER' ORDER BY ordinal_position",
            (table,),
        ).fetchall()
    else:
        rows = [(r[1],) for r in archive.conn.execute(f"PRAGMA table_info({table})").fetchall()]
    return [str(r[0]) for r in rows]


def _count(archive: Archive, table: str) -> int:
    return int(archive.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def copy_archive(
    source: Archive,
    target: Archive,
    *,
    batch: int = 2000,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy ``source`` into ``target`` (empty, or a copy of it stopped part-way).

    Args:
        source: the archive to copy (opened read-only is enough).
        target: the archive to fill (opened for writing: created and migrated).
        batch: rows per transaction.
        progress: told after every batch.

    Returns:
        What was copied, and the verified counts.

    Raises:
        ArchiveError: the target holds other stories than the source, a write
            failed (what was committed stays: run again to resume), or the
            counts differ at the end.
    """
    copied: dict[str, int] = {}
    counts: dict[str, int] = {}
    for table in TABLES:
        columns = [c for c in _columns(source, table) if c in set(_columns(target, table))]
        written, fix = _converter(
            table, columns, _columns(target, table), text_dates=_is_pg(target)
        )
        total = _count(source, table)
        counts[table] = total
        copied[table] = _copy_table(
            source, target, table, columns, total, batch, progress, written, fix
        )
    if _is_pg(target):
        for table in _WITH_ID:
            target.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" GREATEST((SELECT max(id) FROM {table}), 1))"
            )
    for table in TABLES:
        have = _count(target, table)
        if have != counts[table]:
            raise ArchiveError(
                f"copy incomplete: {table} has {counts[table]} rows in the source,"
                f" {have} in the target"
            )
    return CopyReport(copied=copied, counts=counts)


Fix = Callable[[Any], tuple[Any, ...]]
"""Turns a row read from the source into the row written to the target."""


def _converter(
    table: str, columns: list[str], target_columns: list[str], *, text_dates: bool
) -> tuple[list[str], Fix | None]:
    """The columns written for the ``columns`` read, and the fix of each row (``None``: as read).

    For ``stories``: ``published`` as the target keeps it (``text_dates``:
    text on PostgreSQL, where it is the partition key; else seconds), and the
    offline generator's name as NULL (:mod:`aggregator.store.compact`). For
    ``sources``: ``seen_at`` in seconds, and ``guid_key`` computed when the
    source (an older schema) has none.
    """
    if table == "stories" and "published" in columns and "generator" in columns:
        at, gen = columns.index("published"), columns.index("generator")
        as_target = text_of_db if text_dates else seconds_of_db

        def fix_story(row: Any) -> tuple[Any, ...]:
            fixed = list(row)
            fixed[at] = as_target(row[at])
            if row[gen] is not None:  # an older source keeps the generator's name
                fixed[gen] = stored_generator(row[gen])
            return tuple(fixed)

        return columns, fix_story
    if table != "sources" or "seen_at" not in columns:
        return columns, None
    seen = columns.index("seen_at")
    if "guid_key" in columns or "guid_key" not in target_columns:

        def fix(row: Any) -> tuple[Any, ...]:
            return (*row[:seen], seconds_of_db(row[seen]), *row[seen + 1 :])

        return columns, fix
    guid = columns.index("guid")

    def fix_and_key(row: Any) -> tuple[Any, ...]:
        return (*row[:seen], seconds_of_db(row[seen]), *row[seen + 1 :], guid_key(row[guid]))

    return [*columns, "guid_key"], fix_and_key


def _copy_table(
    source: Archive,
    target: Archive,
    table: str,
    columns: list[str],
    total: int,
    batch: int,
    progress: Progress | None,
    written_columns: list[str],
    fix: Fix | None,
) -> int:
    fixed: Fix = fix if fix is not None else tuple
    names = ", ".join(columns)
    marks = ", ".join("?" * len(written_columns))
    insert = f"INSERT OR IGNORE INTO {table} ({', '.join(written_columns)}) VALUES ({marks})"
    written = 0
    if table in _WITH_ID:
        last = int(target.conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0)
        done = int(
            source.conn.execute(f"SELECT count(*) FROM {table} WHERE id <= ?", (last,)).fetchone()[
                0
            ]
        )
        mine = source.conn.execute(f"SELECT {names} FROM {table} WHERE id = ?", (last,)).fetchone()
        theirs = target.conn.execute(
            f"SELECT {', '.join(written_columns)} FROM {table} WHERE id = ?", (last,)
        ).fetchone()
        same = last == 0 or (
            mine is not None and theirs is not None and fixed(mine) == tuple(theirs)
        )
        if done != _count(target, table) or not same:
            raise ArchiveError(
                f"the target's {table} are not a copy of this archive's; copy into an empty one"
            )
        while True:
            rows = source.conn.execute(
                f"SELECT {names} FROM {table} WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return written
            _write(target, insert, [fixed(r) for r in rows])
            written += len(rows)
            done += len(rows)
            last = int(rows[-1][columns.index("id")])
            if progress is not None:
                progress(table, done, total)
    # No id: keyset paging over the table's key; rows already there are kept.
    key = _KEYS[table]
    cursor: tuple[Any, ...] | None = None
    key_columns = [k.strip() for k in key.split(",")]
    select = f"SELECT {names} FROM {table}"
    done = 0
    while True:
        if cursor is None:
            rows = source.conn.execute(f"{select} ORDER BY {key} LIMIT ?", (batch,)).fetchall()
        else:
            rows = source.conn.execute(
                f"{select} WHERE ({key}) > ({', '.join('?' * len(cursor))}) ORDER BY {key} LIMIT ?",
                (*cursor, batch),
            ).fetchall()
        if not rows:
            return written
        _write(target, insert, rows)
        written += len(rows)
        done += len(rows)
        cursor = tuple(rows[-1][columns.index(k)] for k in key_columns)
        if progress is not None:
            progress(table, done, total)


_ROWS_PER_STATEMENT = 200  # multi-row VALUES: one round trip for many rows


def _write(target: Archive, insert: str, rows: list[Any]) -> None:
    head, _, one = insert.rpartition(" VALUES ")
    with target.transaction() as conn:
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            values = ", ".join([one] * len(chunk))
            conn.execute(f"{head} VALUES {values}", [v for r in chunk for v in r])
