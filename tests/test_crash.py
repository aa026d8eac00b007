"""Crash safety (issue 8): SIGKILL at random moments of ingest loses and corrupts nothing.

``aggregator fetch`` runs as a real subprocess against feeds on 127.0.0.1
that grow at every cycle, and is killed with its parser processes (SIGKILL
to the process group, as a power cut would) 50-1500 ms after the server saw
its first request. After every kill: ``PRAGMA integrity_check``, the FTS5
``integrity-check``, every story with its source and index row, every feed
holding whole polls only. A last run, left to finish, must leave every
published item in the archive. The scenario lives in :mod:`reliability`;
``benchmarks/reliability.py`` runs it longer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from httpserver import FeedServer
from reliability import crash_cycles

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
    assert report.seconds < 90
