"""The archive's schema: one function per migration, applied in order by
:class:`aggregator.store.archive.Archive` inside one transaction (``PRAGMA user_version``
records the version reached). No other I/O; a migration never changes once released.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aggregator.dedupe.urls import guid_key
from aggregator.search.query import FTS_TOKENIZE
from aggregator.store import scripts_index, search_terms, stem_index
from aggregator.store.compact import OFFLINE
from aggregator.timeutil import seconds_of_db

if TYPE_CHECKING:
    # Only migrations use sqlite-utils (its import costs more than the rest of a
    # poll's start): the archive imports it when it has a migration to run.
    import sqlite_utils

__all__ = ["MIGRATIONS"]


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            config_url TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'config',
            category TEXT NOT NULL DEFAULT 'general',
            config_title TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            site_url TEXT NOT NULL DEFAULT '',
            interval INTEGER,
            adaptive_interval INTEGER,
            ttl INTEGER,
            full_text INTEGER NOT NULL DEFAULT 0,
            enabled INTEGER NOT NULL DEFAULT 1,
            disabled_reason TEXT NOT NULL DEFAULT '',
            etag TEXT NOT NULL DEFAULT '',
            last_modified TEXT NOT NULL DEFAULT '',
            last_fetched TEXT,
            last_success TEXT,
            last_status TEXT NOT NULL DEFAULT '',
            last_error TEXT NOT NULL DEFAULT '',
            error_count INTEGER NOT NULL DEFAULT 0,
            next_fetch TEXT,
            next_reason TEXT NOT NULL DEFAULT '',
            added_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            category TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            questions TEXT NOT NULL DEFAULT '',
            actions TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL,
            url TEXT NOT NULL DEFAULT '',
            url_key INTEGER,  -- dedupe.url_key(canonical URL): the index is 8 bytes a story
            fingerprint INTEGER,
            author TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '',
            generator TEXT NOT NULL DEFAULT '',
            updated_at TEXT  -- NULL until the story changes; first seen = its earliest source
        )
        """
    )
    db.execute(
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
            feed_url TEXT NOT NULL DEFAULT '',  -- set when the feed is removed
            url TEXT,  -- NULL: the same as the story's url (its first sighting)
            guid TEXT NOT NULL DEFAULT '',
            fingerprint INTEGER,
            seen_at TEXT NOT NULL,
            UNIQUE (feed_id, guid)
        )
        """
    )
    for sql in (
        "CREATE INDEX stories_url_key ON stories (url_key)",
        "CREATE INDEX stories_fingerprint ON stories (fingerprint)",
        "CREATE INDEX stories_published ON stories (published)",
        "CREATE INDEX sources_story ON sources (story_id)",
        "CREATE INDEX feeds_next_fetch ON feeds (next_fetch)",
    ):
        db.execute(sql)
    _create_fts(db)


def _create_fts(db: sqlite_utils.Database) -> None:
    """Create the FTS5 index in sqlite-utils' layout, inside the caller's transaction.

    ``Table.enable_fts`` would do the same but runs ``executescript``, which
    commits the migration's transaction half-way; so the statements are the
    ones it writes (``sqlite-utils search`` and Datasette detect the index),
    except that the update trigger fires only when indexed text changes.
    """
    cols = "[title], [body], [questions]"
    old = "old.[title], old.[body], old.[questions]"
    new = "new.[title], new.[body], new.[questions]"
    db.execute(
        f"CREATE VIRTUAL TABLE [stories_fts] USING FTS5 ({cols},"
        f" tokenize={db.quote(FTS_TOKENIZE)}, content=[stories])"
    )
    db.execute(
        "CREATE TRIGGER [stories_ai] AFTER INSERT ON [stories] BEGIN"
        f" INSERT INTO [stories_fts] (rowid, {cols}) VALUES (new.rowid, {new}); END"
    )
    db.execute(
        "CREATE TRIGGER [stories_ad] AFTER DELETE ON [stories] BEGIN"
        f" INSERT INTO [stories_fts] ([stories_fts], rowid, {cols})"
        f" VALUES('delete', old.rowid, {old}); END"
    )
    db.execute(
        f"CREATE TRIGGER [stories_au] AFTER UPDATE OF {cols} ON [stories] BEGIN"
        f" INSERT INTO [stories_fts] ([stories_fts], rowid, {cols})"
        f" VALUES('delete', old.rowid, {old});"
        f" INSERT INTO [stories_fts] (rowid, {cols}) VALUES (new.rowid, {new}); END"
    )


def _migration_2(db: sqlite_utils.Database) -> None:
    """The near-duplicate index: band keys per story, and the settings behind them.

    See :mod:`aggregator.store.bands` and docs/design.md, Near duplicates.
    """
    db.execute(
        "CREATE TABLE story_bands (key INTEGER NOT NULL, story_id INTEGER NOT NULL,"
        " PRIMARY KEY (key, story_id)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE dedupe_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    """Feeds that leave the config are retired, never deleted: ``retired_at`` is when
    (``NULL`` for a live feed). A retired feed keeps its id, fetch state, title and
    sources, is not polled, and comes back whole when the config lists it again."""
    if "retired_at" not in db["feeds"].columns_dict:  # an archive marked older than it is
        db.execute("ALTER TABLE feeds ADD COLUMN retired_at TEXT")


def _migration_4(db: sqlite_utils.Database) -> None:
    """Each story's language, and the index of text in scripts written without spaces.

    ``stories.lang`` is the ISO 639-1 code found when the story was archived
    (``""``: unknown, as for every story archived before this version).
    ``stories_cjk`` is described in :mod:`aggregator.store.scripts_index`; it
    is filled here from the stories with such text (none in most archives).
    """
    # Either may be there already in an archive marked older than what it holds.
    if "lang" not in db["stories"].columns_dict:
        db.execute("ALTER TABLE stories ADD COLUMN lang TEXT NOT NULL DEFAULT ''")
    scripts_index.create(db.conn, FTS_TOKENIZE)


def _migration_5(db: sqlite_utils.Database) -> None:
    """Enclosures and comments links of stories (rows only for stories that have them),
    and per feed how many entries the ``[[filters]]`` rules dropped at its last poll.

    Safe to run again over its own result (an archive whose version was set back).
    """
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS story_links (
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,  -- 'enclosure' or 'comments'
            url TEXT NOT NULL,
            type TEXT NOT NULL DEFAULT '',  -- MIME type of an enclosure
            length INTEGER,  -- bytes
            duration INTEGER,  -- seconds
            UNIQUE (story_id, kind, url)
        )
        """
    )
    if "filtered" not in db["feeds"].columns_dict:
        db.execute("ALTER TABLE feeds ADD COLUMN filtered INTEGER NOT NULL DEFAULT 0")


