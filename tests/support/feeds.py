"""Small feed documents written by the tests themselves (no licence questions)."""

from __future__ import annotations

import zlib
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


_WORDS = (
    "market chip cloud server model launch outage update patch vendor court ruling privacy "
    "battery robot satellite network browser kernel driver memory storage quantum energy grid "
    "startup funding layoffs revenue forecast quarter users accounts breach ransom encryption "
    "license open source developer toolkit compiler runtime benchmark latency display sensor "
    "camera factory supply shortage tariff export regulator antitrust fine lawsuit settlement"
).split()


def _filler(seed: str, words: int = 60) -> str:
    """Distinct, deterministic prose for one item (stories must not look alike to dedupe)."""
    state = zlib.crc32(seed.encode())
    out = []
    for _ in range(words):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(_WORDS[state % len(_WORDS)])
    return " ".join(out).capitalize() + "."


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
        body = f"<p>{_filler(f'{name}-{i}')}</p><p>{org} {what}.</p>"
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
