"""Domain dataclasses: as parsed (:class:`Entry`), as normalized (:class:`Story`),
as stored (:class:`StoredStory`, :class:`Source`, :class:`FeedState`), and a feed
as the user configured it (:class:`FeedConfig`).

Pure data, no I/O. Every instance is immutable (frozen, slotted); sequences are
tuples; every ``datetime`` is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "Credentials",
    "Enclosure",
    "Entry",
    "FeedConfig",
    "FeedState",
    "ParsedFeed",
    "Source",
    "StoredStory",
    "Story",
]


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A media file an entry carries (a podcast's audio, a video), as the feed describes it.

    Attributes:
        url: the file's absolute http(s) URL.
        type: its MIME type (``audio/mpeg``), or ``""`` when the feed gives none.
        length: its size in bytes, or ``None`` when unknown.
        duration: its playing time in seconds, or ``None`` when unknown.
    """

    url: str
    type: str = ""
    length: int | None = None
    duration: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a feed, as feedparser read it (HTML not cleaned yet).

    Attributes:
        guid: the entry's id, else its link, else a hash of title and link.
        link: the entry's link as given (absolute), or ``""``.
        title: the title as given (may hold HTML or entities).
        content_html: the richest content the entry offers (content, else summary).
        summary_html: the summary/description, or ``""``.
        published: the published date (UTC), or ``None``.
        updated: the updated date (UTC), else the created date, or ``None``.
        tags: the entry's category terms.
        author: the author's name, or ``""``.
        original_link: ``feedburner:origLink`` or a similar original-link field, or ``""``.
        enclosures: the media files it carries (``<enclosure>``, ``media:content``,
            Atom ``rel="enclosure"``, JSON Feed ``attachments``), without repeats.
        comments: the link to its discussion (RSS ``<comments>``, Atom
            ``rel="replies"``), or ``""``.
    """

    guid: str
    link: str = ""
    title: str = ""
    content_html: str = ""
    summary_html: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    tags: tuple[str, ...] = ()
    author: str = ""
    original_link: str = ""
    enclosures: tuple[Enclosure, ...] = ()
    comments: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed document.

    Attributes:
        title: the feed's title, or ``""``.
        link: the feed's site link, or ``""``.
        entries: the entries that could be read.
        ttl: the RSS ``<ttl>`` in minutes, or ``None``.
        warning: feedparser's survivable complaint (bozo), or ``""``.
        skipped: how many entries were unreadable and skipped.
    """

    title: str = ""
    link: str = ""
    entries: tuple[Entry, ...] = ()
    ttl: int | None = None
    warning: str = ""
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class Credentials:
    """How to authenticate to one feed and what to send it. Holds no secret, only names
    of environment variables (:mod:`aggregator.ingest.credentials` reads them).

    Attributes:
        username: the basic-auth user name, or ``""``.
        password_env: the environment variable holding the basic-auth password.
        token_env: the environment variable holding a bearer token.
        headers: extra request headers ``(name, value)``; ``${NAME}`` in a value stands
            for that environment variable's value.
        user_agent: the ``User-Agent`` for this feed, or ``""`` for the default.
    """

    username: str = ""
    password_env: str = ""
    token_env: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    user_agent: str = ""

    def __bool__(self) -> bool:
        return bool(
            self.username or self.password_env or self.token_env or self.headers or self.user_agent
        )


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One feed as the user configured it (a ``[[feeds]]`` entry of the config file).

    The store syncs its feeds table with these; the config loader builds them.

    Attributes:
        url: the feed's http(s) URL.
        category: the category of its stories (rendered upper case).
        title: an optional display title.
        interval: an optional per-feed poll interval.
        full_text: fetch the article pages for full text.
        enabled: False to keep the feed in the config without polling it.
        credentials: basic auth, bearer token, headers and User-Agent for this feed
            (names of environment variables only, never secrets).
        keep: how long this feed's stories are kept, ``"forever"`` or a duration;
            ``None`` follows ``[archive] keep``.
        keep_last: keep only this feed's newest this many stories, or ``None``.
    """

    url: str
    category: str = "general"
    title: str = ""
    interval: timedelta | None = None
    full_text: bool = False
    enabled: bool = True
    credentials: Credentials = field(default_factory=lambda: Credentials())
    keep: timedelta | Literal["forever"] | None = None
    keep_last: int | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """A normalized story, ready to archive.

    Attributes:
        category: upper case, e.g. ``TECHNOLOGY``.
        title: one line of plain text.
        published: UTC; published, else updated, else first seen.
        body: plain text; paragraphs separated by one blank line; no HTML.
        questions: discussion questions, one line each.
        actions: follow-ups, one line each.
        url: the link as the feed gave it (``""`` when it had none).
        canonical_url: ``url`` without tracking parameters, fragment, ``www.`` ...
        guid: the entry's id within its feed (``""`` for imported documents).
        author: the author's name, or ``""``.
        tags: the entry's category terms.
        lang: the language of the text, an ISO 639-1 code (``""`` when unknown).
        enclosures: the media files it carries (clean http(s) URLs).
        comments: the link to its discussion, or ``""``.
    """

    category: str
    title: str
    published: datetime
    body: str
    questions: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    url: str = ""
    canonical_url: str = ""
    guid: str = ""
    author: str = ""
    tags: tuple[str, ...] = ()
    lang: str = ""
    enclosures: tuple[Enclosure, ...] = ()
    comments: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """One sighting of a story: which feed carried it, under what URL and guid.

    Attributes:
        feed_url: the feed's URL (``""`` for an imported document).
        url: the entry's link as the feed gave it.
        guid: the entry's id within that feed.
        seen_at: when we first saw it there (UTC).
        feed_title: the feed's title, or ``""``.
    """

    feed_url: str
    url: str
    guid: str
    seen_at: datetime
    feed_title: str = ""


@dataclass(frozen=True, slots=True)
class StoredStory:
    """A story as the archive holds it.

    Attributes:
        id: the story's id in the archive.
        story: the normalized fields.
        first_seen: when the archive first saw it (UTC).
        updated_at: when it last changed (UTC).
        generator: the name of the question generator that wrote its questions.
        sources: every sighting, earliest first.
        related: ``(id, title)`` of close archived stories, derived when the story is
            shown (never stored); empty unless asked for.
        event: ``(id, title, outlet, url)`` of the other articles that report the same
            happening (its event), derived when the story is shown; empty unless asked for.
    """

    id: int
    story: Story
    first_seen: datetime
    updated_at: datetime
    generator: str = ""
    sources: tuple[Source, ...] = field(default=())
    related: tuple[tuple[int, str], ...] = ()
    event: tuple[tuple[int, str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed as the archive holds it, with its fetch state.

    Attributes:
        id: the feed's id in the archive.
        url: the URL fetched (updated on permanent redirects).
        category: upper-case category for its stories.
        title: a title from the config, else from the feed, else ``""``.
        etag: the last ETag, for conditional GET.
        last_modified: the last Last-Modified, for conditional GET.
        last_fetched: when it was last fetched (UTC), or ``None``.
        last_status: ``new``, ``not_modified`` or ``error``, or ``""`` before the first poll.
        last_error: the last error message, or ``""``.
        error_count: consecutive failed polls.
        next_fetch: when the daemon fetches it next (UTC), or ``None`` for as soon as possible.
        stories: how many stories it has contributed a source to.
        enabled: False once disabled (e.g. 410 Gone).
        interval: the feed's own poll interval from the config, or ``None`` for the default.
        adaptive_interval: the interval learned from its publishing pace, or ``None``.
        ttl: the feed's own ``<ttl>``, or ``None``.
        full_text: fetch each new story's page for its full text (``full_text = true``).
        retired: the config no longer lists it: kept whole, never polled.
        config_url: the URL the config names it by (``url`` may have moved since), or ``""``.
    """

    id: int
    url: str
    category: str = ""
    title: str = ""
    etag: str = ""
    last_modified: str = ""
    last_fetched: datetime | None = None
    last_status: str = ""
    last_error: str = ""
    error_count: int = 0
    next_fetch: datetime | None = None
    stories: int = 0
    enabled: bool = True
    interval: timedelta | None = None
    adaptive_interval: timedelta | None = None
    ttl: timedelta | None = None
    full_text: bool = False
    retired: bool = False
    config_url: str = ""
