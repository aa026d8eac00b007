"""Digests: which stories a window holds, grouped by category and ranked.

:func:`select_digest` is pure (stories and a window in, a :class:`Digest`
out); :func:`load_digest` feeds it from the archive with one read-only query
(plus one for all the stories' sources); :func:`build_digest` renders the
result with a renderer from :data:`aggregator.digest.formats.RENDERERS`.

Decisions:

- A story belongs to a window by its ``published`` time (UTC); the window
  is half-open, ``[since, until)``.
- Coverage is the number of distinct feeds that carried a story (its
  sources; an imported document counts as one). Stories are ranked by
  coverage, then by recency, then by id, so equal inputs always give the same
  order. A story carried by several feeds appears once, with "also covered
  by".
- Events: the articles of one event (:mod:`aggregator.dedupe.events`) make
  one entry, headed by the best-covered (then earliest) article; its
  coverage is the number of distinct feeds across the event's articles, and
  "also covered by" lists the other articles (title, feed, link).
- Categories are ordered by how many stories they hold (most first), then by
  the rank of their best story, then by name.
- A digest is a function of the archive and its window only: nothing in it
  depends on when it is built (its ``generated_at`` is the window's end), so
  rebuilding a past window later gives the same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from aggregator.errors import ExportError
from aggregator.models import StoredStory
from aggregator.story.format import format_date

__all__ = [
    "DEFAULT_TITLE",
    "PERIODS",
    "Digest",
    "DigestCategory",
    "DigestSource",
    "DigestStory",
    "Window",
    "build_digest",
    "load_digest",
    "render_digest",
    "scheduled_window",
    "select_digest",
    "window_for",
]

log = logging.getLogger(__name__)

DEFAULT_TITLE = "News digest"
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
_DAY = timedelta(days=1)


def _utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{what} must be timezone-aware (UTC)")
    return value.astimezone(UTC)


def _show(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open span of time ``[since, until)``, both ends UTC.

    Attributes:
        since: the first instant included (UTC).
        until: the first instant excluded (UTC); always after ``since``.
    """

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "since", _utc(self.since, "since"))
        object.__setattr__(self, "until", _utc(self.until, "until"))
        if self.until <= self.since:
            raise ValueError(
                f"the window must end after it starts (since {_show(self.since)},"
                f" until {_show(self.until)})"
            )

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.since <= moment < self.until

    @property
    def whole_days(self) -> bool:
        """True when the window starts and ends at midnight UTC."""
        return self.since.time() == time(0) and self.until.time() == time(0)

    @property
    def last_day(self) -> date:
        """The last calendar day (UTC) the window touches."""
        return (self.until - timedelta(microseconds=1)).date()

    @property
    def label(self) -> str:
        """A short human description, e.g. ``Mon Nov 02 2026`` or ``2026-11-01 07:00 - ...``."""
        if self.whole_days:
            first = format_date(self.since.date())
            if self.until - self.since == _DAY:
                return first
            return f"{first} to {format_date(self.last_day)}"
        fmt = "%Y-%m-%d %H:%M:%S" if self.since.second or self.until.second else "%Y-%m-%d %H:%M"
        return f"{self.since.strftime(fmt)} to {self.until.strftime(fmt)} UTC"


def window_for(
    *,
    now: datetime,
    since: str | None = None,
    until: str | None = None,
    day: str | None = None,
    period: str = "daily",
) -> Window:
    """Work out the window a user asked for (the ``digest`` command's options).

    - ``day`` (``YYYY-MM-DD``): the period that ends with that calendar day
      (UTC): the day itself for ``daily``, the seven days up to it for ``weekly``.
    - ``since`` and/or ``until`` (a date, an ISO time, or a duration ago such as
      ``24h``): that span; a missing end is ``now``, a missing start is one
      period before the end.
    - nothing: the period up to ``now`` (the last 24 hours, or 7 days).

    Args:
        now: the current time (UTC).
        since: the start, as typed.
        until: the end, as typed.
        day: a calendar day, as typed; not with ``since``/``until``.
        period: ``daily`` or ``weekly``.

    Returns:
        The window.

    Raises:
        ValueError: an option is malformed, the options conflict, or the window is empty.
    """
    from aggregator.timeutil import parse_when

    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r} (allowed: {', '.join(PERIODS)})")
    length = PERIODS[period]
    now = _utc(now, "now").replace(microsecond=0)
    if day is not None:
        if since is not None or until is not None:
            raise ValueError("--date cannot be combined with --since or --until")
        try:
            last = date.fromisoformat(day.strip())
        except ValueError:
            raise ValueError(f"{day!r} is not a date like 2026-11-02") from None
        end = datetime.combine(last, time(0), tzinfo=UTC) + _DAY
        return Window(end - length, end)
    end = parse_when(until, now=now) if until is not None else now
    start = parse_when(since, now=now) if since is not None else end - length
    return Window(start, end)


