"""Digest selection: windows, grouping, ranking, the archive query and the ``digest`` command."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.digestdata import DAY, FEEDS, WINDOW, make_archive, store, story
from support.feeds import rss
from support.httpserver import FeedServer

from aggregator.cli.main import cli
from aggregator.digest.formats import RENDERERS
from aggregator.digest.select import (
    Window,
    build_digest,
    load_digest,
    scheduled_window,
    select_digest,
    window_for,
)
from aggregator.models import Source, StoredStory
from aggregator.store.archive import Archive

NOW = datetime(2026, 11, 5, 10, 30, 15, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# -- windows -------------------------------------------------------------------


def test_date_is_that_whole_utc_day_or_the_seven_days_ending_with_it() -> None:
    assert window_for(now=NOW, day="2026-11-02") == Window(utc(2026, 11, 2), utc(2026, 11, 3))
    weekly = window_for(now=NOW, day="2026-11-02", period="weekly")
    assert weekly == Window(utc(2026, 10, 27), utc(2026, 11, 3))
    assert weekly.label == "Tue Oct 27 2026 to Mon Nov 02 2026"
    assert window_for(now=NOW, day="2026-11-02").label == "Mon Nov 02 2026"


def test_since_and_until_default_to_one_period_and_now() -> None:
    assert window_for(now=NOW) == Window(NOW - timedelta(days=1), NOW)
    assert window_for(now=NOW, period="weekly").since == NOW - timedelta(days=7)
    assert window_for(now=NOW, since="2026-11-01") == Window(utc(2026, 11, 1), NOW)
    assert window_for(now=NOW, until="2026-11-03") == Window(utc(2026, 11, 2), utc(2026, 11, 3))
    assert window_for(now=NOW, since="48h", until="24h") == Window(
        NOW - timedelta(hours=48), NOW - timedelta(hours=24)
    )
    both = window_for(now=NOW, since="2026-11-01T07:00:00Z", until="2026-11-02T07:00:00Z")
    assert both.label == "2026-11-01 07:00 to 2026-11-02 07:00 UTC"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"day": "2026-11-02", "since": "1d"}, "cannot be combined"),
        ({"day": "02/11/2026"}, "is not a date"),
        ({"since": "yesterday"}, "is not a date"),
        ({"since": "2026-11-03", "until": "2026-11-02"}, "must end after it starts"),
        ({"period": "monthly"}, "unknown period"),
    ],
)
def test_bad_windows_say_what_is_wrong(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        window_for(now=NOW, **kwargs)


def test_scheduled_windows_are_calendar_aligned_or_rolling() -> None:
    fire = utc(2026, 11, 3, 7, 0, 0)
    assert scheduled_window(fire, "daily") == Window(utc(2026, 11, 2), utc(2026, 11, 3))
    assert scheduled_window(fire, "weekly") == Window(utc(2026, 10, 27), utc(2026, 11, 3))
    assert scheduled_window(fire, "12h") == Window(utc(2026, 11, 2, 19), fire)


def test_window_is_half_open() -> None:
    assert WINDOW.since in WINDOW
    assert WINDOW.until not in WINDOW
    assert WINDOW.until - timedelta(seconds=1) in WINDOW


# -- selection (pure) -----------------------------------------------------------


def stored(n: int, *, hour: float, feeds: tuple[str, ...] = ("A",), **kw: object) -> StoredStory:
    sources = tuple(
        Source(
            feed_url=f"https://{f.lower()}.example/feed",
            url=f"https://{f.lower()}.example/{n}",
            guid=str(n),
            seen_at=DAY,
            feed_title=f"Feed {f}",
        )
        for f in feeds
    )
    return StoredStory(
        id=n, story=story(n, hour=hour, **kw), first_seen=DAY, updated_at=DAY, sources=sources
    )


def test_ranked_by_coverage_then_recency_then_id_and_grouped_largest_first() -> None:
    stories = [
        stored(1, hour=1),
        stored(2, hour=5),
        stored(3, hour=2, feeds=("A", "B", "C")),
        stored(4, hour=3, feeds=("A", "B")),
        stored(5, hour=5),
        stored(6, hour=4, category="SCIENCE"),
        stored(7, hour=30),  # outside
    ]
    digest = select_digest(stories, WINDOW)
    assert [c.name for c in digest.categories] == ["TECHNOLOGY", "SCIENCE"]
    assert [s.id for s in digest.categories[0].stories] == [3, 4, 2, 5, 1]
    assert [s.coverage for s in digest.categories[0].stories] == [3, 2, 1, 1, 1]
    top = digest.categories[0].stories[0]
    assert [s.name for s in top.also_covered_by] == ["Feed B", "Feed C"]
    assert digest.matched == digest.count == 6
    assert digest.generated_at == WINDOW.until


def test_same_size_categories_go_by_their_best_story_and_a_story_appears_once() -> None:
    one = stored(1, hour=1, category="WORLD")
    digest = select_digest([one, stored(2, hour=2, category="ARTS"), one], WINDOW)
    assert [c.name for c in digest.categories] == ["ARTS", "WORLD"]  # the more recent
    assert digest.count == 2
    wide = stored(3, hour=1, category="WORLD", feeds=("A", "B"))
    digest = select_digest([wide, stored(2, hour=2, category="ARTS")], WINDOW)
    assert [c.name for c in digest.categories] == ["WORLD", "ARTS"]  # the more covered


def test_limit_keeps_the_best_stories_overall_and_categories_filter_any_case() -> None:
    stories = [
        stored(1, hour=1, category="SCIENCE", feeds=("A", "B")),
        stored(2, hour=2),
        stored(3, hour=3, category="BUSINESS"),
    ]
    digest = select_digest(stories, WINDOW, limit=2)
    assert [s.id for s in digest.stories] == [1, 3]
    assert (digest.count, digest.matched, digest.limit) == (2, 3, 2)
    only = select_digest(stories, WINDOW, categories=["science", " Business "])
    assert [c.name for c in only.categories] == ["SCIENCE", "BUSINESS"]
    assert only.filter_categories == ("SCIENCE", "BUSINESS")
    with pytest.raises(ValueError):
        select_digest(stories, WINDOW, limit=0)


def test_an_imported_story_counts_as_one_source() -> None:
    imported = replace(stored(1, hour=1), sources=())
    (item,) = select_digest([imported], WINDOW).stories
    assert item.coverage == 1
    assert item.also_covered_by == ()


# -- the archive ----------------------------------------------------------------


def test_stories_between_reads_the_window_with_sources_in_two_queries(tmp_path: Path) -> None:
    db = make_archive(tmp_path / "news.db")
    with Archive(db, readonly=True) as archive:
        statements: list[str] = []
        archive.conn.set_trace_callback(statements.append)
        stories = archive.stories_between(WINDOW.since, WINDOW.until)
        archive.conn.set_trace_callback(None)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
    assert sorted(s.id for s in stories) == [1, 2, 3, 6, 7]
    by_title = {s.story.title: s for s in stories}
    nvidia = by_title["Nvidia reports record data-centre revenue"]
    assert [s.feed_title for s in nvidia.sources] == [f.title for f in FEEDS]
    with Archive(db, readonly=True) as archive:
        science = archive.stories_between(WINDOW.since, WINDOW.until, categories=["Science"])
    assert {s.story.title for s in science} == {"Starlink batch launched", "A comet returns"}


def test_load_digest_from_the_archive(archive_at: Path | str) -> None:
    digest = load_digest(make_archive(archive_at), WINDOW)
    assert [c.name for c in digest.categories] == ["TECHNOLOGY", "SCIENCE", "BUSINESS"]
    first = digest.categories[0].stories[0]
    assert first.coverage == 3
    assert [s.name for s in first.also_covered_by] == ["Beta Daily", "Gamma Wire"]


def test_a_past_window_rebuilds_to_the_same_bytes_after_the_archive_grows(
    archive_at: Path | str,
) -> None:
    db = make_archive(archive_at)
    before = {fmt: build_digest(db, WINDOW, fmt=fmt) for fmt in RENDERERS}
    later = DAY + timedelta(days=30)
    store(db, {0: [story(50, hour=30), story(51, hour=-30)]}, seen=later)
    after = {fmt: build_digest(db, WINDOW, fmt=fmt) for fmt in RENDERERS}
    assert after == before


# -- the command ----------------------------------------------------------------


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_digest_command_prints_and_writes_each_format(
    runner: CliRunner, tmp_path: Path, fmt: str
) -> None:
    db = str(make_archive(tmp_path / "news.db"))
    code, out, err = invoke(runner, "--db", db, "digest", "--date", "2026-11-02", "--format", fmt)
    assert code == 0, err
    assert out == build_digest(Path(db), WINDOW, fmt=fmt)
    target = tmp_path / "out" / f"digest{RENDERERS[fmt].suffix}"
    target.parent.mkdir()  # --output creates only the file (a missing folder is an error)
    code, out, err = invoke(
        runner,
        "--db",
        db,
        "digest",
        "--date",
        "2026-11-02",
        "--format",
        fmt,
        "--output",
        str(target),
    )
    assert code == 0, err
    assert out == ""
    assert target.read_text(encoding="utf-8") == build_digest(Path(db), WINDOW, fmt=fmt)


def test_digest_command_filters_and_limits(runner: CliRunner, archive_at: Path | str) -> None:
    db = str(make_archive(archive_at))
    args = ["--db", db, "digest", "--date", "2026-11-02", "--format", "json"]
    code, out, _ = invoke(runner, *args, "--category", "science", "--category", "BUSINESS")
    assert code == 0
    data = json.loads(out)
    assert [c["name"] for c in data["categories"]] == ["SCIENCE", "BUSINESS"]
    code, out, _ = invoke(runner, *args, "--limit", "2")
    data = json.loads(out)
    titles = [s["title"] for c in data["categories"] for s in c["stories"]]
    assert titles == ["Nvidia reports record data-centre revenue", "Starlink batch launched"]
    assert data["counts"] == {"stories": 2, "matched": 5, "categories": 2, "feeds": 3}
    span = ["--since", "2026-11-02T10:00:00Z", "--until", "2026-11-02T15:00:00Z"]
    code, out, _ = invoke(runner, "--db", db, "digest", *span, "--format", "json")
    titles = [s["title"] for c in json.loads(out)["categories"] for s in c["stories"]]
    assert titles == ["Starlink batch launched", "Firefox ships a rebuilt tab manager"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-11-02", "--since", "1d"], "cannot be combined"),
        (["--date", "2026-13-01"], "is not a date"),
        (["--since", "2026-11-03", "--until", "2026-11-02"], "must end after it starts"),
    ],
)
def test_digest_command_errors_are_one_line(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    db = str(make_archive(tmp_path / "news.db"))
    code, out, err = invoke(runner, "--db", db, "digest", *args)
    assert code == 1
    assert out == ""
    assert err.startswith("Error: ") and message in err and err.count("\n") == 1


def test_digest_without_an_archive_is_an_error_and_creates_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, _, err = invoke(runner, "--db", str(tmp_path / "none.db"), "digest")
    assert code == 1
    assert err.startswith("Error: no archive at")
    assert not (tmp_path / "none.db").exists()


def test_an_empty_window_gives_an_empty_but_valid_digest(runner: CliRunner, tmp_path: Path) -> None:
    db = str(make_archive(tmp_path / "news.db"))
    code, out, _ = invoke(runner, "--db", db, "digest", "--date", "2020-01-01")
    assert (code, out) == (0, "")
    code, out, _ = invoke(runner, "--db", db, "digest", "--date", "2020-01-01", "--format", "json")
    assert json.loads(out)["counts"]["stories"] == 0
    code, out, _ = invoke(runner, "--db", db, "digest", "--date", "2020-01-01", "--format", "html")
    assert "No stories in this window." in out


def test_story_feeds_add_fetch_search_digest(
    runner: CliRunner, feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    feed_server.add("/tech.xml", rss("tech", 4))
    feed_server.add("/mirror.xml", rss("tech", 2))  # the same first two items, another feed
    cfg = str(write_config([]))
    for path, title in (("/tech.xml", "Tech"), ("/mirror.xml", "Mirror")):
        url = feed_server.url(path)
        add = ["feeds", "add", url, "--category", "technology", "--title", title]
        code, _, err = invoke(runner, "--config", cfg, *add)
        assert code == 0, err
    code, out, err = invoke(runner, "--config", cfg, "fetch")
    assert code == 0, err
    code, out, _ = invoke(runner, "--config", cfg, "search", "Nvidia", "--json")
    assert [h["title"] for h in json.loads(out)] == [
        "Nvidia reports record data-centre revenue as demand for AI chips keeps growing (tech #0)"
    ]
    span = ["--since", "2026-11-01", "--until", "2026-11-02"]
    code, out, err = invoke(runner, "--config", cfg, "digest", *span, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    stories = data["categories"][0]["stories"]
    assert [s["coverage"] for s in stories] == [2, 2, 1, 1]
    # Both feeds are polled at once: either may have carried the story first.
    (other,) = stories[0]["also_covered_by"]
    assert other in ("Mirror", "Tech")
    assert f"Also covered by: {other}" in stories[0]["text"]
