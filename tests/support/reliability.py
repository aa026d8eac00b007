"""Reliability scenarios: hostile feeds, SIGKILL during ingest, readers under load.

Shared by the tests (``test_hostile.py``, ``test_crash.py``, ``test_load.py``)
and ``benchmarks/reliability.py``, which runs the same scenarios bigger and
prints the figures. Everything runs against a real :class:`httpserver.FeedServer`
on 127.0.0.1, real SQLite files and real ``aggregator`` subprocesses.

Checks return lists of problems (empty: all good) rather than asserting, so
the benchmark can count them and the tests can show them all at once.
"""

from __future__ import annotations

import functools
import gzip
import html
import io
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from aggregator.dedupe.urls import canonical_url
from support.feeds import rss
from support.httpserver import FeedServer, Handler

__all__ = [
    "CONTROL_RE",
    "ENTITY",
    "LIMITS",
    "TAG",
    "HostileCase",
    "KillReport",
    "LoadReport",
    "archive_problems",
    "big_feed",
    "corpus_cases",
    "crash_cycles",
    "document_cases",
    "integrity_problems",
    "limit_cases",
    "output_problems",
    "reader_load",
    "run_cli",
]

# Real HTML elements only: feed text may legitimately say "[tourist attractions <city name>]".
_ELEMENTS = (
    "a|abbr|applet|article|aside|audio|b|base|blink|blockquote|body|br|button|canvas|caption|"
    "code|dd|del|details|div|dl|dt|em|embed|figcaption|figure|font|footer|form|frame|frameset|"
    "h[1-6]|head|header|hr|html|i|iframe|img|input|ins|label|li|link|main|marquee|meta|nav|"
    "noscript|object|ol|p|param|picture|pre|q|s|script|section|small|source|span|strong|style|"
    "sub|sup|svg|table|tbody|td|th|thead|time|tr|u|ul|video"
)
TAG = re.compile(rf"</?(?:{_ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});")
# C0 controls but "\n", DEL, C1 controls, bidi overrides and isolates: what can drive a terminal
# or hide text. Archived text and CLI output carry none of them.
CONTROL_RE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# A javascript:/vbscript:/data: URL where a link is: an HTML attribute, a JSON field
# holding a URL, a Markdown link, a document's "Read the original:" action.
_LINK_RE = re.compile(
    r"""(?:(?:href|src|action|formaction|poster|background|cite|xlink:href)\s*=\s*["']?\s*"""
    r"""|"(?:url|canonical_url|link|site_url|external_url|feed|href)"\s*:\s*"\s*"""
    r"""|\]\(\s*<?|Read the original:\s*)(?:(?:java|vb)script|data):""",
    re.IGNORECASE,
)

