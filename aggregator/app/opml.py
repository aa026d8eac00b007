"""OPML 2.0 import and export of feed lists (pure: bytes in, text out; no I/O).

Nested outlines become categories: a feed's category is the text of the
nearest enclosing outline that is not itself a feed (or the feed outline's
own ``category`` attribute). Export writes one outline per category with its
feeds inside, so an export imported again gives the same feeds and categories.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import quoteattr

from aggregator.app.config import validate_feed_url
from aggregator.errors import AggregatorError

__all__ = ["OpmlError", "OpmlFeed", "parse_opml", "render_opml"]


class OpmlError(AggregatorError, ValueError):
    """The file is not a readable OPML document."""

    default_message = "not an OPML document"


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed of an OPML document.

    Attributes:
        url: the feed's URL (``xmlUrl``).
        title: its title (``title``, else ``text``), or ``""``.
        category: its category (enclosing outline, or ``category``), or ``""``.
        site_url: the site's URL (``htmlUrl``), or ``""``.
    """

    url: str
    title: str = ""
    category: str = ""
    site_url: str = ""


def parse_opml(data: bytes, *, name: str = "OPML") -> tuple[list[OpmlFeed], list[str]]:
    """Read the feeds of an OPML document.

    Args:
        data: the file's bytes.
        name: the file's name, for messages.

    Returns:
        The feeds in document order (first occurrence of each URL), and one
        message per outline that was skipped (no http(s) ``xmlUrl``).

    Raises:
        OpmlError: the bytes are not XML, or not OPML.
    """
    if b"<!ENTITY" in data[:4096]:
        raise OpmlError(f"{name}: entity declarations are not accepted in OPML")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"{name}: not valid XML ({exc})") from exc
    if root.tag != "opml" or root.find("body") is None:
        raise OpmlError(f"{name}: not an OPML document (no <opml><body>)")
    feeds: list[OpmlFeed] = []
    skipped: list[str] = []
    seen: set[str] = set()

    def walk(node: ET.Element, category: str) -> None:
        for outline in node.findall("outline"):
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            text = (outline.get("title") or outline.get("text") or "").strip()
            if not url:
                walk(outline, text or category)
                continue
            try:
                url = validate_feed_url(url)
            except ValueError as exc:
                skipped.append(f"{text or url}: {exc}")
                continue
            if url not in seen:
                seen.add(url)
                own = (outline.get("category") or "").strip().strip("/").split("/")[-1]
                feeds.append(
                    OpmlFeed(
                        url=url,
                        title=text,
                        category=category or own,
                        site_url=(outline.get("htmlUrl") or "").strip(),
                    )
                )
            walk(outline, category)

    walk(root.find("body"), "")  # type: ignore[arg-type]
    return feeds, skipped


def render_opml(feeds: Sequence[OpmlFeed], *, title: str, now: datetime) -> str:
    """Write an OPML 2.0 document with one outline per category.

    Args:
        feeds: the feeds.
        title: the document's title.
        now: the creation time (UTC), for ``dateCreated``.

    Returns:
        The document's text (UTF-8 declared).
    """
    by_category: dict[str, list[OpmlFeed]] = {}
    for f in feeds:
        by_category.setdefault(f.category or "general", []).append(f)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_esc(title)}</title>",
        f"    <dateCreated>{format_datetime(now, usegmt=True)}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for category in sorted(by_category, key=str.lower):
        lines.append(f"    <outline text={quoteattr(category)} title={quoteattr(category)}>")
        for f in by_category[category]:
            name = f.title or f.url
            attrs = f'type="rss" text={quoteattr(name)} title={quoteattr(name)}'
            attrs += f" xmlUrl={quoteattr(f.url)}"
            if f.site_url:
                attrs += f" htmlUrl={quoteattr(f.site_url)}"
            lines.append(f"      <outline {attrs}/>")
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _esc(text: str) -> str:
    return quoteattr(text)[1:-1]
