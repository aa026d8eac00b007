"""One poll of a set of feeds, end to end: fetch -> parse -> normalize -> questions -> archive.

After a feed is parsed, the stories the archive does not hold as they are
(``Archive.classify``: new, or changed since the feed last carried them) may
be enriched in this process before they are stored: for ``full_text`` feeds,
each one's article page is fetched (same Fetcher, at most
:data:`ARTICLE_CONCURRENCY` pages at once, :data:`MAX_ARTICLES` per feed and
poll) and its main text replaces a teaser (:mod:`aggregator.ingest.fulltext`); with
``[questions] generator = "llm"``, their questions are asked of the LLM
endpoint, the worker's offline questions staying wherever it fails
(:mod:`aggregator.questions.llm` says why these calls live here). Stories already
archived never cost a request.

Fetches run concurrently on one event loop (bounded by the fetcher). Parsing
dominates the cost, so parse + normalize + questions run in a process pool
(one worker per core by default) while the main process fetches and writes.
Each feed's stories and state are written in one transaction, so a crash
leaves either all of a feed's poll or none of it. A batch never dies of one
bad feed: every feed yields a :class:`FeedResult`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from aggregator.errors import AggregatorError, FeedError, FeedParseError
from aggregator.ingest.fetch import Fetcher, FetchResult, HTTPStatusError
from aggregator.models import FeedConfig, FeedState, Story
from aggregator.poll.schedule import adaptive_interval, freshness_floor, next_fetch
from aggregator.poll.settings import PollSettings
from aggregator.store.archive import Archive, FeedUpdate, StoreCounts
from aggregator.timeutil import utcnow

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    # The parser's side (feedparser, normalize, the questions, the dedupe and events
    # features) is imported where a document is parsed, not here: a poll where every
    # feed answers 304 never needs it, and the daemon parses in separate processes.
    from aggregator.dedupe.events import EventFeatures
    from aggregator.dedupe.neardup import Signature
    from aggregator.ingest.worker import ProcessedFeed
    from aggregator.questions.llm import LLMGenerator
    from aggregator.questions.offline import OfflineGenerator

__all__ = [
    "ARTICLE_CONCURRENCY",
    "MAX_ARTICLES",
    "OFFLINE",
    "FeedResult",
    "Poller",
]

#: Article pages fetched at once for full text, across all feeds of a poll.
ARTICLE_CONCURRENCY = 4
#: Article pages fetched per feed and poll at most (the newest stories first).
MAX_ARTICLES = 30
#: Unchanged feeds (304) whose new state is written in one transaction, at most.
NOT_MODIFIED_BATCH = 256
#: Feeds between the start of their parse and the end of their store, at most, per
#: parser process (see :meth:`Poller._parse_slots`).
PARSED_PER_WORKER = 2
#: The name the offline generator records with its questions
#: (:attr:`aggregator.questions.offline.OfflineGenerator.name`, which a test holds equal).
OFFLINE = "offline"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedResult:
    """The outcome of polling one feed.

    Attributes:
        feed: the feed as it was before the poll.
        outcome: ``new`` (fetched and stored), ``not_modified``, ``skipped`` or ``error``.
        counts: stories new / updated / duplicate / unchanged.
        error: the error message when ``outcome == "error"``.
        warning: a survivable problem with the feed (e.g. a wrong charset).
        next_fetch: when the feed is due again (UTC).
        filtered: entries the ``[[filters]]`` rules dropped (never stored).
    """

    feed: FeedState
    outcome: str
    counts: StoreCounts = StoreCounts()
    error: str = ""
    warning: str = ""
    next_fetch: datetime | None = None
    filtered: int = 0


class Poller:
    """Polls feeds and writes what it finds into the archive.

    Owns its parser process pool; use as a context manager or call
    :meth:`close`. The archive is used from the event loop's thread only.
    """

    def __init__(
        self,
        *,
        settings: PollSettings,
        archive: Archive,
        fetcher: Fetcher,
        clock: Callable[[], datetime] = utcnow,
        workers: int | None = None,
    ) -> None:
        """Wire a poller.

        Args:
            settings: the schedule, questions, dedupe and category settings.
            archive: the archive to write to.
            fetcher: the HTTP fetcher.
            clock: returns the current time (UTC).
            workers: parser processes; ``None`` takes ``settings.workers`` (0 = one per
                core); 1 parses in this process.
        """
        self.settings = settings
        self.archive = archive
        self.fetcher = fetcher
        self.clock = clock
        n = settings.workers if workers is None else workers
        self.workers = n or (os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None
        self._tracking = frozenset(p.lower() for p in settings.tracking_params) or None
        self._offline_generator: OfflineGenerator | None = None
        self._llm: LLMGenerator | None = None
        self._articles = asyncio.Semaphore(ARTICLE_CONCURRENCY)
        self._parsing: tuple[asyncio.AbstractEventLoop | None, asyncio.Semaphore | None] = (
            None,
            None,
        )
        self._feed_configs: tuple[PollSettings | None, dict[str, FeedConfig]] = (None, {})

    @property
    def _offline(self) -> OfflineGenerator:
        """The offline generator, for stories whose body full text replaced (made on first use)."""
        if self._offline_generator is None:
            from aggregator.questions.offline import OfflineGenerator

            self._offline_generator = OfflineGenerator(count=self.settings.question_count)
        return self._offline_generator

    def _feed_config(self, feed: FeedState) -> FeedConfig:
        """The ``[[feeds]]`` entry of a feed (found by the URL the config names it by;
        the current settings, which SIGHUP may replace), or the defaults for one added
        from the command line."""
        settings, by_url = self._feed_configs
        if settings is not self.settings:
            by_url = {f.url: f for f in self.settings.feeds}
            self._feed_configs = (self.settings, by_url)
        return by_url.get(feed.config_url or feed.url) or FeedConfig(url=feed.url)

    def close(self) -> None:
        """Stop the parser processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Poller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _executor(self) -> ProcessPoolExecutor | None:
        if self.workers <= 1:
            return None
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from aggregator.ingest.worker import warm_up, worker_init

            # spawn: the daemon has threads (APScheduler), and fork() with threads is
            # unsafe. Not forkserver either: its server process would hold a third copy
            # of the parser's modules for nothing. A parser writes to the pages of the
            # modules it inherits (reference counts), so the parsers forked from it
            # shared a quarter of their memory with it, less than the server itself
            # held (benchmarks/poll.py --memory: 29 MiB resident, 13 MiB of it its own).
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=worker_init,
            )
            # Start every worker now: they import their modules while feeds are fetched.
            for _ in range(self.workers):
                self._pool.submit(warm_up)
        return self._pool

    def _parse_slots(self) -> asyncio.Semaphore:
        """The bound on feeds being parsed or parsed and waiting for the writer.

        The single writer (this process's event loop) is slower than the parser
        processes together, so parsed feeds would wait for it: up to every feed in
        flight (``[fetch] concurrency`` + 2 x workers), each holding its stories,
        their event features and signatures (about 0.85 MB for 100 stories) while
        it waits. At most :data:`PARSED_PER_WORKER` x workers feeds hold a parse
        slot, from the parse's submission to the end of the store: one being
        parsed and one queued per worker keep the parsers busy, and the other
        fetched feeds wait as their documents (a quarter of that size). The bound
        spans the polls that overlap on one event loop (the daemon's ticks). Feeds
        enriched over the network (``full_text``, LLM questions) are not counted.
        """
        loop = asyncio.get_running_loop()
        owner, slots = self._parsing
        if owner is not loop or slots is None:
            slots = asyncio.Semaphore(PARSED_PER_WORKER * self.workers)
            self._parsing = (loop, slots)
        return slots

    async def poll(
        self,
        feeds: Sequence[FeedState],
        *,
        on_result: Callable[[FeedResult], None] | None = None,
        on_fetch: Callable[[FeedState], None] | None = None,
    ) -> list[FeedResult]:
        """Poll feeds concurrently and store what they carry.

        Args:
            feeds: the feeds to poll (disabled ones are skipped).
            on_result: called with each feed's result as soon as it is stored.
            on_fetch: called with each feed as its fetch begins (it is then in flight
                until its ``on_result``).

        Returns:
            One result per feed, in completion order.
        """
        results: list[FeedResult] = []
        # The state of unchanged feeds, written in batches: a 304 costs a row in one
        # shared transaction rather than a commit of its own.
        unchanged: list[tuple[FeedState, FeedUpdate]] = []

        # Feeds between their fetch and their store, at most: fetching is faster than
        # parsing, and without a bound every fetched document (and its parsed stories)
        # would wait in memory (1,000 feeds of 200 KB: hundreds of MB in the daemon).
        # As many tasks, each taking the next feed when it is done with one: a task
        # and a semaphore wait per feed cost a tenth of the event loop's time in a
        # re-poll of unchanged feeds.
        in_flight = self.fetcher.settings.concurrency + 2 * self.workers
        queue = iter(feeds)

        async def worker() -> None:
            for feed in queue:
                result = await self._poll_one(feed, unchanged, on_fetch=on_fetch)
                results.append(result)
                _log_result(result)
                if on_result is not None:
                    on_result(result)

        if any(f.enabled and not (f.etag or f.last_modified) for f in feeds):
            # A feed without validators always answers with a document to parse: start the
            # parser processes now, to warm up while the first feeds are fetched. Otherwise
            # they start when the first feed needs parsing (a poll of unchanged feeds
            # never needs them, and starting and stopping them would cost more than it).
            self._executor()
        # Per poll: asyncio primitives belong to the event loop that runs the poll.
        self._articles = asyncio.Semaphore(ARTICLE_CONCURRENCY)
        if self.settings.question_generator == "llm":
            from aggregator.questions.llm import LLMGenerator

            # One per poll: its concurrency limit spans the poll's feeds, and an
            # endpoint found down is tried again at the next poll.
            self._llm = LLMGenerator(self.settings.llm, count=self.settings.question_count)
        try:
            await asyncio.gather(*(worker() for _ in range(min(in_flight, len(feeds)))))
        finally:
            self._record_unchanged(unchanged)
            if self._llm is not None:
                await self._llm.aclose()
                self._llm = None
        return results

    async def _poll_one(
        self,
        feed: FeedState,
        unchanged: list[tuple[FeedState, FeedUpdate]] | None = None,
        *,
        on_fetch: Callable[[FeedState], None] | None = None,
    ) -> FeedResult:
        if not feed.enabled:
            return FeedResult(feed=feed, outcome="skipped")
        try:
            fetched = await self.fetcher.fetch(
                feed.url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                on_start=None if on_fetch is None else lambda: on_fetch(feed),
                credentials=self._feed_config(feed).credentials,
            )
        except FeedError as exc:
            return self._record_error(feed, exc)
        if fetched.permanent_redirect:
            log.info("%s: moved permanently to %s", feed.url, fetched.permanent_redirect)
        if fetched.not_modified:
            update = self._update(feed, "not_modified", fetched)
            if unchanged is None:
                return self._store(feed, update, (), "not_modified")
            unchanged.append((feed, update))
            if len(unchanged) >= NOT_MODIFIED_BATCH:
                self._record_unchanged(unchanged)
            return FeedResult(feed=feed, outcome="not_modified", next_fetch=update.next_fetch)
        # A feed enriched over the network (article pages, an LLM) takes no parse slot: it
        # would hold one for seconds while other feeds' parses wait (the in-flight bound
        # still holds it).
        enriched = feed.full_text or self._llm is not None
        async with contextlib.nullcontext() if enriched else self._parse_slots():
            try:
                processed = await self._process(feed, fetched)
            except FeedError as exc:
                return self._record_error(feed, exc, fetched=fetched)
            # The document is parsed: only its headers and validators are read from here on.
            fetched = replace(fetched, body=b"")
            return await self._store_parsed(feed, fetched, processed)

    async def _store_parsed(
        self, feed: FeedState, fetched: FetchResult, processed: ProcessedFeed
    ) -> FeedResult:
        """Enrich and store a parsed feed (see :meth:`_poll_one`)."""
        stories, generators = await self._enrich(feed, processed)
        update = self._update(feed, "new", fetched, processed=processed)
        # Features computed from the feed's text hold only for the stories whose text stayed.
        features = (
            [
                f if s.body == p.body else None
                for f, s, p in zip(processed.events, stories, processed.stories, strict=True)
            ]
            if processed.events
            else None
        )
        return self._store(
            feed,
            update,
            stories,
            "new",
            warning=processed.warning,
            fingerprints=processed.fingerprints,
            generators=generators,
            signatures=processed.signatures,
            event_features=features,
            filtered=processed.dropped,
        )

    async def _enrich(
        self, feed: FeedState, processed: ProcessedFeed
    ) -> tuple[tuple[Story, ...], tuple[str, ...]]:
        """Full text and LLM questions for the stories the archive lacks; each one's generator."""
        stories = list(processed.stories)
        generators = [OFFLINE] * len(stories)
        if not stories or (not feed.full_text and self._llm is None):
            return tuple(stories), tuple(generators)
        try:
            kinds = self.archive.classify(feed.id, stories, processed.fingerprints)
        except AggregatorError as exc:
            log.warning("%s: cannot tell new stories apart: %s", feed.url, exc)
            return tuple(stories), tuple(generators)
        fresh = [i for i, kind in enumerate(kinds) if kind != "known"]
        if feed.full_text and fresh:
            from aggregator.ingest.fulltext import choose_body  # only full-text feeds need it

            chosen = sorted(fresh, key=lambda i: stories[i].published, reverse=True)
            texts = await asyncio.gather(
                *(self._full_text(stories[i]) for i in chosen[:MAX_ARTICLES])
            )
            for i, text in zip(chosen, texts, strict=False):
                body = choose_body(stories[i].body, text, title=stories[i].title)
                if body is not stories[i].body:
                    story = replace(stories[i], body=body)
                    stories[i] = replace(story, questions=self._offline.generate(story))
        if self._llm is not None and fresh:
            answers = await self._llm.questions([stories[i] for i in fresh])
            for i, questions in zip(fresh, answers, strict=True):
                if questions is not None:
                    stories[i] = replace(stories[i], questions=questions)
                    generators[i] = self._llm.name
        return tuple(stories), tuple(generators)

    async def _full_text(self, story: Story) -> str:
        """The main text of a story's article page, or ``""`` (no URL, fetch failed, no article)."""
        from aggregator.ingest.fulltext import extract_text, is_html

        if not story.url:
            return ""
        async with self._articles:
            try:
                page = await self.fetcher.fetch(story.url)
            except FeedError as exc:
                log.info("%s: no full text: %s", story.url, exc)
                return ""
        if not is_html(page.headers.get("content-type", "")):
            return ""
        job = partial(extract_text, page.body, url=page.final_url)
        pool = self._executor()
        if pool is None:
            return await asyncio.to_thread(job)
        return await asyncio.get_running_loop().run_in_executor(pool, job)

    async def _process(self, feed: FeedState, fetched: FetchResult) -> ProcessedFeed:
        from aggregator.ingest.worker import process_feed

        job = partial(
            process_feed,
            fetched.body,
            fetched.headers,
            fetched.final_url,
            category=feed.category,
            now=self.clock(),
            question_count=self.settings.question_count,
            tracking_params=self._tracking,
            category_rules=self.settings.categories,
            dedupe=self.settings.dedupe,
            filters=self.settings.filters,
            feed_url=feed.config_url or feed.url,
            events=self.archive.events is not None and self.archive.events.enabled,
        )
        pool = self._executor()
        if pool is None:
            return job()
        from concurrent.futures.process import BrokenProcessPool

        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool, job)
        except BrokenProcessPool:
            # A parser process died (the OOM killer, a crash in C code), and with it the
            # pool: every later poll would fail with it. Start a fresh pool and try once
            # more; a feed that kills it again is the cause, and only it fails.
            log.warning("%s: a parser process died; parsing it again in new processes", feed.url)
            self._discard(pool)
        pool = self._executor()
        assert pool is not None
        try:
            return await loop.run_in_executor(pool, job)
        except BrokenProcessPool as exc:
            self._discard(pool)
            raise FeedParseError(
                "the parser process died while parsing this feed (out of memory?)", url=feed.url
            ) from exc

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool (once: other feeds may have seen it break too)."""
        if self._pool is pool:
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    def _store(
        self,
        feed: FeedState,
        update: FeedUpdate,
        stories: Sequence[Story],
        outcome: str,
        *,
        warning: str = "",
        fingerprints: Sequence[int] | None = None,
        generators: Sequence[str] | None = None,
        signatures: Sequence[Signature] | None = None,
        event_features: Sequence[EventFeatures | None] | None = None,
        filtered: int = 0,
    ) -> FeedResult:
        try:
            counts = self.archive.store_poll(
                feed,
                stories,
                update,
                generator=OFFLINE if stories else "",
                fingerprints=fingerprints,
                generators=generators,
                signatures=signatures,
                event_features=event_features,
            )
        except AggregatorError as exc:
            log.error("%s: could not store the poll: %s", feed.url, exc)
            return FeedResult(feed=feed, outcome="error", error=str(exc))
        return FeedResult(
            feed=feed,
            outcome=outcome,
            counts=counts,
            warning=warning,
            next_fetch=update.next_fetch,
            filtered=filtered,
        )

    def _record_unchanged(self, unchanged: list[tuple[FeedState, FeedUpdate]]) -> None:
        """Write the batched state of unchanged feeds in one transaction, and empty the batch.

        A batch lost (the archive busy or full, a crash before the write) costs
        only a fetch: the feeds are due again, with the same validators.
        """
        if not unchanged:
            return
        batch = unchanged[:]
        unchanged.clear()
        try:
            self.archive.record_feeds(batch)
        except AggregatorError as exc:
            log.error("could not record %d unchanged feeds: %s", len(batch), exc)

    def _update(
        self,
        feed: FeedState,
        status: str,
        fetched: FetchResult | None,
        *,
        processed: ProcessedFeed | None = None,
        error: str = "",
        retry_after: datetime | None = None,
        disable: str = "",
    ) -> FeedUpdate:
        now = self.clock()
        sched = self.settings
        ttl = feed.ttl
        learned = None
        if processed is not None:
            ttl = timedelta(minutes=processed.ttl) if processed.ttl else None
            learned = adaptive_interval(processed.entry_dates, now=now)
        decision = next_fetch(
            now=now,
            url=feed.url,
            interval=feed.interval or sched.interval,
            # The user's own interval for a feed is final; otherwise follow its pace.
            adaptive=None if feed.interval else (learned or feed.adaptive_interval),
            min_interval=sched.min_interval,
            max_interval=sched.max_interval,
            jitter_spread=sched.jitter,
            failures=feed.error_count + 1 if status == "error" else 0,
            retry_after=retry_after,
            ttl=ttl,
            max_age=freshness_floor(fetched.headers, now=now) if fetched else None,
        )
        return FeedUpdate(
            status=status,
            fetched_at=now,
            next_fetch=decision.at,
            next_reason=decision.reason,
            error=error,
            etag=fetched.etag if fetched and not fetched.not_modified else None,
            last_modified=fetched.last_modified if fetched and not fetched.not_modified else None,
            url=(fetched.permanent_redirect or None) if fetched else None,
            title=processed.title if processed else None,
            site_url=processed.link if processed else None,
            disable=disable,
            adaptive_interval=learned,
            ttl=(ttl or timedelta(0)) if processed is not None else None,
            filtered=processed.dropped if processed is not None else None,
        )

    def _record_error(
        self, feed: FeedState, exc: FeedError, *, fetched: FetchResult | None = None
    ) -> FeedResult:
        from aggregator.ingest.worker import one_line

        retry_after = None
        disable = ""
        if isinstance(exc, HTTPStatusError):
            retry_after = exc.retry_after
            if exc.status == 410:
                disable = f"410 Gone at {self.clock():%Y-%m-%d}"
        error = one_line(str(exc))
        update = self._update(
            feed, "error", fetched, error=error, retry_after=retry_after, disable=disable
        )
        if fetched is not None:
            # Keep the old validators: the document they name was not stored.
            update = replace(update, etag=None, last_modified=None)
        try:
            self.archive.record_feed(feed, update)
        except AggregatorError as store_exc:
            log.error("%s: could not record the error: %s", feed.url, store_exc)
        return FeedResult(feed=feed, outcome="error", error=error, next_fetch=update.next_fetch)


def _log_result(r: FeedResult) -> None:
    if r.outcome == "error":
        log.warning("%s: error: %s", r.feed.url, r.error)
    elif r.outcome == "not_modified":
        log.info("%s: not modified", r.feed.url)
    elif r.outcome == "new":
        c = r.counts
        log.info(
            "%s: ok: %d new, %d updated, %d duplicate, %d unchanged, %d filtered%s",
            r.feed.url,
            c.new,
            c.updated,
            c.duplicate,
            c.unchanged,
            r.filtered,
            f" (warning: {r.warning})" if r.warning else "",
        )
