# ruff: noqa: E501 (feed documents are kept on their own long lines)
"""Story text true to the source: angle-bracketed words, created dates, MathML, SVG.

Feeds written here are served on 127.0.0.1 and polled through the real pipeline
into a real archive; then the corpus check of ``benchmarks/text_fidelity.py``.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from support.httpserver import FeedServer

from aggregator.app.config import load
from aggregator.app.core import open_app
from aggregator.digest.select import Window, build_digest
from aggregator.timeutil import text_of_db

REPO = Path(__file__).resolve().parents[2]

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dcterms="http://purl.org/dc/terms/">
<title>Code news</title><id>urn:code</id><updated>2026-11-01T00:00:00Z</updated>
<entry><id>urn:1</id><title type="text">Why Vec&lt;T&gt; is fast</title>
<link href="https://code.example/vec"/><updated>2026-11-01T08:00:00Z</updated>
<content type="text">Option&lt;T&gt; and Result&lt;T, E&gt; replace null and exceptions.</content></entry>
<entry><id>urn:2</id><title type="html">The &amp;lt;dialog&amp;gt; element, &lt;b&gt;finally&lt;/b&gt;</title>
<link href="https://code.example/dialog"/><updated>2026-11-01T09:00:00Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Browsers now support the
&lt;dialog&gt; element.</div></content></entry>
<entry><id>urn:3</id><title type="html">Maths &amp; pictures</title>
<link href="https://code.example/math"/><dcterms:created>2026-10-20T10:30:00Z</dcterms:created>
<content type="html">&lt;p&gt;Sum: &lt;math&gt;&lt;mi&gt;a&lt;/mi&gt;&lt;mo&gt;+&lt;/mo&gt;&lt;mi&gt;b&lt;/mi&gt;
&lt;annotation encoding="TeX"&gt;a+b&lt;/annotation&gt;&lt;/math&gt; is shown.&lt;/p&gt;
&lt;svg viewBox="0 0 9 9"&gt;&lt;title&gt;Sales chart&lt;/title&gt;&lt;desc&gt;Bars rising&lt;/desc&gt;
&lt;text&gt;axis&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/svg&gt;
&lt;p&gt;Real &lt;b&gt;tag&lt;/b&gt; beside an escaped &amp;lt;T&amp;gt; and &amp;lt;script&amp;gt;x()&amp;lt;/script&amp;gt;.&lt;/p&gt;</content></entry>
</feed>"""

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>C++</title>
<link>https://cpp.example/</link>
<item><title>std::vector&lt;int&gt; tips</title><link>https://cpp.example/1</link>
<guid>cpp-1</guid><pubDate>Sun, 01 Nov 2026 08:00:00 GMT</pubDate>
<description>&lt;p&gt;Prefer std::vector&amp;lt;int&amp;gt; over arrays.&lt;/p&gt;</description></item>
</channel></rss>"""

ATOM03 = b"""<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#">
<title>Old</title><entry><id>urn:old</id><title>An old entry</title>
<link rel="alternate" type="text/html" href="https://old.example/1"/>
<created>2004-05-06T07:08:09Z</created><content type="text/plain" mode="escaped">Old text</content>
</entry></feed>"""


def _poll(feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path) -> Path:
    feed_server.add("/code.atom", ATOM, content_type="application/atom+xml")
    feed_server.add("/cpp.rss", RSS)
    feed_server.add("/old.atom", ATOM03, content_type="application/atom+xml")
    feeds = [{"url": feed_server.url(p), "category": "technology"} for p in
             ("/code.atom", "/cpp.rss", "/old.atom")]  # fmt: skip
    cfg = write_config(feeds)
    with open_app(load(cfg)) as app:
        results = app.poll()
    assert [r.outcome for r in results] == ["new"] * 3, [r.error for r in results]
    return tmp_path / "archive" / "news.db"


def _stories(db: Path) -> dict[str, tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return {
            url: (title, body, text_of_db(published))
            for url, title, body, published in conn.execute(
                "SELECT url, title, body, published FROM stories"
            )
        }
    finally:
        conn.close()


def test_text_fields_keep_their_angle_brackets_through_a_poll(
    feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    stories = _stories(_poll(feed_server, write_config, tmp_path))
    title, body, _ = stories["https://code.example/vec"]
    assert title == "Why Vec<T> is fast"
    assert body == "Option<T> and Result<T, E> replace null and exceptions."
    title, body, _ = stories["https://code.example/dialog"]
    assert title == "The <dialog> element, finally"
    assert body == "Browsers now support the <dialog> element."
    title, body, _ = stories["https://cpp.example/1"]
    assert (title, body) == ("std::vector<int> tips", "Prefer std::vector<int> over arrays.")


def test_mathml_and_svg_text_kept_and_nothing_executable(
    feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    _, body, _ = _stories(_poll(feed_server, write_config, tmp_path))["https://code.example/math"]
    paragraphs = body.split("\n\n")
    assert paragraphs[0] == "Sum: a+b is shown."  # the TeX annotation is not repeated
    assert "Sales chart Bars rising" in paragraphs[1]
    assert "axis" not in body and "alert" not in body
    # A real tag goes; escaped text stays text, and a quoted script shows as text only.
    assert paragraphs[-1] == "Real tag beside an escaped <T> and <script>x()</script>."


def test_created_dates_are_used_before_the_time_of_the_poll(
    feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    stories = _stories(_poll(feed_server, write_config, tmp_path))
    assert stories["https://code.example/math"][2].startswith("2026-10-20T10:30:00")
    assert stories["https://old.example/1"][2].startswith("2004-05-06T07:08:09")


def test_digests_escape_angle_bracketed_words(
    feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    db = _poll(feed_server, write_config, tmp_path)
    window = Window(datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    html = build_digest(db, window, fmt="html")
    assert "Vec&lt;T&gt;" in html and "Vec<T>" not in html
    assert "<dialog>" not in html and "<script>" not in html
    markdown = build_digest(db, window, fmt="markdown")
    assert "Vec" in markdown
    assert "<dialog>" not in markdown and "<T>" not in markdown and "<script>" not in markdown


def _text_fidelity() -> object:
    spec = importlib.util.spec_from_file_location(
        "text_fidelity", REPO / "benchmarks" / "text_fidelity.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_real_feeds_lose_no_angle_bracketed_word_and_keep_no_known_boilerplate(
    corpus: Path,
) -> None:
    report = _text_fidelity().check(corpus)  # type: ignore[attr-defined]
    assert report.stories > 3000
    assert report.examples == []
    assert (report.lost, report.boilerplate) == (0, 0)
