"""Filter rules: drop or keep items by words, phrases or patterns, per feed, per category
or for all; counted per feed in status; `filters test URL` shows what a rule would drop."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.feeds import rss
from support.httpserver import FeedServer

from aggregator.cli.main import cli
from aggregator.ingest.filters import FilterRule, judge
from aggregator.models import Story

# rss() titles cycle through: Nvidia, Microsoft, SpaceX, Apple, Mozilla, OpenAI, Intel, Google.


def story(title: str, body: str = "", **kw: Any) -> Story:
    return Story(
        category=kw.pop("category", "TECHNOLOGY"),
        title=title,
        published=datetime(2026, 11, 1, tzinfo=UTC),
        body=body,
        **kw,
    )


def test_words_match_whole_words_in_any_case() -> None:
    rule = FilterRule(name="filters[0]", action="drop", terms=("AI",))
    assert not judge([rule], "", story("Ai is everywhere")).keep
    assert judge([rule], "", story("He said the chain is fine")).keep  # not inside "said"
    phrase = FilterRule(name="filters[0]", action="drop", terms=("press release",))
    assert not judge([phrase], "", story("x", "A PRESS\n release follows.")).keep
    assert judge([phrase], "", story("x", "pressing releases")).keep
    symbols = FilterRule(name="filters[0]", action="drop", terms=("C++",))
    assert not judge([symbols], "", story("Why C++ is back")).keep


def test_fields_scope_and_keep_rules() -> None:
    by_author = FilterRule(name="filters[0]", action="drop", terms=("bot",), fields=("author",))
    assert judge([by_author], "", story("A bot wrote this")).keep
    assert not judge([by_author], "", story("t", author="Release Bot")).keep
    by_tag = FilterRule(
        name="filters[1]", action="drop", patterns=("^sponsored$",), fields=("tags",)
    )
    verdict = judge([by_tag], "", story("t", tags=("news", "Sponsored")))
    assert verdict == judge([by_tag], "", story("t", tags=("Sponsored",)))
    assert verdict.reason == "filters[1] drop: /^sponsored$/ in tags"
    only_feed = FilterRule(name="filters[2]", action="drop", terms=("x",), feeds=("https://a/",))
    assert judge([only_feed], "https://b/", story("x")).keep
    assert not judge([only_feed], "https://a/", story("x")).keep
    keep = FilterRule(name="filters[3]", action="keep", terms=("rust",), category="SCIENCE")
    assert judge([keep], "", story("Go 2 is out")).keep  # another category: not in scope
    assert not judge([keep], "", story("Go 2 is out", category="SCIENCE")).keep
    assert judge([keep], "", story("Rust 2 is out", category="SCIENCE")).reason == (
        "filters[3] keep: 'rust' in title"
    )
    # A drop rule wins over a keep rule.
    drop = FilterRule(name="filters[4]", action="drop", terms=("2",))
    assert not judge([keep, drop], "", story("Rust 2 is out", category="SCIENCE")).keep


def titles(db: Path = Path("archive/news.db")) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT title FROM stories ORDER BY title")]


def write_filters(cfg: Path, text: str) -> None:
    cfg.write_text(cfg.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_polls_drop_items_and_status_counts_them(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    feed_server.add("/a.xml", rss("a", 8))
    feed_server.add("/b.xml", rss("b", 8))
    feed_server.add("/c.xml", rss("c", 8))
    a, b, c = (feed_server.url(p) for p in ("/a.xml", "/b.xml", "/c.xml"))
    cfg = write_config(
        [
            {"url": a, "category": "technology"},
            {"url": b, "category": "technology"},
            {"url": c, "category": "space"},
        ]
    )
    write_filters(
        cfg,
        f"""
[[filters]]
action = "drop"
words = ["SpaceX", "Intel"]
fields = ["title"]

[[filters]]
action = "drop"
feeds = ["{b}"]
phrases = ["antitrust complaint"]

[[filters]]
action = "keep"
category = "space"
patterns = ["^(Nvidia|Mozilla)\\\\b"]
""",
    )
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.output
    assert "11 dropped by filters" in result.stdout
    kept = titles()
    assert not [t for t in kept if t.startswith(("SpaceX", "Intel"))]
    assert [t for t in kept if t.startswith("Apple")] == [
        "Apple faces a fresh antitrust complaint from the European Commission (a #3)"
    ]
    assert sorted(t for t in kept if "(c #" in t) == [
        "Mozilla ships Firefox with a rebuilt tab manager and faster start-up (c #4)",
        "Nvidia reports record data-centre revenue as demand for AI chips keeps growing (c #0)",
    ]
    assert len(kept) == 6 + 5 + 2
    status = json.loads(runner.invoke(cli, ["--config", str(cfg), "status", "--json"]).stdout)
    assert {f["url"]: f["filtered"] for f in status["feed"]} == {a: 2, b: 3, c: 6}
    table = runner.invoke(cli, ["--config", str(cfg), "status"]).stdout
    assert "(6 filtered)" in table


def test_filters_test_shows_what_would_be_dropped_and_writes_nothing(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    feed_server.add("/a.xml", rss("a", 8))
    url = feed_server.url("/a.xml")
    cfg = write_config([])
    write_filters(cfg, '\n[[filters]]\naction = "drop"\nwords = ["Outlook", "Starlink"]\n')
    result = runner.invoke(cli, ["--config", str(cfg), "filters", "test", url])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "drop\tMicrosoft restores Outlook and Teams after a global outage traced to a bad update"
        " (a #1)  [filters[0] drop: 'Outlook' in title]",
        "drop\tSpaceX launches a new batch of Starlink satellites from Cape Canaveral (a #2)"
        "  [filters[0] drop: 'Starlink' in title]",
    ]
    assert "2 of 8 items would be dropped (1 rules in the config)" in result.stderr
    everything = runner.invoke(cli, ["--config", str(cfg), "filters", "test", url, "--all"])
    assert len(everything.stdout.splitlines()) == 8
    data = json.loads(
        runner.invoke(cli, ["--config", str(cfg), "filters", "test", url, "--json"]).stdout
    )
    assert data["dropped"] == 2 and len(data["items"]) == 8
    assert not Path("archive").exists()  # a command that only reads never writes


def test_filters_test_errors_are_one_line(
    write_config: Callable[..., Path], runner: CliRunner
) -> None:
    cfg = write_config([])
    result = runner.invoke(cli, ["--config", str(cfg), "filters", "test", "ftp://x/feed"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('words = ["x"]', "filters[0].action: missing (drop or keep)"),
        ('action = "hide"\nwords = ["x"]', "filters[0].action: 'hide' is unknown"),
        ('action = "drop"', "filters[0].words: a rule needs words, phrases or patterns"),
        ('action = "drop"\nwords = ["two words"]', "filters[0].words: 'two words' is several"),
        ('action = "drop"\npatterns = ["(unclosed"]', "filters[0].patterns: '(unclosed' is not a"),
        ('action = "drop"\nwords = ["x"]\nfields = ["url"]', "filters[0].fields: 'url' is unknown"),
        ('action = "drop"\nwords = ["x"]\nfeeds = ["file:///x"]', "filters[0].feeds: "),
        ('action = "drop"\nwords = ["x"]\nwhere = "title"', "filters[0].where: unknown key"),
    ],
)
def test_filter_config_errors(
    rule: str, message: str, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    cfg = write_config([])
    write_filters(cfg, f"\n[[filters]]\n{rule}\n")
    result = runner.invoke(cli, ["--config", str(cfg), "feeds", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {cfg}: {message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1
