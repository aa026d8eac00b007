"""A full disk and a read-only archive: a clear error, nothing half-written.

A full disk is simulated with SQLite's ``max_page_count`` on the writer's
connection (in process), or through ``AGGREGATOR_MAX_PAGE_COUNT`` (the CLI in a
subprocess); a read-only archive with a read-only file or folder. As root,
which ignores permission bits, the file or folder is made immutable instead
(``chattr +i``); the test is skipped where that is not possible.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.feeds import rss
from support.httpserver import FeedServer
from support.reliability import integrity_problems

from aggregator.app.config import load
from aggregator.app.core import open_app
from aggregator.store.archive import MAX_PAGE_COUNT_ENV


def aggregator(cfg: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the CLI in a subprocess: exit code, stdout, stderr."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    done = subprocess.run(
        [sys.executable, "-m", "aggregator", "--config", str(cfg), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **(env or {})},
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def sightings(db: Path, feed_url: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM sources s JOIN feeds f ON f.id = s.feed_id WHERE f.url = ?",
                (feed_url,),
            ).fetchone()[0]
        )
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def big_rss(name: str, count: int) -> bytes:
    """Items with long bodies: a poll of them needs many pages."""
    return rss(name, count).replace(b"several countries.", b"several countries. " + b"Words " * 400)


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """Make a file or folder read-only for the test (immutable when running as root)."""
    done: list[tuple[Path, int]] = []

    def make(path: Path) -> None:
        done.append((path, path.stat().st_mode))
        path.chmod(0o555 if path.is_dir() else 0o444)
        if os.geteuid() == 0:
            result = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
            if result.returncode != 0:
                pytest.skip(f"root ignores permissions and chattr +i failed: {result.stderr!r}")

    yield make
    for path, mode in reversed(done):
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
        path.chmod(mode)


def test_a_full_disk_in_the_middle_of_a_poll_writes_nothing_of_it_and_loses_nothing(
    feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    feed_server.add("/a.xml", rss("a", 10))
    feed_server.add("/b.xml", big_rss("b", 200))
    a_url, b_url = feed_server.url("/a.xml"), feed_server.url("/b.xml")
    cfg = write_config([{"url": a_url}, {"url": b_url}])
    db = tmp_path / "archive" / "news.db"
    with open_app(load(cfg)) as app:
        feeds = {f.url: f for f in app.sync_feeds()}
        [first] = app.poll(feeds=[feeds[a_url]])
        assert first.outcome == "new" and first.counts.new == 10
        conn = app.archive.conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        # A few pages of room: the poll of b starts writing, then the "disk" is full.
        conn.execute(f"PRAGMA max_page_count = {pages + 4}")
        [failed] = app.poll(feeds=[feeds[b_url]])
        assert failed.outcome == "error"
        assert failed.error == f"archive {Path('archive/news.db')}: disk full; nothing was written"
        assert sightings(db, b_url) == 0  # none of b's poll, not a part of it
        assert sightings(db, a_url) == 10
        state = app.archive.get_feed(b_url)
        assert not state.last_status and state.next_fetch is None  # untouched: still due
        assert integrity_problems(db) == []
        conn.execute("PRAGMA max_page_count = 1073741823")  # room again
        [again] = app.poll(feeds=[app.archive.get_feed(b_url)])
        assert again.outcome == "new" and again.counts.new == 200
    assert integrity_problems(db) == []
    assert sightings(db, a_url) == 10 and sightings(db, b_url) == 200


def test_the_cli_on_a_full_disk_says_so_in_one_line(
    feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    feed_server.add("/a.xml", rss("a", 5))
    cfg = write_config([{"url": feed_server.url("/a.xml")}])
    db = tmp_path / "archive" / "news.db"
    # Too small to create the archive at all: a one-line error, exit 1.
    code, out, err = aggregator(cfg, "fetch", env={MAX_PAGE_COUNT_ENV: "2"})
    assert code == 1, err
    assert err.strip().splitlines() == [
        f"Error: archive {db.relative_to(tmp_path)}: disk full; nothing was written"
    ]
    code, out, err = aggregator(cfg, "fetch")
    assert code == 0, err
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    # Full once the archive exists: the feed's poll fails on its own line.
    feed_server.add("/b.xml", big_rss("b", 100))
    cfg = write_config([{"url": feed_server.url("/a.xml")}, {"url": feed_server.url("/b.xml")}])
    code, out, err = aggregator(cfg, "fetch", env={MAX_PAGE_COUNT_ENV: str(pages + 2)})
    assert "Traceback" not in err
    assert "1 failed" in out
    assert f"  {feed_server.url('/b.xml')}: archive " in err
    assert "disk full; nothing was written" in err
    assert sightings(db, feed_server.url("/b.xml")) == 0
    assert integrity_problems(db) == []
    code, out, err = aggregator(cfg, "fetch", env={MAX_PAGE_COUNT_ENV: "many"})
    assert code == 1
    assert err.strip().splitlines() == [
        f"Error: {MAX_PAGE_COUNT_ENV}='many': a number of pages (1 or more)"
    ]


def test_fetch_on_a_read_only_archive_is_one_error_line_and_changes_nothing(
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    tmp_path: Path,
    read_only: Callable[[Path], None],
) -> None:
    feed_server.add("/a.xml", rss("a", 5))
    cfg = write_config([{"url": feed_server.url("/a.xml")}])
    code, _, err = aggregator(cfg, "fetch")
    assert code == 0, err
    db = tmp_path / "archive" / "news.db"
    feed_server.add("/a.xml", rss("a", 9))  # something new to store
    before = digest(db)
    read_only(db)
    code, out, err = aggregator(cfg, "fetch")
    assert code == 1
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        "Error: archive archive/news.db is read-only; nothing was written"
    ]
    assert digest(db) == before
    # Readers still read it.
    code, out, err = aggregator(cfg, "search", "Nvidia")
    assert code == 0 and "Nvidia" in out, err
    code, out, err = aggregator(cfg, "show", "1")
    assert code == 0 and out.startswith("GENERAL"), err


def test_fetch_in_a_read_only_folder_is_one_error_line_and_changes_nothing(
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    tmp_path: Path,
    read_only: Callable[[Path], None],
) -> None:
    feed_server.add("/a.xml", rss("a", 5))
    cfg = write_config([{"url": feed_server.url("/a.xml")}])
    code, _, err = aggregator(cfg, "fetch")
    assert code == 0, err
    folder = tmp_path / "archive"
    assert sorted(p.name for p in folder.iterdir()) == ["news.db"]  # no -wal or -shm left
    feed_server.add("/a.xml", rss("a", 9))
    before = digest(folder / "news.db")
    read_only(folder)
    code, out, err = aggregator(cfg, "fetch")
    assert code == 1
    [line] = err.strip().splitlines()
    assert line.startswith("Error: cannot open archive archive/news.db: unable to open")
    assert "folder must be writable" in line
    assert digest(folder / "news.db") == before
