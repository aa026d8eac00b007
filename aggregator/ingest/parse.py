"""The feedparser adapter: bytes we fetched -> :class:`~aggregator.models.ParsedFeed`.

feedparser lives in this one module. It never fetches anything: it parses the
bytes the fetcher already holds. A FeedParserDict never leaves this module.
No I/O.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import html as _html
import importlib
import importlib.util
import io
import json
import logging
import re
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from aggregator.errors import FeedParseError
from aggregator.ingest.normalize import clean_url
from aggregator.models import Enclosure, Entry, ParsedFeed

__all__ = ["advertised_feeds", "parse_feed", "parse_json_feed"]

log = logging.getLogger(__name__)


class _Deferred(types.ModuleType):
    """Stands for a module until one of its attributes is first used, then imports it.

    Only the attribute lookups that the module object itself cannot answer reach
    ``__getattr__``; each imports the real module (once: later imports find it in
    ``sys.modules``) and answers from it.
    """

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)  # the import machinery's probes load nothing
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


@contextmanager
def _deferred(*names: str) -> Iterator[None]:
    """While inside, ``import NAME`` binds a :class:`_Deferred` stand-in (for modules not
    yet imported). On leaving, ``sys.modules`` forgets the stand-ins, so a later import
    loads the real module; a stand-in for a submodule stays its package's attribute
    (``import urllib.request`` then ``urllib.request.urlopen``) until then."""
    # A top-level module that is not installed (chardet is feedparser's option) gets
    # no stand-in: its import fails at once, as the importer expects, not at first use.
    stand_ins = {
        n: _Deferred(n)
        for n in names
        if n not in sys.modules and ("." in n or importlib.util.find_spec(n) is not None)
    }
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent in sys.modules and not hasattr(sys.modules[parent], child):
                setattr(sys.modules[parent], child, module)


# Three imports that parsing bytes in memory never uses are deferred to their first
# use: they cost a parser process (which imports little besides this module) about
# 10 MB. feedparser imports chardet (its language models), which it only asks when
# a document's declared and guessed encodings all fail to decode it, and its own
# HTTP client (feedparser.http), which only a URL given to feedparser.parse would
# use (we give it bytes). The standard SAX reader (xml.sax.saxutils) imports
# urllib.request (with http.client, ssl and email) to open a document given by
# URL (we give it a byte stream; feedparser turns external entities off). A
# document that needs chardet gets it, as before.
with _deferred("chardet", "feedparser.http", "urllib.request"):
    from xml.sax.expatreader import ExpatParser

    import feedparser  # type: ignore[import-untyped]

_LINK_TAG = re.compile(rb"<link\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(rb"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
# Entity declarations of a document's DTD. feedparser's strict parser (expat) limits
# their expansion, but its loose parser, which reads every ill-formed document, expands
# the ones it keeps without any limit: 250 KB of "quadratic blow-up" became 250 MB of
# text. Only declarations naming one character (<!ENTITY nbsp "&#160;">) are
# kept; the rest are removed before feedparser sees the document, and their references
# stay as they are. External entities were never fetched (feedparser turns that off).
_ENTITY_DECL = r"""<!ENTITY(?:[^>"']|"[^"]*"|'[^']*')*>?"""
_CHAR_ENTITY = r"""<!ENTITY\s+\w+\s+(?:"&#\w+;"|'&#\w+;')\s*>"""
_ENTITY_DECL_B = re.compile(_ENTITY_DECL.encode())
_CHAR_ENTITY_B = re.compile(_CHAR_ENTITY.encode())
_ENTITY_DECL_S = re.compile(_ENTITY_DECL)
_CHAR_ENTITY_S = re.compile(_CHAR_ENTITY)
_WIDE_CODECS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _memoize_base_uri() -> None:
    """Make feedparser's base-URI bookkeeping cheap, with the same results.

    At every start tag feedparser recomputes the document's base URI as
    ``make_safe_absolute_uri(base, base)`` (a ``urljoin`` and a ``urlparse``),
    which was a tenth of a parser process's time per item: the base is the
    feed's URL, the same for every tag. The function is pure (strings in, a
    string out; its only other input is feedparser's constant list of
    acceptable schemes), so the name feedparser's parser mixin calls is bound
    to a memoized copy. A feedparser without that name is left as it is.
    """
    mixin = getattr(feedparser, "mixin", None)
    original = getattr(mixin, "make_safe_absolute_uri", None)
    if mixin is None or original is None or hasattr(original, "cache_info"):
        return
    mixin.make_safe_absolute_uri = functools.lru_cache(maxsize=256)(original)


_memoize_base_uri()


class _BufferedExpatParser(ExpatParser):
    """The standard SAX reader of expat, its text buffered (see :func:`create_parser`)."""

    def reset(self) -> None:
        super().reset()
        self._parser.buffer_text = True  # type: ignore[attr-defined]


def create_parser() -> ExpatParser:
    """A SAX reader for feedparser: the standard expat reader, its text buffered.

    Unbuffered, expat reports a text in pieces (at every line break and every
    entity reference: a description of escaped HTML comes in about fifty), and
    feedparser handles each piece in Python before it joins them again. Buffered,
    each run of text between two tags arrives in one piece (or a few, when it is
    longer than expat's buffer) and feedparser joins the same string: only the
    number of calls changes. feedparser asks for a reader by module name
    (``xml.sax.make_parser``): :func:`_buffer_text` puts this module first in its list.
    """
    return _BufferedExpatParser()


def _buffer_text() -> None:
    """Make feedparser's strict parser use :func:`create_parser` (see there)."""
    api = getattr(feedparser, "api", None)
    preferred = getattr(api, "PREFERRED_XML_PARSERS", None)
    if isinstance(preferred, list) and __name__ not in preferred:
        preferred.insert(0, __name__)


def _fast_dict_lookups() -> None:
    """Make ``FeedParserDict`` lookups of ordinary keys plain ``dict`` lookups.

    feedparser's dictionary maps a few old key names to new ones (``guid`` ->
    ``id``) and derives a few (``category``, ``enclosures``, ``license``,
    ``updated``), so every ``get`` and ``in`` goes through three Python calls;
    feedparser makes about 140 of them per entry while parsing (the content
    type of each piece of text), and our own :func:`_entry` about 15. For any other
    key the answer is the ``dict``'s own, so those keys skip the detour; the
    special ones still take it. ``copy.deepcopy``, which feedparser applies to the
    small dictionary of a text's type, language and base for every title, summary
    and content, gets the same copy without its generic reduce-and-rebuild when
    every value is a string, a number or ``None``.
    """
    util = getattr(feedparser, "util", None)
    cls = getattr(util, "FeedParserDict", None)
    keymap = getattr(cls, "keymap", None)
    if cls is None or not isinstance(keymap, dict) or "__deepcopy__" in vars(cls):
        return
    special = frozenset(("category", "enclosures", "license", "updated", "updated_parsed", *keymap))
    slow_getitem, slow_get, slow_contains = cls.__getitem__, cls.get, cls.__contains__
    dict_getitem, dict_get, dict_contains = dict.__getitem__, dict.get, dict.__contains__

    def __getitem__(self: Any, key: Any) -> Any:  # noqa: N807
        if key in special:
            return slow_getitem(self, key)
        return dict_getitem(self, key)

    def get(self: Any, key: Any, default: Any = None) -> Any:
        if key in special:
            return slow_get(self, key, default)
        return dict_get(self, key, default)

    def __contains__(self: Any, key: Any) -> bool:  # noqa: N807
        if key in special:
            return bool(slow_contains(self, key))
        return dict_contains(self, key)

    atoms = (str, int, float, bool, type(None))

    def __deepcopy__(self: Any, memo: dict[int, Any]) -> Any:  # noqa: N807
        import copy

        new = type(self)()
        memo[id(self)] = new
        for key, value in dict.items(self):
            new[key] = value if type(value) in atoms else copy.deepcopy(value, memo)
        if vars(self):
            vars(new).update(copy.deepcopy(vars(self), memo))
        return new

    # The originals stay reachable (``__wrapped__``), for the tests to compare with.
    __getitem__.__wrapped__ = slow_getitem  # type: ignore[attr-defined]
    get.__wrapped__ = slow_get  # type: ignore[attr-defined]
    __contains__.__wrapped__ = slow_contains  # type: ignore[attr-defined]
    cls.__getitem__, cls.get, cls.__contains__ = __getitem__, get, __contains__
    cls.__deepcopy__ = __deepcopy__


_buffer_text()
_fast_dict_lookups()
_FEED_TYPES = (
    b"application/rss+xml",
    b"application/atom+xml",
    b"application/feed+json",
    b"application/json",
    b"text/xml",
    b"application/xml",
)


def parse_feed(
    body: bytes, *, headers: Mapping[str, str] | None = None, url: str = ""
) -> ParsedFeed:
    """Parse a feed document.

    Args:
        body: the bytes as fetched (already decompressed).
        headers: the HTTP response headers (lower-case names), used for the charset.
        url: the URL the document came from, to resolve relative links.

    Returns:
        The feed's metadata and every readable entry. A survivable problem
        (wrong charset declaration, junk after the document) is reported in
        ``warning``; unreadable entries are skipped and counted.

    Raises:
        FeedParseError: the bytes are not a feed (e.g. an HTML page, or XML too
            broken to yield anything); the message names advertised feed URLs.
    """
    if _looks_like_json(body, headers):
        return parse_json_feed(body, url=url)
    body = _defuse_entities(body, url=url)
    response_headers: dict[str, str] = {}
    for name in ("content-type", "content-language"):
        if headers and headers.get(name):
            response_headers[name] = headers[name]
    if url:
        response_headers["content-location"] = url
    try:
        # No sanitizing or URI rewriting inside content: we keep plain text only, and
        # normalize.html_to_text drops scripts, styles, embeds and every tag itself.
        # The two passes are two thirds of feedparser's time (benchmarks/ingest.py);
        # entry links are still resolved against the feed's URL.
        d = feedparser.parse(
            io.BytesIO(body),
            response_headers=response_headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser should not raise; a bug there must not kill a poll
        raise FeedParseError(f"feedparser failed: {exc}", url=url) from exc
    warning = ""
    if d.get("bozo"):
        bozo = d.get("bozo_exception")
        # A missing or generic Content-Type is no news: the bytes are what they are.
        if type(bozo).__name__ != "NonXMLContentType":
            warning = f"{type(bozo).__name__}: {bozo}" if bozo is not None else "malformed feed"
    raw_entries = d.get("entries") or []
    if not d.get("version") and not raw_entries:
        found = advertised_feeds(body, base=url)
        if found:
            raise FeedParseError(
                "not a feed but an HTML page; it advertises: " + ", ".join(found), url=url
            )
        if _looks_like_html(body):
            raise FeedParseError("not a feed but an HTML page (it advertises no feed)", url=url)
        raise FeedParseError(f"not a feed ({warning or 'unknown format'})", url=url)
    # Atom declares its text constructs' type (type="text" is the default): text is
    # text there. RSS and RDF declare nothing, and their titles carry escaped HTML
    # as often as not ("&lt;b&gt;Breaking&lt;/b&gt;"): feedparser's "text/plain"
    # is only its guess, so they go through the HTML path, where an angle-bracketed
    # word that names no element (Vec<T>, vector<int>) stays text anyway.
    atom = str(d.get("version") or "").startswith("atom")
    entries: list[Entry] = []
    skipped = 0
    for raw in raw_entries:
        try:
            entries.append(_entry(raw, base=url, declared_text=atom))
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError) as exc:
            skipped += 1
            log.warning("%s: skipped an unreadable entry: %s", url or "feed", exc)
    feed = d.get("feed") or {}
    ttl: int | None = None
    try:
        ttl = int(str(feed.get("ttl"))) if feed.get("ttl") else None
    except (TypeError, ValueError):
        ttl = None
    return ParsedFeed(
        title=str(feed.get("title") or ""),
        link=str(feed.get("link") or ""),
        entries=tuple(entries),
        ttl=ttl,
        warning=warning,
        skipped=skipped,
    )


def _defuse_entities(body: bytes, *, url: str) -> bytes:
    """Remove the DTD's entity declarations, except those naming one character."""
    if b"<!ENTITY" in body:  # UTF-8 and every other ASCII-compatible encoding
        return _ENTITY_DECL_B.sub(lambda m: m[0] if _CHAR_ENTITY_B.fullmatch(m[0]) else b"", body)
    for codec in _WIDE_CODECS:
        if "<!ENTITY".encode(codec) in body:
            try:
                text = body.decode(codec)
            except UnicodeDecodeError as exc:
                raise FeedParseError(
                    f"not a feed (unreadable {codec.upper()} with entity declarations)", url=url
                ) from exc
            text = _ENTITY_DECL_S.sub(
                lambda m: m[0] if _CHAR_ENTITY_S.fullmatch(m[0]) else "", text
            )
            return text.encode(codec)
    return body


def _looks_like_json(body: bytes, headers: Mapping[str, str] | None) -> bool:
    kind = (headers or {}).get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/feed+json", "application/json"):
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_json_feed(body: bytes, *, url: str = "") -> ParsedFeed:
    """Parse a JSON Feed 1.0 or 1.1 document (feedparser 6 reads only XML feeds).

    Args:
        body: the document's bytes (UTF-8, as the JSON Feed spec requires).
        url: the URL it came from, to resolve relative links.

    Returns:
        The feed's metadata and every readable item; unreadable items are skipped and counted.

    Raises:
        FeedParseError: the bytes are not JSON, or not a JSON Feed.
    """
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FeedParseError(f"not a feed (invalid JSON: {exc})", url=url) from exc
    version = doc.get("version", "") if isinstance(doc, dict) else ""
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise FeedParseError("not a feed (JSON without a JSON Feed version)", url=url)
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedParseError("not a feed (JSON Feed without an items list)", url=url)
    base = _text(doc.get("feed_url")) or url
    entries: list[Entry] = []
    skipped = 0
    for item in items:
        try:
            entries.append(_json_entry(item, base=base))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            skipped += 1
            log.warning("%s: skipped an unreadable JSON Feed item: %s", url or "feed", exc)
    return ParsedFeed(
        title=_text(doc.get("title")),
        link=_text(doc.get("home_page_url")),
        entries=tuple(entries),
        skipped=skipped,
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _json_entry(item: Any, *, base: str) -> Entry:
    from urllib.parse import urljoin

    if not isinstance(item, dict):
        raise TypeError("an item is not an object")
    link = _text(item.get("url")) or _text(item.get("external_url"))
    if link:
        link = urljoin(base, link)
    html = _text(item.get("content_html"))
    plain = _text(item.get("content_text"))
    summary = _text(item.get("summary"))
    title = _text(item.get("title"))
    guid = str(item.get("id") or "").strip() or link
    if not guid:
        digest = hashlib.sha256(f"{title}\n{summary}\n{html}{plain}".encode()).hexdigest()
        guid = f"sha256:{digest[:32]}"
    # JSON Feed's title and summary are plain text: "Vec<T>" is no tag.
    summary = _html.escape(summary, quote=False)
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    author = ", ".join(
        _text(a.get("name")) for a in authors if isinstance(a, dict) and _text(a.get("name"))
    )
    tags = tuple(dict.fromkeys(t.strip() for t in item.get("tags") or () if isinstance(t, str)))
    return Entry(
        guid=guid,
        link=link,
        title=title,
        content_html=html or _escape_plain(plain),
        summary_html=summary,
        published=_iso_date(item.get("date_published")),
        updated=_iso_date(item.get("date_modified")),
        tags=tuple(t for t in tags if t),
        author=author,
        original_link=_text(item.get("external_url")) if item.get("url") else "",
        enclosures=_json_attachments(item.get("attachments"), base=base),
    )


def _json_attachments(value: Any, *, base: str) -> tuple[Enclosure, ...]:
    """A JSON Feed item's ``attachments`` as enclosures (unreadable ones left out)."""
    from urllib.parse import urljoin

    if not isinstance(value, list):
        return ()
    found: dict[str, Enclosure] = {}
    for item in value:
        if not isinstance(item, dict) or not _text(item.get("url")):
            continue
        url = urljoin(base, _text(item.get("url")))
        if url not in found:
            found[url] = Enclosure(
                url=url,
                type=_text(item.get("mime_type")),
                length=_count(item.get("size_in_bytes")),
                duration=_count(item.get("duration_in_seconds")),
            )
    return tuple(found.values())


def _escape_plain(text: str) -> str:
    """Plain text as HTML paragraphs, so the one HTML-to-text path keeps its paragraphs."""
    return "".join(f"<p>{_html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())


def _iso_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _as_html(value: str, detail: Any, *, declared_text: bool) -> str:
    """A field's value as HTML: text the feed declares plain (Atom ``type="text"``) escaped.

    feedparser gives plain text as the text itself, where ``Vec<T>`` is no tag; escaped,
    it reaches normalize as the HTML that shows exactly that text.
    """
    kind = detail.get("type") if isinstance(detail, Mapping) else None
    if declared_text and kind == "text/plain":
        return _html.escape(value, quote=False)
    return value


def _entry(e: Any, *, base: str = "", declared_text: bool = False) -> Entry:
    link = str(e.get("link") or "")
    title = str(e.get("title") or "")
    summary = str(e.get("summary") or "")
    content = ""
    content_part: Any = None
    for part in e.get("content") or ():
        value = str(part.get("value") or "")
        if len(value) > len(content):
            content, content_part = value, part
    guid = str(e.get("id") or "") or link
    if not guid:  # of the values as feedparser gave them: the same as before escaping
        digest = hashlib.sha256(f"{title}\n{summary}\n{content}".encode()).hexdigest()
        guid = f"sha256:{digest[:32]}"
    # A title is converted as one line of HTML either way (clean_title): a title
    # declared plain text arrives unescaped, where only an HTML element's tag is
    # markup, so "Vec<T>" keeps its brackets and "<script>" never reaches the archive.
    summary = _as_html(summary, e.get("summary_detail"), declared_text=declared_text)
    content = _as_html(content, content_part, declared_text=declared_text)
    tags: list[str] = []
    for tag in e.get("tags") or ():
        term = str(tag.get("term") or tag.get("label") or "").strip()
        if term and term not in tags:
            tags.append(term)
    return Entry(
        guid=guid,
        link=link,
        title=title,
        content_html=content,
        summary_html=summary,
        published=_date(e.get("published_parsed")),
        # "in" first: a bare get() maps a missing updated_parsed to published_parsed
        # with a DeprecationWarning. Without an updated date, the created one
        # (dcterms:created, Atom 0.3 <created>) still beats the time of the poll.
        updated=(_date(e.get("updated_parsed")) if "updated_parsed" in e else None)
        or _date(e.get("created_parsed")),
        tags=tuple(tags),
        author=str(e.get("author") or ""),
        original_link=str(e.get("feedburner_origlink") or e.get("pheedo_origlink") or ""),
        enclosures=_enclosures(e, base=base),
        comments=_comments(e, base=base),
    )


def _enclosures(e: Any, *, base: str) -> tuple[Enclosure, ...]:
    """An entry's media files: RSS ``<enclosure>`` and Atom ``rel="enclosure"`` links
    (feedparser's ``enclosures``), then Media RSS ``media:content``; one per URL, the
    first description of a URL completed by later ones (a ``media:content`` often
    repeats the enclosure with its duration). ``itunes:duration`` is the duration of
    a single file."""
    from urllib.parse import urljoin

    found: dict[str, Enclosure] = {}
    candidates: list[tuple[str, str, Any, Any]] = []
    for enc in e.get("enclosures") or ():
        candidates.append(
            (str(enc.get("href") or ""), str(enc.get("type") or ""), enc.get("length"), None)
        )
    for media in e.get("media_content") or ():
        size = media.get("filesize") or media.get("fileSize") or media.get("length")
        candidates.append(
            (str(media.get("url") or ""), str(media.get("type") or ""), size, media.get("duration"))
        )
    for href, kind, length, duration in candidates:
        if not href.strip():
            continue
        url = urljoin(base, href.strip()) if base else href.strip()
        new = Enclosure(
            url=url,
            type=kind.strip().lower(),
            length=_count(length),
            duration=_duration(duration),
        )
        old = found.get(url)
        if old is not None:
            new = Enclosure(
                url=url,
                type=old.type or new.type,
                length=old.length if old.length is not None else new.length,
                duration=old.duration if old.duration is not None else new.duration,
            )
        found[url] = new
    out = list(found.values())
    itunes = _duration(e.get("itunes_duration"))
    if len(out) == 1 and out[0].duration is None and itunes is not None:
        only = out[0]
        out[0] = Enclosure(url=only.url, type=only.type, length=only.length, duration=itunes)
    return tuple(out)


def _comments(e: Any, *, base: str) -> str:
    """The link to an entry's discussion: RSS ``<comments>``, else an Atom link with
    ``rel="replies"`` (RFC 4685) that is a web page rather than a comment feed."""
    from urllib.parse import urljoin

    link = str(e.get("comments") or "").strip()
    if not link:
        for candidate in e.get("links") or ():
            kind = str(candidate.get("type") or "text/html").lower()
            if candidate.get("rel") == "replies" and "html" in kind:
                link = str(candidate.get("href") or "").strip()
                break
    return urljoin(base, link) if link and base else link


def _count(value: Any) -> int | None:
    """A positive whole number from a feed attribute (``"54919661"``, 42), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number < 2**62 else None


def _duration(value: Any) -> int | None:
    """Seconds from ``"3600"``, ``"42:10"``, ``"01:54:09"`` (``itunes:duration``) or a
    number; ``None`` when unreadable."""
    if isinstance(value, str) and ":" in value:
        parts = value.strip().split(":")
        if len(parts) > 3 or not all(p.strip().isascii() and p.strip().isdigit() for p in parts):
            return None
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + int(part)
        return seconds or None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    return _count(value) if not isinstance(value, float) else _count(round(value))


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def advertised_feeds(body: bytes, *, base: str = "") -> list[str]:
    """Find the feed URLs an HTML page advertises with ``<link rel="alternate">``.

    Args:
        body: the page's bytes.
        base: the page's URL, to resolve relative links.

    Returns:
        The absolute feed URLs, in page order, without duplicates.
    """
    from urllib.parse import urljoin

    found: list[str] = []
    for tag in _LINK_TAG.findall(body[: 512 * 1024]):
        attrs = {
            m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or b"")
            for m in _ATTR.finditer(tag)
        }
        rel = attrs.get(b"rel", b"").lower().split()
        kind = attrs.get(b"type", b"").lower().split(b";")[0].strip()
        href = attrs.get(b"href", b"").strip()
        if b"alternate" in rel and kind in _FEED_TYPES and href:
            url = clean_url(urljoin(base, href.decode("utf-8", "replace")))
            if url and url not in found:
                found.append(url)
    return found
