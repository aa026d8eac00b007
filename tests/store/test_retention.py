"""Retention: [archive] keep, per-feed keep / keep_last, `aggregator prune [--dry-run]`.

Pruning deletes only stories every sighting of which is expired, and keeps the
archive consistent: sources, links, the FTS5 index and the near-duplicate index."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from support.feeds import _filler
from support.httpserver import FeedServer

from aggregator.app.config import FeedConfig
from aggregator.cli.main import cli
from aggregator.dedupe.urls import canonical_url
from aggregator.models import Enclosure, Story
from aggregator.store.archive import Archive, FeedUpdate
from aggregator.store.retention import KeepPolicy, expired_stories, prune
from aggregator.timeutil import to_db_seconds

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def feed_xml(name: str, items: list[tuple[str, int]]) -> bytes:
    """An RSS document whose items ``(slug, days ago)`` are dated relative to the real now."""
    now = datetime.now(UTC)
    parts = []
    for slug, days in items:
        parts.append(
            f"<item><title>{escape(slug.replace('-', ' ').title())} story {slug}</title>"
            f"<link>https://news.example/{slug}</link><guid>{name}-{slug}</guid>"
            f"<pubDate>{format_datetime(now - timedelta(days=days))}</pubDate>"
            f"<description>{escape(_filler(slug, 80))} {slug}word</description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def integrity(db: Path) -> list[str]:
    with Archive(db) as archive:  # FTS5's integrity-check is a write statement
        problems = archive.integrity_errors()
        conn = archive.conn
        for table in ("sources", "story_links", "story_bands"):
            orphans = conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE story_id NOT IN (SELECT id FROM stories)"
            ).fetchone()[0]
            if orphans:
                problems.append(f"{orphans} orphan rows in {table}")
    return problems


def sources_by_story(db: Path) -> dict[str, set[str]]:
    with sqlite3.connect(db) as conn:
        out: dict[str, set[str]] = {}
        for url, guid in conn.execute(
            "SELECT t.url, s.guid FROM sources s JOIN stories t ON t.id = s.story_id"
        ):
            out.setdefault(url.rsplit("/", 1)[1], set()).add(guid.rsplit("/", 1)[-1])
    return out


def test_prune_through_the_cli(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    feed_server.add(
        "/old.xml", feed_xml("old", [("o10", 10), ("o200", 200), ("o300", 300), ("l4", 4)])
    )
    feed_server.add(
        "/short.xml", feed_xml("short", [("s1", 1), ("s20", 20), ("s30", 30), ("f40", 40)])
    )
    feed_server.add("/forever.xml", feed_xml("forever", [("f40", 40), ("f500", 500)]))
    feed_server.add(
        "/last.xml", feed_xml("last", [("l1", 1), ("l2", 2), ("l3", 3), ("l4", 4), ("l5", 5)])
    )
    feeds = [
        {"url": feed_server.url("/old.xml")},
        {"url": feed_server.url("/short.xml"), "keep": "7d"},
        {"url": feed_server.url("/forever.xml"), "keep": "forever"},
        {"url": feed_server.url("/last.xml"), "keep_last": 2},
    ]
    cfg = write_config(feeds, archive={"keep": "100d"})
    assert runner.invoke(cli, ["--config", str(cfg), "fetch"]).exit_code == 0
    db = Path("archive/news.db")
    before = sources_by_story(db)
    assert len(before) == 13 and before["f40"] == {"short-f40", "forever-f40"}

    dry = runner.invoke(cli, ["--config", str(cfg), "prune", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout) == {
        "stories": 6,
        "sources": 6,
        "kept_by_other_feeds": 2,
        "dry_run": True,
    }
    assert sources_by_story(db) == before  # a dry run deletes nothing

    result = runner.invoke(cli, ["--config", str(cfg), "prune"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Deleted 6 stories (6 sources); 2 stories past a feed's limit kept by another feed\n"
    )
    after = sources_by_story(db)
    assert set(before) - set(after) == {"o200", "o300", "s20", "s30", "l3", "l5"}
    # No kept story lost a source, not even its expired one (f40 in short, l4 in last).
    assert all(after[slug] == before[slug] for slug in after)
    assert integrity(db) == []
    search = runner.invoke(cli, ["--config", str(cfg), "search", "o200word OR o10word", "--json"])
    assert [h["url"] for h in json.loads(search.stdout)] == ["https://news.example/o10"]
    again = runner.invoke(cli, ["--config", str(cfg), "prune"])
    assert again.stdout.startswith("Deleted 0 stories")


def test_forever_by_default(write_config: Callable[..., Path], runner: CliRunner) -> None:
    cfg = write_config([])
    runner.invoke(cli, ["--config", str(cfg), "status"])
    result = runner.invoke(cli, ["--config", str(cfg), "prune", "--json"])
    assert json.loads(result.stdout)["stories"] == 0


@pytest.mark.parametrize(
    ("section", "feed", "message"),
    [
        ({"keep": "soon"}, {}, 'archive.keep: must be "forever" or a positive duration'),
        ({"keep": "0d"}, {}, "archive.keep: must be"),
        ({}, {"keep_last": 0}, "feeds[0].keep_last: must be at least 1"),
        ({}, {"keep": 30}, "feeds[0].keep: must be"),
    ],
)
def test_retention_config_errors(
    section: dict[str, object],
    feed: dict[str, object],
    message: str,
    write_config: Callable[..., Path],
    runner: CliRunner,
) -> None:
    cfg = write_config([{"url": "https://example.com/feed.xml", **feed}], archive=section)
    result = runner.invoke(cli, ["--config", str(cfg), "prune"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {cfg}: {message}"), result.stderr


# -- the property, on random archives ---------------------------------------------------


def story(n: int, day: int) -> Story:
    url = f"https://site.example/story/{n}"
    return Story(
        category="TECHNOLOGY",
        title=f"Story number {n} about {_filler(str(n), 4)}",
        published=NOW - timedelta(days=day),
        body=_filler(f"body-{n}", 90),
        questions=("Why?",),
        url=url,
        canonical_url=canonical_url(url),
        guid=f"g{n}",
        enclosures=(Enclosure(f"https://cdn.example/{n}.mp3", "audio/mpeg", 10, 60),)
        if n % 3 == 0
        else (),
    )


@pytest.mark.parametrize("seed", range(6))
def test_no_kept_story_loses_a_source(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    urls = [f"https://feed{i}.example/rss" for i in range(4)]
    db = tmp_path / "a.db"
    archive = Archive(db)
    archive.sync_feeds([FeedConfig(url=u) for u in urls], now=NOW)
    feeds = archive.list_feeds()
    days = {n: rnd.randrange(0, 400) for n in range(60)}
    carried: dict[str, list[int]] = {u: [] for u in urls}
    for n in range(60):
        for u in rnd.sample(urls, rnd.choice((1, 1, 2, 3))):
            carried[u].append(n)
    update = FeedUpdate(status="new", fetched_at=NOW, next_fetch=NOW + timedelta(hours=1))
    for feed in feeds:
        stories = [story(n, days[n]) for n in carried[feed.url]]
        archive.store_poll(feed, stories, update)
    imported = [replace(story(100 + n, rnd.randrange(0, 400)), guid="") for n in range(5)]
    archive.import_stories(imported, now=NOW)
    default = rnd.choice([KeepPolicy(), KeepPolicy(age=timedelta(days=200))])
    policies = {
        urls[0]: KeepPolicy(age=timedelta(days=rnd.randrange(10, 300))),
        urls[1]: KeepPolicy(age=default.age, last=rnd.randrange(1, 20)),
        urls[2]: KeepPolicy(),  # forever
    }

    # What the definition says, computed here on plain data.
    rows = archive.conn.execute(
        "SELECT s.story_id, f.url, t.published, t.id FROM sources s"
        " JOIN stories t ON t.id = s.story_id LEFT JOIN feeds f ON f.id = s.feed_id"
    ).fetchall()
    by_feed: dict[str | None, list[tuple[str, int]]] = {}
    for story_id, url, published, _ in rows:
        by_feed.setdefault(url, []).append((published, story_id))
    rank = {
        (url, sid): i + 1
        for url, items in by_feed.items()
        for i, (_, sid) in enumerate(sorted(items, reverse=True))
    }
    alive: set[int] = set()
    everything: set[int] = set()
    for story_id, url, published, _ in rows:
        everything.add(story_id)
        policy = policies.get(url, default) if url else default
        too_old = policy.age is not None and published < to_db_seconds(NOW - policy.age)
        too_many = policy.last is not None and rank[(url, story_id)] > policy.last
        if not (too_old or too_many):
            alive.add(story_id)
    expected = everything - alive

    found, _, _ = expired_stories(archive, default=default, feeds=policies, now=NOW)
    assert set(found) == expected
    before = {sid: archive.get_story(sid) for sid in everything}
    report = prune(archive, default=default, feeds=policies, now=NOW)
    assert report.stories == len(expected)
    remaining = {r[0] for r in archive.conn.execute("SELECT id FROM stories")}
    assert remaining == alive
    for sid in alive:
        assert archive.get_story(sid).sources == before[sid].sources
        assert archive.get_story(sid).story.enclosures == before[sid].story.enclosures
    archive.close()
    assert integrity(db) == []
