"""What every digest format shares: safe URLs, clean text, anchors, story views, templates.

Pure functions, no I/O besides reading the package's templates. Feed text is
hostile: these helpers are where it is made safe to show.

- :func:`safe_url` keeps only absolute http(s) links (as a browser would read
  them: tabs and newlines inside are ignored, so ``java\\tscript:`` is caught)
  and percent-encodes anything that could break out of an attribute or a
  Markdown link.
- :func:`clean_text` drops characters that XML 1.0 forbids and other control
  characters, so the Atom and HTML outputs stay well-formed.
- Templates are Jinja2 with autoescape on for every format; every string
  passes through :func:`clean_text` on its way out.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from aggregator.story.format import format_date

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

    from aggregator.digest.select import Digest, DigestStory
    from aggregator.models import Enclosure

__all__ = [
    "MediaView",
    "SourceView",
    "StoryView",
    "anchors",
    "clean_text",
    "context",
    "environment",
    "iso",
    "md_escape",
    "paragraphs",
    "safe_url",
    "story_views",
]

# C0 controls but tab and line feed, DEL, C1 controls, surrogates and the two
# non-characters XML 1.0 forbids.
_BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Characters a browser ignores inside a URL (WHATWG URL parser).
_URL_IGNORED = re.compile("[\t\n\r]")
# Leading and trailing C0 controls and spaces, which a browser strips too.
_URL_EDGES = re.compile("^[\x00-\x20]+|[\x00-\x20]+$")
# Kept as they are in a URL (RFC 3986 unreserved, reserved and "%"); the rest is
# percent-encoded, so quotes, angle brackets, spaces and backslashes never survive.
_URL_SAFE = "-._~:/?#[]@!$&()*+,;=%"


def clean_text(text: str) -> str:
    """Drop control characters and anything XML 1.0 forbids; keep tabs and newlines.

    Args:
        text: any text.

    Returns:
        The text without them (``"\\r"`` is dropped too).
    """
    return _BAD_CHARS.sub("", text)


def safe_url(url: str) -> str:
    """Keep a link only if it is an absolute http(s) URL with a host.

    Args:
        url: a link from a feed (untrusted).

    Returns:
        The URL, percent-encoded where a character could break out of an HTML
        attribute or a Markdown link, or ``""`` when it is not http(s).
    """
    url = _URL_EDGES.sub("", _URL_IGNORED.sub("", url))
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ""
    if not url.lower().startswith(("http://", "https://")):
        return ""
    return quote(url, safe=_URL_SAFE)


# Markdown: characters that start emphasis, code, links, raw HTML, tables or
# strikethrough anywhere in a line; entity references; and block markers at a
# line's start (headings, lists, rules, setext underlines).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^([#+=-]|\d+(?=[.)]))")


def _escape_marker(match: re.Match[str]) -> str:
    marker = match.group(1)
    # "1." is escaped as "1\.", "#" as "\#".
    return marker + "\\" if marker[0].isdigit() else "\\" + marker


def md_escape(text: str) -> Markup:
    """Escape text for Markdown so it shows literally (CommonMark backslash escapes).

    Feed text can hold Markdown or HTML; escaped, ``[x](javascript:...)`` and
    ``<script>`` are shown as written and never become links or markup.

    Args:
        text: plain text, possibly several lines.

    Returns:
        The escaped text, marked safe for the autoescaping template.
    """
    from markupsafe import Markup

    lines = []
    for line in clean_text(text).split("\n"):
        line = _MD_ENTITY.sub(r"\\&", _MD_INLINE.sub(r"\\\1", line.strip()))
        lines.append(_MD_LINE_START.sub(_escape_marker, line))
    return Markup("\n".join(lines))


def iso(value: Any) -> str:
    """An ISO 8601 UTC timestamp ending in ``Z`` (RFC 3339, as Atom and JSON want).

    Args:
        value: a timezone-aware datetime.

    Returns:
        ``YYYY-MM-DDTHH:MM:SSZ``.
    """
    from aggregator.timeutil import to_db

    return to_db(value) or ""


def paragraphs(body: str) -> list[list[str]]:
    """Split a body into paragraphs (blank-line separated) of lines.

    Args:
        body: plain text.

    Returns:
        The non-empty paragraphs, each a list of its non-empty lines.
    """
    out: list[list[str]] = []
    for block in re.split(r"\n\s*\n", clean_text(body).strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            out.append(lines)
    return out


def anchors(names: list[str]) -> dict[str, str]:
    """Unique fragment ids for headings, as GitHub derives them from Markdown headings.

    Args:
        names: the headings, in order.

    Returns:
        ``{name: anchor}``; lower case, punctuation dropped, spaces as ``-``,
        ``-1``, ``-2`` ... appended to repeats; never empty.
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = re.sub(r"[^\w\- ]", "", clean_text(name).lower()).replace(" ", "-") or "section"
        anchor, n = base, 0
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        out[name] = anchor
    return out


