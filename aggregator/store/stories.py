"""Stories in the archive: storing a feed's poll or an import, and reading stories back.

A story is stored once, with one source row per sighting (feed, guid, link,
fingerprint of the text that feed carried, when). Which story a copy joins
is decided by :mod:`aggregator.dedupe.decide`; :mod:`aggregator.store.bands`
fetches its candidates and writes the index. The FTS5 index follows the
``stories`` table through triggers, inside the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregator.dedupe import neardup
from aggregator.dedupe.decide import (
    AddSource,
    Incoming,
    RefreshSighting,
    Unchanged,
    UpdateText,
    on_sighting,
    signature_for,
    usable_canonical,
)
from aggregator.dedupe.events import EventFeatures
from aggregator.dedupe.urls import canonical_url, fingerprint, guid_key, url_key
from aggregator.errors import StoryNotFound
from aggregator.models import FeedState, Source, StoredStory, Story
from aggregator.store import bands, events, links
from aggregator.store.base import ArchiveBase, map_error
from aggregator.store.compact import GENERATOR_SQL, date_param, stored_generator
from aggregator.store.feeds import FeedUpdate, update_feed
from aggregator.timeutil import from_db, to_db, to_db_seconds, utcnow

__all__ = ["StoreCounts", "StoriesMixin"]


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


class StoriesMixin(ArchiveBase):
    """The archive's story methods: writes (a poll, an import, questions) and reads."""

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
        event_features: Sequence[EventFeatures | None] | None = None,
    ) -> StoreCounts:
        """Store one feed's poll: its stories, their sources and the feed's state, atomically.

        Deduplication: the same (feed, guid) is an update of the story; the
        same canonical URL, the same title + body, or a near duplicate within
        the window (:mod:`aggregator.dedupe.decide`) is a new source of the
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
            event_features: each story's :func:`~aggregator.dedupe.events.event_features`,
                when the caller computed them already; ``None`` computes them (only the
                new stories are grouped into events, when ``[events]`` is enabled).

        Returns:
            What was stored.

        Raises:
            ArchiveError: nothing was written (locked, full, read-only).
        """
        counts = StoreCounts()
        seen_at = update.fetched_at
        fresh: list[tuple[int, Story]] = []
        features: list[EventFeatures | None] = []
        with self.transaction() as conn:
            for i, story in enumerate(stories):
                stored, story_id = self._store_story(
                    conn,
                    story,
                    feed_id=feed.id,
                    seen_at=seen_at,
                    generator=generators[i] if generators is not None else generator,
                    fp=fingerprints[i] if fingerprints is not None else None,
                    sig=signatures[i] if signatures else None,
                )
                counts += stored
                if stored.new:
                    fresh.append((story_id, story))
                    features.append(event_features[i] if event_features else None)
            self._group_events(conn, fresh, features)
            update_feed(conn, feed.id, update)
        self._grouped(fresh)
        return counts

    def _group_events(
        self,
        conn: sqlite3.Connection,
        fresh: Sequence[tuple[int, Story]],
        features: Sequence[EventFeatures | None] = (),
    ) -> None:
        """Group new stories into events in the storing transaction, when ``[events]`` is on."""
        if not fresh or self.events is None or not self.events.enabled:
            return
        if not self._event_tables:
            events.create_tables(conn)
        cache = getattr(self, "_event_counts", None)
        if cache is None:
            cache = self._event_counts = events.DayCounts()
        events.group_stored(conn, fresh, self.events, features, cache)

    def _grouped(self, fresh: Sequence[tuple[int, Story]]) -> None:
        """Note that the event tables exist once a grouping transaction committed."""
        if fresh and self.events is not None and self.events.enabled:
            self._event_tables = True

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
        """Store one story inside the caller's transaction, as the dedupe decision says.

        The decision (:mod:`aggregator.dedupe.decide`) is pure; this fetches its
        candidates (:func:`~aggregator.store.bands.resolve`) and applies it.

        Returns:
            What was stored, and the story's id.
        """
        fp = fp if fp is not None else fingerprint(story.title, story.body)
        curl = story.canonical_url if usable_canonical(story.canonical_url) else None
        incoming = Incoming(
            title=story.title,
            body=story.body,
            url=story.url,
            url_key=url_key(curl) if curl is not None else None,
            fingerprint=fp,
            published=story.published,
            signature=signature_for(story.body, sig, params=self.dedupe),
            feeds=(feed_id,) if feed_id is not None else (),
            guid=story.guid,
            imported=feed_id is None,
        )
        decision, found = bands.resolve(conn, incoming, self.dedupe)
        now = to_db(seen_at)
        seen = to_db_seconds(seen_at)  # sources.seen_at: Unix seconds (schema 9)
        if isinstance(decision, Unchanged):
            return StoreCounts(unchanged=1), decision.story_id
        if isinstance(decision, RefreshSighting | UpdateText):
            conn.execute(
                "UPDATE sources SET fingerprint = ? WHERE id = ?", (fp, decision.source_id)
            )
            if isinstance(decision, RefreshSighting):
                return StoreCounts(unchanged=1), decision.story_id
            bands.reindex_text(
                conn, decision.story_id, incoming.signature.values, params=self.dedupe
            )
            self._update_story(conn, decision.story_id, story, fp, now, generator)
            links.replace_links(conn, decision.story_id, story)
            return StoreCounts(updated=1), decision.story_id
        if isinstance(decision, AddSource):
            assert found.target is not None  # read for the decision
            inserted = 0
            if decision.new_source:
                inserted = conn.execute(
                    "INSERT OR IGNORE INTO sources"
                    " (story_id, feed_id, url, guid, guid_key, fingerprint, seen_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        decision.story_id,
                        feed_id,
                        story.url,
                        story.guid,
                        guid_key(story.guid),
                        fp,
                        seen,
                    ),
                ).rowcount
            bands.apply_absorb(
                conn,
                decision,
                found.target,
                incoming,
                questions=story.questions,
                generator=generator,
                now=now,
                params=self.dedupe,
            )
            links.add_links(conn, decision.story_id, story)
            counts = StoreCounts(duplicate=1) if inserted else StoreCounts(unchanged=1)
            return counts, decision.story_id
        story_id = int(
            conn.execute(
                "INSERT INTO stories (category, title, body, questions, actions, published, url,"
                " url_key, fingerprint, author, tags, generator, lang)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    story.category,
                    story.title,
                    story.body,
                    "\n".join(story.questions),
                    "\n".join(story.actions),
                    date_param(conn, story.published),
                    story.url,
                    incoming.url_key,
                    fp or None,
                    story.author,
                    "\n".join(story.tags),
                    stored_generator(generator),
                    story.lang,
                ),
            ).lastrowid
            or 0
        )
        # The first sighting's URL is the story's own: NULL here means "the story's url"
        # (a copy of every link would cost ~70 bytes a story; readers COALESCE).
        conn.execute(
            "INSERT OR IGNORE INTO sources"
            " (story_id, feed_id, url, guid, guid_key, fingerprint, seen_at)"
            " VALUES (?, ?, NULL, ?, ?, ?, ?)",
            (story_id, feed_id, story.guid, guid_key(story.guid), fp, seen),
        )
        bands.index_story(conn, story_id, incoming.signature.values, story.published)
        links.add_links(conn, story_id, story)
        return StoreCounts(new=1), story_id

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
            " url_key = COALESCE(url_key, ?), lang = ? WHERE id = ?",
            (
                story.title,
                story.body,
                "\n".join(story.questions),
                "\n".join(story.actions),
                fp or None,
                story.author,
                "\n".join(story.tags),
                stored_generator(generator),
                now,
                url_key(story.canonical_url) if usable_canonical(story.canonical_url) else None,
                story.lang,
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
            fresh: list[tuple[int, Story]] = []
            for story in stories:
                counts, story_id = self._store_story(
                    conn, story, feed_id=None, seen_at=seen_at, generator=generator
                )
                out.append((story_id, "new" if counts.new else "duplicate"))
                if counts.new:
                    fresh.append((story_id, story))
            self._group_events(conn, fresh)
        self._grouped(fresh)
        return out

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
            f" NULL, author, tags, {GENERATOR_SQL}, NULL, updated_at, {self._lang_column},"
            f" {self._links_column}"
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
                row = bands.sighting(conn, feed_id, story.guid)
                if row is not None:
                    decision = on_sighting(fp, row)
                    out.append("changed" if isinstance(decision, UpdateText) else "known")
                    continue
            curl = story.canonical_url if usable_canonical(story.canonical_url) else None
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
        dated = " AND published >= ?" if since is not None else ""
        since_db = [date_param(self.conn, since)] if since is not None else []
        marks = ", ".join("?" * len(skip_generators))
        while True:
            rows = self.conn.execute(
                "SELECT id, category, title, body, published, url, NULL, questions"
                f" FROM stories WHERE id > ?{dated}"
                f" AND {GENERATOR_SQL} NOT IN ({marks}) ORDER BY id LIMIT ?",
                (last, *since_db, *skip_generators, batch),
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
                    ("\n".join(questions), stored_generator(generator), to_db(now), story_id)
                    for story_id, questions, generator in updates
                ],
            )

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
        dated = "published >= ? AND " if since is not None else ""
        since_db = [date_param(self.conn, since)] if since is not None else []
        return int(
            self.conn.execute(
                f"SELECT COUNT(*) FROM stories WHERE {dated}{GENERATOR_SQL} NOT IN ({marks})",
                (*since_db, *skip_generators),
            ).fetchone()[0]
        )

    def count_sources(self) -> int:
        """The number of sources (sightings of stories) in the archive."""
        return int(self.conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0])

    def published_range(self) -> tuple[datetime | None, datetime | None]:
        """The oldest and newest stories' published times (UTC), ``(None, None)`` when empty."""
        row = self.conn.execute("SELECT MIN(published), MAX(published) FROM stories").fetchone()
        return from_db(row[0]), from_db(row[1])

    def categories(self) -> list[str]:
        """The categories the archive's stories have, sorted."""
        return sorted(str(r[0]) for r in self.conn.execute("SELECT DISTINCT category FROM stories"))

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
        params: list[Any] = [date_param(self.conn, since), date_param(self.conn, until)]
        wanted = sorted({c.strip().upper() for c in categories if c.strip()})
        if wanted:
            where += f" AND UPPER(category) IN ({', '.join('?' for _ in wanted)})"
            params += wanted
        try:
            self.conn.execute("BEGIN")
            try:
                rows = self.conn.execute(
                    "SELECT id, category, title, body, questions, actions, published, url,"
                    f" NULL, author, tags, {GENERATOR_SQL}, NULL, updated_at, {self._lang_column},"
                    f" {self._links_column}"
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
            raise map_error(exc, self.path) from exc
        sources: dict[int, list[Source]] = {}
        for s in source_rows:
            sources.setdefault(s[0], []).append(_source(s[1:]))
        return [_stored_story(row, tuple(sources.get(row[0], ()))) for row in rows]


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
    """A StoredStory from a ``stories`` row (the column order of get_story: ..., the
    language, then the links column of :func:`~aggregator.store.links.links_column`)
    and its sources.

    ``first_seen`` is not stored: it is the first sighting's time (the earliest source).
    """
    first_seen = min((src.seen_at for src in sources), default=None)
    enclosures, comments = links.parse_links(row[15] if len(row) > 15 else None)
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
            lang=row[14] if len(row) > 14 else "",
            enclosures=enclosures,
            comments=comments,
        ),
        generator=row[11] or "",
        first_seen=first_seen or from_db(row[6]) or utcnow(),
        updated_at=from_db(row[13]) or first_seen or utcnow(),
        sources=sources,
    )


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line for line in (text or "").split("\n") if line)
