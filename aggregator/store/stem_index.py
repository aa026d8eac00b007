"""``stories_stem``: the search index of stories in languages with a stemmer other than English.

What it holds and why is in :mod:`aggregator.search.stemming`: the title, body
and questions of each story whose ``lang`` is in
:data:`~aggregator.search.stemming.STEM_LANGUAGES`, as the Snowball stems of
their words in that language. It is a contentless FTS5 table (the stems are
not stored as text, only their index), created with the first story in such
a language, so an English archive pays nothing for it, and ``stories_fts``,
the index ``sqlite-utils`` and Datasette find, is unchanged.

Stems are computed in Python, which SQLite triggers cannot call from other
programs (``sqlite-utils``, Datasette, the ``sqlite3`` shell). So, as for
``stories_cjk`` (:mod:`aggregator.store.scripts_index`), triggers on
``stories`` only note which stories changed, with the text and language the
index holds for them, in ``stories_stem_pending``, and :func:`sync` brings the
index up to date from those notes at the end of every write transaction of
:class:`aggregator.store.archive.Archive`.

Deleting from a contentless index needs the tokens it was given, so
``stories_stem_meta`` keeps :func:`~aggregator.search.stemming.stemmer_check`
of the stemmers that built it; :func:`sync` rebuilds the whole index when the
stemmers in use give other stems (another version of the algorithms).
"""

from __future__ import annotations

import sqlite3

from aggregator.search.stemming import STEM_LANGUAGES, stem_text, stemmer_check

__all__ = ["LANGS_SQL", "TOKENIZE", "create", "exists", "rebuild", "sync"]

TOKENIZE = "unicode61 remove_diacritics 2 tokenchars '+#'"
"""The tokenizer of ``stories_stem``: that of ``stories_fts`` without Porter (words are stems)."""

LANGS_SQL = "(" + ", ".join(f"'{lang}'" for lang in sorted(STEM_LANGUAGES)) + ")"
"""The stemmed languages as an SQL list, for ``lang IN ...``."""

_COLS = "title, body, questions"
_CHECK = "stemmer_check"
_checked: set[str] = set()  # archives whose stems were found current in this process


def create(conn: sqlite3.Connection) -> None:
    """Create ``stories_stem_pending`` and the triggers that fill it, and index what is there.

    ``stories_stem`` itself and ``stories_stem_meta`` are created by
    :func:`sync` when the first story in a stemmed language comes: an
    archive without any has neither (their empty pages would cost an English
    archive of a few thousand stories tens of bytes per story). Nothing is
    done if ``stories_stem_pending`` exists already.

    Args:
        conn: the archive's connection, inside the migration's transaction.
    """
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'stories_stem_pending'").fetchone():
        return  # an archive marked older than what it holds: its index is kept
    # One row per change since the last sync: the story, and the language and
    # text the index holds for it (NULL when it holds nothing).
    conn.execute(
        "CREATE TABLE stories_stem_pending (seq INTEGER PRIMARY KEY, story_id INTEGER NOT NULL,"
        " lang TEXT, title TEXT, body TEXT, questions TEXT)"
    )
    conn.execute(
        f"CREATE TRIGGER stories_stem_ai AFTER INSERT ON stories WHEN new.lang IN {LANGS_SQL}"
        " BEGIN INSERT INTO stories_stem_pending (story_id) VALUES (new.id); END"
    )
    conn.execute(
        f"CREATE TRIGGER stories_stem_ad AFTER DELETE ON stories WHEN old.lang IN {LANGS_SQL}"
        f" BEGIN INSERT INTO stories_stem_pending (story_id, lang, {_COLS})"
        " VALUES (old.id, old.lang, old.title, old.body, old.questions); END"
    )
    held = f"old.lang IN {LANGS_SQL}"
    conn.execute(
        f"CREATE TRIGGER stories_stem_au AFTER UPDATE OF {_COLS}, lang ON stories"
        f" WHEN {held} OR new.lang IN {LANGS_SQL} BEGIN"
        f" INSERT INTO stories_stem_pending (story_id, lang, {_COLS}) SELECT new.id,"
        f" CASE WHEN {held} THEN old.lang END, CASE WHEN {held} THEN old.title END,"
        f" CASE WHEN {held} THEN old.body END, CASE WHEN {held} THEN old.questions END; END"
    )
    conn.execute(
        f"INSERT INTO stories_stem_pending (story_id) SELECT id FROM stories"
        f" WHERE lang IN {LANGS_SQL}"
    )
    sync(conn)


