"""Schema 9 upgrades, in place, archives that the previous version (schema 8) wrote.

``tests/data/archives/schema8_*.db.gz`` were written by aggregator at schema 8:
four feeds of a generated corpus polled once (with their duplicates across
feeds), one feed then removed (its sources keep the feed's URL), and in
``schema8_cjk`` one story in Chinese imported. The upgrade must keep every
row and every output, find each sighting by its guid's key, drop the empty
tables, and leave the archive as it was when it fails half-way.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import fresh_database
from support.archives import rows as _rows
from support.archives import unpack as _unpack
from support.archives import user_version as _version
from support.pgserver import PostgresServer

from aggregator.cli.main import cli
from aggregator.dedupe.urls import guid_key
from aggregator.defaults import MAX_PAGE_COUNT_ENV
from aggregator.errors import ArchiveError
from aggregator.store import bands
from aggregator.store.archive import SCHEMA_VERSION, Archive
from aggregator.store.engine import open_archive
from aggregator.store.migrate import copy_archive
from aggregator.store.search import search
from aggregator.timeutil import from_db, seconds_of_db, to_db, to_db_seconds

SOURCE_COLUMNS = "id, story_id, feed_id, feed_url, url, guid, fingerprint, seen_at"
STORY_COLUMNS = (
    "id, category, title, body, questions, actions, published, url, url_key, fingerprint,"
    " author, tags, generator, updated_at, lang"
)
NOW = datetime(2026, 12, 3, tzinfo=UTC)


def _outputs(db: Path) -> dict[str, str]:
    """What users see: every story as JSON, a search, the events and an export."""
    runner = CliRunner()
    ids = [r[0] for r in _rows(db, "SELECT id FROM stories ORDER BY id")]
    out: dict[str, str] = {}
    for args in (
        *(["show", str(i), "--format", "json"] for i in ids),
        ["search", "the", "--json", "--limit", "100"],
        ["latest", "--json", "--limit", "100"],
        ["search", "the", "--events", "--json"],
        ["status", "--json"],
        ["export", "-"],
    ):
        result = runner.invoke(cli, ["--db", str(db), *args])
        assert result.exit_code == 0, (args, result.stderr)
        out[" ".join(args)] = result.stdout
    return out


def test_a_schema_8_archive_keeps_its_rows_and_outputs(tmp_path: Path) -> None:
    db = _unpack("schema8_english.db.gz", tmp_path)
    assert _version(db) == 8
    sources = _rows(db, f"SELECT {SOURCE_COLUMNS} FROM sources ORDER BY id")
    stories = _rows(db, f"SELECT {STORY_COLUMNS} FROM stories ORDER BY id")
    before = _outputs(db)  # read-only commands read schema 8 as it is
    assert _version(db) == 8
    assert any(r[2] is None and r[3] for r in sources)  # a removed feed's sightings
    with Archive(db) as archive:
        assert archive.integrity_errors() == []
        conn = archive.conn
        for source_id, _story, feed_id, *_rest in sources:
            guid = next(r[5] for r in sources if r[0] == source_id)
            if feed_id is not None:
                found = bands.sighting(conn, feed_id, str(guid))
                assert found is not None and found.source_id == source_id
        keys = conn.execute("SELECT guid, guid_key FROM sources").fetchall()
        unique = [r[1] for r in conn.execute("PRAGMA index_list(sources)").fetchall() if r[2]]
        indexed = [[c[2] for c in conn.execute(f"PRAGMA index_info({n})")] for n in unique]
        tables = {r[0]: r[1] for r in conn.execute("SELECT name, sql FROM sqlite_master")}
    assert _version(db) == SCHEMA_VERSION  # schema 9, then the later ones
    assert all(key == guid_key(str(guid)) for guid, key in keys)
    assert indexed == [["feed_id", "guid_key"]]
    in_seconds = [(*r[:7], to_db_seconds(from_db(str(r[7])) or NOW)) for r in sources]
    assert _rows(db, f"SELECT {SOURCE_COLUMNS} FROM sources ORDER BY id") == in_seconds
    assert all(isinstance(r[7], str) for r in sources)
    # Unchanged but published, in seconds, and the offline generator, NULL, since
    # schema 10 (see test_schema10).
    assert _rows(db, f"SELECT {STORY_COLUMNS} FROM stories ORDER BY id") == [
        (
            *r[:6],
            to_db_seconds(from_db(str(r[6])) or NOW),
            *r[7:12],
            None if r[12] == "offline" else r[12],
            *r[13:],
        )
        for r in stories
    ]
    assert "stories_cjk" not in tables and "stories_cjk_pending" in tables
    assert "search_terms" not in tables
    assert tables["event_meta"].endswith("WITHOUT ROWID")
    assert {"sources_story", "sources_feed_story"} <= set(tables)
    assert _outputs(db) == before


def test_a_sighting_is_stored_once_per_feed_and_guid_after_the_upgrade(tmp_path: Path) -> None:
    db = _unpack("schema8_english.db.gz", tmp_path)
    with Archive(db) as archive:
        conn = archive.conn
        story_id, feed_id, guid = conn.execute(
            "SELECT story_id, feed_id, guid FROM sources WHERE feed_id IS NOT NULL LIMIT 1"
        ).fetchone()
        count = archive.count_sources()
        with archive.transaction():
            for key in (guid_key(guid), guid_key(guid + "x")):
                conn.execute(
                    "INSERT OR IGNORE INTO sources (story_id, feed_id, guid, guid_key, seen_at)"
                    " VALUES (?, ?, ?, ?, 'x')",
                    (story_id, feed_id, guid if key == guid_key(guid) else guid + "x", key),
                )
        assert archive.count_sources() == count + 1  # the same guid again is ignored


def test_a_schema_8_archive_with_chinese_keeps_its_second_index(tmp_path: Path) -> None:
    db = _unpack("schema8_cjk.db.gz", tmp_path)
    before = {h.id for h in search(db, "下雨").hits}
    assert len(before) == 1
    with Archive(db) as archive:
        assert archive.integrity_errors() == []
    assert _version(db) == SCHEMA_VERSION
    assert _rows(db, "SELECT count(*) FROM stories_cjk_docsize") == [(1,)]
    assert {h.id for h in search(db, "下雨").hits} == before


def test_an_upgrade_that_fails_half_way_leaves_schema_8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _unpack("schema8_english.db.gz", tmp_path)
    sources = _rows(db, f"SELECT {SOURCE_COLUMNS} FROM sources ORDER BY id")
    pages = _rows(db, "PRAGMA page_count")[0][0]
    # No room for the copy of sources: the disk is full in the middle of the migration.
    monkeypatch.setenv(MAX_PAGE_COUNT_ENV, str(pages))
    with pytest.raises(ArchiveError):
        Archive(db).close()
    assert _version(db) == 8
    assert _rows(db, f"SELECT {SOURCE_COLUMNS} FROM sources ORDER BY id") == sources
    assert "guid_key" not in {r[1] for r in _rows(db, "PRAGMA table_info(sources)")}
    monkeypatch.delenv(MAX_PAGE_COUNT_ENV)
    assert os.environ.get(MAX_PAGE_COUNT_ENV) is None
    with Archive(db) as archive:
        assert archive.integrity_errors() == []
    assert _version(db) == SCHEMA_VERSION


def test_postgresql_computes_the_same_guid_keys_when_it_upgrades(
    tmp_path: Path, pg_server: PostgresServer
) -> None:
    db = _unpack("schema8_english.db.gz", tmp_path)
    url = fresh_database(pg_server)
    with open_archive(db, readonly=True) as lite, open_archive(url) as pg:
        copy_archive(lite, pg)  # from schema 8 as it is: the keys computed on the way
        copied = pg.conn.execute("SELECT guid, guid_key FROM sources").fetchall()
        assert copied and all(key == guid_key(guid) for guid, key in copied)
    with open_archive(url) as pg:  # back to version 3, with the guids only
        with pg.transaction() as conn:
            conn.execute("ALTER TABLE sources DROP CONSTRAINT sources_feed_guid_key")
            conn.execute("ALTER TABLE sources DROP COLUMN guid_key")
            conn.execute(
                "ALTER TABLE sources ADD CONSTRAINT sources_feed_id_guid_key UNIQUE (feed_id, guid)"
            )
            conn.execute(
                "ALTER TABLE sources ALTER COLUMN seen_at TYPE TEXT USING to_char(to_timestamp("
                "seen_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
            )
            text = conn.execute("SELECT seen_at FROM sources LIMIT 1").fetchone()[0]
            assert from_db(text) is not None and text.endswith("Z")  # as version 3 kept it
            conn.execute("UPDATE aggregator_meta SET value = '3' WHERE name = 'schema_version'")
    with open_archive(url) as pg:  # migrated again to version 4, keys computed in SQL
        rows = pg.conn.execute("SELECT id, feed_id, guid, guid_key FROM sources").fetchall()
        seen = pg.conn.execute("SELECT id, seen_at FROM sources ORDER BY id").fetchall()
        assert pg.integrity_errors() == []
        for source_id, feed_id, guid, key in rows:
            assert key == guid_key(guid)
            if feed_id is not None:
                found = bands.sighting(pg.conn, feed_id, guid)  # type: ignore[arg-type]
                assert found is not None and found.source_id == source_id
    assert len(rows) == len(_rows(db, "SELECT id FROM sources"))
    # Copied from schema 8's text as seconds, back to text, and to seconds again in SQL.
    assert seen == [
        (i, seconds_of_db(str(t)))
        for i, t in _rows(db, "SELECT id, seen_at FROM sources ORDER BY id")
    ]
    assert all(isinstance(t, int) for _, t in seen)


@pytest.mark.parametrize(
    "text", ["2026-12-03T16:38:30Z", "1969-07-20T20:17:40Z", "0999-01-01T00:00:00Z"]
)
def test_seconds_read_back_as_the_same_time_and_text(text: str) -> None:
    when = from_db(text)
    assert when is not None
    seconds = to_db_seconds(when)
    assert from_db(seconds) == when
    assert to_db(from_db(seconds)) == to_db(when)
    assert seconds_of_db(text) == seconds
    assert seconds_of_db("not a time") == "not a time"
