"""The archive in a PostgreSQL database: :class:`PgArchive`.

It composes the same domain mixins as :class:`aggregator.store.archive.Archive`
(feeds, stories, related stories, maintenance) over a
:class:`~aggregator.store.pg.dialect.PgConnection`, and replaces what the
engines do differently: opening and migrating, transactions, the integrity
check, maintenance, related stories (through ``stories.search``) and the
feed claims of several workers.

Concurrency. Any number of processes on any number of machines may write:

- every write is one transaction (``BEGIN`` ... ``COMMIT``), as on SQLite;
- every write transaction but those of feed state and claims (storing a
  poll, an import, syncing the configured feeds, a dedupe rebuild, pruning)
  first takes the transaction-level advisory lock :data:`STORE_LOCK`, so
  the dedupe decision (read candidates, then insert) of one worker never
  interleaves with another's: two workers storing copies of one story at the
  same moment make one story and two sources, not two stories. Fetching and
  parsing, the bulk of a poll, run in parallel; only the writes take turns;
- workers claim due feeds with ``SELECT ... FOR UPDATE SKIP LOCKED`` and a
  lease (:meth:`PgArchive.claim_due_feeds`): a feed is polled by one worker
  per interval, and a worker that dies leaves its feeds to the others when
  its lease ends.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Self

from aggregator.dedupe import neardup
from aggregator.dedupe.events import EventParams
from aggregator.errors import ArchiveError, StoryNotFound
from aggregator.models import FeedState
from aggregator.store import bands
from aggregator.store.feeds import FeedsMixin
from aggregator.store.links import links_column
from aggregator.store.maintenance import MaintenanceMixin
from aggregator.store.pg import connection, partitions
from aggregator.store.pg.dialect import PgConnection
from aggregator.store.pg.schema import MIGRATIONS, SCHEMA_VERSION, TEXT_FUNCTION, TS_CONFIG
from aggregator.store.related import RelatedMixin
from aggregator.store.stories import StoriesMixin
from aggregator.story.related import key_terms
from aggregator.timeutil import from_db, to_db, utcnow

__all__ = ["MIGRATE_LOCK", "STORE_LOCK", "PgArchive", "worker_name"]

log = logging.getLogger(__name__)

MIGRATE_LOCK = 0x61676731  # "agg1": one migration at a time
STORE_LOCK = 0x61676732  # "agg2": one dedupe decision and write at a time


def worker_name() -> str:
    """This process as ``status`` shows it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


