"""The application factory: wires config, archive, fetcher, generator and poller.

:func:`open_app` is the one place dependencies are built; the CLI and the
daemon receive an :class:`App` and call its methods. Heavy imports (httpx,
feedparser, the process pool) happen only when a method needs them, so
commands that only read the archive start fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aggregator.app.config import Config, validate_feed_url
from aggregator.dedupe.urls import canonical_url
from aggregator.defaults import CONFIG_PATH as DEFAULT_CONFIG
from aggregator.errors import (
    AggregatorError,
    FeedError,
    FeedParseError,
    InvalidFeedURL,
    StoryFormatError,
    StoryNotFound,
)
from aggregator.models import FeedState, StoredStory, Story
from aggregator.store.archive import Archive
from aggregator.store.engine import open_archive
from aggregator.story.document import (
    ALSO_COVERED,
    READ_ORIGINAL,
    RELATED,
    SAME_EVENT,
    document_for,
)
from aggregator.story.format import Document, parse, render
from aggregator.story.media import (
    parse_discussion_action,
    parse_enclosure_action,
)
from aggregator.timeutil import utcnow

if TYPE_CHECKING:
    import httpx

    from aggregator.app.export import ExportResult
    from aggregator.app.regenerate import RegenerateResult
    from aggregator.ingest.fetch import FetchSettings
    from aggregator.poll.poller import FeedResult
    from aggregator.store.dedupe import Explanation, RebuildReport
    from aggregator.store.migrate import CopyReport
    from aggregator.store.retention import KeepPolicy, PruneReport

__all__ = ["App", "ImportResult", "QuestionsExplanation", "open_app", "story_from_document"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The outcome of importing one document.

    Attributes:
        path: the file.
        story_id: the archived story's id, or ``None`` on error.
        outcome: ``new``, ``duplicate`` or ``error``.
        error: the error message, or ``""``.
    """

    path: Path
    story_id: int | None
    outcome: str
    error: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class QuestionsExplanation:
    """What ``questions --explain`` shows.

    Attributes:
        facts: ``(label, value)`` of what the generator read: language, kind,
            subject, the action, quote, tension, figure and claim it used.
        generator: who wrote the stored questions.
        stored: the stored questions.
        offline: the offline generator's questions now.
    """

    facts: tuple[tuple[str, str], ...]
    generator: str
    stored: tuple[str, ...]
    offline: tuple[str, ...]


def story_from_document(doc: Document) -> Story:
    """Turn a parsed article-plus-questions document into a story.

    Args:
        doc: the document.

    Returns:
        The story, dated midnight UTC of the document's date; its URL is taken
        from a "Read the original:" action when there is one, its enclosures
        from "Listen:", "Watch:" and "Download:" actions and its comments link
        from a "Discussion:" action (the actions :func:`document_for` derives).
    """
    url = ""
    actions = doc.actions
    # "Read the original" first is derived from the URL when shown (see document_for).
    if actions and actions[0].startswith(READ_ORIGINAL):
        url = actions[0][len(READ_ORIGINAL) :].strip()
        actions = actions[1:]
    enclosures = []
    comments = ""
    kept = []
    for action in actions:
        enclosure = parse_enclosure_action(action)
        if enclosure is not None:
            enclosures.append(enclosure)
        elif not comments and parse_discussion_action(action):
            comments = parse_discussion_action(action)
        else:
            kept.append(action)
    actions = tuple(kept)
    return Story(
        category=doc.category,
        title=doc.title,
        published=datetime(doc.date.year, doc.date.month, doc.date.day, tzinfo=UTC),
        body=doc.body,
        questions=doc.questions,
        # Derived actions name this archive's feeds and ids: not the document's to keep.
        actions=tuple(a for a in actions if not a.startswith((ALSO_COVERED, RELATED, SAME_EVENT))),
        url=url,
        canonical_url=canonical_url(url) if url else "",
        enclosures=tuple(enclosures),
        comments=comments,
    )