# What rich writes on a terminal: colours (SGR), hiding the cursor, erasing and going up a
# line (progress bars), carriage returns. The feeds' escapes (clear screen, OSC, DCS, C1) differ.
_OWN_CODES = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\?25[lh]|\x1b\[2K|\x1b\[\d*A|\r")

MIB = 1024 * 1024


# -- hostile feeds --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostileCase:
    """One hostile answer served on the loopback server.

    Attributes:
        name: a short name.
        path: its path on the server.
        expect: ``"error"`` (the poll must fail with ``error_has`` in the feed's error),
            ``"stored"`` (the poll must succeed) or ``"any"`` (either, cleanly).
        error_has: text the recorded error must contain (with ``expect="error"``).
        max_seconds: the poll must end within this (the timeouts plus slack).
    """

    name: str
    path: str
    expect: str = "any"
    error_has: str = ""
    max_seconds: float = 30.0


def corpus_cases(server: FeedServer, corpus: Path) -> list[HostileCase]:
    """Serve every file of ``hostile/`` and ``problem-feeds/`` as it is.

    Args:
        server: the loopback server.
        corpus: the shared corpus folder.

    Returns:
        One case per file (expect "any": archived clean or a clear error).
    """
    cases = []
    for group in ("hostile", "problem-feeds"):
        for path in sorted((corpus / group).rglob("*")):
            if path.is_file():
                rel = path.relative_to(corpus).as_posix()
                route = "/corpus/" + re.sub(r"[^A-Za-z0-9._/-]", "_", rel)
                server.add_file(route, path)
                cases.append(HostileCase(rel, route))
    return cases


def _item(title: str, body: str, *, guid: str, link: str = "", extra: str = "") -> str:
    link_xml = f"<link>{link}</link>" if link else ""
    return (
        f'<item><title>{title}</title>{link_xml}<guid isPermaLink="false">{guid}</guid>'
        f"<pubDate>Sun, 01 Nov 2026 08:00:00 GMT</pubDate><description>{body}</description>"
        f"{extra}</item>"
    )


def _rss(items: Sequence[str], *, doctype: str = "", title: str = "hostile") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://hostile.example/</link>"
        f"<description>x</description>{''.join(items)}</channel></rss>"
    ).encode()


def _xxe_feeds(secret_file: Path, dtd_url: str) -> dict[str, bytes]:
    """RSS and Atom documents that try to pull files (and a DTD) into the archive."""
    secret = secret_file.as_uri()
    feeds: dict[str, bytes] = {}
    for name, target in (("secret", secret), ("passwd", "file:///etc/passwd")):
        doctype = f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "{target}">\n]>'
        feeds[f"xxe-{name}-general"] = _rss(
            [
                _item(
                    "Leak &xxe; in the title",
                    "Body with &xxe; inside",
                    guid=f"xxe-{name}-1",
                    link="https://hostile.example/a&xxe;",
                    extra="<author>&xxe;</author><category>&xxe;</category>",
                )
            ],
            doctype=doctype,
            title="feed &xxe;",
        )
        param = (
            f'<!DOCTYPE rss [\n<!ENTITY % file SYSTEM "{target}">\n'
            f"<!ENTITY % wrap \"<!ENTITY leak '%file;'>\">\n%wrap;\n]>"
        )
        feeds[f"xxe-{name}-parameter"] = _rss(
            [_item("Parameter &leak; entity", "Text &leak; here", guid=f"xxe-{name}-2")],
            doctype=param,
        )
    feeds["xxe-external-dtd"] = _rss(
        [_item("External DTD &remote;", "A DTD on a server &remote;", guid="xxe-dtd")],
        doctype=f'<!DOCTYPE rss SYSTEM "{dtd_url}">',
    )
    feeds["xxe-remote-parameter"] = _rss(
        [_item("Remote parameter entity", "Text &remote;", guid="xxe-remote")],
        doctype=f'<!DOCTYPE rss [\n<!ENTITY % remote SYSTEM "{dtd_url}">\n%remote;\n]>',
    )
    feeds["xxe-atom"] = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "{secret}">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>atom &xxe;</title>'
        "<id>urn:x</id><updated>2026-11-01T08:00:00Z</updated>"
        '<entry><id>urn:xxe-atom</id><title type="html">Atom &amp;lt;b&amp;gt; &xxe;</title>'
        "<updated>2026-11-01T08:00:00Z</updated>"
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">XHTML &xxe; '
        "<p>text</p></div></content></entry></feed>"
    ).encode()
    # UTF-16: the same attack where a byte-level filter for "<!ENTITY" would not look.
    feeds["xxe-utf16"] = (
        '<?xml version="1.0" encoding="utf-16"?>\n'
        f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "{secret}">\n<!ENTITY a "{"B" * 2000}">\n]>\n'
        '<rss version="2.0"><channel><title>utf16</title><link>https://hostile.example/</link>'
        + _item("UTF-16 &xxe;", "&a;" * 2000 + " &xxe;", guid="xxe-utf16")
        + "</channel></rss>"
    ).encode("utf-16")
    return feeds


def _bomb_feeds() -> dict[str, bytes]:
    """Entity expansion: billion laughs and the quadratic blow-up, strict and loose parser."""
    laughs = '<!ENTITY lol "lol">\n' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    big = "B" * 50_000
    quadratic = f'<!ENTITY a "{big}">'
    out = {}
    for name, decl, ref in (
        ("billion-laughs", laughs, "&lol9;"),
        ("quadratic", quadratic, "&a;" * 5_000),
    ):
        doctype = f"<!DOCTYPE rss [\n{decl}\n]>"
        out[f"{name}"] = _rss([_item(f"Bomb {ref[:20]}", ref, guid=f"{name}-1")], doctype=doctype)
        # A stray control byte makes the document ill-formed: feedparser then reads it
        # with its loose parser, which has its own entity table.
        out[f"{name}-loose"] = _rss(
            [_item(f"Bomb \x01 {ref[:20]}", ref, guid=f"{name}-2")], doctype=doctype
        )
    return out


_ESCAPES = (
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07",  # OSC 8 hyperlink
    "\x1b]0;pwned title\x07",  # set the window title
    "\x1bP+q544e\x1b\\",  # DCS request
    "\x9b31m",  # CSI as one C1 byte
    "\x9d0;x\x9c",  # OSC as C1
    "\x07\x08\x7f",  # bell, backspace, DEL
    "\u202eevil\u202c",  # right-to-left override
    "\u2066isolate\u2069",
)


