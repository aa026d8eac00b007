"""Fuzzing: the parser adapter, normalize and search, on random and mutated input.

Properties that exist elsewhere are not repeated here: the story format's
round trip (test_storyformat), canonical URLs (test_dedupe), ``html_to_text``
and ``clean_title`` on any text (test_normalize), ``to_fts5`` against FTS5
(test_query). These add:

* any string, as a query or as a ``--category``/``--feed`` filter, through
  :func:`aggregator.store.search.search` on a real archive: results, or
  ``InvalidQueryError`` for a query with nothing to search; never an SQLite
  error (which search would report as another ``SearchError``);
* random bytes and mutated real feeds (bit flips, truncation, splicing,
  deletions, inserted entities, tags, DTDs and control bytes) through
  :func:`aggregator.ingest.worker.process_feed`, which parses
  (:func:`~aggregator.ingest.parse.parse_feed`) and normalizes
  (:func:`~aggregator.ingest.normalize.normalize_entry`) them: only
  ``FeedParseError`` escapes, and every story is clean (no tags of real
  elements, no undecoded entities, no control characters, only http(s) links).

Bounded by ``max_examples`` to keep the suite fast; ``benchmarks/reliability.py
--fuzz N`` runs the same properties with more examples.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.feeds import rss
from support.reliability import CONTROL_RE, ENTITY, TAG

from aggregator.errors import FeedParseError, InvalidQueryError
from aggregator.ingest.parse import parse_feed
from aggregator.ingest.worker import ProcessedFeed, process_feed
from aggregator.models import Entry, Story
from aggregator.store.archive import Archive
from aggregator.store.search import search

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
URL = "https://fuzz.example/feed.xml"
_C0_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0")) or None


def examples(default: int) -> int:
    """``default``, or ``$FUZZ_EXAMPLES`` (the benchmark runs more)."""
    return EXAMPLES or default


# -- search ---------------------------------------------------------------------------------

WORDS = [
    "rust", "memory", "safety", "c++", "C#", "GPT-4", "don't", "multi-agent", "naïve", "Ünïcode",
    "人工智能", "\U0001f389", "3.12", "title", "body", "questions", "NEAR", "AND", "OR", "NOT",
]  # fmt: skip
SYNTAX = st.sampled_from(
    [*WORDS, '"', "'", "(", ")", "*", "^", ":", "-", "+", "title:", "body:", "{", "}", "NEAR(",
     ",", "\x00", "\\", "%", "_", "\u202e", "\u0301", " ", "\t", "\n", "OR", "AND", "NOT"]
)  # fmt: skip
QUERIES = st.one_of(
    st.text(),
    st.lists(SYNTAX, max_size=20).map("".join),
    st.lists(SYNTAX, max_size=20).map(" ".join),
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real archive of 60 stories whose text holds the words and symbols queried.

    Some are German, French or Spanish, so every query is also searched by stem
    (``stories_stem``).
    """
    path = tmp_path_factory.mktemp("fuzz") / "news.db"
    stories = [
        Story(
            category=["technology", "science", "C++ & co"][i % 3],
            title=f"{WORDS[i % len(WORDS)]} {WORDS[(i * 7) % len(WORDS)]} story {i}",
            published=NOW - timedelta(days=i),
            # Words of its own too, or near-duplicate detection merges them all into one.
            body=" ".join(WORDS[(i + k) % len(WORDS)] for k in range(30))
            + "".join(f" item{i}x{k}" for k in range(40)),
            questions=(f"Why {WORDS[i % len(WORDS)]}?",),
            url=f"https://fuzz.example/{i}",
            canonical_url=f"https://fuzz.example/{i}",
            lang=("", "de", "fr", "es", "en")[i % 5],
        )
        for i in range(60)
    ]
    with Archive(path) as db:
        db.import_stories(stories, now=NOW)
        assert db.conn.execute("SELECT count(*) FROM stories").fetchone()[0] == 60
        assert db.conn.execute("SELECT count(*) FROM stories_stem_docsize").fetchone()[0] == 36
    yield path


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    query=QUERIES,
    category=st.none() | st.text(max_size=10),
    feed=st.none() | st.text(max_size=10),
    sort=st.sampled_from(["relevance", "date"]),
    offset=st.integers(0, 30),
)
def test_any_query_and_filter_searches_or_is_invalid_never_an_sqlite_error(
    archive: Path, query: str, category: str | None, feed: str | None, sort: str, offset: int
) -> None:
    try:
        results = search(
            archive, query, limit=7, offset=offset, category=category, feed=feed, sort=sort, now=NOW
        )
    except InvalidQueryError:  # nothing to search for ("", "AND", "-x"): a user error
        return
    assert len(results.hits) <= 7
    for hit in results.hits:
        assert 0 <= hit.id and hit.title
        for start, end in hit.highlights:
            assert 0 <= start < end <= len(hit.snippet)


