"""Readers under load: search, show and digests beside a daemon that is ingesting.

``aggregator run`` polls feeds on 127.0.0.1 that grow every second while
reader threads loop over searches, ``show`` and digests in every format,
each on its own connection, for a bounded time. Not one may fail (no
"database is locked", no partial read). ``benchmarks/reliability.py`` runs
it longer and prints the operations per second.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.httpserver import FeedServer
from support.reliability import reader_load

pytestmark = pytest.mark.slow


def test_readers_beside_the_ingesting_daemon_never_fail(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    report = reader_load(feed_server, tmp_path, seconds=5, readers=3)
    assert report.errors == []
    assert report.ops["search"] > 0 and report.ops["show"] > 0 and report.ops["digest"] > 0
    assert report.ingested > 0  # the daemon was writing all along
