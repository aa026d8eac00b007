"""Free C-heap pages go back to the system: in the daemon every few feeds, in a parser per feed.

Each check runs in a fresh interpreter: it frees memory inside the C heap
(many 4 KiB objects, one in eight kept so that nothing lies at the heap's top,
which glibc returns by itself) and reads the resident memory before and after.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")

_FRAGMENT = textwrap.dedent(
    """
    def rss_mib():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024

    blocks = [bytes(4000) for _ in range(8000)]  # about 32 MB, outside Python's small-object arenas
    kept = blocks[::8]
    del blocks
    before = rss_mib()
    """
)


def released(setup: str, code: str) -> float:
    """MiB of resident memory ``code`` gives back after ``setup`` and the fragmentation above."""
    script = textwrap.dedent(setup) + _FRAGMENT + textwrap.dedent(code)
    out = subprocess.run(
        [sys.executable, "-c", script + "\nprint(before - rss_mib())"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return float(out.split()[-1])


def test_nothing_is_given_back_without_a_trim() -> None:
    # The baseline the two checks below stand on: glibc keeps freed memory inside its heap.
    assert released("from aggregator.app.daemon import HeapTrimmer", "pass") < 5


def test_the_daemon_trims_the_heap_every_few_stored_feeds() -> None:
    gained = released(
        """
        from aggregator.app.daemon import HeapTrimmer
        trimmer = HeapTrimmer(every=3)
        """,
        """
        trimmer.stored()
        trimmer.stored()
        assert trimmer.trims == 0
        trimmer.stored()
        assert trimmer.trims == 1
        """,
    )
    assert gained > 15


def test_a_parser_process_trims_the_heap_before_each_feed() -> None:
    gained = released(
        """
        from datetime import UTC, datetime
        from aggregator.ingest import worker
        worker.worker_init()
        body = b'<rss version="2.0"><channel><title>t</title><item><title>a</title>' \\
            b'<guid>1</guid><description>b</description></item></channel></rss>'
        def parse():
            worker.process_feed(body, {}, "https://example.org/f.xml", category="x",
                                now=datetime.now(UTC))
        parse()  # imports the parser's modules and fills its first caches
        """,
        "parse()",
    )
    assert gained > 15
