"""``search_terms``: the common words of the search index, so a prefix is read lazily.

A prefix query (``app*``) makes SQLite's FTS5 merge the postings of every word
it matches before it returns its first row, whatever rowid range is asked
for: ``app*`` at a million stories reads the whole posting lists of "app",
"apple", "application"..., hundreds of thousands of entries, for a page of 20.
The same words written out (``"app" OR "appl" OR ...``) are read lazily,
newest first, only as far as the page needs. Writing them out needs the list
of words that start with the prefix: FTS5's own dictionary (``fts5vocab``)
lists them, but counts the postings of each as it goes, which costs as much
as the prefix itself for the common ones.

So this table keeps the index's **common** words (in at least
:data:`COMMON_SHARE` of stories) with an estimate of how many stories have
each. A search (:func:`aggregator.store._prefixes.expand_prefixes`) writes a
prefix out as the common words it starts with, plus the other words that
``fts5vocab`` lists *between* them (rare words, whose postings cost little to
count). The table therefore only decides what is cheap; it never decides what
matches: a word missing from it (new since the last refresh) is listed by
``fts5vocab`` like any rare word, and a word in it that no story has any more
matches nothing.

The estimate comes from the newest :data:`SAMPLE_STORIES` stories, indexed
again in a temporary FTS5 table with the same tokenizer (so the words are
exactly the index's, stems included): about a second at any archive size.
:meth:`aggregator.store.archive.Archive.maintain` refreshes it (daily in the
daemon, and ``aggregator maintain``); migration 8 fills it for an existing
archive. An archive without it searches as before, only slower on prefixes;
so it is not kept while it has no word (a new archive until its first
``maintain``).
"""

from __future__ import annotations

import math
import sqlite3

from aggregator.search.query import FTS_TOKENIZE

__all__ = [
    "COMMON_SHARE",
    "SAMPLE_STORIES",
    "TABLE",
    "common_terms",
    "create",
    "drop_if_empty",
    "refresh",
    "replace",
]

TABLE = "search_terms"
SAMPLE_STORIES = 10_000
"""How many of the newest stories the estimate reads."""

COMMON_SHARE = 1 / 200
"""A word in at least this share of the sampled stories is common."""

_SAMPLE = "temp.search_terms_sample"
_VOCAB = "temp.search_terms_vocab"


def create(conn: sqlite3.Connection) -> None:
    """Create the (empty) table, inside the caller's transaction."""
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (term TEXT PRIMARY KEY, docs INTEGER NOT NULL)"
        " WITHOUT ROWID"
    )


def refresh(conn: sqlite3.Connection, *, sample: int = SAMPLE_STORIES) -> int:
    """Recount the common words from the newest ``sample`` stories, inside the caller's transaction.

    Args:
        conn: a writable connection to an archive that has the table.
        sample: how many of the newest stories are read.

    Returns:
        How many common words the table now holds.
    """
    return replace(conn, common_terms(conn, sample=sample))


def common_terms(
    conn: sqlite3.Connection, *, sample: int = SAMPLE_STORIES
) -> list[tuple[str, int]]:
    """The common words of the newest ``sample`` stories, with their estimated story counts.

    Writes only temporary tables: it needs no write lock on the archive.
    """
    conn.execute(f"DROP TABLE IF EXISTS {_VOCAB}")
    conn.execute(f"DROP TABLE IF EXISTS {_SAMPLE}")
    quoted = FTS_TOKENIZE.replace("'", "''")
    conn.execute(
        f"CREATE VIRTUAL TABLE {_SAMPLE} USING fts5(title, body, questions,"
        f" tokenize='{quoted}', detail=none)"
    )
    try:
        conn.execute(
            f"INSERT INTO {_SAMPLE} (rowid, title, body, questions)"
            " SELECT id, title, body, questions FROM stories ORDER BY id DESC LIMIT ?",
            (sample,),
        )
        read = int(conn.execute(f"SELECT count(*) FROM {_SAMPLE}").fetchone()[0])
        total = int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
        conn.execute(
            f"CREATE VIRTUAL TABLE {_VOCAB} USING fts5vocab(temp, search_terms_sample, row)"
        )
        least = max(2, math.ceil(read * COMMON_SHARE))
        rows = conn.execute(f"SELECT term, doc FROM {_VOCAB} WHERE doc >= ?", (least,)).fetchall()
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {_VOCAB}")
        conn.execute(f"DROP TABLE IF EXISTS {_SAMPLE}")
    return [(str(term), round(docs * total / read)) for term, docs in rows]


def replace(conn: sqlite3.Connection, terms: list[tuple[str, int]]) -> int:
    """Make ``terms`` the table's content, inside the caller's transaction; returns their number.

    The table is created with the first terms (:func:`drop_if_empty`).
    """
    if terms:
        create(conn)
    elif not _exists(conn):
        return 0
    conn.execute(f"DELETE FROM {TABLE}")
    conn.executemany(f"INSERT INTO {TABLE} (term, docs) VALUES (?, ?)", terms)
    return len(terms)


def drop_if_empty(conn: sqlite3.Connection) -> bool:
    """Drop the table when it holds no word (inside the caller's transaction); whether it did.

    A search treats a missing table as one without common words, and an
    empty one costs the archive a page (16 KiB: about 3 bytes a story at
    5,000 stories); :func:`replace` creates it again with the first terms.
    """
    if not _exists(conn) or conn.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchone():
        return False
    conn.execute(f"DROP TABLE {TABLE}")
    return True


def _exists(conn: sqlite3.Connection) -> bool:
    """Whether the archive has the table (it is dropped while it holds no word)."""
    return (
        conn.execute(f"SELECT 1 FROM sqlite_master WHERE name = '{TABLE}'").fetchone() is not None
    )