class PgArchive(FeedsMixin, StoriesMixin, RelatedMixin, MaintenanceMixin):
    """The archive in a PostgreSQL database (see the module docs).

    Use as a context manager, or call :meth:`close`. Not thread-safe: use it
    from one thread at a time (each thread opens its own; connections come
    from the process's pool).
    """

    def __init__(
        self,
        url: str,
        *,
        readonly: bool = False,
        dedupe: neardup.Params | None = None,
        events: EventParams | None = None,
    ) -> None:
        """Open (and, unless read-only, create or migrate) the archive in a database.

        Args:
            url: a ``postgresql://`` URL without a password (see
                :mod:`~aggregator.store.pg.connection`).
            readonly: every transaction read-only; no migration.
            dedupe: near-duplicate settings (``[dedupe]``); ``None`` for the defaults.
            events: event grouping settings (``[events]``), as for SQLite.

        Raises:
            ArchiveError: the server cannot be used (one line saying why), the
                database holds no archive (read-only), or a newer one.
        """
        self.url = url
        self.where = connection.describe(url)
        # Messages of the shared modules name the archive by this.
        self.path = Path(self.where)
        self.readonly = readonly
        self._retired_column = "f.retired_at"
        self._lang_column = "lang"
        self._links_column = links_column("stories.id")
        self._filtered_column = "f.filtered"
        self.dedupe = dedupe or neardup.Params()
        self.events = events
        self._event_tables = True  # created with the schema
        self.worker = worker_name()
        self._store_lock = True  # off only for writes of feed state and claims
        raw = connection.borrow(url, readonly=readonly)
        self.conn: PgConnection = PgConnection(raw, self.where)  # type: ignore[assignment]
        try:
            if readonly:
                if self._version() == 0:
                    raise ArchiveError(f"no archive in {self.where} (run 'aggregator fetch' first)")
                self._check_version()
            else:
                self._migrate()
                self._opened()
        except BaseException:
            self.close()
            raise

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Give the connection back to the pool."""
        raw = self.conn.raw
        if raw is None:
            return
        connection.give_back(self.url, raw, readonly=self.readonly)
        self.conn.raw = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """Run a block in one write transaction (``BEGIN`` ... ``COMMIT``).

        Every write transaction but those of feed state and claims first takes
        :data:`STORE_LOCK` (see the module docs): storing, importing, syncing the
        configured feeds, rebuilds, pruning and question updates take turns.

        Yields:
            The connection.

        Raises:
            ArchiveError: the transaction failed; it was rolled back.
        """
        self.conn.execute("BEGIN")
        try:
            if self._store_lock:
                self.conn.execute("SELECT pg_advisory_xact_lock(?)", (STORE_LOCK,))
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self.conn.raw is not None and self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except ArchiveError:
                log.exception("rollback failed")

    def _scripts_indexed(self) -> bool:
        return False  # stories.search covers every script (see store/pg/search.py)

    def _stems_indexed(self) -> bool:
        return False  # one text search configuration, English (see docs/design.md)

    def _opened(self) -> None:
        warning = bands.check_index(self.conn, params=self.dedupe)  # type: ignore[arg-type]
        if warning:
            log.warning("archive %s: %s", self.where, warning)

    @contextmanager
    def _unlocked(self) -> Iterator[None]:
        """Write transactions without :data:`STORE_LOCK` (feed state and claims only)."""
        self._store_lock = False
        try:
            yield
        finally:
            self._store_lock = True

    # -- the worker that polled a feed ------------------------------------------

    def store_poll(self, feed: FeedState, stories: Sequence[Any], update: Any, **kw: Any) -> Any:
        """As :meth:`StoriesMixin.store_poll` (under :data:`STORE_LOCK`); records the worker."""
        counts = super().store_poll(feed, stories, update, **kw)
        self._polled(feed.id)
        return counts

    def record_feed(self, feed: FeedState, update: Any) -> None:
        """As :meth:`FeedsMixin.record_feed`; records the worker and ends its claim."""
        with self._unlocked():
            super().record_feed(feed, update)
        self._polled(feed.id)

    def record_feeds(self, updates: Sequence[tuple[FeedState, Any]]) -> None:
        """As :meth:`FeedsMixin.record_feeds`; records the worker and ends its claims."""
        with self._unlocked():
            super().record_feeds(updates)
        for feed, _ in updates:
            self._polled(feed.id)

    def _polled(self, feed_id: int) -> None:
        self.conn.execute(
            "UPDATE feeds SET polled_by = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?",
            (self.worker, feed_id),
        )

    # -- several workers ------------------------------------------------------

    def claim_due_feeds(
        self, *, now: datetime, lease: timedelta, limit: int = 1000
    ) -> list[FeedState]:
        """Claim the due feeds no other worker holds, for ``lease``.

        ``SELECT ... FOR UPDATE SKIP LOCKED`` skips the rows another worker is
        claiming at this moment; the lease columns keep them claimed until that
        worker records its poll (:meth:`record_feed`, :meth:`store_poll`) or the
        lease ends (a worker killed mid-poll).

        Args:
            now: the current time (UTC).
            lease: how long the claim holds without a recorded poll.
            limit: at most this many feeds.

        Returns:
            The feeds claimed by this worker, in id order.
        """
        with self._unlocked(), self.transaction() as conn:
            rows = conn.execute(
                "SELECT id FROM feeds WHERE retired_at IS NULL AND enabled = 1"
                " AND (next_fetch IS NULL OR next_fetch <= ?)"
                " AND (claimed_until IS NULL OR claimed_until <= ?)"
                " ORDER BY next_fetch NULLS FIRST, id LIMIT ? FOR UPDATE SKIP LOCKED",
                (to_db(now), to_db(now), limit),
            ).fetchall()
            ids = [int(r[0]) for r in rows]
            if ids:
                marks = ", ".join("?" * len(ids))
                conn.execute(
                    f"UPDATE feeds SET claimed_by = ?, claimed_until = ? WHERE id IN ({marks})",
                    (self.worker, to_db(now + lease), *ids),
                )
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        return self._feed_rows(f"WHERE f.id IN ({marks})", tuple(ids))

    def claim_feeds(
        self, feeds: Sequence[FeedState], *, now: datetime, lease: timedelta
    ) -> list[FeedState]:
        """Claim the given feeds, due or not, except those another worker holds (``fetch``).

        A manual ``aggregator fetch`` polls every feed at once; beside running
        daemons it claims them as a daemon's tick claims the due ones, so no
        feed is polled twice at the same time: a feed claimed by another
        worker (its lease not run out) or locked by one claiming right now is
        left out.

        Args:
            feeds: the feeds to poll.
            now: the current time (UTC).
            lease: how long the claim holds without a recorded poll.

        Returns:
            The feeds claimed by this worker, in the order given.
        """
        if not feeds:
            return []
        wanted = [f.id for f in feeds]
        marks = ", ".join("?" * len(wanted))
        with self._unlocked(), self.transaction() as conn:
            rows = conn.execute(
                f"SELECT id FROM feeds WHERE id IN ({marks})"
                " AND (claimed_until IS NULL OR claimed_until <= ? OR claimed_by = ?)"
                " ORDER BY id FOR UPDATE SKIP LOCKED",
                (*wanted, to_db(now), self.worker),
            ).fetchall()
            ids = {int(r[0]) for r in rows}
            if ids:
                held = ", ".join("?" * len(ids))
                conn.execute(
                    f"UPDATE feeds SET claimed_by = ?, claimed_until = ? WHERE id IN ({held})",
                    (self.worker, to_db(now + lease), *sorted(ids)),
                )
        return [f for f in feeds if f.id in ids]

    def claim_digest(self, job: str, window_end: datetime, *, now: datetime) -> bool:
        """Claim one run of a scheduled digest; ``False`` when another worker has it.

        Args:
            job: the digest job's name.
            window_end: the end of the window the run covers (UTC).
            now: the current time (UTC).
        """
        with self._unlocked(), self.transaction() as conn:
            return bool(
                conn.execute(
                    "INSERT INTO digest_runs (job, window_end, worker, started_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (job, to_db(window_end), self.worker, to_db(now)),
                ).rowcount
            )

    # -- schema ------------------------------------------------------------

    def _version(self) -> int:
        row = self.conn.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename = 'aggregator_meta'"
        ).fetchone()
        if row is None:
            return 0
        row = self.conn.execute(
            "SELECT value FROM aggregator_meta WHERE name = 'schema_version'"
        ).fetchone()
        return int(row[0]) if row else 0

    def _check_version(self) -> int:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"archive {self.where} has schema version {version}; this aggregator "
                f"knows up to {SCHEMA_VERSION} (upgrade aggregator)"
            )
        return version

    def _migrate(self) -> None:
        if self._check_version() == SCHEMA_VERSION:
            return
        with self._unlocked(), self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATE_LOCK,))
            version = self._check_version()  # another worker may have migrated meanwhile
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](conn)
                conn.execute(
                    "INSERT OR REPLACE INTO aggregator_meta (name, value)"
                    " VALUES ('schema_version', ?)",
                    (str(target),),
                )
                log.info("archive %s migrated to schema version %d", self.where, target)

    # -- maintenance --------------------------------------------------------

    def integrity_errors(self) -> list[str]:
        """Check what PostgreSQL does not check itself.

        Every story is searchable and dated in ``story_ids`` as in ``stories``;
        every index is valid.

        Returns:
            The problems found; empty when the archive is sound.
        """
        problems = []
        row = self.conn.execute(
            "SELECT count(*) FROM stories WHERE search IS NULL"
            f" OR search <> setweight(to_tsvector('{TS_CONFIG}', {TEXT_FUNCTION}(title)), 'A')"
            f" || setweight(to_tsvector('{TS_CONFIG}', {TEXT_FUNCTION}(body)), 'B')"
            f" || setweight(to_tsvector('{TS_CONFIG}', {TEXT_FUNCTION}(questions)), 'C')"
        ).fetchone()
        if row and row[0]:
            problems.append(f"stories.search: {row[0]} stories indexed with other text")
        # story_ids says in which partition a story is (--feed reads it there only).
        row = self.conn.execute(
            "SELECT count(*) FROM stories s FULL JOIN story_ids i ON i.id = s.id"
            " WHERE i.published IS DISTINCT FROM s.published"
        ).fetchone()
        if row and row[0]:
            problems.append(f"story_ids: {row[0]} stories missing or dated otherwise")
        invalid = self.conn.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_class t ON t.oid = i.indrelid"
            " WHERE t.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid"
        ).fetchall()
        problems += [f"index {r[0]} is invalid (REINDEX it)" for r in invalid]
        return problems

    def maintain(self, *, seconds: float | None = None) -> bool:
        """Create the coming months' partitions, refresh statistics, clean the search index.

        Stories are partitioned by month (:mod:`~aggregator.store.pg.partitions`):
        this creates the partitions of the current month and the next
        :data:`~aggregator.store.pg.partitions.AHEAD`, and of any month whose
        stories wait in the default partition (moving them). PostgreSQL
        reclaims dead rows by itself (autovacuum); what a large ingest leaves
        behind is stale statistics and GIN pending lists (new stories not yet
        merged into the search index, read on every search), so this runs
        ``ANALYZE`` on the archive's tables and merges the pending lists, and,
        without a time budget (``aggregator maintain``), ``VACUUM`` too.

        Args:
            seconds: a time budget (the daemon's daily run): ``ANALYZE`` only.

        Returns:
            True (there are no segments left to merge, unlike FTS5).

        Raises:
            ArchiveError: the archive is read-only.
        """
        if self.readonly:
            raise ArchiveError(f"archive {self.where} is open read-only; nothing was written")
        with self._unlocked(), self.transaction() as conn:
            created = partitions.ensure_partitions(conn, utcnow())
        if created:
            log.info("archive %s: partitions created: %s", self.where, ", ".join(created))
        tables = ("stories", "story_ids", "sources", "feeds", "story_bands", "story_links")
        verb = "ANALYZE" if seconds is not None else "VACUUM (ANALYZE)"
        for table in tables:
            self.conn.execute(f"{verb} {table}")
        self.conn.execute(
            "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
            " JOIN pg_inherits h ON h.inhrelid = i.indrelid"
            " WHERE h.inhparent = 'stories'::regclass AND a.amname = 'gin'"
        )
        return True

    # -- related stories ---------------------------------------------------------

    def related(
        self, story_id: int, *, limit: int = 3, window: timedelta = timedelta(days=7)
    ) -> list[tuple[int, str]]:
        """As :meth:`RelatedMixin.related`, with candidates from ``stories.search``.

        Candidates have any of the title's key terms in their title (weight A),
        best ``ts_rank`` first.
        """
        row = self.conn.execute(
            "SELECT title, published FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            raise StoryNotFound(f"no story with id {story_id}")
        terms = key_terms(row[0])
        published = from_db(row[1])
        if not terms or published is None:
            return []
        lexemes = self.conn.execute(
            "SELECT "
            + ", ".join(f"plainto_tsquery('{TS_CONFIG}', {TEXT_FUNCTION}(?))::text" for _ in terms),
            terms,
        ).fetchone()
        parts = [f"({q.replace(chr(39) + ' ', chr(39) + ':A ')}:A)" for q in lexemes or () if q]
        if not parts:
            return []
        query = " | ".join(parts)
        rows = self.conn.execute(
            "SELECT s.id, s.title, s.url FROM stories s"
            " WHERE s.search @@ ?::tsquery AND s.id != ? AND s.published BETWEEN ? AND ?"
            " ORDER BY ts_rank(s.search, ?::tsquery) DESC, s.id LIMIT ?",
            (
                query,
                story_id,
                to_db(published - window),
                to_db(published + window),
                query,
                limit * 8,
            ),
        ).fetchall()
        return self._close_others(story_id, terms, rows, limit)
