"""Several daemons sharing one archive in PostgreSQL, as real subprocesses.

Three ``aggregator run`` processes poll 300 feeds on a loopback server: every
feed is fetched exactly once in its interval (the server counts requests),
copies carried by two feeds make one story each, and each scheduled digest run
is written by one daemon. Then a daemon is killed (SIGKILL) in the middle of
its polls, and its feeds go to another daemon once its lease ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import fresh_database
from support.feeds import rss
from support.httpserver import FeedServer, Handler
from support.pgserver import PostgresServer

pytestmark = pytest.mark.slow

SCHEDULE = {"min_interval": "1s", "max_interval": "2h", "jitter": "0s", "tick": "1s"}


def start(cfg: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator", "--config", str(cfg), "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a statement; none while the daemons have not created the archive yet."""
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            return list(conn.execute(sql).fetchall())
        except psycopg.errors.UndefinedTable:
            return []


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"not in {timeout:.0f} s: {what}")


@pytest.fixture
def daemons() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.communicate()


def test_three_daemons_poll_each_feed_once_store_each_story_once_and_write_each_digest_once(
    pg_server: PostgresServer,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    daemons: list[subprocess.Popen[str]],
    tmp_path: Path,
) -> None:
    url = fresh_database(pg_server)
    # Feed i and feed i + 150 carry the same two items: 300 stories, 600 sightings.
    for i in range(300):
        body = rss(f"shared{i % 150}", 2)
        feed_server.add(f"/f{i}.xml", body, content_type="application/rss+xml")
    feeds = [{"url": feed_server.url(f"/f{i}.xml"), "interval": "2h"} for i in range(300)]
    config = write_config(feeds, archive={"url": url}, schedule=SCHEDULE)
    # Every minute, a digest of the past hour, each run in its own file.
    digests = tmp_path / "digests"
    text = config.read_text(encoding="utf-8") + (
        '\n[[digests]]\nname = "news"\nschedule = "* * * * *"\nwindow = "1h"\n'
        f'formats = ["markdown"]\noutput = "{digests}"\nfilename = "{{name}}-{{until}}"\n'
    )
    config.write_text(text, encoding="utf-8")
    daemons += [start(config) for _ in range(3)]
    wait_for(
        lambda: query(url, "SELECT count(*) FROM feeds WHERE last_fetched IS NOT NULL") == [(300,)],
        120,
        "every feed polled",
    )
    wait_for(lambda: digests.is_dir() and any(digests.iterdir()), 75, "a digest written")
    time.sleep(3)  # ticks go on: nothing is polled a second time within the interval
    errs = [stop(p) for p in daemons]
    counts = [feed_server.count(f"/f{i}.xml") for i in range(300)]
    assert counts == [1] * 300, sorted(set(counts))
    assert query(url, "SELECT count(*) FROM stories") == [(300,)]
    assert query(url, "SELECT count(*) FROM sources") == [(600,)]
    assert query(
        url,
        "SELECT count(*) FROM (SELECT url_key FROM stories GROUP BY 1"
        " HAVING count(*) > 1) AS twice",
    ) == [(0,)]
    workers = query(url, "SELECT polled_by, count(*) FROM feeds GROUP BY 1")
    assert len(workers) >= 2, (workers, errs)  # the feeds were shared
    assert query(url, "SELECT count(*) FROM feeds WHERE claimed_by IS NOT NULL") == [(0,)]
    files = sorted(p.name for p in digests.iterdir())
    built = sum(e.count("digest news: ") for e in errs)
    skipped = sum(e.count("digest news (") for e in errs)
    assert files and built == len(files), (files, errs)
    assert skipped == 2 * built, errs  # the other two daemons left each run alone
    assert not any("Traceback" in e or "Error" in e for e in errs), errs
    assert [p.returncode for p in daemons] == [0, 0, 0], errs


def test_a_killed_daemons_feeds_go_to_another_after_its_lease(
    pg_server: PostgresServer,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    daemons: list[subprocess.Popen[str]],
) -> None:
    url = fresh_database(pg_server)
    release = threading.Event()
    body = rss("slow", 2)

    def slow(handler: Handler) -> None:
        release.wait(30)  # the first daemon is killed while it waits here
        handler.respond(200, body, content_type="application/rss+xml")

    for i in range(20):
        feed_server.add_handler(f"/s{i}.xml", slow)
    feeds = [{"url": feed_server.url(f"/s{i}.xml"), "interval": "2h"} for i in range(20)]
    config = write_config(feeds, archive={"url": url}, schedule={**SCHEDULE, "lease": "4s"})
    first = start(config)
    daemons.append(first)
    wait_for(
        lambda: query(url, "SELECT count(*) FROM feeds WHERE claimed_by IS NOT NULL") == [(20,)],
        60,
        "the first daemon claimed every feed",
    )
    [(holder,)] = query(url, "SELECT DISTINCT claimed_by FROM feeds")
    assert holder.endswith(f":{first.pid}")
    first.send_signal(signal.SIGKILL)
    first.communicate()
    killed_at = time.monotonic()
    release.set()
    second = start(config)
    daemons.append(second)
    wait_for(
        lambda: query(url, "SELECT count(*) FROM feeds WHERE last_fetched IS NOT NULL") == [(20,)],
        60,
        "the second daemon polled the feeds",
    )
    assert time.monotonic() - killed_at >= 3  # not before the lease ended (4 s, ticks of 1 s)
    err = stop(second)
    assert "Traceback" not in err, err
    pollers = query(url, "SELECT DISTINCT polled_by FROM feeds")
    assert pollers == [(pollers[0][0],)] and pollers[0][0].endswith(f":{second.pid}")
    assert query(url, "SELECT count(*) FROM stories") == [(2,)]  # one feed's items, 20 copies
    assert query(url, "SELECT count(*) FROM sources") == [(40,)]
