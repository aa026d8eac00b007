"""Small feed documents written by the tests themselves (no licence questions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

__all__ = ["rss"]

_TOPICS = [
    ("Nvidia", "reports record data-centre revenue as demand for AI chips keeps growing"),
    ("Microsoft", "restores Outlook and Teams after a global outage traced to a bad update"),
    ("SpaceX", "launches a new batch of Starlink satellites from Cape Canaveral"),
    ("Apple", "faces a fresh antitrust complaint from the European Commission"),
    ("Mozilla", "ships Firefox with a rebuilt tab manager and faster start-up"),
    ("OpenAI", "announces a smaller reasoning model priced for developers"),
    ("Intel", "delays its next foundry node and cuts capital spending"),
    ("Google", "opens its Gemini models to more enterprise customers"),
]


def rss(name: str, count: int, *, start: int = 0, site: str = "https://news.example") -> bytes:
    """An RSS 2.0 document with ``count`` distinct items numbered from ``start``.

    Args:
        name: the feed's name; it is part of every item's guid and link.
        count: how many items.
        start: the first item's number.
        site: the base of the items' links.

    Returns:
        The document's bytes.
    """
    base = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    items = []
    for i in range(start, start + count):
        org, what = _TOPICS[i % len(_TOPICS)]
        title = f"{org} {what} ({name} #{i})"
        body = (
            f"<p>{org} {what}. The company said on day {i} that the change follows months of "
            f"work by engineers in several countries.</p><p>Analysts at firm {i} expect "
            f"competitors to respond; {org} declined to comment on pricing for item {i}.</p>"
        )
        items.append(
            "<item>"
            f"<title>{escape(title)}</title>"
            f"<link>{site}/{name}/{i}</link>"
            f"<guid>{site}/{name}/{i}</guid>"
            f"<pubDate>{format_datetime(base + timedelta(hours=i))}</pubDate>"
            f"<description>{escape(body)}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>{site}/</link><description>test</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()
