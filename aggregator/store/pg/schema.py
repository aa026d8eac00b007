"""The archive's schema on PostgreSQL: one function per migration, applied in order.

Versioned like SQLite's (:mod:`aggregator.store.schema`), but with its own
numbers: ``aggregator_meta.schema_version`` records the version reached, and
:class:`~aggregator.store.pg.archive.PgArchive` applies the missing versions
in one transaction under an advisory lock (two workers starting at once
migrate once). A released migration never changes.

Version 1 holds everything SQLite's version 5 holds, with PostgreSQL types
(SQLite's 64-bit ``INTEGER`` is ``BIGINT``; timestamps stay UTC text, which
sorts by time, so the domain modules' comparisons are the same), plus:

- ``stories.search``: a stored ``tsvector`` of title (weight A), body (B) and
  questions (C), GIN-indexed, in the text search configuration
  ``aggregator`` (English stemming without stop words, accents folded when
  the ``unaccent`` extension can be had; see :data:`TEXT_FUNCTION` for C++,
  C# and multi-agent). It replaces FTS5's ``stories_fts``.
- ``feeds.claimed_by``/``claimed_until``: the lease of the worker polling the
  feed, and ``polled_by``: the worker that polled it last.
- ``digest_runs``: which worker built each scheduled digest, so it is built once.
- The event tables of :mod:`aggregator.store.events`.

Version 2 partitions ``stories`` by month of ``published`` (see
:mod:`aggregator.store.pg.partitions`): the key is ``(id, published)``, the
``story_ids`` table keeps ``id`` unique across the partitions, and the row
triggers that fill it also delete a removed story's sources and links (the
foreign keys to ``stories`` that partitioning rules out). Searching walks
``stories_published (published, id)`` or one partition's GIN index at a time
(:mod:`aggregator.store.pg.search`).

Version 3 adds two indexes for search's filters (no table is rewritten):

- ``stories_title_search``: a GIN index over :data:`TITLE_SEARCH`, the
  ``tsvector`` of the title alone. ``stories_search`` does not store weights,
  so ``title:quantum`` (``'quantum':A``) had to read back every story holding
  ``quantum`` anywhere; this index finds the titles that hold it.
- ``sources_feed_story (feed_id, story_id)``: a feed's stories read from the
  index alone, for ``--feed`` (SQLite's index of the same name).

and ``story_ids.published``: each story's date beside its id, kept by the
row triggers (a date changed within a month by an update trigger; a move to
another month is a delete and an insert, as before). A story found by id
alone (a feed's stories) is then read from its own partition only.

Version 4 (SQLite's 9) adds ``sources.guid_key``
(:func:`aggregator.dedupe.urls.guid_key`, filled for existing rows by
:data:`GUID_KEY_SQL`), and the unique key of a sighting becomes
``(feed_id, guid_key)`` instead of ``(feed_id, guid)``: 8 bytes a sighting in
the index instead of the guid's text. The guid stays in the row.
``sources.seen_at`` becomes Unix seconds (``BIGINT``,
:func:`aggregator.timeutil.to_db_seconds`), as on SQLite.

Version 5 (SQLite's 10) keeps the offline generator's name in
``stories.generator`` as NULL (:mod:`aggregator.store.compact`). SQLite's 10
also keeps ``stories.published`` as Unix seconds; here it stays text, the key
of the partitions by month (:func:`aggregator.store.compact.date_param` gives
each engine its form).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aggregator.store.compact import OFFLINE

if TYPE_CHECKING:
    from aggregator.store.pg.dialect import PgConnection

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "TEXT_FUNCTION", "TITLE_SEARCH", "TS_CONFIG"]

SCHEMA_VERSION = 5
TS_CONFIG = "aggregator"
"""The text search configuration of ``stories.search`` and of every query."""

TEXT_FUNCTION = "aggregator_text"
"""An SQL function applied to text before it is indexed or searched.