def _migration_6(db: sqlite_utils.Database) -> None:
    """The triggers of ``stories_cjk`` test cheap conditions before the full pattern
    (:func:`aggregator.store.scripts_index.create_triggers`): they note the same
    stories, at a fraction of the cost per story written."""
    scripts_index.create_triggers(db.conn)


def _migration_7(db: sqlite_utils.Database) -> None:
    """The index of stories in languages with a stemmer other than English (``stories_stem``).

    Described in :mod:`aggregator.store.stem_index`; it is filled here from the
    stories in those languages (none in an English archive).
    """
    stem_index.create(db.conn)


def _migration_8(db: sqlite_utils.Database) -> None:
    """Search at a million stories: a feed's stories by id, and the index's common words.

    ``sources_feed_story`` answers "this feed's stories, newest first" from the
    index alone (``--feed`` and ``latest --feed`` read ids, not rows);
    ``search_terms`` (:mod:`aggregator.store.search_terms`) lets a prefix be
    read lazily. Both are filled here from what the archive holds.
    """
    db.execute("CREATE INDEX IF NOT EXISTS sources_feed_story ON sources (feed_id, story_id)")
    search_terms.create(db.conn)
    search_terms.refresh(db.conn)


def _migration_9(db: sqlite_utils.Database) -> None:
    """Fewer bytes per story: sightings found by a key of their guid, in seconds, no empty tables.

    ``sources`` gets ``guid_key`` (:func:`aggregator.dedupe.urls.guid_key`),
    and its unique index is ``(feed_id, guid_key)`` instead of
    ``(feed_id, guid)``: 8 bytes a sighting instead of the guid's text (55 on
    average on the benchmark corpus), which the row keeps; ``seen_at``
    becomes Unix seconds (:func:`aggregator.timeutil.to_db_seconds`: 4-6
    bytes instead of 20; a value that is not a time is kept). SQLite cannot
    change a table's constraint in place, so the table is copied into a new
    one, rows and ids unchanged, inside the migration's transaction (a crash
    leaves the archive as it was). Empty tables cost a page each (16 KiB in a new
    archive: about 3 bytes a story at 5,000 stories): ``stories_cjk`` is dropped while
    it indexes nothing, and the next story with text in a script written
    without spaces creates it again (:func:`aggregator.store.scripts_index.sync`);
    ``search_terms`` while it has no word (``maintain`` creates it again);
    ``event_meta`` becomes a ``WITHOUT ROWID`` table (one B-tree instead of
    a table and the index of its key).
    """
    conn = db.conn
    if "guid_key" not in db["sources"].columns_dict:  # not an archive marked older
        conn.create_function("aggregator_guid_key", 1, guid_key, deterministic=True)
        conn.create_function("aggregator_seconds", 1, seconds_of_db, deterministic=True)
        conn.execute(
            """
            CREATE TABLE sources_v9 (
                id INTEGER PRIMARY KEY,
                story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
                feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
                feed_url TEXT NOT NULL DEFAULT '',  -- set when the feed is removed
                url TEXT,  -- NULL: the same as the story's url (its first sighting)
                guid TEXT NOT NULL DEFAULT '',
                fingerprint INTEGER,
                seen_at INTEGER NOT NULL,  -- Unix seconds (timeutil.to_db_seconds)
                -- dedupe.urls.guid_key(guid); NULL from a writer without it (such a
                -- row is not found by its guid, and its guid is not kept unique)
                guid_key INTEGER,
                UNIQUE (feed_id, guid_key)
            )
            """
        )
        conn.execute(
            "INSERT INTO sources_v9 (id, story_id, feed_id, feed_url, url, guid, fingerprint,"
            " seen_at, guid_key) SELECT id, story_id, feed_id, feed_url, url, guid, fingerprint,"
            " aggregator_seconds(seen_at), aggregator_guid_key(guid) FROM sources ORDER BY id"
        )
        conn.execute("DROP TABLE sources")
        conn.execute("ALTER TABLE sources_v9 RENAME TO sources")
        conn.execute("CREATE INDEX sources_story ON sources (story_id)")
        conn.execute("CREATE INDEX sources_feed_story ON sources (feed_id, story_id)")
    scripts_index.drop_if_empty(conn)
    search_terms.drop_if_empty(conn)
    if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'event_meta' AND sql NOT LIKE '%WITHOUT ROWID'"
    ).fetchone():
        conn.execute(
            "CREATE TABLE event_meta_v9 (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
            " WITHOUT ROWID"
        )
        conn.execute("INSERT INTO event_meta_v9 (name, value) SELECT name, value FROM event_meta")
        conn.execute("DROP TABLE event_meta")
        conn.execute("ALTER TABLE event_meta_v9 RENAME TO event_meta")