# -- feeds ----------------------------------------------------------------------------------


def _seeds() -> list[bytes]:
    """Feeds to mutate: generated RSS, an Atom and a JSON Feed, and small corpus feeds."""
    seeds = [
        rss("fuzz", 4),
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b"<entry><id>urn:1</id><title type='html'>Caf&amp;eacute; &lt;b&gt;x&lt;/b&gt;</title>"
        b'<link href="https://a.example/1"/><updated>2026-11-01T00:00:00Z</updated>'
        b"<summary type='html'>&lt;p&gt;One &amp;amp; two&lt;/p&gt;</summary></entry></feed>",
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1",'
        b' "url": "https://j.example/1", "title": "T <b>x</b>", "content_html": "<p>Body'
        b' &amp; more</p>", "date_published": "2026-11-01T00:00:00Z"}]}',
    ]
    # Small real documents of several formats, without code samples (whose quoted
    # markup is text by design: "<pre>&lt;b&gt;</pre>" shows "<b>").
    for folder in ("real-feeds", "problem-feeds/encoding", "problem-feeds/illformed"):
        directory = CORPUS / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.is_file() and path.stat().st_size < 25_000:
                data = path.read_bytes()
                if b"<pre" not in data and b"&lt;pre" not in data and b"<code" not in data:
                    seeds.append(data)
    return seeds[:24]


SEEDS = _seeds()
INSERTS = [
    b"<script>alert(1)</script>",
    b"&lt;script&gt;alert(2)&lt;/script&gt;",
    b"&amp;lt;iframe src=x&amp;gt;",
    b"<b>",
    b"</p>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"&#27;[2J",
    b"&#x9b;31m",
    b"&#8238;",
    b"\x1b[31m",
    b"\xc2\x9b",
    b"\x00",
    b"\xff\xfe",
    b"&nbsp;",
    b"&bogus;",
    b"&",
    b"<",
    b'<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
    b"&a;&b;",
    b'<a href="javascript:alert(3)">x</a>',
    b"<link>javascript:alert(4)</link>",
    b"<item><title>new</title></item>",
    b"<entry><title>e</title></entry>",
    b'", "x": [',
    b"}",
]


@st.composite
def mutated_feeds(draw: st.DrawFn) -> bytes:
    """A seed feed with one to six mutations."""
    doc = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "splice", "insert", "insert", "delete"]))
        pos = draw(st.integers(0, len(doc)))
        if op == "flip" and doc:
            doc[min(pos, len(doc) - 1)] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del doc[pos:]
        elif op == "splice":
            other = draw(st.sampled_from(SEEDS))
            start = draw(st.integers(0, len(other)))
            doc[pos:pos] = other[start : start + draw(st.integers(1, 4000))]
        elif op == "insert":
            doc[pos:pos] = draw(st.sampled_from(INSERTS))
        elif op == "delete":
            del doc[pos : pos + draw(st.integers(1, 64))]
    return bytes(doc)