class App:
    """aggregator's operations over one configuration and one archive.

    Opens the archive on first use; use as a context manager or call :meth:`close`.
    """

    def __init__(
        self,
        config: Config,
        *,
        db_path: Path | str,
        clock: Callable[[], datetime] = utcnow,
        transport: httpx.AsyncBaseTransport | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        """Build an app; nothing is opened yet.

        Args:
            config: the validated configuration.
            db_path: the archive file, or a ``postgresql://`` URL.
            clock: returns the current time (UTC).
            transport: an httpx transport for tests (``MockTransport``); ``None`` for the network.
            warn: shows the user a warning (the CLI: one line on stderr); ``None`` to log it.
        """
        self.warn = warn or log.warning
        self._warned = False
        self.config = config
        self.db_path = db_path
        self.clock = clock
        self.transport = transport
        self._archive: Archive | None = None
        self._reader: Archive | None = None

    @property
    def archive(self) -> Archive:
        """The archive, opened (and created or migrated) on first use: for writing commands."""
        if self._archive is None:
            self._archive = open_archive(
                self.db_path, dedupe=self.config.dedupe, events=self.config.events
            )
        return self._archive

    @property
    def reader(self) -> Archive:
        """The archive opened read-only, for commands that only read: they never
        create, migrate or write it (a missing archive is an error naming its path)."""
        if self._archive is not None:
            return self._archive
        if self._reader is None:
            self._reader = open_archive(self.db_path, readonly=True, dedupe=self.config.dedupe)
        return self._reader

    def close(self) -> None:
        """Close what the app opened."""
        for archive in (self._archive, self._reader):
            if archive is not None:
                archive.close()
        self._archive = self._reader = None

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reload(self, config: Config) -> list[FeedState]:
        """Take a new configuration (the daemon's SIGHUP): feeds and dedupe settings follow.

        Args:
            config: the newly loaded configuration.

        Returns:
            Every feed in the archive, after syncing with the new config.
        """
        self.config = config
        if self._archive is not None:
            self._archive.dedupe = config.dedupe  # thresholds apply from the next story
        return self.sync_feeds()

    # -- feeds -----------------------------------------------------------

    @property
    def owns_feeds(self) -> bool:
        """Whether the config speaks for the configured feeds: a config file was
        loaded, or feeds were given. The built-in defaults (no config file at all)
        leave the archive's feeds as they are rather than retire every one."""
        return self.config.path is not None or bool(self.config.feeds)

    def _warn_without_config(self) -> None:
        """Say once that no config file was found, where the feed list is shown or polled."""
        if not self.owns_feeds and not self._warned:
            self._warned = True
            self.warn(
                f"no config file {DEFAULT_CONFIG} in {Path.cwd()}: no configured feeds"
                " (the archive's are kept as they are; --config FILE names one)"
            )

    def sync_feeds(self) -> list[FeedState]:
        """Bring the archive's feeds in line with the config (feeds it no longer
        lists are retired, never deleted).

        Returns:
            Every live (not retired) feed in the archive.
        """
        if self.owns_feeds:
            self.archive.sync_feeds(self.config.feeds, now=self.clock())
        return self.archive.list_feeds()

    def list_feeds(self) -> list[FeedState]:
        """The feeds as the config and the archive describe them, read-only.

        Nothing is written: a feed the config lists but the archive does not
        hold yet is shown with id 0 (the next writing command adds it), and a
        configured feed the config no longer lists is shown retired.

        Returns:
            The feeds, retired ones included, in the order they were added.
        """
        stored = self.reader.list_feeds(include_retired=True)
        self._warn_without_config()
        if not self.owns_feeds:
            return stored
        wanted = {f.url: f for f in self.config.feeds}
        origin = {d["id"]: (d["origin"], d["config_url"]) for d in self.reader.feed_details()}
        out: list[FeedState] = []
        known: set[str] = set()
        for f in stored:
            kind, config_url = origin.get(f.id, ("cli", f.url))
            known.update((f.url, config_url))
            conf = wanted.get(config_url) or wanted.get(f.url)
            if conf is not None:
                f = replace(f, category=conf.category, title=conf.title or f.title, retired=False)
            elif kind == "config":
                f = replace(f, retired=True)
            out.append(f)
        for url, conf in wanted.items():
            if url not in known:
                out.append(
                    FeedState(
                        id=0,
                        url=url,
                        category=conf.category,
                        title=conf.title,
                        enabled=conf.enabled,
                        interval=conf.interval,
                        full_text=conf.full_text,
                    )
                )
        return out

    def resolve_feed(self, ref: str) -> str:
        """The URL of a feed named by its URL or by its id (as ``feeds list`` shows).

        Args:
            ref: a URL, or a number.

        Returns:
            The feed's URL.

        Raises:
            FeedError: no feed has that id.
        """
        if ref.isascii() and ref.isdigit():
            return self.reader.feed_by_id(int(ref)).url
        return ref

    def add_feed(
        self, url: str, *, category: str = "general", title: str = "", discover: bool = True
    ) -> FeedState:
        """Add a feed by hand.

        Args:
            url: an http(s) feed URL, or (with ``discover``) a site's page that
                advertises its feed with ``<link rel="alternate">``.
            category: its category.
            title: an optional title.
            discover: fetch the URL first: follow a page to the feed it advertises,
                and refuse a URL that serves no feed.

        Returns:
            The stored feed.

        Raises:
            InvalidFeedURL: the URL is not http(s).
            FeedError: the feed is already there, or (with ``discover``) no feed
                could be found or fetched there.
        """
        try:
            url = validate_feed_url(url)
        except ValueError as exc:
            raise InvalidFeedURL(str(exc), url=url) from exc
        self.sync_feeds()
        if discover:
            self.archive.ensure_new_feed(url)
            url = asyncio.run(self._discover(url))
        return self.archive.add_feed(url, category=category, title=title, now=self.clock())

    async def _discover(self, url: str) -> str:
        from aggregator.ingest.fetch import Fetcher
        from aggregator.ingest.parse import advertised_feeds, parse_feed

        async with Fetcher(
            self.make_client(), settings=self.fetch_settings(), clock=self.clock
        ) as fetcher:
            fetched = await fetcher.fetch(url)
            try:
                parse_feed(fetched.body, headers=fetched.headers, url=fetched.final_url)
                return fetched.permanent_redirect or url
            except FeedParseError:
                candidates = advertised_feeds(fetched.body, base=fetched.final_url)
            for candidate in candidates:
                try:
                    found = await fetcher.fetch(candidate)
                    parse_feed(found.body, headers=found.headers, url=found.final_url)
                except FeedError as exc:
                    log.info("%s advertises %s, which fails: %s", url, candidate, exc)
                    continue
                log.info("%s: found its feed %s", url, candidate)
                return found.permanent_redirect or candidate
        raise FeedError(
            f"no feed found at {url}"
            + (f" (it advertises {', '.join(candidates)}, none readable)" if candidates else ""),
            url=url,
        )

    def import_opml(self, path: Path) -> tuple[list[tuple[str, str]], list[str]]:
        """Add the feeds of an OPML file (nested outlines become categories).

        Args:
            path: the OPML file.

        Returns:
            ``(url, "added" | "exists")`` per feed, and messages for skipped outlines.

        Raises:
            AggregatorError: the file cannot be read or is not OPML.
        """
        from aggregator.app.opml import parse_opml

        try:
            data = path.read_bytes()
        except OSError as exc:
            raise AggregatorError(f"cannot read {path}: {exc}") from exc
        feeds, skipped = parse_opml(data, name=str(path))
        self.sync_feeds()
        out: list[tuple[str, str]] = []
        for f in feeds:
            try:
                self.archive.add_feed(
                    f.url, category=f.category or "general", title=f.title, now=self.clock()
                )
                out.append((f.url, "added"))
            except FeedError:
                out.append((f.url, "exists"))
        return out, skipped

    def export_opml(self, *, output: Path | None = None) -> str:
        """Every feed as an OPML 2.0 document, by category.

        Args:
            output: also write the document to this file, atomically.

        Returns:
            The document.
        """
        from aggregator.app.opml import OpmlFeed, render_opml
        from aggregator.digest.jobs import write_atomic

        details = {d["id"]: d for d in self.reader.feed_details()}
        feeds = [
            OpmlFeed(
                url=f.url,
                title=f.title,
                category=f.category,
                site_url=details[f.id]["site_url"] if f.id in details else "",
            )
            for f in self.list_feeds()
            if not f.retired
        ]
        text = render_opml(feeds, title="aggregator feeds", now=self.clock())
        if output is not None:
            write_atomic(output, text)
        return text

    def remove_feed(self, url: str) -> FeedState:
        """Remove a feed; its stories stay.

        Args:
            url: the feed's URL, or its id.

        Returns:
            The removed feed.

        Raises:
            FeedError: no such feed, or it comes from the config file.
        """
        self.sync_feeds()
        feed = self._own_feed(url, "remove it there")
        return self.archive.remove_feed(feed.url)

    def _own_feed(self, ref: str, advice: str) -> FeedState:
        """The feed named by URL or id, refusing one the config file lists."""
        feed = (
            self.archive.feed_by_id(int(ref))
            if ref.isascii() and ref.isdigit()
            else self.archive.get_feed(ref)
        )
        if any(f.url in (ref, feed.url) for f in self.config.feeds):
            where = self.config.path or "the config"
            raise FeedError(f"{ref} is configured in {where}; {advice}", url=ref)
        return feed

    def pause_feed(self, ref: str, *, paused: bool = True) -> FeedState:
        """Pause a feed (not polled until resumed), or resume it; config feeds too.

        Args:
            ref: the feed's URL or id.
            paused: True to pause, False to resume.

        Returns:
            The feed as stored now.

        Raises:
            FeedError: no such feed.
        """
        self.sync_feeds()
        feed = (
            self.archive.feed_by_id(int(ref))
            if ref.isascii() and ref.isdigit()
            else self.archive.get_feed(ref)
        )
        return self.archive.pause_feed(feed.id, paused=paused)

    def edit_feed(
        self,
        ref: str,
        *,
        category: str | None = None,
        title: str | None = None,
        interval: timedelta | None = None,
    ) -> FeedState:
        """Change a hand-added feed's category, title or interval.

        Args:
            ref: the feed's URL or id.
            category, title, interval: the new values (``None`` keeps each).

        Returns:
            The feed as stored now.

        Raises:
            FeedError: no such feed, or the config file lists it (edit it there).
        """
        self.sync_feeds()
        feed = self._own_feed(ref, "edit it there")
        return self.archive.edit_feed(feed.id, category=category, title=title, interval=interval)

    # -- polling ---------------------------------------------------------

    def poll(
        self,
        *,
        feeds: Sequence[FeedState] | None = None,
        on_start: Callable[[int], None] | None = None,
        on_result: Callable[[FeedResult], None] | None = None,
        on_fetch: Callable[[FeedState], None] | None = None,
        workers: int | None = None,
    ) -> list[FeedResult]:
        """Poll feeds once now (``aggregator fetch``).

        Args:
            feeds: the feeds to poll; ``None`` for every enabled feed.
            on_start: called with the number of feeds about to be polled.
            on_result: called with each feed's result.
            on_fetch: called with each feed as its request begins.
            workers: parser processes (``None`` for the config's).

        Returns:
            One result per feed.
        """
        if feeds is None:
            feeds = [f for f in self.sync_feeds() if f.enabled]
            self._warn_without_config()
            if not feeds:
                self.warn("no feeds to poll (add one with 'aggregator feeds add URL')")
            claim = getattr(self.archive, "claim_feeds", None)
            if claim is not None and feeds:  # PostgreSQL: leave other workers' feeds alone
                mine = claim(feeds, now=self.clock(), lease=self.config.schedule.lease)
                if len(mine) < len(feeds):
                    self.warn(
                        f"{len(feeds) - len(mine)} feeds are being polled by other workers;"
                        " they were left to them"
                    )
                feeds = mine
        if on_start is not None:
            on_start(len(feeds))
        if not feeds:
            return []
        return asyncio.run(
            self._poll(feeds, on_result=on_result, on_fetch=on_fetch, workers=workers)
        )

    async def _poll(
        self,
        feeds: Sequence[FeedState],
        *,
        on_result: Callable[[FeedResult], None] | None,
        workers: int | None,
        on_fetch: Callable[[FeedState], None] | None = None,
    ) -> list[FeedResult]:
        from aggregator.ingest.fetch import Fetcher
        from aggregator.poll.poller import Poller

        async with Fetcher(
            self.make_client(), settings=self.fetch_settings(), clock=self.clock
        ) as fetcher:
            with Poller(
                settings=self.config.poll_settings(),
                archive=self.archive,
                fetcher=fetcher,
                clock=self.clock,
                workers=workers,
            ) as poller:
                return await poller.poll(feeds, on_result=on_result, on_fetch=on_fetch)

    def fetch_settings(self) -> FetchSettings:
        """The fetcher's settings from ``[fetch]``.

        Returns:
            The settings.
        """
        from aggregator.ingest.fetch import FetchSettings

        f = self.config.fetch
        kwargs: dict[str, object] = {
            "timeout_connect": f.connect_timeout,
            "timeout_read": f.read_timeout,
            "timeout_total": f.total_timeout,
            "max_bytes": f.max_size,
            "concurrency": f.concurrency,
            "allow_private_addresses": f.allow_private_addresses,
        }
        if f.user_agent:
            kwargs["user_agent"] = f.user_agent
        return FetchSettings(**kwargs)  # type: ignore[arg-type]

    def make_client(self) -> httpx.Client | httpx.AsyncClient:
        """A new HTTP client with the configured settings (an asynchronous one over
        the test transport, when one was given; see ``ingest.fetch.make_client``).

        Returns:
            The client (the caller closes it).
        """
        from aggregator.ingest.fetch import make_client

        return make_client(self.fetch_settings(), transport=self.transport)

    # -- the archive as a whole -------------------------------------------

    def status(self) -> dict[str, Any]:
        """The archive's status: totals, every feed's fetch state, the scheduled digests.

        Read-only: the archive as it stands, with the config's view of its feeds
        (a feed new in the config shows with id 0 until the next poll adds it).

        Returns:
            ``{"archive", "stories", "sources", "events", "stories_in_events",
            "digests": [...], "feeds": {...totals}, "feed": [...]}``; each scheduled
            digest comes with its ``next_run``; ``events`` counts the events of two or
            more stories.
        """
        from aggregator.digest.jobs import digests_status

        details = {d["id"]: d for d in self.reader.feed_details()}
        rows = []
        for f in self.list_feeds():
            d = details.get(f.id, {})
            rows.append(
                {
                    "id": d.get("id", 0),
                    "url": f.url,
                    "title": f.title,
                    "category": f.category,
                    "enabled": bool(f.enabled),
                    "retired": f.retired,
                    "disabled_reason": d.get("disabled_reason", ""),
                    "last_fetched": d.get("last_fetched"),
                    "last_status": d.get("last_status", ""),
                    "last_error": d.get("last_error", ""),
                    "error_count": d.get("error_count", 0),
                    "next_fetch": d.get("next_fetch"),
                    "next_reason": d.get("next_reason", ""),
                    "stories": d.get("stories", 0),
                    "filtered": d.get("filtered", 0),
                }
            )
            if "polled_by" in d:  # PostgreSQL: which daemon polled it, which holds it now
                rows[-1]["polled_by"] = d["polled_by"] or ""
                rows[-1]["claimed_by"] = d.get("claimed_by") or ""
        from aggregator.store.events import event_totals

        events, grouped = event_totals(self.reader.conn)
        return {
            "archive": str(self.db_path),
            "stories": self.reader.count_stories(),
            "sources": self.reader.count_sources(),
            "events": events,
            "stories_in_events": grouped,
            "digests": digests_status(self.config.digests, db_path=self.db_path, now=self.clock()),
            "feeds": {
                "total": len(rows),
                "enabled": sum(1 for r in rows if r["enabled"] and not r["retired"]),
                "retired": sum(1 for r in rows if r["retired"]),
                "failing": sum(1 for r in rows if r["last_status"] == "error"),
                "never_fetched": sum(1 for r in rows if not r["last_fetched"]),
            },
            "feed": rows,
        }

    def maintain(self, *, seconds: float | None = None) -> bool:
        """Merge the search index and refresh the query planner's statistics.

        Args:
            seconds: stop merging after about this long; ``None`` merges the whole index.

        Returns:
            True when the index is merged into one segment.
        """
        return self.archive.maintain(seconds=seconds)

    def migrate(
        self, to: Path | str, *, progress: Callable[[str, int, int], None] | None = None
    ) -> CopyReport:
        """Copy this archive to another engine (``migrate --to``): resumable, verified.

        Args:
            to: the target: a ``postgresql://`` URL, or an SQLite file.
            progress: told ``(table, rows copied, rows in all)`` after each batch.

        Returns:
            What was copied and the verified row counts.

        Raises:
            AggregatorError: the target is this archive, cannot be opened, or the
                copy failed or does not match (run again to resume).
        """
        from aggregator.store.migrate import copy_archive

        if str(to) == str(self.db_path):
            raise AggregatorError(f"--to {to} is this archive; name another one")
        with open_archive(to, dedupe=self.config.dedupe) as target:
            return copy_archive(self.reader, target, progress=progress)

    def digest(
        self,
        *,
        fmt: str,
        since: str | None = None,
        until: str | None = None,
        day: str | None = None,
        period: str = "daily",
        categories: Sequence[str] = (),
        limit: int | None = None,
        output: Path | None = None,
    ) -> tuple[str, str]:
        """Build a digest of a window the user asked for (the ``digest`` command).

        Args:
            fmt: the format, one of :data:`aggregator.app.config.DIGEST_FORMATS`.
            since: the start, as typed (a date, an ISO time or a duration ago).
            until: the end, as typed.
            day: a calendar day (``YYYY-MM-DD``), the period that ends with it.
            period: ``daily`` or ``weekly``.
            categories: only these categories; empty for all.
            limit: the most stories to show.
            output: also write the digest to this file, atomically.

        Returns:
            ``(the rendered digest, a warning)``: the warning is ``""``, or says that
            the window has no stories (the digest is still a valid, empty document
            of its format) and which asked-for categories the archive does not have.

        Raises:
            ValueError: the window's options are malformed or conflict.
            ArchiveError: the archive cannot be read.
            ExportError: the format is unknown, or the file cannot be written.
        """
        from aggregator.digest.jobs import write_atomic
        from aggregator.digest.select import load_digest, render_digest, window_for

        window = window_for(now=self.clock(), since=since, until=until, day=day, period=period)
        found = load_digest(self.db_path, window, categories=categories, limit=limit)
        text = render_digest(found, fmt)
        warning = ""
        if not found.count:
            warning = f"no stories in {window.label}"
            if categories:
                have = self.reader.categories()
                known = {h.upper() for h in have}
                missing = [c for c in categories if c.upper() not in known]
                if missing:
                    warning += (
                        f"; no category {', '.join(missing)} in the archive"
                        f" (it has: {', '.join(have) or 'none'})"
                    )
        if output is not None:
            write_atomic(output, text)
        return text, warning

    def _tracking_params(self) -> frozenset[str] | None:
        return frozenset(p.lower() for p in self.config.tracking_params) or None

    def dedupe_rebuild(
        self, *, on_progress: Callable[[int, int], None] | None = None
    ) -> RebuildReport:
        """Recompute the duplicate index of the whole archive with the configured ``[dedupe]``.

        Args:
            on_progress: called with ``(done, total)`` as stories are processed.

        Returns:
            What the rebuild changed.
        """
        from aggregator.store.dedupe import rebuild

        return rebuild(
            self.archive,
            params=self.config.dedupe,
            tracking_params=self._tracking_params(),
            on_progress=on_progress,
        )

    def dedupe_explain(self, first: int, second: int) -> Explanation:
        """Why two stories are, or are not, one story (read-only).

        Args:
            first: one story's id.
            second: the other's.

        Returns:
            The explanation.

        Raises:
            StoryNotFound: either story does not exist (or there is no archive).
        """
        from aggregator.store.dedupe import explain, explain_path

        if isinstance(self.db_path, str):  # PostgreSQL: the shared read-only archive
            return explain(
                self.reader,
                first,
                second,
                params=self.config.dedupe,
                tracking_params=self._tracking_params(),
            )
        return explain_path(
            self.db_path,
            first,
            second,
            params=self.config.dedupe,
            tracking_params=self._tracking_params(),
        )

    # -- events ----------------------------------------------------------

    def events_rebuild(
        self, *, on_progress: Callable[[int, int], None] | None = None
    ) -> tuple[int, int]:
        """Recompute every event of the archive (one transaction).

        Returns:
            (stories grouped, events formed).
        """
        from aggregator.store import events

        with self.archive.transaction() as conn:
            return events.rebuild(conn, self.config.events, progress=on_progress)

    def events_explain(self, first: int, second: int) -> dict[str, Any]:
        """Why two stories are, or are not, one event: features, scores, thresholds, rule.

        Raises:
            StoryNotFound: either story does not exist.
        """
        from aggregator.store import events

        params = self.config.events
        try:
            fa, fb, verdict = events.explain(self.reader.conn, first, second, params)
        except KeyError as exc:
            raise StoryNotFound(f"no story with id {exc.args[0]}") from exc
        linked = events.link(self.reader.conn, first, second, params)

        def features(f: Any) -> dict[str, Any]:
            return {
                "title_keys": list(f.title_keys),
                "names": sorted(f.names),
                "numbers": sorted(f.numbers),
                "kind": f.kind,
            }

        return {
            "first": first,
            "second": second,
            "same_event": verdict.same,
            "rule": verdict.rule,
            "score": round(verdict.score, 3),
            "title_score": round(verdict.title_score, 3),
            "evidence": round(verdict.evidence, 3),
            "shared_title": list(verdict.shared_title),
            "shared_names": list(verdict.shared_names),
            "gap_hours": round(verdict.gap.total_seconds() / 3600, 1),
            "thresholds": {
                "window_hours": params.window.total_seconds() / 3600,
                "threshold": params.threshold,
                "title_weight": params.title_weight,
                "gap_penalty": params.gap_penalty,
                "nameless": params.nameless,
                "min_title": params.min_title,
                "strong": params.strong,
                "min_idf": params.min_idf,
                "cross_language": params.cross_language,
                "distinct": params.distinct,
                "coverage": params.coverage,
                "actors": params.actors,
                "actor_idf": params.actor_idf,
            },
            "features": {"first": features(fa), "second": features(fb)},
            # Where the archive stored them: one event, and the chain of stories that
            # match each other now from the first to the second (empty when none does).
            "event_id": linked.event_id if linked else None,
            "path": list(linked.path) if linked else [],
            "path_rules": list(linked.rules) if linked else [],
        }

    # -- stories ---------------------------------------------------------

    def show(self, story_id: int) -> StoredStory:
        """Read one story.

        Args:
            story_id: its id.

        Returns:
            The story with its sources, the other articles of its event, and its
            related stories (up to three close matches published within a week
            of it, not counting the event's).

        Raises:
            StoryNotFound: no such story.
        """
        archive = self.reader
        from aggregator.store.events import coverage

        stored = archive.get_story(story_id)
        event = tuple(coverage(archive.conn, story_id))
        members = {other[0] for other in event}
        related = tuple(r for r in archive.related(story_id) if r[0] not in members)
        return replace(stored, related=related, event=event)

    def render(self, stored: StoredStory) -> str:
        """Render a stored story as an article-plus-questions document.

        Args:
            stored: the story.

        Returns:
            The document's text.
        """
        return render(document_for(stored))

    def explain_questions(self, story_id: int) -> QuestionsExplanation:
        """What the offline generator sees in a story, and the questions it writes now.

        Args:
            story_id: the story's id.

        Returns:
            The generator's reading (language, kind, subject, the facts it used),
            the stored questions and who wrote them, and the offline questions now.

        Raises:
            StoryNotFound: no story has that id.
        """
        from aggregator.ingest.lang import detect_language
        from aggregator.questions.offline import OfflineGenerator
        from aggregator.questions.reading import describe

        stored = self.show(story_id)
        story = stored.story
        # Detected again, as the regenerated questions are: the stored language may be
        # missing (archived before languages were recorded) or an older detector's.
        story = dataclasses.replace(story, lang=detect_language(story.title, story.body))
        offline = OfflineGenerator(count=self.config.questions.count)
        return QuestionsExplanation(
            facts=tuple(describe(offline.explain(story))),
            generator=stored.generator,
            stored=stored.story.questions,
            offline=tuple(offline.generate(story)),
        )

    def regenerate_questions(
        self,
        *,
        generator: str | None = None,
        since: datetime | None = None,
        include_imported: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> RegenerateResult:
        """Rewrite the stored questions of archived stories (the FTS index follows).

        Args:
            generator: ``offline`` or ``llm``; ``None`` for ``[questions] generator``.
            since: only stories published at or after this time (UTC).
            include_imported: also rewrite the questions of imported documents.
            on_progress: called with ``(done, total)`` after each batch.

        Returns:
            What was rewritten, by generator.

        Raises:
            ArchiveError: a batch could not be written (earlier ones stay written).
        """
        from aggregator.app.regenerate import regenerate_questions

        return regenerate_questions(
            self.archive,
            questions=self.config.questions,
            now=self.clock(),
            generator=generator,
            since=since,
            include_imported=include_imported,
            on_progress=on_progress,
        )

    def export(
        self,
        *,
        fmt: str,
        output: str,
        since: datetime | None = None,
        until: datetime | None = None,
        categories: Sequence[str] = (),
    ) -> ExportResult:
        """Export stories as JSON Lines or documents (see :mod:`aggregator.app.export`).

        Args:
            fmt: ``jsonl`` or ``documents``.
            output: a file (``-``: stdout) or, for documents, a folder.
            since: only stories published at or after this time (UTC).
            until: only stories published before this time (UTC).
            categories: only these categories (any case).

        Returns:
            How many stories were written.

        Raises:
            ExportError: the output cannot be written.
            ArchiveError: there is no archive, or it cannot be read.
        """
        import sys

        from aggregator.app.export import export

        with open_archive(self.db_path, readonly=True) as archive:
            return export(
                archive,
                fmt=fmt,
                output=output,
                since=since,
                until=until,
                categories=categories,
                stdout=sys.stdout,
            )

    def retention(self) -> tuple[KeepPolicy, dict[str, KeepPolicy]]:
        """The retention policies of the config: the archive's, and each feed's own.

        Returns:
            ``(the archive's policy, {feed URL: policy})`` for the feeds that set
            ``keep`` or ``keep_last``.
        """
        from aggregator.store.retention import KeepPolicy

        default = KeepPolicy(age=self.config.archive.keep)
        feeds = {}
        for f in self.config.feeds:
            if f.keep is None and f.keep_last is None:
                continue
            age = default.age if f.keep is None else None if f.keep == "forever" else f.keep
            feeds[f.url] = KeepPolicy(age=age, last=f.keep_last)
        return default, feeds

    def prune(self, *, dry_run: bool = False) -> PruneReport:
        """Delete the stories that no feed keeps any more (see :mod:`aggregator.store.retention`).

        Args:
            dry_run: only count them; the archive is opened read-only.

        Returns:
            What was (or would be) deleted.

        Raises:
            ArchiveError: nothing was deleted.
        """
        from aggregator.store.retention import prune

        default, feeds = self.retention()
        if dry_run:
            with open_archive(self.db_path, readonly=True) as archive:
                return prune(archive, default=default, feeds=feeds, now=self.clock(), dry_run=True)
        self.sync_feeds()
        return prune(self.archive, default=default, feeds=feeds, now=self.clock())

    def import_paths(self, paths: Iterable[Path]) -> list[ImportResult]:
        """Archive article-plus-questions documents from files and folders.

        Folders are searched for ``*.txt`` files, recursively. A file that is
        not a valid document is reported and the others go on. ``*.jsonl`` files
        (as ``aggregator export --format jsonl`` writes them) hold one story a
        line; each line is reported as ``FILE:LINE``.

        Args:
            paths: files or folders.

        Returns:
            One result per file.
        """
        files: list[Path] = []
        for p in paths:
            if p.is_dir():
                found = (*p.rglob("*.txt"), *p.rglob("*.jsonl"))
                files.extend(sorted(q for q in found if q.is_file()))
            else:
                files.append(p)
        results: list[ImportResult] = []
        good: list[tuple[Path, Story]] = []
        for f in files:
            if f.suffix == ".jsonl":
                _read_jsonl(f, good, results)
                continue
            try:
                text = f.read_text(encoding="utf-8")
                good.append((f, story_from_document(_parse_document(text))))
            except (OSError, UnicodeDecodeError) as exc:
                results.append(ImportResult(f, None, "error", f"cannot read: {exc}"))
            except StoryFormatError as exc:
                results.append(ImportResult(f, None, "error", str(exc)))
        if good:
            stored = self.archive.import_stories([s for _, s in good], now=self.clock())
            for (f, _), (story_id, outcome) in zip(good, stored, strict=True):
                results.append(ImportResult(f, story_id, outcome))
        return results


def _read_jsonl(path: Path, good: list[tuple[Path, Story]], results: list[ImportResult]) -> None:
    """Read the stories of a JSON Lines export; a bad line is reported with its number."""
    import json

    from aggregator.app.export import story_from_record

    try:
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                where = Path(f"{path}:{number}")
                if not line.strip():
                    continue
                try:
                    good.append((where, story_from_record(json.loads(line))))
                except ValueError as exc:  # JSON errors and StoryFormatError
                    results.append(ImportResult(where, None, "error", str(exc)))
    except (OSError, UnicodeDecodeError) as exc:
        results.append(ImportResult(path, None, "error", f"cannot read: {exc}"))


def _parse_document(text: str) -> Document:
    """Parse a document to import, with or without actions.

    A document that ends after its questions, without even the ``actions``
    line, is read as having no actions.

    Args:
        text: the file's text.

    Returns:
        The document.

    Raises:
        StoryFormatError: the text is not a document (the message names the line).
    """
    try:
        return parse(text)
    except StoryFormatError as exc:
        error = exc
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    if "questions" in lines and "actions" not in lines:
        try:
            return parse("\n".join(lines) + "\n\nactions")
        except StoryFormatError:
            pass
    raise error


def open_app(
    config: Config,
    *,
    db_path: Path | str | None = None,
    clock: Callable[[], datetime] = utcnow,
    transport: httpx.AsyncBaseTransport | None = None,
    warn: Callable[[str], None] | None = None,
) -> App:
    """Build the application from a configuration.

    Args:
        config: the validated configuration.
        db_path: the archive file or ``postgresql://`` URL; ``None`` for ``[archive] url``,
            else ``[archive] path``.
        clock: returns the current time (UTC).
        transport: an httpx transport for tests.
        warn: shows the user a warning; ``None`` to log it.

    Returns:
        The app (opens nothing until used).

    Raises:
        AggregatorError: the app cannot be built.
    """
    path = db_path or config.archive.location
    if isinstance(path, Path) and path.exists() and path.is_dir():
        raise AggregatorError(f"--db {path} is a folder, not a file")
    return App(config, db_path=path, clock=clock, transport=transport, warn=warn)
