"""The daemon: APScheduler wiring, signals and the single-instance lock.

The schedule lives in the archive (``feeds.next_fetch``), not in
APScheduler's memory: one short *tick* job picks the feeds that are due and
polls them, so a restart keeps the schedule and a crash loses nothing but
the poll in flight (which the next run repeats).

Signals: SIGTERM and SIGINT stop taking new work, give in-flight fetches a
few seconds, abandon the rest (what was stored is committed, feed by feed)
and exit 0. SIGHUP reloads the config file (feeds added or removed).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from aggregator.app.config import load
from aggregator.app.core import App
from aggregator.defaults import is_database_url
from aggregator.errors import AggregatorError, ArchiveError
from aggregator.libc import libc_function
from aggregator.models import FeedState
from aggregator.timeutil import utcnow

if TYPE_CHECKING:
    from aggregator.poll.poller import FeedResult

__all__ = ["Daemon", "InstanceLock"]

log = logging.getLogger(__name__)

GRACE_SECONDS = 5.0
MAINTAIN_SECONDS = 5.0  # daily search-index merging; the event loop waits meanwhile


CLAIM_BATCH_PER_FETCH = 4
"""With an archive in PostgreSQL, a tick claims at most this many due feeds per
``[fetch] concurrency`` slot (the rest are left to other daemons and later ticks)."""

#: glibc's ``mallopt`` parameter for the most malloc arenas (``M_ARENA_MAX``).
_M_ARENA_MAX = -8

#: The malloc arenas the daemon's threads share (see :func:`limit_malloc_arenas`).
MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Let the daemon's threads share ``arenas`` malloc arenas (glibc only).

    glibc gives each thread that allocates its own arena, up to eight per core:
    the daemon's threads (the event loop's executor, name lookups, the
    scheduler) each keep one, and the pages freed in one arena serve no other,
    so the daemon holds more memory than it uses. Called before the threads
    start; later threads then share the main arena and one other. Returns
    whether the limit was set (``False`` off glibc, where nothing changes).
    """
    mallopt = libc_function("mallopt")
    return mallopt is not None and bool(mallopt(_M_ARENA_MAX, arenas))


#: Feeds stored between two returns of the C heap's free pages (see :class:`HeapTrimmer`).
TRIM_EVERY_FEEDS = 16


class HeapTrimmer:
    """Gives the C heap's free pages back to the system every few stored feeds (glibc only).

    A stored feed frees what its parse result and its SQL work held (about
    1 MB for 100 stories), and glibc keeps such freed memory in its heap for
    later allocations, returning only what lies at the heap's top. Objects of
    later feeds and the caches that grow beside them leave free pages between
    them, which the daemon then holds as resident memory. ``malloc_trim(0)``
    releases every whole free page (the heap stays as it is, only the pages
    are dropped until written again); it costs about a millisecond in a
    daemon of 100 MB, once per :data:`TRIM_EVERY_FEEDS` stored feeds.
    """

    def __init__(self, every: int = TRIM_EVERY_FEEDS) -> None:
        """Find ``malloc_trim`` (absent off glibc: then :meth:`stored` does nothing).

        Args:
            every: stored feeds between two trims.
        """
        self.every = every
        self.trims = 0
        self._count = 0
        self._trim = libc_function("malloc_trim")

    def stored(self) -> None:
        """Note a stored feed; trim the heap every :attr:`every` of them."""
        if self._trim is None:
            return
        self._count += 1
        if self._count >= self.every:
            self._count = 0
            self._trim(0)
            self.trims += 1


