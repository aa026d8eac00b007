"""``aggregator filters test URL``: what the ``[[filters]]`` rules would do to a feed now.

Fetches the feed once (with its configured credentials), reads its items as a
poll would, and asks the rules about each one. Nothing is written: the
archive is not even opened.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aggregator.app.config import validate_feed_url
from aggregator.errors import InvalidFeedURL

if TYPE_CHECKING:
    from aggregator.app.core import App

__all__ = ["FilterReport", "FilterTrial", "try_filters"]


@dataclass(frozen=True, slots=True)
class FilterTrial:
    """One item of the feed and the rules' verdict.

    Attributes:
        title: the item's title (plain text).
        url: its link, or ``""``.
        keep: whether it would be archived.
        reason: why it would be dropped (or kept by a ``keep`` rule), else ``""``.
    """

    title: str
    url: str
    keep: bool
    reason: str


@dataclass(frozen=True, slots=True)
class FilterReport:
    """What the rules would do to one feed's current items.

    Attributes:
        url: the feed's URL.
        rules: how many ``[[filters]]`` rules the config has.
        items: each item, in feed order.
    """

    url: str
    rules: int
    items: tuple[FilterTrial, ...]

    @property
    def dropped(self) -> int:
        """How many items would be dropped."""
        return sum(not t.keep for t in self.items)


def try_filters(app: App, url: str) -> FilterReport:
    """Fetch a feed and judge its items with the config's rules, writing nothing.

    Args:
        app: the application (its config and fetch settings).
        url: the feed's URL; a configured feed's credentials, category and scope apply.

    Returns:
        The report.

    Raises:
        InvalidFeedURL: the URL is not http(s).
        FeedError: the feed could not be fetched or read.
    """
    try:
        url = validate_feed_url(url)
    except ValueError as exc:
        raise InvalidFeedURL(str(exc), url=url) from exc
    return asyncio.run(_try(app, url))


async def _try(app: App, url: str) -> FilterReport:
    from aggregator.ingest.fetch import Fetcher
    from aggregator.ingest.filters import judge
    from aggregator.ingest.normalize import normalize_entry
    from aggregator.ingest.parse import parse_feed
    from aggregator.models import FeedConfig

    feed = next((f for f in app.config.feeds if f.url == url), FeedConfig(url=url))
    async with Fetcher(app.make_client(), settings=app.fetch_settings(), clock=app.clock) as f:
        fetched = await f.fetch(url, credentials=feed.credentials)
    parsed = parse_feed(fetched.body, headers=fetched.headers, url=fetched.final_url)
    trials = []
    for entry in parsed.entries:
        story = normalize_entry(
            entry,
            category=feed.category,
            now=app.clock(),
            category_rules=app.config.categories,
        )
        verdict = judge(app.config.filters, url, story)
        trials.append(FilterTrial(story.title, story.url, verdict.keep, verdict.reason))
    return FilterReport(url=url, rules=len(app.config.filters), items=tuple(trials))