HEADERS = st.sampled_from(
    [
        {},
        {"content-type": "application/rss+xml"},
        {"content-type": "application/xml; charset=iso-8859-1"},
        {"content-type": "text/xml; charset=utf-16"},
        {"content-type": "application/feed+json"},
        {"content-type": "text/html"},
    ]
)


class _Shown(HTMLParser):
    """What a browser shows of some HTML: its text, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def quoted_tags(entries: Sequence[Entry]) -> set[str]:
    """Names of elements whose tags the entries' HTML *shows as text*: quoted, not markup.

    A browser shows ``&lt;iframe src=x&gt;`` as the text "<iframe src=x>", and
    ``1 &lt;<b></b>/a&gt;`` as "1 </a>"; a faithful conversion to text keeps that.
    The stdlib's HTML tokenizer is the reference, on the markup without control
    characters (normalize drops them first); its text is decoded again as often
    as normalize decodes double-escaped feeds. Categories count as markup too: a
    category escaped twice ("&amp;lt;iframe&amp;gt;News") is the text
    "<iframe>News" once decoded. A tag in normalize's output that
    is not in there came from the markup: that is the failure looked for.
    """
    names: set[str] = set()
    for e in entries:
        for markup in (e.title, e.content_html, e.summary_html, *e.tags):
            markup = _C0_RE.sub("", markup)
            shown = _Shown()
            shown.feed(markup)
            shown.close()
            text = "".join(shown.parts)
            for _ in range(8):
                names.update(n.lower() for n in re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", text))
                again = html.unescape(text)
                if again == text:
                    break
                text = again
    return names


def problems(processed: ProcessedFeed, quoted: AbstractSet[str] = frozenset()) -> list[str]:
    """What in the stories breaks the rules for archived text and links."""
    found = []
    for s in processed.stories:
        for name, text in (
            ("title", s.title),
            ("body", s.body),
            ("author", s.author),
            ("category", s.category),
            ("tags", "\n".join(s.tags)),
            ("questions", "\n".join(s.questions)),
        ):
            for tag in TAG.finditer(text):
                if tag[0].lstrip("</").split(None, 1)[0].rstrip("/>").lower() not in quoted:
                    found.append(f"{name}: tag {tag[0]!r} in {text[:80]!r}")
            if ENTITY.search(text) and html.unescape(text) != text:
                found.append(f"{name}: entity in {text[:80]!r}")
            if CONTROL_RE.search(text):
                found.append(f"{name}: control character in {text[:80]!r}")
        for name, link in (("url", s.url), ("canonical_url", s.canonical_url)):
            if link and (not link.lower().startswith(("http://", "https://")) or
                         CONTROL_RE.search(link) or any(c.isspace() for c in link)):  # fmt: skip
                found.append(f"{name}: {link[:80]!r}")
        # Guids are identifiers: their whitespace stays (output escapes it), controls go.
        if CONTROL_RE.search(s.guid.replace("\t", " ").replace("\r", " ")):
            found.append(f"guid: {s.guid[:80]!r}")
    if CONTROL_RE.search(processed.title) or CONTROL_RE.search(processed.warning):
        found.append(f"feed title or warning: {processed.title!r} {processed.warning!r}")
    return found


def check(body: bytes, headers: dict[str, str]) -> None:
    try:
        processed = process_feed(body, headers, URL, category="technology", now=NOW)
    except FeedParseError:
        return
    assert (
        problems(processed, quoted_tags(parse_feed(body, headers=headers, url=URL).entries)) == []
    )


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=mutated_feeds(), headers=HEADERS)
def test_mutated_feeds_parse_to_clean_stories_or_a_feed_parse_error(
    body: bytes, headers: dict[str, str]
) -> None:
    check(body, headers)


@settings(max_examples=examples(150), deadline=None)
@given(
    body=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from(INSERTS), max_size=40).map(b"".join),
    ),
    headers=HEADERS,
)
def test_random_bytes_parse_to_clean_stories_or_a_feed_parse_error(
    body: bytes, headers: dict[str, str]
) -> None:
    check(body, headers)