def _control_feeds() -> dict[str, bytes]:
    """Terminal escapes in every field, raw and as character references."""
    out = {}
    raw = "".join(_ESCAPES)
    refs = "".join(f"&#{ord(c)};" for c in raw)
    for name, payload in (("controls-raw", raw), ("controls-refs", refs)):
        items = [
            _item(
                f"Escape {payload} title",
                escape(f"<p>Body {payload} text</p>") + payload,
                guid=f"{name}-{payload}",
                link=f"https://hostile.example/{name}{payload}",
                extra=f"<author>a{payload}@x (Mal {payload})</author>"
                f"<category>cat{payload}</category>",
            )
        ]
        out[name] = _rss(items, title=f"Feed {payload} title")
    # Rich console markup in a feed's title and in a page's advertised feed URL: it must
    # print literally, never style the terminal or break the table.
    out["rich-markup"] = _rss(
        [_item("[bold red]Markup[/] [link=https://evil.example]x[/link] [/]", "b", guid="rm")],
        title="[/] [blink]feed[/blink] [link=https://evil.example/]t[/link]",
    )
    return out


def _link_feeds() -> dict[str, bytes]:
    """Links that would run code or embed data if a reader or a digest followed them."""
    links = [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(2)",
        "java&#x09;script:alert(3)",
        " javascript:alert(4)",
        "vbscript:msgbox(5)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==",
        "&#106;avascript:alert(7)",
        "file:///etc/passwd",
    ]
    items = [
        _item(
            f"Link number {i} goes somewhere odd",
            escape(
                f'<p>Body {i} <a href="{link}">click</a> <img src="{link}" onerror="alert({i})">'
                f'<iframe src="{link}"></iframe><script>alert({i})</script></p>'
            ),
            guid=link if i % 2 else f"link-{i}",
            link=link,
            extra=f'<enclosure url="{link}" type="text/html" length="1"/>'
            f"<comments>{link}</comments>",
        )
        for i, link in enumerate(links)
    ]
    json_feed = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "json \u001b[31m hostile",
            "home_page_url": "javascript:alert(1)",
            "items": [
                {
                    "id": f"j{i}",
                    "url": link,
                    "external_url": link,
                    "title": f"JSON item {i} \u009b31m <script>alert(1)</script>",
                    "content_html": f'<a href="{link}">x</a><script>alert({i})</script>',
                    "authors": [{"name": "\u001b]0;x\u0007 Mal"}],
                    "tags": ["\u202etag"],
                }
                for i, link in enumerate(links)
            ],
        }
    ).encode()
    return {
        "links": _rss(items, title="links").replace(b"&amp;#", b"&#"),
        "links-json": json_feed,
    }


def _odd_bytes() -> dict[str, bytes]:
    """Encodings that lie, NUL bytes, deep nesting, a huge entry."""
    plain = rss("odd", 3)
    deep = "<div>" * 50_000 + "deep text" + "</div>" * 50_000
    return {
        "nul-bytes": plain.replace(b"<title>", b"<title>\x00\x00", 2),
        "invalid-utf8": plain.replace(b"The company", b"The \xff\xfe\xc3 company"),
        "utf16-mislabelled": plain.decode().encode("utf-16-le"),
        "utf32": plain.decode().replace("utf-8", "utf-32").encode("utf-32"),
        "deep-nesting": _rss([_item("Deep", escape(deep), guid="deep")]),
        "huge-entry": _rss([_item("Huge", "word " * 1_500_000, guid="huge")]),
        "many-tags": _rss([_item("Tags", escape("<b>x</b>" * 300_000), guid="tags")]),
        "empty": b"",
        "binary": bytes(range(256)) * 64,
    }


def big_feed(entries: int) -> bytes:
    """An RSS document with ``entries`` distinct small items (7.6 MB at 100,000).

    Args:
        entries: how many items.

    Returns:
        The document's bytes.
    """
    items = "".join(
        f"<item><title>Story number {i} about topic {i % 97}</title><guid>g{i}</guid></item>"
        for i in range(entries)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>'
        f"<link>https://big.example/</link>{items}</channel></rss>"
    ).encode()


