"""The feedparser adapter and the JSON Feed reader, on bytes (no I/O)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.errors import FeedParseError
from aggregator.ingest.parse import advertised_feeds, parse_feed

JSON_FEED_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Example JSON",
    "home_page_url": "https://j.example/",
    "feed_url": "https://j.example/feed.json",
    "items": [
        {
            "id": "1",
            "url": "/posts/1",
            "title": "First post",
            "content_html": "<p>Hello <b>world</b></p>",
            "date_published": "2026-11-01T10:00:00+02:00",
            "authors": [{"name": "Ada"}],
            "tags": ["rust", "rust", "linux"],
        },
        {
            "id": "2",
            "url": "https://j.example/posts/2",
            "content_text": "Plain first paragraph.\n\nPlain second.",
            "date_modified": "2026-11-02T00:00:00Z",
        },
        "not an item",
    ],
}


def test_json_feed_1_1() -> None:
    feed = parse_feed(json.dumps(JSON_FEED_11).encode(), url="https://j.example/feed.json")
    assert (feed.title, feed.link, feed.skipped) == ("Example JSON", "https://j.example/", 1)
    first, second = feed.entries
    assert first.link == "https://j.example/posts/1"  # resolved against feed_url
    assert first.published == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert first.author == "Ada" and first.tags == ("rust", "linux")
    assert second.published is None and second.updated == datetime(2026, 11, 2, tzinfo=UTC)
    assert second.content_html == "<p>Plain first paragraph.</p><p>Plain second.</p>"


def test_json_feed_1_0_with_author_object_and_content_type() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "title": "Old",
        "items": [
            {
                "id": "a",
                "url": "https://o.example/a",
                "author": {"name": "Bo"},
                "summary": "Short",
                "content_html": "<p>Long text</p>",
            }
        ],
    }
    feed = parse_feed(b"\n  " + json.dumps(doc).encode(), headers={"content-type": "text/plain"})
    assert feed.entries[0].author == "Bo"
    assert feed.entries[0].summary_html == "Short"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "invalid JSON"),
        (b'{"title": "x", "items": []}', "without a JSON Feed version"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "without an items list"),
    ],
)
def test_bad_json_feeds(body: bytes, message: str) -> None:
    with pytest.raises(FeedParseError, match=message):
        parse_feed(body, headers={"content-type": "application/feed+json"})


def test_real_json_feeds_from_the_corpus(corpus: Path) -> None:
    for path in sorted((corpus / "problem-feeds" / "other-formats").glob("*.json")):
        feed = parse_feed(path.read_bytes(), url="https://x.example/feed.json")
        assert len(feed.entries) >= 10, path.name
        assert all(e.title and e.link.startswith("http") for e in feed.entries), path.name


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<link>https://r.example/</link><ttl>90</ttl>
<item><title>A &amp; B</title><link>/rel/1</link><description>&lt;p&gt;x&lt;/p&gt;</description>
<pubDate>Sun, 29 Nov 2026 10:00:00 +0100</pubDate></item>
<item><description>no title, no link</description></item>
</channel></rss>"""


def test_rss_fields_dates_ttl_and_guid_fallbacks() -> None:
    feed = parse_feed(RSS, url="https://r.example/feed.xml")
    assert (feed.title, feed.ttl) == ("T", 90)
    first, second = feed.entries
    assert first.link == "https://r.example/rel/1"
    assert first.guid == "https://r.example/rel/1"  # no guid: the link
    assert first.published == datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert first.updated is None
    assert second.guid.startswith("sha256:")  # neither: a hash of the content


def test_an_html_page_is_an_error_naming_its_feeds() -> None:
    page = b'<html><head><link rel="alternate" type="application/atom+xml" href="a.xml"></head>'
    with pytest.raises(FeedParseError, match=r"advertises: https://s\.example/blog/a\.xml"):
        parse_feed(page, url="https://s.example/blog/")
    assert advertised_feeds(page, base="https://s.example/") == ["https://s.example/a.xml"]


