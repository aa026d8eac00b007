"""Feed management through the CLI: discovery, duplicates, OPML import and export."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.feeds import rss
from support.httpserver import FeedServer

from aggregator.app.opml import OpmlFeed, parse_opml, render_opml
from aggregator.cli.main import cli
from aggregator.errors import AggregatorError


def run(runner: CliRunner, cfg: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--config", str(cfg), *args])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


PAGE = (
    b"<!doctype html><html><head><title>Blog</title>"
    b'<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">'
    b"</head><body>Welcome</body></html>"
)


def test_add_discovers_the_feed_a_page_advertises(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    feed_server.add("/blog/", PAGE, content_type="text/html")
    feed_server.add("/feed.xml", rss("blog", 2))
    cfg = write_config()
    code, out, err = run(runner, cfg, "feeds", "add", feed_server.url("/blog/"), "--category", "ai")
    assert code == 0, err
    assert out.strip() == f"Added {feed_server.url('/feed.xml')} (ai)"
    # The same feed again, by its page or by itself: refused.
    code, _, err = run(runner, cfg, "feeds", "add", feed_server.url("/feed.xml"))
    assert code == 1 and "already" in err
    code, _, err = run(runner, cfg, "feeds", "add", feed_server.url("/blog/"))
    assert code == 1 and "already" in err
    code, out, _ = run(runner, cfg, "fetch", "--json")
    assert json.loads(out)[0]["new"] == 2


def test_add_refuses_a_url_without_a_feed(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    feed_server.add("/plain", b"<html><body>no feeds here</body></html>", content_type="text/html")
    cfg = write_config()
    code, _, err = run(runner, cfg, "feeds", "add", feed_server.url("/plain"))
    assert code == 1
    assert err.startswith("Error: no feed found at")
    code, out, _ = run(runner, cfg, "feeds", "list", "--json")
    assert json.loads(out) == []


OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="Security">
    <outline type="rss" text="Krebs" xmlUrl="https://krebsonsecurity.com/feed/"/>
    <outline text="Nested deeper">
      <outline type="rss" text="Deep" xmlUrl="https://deep.example/rss"/>
    </outline>
  </outline>
  <outline type="rss" text="Loose" title="Loose feed" xmlUrl="https://loose.example/atom"
           category="/Tech/AI"/>
  <outline type="rss" text="Broken" xmlUrl="ftp://nope.example/feed"/>
  <outline type="rss" text="Again" xmlUrl="https://krebsonsecurity.com/feed/"/>
</body></opml>"""


def test_parse_opml_categories_and_skips() -> None:
    feeds, skipped = parse_opml(OPML)
    assert [(f.url, f.title, f.category) for f in feeds] == [
        ("https://krebsonsecurity.com/feed/", "Krebs", "Security"),
        ("https://deep.example/rss", "Deep", "Nested deeper"),
        ("https://loose.example/atom", "Loose feed", "AI"),
    ]
    assert len(skipped) == 1 and "ftp://nope.example/feed" in skipped[0]


@pytest.mark.parametrize(
    "data",
    [b"not xml", b"<html><body/></html>", b'<!DOCTYPE x [<!ENTITY a "b">]><opml><body/></opml>'],
)
def test_parse_opml_rejects(data: bytes) -> None:
    with pytest.raises(AggregatorError):
        parse_opml(data)


def test_render_then_parse_is_a_round_trip() -> None:
    feeds = [
        OpmlFeed("https://a.example/f", "A & B <news>", "science", "https://a.example/"),
        OpmlFeed("https://b.example/f", "", "ai"),
        OpmlFeed("https://c.example/f", "C", "science"),
    ]
    text = render_opml(feeds, title="t", now=datetime(2026, 11, 29, tzinfo=UTC))
    back, skipped = parse_opml(text.encode())
    assert skipped == []
    assert {(f.url, f.category) for f in back} == {(f.url, f.category) for f in feeds}
    assert next(f for f in back if f.url == "https://a.example/f").title == "A & B <news>"


def test_import_then_export_keeps_feeds_and_categories(
    write_config: Callable[..., Path], runner: CliRunner, tmp_path: Path
) -> None:
    cfg = write_config([{"url": "https://configured.example/feed", "category": "business"}])
    opml = tmp_path / "in.opml"
    opml.write_bytes(OPML)
    code, out, err = run(runner, cfg, "feeds", "import", str(opml))
    assert code == 0, err
    assert out.count("added\t") == 3
    assert "3 added, 0 already there" in err and "skipped:" in err
    code, out, err = run(runner, cfg, "feeds", "import", str(opml))
    assert "0 added, 3 already there" in err
    exported = tmp_path / "out.opml"
    code, _, err = run(runner, cfg, "feeds", "export", "--output", str(exported))
    assert code == 0, err
    back, _ = parse_opml(exported.read_bytes())
    assert {(f.url, f.category) for f in back} == {
        ("https://configured.example/feed", "business"),
        ("https://krebsonsecurity.com/feed/", "Security"),
        ("https://deep.example/rss", "Nested deeper"),
        ("https://loose.example/atom", "AI"),
    }
    # The export imports cleanly into a fresh archive, every feed with its category.
    code, _, err = run(
        runner, write_config(archive={"path": "other.db"}), "feeds", "import", str(exported)
    )
    assert "4 added" in err