@functools.cache
def _gzip_bomb(size: int) -> bytes:
    """``size`` bytes of zeros, gzip-compressed (about 1,000:1)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as f:
        chunk = b"\0" * MIB
        for _ in range(size // MIB):
            f.write(chunk)
    return out.getvalue()


@functools.cache
def _gzip_twice() -> bytes:
    return gzip.compress(_gzip_bomb(200 * MIB), compresslevel=9, mtime=0)


@functools.cache
def _deflate_bomb(size: int) -> bytes:
    comp = zlib.compressobj(9)
    chunk = b"\0" * MIB
    return b"".join(comp.compress(chunk) for _ in range(size // MIB)) + comp.flush()


def _endless(handler: Handler) -> None:
    """A fast answer that never ends (no Content-Length): only the size cap stops it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
    block = b"x" * 65536
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        handler.wfile.write(block)


def _silent(handler: Handler) -> None:
    """Accept the request, never answer: only the read timeout stops it."""
    time.sleep(8)


def _endless_headers(handler: Handler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    deadline = time.monotonic() + 30
    n = 0
    while time.monotonic() < deadline:
        handler.wfile.write(b"X-Header-%d: %s\r\n" % (n, b"y" * 1000))
        n += 1


def _short_body(handler: Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(rss("short", 2)[:300])


def document_cases(server: FeedServer, *, secret_file: Path) -> list[HostileCase]:
    """Serve the generated hostile documents: XXE, entity bombs, escapes, links, odd bytes.

    Args:
        server: the loopback server.
        secret_file: a file whose content must never reach the archive; the XXE
            documents point at it (and at ``/evil.dtd`` on ``server``, which must
            never be requested).

    Returns:
        The cases (expect "any": archived clean, or a clear error).
    """
    cases: list[HostileCase] = []
    server.add(
        "/evil.dtd",
        f'<!ENTITY remote SYSTEM "{secret_file.as_uri()}">'.encode(),
        content_type="application/xml-dtd",
    )
    documents = {
        **_xxe_feeds(secret_file, server.url("/evil.dtd")),
        **_bomb_feeds(),
        **_control_feeds(),
        **_link_feeds(),
        **_odd_bytes(),
    }
    for name, body in documents.items():
        kind = "application/json" if name.endswith("json") else "application/rss+xml"
        server.add(f"/gen/{name}", body, content_type=kind)
        cases.append(HostileCase(name, f"/gen/{name}"))
    # A page that advertises a feed URL made of rich markup (it lands in the feed's error).
    server.add(
        "/gen/markup-page",
        b'<html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/[/bold][link=https://evil.example/]x[/link]\x1b[2J.xml"></head></html>',
        content_type="text/html",
    )
    cases.append(HostileCase("markup-page", "/gen/markup-page", "error", "HTML page"))
    return cases


LIMITS = {"read_timeout": "2s", "total_timeout": "4s"}
"""The ``[fetch]`` settings :func:`limit_cases` expects (``max_size`` stays 10 MiB)."""


def limit_cases(server: FeedServer) -> list[HostileCase]:
    """Serve answers that only the fetch limits stop: bombs, endless bodies, stalls, loops.

    The expectations assume :data:`LIMITS`.

    Args:
        server: the loopback server.

    Returns:
        The cases, each expected to fail with a named error within its time.
    """
    cases = []
    bomb = _gzip_bomb(200 * MIB)
    server.add(
        "/lim/gzip-bomb",
        bomb,
        headers={"Content-Encoding": "gzip"},
        content_type="application/rss+xml",
    )
    cases.append(HostileCase("gzip-bomb", "/lim/gzip-bomb", "error", "larger than", 10))
    server.add("/lim/gzip-bomb-body.xml.gz", bomb, content_type="application/gzip")
    cases.append(HostileCase("gzip-bomb-body", "/lim/gzip-bomb-body.xml.gz", "error", "larger", 10))
    server.add(
        "/lim/gzip-twice",
        _gzip_twice(),
        headers={"Content-Encoding": "gzip"},
    )
    cases.append(HostileCase("gzip-twice", "/lim/gzip-twice", "error", "larger than", 10))
    server.add(
        "/lim/deflate-bomb", _deflate_bomb(200 * MIB), headers={"Content-Encoding": "deflate"}
    )
    cases.append(HostileCase("deflate-bomb", "/lim/deflate-bomb", "error", "larger than", 10))
    server.add_handler("/lim/endless", _endless)
    cases.append(HostileCase("endless-fast", "/lim/endless", "error", "larger than", 10))
    server.add_trickle("/lim/trickle", interval=0.2)
    cases.append(HostileCase("endless-trickle", "/lim/trickle", "error", "timed out after 4s", 8))
    server.add_handler("/lim/silent", _silent)
    cases.append(HostileCase("silent", "/lim/silent", "error", "timed out", 8))
    server.add_handler("/lim/endless-headers", _endless_headers)
    cases.append(
        HostileCase("endless-headers", "/lim/endless-headers", "error", "broken HTTP answer", 8)
    )
    server.add_handler("/lim/short-body", _short_body)
    cases.append(HostileCase("short-body", "/lim/short-body", "error", "broken HTTP answer", 8))
    server.add_redirect("/lim/loop-a", "/lim/loop-b", 302)
    server.add_redirect("/lim/loop-b", "/lim/loop-a", 302)
    cases.append(HostileCase("redirect-loop", "/lim/loop-a", "error", "too many redirects", 8))
    server.add_redirect("/lim/to-file", "file:///etc/passwd", 302)
    cases.append(HostileCase("redirect-to-file", "/lim/to-file", "error", "only http", 8))
    return cases


# -- checks ---------------------------------------------------------------------------------


def _connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=10)


def integrity_problems(db: Path) -> list[str]:
    """SQLite and FTS5 integrity, and every story complete: a source and its index row.

    Args:
        db: the archive.

    Returns:
        The problems found.
    """
    problems: list[str] = []
    conn = sqlite3.connect(db, timeout=10)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            problems.append(f"integrity_check: {rows[:5]}")
        try:
            conn.execute("INSERT INTO stories_fts(stories_fts) VALUES ('integrity-check')")
        except sqlite3.Error as exc:
            problems.append(f"FTS5 integrity-check: {exc}")
        orphans = conn.execute(
            "SELECT id FROM stories s WHERE NOT EXISTS"
            " (SELECT 1 FROM sources so WHERE so.story_id = s.id) LIMIT 5"
        ).fetchall()
        if orphans:
            problems.append(f"stories without a source: {orphans}")
        dangling = conn.execute(
            "SELECT id FROM sources so WHERE NOT EXISTS"
            " (SELECT 1 FROM stories s WHERE s.id = so.story_id) LIMIT 5"
        ).fetchall()
        if dangling:
            problems.append(f"sources without a story: {dangling}")
        # The index row: the story is found by its own title's words (rowid = id).
        for story_id, title in conn.execute("SELECT id, title FROM stories").fetchall():
            words = re.findall(r"\w+", title)[:8]
            if not words:
                continue
            phrase = " ".join('"' + w.replace('"', '""') + '"' for w in words)
            hit = conn.execute(
                "SELECT 1 FROM stories_fts WHERE stories_fts MATCH ? AND rowid = ?",
                (f"title : ({phrase})", story_id),
            ).fetchone()
            if hit is None:
                problems.append(f"story {story_id} is not in the index")
                break
    finally:
        conn.close()
    return problems


def _file_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


def archive_problems(
    db: Path, *, secrets: Sequence[str] = (), quoted_html: frozenset[str] = frozenset()
) -> list[str]:
    """What in the archive breaks the hostile-input rules.

    Text (titles, bodies, questions, authors, tags, categories, feed titles and errors):
    no tags of real HTML elements, no undecoded entities, no control characters.
    URLs: empty or http(s), without whitespace or controls. ``secrets`` appear nowhere,
    not even in the raw file bytes.

    Args:
        db: the archive.
        secrets: strings that must not be in the archive (file contents).
        quoted_html: names of feeds (the end of their URL) whose posts quote HTML
            in code samples (``<pre>&lt;b&gt;</pre>``): there the markup is the text.

    Returns:
        The problems found (one line each).
    """
    problems: list[str] = []
    conn = _connect(db)
    try:
        quoting = {
            story_id
            for story_id, feed_url in conn.execute(
                "SELECT s.story_id, f.url FROM sources s JOIN feeds f ON f.id = s.feed_id"
            )
            if feed_url.rsplit("/", 1)[-1] in quoted_html
        }
        for row in conn.execute(
            "SELECT id, title, body, questions, author, tags, category, url FROM stories"
        ):
            story_id, title, body, questions, author, tags, category, url = row
            curl = canonical_url(url) if url else ""
            for name, text in (
                ("title", title),
                ("body", body),
                ("questions", questions),
                ("author", author),
                ("tags", tags),
                ("category", category),
            ):
                text = text or ""
                if TAG.search(text) and not (name == "body" and story_id in quoting):
                    problems.append(f"story {story_id} {name}: tag {TAG.search(text)[0]!r}")
                if ENTITY.search(text) and html.unescape(text) != text:
                    problems.append(f"story {story_id} {name}: entity {ENTITY.search(text)[0]!r}")
                if CONTROL_RE.search(text):
                    problems.append(f"story {story_id} {name}: control character {text[:60]!r}")
            for name, link in (("url", url), ("canonical_url", curl)):
                problems += _url_problems(f"story {story_id} {name}", link)
        for source_id, link, guid in conn.execute("SELECT id, url, guid FROM sources"):
            problems += _url_problems(f"source {source_id} url", link)
            # Guids are identifiers: their whitespace stays (output escapes it), controls go.
            if CONTROL_RE.search((guid or "").replace("\t", " ").replace("\r", " ")):
                problems.append(f"source {source_id} guid: control character {guid[:60]!r}")
        for feed_id, title, site, error in conn.execute(
            "SELECT id, title, site_url, last_error FROM feeds"
        ):
            for name, text in (("title", title), ("last_error", error)):
                if CONTROL_RE.search(text or ""):
                    problems.append(f"feed {feed_id} {name}: control character {text[:60]!r}")
            problems += _url_problems(f"feed {feed_id} site_url", site)
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    raw = _file_bytes(db)
    for secret in secrets:
        if secret in dump or secret.encode() in raw:
            problems.append(f"a secret reached the archive: {secret[:20]!r}")
    return problems


def _url_problems(where: str, link: str | None) -> list[str]:
    if not link:
        return []
    if not re.match(r"https?://[^\s]+$", link) or CONTROL_RE.search(link):
        return [f"{where}: not a plain http(s) URL: {link[:80]!r}"]
    return []


def output_problems(where: str, text: str, *, tty: bool = False) -> list[str]:
    """What in a command's output could drive a terminal or run as code.

    Args:
        where: names the output in the messages.
        text: the output.
        tty: the output went to a terminal: the codes rich writes itself (colours,
            the progress bar's cursor moves) are allowed; a feed's escapes are not.

    Returns:
        The problems found.
    """
    problems = []
    bare = _OWN_CODES.sub("", text) if tty else text
    found = CONTROL_RE.search(bare.replace("\t", " "))
    if found:
        start = max(found.start() - 30, 0)
        problems.append(f"{where}: control character {bare[start : found.end() + 30]!r}")
    plain = html.unescape(text)
    for match in _LINK_RE.finditer(plain):
        context = plain[max(match.start() - 40, 0) : match.end() + 20]
        problems.append(f"{where}: link {context!r}")
    return problems


def run_cli(args: Sequence[str], *, cwd: Path, tty: bool = False, timeout: float = 60) -> str:
    """Run ``aggregator ARGS`` as a subprocess; stdout and stderr, decoded.

    Args:
        args: the arguments.
        cwd: the working folder.
        tty: run it on a pseudo-terminal (so rich draws tables and colours).
        timeout: seconds before it is killed.

    Returns:
        What it printed (stdout then stderr; on a terminal, both together).

    Raises:
        AssertionError: it exited with a status other than 0.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    env["COLUMNS"] = "200"
    cmd = [sys.executable, "-m", "aggregator", *args]
    if not tty:
        done = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, timeout=timeout, check=False
        )
        out = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
        assert done.returncode == 0, f"{args}: exit {done.returncode}: {out[-2000:]}"
        return out
    import pty

    leader, follower = pty.openpty()
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    code = proc.wait(timeout=timeout)
    out = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    assert code == 0, f"{args}: exit {code}: {out[-2000:]}"
    return out


# -- crash safety ---------------------------------------------------------------------------


@dataclass
class KillReport:
    """What the SIGKILL cycles saw.

    Attributes:
        kills: processes killed while polling.
        finished: runs that finished before their kill time came.
        survived: kills after which every check passed.
        partial: kills that left some of the cycle's feeds stored and not others
            (the kill fell between two feeds' transactions).
        problems: what the checks found, per kill.
        expected: items the feeds published in all.
        stored: those the archive holds (as a story's source) after the final run.
        seconds: wall time of the whole scenario.
    """

    kills: int = 0
    finished: int = 0
    survived: int = 0
    partial: int = 0
    problems: list[str] = field(default_factory=list)
    expected: int = 0
    stored: int = 0
    seconds: float = 0.0

    @property
    def lost(self) -> int:
        """Items published but missing from the archive at the end."""
        return self.expected - self.stored


def _stories(db: Path) -> int:
    """How many stories the archive holds; -1 while it does not exist or has no tables yet."""
    if not db.exists():
        return -1
    try:
        conn = _connect(db)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return -1


def _sightings(db: Path) -> set[tuple[str, str]]:
    """Every (feed URL, guid) the archive holds a source for."""
    conn = _connect(db)
    try:
        return set(
            conn.execute("SELECT f.url, s.guid FROM sources s JOIN feeds f ON f.id = s.feed_id")
        )
    finally:
        conn.close()


def crash_cycles(
    server: FeedServer,
    workdir: Path,
    *,
    kills: int,
    feeds: int = 8,
    step: int = 30,
    delay: tuple[float, float] = (0.05, 1.5),
    seed: int = 8,
) -> KillReport:
    """Kill ``aggregator fetch`` with SIGKILL at random moments, check, and finally complete.

    Cycles run until ``kills`` runs were killed (a run that finishes before its
    kill time counts as a cycle, not a kill). Each cycle publishes ``step`` more
    items in each of ``feeds`` feeds, starts ``aggregator fetch``, and kills it
    (with its parser processes: the whole process group, as a power cut would)
    a random ``delay`` after the server saw the first request. After each kill
    the archive is checked (SQLite and FTS5 integrity, complete stories, whole
    polls only). At the end one run is left to finish: every published item
    must be there.

    Args:
        server: the loopback server.
        workdir: where the config and the archive go.
        kills: how many kills.
        feeds: how many feeds.
        step: items added to each feed per cycle.
        delay: the range of the random delay (seconds).
        seed: the random seed (the delays are reproducible).

    Returns:
        The report.
    """
    from conftest import make_config_text

    rng = random.Random(seed)
    started = time.monotonic()
    names = [f"k{i}" for i in range(feeds)]
    # Odd cycles parse in the fetching process (feeds are stored one by one as they are
    # parsed, so kills fall between and inside their transactions); even ones in two
    # parser processes (killed with the rest of the process group).
    configs = []
    for workers in (1, 2):
        cfg = workdir / f"crash{workers}.toml"
        cfg.write_text(
            make_config_text(
                [{"url": server.url(f"/crash/{n}.xml"), "category": "technology"} for n in names],
                fetch={"workers": workers},
                archive={"path": str(workdir / "crash.db")},
            ),
            encoding="utf-8",
        )
        configs.append(cfg)
    db = workdir / "crash.db"
    report = KillReport()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    published = 0
    cycle = -1
    while report.kills < kills and cycle < 3 * kills:
        cycle += 1
        published = (cycle + 1) * step
        for n in names:
            server.add(f"/crash/{n}.xml", rss(n, published, site=f"https://{n}.example"))
        seen = len(server.requests)
        before = len(_sightings(db)) if db.exists() else 0
        cfg = configs[cycle % 2]
        proc = subprocess.Popen(
            [sys.executable, "-m", "aggregator", "--config", str(cfg), "fetch", "--json"],
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while len(server.requests) == seen and proc.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(*delay))
        killed = proc.poll() is None
        if killed:
            os.killpg(proc.pid, signal.SIGKILL)
            report.kills += 1
        else:
            report.finished += 1
        _, err = proc.communicate()
        if proc.returncode not in (0, -signal.SIGKILL):
            report.problems.append(f"cycle {cycle}: exit {proc.returncode}: {err[-500:]!r}")
        problems = integrity_problems(db) if db.exists() else []
        after = len(_sightings(db)) if db.exists() else 0
        if before < after < published * feeds:
            report.partial += 1
        # Whole polls only: each feed holds all the items of some cycle or nothing new.
        if db.exists():
            conn = _connect(db)
            try:
                for url, count in conn.execute(
                    "SELECT f.url, COUNT(s.id) FROM feeds f LEFT JOIN sources s"
                    " ON s.feed_id = f.id GROUP BY f.id"
                ):
                    if count % step:
                        problems.append(f"{url}: {count} sources, not a whole poll")
            finally:
                conn.close()
        report.problems += [f"cycle {cycle}: {p}" for p in problems]
        if killed and not problems:
            report.survived += 1
    final = subprocess.run(
        [sys.executable, "-m", "aggregator", "--config", str(cfg), "fetch"],
        cwd=workdir,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if final.returncode != 0:
        report.problems.append(f"final run: exit {final.returncode}: {final.stderr[-500:]!r}")
    report.problems += [f"final: {p}" for p in integrity_problems(db)]
    expected = {
        (server.url(f"/crash/{n}.xml"), f"https://{n}.example/{n}/{i}")
        for n in names
        for i in range(published)
    }
    report.expected = len(expected)
    report.stored = len(expected & _sightings(db)) if db.exists() else 0
    report.seconds = time.monotonic() - started
    return report


# -- load -----------------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What the readers did while the daemon ingested.

    Attributes:
        ops: completed operations per kind (search, show, digest).
        errors: failed operations, with their error.
        seconds: how long the readers ran.
        ingested: stories the daemon archived meanwhile.
    """

    ops: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    ingested: int = 0

    @property
    def total(self) -> int:
        """All operations."""
        return sum(self.ops.values())


def reader_load(
    server: FeedServer,
    workdir: Path,
    *,
    seconds: float,
    readers: int = 3,
    feeds: int = 6,
    step: int = 20,
    ingest: bool = True,
) -> LoadReport:
    """Readers (search, show, digest) in threads while ``aggregator run`` ingests.

    The daemon polls ``feeds`` feeds every second; the server adds ``step``
    items to each of them every second. Once the archive holds three rounds
    of them, each reader thread loops over a search, a ``show`` of a story and
    (every tenth round) a digest of the last years in every format, each on
    its own connection, for ``seconds``.

    Args:
        server: the loopback server.
        workdir: where the config and the archive go.
        seconds: how long the readers run.
        readers: reader threads.
        feeds: feeds the daemon polls.
        step: items added to each feed per second.
        ingest: False stops the daemon before the readers start (the baseline).

    Returns:
        The report.
    """
    from conftest import make_config_text

    from aggregator.app.config import load
    from aggregator.app.core import open_app
    from aggregator.digest.formats import RENDERERS
    from aggregator.digest.select import build_digest, window_for
    from aggregator.store.search import search
    from aggregator.timeutil import utcnow

    names = [f"l{i}" for i in range(feeds)]
    db = workdir / "load.db"
    cfg = workdir / "load.toml"
    cfg.write_text(
        make_config_text(
            [{"url": server.url(f"/load/{n}.xml"), "interval": "1s"} for n in names],
            fetch={"workers": 1},
            schedule={"min_interval": "1s", "jitter": "0s", "tick": "1s"},
            archive={"path": str(db)},
        ),
        encoding="utf-8",
    )
    stop = threading.Event()
    generation = [1]

    def publish() -> None:
        while not stop.is_set():
            for n in names:
                server.add(
                    f"/load/{n}.xml",
                    rss(n, step, start=generation[0] * step, site=f"https://{n}.example"),
                )
            generation[0] += 1
            stop.wait(1.0)

    publisher = threading.Thread(target=publish, daemon=True)
    publisher.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    daemon = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "--config", str(cfg), "run"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    report = LoadReport(ops={"search": 0, "show": 0, "digest": 0})
    lock = threading.Lock()
    try:
        deadline = time.monotonic() + 60
        while _stories(db) < 3 * feeds * step:
            if time.monotonic() > deadline or daemon.poll() is not None:
                raise AssertionError(f"the daemon archived {_stories(db)} stories in 60s")
            time.sleep(0.05)
        if not ingest:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=20)
        words = ["Nvidia", "outage", "satellites", "antitrust", "Firefox", "reasoning", "comp*"]
        config = load(cfg)

        def reader(seed: int) -> None:
            rng = random.Random(seed)
            app = open_app(config, db_path=db)
            rounds = 0
            try:
                while not stop.is_set():
                    rounds += 1
                    kind = "search"
                    try:
                        query = " ".join(rng.sample(words, rng.randint(1, 2)))
                        hits = search(db, query, limit=10, sort=rng.choice(["relevance", "date"]))
                        done = {"search": 1}
                        kind = "show"
                        top = _stories(db)
                        ids = [h.id for h in hits.hits] or [rng.randint(1, top)]
                        app.render(app.show(rng.choice(ids)))
                        done["show"] = 1
                        if rounds % 10 == 0:
                            kind = "digest"
                            window = window_for(now=utcnow(), since="3650d")
                            for fmt in RENDERERS:
                                build_digest(db, window, fmt=fmt, limit=50)
                            done["digest"] = 1
                    except Exception as exc:  # every failure counts: that is the measure
                        with lock:
                            report.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                        continue
                    with lock:
                        for k, v in done.items():
                            report.ops[k] += v
            finally:
                app.close()

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
        before = _stories(db)
        began = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        report.seconds = time.monotonic() - began
        report.ingested = _stories(db) - before
    finally:
        stop.set()
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
        try:
            _, err = daemon.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            daemon.kill()
            _, err = daemon.communicate()
        publisher.join(timeout=5)
    if daemon.returncode != 0 or "Traceback" in err:
        report.errors.append(f"daemon: exit {daemon.returncode}: {err[-1000:]}")
    report.errors += [f"archive: {p}" for p in integrity_problems(db)]
    return report
