"""The archive: one SQLite file, schema and migrations, every write and read.

With :mod:`aggregator.store.dedupe` (the near-duplicate index), the only module
that writes SQL. Schema and FTS5 index are created through
sqlite-utils (so ``sqlite-utils search`` and Datasette recognise the index);
the hot write path uses prepared statements on the same connection.

Invariants:

- WAL mode, ``busy_timeout``, foreign keys on. One writer (the daemon or a CLI
  ``fetch``) and any number of readers at the same time.
- Every write that belongs together is one transaction: all of one feed's
  poll (its stories, sources, FTS rows and the feed's state) or none of it.
- The FTS5 index ``stories_fts`` (title, body, questions) is external-content
  over ``stories`` and kept in sync by triggers inside those transactions.
- Timestamps are UTC text (:mod:`aggregator.timeutil`).

An :class:`Archive` is used from the thread that opened it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from aggregator.dedupe import neardup
from aggregator.dedupe.urls import canonical_url, fingerprint, url_key
from aggregator.errors import ArchiveError, FeedError, StoryNotFound
from aggregator.models import FeedConfig, FeedState, Source, StoredStory, Story
from aggregator.store import dedupe as dedupe_ops
from aggregator.store import links as links_ops
from aggregator.store.schema import MIGRATIONS
from aggregator.story.related import fts_query, is_close, key_terms
from aggregator.timeutil import from_db, to_db, utcnow

__all__ = [
    "MAX_PAGE_COUNT_ENV",
    "SCHEMA_VERSION",
    "Archive",
    "FeedUpdate",
    "StoreCounts",
    "connect",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
BUSY_TIMEOUT_MS = 10_000
#: Caps the archive at this many pages on the writer's connection (``PRAGMA
#: max_page_count``): past it every write fails as on a full disk, with nothing
#: written. For tests of a full disk (issue 8), or to bound the archive's size.
MAX_PAGE_COUNT_ENV = "AGGREGATOR_MAX_PAGE_COUNT"
PAGE_SIZE = 32_768
_MERGE_PAGES = 2000  # FTS5 leaf pages merged per maintenance step
WRITER_CACHE_KIB = 65_536


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """What storing one feed's stories did.

    Attributes:
        new: stories archived for the first time.
        updated: stories whose text changed (same feed, same guid).
        duplicate: sightings of a story already archived from elsewhere (a new source).
        unchanged: entries already archived as they are.
    """

    new: int = 0
    updated: int = 0
    duplicate: int = 0
    unchanged: int = 0

    def __add__(self, other: StoreCounts) -> StoreCounts:
        return StoreCounts(
            self.new + other.new,
            self.updated + other.updated,
            self.duplicate + other.duplicate,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """The new fetch state of a feed after one poll.

    Attributes:
        status: ``new``, ``not_modified`` or ``error``.
        fetched_at: when the poll happened (UTC).
        next_fetch: when to poll next (UTC).
        next_reason: why then (``interval``, ``backoff``, ``retry-after`` ...).
        error: the error message, ``""`` on success.
        etag, last_modified: validators for the next conditional GET (``None`` keeps the old).
        url: a new URL after a permanent redirect (``None`` keeps the old).
        title, site_url: the feed's own title and link (``None`` keeps the old).
        disable: a reason to disable the feed (e.g. 410 Gone), or ``""``.
        adaptive_interval: the interval learned from the feed's pace (``None`` keeps the old).
        ttl: the feed's ``<ttl>`` (``None`` keeps the old; a zero duration clears it).
        filtered: entries the ``[[filters]]`` rules dropped at this poll (``None`` keeps the old).
    """

    status: str
    fetched_at: datetime
    next_fetch: datetime
    next_reason: str = "interval"
    error: str = ""
    etag: str | None = None
    last_modified: str | None = None
    url: str | None = None
    title: str | None = None
    site_url: str | None = None
    disable: str = ""
    adaptive_interval: timedelta | None = None
    ttl: timedelta | None = None
    filtered: int | None = None


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """Open a connection with the archive's settings (autocommit, WAL, busy timeout).

    A writer's connection is capped at ``$AGGREGATOR_MAX_PAGE_COUNT`` pages when
    that is set (:data:`MAX_PAGE_COUNT_ENV`).

    Args:
        path: the SQLite file.
        readonly: open read-only (the file must exist).

    Returns:
        The connection; transactions are explicit (``BEGIN IMMEDIATE``).

    Raises:
        ArchiveError: the file cannot be opened, or the page cap is not a number.
    """
    cap = 0 if readonly else _page_count(os.environ.get(MAX_PAGE_COUNT_ENV, ""))
    try:
        if readonly:
            uri = Path(path).resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            # The writer's index pages stay cached as the archive grows (benchmarks/
            # dedupe_scale.py: a third less time per story at 50k stories than the 2 MiB default).
            conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
            if cap:
                conn.execute(f"PRAGMA max_page_count = {cap}")
    except sqlite3.Error as exc:
        raise ArchiveError(f"cannot open archive {path}: {_explain(exc)}") from exc
    return conn


def _page_count(value: str) -> int:
    """The page cap of :data:`MAX_PAGE_COUNT_ENV` (0: none)."""
    value = value.strip()
    if value and (not value.isdigit() or int(value) < 1):
        raise ArchiveError(f"{MAX_PAGE_COUNT_ENV}={value!r}: a number of pages (1 or more)")
    return int(value or 0)


def _explain(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "unable to open" in text:
        # In WAL mode SQLite keeps <archive>-wal and -shm beside the file, even to read.
        text += " (the archive's folder must be writable, and the file readable)"
    return text


def _map_error(exc: sqlite3.Error, path: Path) -> ArchiveError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return ArchiveError(f"archive {path} is busy (database is locked); try again")
    if "full" in text:
        return ArchiveError(f"archive {path}: disk full; nothing was written")
    if "readonly" in text or "read-only" in text:
        return ArchiveError(f"archive {path} is read-only; nothing was written")
    if "malformed" in text or "not a database" in text:
        return ArchiveError(f"archive {path} is damaged or not an archive: {text}")
    return ArchiveError(f"archive {path}: {_explain(exc)}")


class Archive:
    """The archive file: schema, writes and reads.

    Use as a context manager, or call :meth:`close`. Not thread-safe: use it
    from one thread at a time.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        readonly: bool = False,
        dedupe: neardup.Params | None = None,
    ) -> None:
        """Open (and, unless read-only, create or migrate) an archive.

        Args:
            path: the SQLite file; its folder is created if missing.
            readonly: open without writing anything (no migration).
            dedupe: near-duplicate settings (``[dedupe]``); ``None`` for the defaults.

        Raises:
            ArchiveError: the file cannot be opened, or it was written by a newer version.
        """
        self.path = Path(path)
        self.readonly = readonly
        self.dedupe = dedupe or neardup.Params()
        if not readonly:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ArchiveError(f"cannot create folder {self.path.parent}: {exc}") from exc
        elif not self.path.exists():
            raise ArchiveError(f"no archive at {self.path} (run 'aggregator fetch' first)")
        self.conn = connect(self.path, readonly=readonly)
        try:
            self.db = sqlite_utils.Database(self.conn)
            if not readonly:
                self._migrate()
                warning = dedupe_ops.check_index(self.conn, params=self.dedupe)
                if warning:
                    log.warning("archive %s: %s", self.path, warning)
            else:
                self._check_version()
        except sqlite3.Error as exc:
            self.conn.close()
            raise _map_error(exc, self.path) from exc
        except BaseException:
            self.conn.close()
            raise

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Close the connection (optimizing the query planner first when writable)."""
        try:
            if not self.readonly:
                self.conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``).

        Yields:
            The connection.

        Raises:
            ArchiveError: the transaction failed (locked, full, read-only); it was rolled back.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _map_error(exc, self.path) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _map_error(exc, self.path) from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("rollback failed")

    # -- schema ------------------------------------------------------------

    def _check_version(self) -> int:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"archive {self.path} has schema version {version}; this aggregator "
                f"knows up to {SCHEMA_VERSION} (upgrade aggregator)"
            )
        return version

    def _migrate(self) -> None:
        fresh = self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
        if fresh:
            # Must precede WAL mode and the first table. Story rows run 2-3 KB: with
            # 4 KB pages only one fits a page and a third of the file would be slack.
            self.conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        try:
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            raise _map_error(exc, self.path) from exc
        if str(mode).lower() != "wal":
            log.warning("archive %s: journal mode is %s, not WAL", self.path, mode)
        self.conn.execute("PRAGMA synchronous = NORMAL")
        version = self._check_version()
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            # Re-read inside the write lock: another process may have migrated.
            version = self._check_version()
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](self.db)
                self.conn.execute(f"PRAGMA user_version = {target}")
                log.info("archive %s migrated to schema version %d", self.path, target)

    # -- feeds -------------------------------------------------------------

    def sync_feeds(self, feeds: Sequence[FeedConfig], *, now: datetime | None = None) -> None:
        """Make the archive's config feeds match the config.

        Feeds new in the config are added; feeds gone from it are removed
        (their stories and sources stay); category, title and interval follow
        the config. Feeds added with ``feeds add`` are left alone.

        Args:
            feeds: the configured feeds.
            now: the current time (UTC).
        """
        now = now or utcnow()
        wanted = {f.url: f for f in feeds}
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT id, config_url FROM feeds WHERE origin = 'config'"
            ).fetchall()
            existing = {r[1]: r[0] for r in rows}
            for url, feed_id in existing.items():
                if url not in wanted:
                    _delete_feed(conn, feed_id)
                    log.info("feed removed from config: %s", url)
            for url, f in wanted.items():
                interval = int(f.interval.total_seconds()) if f.interval else None
                if url in existing:
                    conn.execute(
                        "UPDATE feeds SET category = ?, config_title = ?, interval = ?,"
                        " enabled = CASE WHEN ? THEN enabled ELSE 0 END,"
                        " full_text = ? WHERE id = ?",
                        (f.category, f.title, interval, f.enabled, f.full_text, existing[url]),
                    )
                    if f.enabled:
                        conn.execute(
                            "UPDATE feeds SET enabled = 1 WHERE id = ? AND disabled_reason = ''",
                            (existing[url],),
                        )
                    continue
                clash = conn.execute(
                    "SELECT id, origin FROM feeds WHERE url = ? OR config_url = ?", (url, url)
                ).fetchone()
                if clash:
                    # Added by hand before it was in the config: the config takes it over.
                    conn.execute(
                        "UPDATE feeds SET origin = 'config', config_url = ?, category = ?,"
                        " config_title = ?, interval = ?, full_text = ? WHERE id = ?",
                        (url, f.category, f.title, interval, f.full_text, clash[0]),
                    )
                    continue
                conn.execute(
                    "INSERT INTO feeds (url, config_url, origin, category, config_title,"
                    " interval, enabled, full_text, added_at)"
                    " VALUES (?, ?, 'config', ?, ?, ?, ?, ?, ?)",
                    (url, url, f.category, f.title, interval, f.enabled, f.full_text, to_db(now)),
                )

    def add_feed(
        self, url: str, *, category: str = "general", title: str = "", now: datetime | None = None
    ) -> FeedState:
        """Add a feed by hand (``feeds add``).

        Args:
            url: the feed's URL (already validated).
            category: its category.
            title: an optional title.
            now: the current time (UTC).

        Returns:
            The stored feed.

        Raises:
            FeedError: the feed is already in the archive.
        """
        with self.transaction() as conn:
            self.ensure_new_feed(url)
            conn.execute(
                "INSERT INTO feeds (url, config_url, origin, category, config_title, added_at)"
                " VALUES (?, ?, 'cli', ?, ?, ?)",
                (url, url, category, title, to_db(now or utcnow())),
            )
        return self.get_feed(url)

    def ensure_new_feed(self, url: str) -> None:
        """Check that a feed is not in the archive yet.

        Args:
            url: the feed's URL.

        Raises:
            FeedError: it is (by its current or configured URL).
        """
        row = self.conn.execute(
            "SELECT url FROM feeds WHERE url = ? OR config_url = ?", (url, url)
        ).fetchone()
        if row:
            raise FeedError(f"feed already added: {row[0]}", url=url)

    def remove_feed(self, url: str) -> FeedState:
        """Remove a feed; its stories and their sources stay in the archive.

        Args:
            url: the feed's URL (current or as configured).

        Returns:
            The removed feed.

        Raises:
            FeedError: no such feed.
        """
        feed = self.get_feed(url)
        with self.transaction() as conn:
            _delete_feed(conn, feed.id)
        return feed

    def get_feed(self, url: str) -> FeedState:
        """Look a feed up by its current or configured URL.

        Args:
            url: the URL.

        Returns:
            The feed.

        Raises:
            FeedError: no such feed.
        """
        rows = self._feed_rows("WHERE f.url = ? OR f.config_url = ?", (url, url))
        if not rows:
            raise FeedError(f"no such feed: {url}", url=url)
        return rows[0]

    def list_feeds(self, *, due_before: datetime | None = None) -> list[FeedState]:
        """List feeds, in the order they were added.

        Args:
            due_before: only enabled feeds whose next fetch is at or before this time.

        Returns:
            The feeds with their fetch state and story counts.
        """
        if due_before is None:
            return self._feed_rows("", ())
        return self._feed_rows(
            "WHERE f.enabled = 1 AND (f.next_fetch IS NULL OR f.next_fetch <= ?)",
            (to_db(due_before),),
        )

    def _feed_rows(self, where: str, params: tuple[Any, ...]) -> list[FeedState]:
        sql = (
            "SELECT f.id, f.url, f.category, COALESCE(NULLIF(f.config_title, ''), f.title),"
            " f.etag, f.last_modified, f.last_fetched, f.last_status, f.last_error,"
            " f.error_count, f.next_fetch, f.enabled,"
            " (SELECT COUNT(*) FROM sources s WHERE s.feed_id = f.id),"
            " f.interval, f.adaptive_interval, f.ttl, f.full_text, f.config_url"
            f" FROM feeds f {where} ORDER BY f.id"
        )
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _map_error(exc, self.path) from exc
        return [
            FeedState(
                id=r[0],
                url=r[1],
                category=r[2],
                title=r[3] or "",
                etag=r[4] or "",
                last_modified=r[5] or "",
                last_fetched=from_db(r[6]),
                last_status=r[7] or "",
                last_error=r[8] or "",
                error_count=r[9],
                next_fetch=from_db(r[10]),
                enabled=bool(r[11]),
                stories=r[12],
                interval=timedelta(seconds=r[13]) if r[13] else None,
                adaptive_interval=timedelta(seconds=r[14]) if r[14] else None,
                ttl=timedelta(seconds=r[15]) if r[15] else None,
                full_text=bool(r[16]),
                config_url=r[17] or "",
            )
            for r in rows
        ]

    def feed_details(self) -> list[dict[str, Any]]:
        """Every feed row as a plain dict (for ``status`` and ``feeds list --json``).

        Returns:
            One dict per feed with every stored column and ``stories``.
        """
        cur = self.conn.execute(
            "SELECT f.*, (SELECT COUNT(*) FROM sources s WHERE s.feed_id = f.id) AS stories"
            " FROM feeds f ORDER BY f.id"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # -- writes ------------------------------------------------------------

    def store_poll(
        self,
        feed: FeedState,
        stories: Sequence[Story],
        update: FeedUpdate,
        *,
        generator: str = "",
        fingerprints: Sequence[int] | None = None,
        generators: Sequence[str] | None = None,
        signatures: Sequence[neardup.Signature] | None = None,
    ) -> StoreCounts:
        """Store one feed's poll: its stories, their sources and the feed's state, atomically.

        Deduplication: the same (feed, guid) is an update of the story; the
        same canonical URL, the same title + body, or a near duplicate within
        the window (:mod:`aggregator.store.dedupe`) is a new source of the
        existing story, which keeps its earliest date and takes a
        substantially fuller text.

        Args:
            feed: the feed polled (as read before the poll).
            stories: the normalized stories, with questions.
            update: the feed's new fetch state.
            generator: the name of the question generator that wrote the questions.
            fingerprints: each story's :func:`~aggregator.dedupe.urls.fingerprint`, when the
                caller computed them already (in a parser process); ``None`` computes them.
            generators: each story's generator name, overriding ``generator``.
            signatures: each story's :func:`~aggregator.dedupe.neardup.signature`, when the
                caller computed them already; ``None`` computes them.

        Returns:
            What was stored.

        Raises:
            ArchiveError: nothing was written (locked, full, read-only).
        """
        counts = StoreCounts()
        seen_at = update.fetched_at
        with self.transaction() as conn:
            for i, story in enumerate(stories):
                counts += self._store_story(
                    conn,
                    story,
                    feed_id=feed.id,
                    seen_at=seen_at,
                    generator=generators[i] if generators is not None else generator,
                    fp=fingerprints[i] if fingerprints is not None else None,
                    sig=signatures[i] if signatures else None,
                )[0]
            self._update_feed(conn, feed.id, update)
        return counts

    def record_feed(self, feed: FeedState, update: FeedUpdate) -> None:
        """Store a feed's new fetch state alone (not modified, or an error).

        Args:
            feed: the feed polled.
            update: its new fetch state.

        Raises:
            ArchiveError: nothing was written.
        """
        with self.transaction() as conn:
            self._update_feed(conn, feed.id, update)

    def _update_feed(self, conn: sqlite3.Connection, feed_id: int, u: FeedUpdate) -> None:
        error_count_sql = "0" if u.status != "error" else "error_count + 1"
        ttl_seconds = int(u.ttl.total_seconds()) if u.ttl is not None else None
        conn.execute(
            "UPDATE feeds SET last_fetched = ?, last_status = ?, last_error = ?,"
            f" error_count = {error_count_sql}, next_fetch = ?, next_reason = ?,"
            " etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),"
            " title = COALESCE(?, title), site_url = COALESCE(?, site_url),"
            " last_success = CASE WHEN ? != 'error' THEN ? ELSE last_success END,"
            " adaptive_interval = COALESCE(?, adaptive_interval),"
            " ttl = CASE WHEN ? IS NULL THEN ttl ELSE NULLIF(?, 0) END,"
            " filtered = COALESCE(?, filtered)"
            " WHERE id = ?",
            (
                to_db(u.fetched_at),
                u.status,
                u.error,
                to_db(u.next_fetch),
                u.next_reason,
                u.etag,
                u.last_modified,
                u.title,
                u.site_url,
                u.status,
                to_db(u.fetched_at),
                int(u.adaptive_interval.total_seconds()) if u.adaptive_interval else None,
                ttl_seconds,
                ttl_seconds,
                u.filtered,
                feed_id,
            ),
        )
        if u.url:
            clash = conn.execute(
                "SELECT id FROM feeds WHERE url = ? AND id != ?", (u.url, feed_id)
            ).fetchone()
            if clash is None:
                conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (u.url, feed_id))
        if u.disable:
            conn.execute(
                "UPDATE feeds SET enabled = 0, disabled_reason = ? WHERE id = ?",
                (u.disable, feed_id),
            )

    def _store_story(
        self,
        conn: sqlite3.Connection,
        story: Story,
        *,
        feed_id: int | None,
        seen_at: datetime,
        generator: str,
        fp: int | None = None,
        sig: neardup.Signature | None = None,
    ) -> tuple[StoreCounts, int]:
        fp = fp if fp is not None else fingerprint(story.title, story.body)
        sig = dedupe_ops.signature_for(story.body, sig, params=self.dedupe)
        curl = story.canonical_url if _usable_canonical(story.canonical_url) else None
        ukey = url_key(curl) if curl is not None else None
        now = to_db(seen_at)
        if feed_id is not None and story.guid:
            row = _sighting(conn, feed_id, story.guid)
            if row is not None:
                source_id, story_id, source_fp, story_fp = row
                if source_fp == fp:
                    return StoreCounts(unchanged=1), story_id
                conn.execute("UPDATE sources SET fingerprint = ? WHERE id = ?", (fp, source_id))
                if story_fp != source_fp:
                    # The story shows another source's text; this sighting changed, not it.
                    return StoreCounts(unchanged=1), story_id
                dedupe_ops.reindex_text(conn, story_id, sig.values, params=self.dedupe)
                self._update_story(conn, story_id, story, fp, now, generator)
                links_ops.replace_links(conn, story_id, story)
                return StoreCounts(updated=1), story_id
        existing = None
        if curl is not None:
            same_url = dedupe_ops.url_match(conn, curl, story.url)
            existing = (same_url,) if same_url is not None else None
        feed_ids = (feed_id,) if feed_id is not None else ()
        if existing is None and fp:
            same_text = dedupe_ops.exact_match(
                conn,
                fp=fp,
                published=story.published,
                words=sig.words,
                feed_ids=feed_ids,
                params=self.dedupe,
            )
            existing = (same_text,) if same_text is not None else None
        if existing is None:
            near = dedupe_ops.near_match(
                conn,
                title=story.title,
                body=story.body,
                published=story.published,
                signature=sig,
                feed_ids=feed_ids,
                params=self.dedupe,
            )
            existing = (near[0],) if near is not None else None
        if existing is not None:
            story_id = existing[0]
            if (
                feed_id is None
                and conn.execute(
                    "SELECT 1 FROM sources s JOIN stories t ON t.id = s.story_id"
                    " WHERE s.story_id = ? AND s.feed_id IS NULL AND COALESCE(s.url, t.url) = ?",
                    (story_id, story.url),
                ).fetchone()
            ):
                inserted = 0  # imported from there before: no second source
            else:
                inserted = conn.execute(
                    "INSERT OR IGNORE INTO sources"
                    " (story_id, feed_id, url, guid, fingerprint, seen_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (story_id, feed_id, story.url, story.guid, fp, now),
                ).rowcount
            # The story keeps its earliest date, and takes a substantially fuller text.
            dedupe_ops.absorb(
                conn,
                story_id,
                story,
                fp=fp,
                signature=sig,
                generator=generator,
                now=now,
                params=self.dedupe,
            )
            links_ops.add_links(conn, story_id, story)
            counts = StoreCounts(duplicate=1) if inserted else StoreCounts(unchanged=1)
            return counts, story_id
        story_id = conn.execute(
            "INSERT INTO stories (category, title, body, questions, actions, published, url,"
            " url_key, fingerprint, author, tags, generator)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                story.category,
                story.title,
                story.body,
                "\n".join(story.questions),
                "\n".join(story.actions),
                to_db(story.published),
                story.url,
                ukey,
                fp or None,
                story.author,
                "\n".join(story.tags),
                generator,
            ),
        ).lastrowid
        # The first sighting's URL is the story's own: NULL here means "the story's url"
        # (a copy of every link would cost ~70 bytes a story; readers COALESCE).
        conn.execute(
            "INSERT OR IGNORE INTO sources (story_id, feed_id, url, guid, fingerprint, seen_at)"
            " VALUES (?, ?, NULL, ?, ?, ?)",
            (story_id, feed_id, story.guid, fp, now),
        )
        dedupe_ops.index_story(conn, int(story_id or 0), sig.values, story.published)
        links_ops.add_links(conn, int(story_id or 0), story)
        return StoreCounts(new=1), int(story_id or 0)

    def _update_story(
        self,
        conn: sqlite3.Connection,
        story_id: int,
        story: Story,
        fp: int,
        now: str | None,
        generator: str,
    ) -> None:
        conn.execute(
            "UPDATE stories SET title = ?, body = ?, questions = ?, actions = ?,"
            " fingerprint = ?, author = ?, tags = ?, generator = ?, updated_at = ?,"
            " url_key = COALESCE(url_key, ?) WHERE id = ?",
            (
                story.title,
                story.body,
                "\n".join(story.questions),
                "\n".join(story.actions),
                fp or None,
                story.author,
                "\n".join(story.tags),
                generator,
                now,
                url_key(story.canonical_url) if _usable_canonical(story.canonical_url) else None,
                story_id,
            ),
        )

    def import_stories(
        self, stories: Iterable[Story], *, generator: str = "imported", now: datetime | None = None
    ) -> list[tuple[int, str]]:
        """Archive stories that come from documents rather than feeds, in one transaction.

        Args:
            stories: the stories (questions included).
            generator: who wrote their questions.
            now: the current time (UTC).

        Returns:
            ``(story id, outcome)`` for each, outcome ``new`` or ``duplicate``.

        Raises:
            ArchiveError: nothing was written.
        """
        seen_at = now or utcnow()
        out: list[tuple[int, str]] = []
        with self.transaction() as conn:
            for story in stories:
                counts, story_id = self._store_story(
                    conn, story, feed_id=None, seen_at=seen_at, generator=generator
                )
                out.append((story_id, "new" if counts.new else "duplicate"))
        return out

    # -- reads -------------------------------------------------------------

    def get_story(self, story_id: int) -> StoredStory:
        """Read one story with its sources.

        Args:
            story_id: the story's id.

        Returns:
            The story.

        Raises:
            StoryNotFound: no story has that id.
        """
        row = self.conn.execute(
            "SELECT id, category, title, body, questions, actions, published, url,"
            " NULL, author, tags, generator, NULL, updated_at,"
            f" {links_ops.links_column('stories.id')}"
            " FROM stories WHERE id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            raise StoryNotFound(f"no story with id {story_id}")
        sources = tuple(
            _source(s)
            for s in self.conn.execute(
                "SELECT COALESCE(f.url, s.feed_url), COALESCE(s.url, t.url), s.guid, s.seen_at,"
                " COALESCE(NULLIF(f.config_title, ''), f.title, '')"
                " FROM sources s JOIN stories t ON t.id = s.story_id"
                " LEFT JOIN feeds f ON f.id = s.feed_id"
                " WHERE s.story_id = ? ORDER BY s.seen_at, s.id",
                (story_id,),
            )
        )
        return _stored_story(row, sources)

    def classify(
        self, feed_id: int, stories: Sequence[Story], fingerprints: Sequence[int]
    ) -> list[str]:
        """Tell, without writing, what :meth:`store_poll` would do with each story.

        The pipeline asks before spending a network request on a story (an
        article page for full text, an LLM call for questions): only stories
        the archive does not hold as they are deserve one.

        Args:
            feed_id: the feed the stories come from.
            stories: the normalized stories.
            fingerprints: their :func:`~aggregator.dedupe.urls.fingerprint` values.

        Returns:
            Per story: ``new`` (a story the archive lacks), ``changed`` (its text
            changed since this feed last carried it) or ``known`` (archived as it
            is, or a new sighting of an archived story).
        """
        out: list[str] = []
        conn = self.conn
        for story, fp in zip(stories, fingerprints, strict=True):
            if story.guid:
                row = _sighting(conn, feed_id, story.guid)
                if row is not None:
                    _, _, source_fp, story_fp = row
                    out.append("known" if source_fp == fp or story_fp != source_fp else "changed")
                    continue
            curl = story.canonical_url if _usable_canonical(story.canonical_url) else None
            if (
                curl is not None
                and conn.execute(
                    "SELECT 1 FROM stories WHERE url_key = ? LIMIT 1", (url_key(curl),)
                ).fetchone()
            ) or (
                fp
                and conn.execute(
                    "SELECT 1 FROM stories WHERE fingerprint = ? LIMIT 1", (fp,)
                ).fetchone()
            ):
                out.append("known")
            else:
                out.append("new")
        return out

    def iter_stories(
        self,
        *,
        since: datetime | None = None,
        skip_generators: Sequence[str] = (),
        batch: int = 500,
    ) -> Iterator[tuple[int, Story]]:
        """Every story (or those published since a time), oldest id first, read in batches.

        Each batch is read whole before it is yielded, so the caller may write
        between batches (keyset paging by id: updates do not move the cursor).

        Args:
            since: only stories published at or after this time (UTC).
            skip_generators: leave out stories whose questions these generators wrote.
            batch: rows read per query.

        Yields:
            ``(story id, story)``; the story carries its stored questions.
        """
        last = 0
        since_db = to_db(since) if since is not None else ""
        marks = ", ".join("?" * len(skip_generators))
        while True:
            rows = self.conn.execute(
                "SELECT id, category, title, body, published, url, NULL, questions"
                " FROM stories WHERE id > ? AND published >= ?"
                f" AND generator NOT IN ({marks}) ORDER BY id LIMIT ?",
                (last, since_db, *skip_generators, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield (
                    row[0],
                    Story(
                        category=row[1],
                        title=row[2],
                        body=row[3],
                        published=from_db(row[4]) or utcnow(),
                        url=row[5] or "",
                        canonical_url=canonical_url(row[5]) if row[5] else "",
                        questions=_lines(row[7]),
                    ),
                )
            last = rows[-1][0]

    def update_questions(
        self, updates: Sequence[tuple[int, Sequence[str], str]], *, now: datetime
    ) -> None:
        """Replace the questions of stories, in one transaction (the FTS index follows).

        Args:
            updates: ``(story id, questions, generator name)`` triples.
            now: the time of the change (UTC), the stories' ``updated_at``.

        Raises:
            ArchiveError: nothing was written.
        """
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE stories SET questions = ?, generator = ?, updated_at = ? WHERE id = ?",
                [
                    ("\n".join(questions), generator, to_db(now), story_id)
                    for story_id, questions, generator in updates
                ],
            )

    def related(
        self, story_id: int, *, limit: int = 3, window: timedelta = timedelta(days=7)
    ) -> list[tuple[int, str]]:
        """Archived stories close to one story: same key terms in the title, near in time.

        Candidates come from the FTS5 index (any of the title's key terms in a
        title, best BM25 first) published within ``window`` of the story; a
        candidate is kept when its title shares at least two key terms with the
        story's (see :mod:`aggregator.story.related`) and it is not the story itself or
        another copy of one of its sources.

        Args:
            story_id: the story.
            limit: at most this many.
            window: how far before or after the story's date a related one may be.

        Returns:
            ``(id, title)`` pairs, closest first; ``[]`` when there are none.

        Raises:
            StoryNotFound: no story has that id.
        """
        row = self.conn.execute(
            "SELECT title, published FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            raise StoryNotFound(f"no story with id {story_id}")
        terms = key_terms(row[0])
        query = fts_query(terms)
        published = from_db(row[1])
        if not query or published is None:
            return []
        try:
            rows = self.conn.execute(
                "SELECT s.id, s.title, s.url FROM stories_fts"
                " JOIN stories s ON s.id = stories_fts.rowid"
                " WHERE stories_fts MATCH ? AND s.id != ? AND s.published BETWEEN ? AND ?"
                " ORDER BY bm25(stories_fts) LIMIT ?",
                (query, story_id, to_db(published - window), to_db(published + window), limit * 8),
            ).fetchall()
        except sqlite3.Error as exc:
            log.warning("related stories of %d: %s", story_id, exc)
            return []
        source_urls = {
            r[0]
            for r in self.conn.execute(
                "SELECT COALESCE(s.url, t.url) FROM sources s JOIN stories t ON t.id = s.story_id"
                " WHERE s.story_id = ?",
                (story_id,),
            )
            if r[0]
        }
        out: list[tuple[int, str]] = []
        for other_id, title, url in rows:
            if url in source_urls or not is_close(terms, title):
                continue
            out.append((other_id, title))
            if len(out) == limit:
                break
        return out

    def count_stories(
        self, *, since: datetime | None = None, skip_generators: Sequence[str] = ()
    ) -> int:
        """The number of stories in the archive.

        Args:
            since: count only stories published at or after this time (UTC).
            skip_generators: leave out stories whose questions these generators wrote.

        Returns:
            The count.
        """
        if since is None and not skip_generators:
            return int(self.conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0])
        marks = ", ".join("?" * len(skip_generators))
        return int(
            self.conn.execute(
                f"SELECT COUNT(*) FROM stories WHERE published >= ? AND generator NOT IN ({marks})",
                (to_db(since) if since is not None else "", *skip_generators),
            ).fetchone()[0]
        )

    def stories_between(
        self, since: datetime, until: datetime, *, categories: Sequence[str] = ()
    ) -> list[StoredStory]:
        """Read every story published in ``[since, until)``, with its sources (for digests).

        Two queries in one read transaction (a consistent snapshot beside a
        writer): the stories, then all their sources at once.

        Args:
            since: the first instant included (UTC).
            until: the first instant excluded (UTC).
            categories: only these categories (any case); empty for all.

        Returns:
            The stories, newest first; each story's sources earliest first.

        Raises:
            ArchiveError: the archive cannot be read.
        """
        where = "published >= ? AND published < ?"
        params: list[Any] = [to_db(since), to_db(until)]
        wanted = sorted({c.strip().upper() for c in categories if c.strip()})
        if wanted:
            where += f" AND UPPER(category) IN ({', '.join('?' for _ in wanted)})"
            params += wanted
        try:
            self.conn.execute("BEGIN")
            try:
                rows = self.conn.execute(
                    "SELECT id, category, title, body, questions, actions, published, url,"
                    " NULL, author, tags, generator, NULL, updated_at,"
                    f" {links_ops.links_column('stories.id')}"
                    f" FROM stories WHERE {where} ORDER BY published DESC, id",
                    params,
                ).fetchall()
                source_rows = self.conn.execute(
                    "SELECT s.story_id, COALESCE(f.url, s.feed_url), COALESCE(s.url, t.url),"
                    " s.guid, s.seen_at, COALESCE(NULLIF(f.config_title, ''), f.title, '')"
                    " FROM sources s JOIN stories t ON t.id = s.story_id"
                    " LEFT JOIN feeds f ON f.id = s.feed_id"
                    f" WHERE s.story_id IN (SELECT id FROM stories WHERE {where})"
                    " ORDER BY s.story_id, s.seen_at, s.id",
                    params,
                ).fetchall()
            finally:
                self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise _map_error(exc, self.path) from exc
        sources: dict[int, list[Source]] = {}
        for s in source_rows:
            sources.setdefault(s[0], []).append(_source(s[1:]))
        return [_stored_story(row, tuple(sources.get(row[0], ()))) for row in rows]

    def published_range(self) -> tuple[datetime | None, datetime | None]:
        """The oldest and newest stories' published times (UTC), ``(None, None)`` when empty."""
        row = self.conn.execute("SELECT MIN(published), MAX(published) FROM stories").fetchone()
        return from_db(row[0]), from_db(row[1])

    def integrity_errors(self) -> list[str]:
        """Run SQLite's and FTS5's integrity checks.

        Returns:
            The problems found; empty when the archive is sound.
        """
        problems = [
            r[0] for r in self.conn.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"
        ]
        try:
            self.conn.execute("INSERT INTO stories_fts(stories_fts) VALUES ('integrity-check')")
        except sqlite3.Error as exc:
            problems.append(f"stories_fts: {exc}")
        return problems

    def maintain(self, *, seconds: float | None = None) -> bool:
        """Keep search fast: merge the FTS5 index's segments, refresh the planner's statistics.

        Every write adds a small segment to the index, and FTS5 merges them only
        now and then; a search reads every segment. ``PRAGMA optimize`` refreshes
        what the query planner knows of the indexes. Run daily by the daemon
        (with a time budget) and by ``aggregator maintain`` (issue 6). Each merge
        step is its own short transaction, so other writers wait at most one step.

        Args:
            seconds: stop merging after about this long (the rest is left for next
                time); ``None`` merges the whole index into one segment.

        Returns:
            Whether the index is now one segment.

        Raises:
            ArchiveError: the archive is read-only or busy.
        """
        deadline = None if seconds is None else time.monotonic() + seconds
        while True:
            before = self.conn.total_changes
            with self.transaction() as conn:
                # A negative 'merge' is an incremental 'optimize' (about this many pages a step).
                conn.execute(
                    "INSERT INTO stories_fts(stories_fts, rank) VALUES ('merge', ?)",
                    (-_MERGE_PAGES,),
                )
            done = self.conn.total_changes - before < 2  # FTS5's sign that nothing was left
            if done or (deadline is not None and time.monotonic() >= deadline):
                break
        try:
            self.conn.execute("PRAGMA optimize")
        except sqlite3.Error as exc:
            raise _map_error(exc, self.path) from exc
        return done