PostgreSQL's parser splits ``C++`` and ``C#`` into the letter ``c``, and keeps
``multi-agent`` as a compound. So, as SQLite's ``tokenchars '+#'`` does,
``+`` and ``#`` right after a letter, digit or another of them become part of
the word (``C++`` is indexed as ``cplusplus``, ``C#`` as ``csharp``), and a
hyphen between two word characters is a space (``multi-agent`` is the phrase
"multi agent"). A leading ``#`` is dropped by the parser, so a word and its
hashtag are the same search.
"""

TITLE_SEARCH = f"to_tsvector('{TS_CONFIG}'::regconfig, {TEXT_FUNCTION}(title))"
"""The ``tsvector`` of a story's title, as indexed by ``stories_title_search``.

The same lexemes as the title's part of ``stories.search``, without weights:
``title:`` terms are matched against it (the query must spell it exactly so
for PostgreSQL to use the index).
"""

#: The columns of ``stories`` after its id, for schema 1 and for the partitioned
#: table of schema 2 (which differ only in how the id is kept unique).
STORY_COLUMNS = """
            category TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            questions TEXT NOT NULL DEFAULT '',
            actions TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL,
            url TEXT NOT NULL DEFAULT '',
            url_key BIGINT,
            fingerprint BIGINT,
            author TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '',
            generator TEXT NOT NULL DEFAULT '',
            updated_at TEXT,
            lang TEXT NOT NULL DEFAULT ''
"""

#: The stored ``search`` column: title, body and questions weighted A, B, C.
STORY_SEARCH = (
    f"setweight(to_tsvector('{TS_CONFIG}', {TEXT_FUNCTION}(title)), 'A')"
    f" || setweight(to_tsvector('{TS_CONFIG}', {TEXT_FUNCTION}(body)), 'B')"
    f" || setweight(to_tsvector('{TS_CONFIG}', {TEXT_FUNCTION}(questions)), 'C')"
)


def _migration_1(conn: PgConnection) -> None:
    run = conn.execute
    run(
        f"CREATE OR REPLACE FUNCTION {TEXT_FUNCTION}(t text) RETURNS text"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$"
        " SELECT regexp_replace(regexp_replace(regexp_replace(t,"
        " '(?<=[[:alnum:]_+#])[+]', 'plus', 'g'),"
        " '(?<=[[:alnum:]_+#])#', 'sharp', 'g'),"
        " '(?<=[[:alnum:]])-(?=[[:alnum:]])', ' ', 'g') $$"
    )
    unaccent = _try_unaccent(conn)
    run("CREATE TEXT SEARCH DICTIONARY aggregator_stem (TEMPLATE = snowball, Language = english)")
    run(f"CREATE TEXT SEARCH CONFIGURATION {TS_CONFIG} (COPY = simple)")
    dictionaries = "unaccent, aggregator_stem" if unaccent else "aggregator_stem"
    run(
        f"ALTER TEXT SEARCH CONFIGURATION {TS_CONFIG} ALTER MAPPING FOR"
        f" asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword,"
        f" numhword, hword_numpart WITH {dictionaries}"
    )
    run("CREATE TABLE aggregator_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    run(
        """
        CREATE TABLE feeds (
            id BIGSERIAL PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            config_url TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'config',
            category TEXT NOT NULL DEFAULT 'general',
            config_title TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            site_url TEXT NOT NULL DEFAULT '',
            interval BIGINT,
            adaptive_interval BIGINT,
            ttl BIGINT,
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
            added_at TEXT NOT NULL,
            retired_at TEXT,
            filtered INTEGER NOT NULL DEFAULT 0,
            claimed_by TEXT,
            claimed_until TEXT,
            polled_by TEXT NOT NULL DEFAULT ''
        )
        """
    )
    run(
        f"""
        CREATE TABLE stories (
            id BIGSERIAL PRIMARY KEY,
            {STORY_COLUMNS},
            search tsvector GENERATED ALWAYS AS ({STORY_SEARCH}) STORED
        )
        """
    )
    run(
        """
        CREATE TABLE sources (
            id BIGSERIAL PRIMARY KEY,
            story_id BIGINT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            feed_id BIGINT REFERENCES feeds(id) ON DELETE SET NULL,
            feed_url TEXT NOT NULL DEFAULT '',
            url TEXT,
            guid TEXT NOT NULL DEFAULT '',
            fingerprint BIGINT,
            seen_at TEXT NOT NULL,
            UNIQUE (feed_id, guid)
        )
        """
    )
    run(
        "CREATE TABLE story_bands (key BIGINT NOT NULL, story_id BIGINT NOT NULL,"
        " PRIMARY KEY (key, story_id))"
    )
    run("CREATE TABLE dedupe_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    run(
        """
        CREATE TABLE story_links (
            id BIGSERIAL PRIMARY KEY,
            story_id BIGINT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            url TEXT NOT NULL,
            type TEXT NOT NULL DEFAULT '',
            length BIGINT,
            duration BIGINT,
            UNIQUE (story_id, kind, url)
        )
        """
    )
    run(
        "CREATE TABLE digest_runs (job TEXT NOT NULL, window_end TEXT NOT NULL,"
        " worker TEXT NOT NULL, started_at TEXT NOT NULL, PRIMARY KEY (job, window_end))"
    )
    for sql in (
        "CREATE TABLE events (id BIGSERIAL PRIMARY KEY, headline_story BIGINT NOT NULL,"
        " first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, stories BIGINT NOT NULL,"
        " outlets BIGINT NOT NULL)",
        "CREATE TABLE story_events (story_id BIGINT PRIMARY KEY,"
        " event_id BIGINT NOT NULL, outlet TEXT NOT NULL DEFAULT '')",
        "CREATE INDEX story_events_event ON story_events(event_id)",
        "CREATE TABLE event_keys (key BIGINT NOT NULL, story_id BIGINT NOT NULL,"
        " PRIMARY KEY (key, story_id))",
        "CREATE TABLE event_days (day BIGINT PRIMARY KEY, stories BIGINT NOT NULL)",
        "CREATE TABLE event_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
        "CREATE INDEX stories_url_key ON stories (url_key)",
        "CREATE INDEX stories_fingerprint ON stories (fingerprint)",
        "CREATE INDEX stories_published ON stories (published)",
        "CREATE INDEX stories_search ON stories USING GIN (search)",
        "CREATE INDEX sources_story ON sources (story_id)",
        "CREATE INDEX sources_feed_url ON sources (feed_url) WHERE feed_id IS NULL",
        "CREATE INDEX feeds_next_fetch ON feeds (next_fetch)",
    ):
        run(sql)


def _try_unaccent(conn: PgConnection) -> bool:
    """Create the ``unaccent`` extension if the server has it (PostgreSQL's contrib)."""
    conn.execute("SAVEPOINT unaccent")
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception:  # not installed, or not allowed: accents then stay significant
        conn.execute("ROLLBACK TO SAVEPOINT unaccent")
        return False
    conn.execute("RELEASE SAVEPOINT unaccent")
    return True


def _migration_2(conn: PgConnection) -> None:
    from aggregator.store.pg import partitions

    partitions.partition_stories(conn, STORY_COLUMNS, STORY_SEARCH)


def _migration_3(conn: PgConnection) -> None:
    from aggregator.store.pg import partitions

    conn.execute(f"CREATE INDEX stories_title_search ON stories USING GIN (({TITLE_SEARCH}))")
    conn.execute("CREATE INDEX sources_feed_story ON sources (feed_id, story_id)")
    partitions.date_story_ids(conn)


GUID_KEY_SQL = (
    "CASE WHEN guid = '' THEN 0"
    " ELSE ('x' || left(encode(sha256(convert_to(guid, 'UTF8')), 'hex'), 16))::bit(64)::bigint END"
)
""":func:`aggregator.dedupe.urls.guid_key` of ``sources.guid`` in SQL (the same numbers)."""


def _migration_4(conn: PgConnection) -> None:
    conn.execute("ALTER TABLE sources ADD COLUMN guid_key BIGINT")
    conn.execute(f"UPDATE sources SET guid_key = {GUID_KEY_SQL}")
    conn.execute("ALTER TABLE sources DROP CONSTRAINT sources_feed_id_guid_key")
    conn.execute(
        "ALTER TABLE sources ADD CONSTRAINT sources_feed_guid_key UNIQUE (feed_id, guid_key)"
    )
    # Times as to_db writes them become their seconds; anything else (written by
    # another program) cannot be kept in the integer column and becomes 0.
    conn.execute(
        "ALTER TABLE sources ALTER COLUMN seen_at TYPE BIGINT USING CASE WHEN seen_at"
        " ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'"
        " THEN extract(epoch FROM seen_at::timestamptz)::bigint ELSE 0 END"
    )


def _migration_5(conn: PgConnection) -> None:
    # The offline generator's name is kept as NULL (aggregator.store.compact), as on
    # SQLite since its schema 10. ``published`` stays text: it is the key the
    # stories are partitioned on by month.
    conn.execute("ALTER TABLE stories ALTER COLUMN generator DROP NOT NULL")
    conn.execute(f"UPDATE stories SET generator = NULL WHERE generator = '{OFFLINE}'")


MIGRATIONS: dict[int, Callable[[PgConnection], None]] = {
    1: _migration_1,
    2: _migration_2,
    3: _migration_3,
    4: _migration_4,
    5: _migration_5,
}