def _migration_10(db: sqlite_utils.Database) -> None:
    """Fewer bytes per story: ``published`` in seconds, the usual generator as NULL.

    ``stories.published`` becomes Unix seconds (4-6 bytes instead of 20, in
    the row and in its index), as ``sources.seen_at`` did at schema 9
    (:func:`aggregator.timeutil.to_db_seconds`; a value that is not a time is
    kept as it is). ``stories.generator`` keeps the offline generator's name
    as NULL (:mod:`aggregator.store.compact`; 8 bytes a story), so it may now
    be NULL. A column's type and constraints cannot change in place: the new
    values go into new columns, the old ones are dropped and the new ones
    renamed (they are now the table's last columns; every statement names
    its columns). ``ALTER TABLE`` keeps the table, its rowids, triggers, FTS5
    content and the foreign keys that point at it, which a copied table would
    not (dropping ``stories`` with foreign keys on deletes its sources). All of
    it runs inside the migration's transaction: a crash leaves schema 9.
    """
    conn = db.conn
    conn.create_function("aggregator_seconds", 1, seconds_of_db, deterministic=True)
    conn.execute("ALTER TABLE stories ADD COLUMN published_s INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE stories ADD COLUMN generator_n TEXT DEFAULT ''")
    conn.execute(
        "UPDATE stories SET published_s = aggregator_seconds(published),"
        f" generator_n = NULLIF(generator, '{OFFLINE}')"
    )
    conn.execute("DROP INDEX stories_published")
    conn.execute("ALTER TABLE stories DROP COLUMN published")
    conn.execute("ALTER TABLE stories DROP COLUMN generator")
    conn.execute("ALTER TABLE stories RENAME COLUMN published_s TO published")
    conn.execute("ALTER TABLE stories RENAME COLUMN generator_n TO generator")
    conn.execute("CREATE INDEX stories_published ON stories (published)")


MIGRATIONS = {
    1: _migration_1,
    2: _migration_2,
    3: _migration_3,
    4: _migration_4,
    5: _migration_5,
    6: _migration_6,
    7: _migration_7,
    8: _migration_8,
    9: _migration_9,
    10: _migration_10,
}