def test_external_entities_are_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss version='2.0'><channel><title>t</title><item><title>&x;</title>"
        "<description>&x;</description></item></channel></rss>"
    ).encode()
    try:
        feed = parse_feed(doc)
    except FeedParseError:
        return
    assert all("TOP-SECRET" not in e.title + e.content_html + e.summary_html for e in feed.entries)


def test_titles_keep_angle_bracketed_words_and_lose_markup() -> None:
    from datetime import UTC, datetime

    from aggregator.ingest.normalize import normalize_entry

    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><id>1</id><title type="text">Why Vec&lt;T&gt; beats &lt;script&gt;x()'
        b"&lt;/script&gt; List&lt;T&gt;</title>"
        b"<content>x</content></entry>"
        b'<entry><id>2</id><title type="html">&lt;b&gt;Bold&lt;/b&gt; news</title>'
        b"<content>x</content></entry></feed>"
    )
    rss = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><guid>3</guid><title>&lt;b&gt;Breaking:&lt;/b&gt; std::vector&lt;int&gt; tips"
        b"</title><description>x</description></item></channel></rss>"
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    titles = [
        normalize_entry(e, category="x", now=now).title
        for body in (atom, rss)
        for e in parse_feed(body, url="https://example.org/feed").entries
    ]
    assert titles == [
        "Why Vec<T> beats List<T>",
        "Bold news",
        "Breaking: std::vector<int> tips",
    ]


XML_BASE_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://site.example/blog/">
  <title>Based</title>
  <link href="./"/>
  <entry><id>posts/1</id><title>One</title><link href="posts/1.html"/>
    <updated>2024-05-01T10:00:00Z</updated><content type="html">a</content></entry>
  <entry xml:base="https://other.example/x/"><id>tag:other.example,2024:2</id><title>Two</title>
    <link href="../two.html"/><updated>2024-05-01T11:00:00Z</updated></entry>
</feed>"""

RELATIVE_RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>
<link>/</link><item><title>A</title><link>/a.html</link><guid>12345</guid>
<comments>/a.html#comments</comments></item>
<item><title>B</title><link>b.html</link><guid isPermaLink="false">b-1</guid></item>
</channel></rss>"""


@pytest.mark.parametrize("body", [XML_BASE_FEED, RELATIVE_RSS])
def test_base_uri_memoization_changes_no_result(body: bytes) -> None:
    # parse.py binds feedparser's per-tag base-URI function to a memoized copy (it was a
    # tenth of a parser process's time); the parsed feed must be what the original gives.
    import feedparser  # type: ignore[import-untyped]

    memoized = feedparser.mixin.make_safe_absolute_uri
    assert hasattr(memoized, "cache_info")
    url = "https://feeds.example/dir/feed.xml"
    try:
        feedparser.mixin.make_safe_absolute_uri = memoized.__wrapped__
        expected = parse_feed(body, url=url)
    finally:
        feedparser.mixin.make_safe_absolute_uri = memoized
    got = parse_feed(body, url=url)
    assert got == expected
    links = [e.link for e in got.entries]
    if body is XML_BASE_FEED:
        assert links == ["https://site.example/blog/posts/1.html", "https://other.example/two.html"]
    else:
        assert links == ["https://feeds.example/a.html", "https://feeds.example/dir/b.html"]
        assert got.entries[0].guid == "https://feeds.example/dir/12345"
        assert got.entries[1].guid == "b-1"


XHTML_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">T &amp; U</title>
  <entry><id>urn:x:1</id><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title>
    <updated>2024-05-01T10:00:00Z</updated><category term="a &amp; b"/>
    <content type="xhtml">
      <div xmlns="http://www.w3.org/1999/xhtml">
        <p>One &lt; two &amp; three</p>
        <p>Line
        break &#233;t&#xE9; <![CDATA[<raw> & ]]> end</p>
      </div>
    </content>
    <summary type="html"><![CDATA[<p>A &amp; B</p>]]>
      &lt;p&gt;after&lt;/p&gt;</summary>
  </entry>
