"""Crash safety: SIGKILL at random moments of ingest loses and corrupts nothing.

``aggregator fetch`` runs as a real subprocess against feeds on 127.0.0.1
that grow at every cycle, and is killed with its parser processes (SIGKILL
to the process group, as a power cut would) 50-1500 ms after the server saw
its first request. After every kill: ``PRAGMA integrity_check``, the FTS5
``integrity-check``, every story with its source and index row, every feed
holding whole polls only. A last run, left to finish, must leave every
published item in the archive. The scenario lives in :mod:`reliability`;
``benchmarks/reliability.py`` runs it longer.

A parser process killed in the middle of a feed (as the OOM killer would)
costs that feed a retry in new processes, not the poll, nor every poll after.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.feeds import rss
from support.httpserver import FeedServer
from support.reliability import big_feed, crash_cycles

from aggregator.app.config import load
from aggregator.app.core import open_app

pytestmark = pytest.mark.slow


def test_sigkill_during_ingest_20_times_then_a_restart_completes_the_archive(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    report = crash_cycles(feed_server, tmp_path, kills=20, step=20)
    assert report.problems == []
    assert report.kills >= 20
    assert report.survived == report.kills
    # The kills fell inside ingest: some between one feed's transaction and the next.
    assert report.partial >= 1
    assert report.expected >= 20 * 20 * 8
    assert report.lost == 0, f"{report.lost} of {report.expected} items lost"
    # No bound on the scenario's wall time: on a loaded machine it runs past any
    # figure that fits a quiet one (72 s at a load of 4, over 120 at 13). A hung
    # run is stopped by each fetch's own timeout; benchmarks/reliability.py prints
    # the scenario's duration.


def _workers() -> list[int]:
    """The parser processes: the children of this process that multiprocessing spawned."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid() and b"spawn_main" in command:
                found.append(int(entry))
    return found


def test_a_parser_process_killed_mid_parse_costs_a_retry_not_the_poll(
    feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    """The OOM killer takes a parser process: the poll goes on, the pool is renewed."""
    feed_server.add("/big.xml", big_feed(60_000))  # seconds of parsing: time to kill
    feed_server.add("/small.xml", rss("small", 5))
    urls = [feed_server.url("/big.xml"), feed_server.url("/small.xml")]
    cfg = write_config([{"url": u} for u in urls], fetch={"workers": 2})
    killed: list[int] = []

    def small_stored(count: int) -> bool:
        # Read-only, from the killer's own connection: the small feed's items are
        # all stored, so only the big feed is still being parsed when the kill comes.
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            sql = "SELECT count(*) FROM sources WHERE guid LIKE '%small%'"
            return bool(conn.execute(sql).fetchone()[0] >= count)

    def killer(times: int, small: int) -> None:
        deadline = time.monotonic() + 60
        while len(killed) < times and time.monotonic() < deadline:
            if feed_server.count("/big.xml") and (workers := _workers()):
                # Parsing has begun; under load the small feed may still be in a
                # parser process being started, so it is left to finish first.
                time.sleep(1.0)
                while not small_stored(small) and time.monotonic() < deadline:
                    time.sleep(0.05)
                for pid in workers:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                killed.append(len(workers))
                while set(_workers()) & set(workers):
                    time.sleep(0.05)
            time.sleep(0.05)

    with open_app(load(cfg)) as app:
        db = app.archive.path
        # Killed once: parsed again in new processes, nothing lost.
        thread = threading.Thread(target=killer, args=(1, 5))
        thread.start()
        results = {r.feed.url: r for r in app.poll()}
        thread.join()
        assert killed
        assert results[urls[0]].outcome == "new", results[urls[0]].error
        assert results[urls[0]].counts.new == 5000
        assert results[urls[1]].outcome == "new"
        # Killed twice (its retry too): that feed fails, alone, with a clear error.
        feed_server.add("/big.xml", big_feed(60_000).replace(b"Story", b"Tale"))
        feed_server.add("/small.xml", rss("small", 9))
        killed.clear()
        thread = threading.Thread(target=killer, args=(2, 9))
        thread.start()
        results = {r.feed.url: r for r in app.poll()}
        thread.join()
        assert len(killed) == 2
        assert results[urls[0]].outcome == "error"
        assert results[urls[0]].error == (
            "the parser process died while parsing this feed (out of memory?)"
        )
        assert results[urls[1]].outcome == "new" and results[urls[1]].counts.new == 4
        # And the next poll parses in a working pool again.
        feed_server.add("/small.xml", rss("small", 12))
        [small] = app.poll(feeds=[app.archive.get_feed(urls[1])])
        assert small.outcome == "new" and small.counts.new == 3
