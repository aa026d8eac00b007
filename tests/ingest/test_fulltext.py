"""Full text for teaser feeds: extraction, the choice of body, and the pipeline on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from support.feeds import rss
from support.httpserver import FeedServer

from aggregator.cli.main import cli
from aggregator.ingest.fulltext import choose_body, extract_text, is_html
from aggregator.ingest.parse import parse_feed

NAV = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(25))
SIDEBAR = "".join(
    f'<li><a href="/most-read/{i}">Most read story number {i}</a></li>' for i in range(8)
)


def article_page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{title}</title><script>var tracking = 1;</script></head><body>"
        f"<header><div class='logo'>Example News</div><nav><ul>{NAV}</ul></nav></header>"
        f"<main><article><h1>{title}</h1><p class='byline'>By Jane Doe</p>{body}</article>"
        f"<aside><h3>Most read</h3><ul>{SIDEBAR}</ul></aside>"
        "<section id='comments'><div class='comment'><p>First!</p></div></section></main>"
        "<footer><p>Copyright 2026 Example Media. All rights reserved.</p>"
        "<a href='/privacy'>Privacy</a></footer></body></html>"
    ).encode()


PARAGRAPHS = [
    f"Nvidia reported record data-centre revenue on Wednesday, paragraph {i} of the article,"
    " as cloud providers kept buying its accelerators faster than the company could ship them"
    " and analysts raised their forecasts for the rest of the year once again."
    for i in range(8)
]


def test_extract_text_keeps_the_article_and_drops_the_page_around_it() -> None:
    text = extract_text(article_page("Nvidia posts record revenue", PARAGRAPHS))
    assert "paragraph 0 of the article" in text
    assert "paragraph 7 of the article" in text
    assert text.count("\n\n") >= 7  # paragraphs stay paragraphs
    for chrome in ("Section 3", "Most read story", "First!", "All rights reserved", "tracking"):
        assert chrome not in text


def test_extract_text_of_nothing() -> None:
    assert extract_text(b"") == ""
    assert extract_text(b"   \n") == ""


def test_is_html() -> None:
    assert is_html("text/html; charset=utf-8")
    assert is_html("application/xhtml+xml")
    assert is_html("")
    assert not is_html("application/pdf")
    assert not is_html("image/png")


def test_choose_body_takes_a_longer_page_about_the_same_story() -> None:
    teaser = "Nvidia reported record data-centre revenue on Wednesday."
    page = "\n\n".join(PARAGRAPHS)
    assert choose_body(teaser, page, title="Nvidia posts record data-centre revenue") == page


def test_choose_body_keeps_the_feed_text_against_a_paywall_or_another_page() -> None:
    teaser = "Nvidia reported record data-centre revenue on Wednesday. " * 3
    paywall = "Subscribe to continue reading. Already a subscriber? Log in."
    title = "Nvidia posts record data-centre revenue"
    assert choose_body(teaser, paywall, title=title) == teaser
    unrelated = "Cookie settings and privacy choices for this website. " * 20
    assert choose_body(teaser, unrelated, title=title) == teaser
    barely_longer = teaser + " More."
    assert choose_body(teaser, barely_longer, title=title) == teaser


# --- the pipeline ---------------------------------------------------------------


def bodies(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return {url: body for url, body in conn.execute("SELECT url, body FROM stories")}


def serve_articles(server: FeedServer, name: str, numbers: range) -> None:
    """Serve an article page for items of ``rss(name, ...)``, each about its item's title."""
    feed = parse_feed(rss(name, max(numbers) + 1, site=server.base_url))
    for i in numbers:
        title = feed.entries[i].title
        paragraphs = [f"{title}: {p} (story {i})" for p in PARAGRAPHS]
        page = article_page(title, paragraphs)
        server.add(f"/{name}/{i}", page, content_type="text/html; charset=utf-8")


def test_full_text_feed_gets_article_text_for_new_stories_only(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    site = feed_server.base_url
    feed_server.add("/teasers.xml", rss("teasers", 3, site=site))
    serve_articles(feed_server, "teasers", range(4))
    cfg = write_config([{"url": feed_server.url("/teasers.xml"), "full_text": True}])

    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    texts = bodies(Path("archive/news.db"))
    assert len(texts) == 3
    for i in range(3):
        body = texts[f"{site}/teasers/{i}"]
        assert "paragraph 7 of the article" in body and f"(story {i})" in body
        assert "Most read story" not in body
        assert feed_server.count(f"/teasers/{i}") == 1

    # A new item appears: only its page is fetched; the archived ones cost nothing.
    feed_server.add("/teasers.xml", rss("teasers", 4, site=site))
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    assert [feed_server.count(f"/teasers/{i}") for i in range(4)] == [1, 1, 1, 1]
    assert "(story 3)" in bodies(Path("archive/news.db"))[f"{site}/teasers/3"]


def test_a_missing_article_page_keeps_the_feed_text(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    site = feed_server.base_url
    feed_server.add("/teasers.xml", rss("teasers", 2, site=site))
    serve_articles(feed_server, "teasers", range(1))  # item 1's page is a 404
    feed_server.add("/teasers/1", b"gone", status=404, content_type="text/html")
    cfg = write_config([{"url": feed_server.url("/teasers.xml"), "full_text": True}])

    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    texts = bodies(Path("archive/news.db"))
    assert "paragraph 7 of the article" in texts[f"{site}/teasers/0"]
    kept = texts[f"{site}/teasers/1"]  # the feed's own text, not an article page
    assert "Microsoft restores Outlook and Teams" in kept
    assert "of the article" not in kept


def test_feeds_without_full_text_fetch_no_pages(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    site = feed_server.base_url
    feed_server.add("/plain.xml", rss("plain", 2, site=site))
    serve_articles(feed_server, "plain", range(2))
    cfg = write_config([{"url": feed_server.url("/plain.xml")}])

    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    assert feed_server.count("/plain/0") == feed_server.count("/plain/1") == 0
