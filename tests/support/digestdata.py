"""A small archive for digest tests, written through the real Archive (no fakes).

Monday 2 November 2026 (UTC) holds five stories in three categories; one of
them is carried by three feeds and one by two, so ranking, grouping and "also
covered by" all show. Two more stories sit just outside that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.digest.select import Window
from aggregator.models import FeedConfig, Story
from aggregator.store.archive import FeedUpdate
from aggregator.store.engine import open_archive

__all__ = ["DAY", "FEEDS", "WINDOW", "make_archive", "story", "store"]

DAY = datetime(2026, 11, 2, tzinfo=UTC)
WINDOW = Window(DAY, DAY + timedelta(days=1))
FEEDS = (
    FeedConfig(url="https://a.example/feed.xml", title="Alpha News", category="technology"),
    FeedConfig(url="https://b.example/rss", title="Beta Daily", category="technology"),
    FeedConfig(url="https://c.example/atom.xml", title="Gamma Wire", category="science"),
)


def story(
    n: int,
    *,
    hour: float,
    category: str = "TECHNOLOGY",
    title: str = "",
    url: str = "",
    day: datetime = DAY,
    body: str = "",
    questions: Sequence[str] = (),
    author: str = "",
) -> Story:
    """A story numbered ``n``, published ``hour`` hours after ``day``."""
    link = url or f"https://news.example/{n}"
    return Story(
        category=category,
        title=title or f"Story number {n}",
        published=day + timedelta(hours=hour),
        body=body
        or (
            f"The first paragraph of story {n} says what happened.\n"
            "It runs over two lines.\n\n"
            f"A second paragraph of story {n} adds context."
        ),
        questions=tuple(questions) or (f"What changes after story {n}?", "Who gains from it?"),
        url=link,
        canonical_url=link,
        guid=f"guid-{n}",
        author=author,
    )


def store(
    path: Path | str, by_feed: dict[int, list[Story]], *, seen: datetime | None = None
) -> None:
    """Store stories as polls of the given feeds (index into :data:`FEEDS`)."""
    at = seen or DAY + timedelta(days=1, hours=1)
    with open_archive(path) as archive:
        archive.sync_feeds(FEEDS, now=at)
        feeds = {f.url: f for f in archive.list_feeds()}
        for index, stories in by_feed.items():
            feed = feeds[FEEDS[index].url]
            update = FeedUpdate(status="new", fetched_at=at, next_fetch=at + timedelta(hours=1))
            archive.store_poll(feed, stories, update, generator="test")


def make_archive(path: Path | str) -> Path:
    """The standard digest archive at ``path`` (a file, or a PostgreSQL URL); returns ``path``."""
    nvidia = story(
        1,
        hour=9,
        title="Nvidia reports record data-centre revenue",
        url="https://a.example/nvidia",
        author="A. Writer",
    )
    launch = story(3, hour=11, category="SCIENCE", title="Starlink batch launched")
    store(
        path,
        {
            0: [
                nvidia,
                story(2, hour=14, title="Firefox ships a rebuilt tab manager"),
                launch,
                story(4, hour=-0.0003, title="Late on Sunday"),  # 23:59:59 the day before
                story(5, hour=24, title="Tuesday already"),  # the window's end is excluded
            ],
            1: [nvidia, launch, story(6, hour=8, category="BUSINESS", title="Intel delays")],
            2: [nvidia, story(7, hour=20, category="SCIENCE", title="A comet returns")],
        },
    )
    return path  # type: ignore[return-value]
