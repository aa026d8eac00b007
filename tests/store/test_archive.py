"""The archive on real SQLite files: schema, first-level dedupe, atomic polls, FTS in sync."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from aggregator.errors import ArchiveError, FeedError, StoryNotFound
from aggregator.models import FeedConfig, FeedState, Story
from aggregator.store.archive import SCHEMA_VERSION, Archive, FeedUpdate
from aggregator.store.engine import open_archive
from aggregator.store.pg.archive import PgArchive

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def story(n: int, **changes: object) -> Story:
    base = Story(
        category="TECHNOLOGY",
        title=f"Rust {n} ships a faster borrow checker",
        published=NOW - timedelta(hours=n),
        body=f"The Rust project released version {n}.\n\nCompile times fell by a fifth.",
        questions=("Who benefits from Rust?", "What is unsaid?", "What comes next for Rust?"),
        url=f"https://blog.example/rust-{n}?utm_source=rss",
        canonical_url=f"https://blog.example/rust-{n}",
        guid=f"rust-{n}",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def update(**changes: object) -> FeedUpdate:
    return replace(
        FeedUpdate(status="new", fetched_at=NOW, next_fetch=NOW + timedelta(hours=1)), **changes
    )  # type: ignore[arg-type]


@pytest.fixture
def archive(archive_at: Path | str, tmp_path: Path) -> Archive:
    """An archive with two feeds, on each engine (``archive_at``)."""
    a = open_archive(archive_at if isinstance(archive_at, str) else tmp_path / "a.db")
    a.sync_feeds(
        [FeedConfig(url="https://one.example/feed"), FeedConfig(url="https://two.example/feed")],
        now=NOW,
    )
    yield a  # type: ignore[misc]
    a.close()


def feeds(archive: Archive) -> tuple[FeedState, FeedState]:
    one, two = archive.list_feeds()
    return one, two


def count(archive: Archive, table: str) -> int:
    return int(archive.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def fts_ids(archive: Archive, match: str) -> list[int]:
    if isinstance(archive, PgArchive):
        return [
            r[0]
            for r in archive.conn.execute(
                "SELECT id FROM stories WHERE search @@ plainto_tsquery('aggregator', ?)"
                " ORDER BY id",
                (match,),
            )
        ]
    return [
        r[0]
        for r in archive.conn.execute(
            "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? ORDER BY rowid", (match,)
        )
    ]


def test_fresh_archive_schema(tmp_path: Path) -> None:
    with Archive(tmp_path / "x.db") as a:
        assert a.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert a.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert a.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert {"feeds", "stories", "sources", "stories_fts"} <= set(a.db.table_names())
    db = sqlite_utils.Database(tmp_path / "x.db")
    assert db["stories"].detect_fts() == "stories_fts"  # sqlite-utils and Datasette see it
    db.close()


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    Archive(tmp_path / "x.db").close()
    with Archive(tmp_path / "x.db") as a:
        assert a.count_stories() == 0


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Archive(tmp_path / "x.db").close()
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ArchiveError, match="schema version"):
        Archive(tmp_path / "x.db")


def test_readonly_missing_archive(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive"):
        Archive(tmp_path / "none.db", readonly=True)


def test_new_then_unchanged_then_updated(archive: Archive) -> None:
    one, _ = feeds(archive)
    c = archive.store_poll(one, [story(1), story(2)], update())
    assert (c.new, c.updated, c.duplicate, c.unchanged) == (2, 0, 0, 0)
    c = archive.store_poll(one, [story(1), story(2)], update())
    assert (c.new, c.unchanged) == (0, 2)
    changed = story(1, body="The Rust project released version 1.\n\nA correction: zebras.")
    c = archive.store_poll(one, [changed], update())
    assert c.updated == 1
    assert count(archive, "stories") == 2
    assert fts_ids(archive, "zebras") == [1]  # the index follows the update
    assert archive.get_story(1).story.body.endswith("zebras.")
    assert archive.integrity_errors() == []


def test_same_canonical_url_from_another_feed_is_a_source(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [story(1)], update())
    other = story(
        1,
        guid="other-guid",
        url="https://blog.example/rust-1#comments",
        title="A different headline for it",
        published=NOW - timedelta(days=3),
    )
    c = archive.store_poll(two, [other], update())
    assert (c.new, c.duplicate) == (0, 1)
    stored = archive.get_story(1)
    assert [s.feed_url for s in stored.sources] == [one.url, two.url]
    assert stored.story.published == NOW - timedelta(days=3)  # earliest date kept
    assert stored.story.title == story(1).title
    # Seeing it again from the second feed adds nothing.
    c = archive.store_poll(two, [other], update())
    assert (c.duplicate, c.unchanged) == (0, 1)


def test_same_text_under_another_url_is_a_source(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [story(1)], update())
    copy = story(
        1, guid="x", url="https://mirror.example/a/b", canonical_url="https://mirror.example/a/b"
    )
    c = archive.store_poll(two, [copy], update())
    assert c.duplicate == 1
    assert count(archive, "stories") == 1


def test_links_to_a_site_root_never_merge(archive: Archive) -> None:
    one, _ = feeds(archive)
    a = story(1, url="https://site.example/", canonical_url="https://site.example")
    b = story(2, url="https://site.example/", canonical_url="https://site.example")
    c = archive.store_poll(one, [a, b], update())
    assert c.new == 2


def test_a_failed_poll_writes_nothing(archive: Archive) -> None:
    one, _ = feeds(archive)
    bad = story(3, title=None)  # NOT NULL violated half-way through the poll
    with pytest.raises(ArchiveError):
        archive.store_poll(one, [story(1), story(2), bad], update(etag='"v2"'))
    assert count(archive, "stories") == 0
    assert count(archive, "sources") == 0
    assert archive.get_feed(one.url).etag == ""  # the feed's state was not written either
    assert archive.integrity_errors() == []


def test_feed_state_is_stored(archive: Archive) -> None:
    one, _ = feeds(archive)
    archive.store_poll(
        one, [story(1)], update(etag='"abc"', last_modified="Sun, 29 Nov 2026", title="One")
    )
    f = archive.get_feed(one.url)
    assert (f.etag, f.last_modified, f.title, f.last_status, f.error_count) == (
        '"abc"',
        "Sun, 29 Nov 2026",
        "One",
        "new",
        0,
    )
    archive.record_feed(f, update(status="error", error="HTTP 500"))
    archive.record_feed(f, update(status="error", error="HTTP 500"))
    f = archive.get_feed(one.url)
    assert (f.error_count, f.last_error, f.etag) == (2, "HTTP 500", '"abc"')
    archive.record_feed(f, update(status="not_modified"))
    assert archive.get_feed(one.url).error_count == 0


def test_feed_states_are_stored_in_one_batch(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [], update(etag='"a"'))
    archive.record_feed(two, update(status="error", error="HTTP 500"))
    later = NOW + timedelta(hours=2)
    archive.record_feeds(
        [
            (one, update(status="not_modified", fetched_at=later, next_fetch=later)),
            (two, update(status="not_modified", fetched_at=later, url="https://two.example/n")),
        ]
    )
    a, b = archive.get_feed(one.url), archive.get_feed("https://two.example/n")
    assert (a.last_status, a.last_fetched, a.next_fetch, a.etag) == (
        "not_modified",
        later,
        later,
        '"a"',
    )
    assert (b.id, b.last_status, b.error_count, b.last_error) == (two.id, "not_modified", 0, "")
    archive.record_feeds([])  # nothing to write
    assert archive.get_feed(one.url).last_fetched == later


def test_permanent_redirect_and_disable(archive: Archive) -> None:
    one, _ = feeds(archive)
    archive.record_feed(one, update(url="https://one.example/new-feed"))
    assert archive.get_feed("https://one.example/new-feed").id == one.id
    assert archive.get_feed(one.url).id == one.id  # still found by its configured URL
    archive.record_feed(one, update(status="error", disable="410 Gone"))
    assert archive.get_feed(one.url).enabled is False
    assert archive.list_feeds(due_before=NOW + timedelta(days=9)) == [feeds(archive)[1]]


def test_removing_a_feed_keeps_its_stories_and_sources(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [story(1)], update())
    added = archive.add_feed("https://three.example/rss", category="ai", now=NOW)
    archive.store_poll(added, [story(1, guid="g3")], update())
    archive.remove_feed("https://three.example/rss")
    sources = archive.get_story(1).sources
    assert [s.feed_url for s in sources] == [one.url, "https://three.example/rss"]
    with pytest.raises(FeedError, match="no such feed"):
        archive.remove_feed("https://three.example/rss")


def test_sync_feeds_follows_the_config(archive: Archive) -> None:
    one, _ = feeds(archive)
    archive.store_poll(one, [story(1)], update())
    archive.sync_feeds(
        [
            FeedConfig(url="https://one.example/feed", category="science"),
            FeedConfig(url="https://four.example/feed"),
        ],
        now=NOW,
    )
    got = {f.url: f.category for f in archive.list_feeds()}
    assert got == {"https://one.example/feed": "science", "https://four.example/feed": "general"}
    assert archive.get_feed(one.url).stories == 1


def test_sync_feeds_writes_only_the_feeds_the_config_changed(archive: Archive) -> None:
    # Every command that polls syncs first: an unchanged config writes no row, and a
    # change still lands, the archive's own reason to disable a feed (410) kept.
    if isinstance(archive, PgArchive):
        pytest.skip("SQLite: total_changes counts the rows written")
    one_url, two_url = "https://one.example/feed", "https://two.example/feed"
    config = [FeedConfig(url=one_url), FeedConfig(url=two_url)]
    before = archive.conn.total_changes
    archive.sync_feeds(config, now=NOW)
    assert archive.conn.total_changes == before
    archive.sync_feeds(
        [FeedConfig(url=one_url, title="One", interval=timedelta(hours=2)), config[1]], now=NOW
    )
    assert archive.conn.total_changes == before + 1
    one = archive.get_feed(one_url)
    assert (one.title, one.interval) == ("One", timedelta(hours=2))
    archive.sync_feeds([FeedConfig(url=one_url, enabled=False), config[1]], now=NOW)
    assert archive.get_feed(one_url).enabled is False
    archive.sync_feeds(config, now=NOW)
    assert archive.get_feed(one_url).enabled is True
    archive.record_feed(archive.get_feed(two_url), update(status="error", disable="410 Gone"))
    archive.sync_feeds(config, now=NOW)
    assert archive.get_feed(two_url).enabled is False
    archive.sync_feeds([config[0]], now=NOW)  # two retired, then listed again
    assert [f.url for f in archive.list_feeds()] == [one_url]
    archive.sync_feeds(config, now=NOW)
    assert [f.url for f in archive.list_feeds()] == [one_url, two_url]


def test_duplicate_manual_feed_is_refused(archive: Archive) -> None:
    with pytest.raises(FeedError, match="already"):
        archive.add_feed("https://one.example/feed", now=NOW)


def test_get_missing_story(archive: Archive) -> None:
    with pytest.raises(StoryNotFound):
        archive.get_story(42)


def test_sqlite_utils_search_works_on_the_archive(archive: Archive, tmp_path: Path) -> None:
    if isinstance(archive, PgArchive):
        pytest.skip("SQLite only: PostgreSQL has no file to open beside it")
    one, _ = feeds(archive)
    archive.store_poll(
        one, [story(1), story(2, title="Kernel maintainers argue about Rust")], update()
    )
    db = sqlite_utils.Database(tmp_path / "a.db")
    rows = list(db["stories"].search("maintainers"))
    db.close()
    assert [r["id"] for r in rows] == [2]


def test_busy_archive_gives_a_clear_error(archive: Archive, tmp_path: Path) -> None:
    if isinstance(archive, PgArchive):
        pytest.skip("SQLite only: PostgreSQL has no file to open beside it")
    other = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        archive.conn.execute("PRAGMA busy_timeout = 50")
        one, _ = feeds(archive)
        with pytest.raises(ArchiveError, match="locked"):
            archive.store_poll(one, [story(1)], update())
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_sources_keep_their_own_urls_through_a_rebuild_merge(archive: Archive) -> None:
    from aggregator.store import dedupe as dedupe_ops

    one, two = feeds(archive)
    archive.store_poll(one, [story(1)], update())
    # The same text under another URL, stored as a separate story (as if dedupe had been off).
    other = story(
        1, guid="x", url="https://mirror.example/r1", canonical_url="https://mirror.example/r1"
    )
    archive.conn.execute("DELETE FROM story_bands")
    archive.conn.execute("UPDATE stories SET fingerprint = NULL")
    archive.store_poll(two, [other], update())
    assert archive.count_stories() == 2
    dedupe_ops.rebuild(archive, params=archive.dedupe)
    [kept] = [archive.get_story(i) for i in (1, 2) if _exists(archive, i)]
    assert sorted(s.url for s in kept.sources) == sorted([story(1).url, other.url])


def _exists(archive: Archive, story_id: int) -> bool:
    return (
        archive.conn.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone()
        is not None
    )


def _sqlite_memory_used() -> int | None:
    """``sqlite3_memory_used()`` of the SQLite library this process has loaded, or None."""
    import ctypes

    libs = {
        line.split()[-1]
        for line in Path("/proc/self/maps").read_text().splitlines()
        if "libsqlite3" in line.rsplit("/", 1)[-1]
    }
    if len(libs) != 1:
        return None  # SQLite built into the sqlite3 module: no library to ask
    lib = ctypes.CDLL(libs.pop())
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


def test_a_new_archive_keeps_its_writer_cache_to_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache size is given in KiB; set before a new archive's page size, SQLite
    # counted it in pages of the default size, and the cache held four times as much.
    import aggregator.store.base

    monkeypatch.setattr(aggregator.store.base, "WRITER_CACHE_KIB", 1024)
    before = _sqlite_memory_used()
    if before is None:
        pytest.skip("SQLite is linked into the sqlite3 module here")
    with Archive(tmp_path / "news.db") as archive:
        conn = archive.conn
        assert conn.execute("PRAGMA page_size").fetchone()[0] == aggregator.store.base.PAGE_SIZE
        conn.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)")
        for batch in range(8):  # 8 MiB of rows, in transactions like a poll's
            with archive.transaction():
                conn.executemany(
                    "INSERT INTO filler (text) VALUES (?)",
                    [(f"{batch} {i} " + "x" * 4000,) for i in range(256)],
                )
        used = _sqlite_memory_used()
        assert used is not None
        assert used - before < 3 * 1024 * 1024, used - before


def _many_segments(archive: Archive, rounds: int = 40, first: int = 0) -> None:
    """Stories with varied words in many transactions: one FTS5 segment each."""
    import random

    rng = random.Random(first)
    vocab = [f"w{i}x{rng.randrange(10**6)}" for i in range(3000)]
    for r in range(first, first + rounds):
        archive.import_stories(
            [
                story(
                    r * 20 + i,
                    body=" ".join(rng.choices(vocab, k=400)),
                    url=f"https://blog.example/seg-{r}-{i}",
                    canonical_url=f"https://blog.example/seg-{r}-{i}",
                    guid=f"seg-{r}-{i}",
                )
                for i in range(20)
            ]
        )


def _free_pages(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA freelist_count").fetchone()[0])


def test_a_new_archive_gives_its_free_pages_back(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        conn = archive.conn
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # INCREMENTAL
        _many_segments(archive)
        with archive.transaction():  # merging the segments frees their pages
            conn.execute("INSERT INTO stories_fts (stories_fts) VALUES ('optimize')")
        freed = _free_pages(conn)
        assert freed > 10
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    # Closing gave them back: the file is shorter by as many pages, and holds none free.
    with Archive(path, readonly=True) as archive:
        conn = archive.conn
        assert _free_pages(conn) == 0
        now = conn.execute("PRAGMA page_count").fetchone()[0]
        assert now <= pages - freed + 1  # PRAGMA optimize, after, may add sqlite_stat1
        assert path.stat().st_size == now * conn.execute("PRAGMA page_size").fetchone()[0]
        assert len(fts_ids(archive, "rust")) == 800
    # So does maintenance, which merges the index, in a daemon that keeps it open.
    with Archive(path) as archive:
        _many_segments(archive, rounds=10, first=40)
        assert archive.maintain(seconds=None) is True
        assert _free_pages(archive.conn) == 0
        assert archive.integrity_errors() == []
        assert len(fts_ids(archive, "rust")) == 1000


def test_an_archive_without_auto_vacuum_keeps_working(tmp_path: Path) -> None:
    # Archives created before auto_vacuum was set keep their mode (only a VACUUM
    # could change it): their free pages stay for reuse and nothing else differs.
    path = tmp_path / "old.db"
    with Archive(path) as archive:
        _many_segments(archive, rounds=5)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA auto_vacuum = NONE")
    conn.execute("VACUUM")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    with Archive(path) as archive:
        conn = archive.conn
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
        _many_segments(archive, rounds=20, first=5)
        assert archive.maintain(seconds=None) is True
        assert _free_pages(conn) > 0  # kept for later writes
        assert archive.release_free_pages() == 0
        assert archive.integrity_errors() == []
        assert len(fts_ids(archive, "rust")) == 500
    with Archive(path, readonly=True) as archive:
        assert archive.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0


def test_closing_does_not_wait_for_another_writer_to_free_pages(tmp_path: Path) -> None:
    import time

    from aggregator.store.base import BUSY_TIMEOUT_MS

    path = tmp_path / "a.db"
    archive = Archive(path)
    _many_segments(archive, rounds=10)
    with archive.transaction() as conn:
        conn.execute("INSERT INTO stories_fts (stories_fts) VALUES ('optimize')")
    freed = _free_pages(archive.conn)
    assert freed > 0
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing
    start = time.monotonic()
    archive.close()
    assert time.monotonic() - start < BUSY_TIMEOUT_MS / 2000  # it did not wait for the lock
    other.execute("ROLLBACK")
    assert _free_pages(other) == freed  # kept for the next write to reuse
    other.close()
    with Archive(path) as archive:  # the next writer gives them back
        pass
    with Archive(path, readonly=True) as archive:
        assert _free_pages(archive.conn) == 0