def _source(row: Sequence[Any]) -> Source:
    """A Source from ``(feed url, url, guid, seen_at, feed title)`` as the archive selects it."""
    return Source(
        feed_url=row[0] or "",
        url=row[1] or "",
        guid=row[2] or "",
        seen_at=from_db(row[3]) or utcnow(),
        feed_title=row[4] or "",
    )


def _stored_story(row: Sequence[Any], sources: tuple[Source, ...]) -> StoredStory:
    """A StoredStory from a ``stories`` row (the column order of get_story, the links
    column of :func:`~aggregator.store.links.links_column` last) and its sources.

    ``first_seen`` is not stored: it is the first sighting's time (the earliest source).
    """
    first_seen = min((src.seen_at for src in sources), default=None)
    enclosures, comments = links_ops.parse_links(row[14] if len(row) > 14 else None)
    return StoredStory(
        id=row[0],
        story=Story(
            category=row[1],
            title=row[2],
            body=row[3],
            questions=_lines(row[4]),
            actions=_lines(row[5]),
            published=from_db(row[6]) or utcnow(),
            url=row[7] or "",
            canonical_url=canonical_url(row[7]) if row[7] else "",
            author=row[9] or "",
            tags=_lines(row[10]),
            enclosures=enclosures,
            comments=comments,
        ),
        generator=row[11] or "",
        first_seen=first_seen or from_db(row[6]) or utcnow(),
        updated_at=from_db(row[13]) or first_seen or utcnow(),
        sources=sources,
    )


