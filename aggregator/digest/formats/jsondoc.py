"""The JSON digest: one object, described by ``templates/digest.schema.json``.

Shape (every time is ISO 8601 UTC ending in ``Z``)::

    {
      "version": 1,
      "title": "News digest", "heading": "News digest: Mon Nov 02 2026",
      "window": {"since": ..., "until": ..., "label": "Mon Nov 02 2026"},
      "generated_at": ...,                   # the window's end (a digest never reads the clock)
      "filters": {"categories": [...], "limit": null},
      "counts": {"stories": 12, "matched": 40, "categories": 3, "feeds": 9},
      "categories": [
        {"name": "TECHNOLOGY", "count": 5, "stories": [
          {"id", "category", "title", "published", "first_seen", "updated_at",
           "url", "canonical_url", "author", "tags", "body", "questions",
           "actions", "enclosures": [{"url", "type", "length", "duration"}], "comments",
           "coverage", "sources": [{"name", "feed", "url", "guid", "seen_at"}],
           "also_covered_by": [...], "generator", "text"}
        ]}
      ]
    }

``actions`` are the document's actions as ``aggregator show`` prints them
(with "Read the original", "Listen", "Discussion" and "Also covered by");
``enclosures`` are its media files (length in bytes and duration in seconds, or
``null``), ``comments`` its discussion page; ``text`` is the story's
article-plus-questions document. URL fields hold http(s) URLs only (anything
else becomes ``""``). ``<``, ``>`` and ``&`` are written as ``\\u003c``,
``\\u003e`` and ``\\u0026`` (the same strings), so the file is safe to embed in HTML,
and C1 and bidi control characters are escaped too, so it cannot drive a terminal.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aggregator.digest.formats.common import iso, media_views, safe_url
from aggregator.digest.formats.text import document
from aggregator.story.format import render

if TYPE_CHECKING:
    from aggregator.digest.select import Digest, DigestStory

__all__ = ["SCHEMA_VERSION", "digest_data", "render_json"]

SCHEMA_VERSION = 1
# "<", ">" and "&" (so the file can sit inside HTML), C1 controls and bidi
# controls (so it cannot drive a terminal) are written as \u escapes: they only
# occur inside strings, where the escape means the same character.
_ESCAPES = str.maketrans(
    {
        c: f"\\u{c:04x}"
        for c in (
            0x3C,
            0x3E,
            0x26,
            *range(0x7F, 0xA0),
            0x200E,
            0x200F,
            *range(0x202A, 0x202F),
            *range(0x2066, 0x206A),
        )
    }
)


def _story(item: DigestStory) -> dict[str, Any]:
    stored = item.stored
    story = stored.story
    doc = document(item)
    return {
        "id": stored.id,
        "category": story.category,
        "title": story.title,
        "published": iso(story.published),
        "first_seen": iso(stored.first_seen),
        "updated_at": iso(stored.updated_at),
        "url": safe_url(story.url),
        "canonical_url": safe_url(story.canonical_url),
        "author": story.author,
        "tags": list(story.tags),
        "body": story.body,
        "questions": list(story.questions),
        "actions": list(doc.actions),
        "enclosures": [
            {"url": m.url, "type": m.type, "length": m.length, "duration": e.duration}
            for e in story.enclosures
            for m in media_views((e,))
        ],
        "comments": safe_url(story.comments),
        "coverage": item.coverage,
        "sources": [
            {
                "name": src.feed_title or src.feed_url,
                "feed": safe_url(src.feed_url),
                "url": safe_url(src.url),
                "guid": src.guid,
                "seen_at": iso(src.seen_at),
            }
            for src in stored.sources
        ],
        "also_covered_by": [s.label for s in item.also_covered_by],
        "generator": stored.generator,
        "text": render(doc),
    }


def digest_data(digest: Digest) -> dict[str, Any]:
    """The digest as JSON-ready data (see the module docstring for the shape).

    Args:
        digest: the digest.

    Returns:
        A dict of plain JSON types.
    """
    feeds = {s.name for item in digest.stories for s in item.sources if s.name}
    return {
        "version": SCHEMA_VERSION,
        "title": digest.title,
        "heading": digest.heading,
        "window": {
            "since": iso(digest.window.since),
            "until": iso(digest.window.until),
            "label": digest.window.label,
        },
        "generated_at": iso(digest.generated_at),
        "filters": {"categories": list(digest.filter_categories), "limit": digest.limit},
        "counts": {
            "stories": digest.count,
            "matched": digest.matched,
            "categories": len(digest.categories),
            "feeds": len(feeds),
        },
        "categories": [
            {"name": c.name, "count": len(c.stories), "stories": [_story(s) for s in c.stories]}
            for c in digest.categories
        ],
    }


def render_json(digest: Digest) -> str:
    """Render a digest as JSON (UTF-8 text, two-space indent).

    Args:
        digest: the digest.

    Returns:
        The JSON document, ending with a newline.
    """
    text = json.dumps(digest_data(digest), indent=2, ensure_ascii=False)
    return text.translate(_ESCAPES) + "\n"