def exists(conn: sqlite3.Connection) -> bool:
    """Whether the archive has ``stories_stem`` (it holds a story in a stemmed language)."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'stories_stem'").fetchone()
    return found is not None


def _ensure(conn: sqlite3.Connection) -> None:
    """Create ``stories_stem`` and ``stories_stem_meta`` if they are not there yet."""
    if exists(conn):
        return
    quoted = "'" + TOKENIZE.replace("'", "''") + "'"
    conn.execute(
        f"CREATE VIRTUAL TABLE stories_stem USING fts5({_COLS}, tokenize={quoted}, content='')"
    )
    conn.execute(
        "CREATE TABLE stories_stem_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"
    )
    conn.execute(
        "INSERT INTO stories_stem_meta (name, value) VALUES (?, ?)", (_CHECK, stemmer_check())
    )


def _index(conn: sqlite3.Connection, story_id: int) -> None:
    """Index the story as it is now, if its language is stemmed."""
    row = conn.execute(
        f"SELECT lang, {_COLS} FROM stories WHERE id = ? AND lang IN {LANGS_SQL}", (story_id,)
    ).fetchone()
    if row is not None:
        lang = row[0]
        conn.execute(
            f"INSERT INTO stories_stem (rowid, {_COLS}) VALUES (?, ?, ?, ?)",
            (story_id, *(stem_text(v or "", lang) for v in row[1:])),
        )


def _current(conn: sqlite3.Connection) -> bool:
    """Whether the index was built by stemmers that give the stems of those in use."""
    name = conn.execute("PRAGMA database_list").fetchone()[2]
    if name and name in _checked:
        return True
    stored = conn.execute(
        "SELECT value FROM stories_stem_meta WHERE name = ?", (_CHECK,)
    ).fetchone()
    if stored is not None and stored[0] == stemmer_check():
        if name:
            _checked.add(name)
        return True
    return False


def rebuild(conn: sqlite3.Connection) -> int:
    """Index every stemmed story again from scratch (inside the caller's transaction).

    Returns:
        How many stories were indexed.
    """
    _ensure(conn)
    conn.execute("INSERT INTO stories_stem (stories_stem) VALUES ('delete-all')")
    conn.execute("DELETE FROM stories_stem_pending")
    ids = [r[0] for r in conn.execute(f"SELECT id FROM stories WHERE lang IN {LANGS_SQL}")]
    for story_id in ids:
        _index(conn, story_id)
    conn.execute(
        "INSERT OR REPLACE INTO stories_stem_meta (name, value) VALUES (?, ?)",
        (_CHECK, stemmer_check()),
    )
    return len(ids)


def sync(conn: sqlite3.Connection) -> int:
    """Bring ``stories_stem`` up to date with the changes noted since the last call.

    Runs inside the caller's write transaction. For each story noted, the
    first note holds what the index has for it (removed), and the story as it
    is now is indexed again if its language is stemmed. When the stemmers in
    use differ from those that built the index, it is rebuilt instead.

    Args:
        conn: a writable connection to an archive with ``stories_stem``.

    Returns:
        How many stories were brought up to date.
    """
    rows = conn.execute(
        f"SELECT story_id, lang, {_COLS} FROM stories_stem_pending ORDER BY seq"
    ).fetchall()
    if not rows:
        return 0
    _ensure(conn)
    if not _current(conn):
        return rebuild(conn)
    first: dict[int, tuple[str | None, str | None, str | None, str | None]] = {}
    for story_id, lang, title, body, questions in rows:
        first.setdefault(story_id, (lang, title, body, questions))
    for story_id, (lang, title, body, questions) in first.items():
        if lang in STEM_LANGUAGES:
            conn.execute(
                f"INSERT INTO stories_stem (stories_stem, rowid, {_COLS})"
                " VALUES ('delete', ?, ?, ?, ?)",
                (story_id, *(stem_text(v or "", lang) for v in (title, body, questions))),
            )
        _index(conn, story_id)
    conn.execute("DELETE FROM stories_stem_pending")
    return len(first)