</feed>"""


def _unpatched_feedparser() -> contextlib.AbstractContextManager[None]:
    """feedparser as it is without parse.py's speed-ups (buffered text, plain lookups)."""
    import feedparser  # type: ignore[import-untyped]

    @contextlib.contextmanager
    def undo() -> Iterator[None]:
        cls = feedparser.util.FeedParserDict
        preferred = feedparser.api.PREFERRED_XML_PARSERS
        saved = (cls.__getitem__, cls.get, cls.__contains__, cls.__deepcopy__, preferred[:])
        try:
            cls.__getitem__ = saved[0].__wrapped__
            cls.get = saved[1].__wrapped__
            cls.__contains__ = saved[2].__wrapped__
            del cls.__deepcopy__
            preferred.remove("aggregator.ingest.parse")
            yield
        finally:
            cls.__getitem__, cls.get, cls.__contains__, cls.__deepcopy__ = saved[:4]
            preferred[:] = saved[4]

    return undo()


@pytest.mark.parametrize("body", [XML_BASE_FEED, RELATIVE_RSS, XHTML_ATOM])
def test_feedparser_speedups_change_no_result(body: bytes) -> None:
    # parse.py has expat buffer each text (feedparser got it in pieces at every line
    # break and entity) and makes feedparser's lookups of ordinary keys plain dict
    # lookups: what feedparser returns must be what it returns without them.
    import feedparser

    url = "https://feeds.example/dir/feed.xml"
    with _unpatched_feedparser():
        expected = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
        expected_feed = parse_feed(body, url=url)
    got = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    assert got == expected
    assert parse_feed(body, url=url) == expected_feed


def test_feedparser_speedups_on_the_corpus_change_no_result(corpus: Path) -> None:
    import feedparser

    found = sorted(corpus.glob("real-feeds/*")) + sorted(corpus.glob("problem-feeds/*/*"))
    found += sorted(corpus.glob("hostile/*/*"))
    bodies = [p.read_bytes() for p in found if p.is_file()]
    with _unpatched_feedparser():
        expected = [feedparser.parse(b, sanitize_html=False) for b in bodies]
    got = [feedparser.parse(b, sanitize_html=False) for b in bodies]
    for before, after in zip(expected, got, strict=True):
        assert after.get("entries") == before.get("entries")
        assert after.get("feed") == before.get("feed")
        assert after.get("bozo") == before.get("bozo")


def test_feedparser_dict_lookups_keep_their_aliases() -> None:
    import copy
    import warnings

    from feedparser.util import FeedParserDict

    d = FeedParserDict(
        id="urn:1", tags=[FeedParserDict(term="rust")], published="p", summary="s", links=[]
    )
    d["guid"] = "urn:2"  # stored under "id"
    assert d.get("guid") == d["id"] == "urn:2" and "guid" in d
    assert d.get("category") == "rust" and d["description"] == "s"
    assert d.get("missing", 7) == 7 and "missing" not in d and d.get("enclosures") == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert d.get("updated") == "p" and "updated" not in d
    twin = copy.deepcopy(d)
    assert twin == d and type(twin) is FeedParserDict
    assert twin["tags"] is not d["tags"] and twin["tags"][0] is not d["tags"][0]


def test_a_deferred_module_that_is_not_installed_fails_at_its_import() -> None:
    # feedparser imports chardet in a try block and does without it when the import
    # fails: a stand-in for a module that is not there would fail later, at first use.
    from aggregator.ingest.parse import _deferred

    with _deferred("aggregator_no_such_module"), pytest.raises(ImportError):
        import aggregator_no_such_module  # type: ignore[import-not-found]  # noqa: F401
