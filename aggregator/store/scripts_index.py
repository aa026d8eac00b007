"""``stories_cjk``: the second search index, for stories in scripts written without spaces.

What it holds and why is in :mod:`aggregator.search.scripts`: the title, body
and questions of each story with Chinese, Japanese, Korean, Thai (...) text,
with every such run turned into overlapping pairs of characters. It is a
contentless FTS5 table (the pairs are not stored a second time, only their
index), created by :func:`sync` with the first story that has such text: an
archive without any has no ``stories_cjk`` (the four empty pages of an FTS5
table would cost an archive of a few thousand stories about 25 bytes a
story), and a search that needs it finds nothing there to add.

The pairs are computed in Python, and SQLite triggers cannot call Python
functions that other programs (``sqlite-utils``, Datasette, the ``sqlite3``
shell) do not have. So the triggers on ``stories`` only note which stories
changed, with the text that was indexed before, in ``stories_cjk_pending``
(plain SQL, which any writer can run), and :func:`sync` brings the index up
to date from those notes. :class:`aggregator.store.archive.Archive` calls it
at the end of every write transaction, so the index is current whenever the
archive's own writes are; a story written by another program is indexed by
the archive's next write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from aggregator.search.query import FTS_TOKENIZE
from aggregator.search.scripts import GLOB_PATTERN, index_text

__all__ = ["create", "create_triggers", "drop_if_empty", "exists", "sync"]

_COLS = "title, body, questions"

# A necessary condition for GLOB_PATTERN that SQLite tests much faster: a character
# at or above U+0E00 outside U+2000-U+2E7F (where Latin text's quotes, dashes and
# symbols are). GLOB costs per character of the text and per range of its class, so
# the fifteen ranges of GLOB_PATTERN cost about 0.3 ms on a 1,500-character body
# (as much as the full-text index itself); two ranges cost a fifth of that, and a
# text of ASCII only (its length in characters equals its length in bytes) is
# told apart by lengths alone.
_WIDE_PATTERN = "*[\u0e00-\u1fff\u2e80-\U0010ffff]*"


def create(conn: sqlite3.Connection, tokenize: str) -> None:
    """Create ``stories_cjk``, ``stories_cjk_pending`` and their triggers, and index what is there.

    What the schema's version 4 did; version 9 drops ``stories_cjk`` again
    while it is empty (:func:`drop_if_empty`), and :func:`sync` creates it
    with the first story that needs it. Nothing is done if ``stories_cjk``
    exists already.

    Args:
        conn: the archive's connection, inside the migration's transaction.
        tokenize: the ``tokenize`` option (that of ``stories_fts``).
    """
    if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name IN ('stories_cjk', 'stories_cjk_pending')"
    ).fetchone():
        return  # an archive marked older than what it holds: its index is kept
    glob = "'" + GLOB_PATTERN + "'"
    _ensure(conn, tokenize)
    # One row per change since the last sync: the story, and the text the index
    # holds for it (NULL when it holds nothing).
    conn.execute(
        "CREATE TABLE stories_cjk_pending (seq INTEGER PRIMARY KEY, story_id INTEGER NOT NULL,"
        " title TEXT, body TEXT, questions TEXT)"
    )

    def has(row: str) -> str:
        return f"({row}.title GLOB {glob} OR {row}.body GLOB {glob})"

    _create_triggers(conn, has)
    conn.execute(
        f"INSERT INTO stories_cjk_pending (story_id) SELECT id FROM stories WHERE {has('stories')}"
    )
    sync(conn)


def _create_triggers(conn: sqlite3.Connection, has: Callable[[str], str]) -> None:
    """The three triggers that note stories in ``stories_cjk_pending``.

    ``has(row)`` is the SQL condition that the row (``new``, ``old``) may hold
    text of a script without spaces; an update notes the story when either
    version does, with the old text kept so that its pairs can be removed.
    """
    conn.execute(
        f"CREATE TRIGGER stories_cjk_ai AFTER INSERT ON stories WHEN {has('new')} BEGIN"
        " INSERT INTO stories_cjk_pending (story_id) VALUES (new.id); END"
    )
    conn.execute(
        f"CREATE TRIGGER stories_cjk_ad AFTER DELETE ON stories WHEN {has('old')} BEGIN"
        f" INSERT INTO stories_cjk_pending (story_id, {_COLS})"
        " VALUES (old.id, old.title, old.body, old.questions); END"
    )
    conn.execute(
        f"CREATE TRIGGER stories_cjk_au AFTER UPDATE OF {_COLS} ON stories"
        f" WHEN {has('old')} OR {has('new')} BEGIN"
        f" INSERT INTO stories_cjk_pending (story_id, {_COLS}) SELECT new.id,"
        f" CASE WHEN {has('old')} THEN old.title END, CASE WHEN {has('old')} THEN old.body END,"
        f" CASE WHEN {has('old')} THEN old.questions END; END"
    )


def create_triggers(conn: sqlite3.Connection) -> None:
    """Replace the triggers of :func:`create` with ones that test cheap conditions first.

    They note the same stories (each added test is implied by ``GLOB_PATTERN``);
    only text that may hold such a script pays for the full pattern.

    Args:
        conn: the archive's connection, inside a migration's transaction.
    """
    glob = "'" + GLOB_PATTERN + "'"
    wide = "'" + _WIDE_PATTERN + "'"

    def has(row: str) -> str:
        return " OR ".join(
            f"(length({row}.{col}) != length(CAST({row}.{col} AS BLOB))"
            f" AND {row}.{col} GLOB {wide} AND {row}.{col} GLOB {glob})"
            for col in ("title", "body")
        ).join("()")

    for name in ("stories_cjk_ai", "stories_cjk_ad", "stories_cjk_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    _create_triggers(conn, has)


def exists(conn: sqlite3.Connection) -> bool:
    """Whether the archive has ``stories_cjk`` (it has held a story with such text)."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'stories_cjk'").fetchone()
    return found is not None