def _sighting(conn: sqlite3.Connection, feed_id: int, guid: str) -> tuple[Any, ...] | None:
    """The source of (feed, guid): ``(source id, story id, source fingerprint,
    story fingerprint)``, or ``None`` when the feed never carried that entry."""
    row: tuple[Any, ...] | None = conn.execute(
        "SELECT s.id, s.story_id, s.fingerprint, t.fingerprint FROM sources s"
        " JOIN stories t ON t.id = s.story_id WHERE s.feed_id = ? AND s.guid = ?",
        (feed_id, guid),
    ).fetchone()
    return row


def _delete_feed(conn: sqlite3.Connection, feed_id: int) -> None:
    """Delete a feed; its sources keep its URL (stored only now, to keep rows small)."""
    conn.execute(
        "UPDATE sources SET feed_url = (SELECT url FROM feeds WHERE id = ?) WHERE feed_id = ?",
        (feed_id, feed_id),
    )
    conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line for line in (text or "").split("\n") if line)


def _usable_canonical(url: str) -> bool:
    """A canonical URL identifies a story only if it points below a site's root.

    Feeds that link every item to their home page must not merge their items.
    """
    if not url:
        return False
    rest = url.split("://", 1)[-1]
    path = rest.split("/", 1)[1] if "/" in rest else ""
    return bool(path.strip("/")) or "?" in rest
