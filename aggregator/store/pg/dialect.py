"""SQLite statements on PostgreSQL: the translation, and the connection that applies it.

The domain modules of ``store/`` write SQLite's dialect on a
``sqlite3.Connection``. :class:`PgConnection` offers the part of that
interface they use (``execute``, ``executemany``, cursors with ``fetchone``,
``fetchall``, ``fetchmany``, iteration, ``rowcount``, ``lastrowid`` and
``description``; ``in_transaction``) over a psycopg connection, and
:func:`translate` rewrites each statement once (cached):

- ``?`` placeholders become ``%s`` (a literal ``%`` is doubled);
- ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO NOTHING``; ``INSERT OR REPLACE``
  an ``ON CONFLICT (key) DO UPDATE`` on the table's key (:data:`KEYS`);
  ``UPDATE OR IGNORE`` a plain ``UPDATE`` (its only use, giving a re-added
  feed back its sources, cannot conflict: the feed's id is new);
- an ``INSERT`` into a table with an ``id`` gets ``RETURNING id``, which is
  the cursor's ``lastrowid``;
- ``json_group_array``/``json_array`` become ``json_agg``/``json_build_array``
  (read back as JSON text, as SQLite returns it), ``instr`` becomes ``strpos``,
  ``rowid`` the table's ``id``, ``INDEXED BY`` hints are dropped,
  ``BEGIN IMMEDIATE`` is ``BEGIN``, ``WITHOUT ROWID`` is dropped, the old
  row's column in ``DO UPDATE SET n = n + 1`` is qualified with its table,
  a two-argument ``MAX`` is ``GREATEST`` and ``MIN`` is ``LEAST``,
  ``WHERE 1`` is ``WHERE TRUE``, an integer
  condition ``CASE WHEN ?`` is compared with 0, and a subquery in ``FROM``
  gets the alias PostgreSQL 15 requires;
- a ``HAVING`` naming a column alias (SQLite allows it) becomes the ``WHERE``
  of an outer query;
- a ``UNION ALL`` whose parts have different column types (SQLite's columns
  are untyped) runs part by part, which gives the same rows.

Parameters are bound on the client (psycopg's ``ClientCursor``): a ``None``
compared with ``IS NULL`` or a bare ``?`` needs no type, as in SQLite, and
``True``/``False`` are stored as the integers 1 and 0 that SQLite keeps.

Errors leave as :class:`~aggregator.errors.ArchiveError` with one line; a
unique violation as :class:`PgConflict`, so a caller can retry.

This is deliberately not a general SQL translator: it covers the statements
this package writes, and tests/store runs every one of them on both engines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aggregator.errors import ArchiveError

if TYPE_CHECKING:
    import psycopg

__all__ = ["KEYS", "PgConflict", "PgConnection", "PgCursor", "translate"]

KEYS = {
    "dedupe_meta": ("name",),
    "event_meta": ("name",),
    "event_days": ("day",),
    "aggregator_meta": ("name",),
}
"""The conflict key of each table written with ``INSERT OR REPLACE``."""

_WITH_ID = frozenset(("feeds", "stories", "sources", "events", "story_links"))

_LITERAL = re.compile(r"('(?:[^']|'')*')")
_INSERT_INTO = re.compile(
    r"^\s*INSERT\s+(?:OR\s+(IGNORE|REPLACE)\s+)?INTO\s+\[?(\w+)\]?\s*(\(([^)]*)\))?",
    re.IGNORECASE,
)
_SIMPLE = (
    (re.compile(r"\bUPDATE\s+OR\s+IGNORE\b", re.I), "UPDATE"),
    (re.compile(r"\bBEGIN\s+IMMEDIATE\b", re.I), "BEGIN"),
    (re.compile(r"\bINDEXED\s+BY\s+\w+", re.I), ""),
    (re.compile(r"\bjson_group_array\s*\(", re.I), "json_agg("),
    (re.compile(r"\bjson_array\s*\(", re.I), "json_build_array("),
    (re.compile(r"\binstr\s*\(", re.I), "strpos("),
    (re.compile(r"\bMAX\s*\(([^(),]+),([^(),]+)\)", re.I), r"GREATEST(\1,\2)"),
    (re.compile(r"\bMIN\s*\(([^(),]+),([^(),]+)\)", re.I), r"LEAST(\1,\2)"),
    (re.compile(r"\bWITHOUT\s+ROWID\b", re.I), ""),
    (re.compile(r"\browid\b", re.I), "id"),
    (re.compile(r"\bWHERE\s+1\b(?!\s*[=<>!])", re.I), "WHERE TRUE"),
    (re.compile(r"\bCASE\s+WHEN\s+\?\s+THEN\b", re.I), "CASE WHEN ? <> 0 THEN"),
)
# Applied before literals are set apart: the statement spans one.
_TABLES = (
    re.compile(r"\bsqlite_master\s+WHERE\s+type\s*=\s*'table'\s+AND\s+name\b", re.I),
    "pg_tables WHERE schemaname = current_schema() AND tablename",
)


class PgConflict(ArchiveError):
    """A unique constraint refused a row (another worker wrote the same key first)."""


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """Rewrite one SQLite statement of this package for PostgreSQL (see the module docs).

    Args:
        sql: the statement as written for SQLite, with ``?`` placeholders.

    Returns:
        The statement for psycopg, with ``%s`` placeholders.
    """
    head = _INSERT_INTO.match(sql)
    conflict = ""
    if head is not None:
        mode, table, columns = (head.group(1) or "").upper(), head.group(2), head.group(4)
        sql = f"INSERT INTO {table}{' (' + columns + ')' if columns else ''}" + sql[head.end() :]
        if mode == "IGNORE":
            conflict = " ON CONFLICT DO NOTHING"
        elif mode == "REPLACE":
            key = KEYS[table]
            names = [c.strip().strip("[]") for c in (columns or "").split(",") if c.strip()]
            sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in names if c not in key)
            conflict = f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
        sql = _qualify_update(sql, table)
        if table in _WITH_ID and "RETURNING" not in sql.upper():
            conflict += " RETURNING id"
    sql = _TABLES[0].sub(_TABLES[1], sql)
    pieces = _LITERAL.split(sql)
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i % 2:  # a string literal: only '%' means something to psycopg
            out.append(piece.replace("%", "%%"))
            continue
        piece = piece.replace("%", "%%")
        for pattern, replacement in _SIMPLE:
            piece = pattern.sub(replacement, piece)
        out.append(piece.replace("?", "%s"))
    text = _alias_subqueries("".join(out)).rstrip().rstrip(";")
    return _having_aliases(text) + conflict


_GROUPED = re.compile(
    r"^SELECT\s+(?P<select>.+?)\s+FROM\s+(?P<source>.+?)\s+GROUP\s+BY\s+(?P<group>.+?)"
    r"\s+HAVING\s+(?P<having>.+?)(?P<rest>\s+ORDER\s+BY\s+.*|\s+LIMIT\s+.*)?$",
    re.I | re.S,
)


def _top_level_split(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _having_aliases(sql: str) -> str:
    """A ``HAVING`` that names a column alias of its ``SELECT`` becomes an outer ``WHERE``.

    SQLite accepts ``SELECT SUM(...) AS w ... HAVING w >= ?``; PostgreSQL does
    not. The grouped query moves into a subquery (with ``COUNT(*)`` as a column
    when the condition uses it), so the parameters keep their order.
    """
    m = _GROUPED.match(sql)
    if m is None:
        return sql
    items = _top_level_split(m["select"])
    names, aliases = [], []
    for item in items:
        alias = re.search(r"\bAS\s+(\w+)\s*$", item, re.I)
        names.append(alias.group(1) if alias else item.strip().split(".")[-1])
        if alias:
            aliases.append(alias.group(1))
    having = m["having"]
    if not any(re.search(rf"(?<![.\w]){a}\b", having) for a in aliases):
        return sql
    if not all(re.fullmatch(r"\w+", n) for n in names):
        return sql  # an unnamed expression: left as it is
    select = m["select"]
    if re.search(r"COUNT\(\*\)", having, re.I):
        select += ", COUNT(*) AS _having_count"
        having = re.sub(r"COUNT\(\*\)", "_having_count", having, flags=re.I)
    rest = m["rest"] or ""
    return (
        f"SELECT {', '.join(names)} FROM (SELECT {select} FROM {m['source']}"
        f" GROUP BY {m['group']}) AS _having WHERE {having}{rest}"
    )


def _qualify_update(sql: str, table: str) -> str:
    """In ``DO UPDATE SET n = n + 1``, name the old row's column with its table.

    PostgreSQL reads a bare ``n`` on the right as ambiguous (the old row or
    ``excluded``); SQLite reads it as the old row's.
    """
    m = re.search(r"\bDO\s+UPDATE\s+SET\s+", sql, re.I)
    if m is None:
        return sql
    head, tail = sql[: m.end()], sql[m.end() :]
    parts = []
    for assignment in tail.split(","):  # assignments of this package hold no commas but MAX's
        name, eq, expr = assignment.partition("=")
        column = name.strip()
        if eq and re.fullmatch(r"\w+", column):
            expr = re.sub(rf"(?<![.\w]){column}\b", f"{table}.{column}", expr)
        parts.append(name + eq + expr)
    return head + ",".join(parts)


def _alias_subqueries(sql: str) -> str:
    """Give every subquery in ``FROM`` an alias (PostgreSQL before 16 requires one)."""
    out: list[str] = []
    i = 0
    count = 0
    pattern = re.compile(r"\bFROM\s*\(", re.I)
    while True:
        m = pattern.search(sql, i)
        if m is None:
            out.append(sql[i:])
            return "".join(out)
        depth = 0
        j = m.end() - 1
        quote = False
        while j < len(sql):
            ch = sql[j]
            if ch == "'":
                quote = not quote
            elif not quote and ch == "(":
                depth += 1
            elif not quote and ch == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        # Recurse into the subquery, then look at what follows it.
        inner = _alias_subqueries(sql[m.end() : j])
        out.append(sql[i : m.end()] + inner + ")")
        rest = sql[j + 1 :]
        follow = re.match(r"\s*(AS\b|[A-Za-z_]\w*)", rest)
        keyword = follow is not None and follow.group(1).upper() in _NOT_ALIAS
        if follow is None or keyword:
            count += 1
            out.append(f" AS _sub{count}")
        i = j + 1


_NOT_ALIAS = frozenset(
    ("WHERE", "GROUP", "ORDER", "LIMIT", "UNION", "JOIN", "LEFT", "INNER", "ON", "HAVING")
)


def _split_union_all(sql: str) -> list[str] | None:
    """The parts of a top-level ``UNION ALL``, or ``None`` when there is none."""
    parts: list[str] = []
    depth = 0
    start = 0
    upper = sql.upper()
    i = 0
    while i < len(sql):
        ch = sql[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(" UNION ALL ", i):
            parts.append(sql[start:i])
            i += len(" UNION ALL ")
            start = i
            continue
        i += 1
    if not parts:
        return None
    parts.append(sql[start:])
    return parts


def _param(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:400] or type(exc).__name__


class PgCursor:
    """The rows of one statement, read like a ``sqlite3.Cursor``."""

    def __init__(
        self,
        rows: list[tuple[Any, ...]],
        *,
        rowcount: int,
        lastrowid: int | None,
        description: Sequence[Any] | None,
    ) -> None:
        self._rows = rows
        self._pos = 0
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        self.description = description

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._pos >= len(self._rows):
            return None
        self._pos += 1
        return self._rows[self._pos - 1]

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        rows = self._rows[self._pos : self._pos + size]
        self._pos += len(rows)
        return rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._rows[self._pos :]
        self._pos = len(self._rows)
        return rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (row := self.fetchone()) is not None:
            yield row


class PgConnection:
    """A psycopg connection used through the ``sqlite3.Connection`` calls of ``store/``.

    Rows are read whole when a statement runs (the statements of ``store/``
    read pages, not tables; :mod:`~aggregator.store.pg.search` reads large
    results itself).
    """

    #: ``stories.published`` is text here (the key of the stories' partitions by
    #: month), Unix seconds on SQLite: see :func:`aggregator.store.base.date_param`.
    dates_as_text = True

    def __init__(self, conn: psycopg.Connection[Any], where: str) -> None:
        """Wrap an autocommit connection.

        Args:
            conn: the psycopg connection.
            where: the archive as named in error messages.
        """
        import psycopg
        from psycopg.types.string import TextLoader

        self.raw: psycopg.Connection[Any] | None = conn
        self.where = where
        self._psycopg = psycopg
        # JSON comes back as the text SQLite's json functions return.
        for name in ("json", "jsonb"):
            conn.adapters.register_loader(name, TextLoader)

    @property
    def live(self) -> psycopg.Connection[Any]:
        """The connection; an error once it was given back."""
        if self.raw is None:
            raise ArchiveError(f"archive {self.where} is closed")
        return self.raw

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (``BEGIN`` ran and no ``COMMIT`` or ``ROLLBACK`` yet)."""
        return self.raw is not None and self.raw.info.transaction_status != 0

    @contextmanager
    def raw_transaction(self) -> Iterator[None]:
        """A transaction (read-only on a reader's connection) for ``SET LOCAL`` settings."""
        self.execute("BEGIN")
        try:
            yield
        finally:
            self.execute("ROLLBACK" if self.in_transaction else "SELECT 1")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        """Run one statement (translated) with ``?`` parameters.

        Raises:
            PgConflict: a unique constraint refused a row.
            ArchiveError: any other error, in one line.
        """
        translated = translate(sql)
        values = [_param(v) for v in params]
        parts = _split_union_all(translated) if " UNION ALL " in translated else None
        if parts is not None:
            return self._run_parts(parts, values)
        return self._run(translated, values)

    def executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> PgCursor:
        """Run one statement once per parameter row."""
        rows = [[_param(v) for v in params] for params in seq]
        if not rows:
            return PgCursor([], rowcount=0, lastrowid=None, description=None)
        translated = translate(sql)
        if translated.endswith(" RETURNING id"):
            translated = translated[: -len(" RETURNING id")]
        cur = self._psycopg.ClientCursor(self.live)
        try:
            cur.executemany(translated, rows)
        except self._psycopg.Error as exc:
            raise self._error(exc) from None
        return PgCursor([], rowcount=cur.rowcount, lastrowid=None, description=None)

    def execute_together(
        self, statements: Sequence[tuple[str, Sequence[Any]]], *, settings: Sequence[str] = ()
    ) -> list[list[tuple[Any, ...]]]:
        """Run independent statements (translated) in one round trip (pipeline mode).

        Args:
            statements: ``(sql, parameters)`` pairs, one statement each.
            settings: ``SET LOCAL`` commands for them: they then run in one
                transaction (the connection must be in autocommit).

        Returns:
            The rows of each statement, in order.

        Raises:
            ArchiveError: a statement failed, in one line.
        """
        conn = self.live
        cursors = []
        try:
            with conn.pipeline():
                if settings:
                    conn.execute("BEGIN")
                    for setting in settings:
                        conn.execute(setting)
                for sql, params in statements:
                    cur = self._psycopg.ClientCursor(conn)
                    cur.execute(translate(sql), [_param(v) for v in params] or None)
                    cursors.append(cur)
                if settings:
                    conn.execute("COMMIT")
            return [[tuple(r) for r in cur.fetchall()] for cur in cursors]
        except self._psycopg.Error as exc:
            if settings and not conn.closed:
                conn.rollback()
            raise self._error(exc) from None
        finally:
            for cur in cursors:
                cur.close()

    def _run_parts(self, parts: list[str], values: list[Any]) -> PgCursor:
        """The parts of a ``UNION ALL``, sent together (one round trip, pipeline mode)."""
        conn = self.live
        cursors = []
        try:
            with conn.pipeline():
                for part in parts:
                    count = part.count("%s")
                    cur = self._psycopg.ClientCursor(conn)
                    cur.execute(part, values[:count] or None)
                    cursors.append(cur)
                    values = values[count:]
            rows = [tuple(r) for cur in cursors for r in cur.fetchall()]
        except self._psycopg.Error as exc:
            raise self._error(exc) from None
        finally:
            for cur in cursors:
                cur.close()
        return PgCursor(rows, rowcount=-1, lastrowid=None, description=None)

    def _run(self, sql: str, values: Sequence[Any]) -> PgCursor:
        cur = self._psycopg.ClientCursor(self.live)
        try:
            cur.execute(sql, values or None)
            while cur.description is None and cur.nextset():  # "SET LOCAL ...; SELECT ..."
                pass
            description = cur.description
            rows = [tuple(r) for r in cur.fetchall()] if description is not None else []
            rowcount = cur.rowcount
        except self._psycopg.Error as exc:
            raise self._error(exc) from None
        finally:
            cur.close()
        lastrowid = None
        if sql.endswith(" RETURNING id"):
            lastrowid = int(rows[0][0]) if rows else None
            rows = []
        return PgCursor(rows, rowcount=rowcount, lastrowid=lastrowid, description=description)

    def _error(self, exc: BaseException) -> ArchiveError:
        if isinstance(exc, self._psycopg.errors.UniqueViolation):
            return PgConflict(f"archive {self.where}: {_one_line(exc)}")
        if isinstance(exc, self._psycopg.errors.ReadOnlySqlTransaction):
            return ArchiveError(f"archive {self.where} is open read-only; nothing was written")
        if isinstance(exc, self._psycopg.errors.DiskFull):
            return ArchiveError(f"archive {self.where}: disk full; nothing was written")
        if isinstance(exc, self._psycopg.OperationalError):
            return ArchiveError(f"archive {self.where}: connection lost: {_one_line(exc)}")
        return ArchiveError(f"archive {self.where}: {_one_line(exc)}")

    def close(self) -> None:
        """Close the underlying connection (a pooled one is given back by its owner instead)."""
        self.live.close()
