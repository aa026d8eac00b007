"""``aggregator migrate --to``: SQLite to PostgreSQL and back, resumable, counts verified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import fresh_database
from support.pgserver import PostgresServer

from aggregator.cli.main import cli
from aggregator.errors import ArchiveError
from aggregator.models import Enclosure, FeedConfig, Story
from aggregator.store.engine import open_archive
from aggregator.store.feeds import FeedUpdate
from aggregator.store.migrate import TABLES, copy_archive
from aggregator.store.search import search

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def _story(n: int, feed: str) -> Story:
    return Story(
        category="TECH",
        title=f"Release {n} of the compiler",
        body=" ".join(f"text{n}w{i}" for i in range(40)) + " compiler",
        published=NOW - timedelta(hours=n),
        url=f"https://{feed}.example/{n}",
        canonical_url=f"https://{feed}.example/{n}",
        guid=f"{feed}{n}",
        enclosures=(Enclosure(url=f"https://cdn.example/{n}.mp3", type="audio/mpeg"),)
        if n % 5 == 0
        else (),
    )


def build(path: Path) -> None:
    with open_archive(path) as archive:
        archive.sync_feeds(
            [FeedConfig(url="https://a.example/rss"), FeedConfig(url="https://b.example/rss")],
            now=NOW,
        )
        a, b = archive.list_feeds()
        update = FeedUpdate(
            status="new", fetched_at=NOW, next_fetch=NOW + timedelta(hours=1), etag='"e1"'
        )
        archive.store_poll(a, [_story(n, "a") for n in range(60)], update)
        # Feed b carries copies of a's first ten (same canonical URL): sources, not stories.
        copies = [_story(n, "a") for n in range(10)]
        archive.store_poll(
            b,
            [s.__class__(**{**_fields(s), "guid": f"b{i}"}) for i, s in enumerate(copies)],
            update,
        )


def _fields(story: Story) -> dict[str, object]:
    return {name: getattr(story, name) for name in story.__slots__}


def counts(where: Path | str) -> dict[str, int]:
    with open_archive(where, readonly=True) as archive:
        return {
            t: int(archive.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES
        }


def test_to_postgresql_and_back_keeps_everything(
    pg_server: PostgresServer, tmp_path: Path, runner: CliRunner
) -> None:
    source = tmp_path / "news.db"
    build(source)
    url = fresh_database(pg_server)
    result = runner.invoke(cli, ["--db", str(source), "migrate", "--to", url])
    assert result.exit_code == 0, result.stderr
    assert "verified: 2 feeds, 60 stories, 70 sources" in result.stdout
    assert counts(url) == counts(source)
    with open_archive(url, readonly=True) as pg, open_archive(source, readonly=True) as lite:
        for story_id in (1, 5, 60):
            assert pg.get_story(story_id) == lite.get_story(story_id)
        assert pg.list_feeds() == lite.list_feeds()  # fetch state included
    assert {h.id for h in search(url, "compiler", limit=100).hits} == {
        h.id for h in search(source, "compiler", limit=100).hits
    }
    # New rows in PostgreSQL take ids after the copied ones.
    with open_archive(url) as pg:
        [(story_id, _)] = pg.import_stories([_story(99, "c")], now=NOW)
        assert story_id == 61
    back = tmp_path / "back.db"
    result = runner.invoke(cli, ["--db", url, "migrate", "--to", str(back)])
    assert result.exit_code == 0, result.stderr
    assert counts(back) == counts(url)
    assert [h.id for h in search(back, "release 99").hits] == [61]


def test_a_stopped_copy_resumes_where_it_stopped(pg_server: PostgresServer, tmp_path: Path) -> None:
    source = tmp_path / "news.db"
    build(source)
    url = fresh_database(pg_server)

    def stop_in_stories(table: str, done: int, total: int) -> None:
        if table == "stories" and done >= 20:
            raise KeyboardInterrupt

    with open_archive(source, readonly=True) as lite:
        with open_archive(url) as pg, pytest.raises(KeyboardInterrupt):
            copy_archive(lite, pg, batch=10, progress=stop_in_stories)
        assert counts(url)["stories"] == 20 and counts(url)["sources"] == 0
        with open_archive(url) as pg:
            report = copy_archive(lite, pg, batch=10)
    assert report.copied["stories"] == 40 and report.copied["feeds"] == 0
    assert counts(url) == counts(source)


def test_a_target_holding_another_archive_is_refused(
    pg_server: PostgresServer, tmp_path: Path, runner: CliRunner
) -> None:
    source = tmp_path / "news.db"
    build(source)
    url = fresh_database(pg_server)
    with open_archive(url) as other:
        other.import_stories([_story(n, "z") for n in range(3)], now=NOW)
    with open_archive(source, readonly=True) as lite, open_archive(url) as pg:
        with pytest.raises(ArchiveError, match="not a copy"):
            copy_archive(lite, pg)
    result = runner.invoke(cli, ["--db", str(source), "migrate", "--to", str(source)])
    assert result.exit_code == 1 and "is this archive" in result.stderr