class InstanceLock:
    """An exclusive lock on ``<archive>.lock``: one daemon per SQLite archive.

    Readers (search, show, status, digests) never take it. An archive in
    PostgreSQL has no lock: several daemons share its feeds through claims
    (:meth:`aggregator.store.pg.archive.PgArchive.claim_due_feeds`).
    """

    def __init__(self, archive_path: Path | str) -> None:
        """Prepare the lock.

        Args:
            archive_path: the archive file the lock protects (a ``postgresql://`` URL: none).
        """
        self.path: Path | None = None
        if not is_database_url(archive_path):
            path = Path(archive_path)
            self.path = path.with_name(path.name + ".lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock.

        Raises:
            ArchiveError: another daemon holds it.
        """
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the daemon's life
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            f.seek(0)
            pid = f.read().strip() or "?"
            f.close()
            raise ArchiveError(
                f"another aggregator daemon (pid {pid}) is already running on this archive"
                f" ({self.path}); search, show and status work beside it"
            ) from exc
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        self._file = f

    def release(self) -> None:
        """Release the lock."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.seek(0)
                self._file.truncate()
            self._file.close()
            self._file = None


class Daemon:
    """Runs polls on schedule until a signal stops it."""

    def __init__(
        self,
        app: App,
        *,
        config_path: Path | None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Prepare the daemon.

        Args:
            app: the application (config and archive).
            config_path: the config file to reload on SIGHUP, or ``None``.
            clock: returns the current time (UTC).
        """
        self.app = app
        self.config_path = config_path
        self.clock = clock
        self.lock = InstanceLock(app.db_path)
        self._stopping: asyncio.Event | None = None
        # Polls in flight, and the feeds they hold: a slow feed never delays the others,
        # and no feed is polled twice at once.
        self._polls: set[asyncio.Task[None]] = set()
        self._inflight: set[int] = set()
        self._reload = False
        self._scheduler: Any = None
        self.polls = 0
        self._unreachable = False
        self._trimmer = HeapTrimmer()

    def run(self) -> None:
        """Run until SIGTERM or SIGINT.

        Raises:
            ArchiveError: another daemon runs on the archive, or it cannot be opened.
        """
        self.lock.acquire()
        limit_malloc_arenas()
        try:
            asyncio.run(self._main())
        finally:
            self.lock.release()

    async def _main(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        from aggregator.ingest.fetch import Fetcher
        from aggregator.poll.poller import Poller

        loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_stop, sig)
        loop.add_signal_handler(signal.SIGHUP, self._on_hup)
        feeds = self.app.sync_feeds()
        log.info(
            "daemon started: %d feeds, archive %s, tick %ss",
            len(feeds),
            self.app.db_path,
            int(self.app.config.schedule.tick.total_seconds()),
        )
        async with Fetcher(
            self.app.make_client(), settings=self.app.fetch_settings(), clock=self.clock
        ) as fetcher:
            with Poller(
                settings=self.app.config.poll_settings(),
                archive=self.app.archive,
                fetcher=fetcher,
                clock=self.clock,
            ) as poller:
                self._poller = poller
                scheduler = AsyncIOScheduler(timezone="UTC")
                scheduler.add_job(
                    self._tick,
                    "interval",
                    seconds=max(1.0, self.app.config.schedule.tick.total_seconds()),
                    next_run_time=datetime.now().astimezone(),
                    max_instances=1,
                    coalesce=True,
                    misfire_grace_time=None,
                    id="tick",
                )
                scheduler.add_job(
                    self._maintain,
                    "interval",
                    days=1,
                    max_instances=1,
                    coalesce=True,
                    misfire_grace_time=None,
                    id="maintain",
                )
                scheduler.add_job(
                    self._prune,
                    "interval",
                    days=1,
                    next_run_time=datetime.now().astimezone(),
                    max_instances=1,
                    coalesce=True,
                    misfire_grace_time=None,
                    id="prune",
                )
                self._scheduler = scheduler
                self._schedule_digests()
                scheduler.start()
                try:
                    await self._stopping.wait()
                finally:
                    scheduler.shutdown(wait=False)
                    await self._finish_poll()
        log.info("daemon stopped after %d polls", self.polls)

    def _on_stop(self, sig: signal.Signals) -> None:
        log.info("received %s: stopping", sig.name)
        if self._stopping is not None:
            self._stopping.set()

    def _on_hup(self) -> None:
        log.info("received SIGHUP: reloading the config at the next tick")
        self._reload = True
        # Tick now rather than wait for the interval.
        asyncio.get_running_loop().create_task(self._tick())

    async def _finish_poll(self) -> None:
        pending = {t for t in self._polls if not t.done()}
        if not pending:
            return
        log.info("waiting up to %.0fs for %d feeds in flight", GRACE_SECONDS, len(self._inflight))
        _, pending = await asyncio.wait(pending, timeout=GRACE_SECONDS)
        if pending:
            # Each feed's poll is one transaction: a cancelled one leaves nothing behind,
            # and the feed is still due at the next start.
            log.info("abandoning %d feeds still in flight", len(self._inflight))
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _tick(self) -> None:
        """Start polling every feed that is due and not already in flight."""
        if self._stopping is None or self._stopping.is_set():
            return
        try:
            if self._reload:
                self._reload = False
                self._reload_config()
            archive = self.app.archive
            claim = getattr(archive, "claim_due_feeds", None)
            if claim is not None:  # PostgreSQL: several daemons share the feeds
                due = [
                    f
                    for f in claim(
                        now=self.clock(),
                        lease=self.app.config.schedule.lease,
                        # A batch this daemon can poll well within its lease; the next
                        # tick claims more, so the daemons share the due feeds.
                        limit=CLAIM_BATCH_PER_FETCH * self.app.config.fetch.concurrency,
                    )
                    if f.id not in self._inflight
                ]
            else:
                due = [
                    f
                    for f in archive.list_feeds(due_before=self.clock())
                    if f.id not in self._inflight
                ]
        except AggregatorError as exc:
            log.error("could not read the due feeds: %s", exc)
            return
        if not due:
            return
        ids = {f.id for f in due}
        self._inflight |= ids
        task = asyncio.get_running_loop().create_task(self._poll(due, ids))
        self._polls.add(task)
        task.add_done_callback(self._polls.discard)

    async def _maintain(self) -> None:
        """Daily: merge the search index a little and refresh the planner's statistics."""
        try:
            done = self.app.maintain(seconds=MAINTAIN_SECONDS)
            log.info("archive maintained (search index %s)", "merged" if done else "partly merged")
        except AggregatorError as exc:
            log.error("archive maintenance failed: %s", exc)

    async def _prune(self) -> None:
        """Daily: delete the stories the retention policies no longer keep (none by default)."""
        default, feeds = self.app.retention()
        if default.forever and all(p.forever for p in feeds.values()):
            return
        try:
            report = self.app.prune()
            log.info("archive pruned: %d stories deleted", report.stories)
        except AggregatorError as exc:
            log.error("archive pruning failed: %s", exc)

    async def _poll(self, feeds: list[FeedState], ids: set[int]) -> None:
        try:
            results = await self._poller.poll(feeds, on_result=self._on_result)
            self.polls += 1
            self._note_reachability(results)
        except AggregatorError as exc:
            log.error("poll failed: %s", exc)
        finally:
            self._inflight -= ids

    def _on_result(self, result: FeedResult) -> None:
        if result.outcome == "new":
            self._trimmer.stored()

    def _note_reachability(self, results: list[FeedResult]) -> None:
        """Say once, when every feed polled failed (offline?), and when the next poll is;
        and once again when feeds answer after that."""
        polled = [r for r in results if r.outcome != "skipped"]
        if not polled:
            return
        if all(r.outcome == "error" for r in polled):
            if not self._unreachable:
                self._unreachable = True
                times = [r.next_fetch for r in polled if r.next_fetch is not None]
                when = min(times).strftime("%Y-%m-%d %H:%M:%S UTC") if times else "unknown"
                log.warning(
                    "no feed could be reached (%d tried; offline?); next poll at %s",
                    len(polled),
                    when,
                )
        elif self._unreachable:
            self._unreachable = False
            log.info("feeds answer again")

    def _reload_config(self) -> None:
        if self.config_path is None:
            return
        try:
            config = load(self.config_path)
        except AggregatorError as exc:
            log.error("config not reloaded, keeping the old one: %s", exc)
            return
        feeds = self.app.reload(config)
        self._poller.settings = config.poll_settings()  # applies from the next poll
        self._schedule_digests()
        log.info("config reloaded: %d feeds", len(feeds))

    def _schedule_digests(self) -> None:
        """(Re)schedule the config's ``[[digests]]``, one cron job each."""
        from aggregator.digest.jobs import schedule_digests

        schedule_digests(
            self._scheduler,
            jobs=self.app.config.digests,
            db_path=self.app.db_path,
            clock=self.clock,
        )
