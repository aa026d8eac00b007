"""Retention: deleting the stories no feed keeps any more (``aggregator prune``).

Each sighting of a story (a row of ``sources``) is kept by the policy of the
feed that carried it:

- ``age``: stories published within this long before now are kept (``None``:
  forever, the default of an archiver);
- ``last``: only the feed's ``last`` newest stories are kept (``None``: no limit).

A sighting is *expired* when it is older than its feed's ``age`` or not among
its feed's ``last`` newest stories. Sightings of imported documents and of
feeds that left the config follow the archive's policy. A story is deleted
only when **every** one of its sightings is expired: a story another feed
still keeps loses nothing, not even the expired sighting.

Deleting a story deletes, in the same transaction, its sources and links
(foreign keys, ``ON DELETE CASCADE``), its row of the FTS5 index (the
``stories_ad`` trigger) and its near-duplicate band keys (``story_bands``),
so SQLite's and FTS5's integrity checks stay clean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from aggregator.store.archive import Archive
from aggregator.store.compact import date_param
from aggregator.store.events import forget_story_events

__all__ = ["KeepPolicy", "PruneReport", "expired_stories", "prune"]

_BATCH = 500


@dataclass(frozen=True, slots=True)
class KeepPolicy:
    """How long one feed's (or the archive's) stories are kept.

    Attributes:
        age: keep stories published within this long (``None``: forever).
        last: keep only the newest this many of the feed's stories (``None``: all).
    """

    age: timedelta | None = None
    last: int | None = None

    @property
    def forever(self) -> bool:
        """Whether this policy never lets a story go."""
        return self.age is None and self.last is None


@dataclass(frozen=True, slots=True)
class PruneReport:
    """What a prune did (or, dry, would do).

    Attributes:
        stories: stories deleted.
        sources: their sightings deleted with them.
        kept_by_other_feeds: stories with an expired sighting kept because another
            feed (or the archive's policy) still keeps them.
        dry_run: nothing was deleted.
    """

    stories: int
    sources: int
    kept_by_other_feeds: int
    dry_run: bool = False


def expired_stories(
    archive: Archive,
    *,
    default: KeepPolicy,
    feeds: Mapping[str, KeepPolicy],
    now: datetime,
) -> tuple[list[int], int, int]:
    """Find the stories every sighting of which is expired (reads only).

    Args:
        archive: the archive.
        default: the archive's policy (``[archive] keep``), for imported stories,
            feeds without their own and feeds no longer configured.
        feeds: policies by feed URL (the config's URL, or the feed's current one).
        now: the current time (UTC).

    Returns:
        ``(story ids, their sightings, stories kept by another sighting)``.
    """
    conn = archive.conn
    policies: list[tuple[int, int | str | None, int | None]] = []
    for feed_id, config_url, url in conn.execute("SELECT id, config_url, url FROM feeds"):
        policy = feeds.get(config_url) or feeds.get(url)
        if policy is not None and policy != default:
            cutoff = date_param(conn, now - policy.age) if policy.age is not None else None
            policies.append((feed_id, cutoff, policy.last))
    default_cutoff = date_param(conn, now - default.age) if default.age is not None else None
    if default_cutoff is None and default.last is None and not policies:
        return [], 0, 0
    values = " UNION ALL ".join("SELECT ?, ?, ?" for _ in policies) or "SELECT 0, NULL, NULL"
    params: list[object] = [v for row in policies for v in row]
    # Per sighting: its feed's cutoff and limit (the archive's when the feed has none),
    # and its rank among the feed's stories, newest first.
    sql = f"""
        WITH policy(feed_id, cutoff, keep_last) AS ({values}),
        ranked AS (
            SELECT s.id AS source_id, s.story_id, t.published,
                CASE WHEN p.feed_id IS NULL THEN ? ELSE p.cutoff END AS cutoff,
                CASE WHEN p.feed_id IS NULL THEN ? ELSE p.keep_last END AS keep_last,
                CASE WHEN s.feed_id IS NULL THEN 1 ELSE ROW_NUMBER() OVER (
                    PARTITION BY s.feed_id ORDER BY t.published DESC, t.id DESC) END AS n
            FROM sources s JOIN stories t ON t.id = s.story_id
            LEFT JOIN policy p ON p.feed_id = s.feed_id AND s.feed_id IS NOT NULL
        ),
        expired AS (
            SELECT story_id FROM ranked
            WHERE (cutoff IS NOT NULL AND published < cutoff)
               OR (keep_last IS NOT NULL AND n > keep_last)
        ),
        counted AS (
            SELECT e.story_id, COUNT(*) AS gone,
                (SELECT COUNT(*) FROM sources s WHERE s.story_id = e.story_id) AS seen
            FROM expired e GROUP BY e.story_id
        )
        SELECT story_id, seen, gone = seen FROM counted ORDER BY story_id
    """
    params += [default_cutoff, default.last]
    ids: list[int] = []
    sources = 0
    kept = 0
    for story_id, seen, all_gone in conn.execute(sql, params):
        if all_gone:
            ids.append(int(story_id))
            sources += int(seen)
        else:
            kept += 1
    return ids, sources, kept


def prune(
    archive: Archive,
    *,
    default: KeepPolicy,
    feeds: Mapping[str, KeepPolicy],
    now: datetime,
    dry_run: bool = False,
) -> PruneReport:
    """Delete the stories no policy keeps, with everything that belongs to them.

    One transaction: a prune cut short leaves the archive as it was.

    Args:
        archive: the archive (writable unless ``dry_run``).
        default: the archive's policy.
        feeds: policies by feed URL.
        now: the current time (UTC).
        dry_run: only count.

    Returns:
        What was (or would be) deleted.

    Raises:
        ArchiveError: nothing was deleted (locked, read-only, disk full).
    """
    if dry_run:
        ids, sources, kept = expired_stories(archive, default=default, feeds=feeds, now=now)
        return PruneReport(len(ids), sources, kept, dry_run=True)
    with archive.transaction() as conn:
        # Found inside the write lock: a poll cannot add a sighting in between.
        ids, sources, kept = expired_stories(archive, default=default, feeds=feeds, now=now)
        if ids:
            # Events first, while the stories still exist: an event that loses
            # stories gets a new headline and span, or dissolves.
            forget_story_events(conn, ids)
            for start in range(0, len(ids), _BATCH):
                batch = ids[start : start + _BATCH]
                marks = ", ".join("?" * len(batch))
                conn.execute(f"DELETE FROM stories WHERE id IN ({marks})", batch)
            # story_bands has no foreign key (a WITHOUT ROWID index keyed by band):
            # one pass over it, whatever the [dedupe] settings were when it was built.
            conn.execute("DELETE FROM story_bands WHERE story_id NOT IN (SELECT id FROM stories)")
    return PruneReport(len(ids), sources, kept)
