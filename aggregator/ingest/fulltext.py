"""A story's full text from its article page, for feeds that carry only teasers (no I/O).

Feeds marked ``full_text = true`` get each new story's page fetched by the
pipeline (with the same polite :class:`~aggregator.ingest.fetch.Fetcher` as the
feeds); this module turns the page into text and decides whether it is better
than the feed's.

Extraction is readability-lxml's port of Arc90 Readability: it scores the
page's blocks by text density and keeps the article, dropping navigation,
sidebars, comments and footers. It was chosen over trafilatura (which extracts
somewhat more precisely) for its footprint: ~40 MB installed with lxml against
~100 MB with trafilatura's date and language dependencies, ~1.5 s to install
against ~5 s, the same ~2 ms per page, and no broken extra (trafilatura 2.3
with lxml 6 also needs ``lxml_html_clean``, which its dependency jusText does
not declare). The article HTML then goes through the same
:func:`~aggregator.ingest.normalize.html_to_text` and
:func:`~aggregator.ingest.cleanup.clean_body` as feed content.

The page text replaces the feed's only when it is clearly the same story and
clearly more of it (:func:`choose_body`): a paywall, a cookie wall or an
error page served with status 200 leaves the feed text in place.
"""

from __future__ import annotations

import logging

from aggregator.ingest.cleanup import clean_body, fix_mojibake
from aggregator.ingest.normalize import html_to_text
from aggregator.story.related import key_terms

__all__ = ["MIN_GAIN", "MIN_LENGTH", "choose_body", "extract_text", "is_html"]

log = logging.getLogger(__name__)

#: The page text must be this many times longer than the feed text to replace it.
MIN_GAIN = 1.3
#: ... and at least this many characters.
MIN_LENGTH = 280


def is_html(content_type: str) -> bool:
    """Tell whether a ``Content-Type`` names an HTML page (or names nothing).

    Args:
        content_type: the header's value, possibly ``""``.

    Returns:
        True for ``text/html``, ``application/xhtml+xml`` and a missing type.
    """
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in ("", "text/html", "application/xhtml+xml")


def extract_text(page: bytes, *, url: str = "") -> str:
    """The main text of an article page.

    Args:
        page: the page as fetched (readability detects its encoding from the
            ``<meta charset>`` or the bytes).
        url: the page's URL (resolves relative links; only used for logging here).

    Returns:
        The article as plain text (paragraphs separated by a blank line, feed
        boilerplate removed), or ``""`` when no article can be found.
    """
    if not page.strip():
        return ""
    from readability import Document  # type: ignore[import-untyped]

    try:
        summary = Document(page, url=url or None).summary(html_partial=True)
    except ValueError as exc:  # readability.Unparseable, lxml's ParserError
        log.info("%s: no article found: %s", url, exc)
        return ""
    return clean_body(html_to_text(fix_mojibake(summary)))


def choose_body(feed_body: str, page_text: str, *, title: str) -> str:
    """The better body: the page's text when it is the same story and clearly longer.

    Args:
        feed_body: the text the feed carried.
        page_text: the text extracted from the article page.
        title: the story's title, to check that the page is about it.

    Returns:
        ``page_text`` when it is at least :data:`MIN_LENGTH` characters,
        :data:`MIN_GAIN` times the feed text, and contains at least half of the
        title's key terms; else ``feed_body``.
    """
    if len(page_text) < max(MIN_LENGTH, MIN_GAIN * len(feed_body)):
        return feed_body
    terms = key_terms(title)
    if terms:
        words = set(key_terms(page_text, limit=100_000))
        if sum(term in words for term in terms) * 2 < len(terms):
            return feed_body
    return page_text