def _ensure(conn: sqlite3.Connection, tokenize: str = FTS_TOKENIZE) -> None:
    """Create ``stories_cjk`` if it is not there yet.

    Its ``tokenize`` option is that of ``stories_fts``, so words outside the
    scripts are indexed the same way.
    """
    if exists(conn):
        return
    quoted = "'" + tokenize.replace("'", "''") + "'"
    conn.execute(
        f"CREATE VIRTUAL TABLE stories_cjk USING fts5({_COLS}, tokenize={quoted}, content='')"
    )


def drop_if_empty(conn: sqlite3.Connection) -> bool:
    """Drop ``stories_cjk`` when it indexes nothing and nothing waits to be indexed.

    For archives that created it empty, before it was created with the first
    story that needs it. Runs inside the caller's (a migration's) transaction.

    Returns:
        Whether it was dropped.
    """
    if not exists(conn):
        return False
    if conn.execute("SELECT 1 FROM stories_cjk_docsize LIMIT 1").fetchone():
        return False
    if conn.execute("SELECT 1 FROM stories_cjk_pending LIMIT 1").fetchone():
        return False
    conn.execute("DROP TABLE stories_cjk")
    return True


def sync(conn: sqlite3.Connection) -> int:
    """Bring ``stories_cjk`` up to date with the changes noted since the last call.

    Runs inside the caller's write transaction. For each story noted, the
    first note holds what the index has for it (removed), and the story as it
    is now is indexed again if it still has such text. ``stories_cjk`` is
    created with the first note.

    Args:
        conn: a writable connection to an archive with ``stories_cjk_pending``.

    Returns:
        How many stories were brought up to date.
    """
    rows = conn.execute(
        f"SELECT story_id, {_COLS} FROM stories_cjk_pending ORDER BY seq"
    ).fetchall()
    if not rows:
        return 0
    _ensure(conn)
    first: dict[int, tuple[str | None, str | None, str | None]] = {}
    for story_id, title, body, questions in rows:
        first.setdefault(story_id, (title, body, questions))
    for story_id, (title, body, questions) in first.items():
        if title is not None:
            conn.execute(
                f"INSERT INTO stories_cjk (stories_cjk, rowid, {_COLS})"
                " VALUES ('delete', ?, ?, ?, ?)",
                (story_id, index_text(title), index_text(body or ""), index_text(questions or "")),
            )
        now = conn.execute(
            f"SELECT {_COLS} FROM stories WHERE id = ? AND (title GLOB ? OR body GLOB ?)",
            (story_id, GLOB_PATTERN, GLOB_PATTERN),
        ).fetchone()
        if now is not None:
            conn.execute(
                f"INSERT INTO stories_cjk (rowid, {_COLS}) VALUES (?, ?, ?, ?)",
                (story_id, *(index_text(v or "") for v in now)),
            )
    conn.execute("DELETE FROM stories_cjk_pending")
    return len(first)