def scheduled_window(fire_time: datetime, window: str) -> Window:
    """The window of a scheduled digest that fires at ``fire_time``.

    ``daily`` and ``weekly`` are calendar-aligned: the whole UTC day (or the
    seven whole days) before the day the digest fires, so a 07:00 daily digest
    is yesterday's news and equals ``aggregator digest --date YESTERDAY``. A
    duration (``12h``) is rolling: the span that ends at the fire time.

    Args:
        fire_time: when the schedule fired (UTC).
        window: ``daily``, ``weekly`` or a duration such as ``"12h"``.

    Returns:
        The window.

    Raises:
        ValueError: ``window`` is neither a period nor a duration.
    """
    from aggregator.timeutil import parse_duration

    fire_time = _utc(fire_time, "fire_time").replace(microsecond=0)
    if window in PERIODS:
        end = datetime.combine(fire_time.date(), time(0), tzinfo=UTC)
        return Window(end - PERIODS[window], end)
    return Window(fire_time - parse_duration(window), fire_time)


@dataclass(frozen=True, slots=True)
class DigestSource:
    """One feed that carried a story.

    Attributes:
        name: the feed's title, else its URL; ``""`` for an imported document.
        url: the story's link as that feed gave it (unchecked; renderers keep only http(s)).
        title: another article's title, when this source is another article of the
            same event; ``""`` for a copy of the story itself.
    """

    name: str
    url: str
    title: str = ""

    @property
    def label(self) -> str:
        """What a digest shows: the feed's name, after the article's title for another article."""
        if self.title:
            return f"{self.title} ({self.name})" if self.name else self.title
        return self.name


@dataclass(frozen=True, slots=True)
class DigestStory:
    """A story as a digest shows it.

    Attributes:
        stored: the story as archived.
        coverage: how many distinct feeds carried it (at least 1).
        sources: one entry per distinct feed, earliest first.
        others: the other articles of its event (title, feed, link), earliest first.
    """

    stored: StoredStory
    coverage: int
    sources: tuple[DigestSource, ...]
    others: tuple[DigestSource, ...] = ()

    @property
    def id(self) -> int:
        """The story's id in the archive."""
        return self.stored.id

    @property
    def also_covered_by(self) -> tuple[DigestSource, ...]:
        """The named sources after the first (where it was seen first), then the other articles."""
        named = [s for s in self.sources if s.name]
        return tuple(named[1:]) + self.others


