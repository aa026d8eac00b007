"""Feeds in the archive: the configured and hand-added feeds, and their fetch state.

A feed row holds its URL (current, and as configured), category, title, the
validators of the next conditional GET, when to poll next and why, and its
error count. Removing a feed keeps its stories and their sources.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aggregator.errors import FeedError
from aggregator.models import FeedState
from aggregator.store.base import ArchiveBase, map_error
from aggregator.timeutil import from_db, to_db, utcnow

if TYPE_CHECKING:
    from aggregator.models import FeedConfig

__all__ = ["FeedUpdate", "FeedsMixin", "delete_feed", "reattach_sources", "update_feed"]

log = logging.getLogger(__name__)


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


class FeedsMixin(ArchiveBase):
    """The archive's feed methods."""

    def sync_feeds(self, feeds: Sequence[FeedConfig], *, now: datetime | None = None) -> None:
        """Make the archive's config feeds match the config.

        Feeds new in the config are added; feeds gone from it are retired, never
        deleted: they keep their id, fetch state, title and sources, are not
        polled, and come back whole when the config lists them again. Category,
        title and interval follow the config. Feeds added with ``feeds add`` are
        left alone.

        Args:
            feeds: the configured feeds.
            now: the current time (UTC).
        """
        now = now or utcnow()
        wanted = {f.url: f for f in feeds}
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT config_url, id, category, config_title, interval, enabled, full_text,"
                " retired_at IS NOT NULL, disabled_reason FROM feeds WHERE origin = 'config'"
            ).fetchall()
            existing = {r[0]: r[1:] for r in rows}
            for url, row in existing.items():
                if url not in wanted:
                    retired = conn.execute(
                        "UPDATE feeds SET retired_at = ? WHERE id = ? AND retired_at IS NULL",
                        (to_db(now), row[0]),
                    ).rowcount
                    if retired:
                        log.info("feed retired (no longer in the config): %s", url)
            # Feeds the config describes as the archive does are not written at all:
            # every command that polls syncs first, and a thousand unchanged feeds
            # were two thousand UPDATEs before each poll.
            changed: list[tuple[Any, ...]] = []
            for url, f in wanted.items():
                interval = int(f.interval.total_seconds()) if f.interval else None
                if url in existing:
                    feed_id, category, title, old_interval, enabled, full_text, retired, reason = (
                        existing[url]
                    )
                    # Disabled in the config: off. Enabled in it: on again, unless the
                    # archive disabled it for a reason of its own (410 Gone).
                    new_enabled = (1 if not reason else enabled) if f.enabled else 0
                    new = (f.category, f.title, interval, new_enabled, int(f.full_text))
                    if retired or new != (category, title, old_interval, enabled, full_text):
                        changed.append((*new, feed_id))
                    continue
                clash = conn.execute(
                    "SELECT id, origin FROM feeds WHERE url = ? OR config_url = ?", (url, url)
                ).fetchone()
                if clash:
                    # Added by hand before it was in the config: the config takes it over.
                    conn.execute(
                        "UPDATE feeds SET origin = 'config', config_url = ?, category = ?,"
                        " config_title = ?, interval = ?, full_text = ?, retired_at = NULL"
                        " WHERE id = ?",
                        (url, f.category, f.title, interval, f.full_text, clash[0]),
                    )
                    continue
                cur = conn.execute(
                    "INSERT INTO feeds (url, config_url, origin, category, config_title,"
                    " interval, enabled, full_text, added_at)"
                    " VALUES (?, ?, 'config', ?, ?, ?, ?, ?, ?)",
                    (url, url, f.category, f.title, interval, f.enabled, f.full_text, to_db(now)),
                )
                reattach_sources(conn, int(cur.lastrowid or 0), url)
            conn.executemany(
                "UPDATE feeds SET category = ?, config_title = ?, interval = ?, enabled = ?,"
                " full_text = ?, retired_at = NULL WHERE id = ?",
                changed,
            )
            if not changed:
                # A write statement that matches no row writes no page, but fails on an
                # archive that cannot be written: a poll follows, and that archive is
                # one clear error here rather than a failed store for every feed.
                conn.execute("UPDATE feeds SET id = id WHERE 1 = 0")

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
            retired = conn.execute(
                "SELECT id FROM feeds WHERE (url = ? OR config_url = ?) AND retired_at IS NOT NULL",
                (url, url),
            ).fetchone()
            if retired:
                # Retired when the config dropped it: it comes back whole, now owned by hand.
                conn.execute(
                    "UPDATE feeds SET origin = 'cli', category = ?, config_title = ?,"
                    " retired_at = NULL WHERE id = ?",
                    (category, title, retired[0]),
                )
            else:
                cur = conn.execute(
                    "INSERT INTO feeds (url, config_url, origin, category, config_title, added_at)"
                    " VALUES (?, ?, 'cli', ?, ?, ?)",
                    (url, url, category, title, to_db(now or utcnow())),
                )
                reattach_sources(conn, int(cur.lastrowid or 0), url)
        return self.get_feed(url)

    def ensure_new_feed(self, url: str) -> None:
        """Check that a feed is not in the archive yet.

        Args:
            url: the feed's URL.

        Raises:
            FeedError: it is (by its current or configured URL).
        """
        row = self.conn.execute(
            "SELECT url FROM feeds WHERE (url = ? OR config_url = ?) AND retired_at IS NULL",
            (url, url),
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
            delete_feed(conn, feed.id)
        return feed

    def pause_feed(self, feed_id: int, *, paused: bool) -> FeedState:
        """Pause a feed (it is not polled until resumed) or resume it.

        Resuming also re-enables a feed disabled by its server (410 Gone), for a
        feed that came back.

        Args:
            feed_id: the feed's id.
            paused: True to pause, False to resume.

        Returns:
            The feed as stored now.

        Raises:
            FeedError: no such feed.
        """
        self.feed_by_id(feed_id)
        with self.transaction() as conn:
            if paused:
                conn.execute(
                    "UPDATE feeds SET enabled = 0, disabled_reason = 'paused' WHERE id = ?",
                    (feed_id,),
                )
            else:
                conn.execute(
                    "UPDATE feeds SET enabled = 1, disabled_reason = '', next_fetch = NULL"
                    " WHERE id = ?",
                    (feed_id,),
                )
        return self.feed_by_id(feed_id)

    def edit_feed(
        self,
        feed_id: int,
        *,
        category: str | None = None,
        title: str | None = None,
        interval: timedelta | None = None,
    ) -> FeedState:
        """Change a hand-added feed's category, title or poll interval.

        Args:
            feed_id: the feed's id.
            category: the new category (``None`` keeps it).
            title: the new display title (``None`` keeps it; ``""`` shows the feed's own).
            interval: its own poll interval (``None`` keeps it; zero goes back to the
                schedule's default).

        Returns:
            The feed as stored now.

        Raises:
            FeedError: no such feed.
        """
        self.feed_by_id(feed_id)
        with self.transaction() as conn:
            if category is not None:
                conn.execute("UPDATE feeds SET category = ? WHERE id = ?", (category, feed_id))
            if title is not None:
                conn.execute("UPDATE feeds SET config_title = ? WHERE id = ?", (title, feed_id))
            if interval is not None:
                seconds = int(interval.total_seconds()) or None
                conn.execute(
                    "UPDATE feeds SET interval = ?, next_fetch = NULL WHERE id = ?",
                    (seconds, feed_id),
                )
        return self.feed_by_id(feed_id)

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

    def list_feeds(
        self, *, due_before: datetime | None = None, include_retired: bool = False
    ) -> list[FeedState]:
        """List feeds, in the order they were added.

        Args:
            due_before: only enabled feeds whose next fetch is at or before this time.
            include_retired: also the feeds the config no longer lists (never polled).

        Returns:
            The feeds with their fetch state and story counts.
        """
        live = "" if include_retired else f"{self._retired_column} IS NULL"
        if due_before is None:
            return self._feed_rows(f"WHERE {live}" if live else "", ())
        return self._feed_rows(
            f"WHERE {live or '1'} AND f.enabled = 1"
            " AND (f.next_fetch IS NULL OR f.next_fetch <= ?)",
            (to_db(due_before),),
        )

    def feed_by_id(self, feed_id: int) -> FeedState:
        """Look a feed up by its id (retired ones too).

        Args:
            feed_id: the id.

        Returns:
            The feed.

        Raises:
            FeedError: no such feed.
        """
        rows = self._feed_rows("WHERE f.id = ?", (feed_id,))
        if not rows:
            raise FeedError(f"no feed with id {feed_id}", url=str(feed_id))
        return rows[0]

    def _feed_rows(self, where: str, params: tuple[Any, ...]) -> list[FeedState]:
        sql = (
            "SELECT f.id, f.url, f.category, COALESCE(NULLIF(f.config_title, ''), f.title),"
            " f.etag, f.last_modified, f.last_fetched, f.last_status, f.last_error,"
            " f.error_count, f.next_fetch, f.enabled,"
            " (SELECT COUNT(*) FROM sources s WHERE s.feed_id = f.id),"
            " f.interval, f.adaptive_interval, f.ttl, f.full_text,"
            f" {self._retired_column}, f.config_url"
            f" FROM feeds f {where} ORDER BY f.id"
        )
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise map_error(exc, self.path) from exc
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
                retired=r[17] is not None,
                config_url=r[18] or "",
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

    def record_feed(self, feed: FeedState, update: FeedUpdate) -> None:
        """Store a feed's new fetch state alone (not modified, or an error).

        Args:
            feed: the feed polled.
            update: its new fetch state.

        Raises:
            ArchiveError: nothing was written.
        """
        with self.transaction() as conn:
            update_feed(conn, feed.id, update)

    def record_feeds(self, updates: Sequence[tuple[FeedState, FeedUpdate]]) -> None:
        """Store the new fetch state of several feeds in one transaction.

        A poll's unchanged feeds (304 Not Modified) are written this way: one
        commit for a batch instead of one per feed. Losing such a batch to a
        crash costs nothing but a fetch: the validators did not change.

        Args:
            updates: each feed polled and its new fetch state.

        Raises:
            ArchiveError: nothing was written.
        """
        if not updates:
            return
        with self.transaction() as conn:
            update_feeds(conn, [(feed.id, update) for feed, update in updates])


def update_feeds(conn: sqlite3.Connection, updates: Sequence[tuple[int, FeedUpdate]]) -> None:
    """Write several feeds' new fetch state (inside the caller's transaction).

    Updates of the same status share one ``executemany``; a new URL or a
    disabling is written feed by feed, as :func:`update_feed` does.
    """
    for status in dict.fromkeys(u.status for _, u in updates):
        conn.executemany(
            _update_feed_sql(status),
            [_update_feed_row(i, u) for i, u in updates if u.status == status],
        )
    for feed_id, u in updates:
        _update_feed_extras(conn, feed_id, u)


def _update_feed_sql(status: str) -> str:
    error_count_sql = "0" if status != "error" else "error_count + 1"
    return (
        "UPDATE feeds SET last_fetched = ?, last_status = ?, last_error = ?,"
        f" error_count = {error_count_sql}, next_fetch = ?, next_reason = ?,"
        " etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),"
        " title = COALESCE(?, title), site_url = COALESCE(?, site_url),"
        " last_success = CASE WHEN ? != 'error' THEN ? ELSE last_success END,"
        " adaptive_interval = COALESCE(?, adaptive_interval),"
        " ttl = CASE WHEN ? IS NULL THEN ttl ELSE NULLIF(?, 0) END,"
        " filtered = COALESCE(?, filtered)"
        " WHERE id = ?"
    )


def _update_feed_row(feed_id: int, u: FeedUpdate) -> tuple[Any, ...]:
    ttl_seconds = int(u.ttl.total_seconds()) if u.ttl is not None else None
    return (
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
    )


def _update_feed_extras(conn: sqlite3.Connection, feed_id: int, u: FeedUpdate) -> None:
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


def reattach_sources(conn: sqlite3.Connection, feed_id: int, url: str) -> None:
    """Give a feed added again (after ``feeds remove``) back the sources it left behind,
    so its stories do not count it twice ("Also covered by" the story's own feed)."""
    conn.execute(
        "UPDATE OR IGNORE sources SET feed_id = ?, feed_url = ''"
        " WHERE feed_id IS NULL AND feed_url = ?",
        (feed_id, url),
    )


def update_feed(conn: sqlite3.Connection, feed_id: int, u: FeedUpdate) -> None:
    """Write a feed's new fetch state (inside the caller's transaction)."""
    conn.execute(_update_feed_sql(u.status), _update_feed_row(feed_id, u))
    _update_feed_extras(conn, feed_id, u)


def delete_feed(conn: sqlite3.Connection, feed_id: int) -> None:
    """Delete a feed; its sources keep its URL (stored only now, to keep rows small)."""
    conn.execute(
        "UPDATE sources SET feed_url = (SELECT url FROM feeds WHERE id = ?) WHERE feed_id = ?",
        (feed_id, feed_id),
    )
    conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