@dataclass(frozen=True, slots=True)
class SourceView:
    """A source as shown: its name and its link (http(s) or ``""``).

    Attributes:
        name: the feed's name.
        url: the story's link in that feed, http(s) only, else ``""``.
    """

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class MediaView:
    """An enclosure as shown: what to do with it, its link and what it is.

    Attributes:
        verb: ``Listen``, ``Watch`` or ``Download``.
        url: the file's link, http(s) only (an enclosure without one is not shown).
        type: its MIME type, one line, or ``""``.
        length: its size in bytes, or ``None``.
        details: type and duration (or size) as text, ``"audio/mpeg, 42 min"``, or ``""``.
    """

    verb: str
    url: str
    type: str
    length: int | None
    details: str


@dataclass(frozen=True, slots=True)
class StoryView:
    """A digest story prepared for a template: safe links, split body.

    Attributes:
        item: the digest story.
        anchor: its fragment id, ``story-<id>``.
        title: the title, one line.
        url: its link, http(s) only, else ``""``.
        date: the date as the story format shows it (``Mon Nov 02 2026``).
        paragraphs: the body's paragraphs, each a list of lines.
        questions: the discussion questions.
        actions: the stored actions (the link and sources are shown apart).
        source: where it was seen first, or ``None`` for an imported document.
        also: the other feeds that carried it.
        media: its enclosures.
        comments: the link to its discussion, http(s) only, else ``""``.
    """

    item: DigestStory
    anchor: str
    title: str
    url: str
    date: str
    paragraphs: list[list[str]]
    questions: tuple[str, ...]
    actions: tuple[str, ...]
    source: SourceView | None
    also: tuple[SourceView, ...]
    media: tuple[MediaView, ...] = ()
    comments: str = ""


def _one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def story_views(stories: tuple[DigestStory, ...]) -> list[StoryView]:
    """Prepare stories for the templates.

    Args:
        stories: digest stories.

    Returns:
        One view each, in the same order.
    """
    out = []
    for item in stories:
        story = item.stored.story
        named = [SourceView(_one_line(s.name), safe_url(s.url)) for s in item.sources if s.name]
        out.append(
            StoryView(
                item=item,
                anchor=f"story-{item.stored.id}",
                title=_one_line(story.title) or "(untitled)",
                url=safe_url(story.url),
                date=format_date(story.published.date()),
                paragraphs=paragraphs(story.body),
                questions=tuple(q for q in map(_one_line, story.questions) if q),
                actions=tuple(a for a in map(_one_line, story.actions) if a),
                source=named[0] if named else None,
                also=tuple(named[1:])
                + tuple(SourceView(_one_line(o.label), safe_url(o.url)) for o in item.others),
                media=media_views(story.enclosures),
                comments=safe_url(story.comments),
            )
        )
    return out


def media_views(enclosures: tuple[Enclosure, ...]) -> tuple[MediaView, ...]:
    """The enclosures with a safe http(s) link, ready for the templates.

    Args:
        enclosures: a story's enclosures.

    Returns:
        One view per shown enclosure, in order.
    """
    from aggregator.story.media import describe, enclosure_verb

    out = []
    for enc in enclosures:
        url = safe_url(enc.url)
        if url:
            kind = _one_line(enc.type)
            out.append(
                MediaView(enclosure_verb(enc), url, kind, enc.length, _one_line(describe(enc)))
            )
    return tuple(out)


def _finalize(value: Any) -> Any:
    """Clean every string a template prints (Markup is ours and already clean)."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_text(value)
    return value


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the digest templates (autoescape on, strict undefined).

    Returns:
        The environment, built once.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aggregator.digest", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["iso"] = iso
    env.filters["url"] = safe_url
    env.filters["md"] = md_escape
    return env


def context(digest: Digest) -> dict[str, Any]:
    """What every template gets: the digest, its categories with anchors and story views.

    Args:
        digest: the digest.

    Returns:
        The template variables.
    """
    names = [c.name for c in digest.categories]
    ids = anchors(["Contents", *names])  # "contents" is the table of contents' own heading
    categories = [
        {"name": _one_line(c.name), "anchor": ids[c.name], "stories": story_views(c.stories)}
        for c in digest.categories
    ]
    sources = {s.name for item in digest.stories for s in item.sources if s.name}
    return {
        "digest": digest,
        "heading": _one_line(digest.heading),
        "title": _one_line(digest.title),
        "window": digest.window,
        "categories": categories,
        "count": digest.count,
        "matched": digest.matched,
        "feeds": len(sources),
        "generated_at": digest.generated_at,
    }