@dataclass(frozen=True, slots=True)
class DigestCategory:
    """One category of a digest.

    Attributes:
        name: the category, upper case.
        stories: its stories, best ranked first.
    """

    name: str
    stories: tuple[DigestStory, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """The stories of a window, grouped and ranked. Immutable.

    Attributes:
        title: the digest's title, e.g. ``News digest``.
        window: the span of time it covers.
        categories: the categories, largest first (then by their best story),
            each with its ranked stories.
        matched: how many stories the window held (after the category filter,
            before the limit).
        filter_categories: the categories asked for (upper case); empty for all.
        limit: the most stories asked for, or ``None``.
    """

    title: str
    window: Window
    categories: tuple[DigestCategory, ...]
    matched: int
    filter_categories: tuple[str, ...] = ()
    limit: int | None = None

    @property
    def stories(self) -> tuple[DigestStory, ...]:
        """Every story, category by category, in rank order."""
        return tuple(s for c in self.categories for s in c.stories)

    @property
    def count(self) -> int:
        """How many stories the digest shows."""
        return sum(len(c.stories) for c in self.categories)

    @property
    def generated_at(self) -> datetime:
        """The window's end: a digest depends on its window, never on the clock."""
        return self.window.until

    @property
    def heading(self) -> str:
        """The title with the window, e.g. ``News digest: Mon Nov 02 2026``."""
        return f"{self.title}: {self.window.label}"


def _sources(stored: StoredStory) -> tuple[DigestSource, ...]:
    """One source per distinct feed, earliest first (the archive's order)."""
    seen: dict[str, DigestSource] = {}
    for s in stored.sources:
        key = s.feed_url or f"url:{s.url}"
        if key not in seen:
            # The same naming as aggregator.app.core.document_for's "Also covered by".
            seen[key] = DigestSource(name=s.feed_title or s.feed_url, url=s.url)
    return tuple(seen.values())


def _rank(story: DigestStory) -> tuple[int, float, int]:
    return (-story.coverage, -story.stored.story.published.timestamp(), story.stored.id)


def _group_events(picked: list[DigestStory], events: Mapping[int, int]) -> list[DigestStory]:
    """One entry per event: the best-covered (then earliest) article, the others listed."""
    groups: dict[tuple[str, int], list[DigestStory]] = {}
    for item in picked:
        event = events.get(item.id)
        key = ("event", event) if event is not None else ("story", item.id)
        groups.setdefault(key, []).append(item)
    out: list[DigestStory] = []
    for members in groups.values():
        if len(members) == 1:
            out.append(members[0])
            continue
        members.sort(key=lambda m: (-m.coverage, m.stored.story.published, m.id))
        head, rest = members[0], members[1:]
        feeds = {s.name or s.url for m in members for s in m.sources}
        rest.sort(key=lambda m: (m.stored.story.published, m.id))
        others = tuple(
            DigestSource(
                name=m.sources[0].name if m.sources else "",
                url=m.stored.story.url or (m.sources[0].url if m.sources else ""),
                title=m.stored.story.title or "(untitled)",
            )
            for m in rest
        )
        out.append(replace(head, coverage=max(head.coverage, len(feeds)), others=others))
    return out


def select_digest(
    stories: Iterable[StoredStory],
    window: Window,
    *,
    categories: Sequence[str] = (),
    limit: int | None = None,
    title: str = DEFAULT_TITLE,
    events: Mapping[int, int] | None = None,
) -> Digest:
    """Choose, group and rank the stories of a window. Pure: no I/O, no clock.

    Args:
        stories: candidate stories (those outside the window or the categories are dropped).
        window: the span of time.
        categories: only these categories (any case); empty for all.
        limit: keep only the best ``limit`` entries overall (by coverage, then recency).
        title: the digest's title.
        events: each grouped story's event id; the stories of one event make one entry.

    Returns:
        The digest.

    Raises:
        ValueError: ``limit`` is not positive.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    wanted = tuple(dict.fromkeys(c.strip().upper() for c in categories if c.strip()))
    picked: list[DigestStory] = []
    seen_ids: set[int] = set()
    for stored in stories:
        story = stored.story
        if stored.id in seen_ids or story.published not in window:
            continue
        if wanted and story.category.upper() not in wanted:
            continue
        seen_ids.add(stored.id)
        sources = _sources(stored)
        picked.append(DigestStory(stored=stored, coverage=max(1, len(sources)), sources=sources))
    if events:
        picked = _group_events(picked, events)
    matched = len(picked)
    picked.sort(key=_rank)
    if limit is not None:
        picked = picked[:limit]
    groups: dict[str, list[DigestStory]] = {}
    for item in picked:
        groups.setdefault(item.stored.story.category.upper(), []).append(item)
    # Largest first; between equals, the one with the better top story.
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), _rank(kv[1][0]), kv[0]))
    return Digest(
        title=title,
        window=window,
        categories=tuple(DigestCategory(name, tuple(items)) for name, items in ordered),
        matched=matched,
        filter_categories=wanted,
        limit=limit,
    )


def load_digest(
    db_path: Path | str,
    window: Window,
    *,
    categories: Sequence[str] = (),
    limit: int | None = None,
    title: str = DEFAULT_TITLE,
) -> Digest:
    """Read a window's stories from the archive (read-only) and select the digest.

    Args:
        db_path: the archive file.
        window: the span of time.
        categories: only these categories (any case); empty for all.
        limit: the most stories to keep.
        title: the digest's title.

    Returns:
        The digest.

    Raises:
        ArchiveError: the archive is missing or cannot be read.
    """
    from aggregator.store.engine import open_archive
    from aggregator.store.events import events_of

    with open_archive(db_path, readonly=True) as archive:
        stories = archive.stories_between(window.since, window.until, categories=categories)
        grouped = events_of(archive.conn, [s.id for s in stories])
    events = {sid: info.id for sid, info in grouped.items()}
    return select_digest(
        stories, window, categories=categories, limit=limit, title=title, events=events
    )


def render_digest(digest: Digest, fmt: str) -> str:
    """Render a digest in one of the registered formats.

    Args:
        digest: the digest.
        fmt: a key of :data:`aggregator.digest.formats.RENDERERS`.

    Returns:
        The rendered document.

    Raises:
        ExportError: the format is unknown.
    """
    from aggregator.digest.formats import RENDERERS

    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ExportError(f"unknown digest format {fmt!r} (allowed: {', '.join(RENDERERS)})")
    return renderer(digest)


def build_digest(
    db_path: Path | str,
    window: Window,
    *,
    fmt: str,
    categories: Sequence[str] = (),
    limit: int | None = None,
    title: str = DEFAULT_TITLE,
) -> str:
    """Build a digest from the archive and render it (the ``digest`` command).

    Args:
        db_path: the archive file.
        window: the span of time.
        fmt: the format (``text``, ``markdown``, ``html``, ``json`` or ``atom``).
        categories: only these categories; empty for all.
        limit: the most stories to show.
        title: the digest's title.

    Returns:
        The rendered digest.

    Raises:
        ArchiveError: the archive cannot be read.
        ExportError: the format is unknown.
    """
    from aggregator.digest.formats import RENDERERS

    if fmt not in RENDERERS:
        raise ExportError(f"unknown digest format {fmt!r} (allowed: {', '.join(RENDERERS)})")
    digest = load_digest(db_path, window, categories=categories, limit=limit, title=title)
    log.info("digest %s: %d of %d stories", window.label, digest.count, digest.matched)
    return render_digest(digest, fmt)
