"""Importing the library stays cheap: no click or rich; search needs no HTTP or feed stack."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from support.feeds import rss
from support.httpserver import FeedServer

from aggregator.store.archive import Archive


def imported_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def run_entry(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the console script's entry point with ``argv`` in a new process; its stderr
    lists the modules imported by the end, then ``gc-frozen=N``, the objects
    ``gc.freeze`` moved out of the collector's reach (the command must succeed)."""
    code = (
        "import sys\n"
        f"sys.argv = {argv!r}\n"
        "from aggregator._entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('\\n'.join(sys.modules), file=sys.stderr)\n"
        "import gc\n"
        "print(f'gc-frozen={gc.get_freeze_count()}', file=sys.stderr)\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_import_aggregator_imports_no_cli_libraries() -> None:
    mods = imported_after("import aggregator")
    assert not {"click", "rich"} & mods


def test_search_path_imports_no_http_or_feed_stack() -> None:
    mods = imported_after("import aggregator.cli.main, aggregator.store.search")
    assert not {"httpx", "feedparser", "apscheduler", "sqlite_utils", "rich"} & mods


HEAVY = {
    "click",
    "rich",
    "httpx",
    "feedparser",
    "apscheduler",
    "sqlite_utils",
    "typing",
    "dataclasses",
}


def test_console_script_search_path_imports_only_what_search_needs(tmp_path: Path) -> None:
    # What `aggregator search` imports as a whole process: each module costs start-up time.
    config = tmp_path / "aggregator.toml"
    config.write_text(f'[archive]\npath = "{tmp_path / "news.db"}"\n', encoding="utf-8")
    with Archive(tmp_path / "news.db"):
        pass
    result = run_entry(["aggregator", "--config", str(config), "search", "rust", "--json"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    mods = set(result.stderr.split())
    # tomllib needs typing; without a config file even that is left out.
    assert not (HEAVY - {"typing"}) & {m.split(".")[0] for m in mods}
    assert not {"aggregator.app.config", "aggregator.models", "aggregator.cli.main"} & mods


def test_search_without_config_imports_neither_typing_nor_dataclasses(tmp_path: Path) -> None:
    with Archive(tmp_path / "news.db"):
        pass
    result = run_entry(["aggregator", "--db", str(tmp_path / "news.db"), "search", "rust"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No stories match")
    assert not HEAVY & {m.split(".")[0] for m in result.stderr.split()}


def test_other_commands_and_help_go_to_click() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", "search", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "--since" in result.stdout and "Usage: aggregator search" in result.stdout


def test_search_path_without_site_imports_little_beyond_sqlite3(tmp_path: Path) -> None:
    # Without site (as in a non-editable install, whose start-up imports neither
    # pathlib nor re), the fast path adds only small modules to what sqlite3 needs.
    with Archive(tmp_path / "news.db"):
        pass
    code = (
        "import sys\n"
        "import sqlite3\n"
        "before = set(sys.modules)\n"
        f"sys.argv = ['aggregator', '--db', {str(tmp_path / 'news.db')!r}, 'search', 'rust']\n"
        "from aggregator._entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('\\n'.join(set(sys.modules) - before), file=sys.stderr)\n"
    )
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    added = {m.split(".")[0] for m in result.stderr.split()}
    assert not {"pathlib", "re", "typing", "dataclasses", "enum", "inspect", "tomllib"} & added
    allowed = {"aggregator", "__future__", "heapq", "_heapq", "unicodedata", "math"}
    allowed |= {"os", "posixpath", "genericpath", "stat", "_stat", "datetime", "_datetime"}
    assert added <= allowed, added


def test_a_poll_of_unchanged_feeds_imports_no_parser_nor_migration_library(
    tmp_path: Path, feed_server: FeedServer, write_config: Callable[..., Path]
) -> None:
    # A re-poll where every feed answers 304 parses nothing and migrates nothing:
    # feedparser, the text cleanup and sqlite-utils are a tenth of its start-up.
    feed_server.add("/a.xml", rss("a", 3))
    config = write_config([{"url": feed_server.url("/a.xml")}])
    db = tmp_path / "news.db"
    argv = ["aggregator", "--config", str(config), "--db", str(db), "fetch"]
    first = run_entry(argv)
    assert first.returncode == 0, first.stderr
    assert "1 ok" in first.stdout
    # The first poll parsed the feed and created the archive (in this process: workers = 1).
    assert {"feedparser", "sqlite_utils"} <= {m.split(".")[0] for m in first.stderr.split()}
    again = run_entry(argv)
    assert again.returncode == 0, again.stderr
    assert "1 not modified" in again.stdout
    mods = set(again.stderr.split())
    assert not {"feedparser", "sqlite_utils"} & {m.split(".")[0] for m in mods}
    assert not {"aggregator.ingest.parse", "aggregator.ingest.cleanup"} & mods
    # Nor the rest of the parser's side (the parser processes' own work), the process
    # pool that would run it, nor the digest machinery the config only names.
    parser_side = {
        "aggregator.ingest.worker",
        "aggregator.ingest.normalize",
        "aggregator.questions.offline",
        "aggregator.questions.reading",
        "multiprocessing",
        "concurrent.futures.process",
    }
    assert not parser_side & mods
    assert not {m for m in mods if m.startswith("aggregator.digest.")} - {"aggregator.digest.cron"}
    assert not {"smtplib", "rich", "statistics"} & {m.split(".")[0] for m in mods}
    # What start-up built is frozen out of the collector's full passes during the poll.
    frozen = [int(m.split("=")[1]) for m in mods if m.startswith("gc-frozen=")]
    assert frozen and frozen[0] > 0


def test_the_poller_records_the_offline_generators_name() -> None:
    # The poller names the offline questions without importing their generator.
    from aggregator.poll.poller import OFFLINE
    from aggregator.questions.offline import OfflineGenerator

    assert OFFLINE == OfflineGenerator.name


def test_the_event_patterns_compile_at_first_use_and_then_take_their_place() -> None:
    # Importing the archive (every command) leaves the event grouping's patterns
    # uncompiled and its stemmer unloaded; the first use compiles each one in its
    # module global's place.
    code = """
import re
from aggregator.store.archive import Archive
from aggregator.dedupe import events
def kinds():
    names = ("_WORD_RE", "_SENTENCE_END", "_UNITED_STATES", "_ELISION", "_DEATH_RE")
    return [isinstance(getattr(events, n), re.Pattern) for n in names]
print(kinds())
import sys
print("snowballstemmer" in sys.modules)
text = "The Geneva talks: U.S. and Iran agree 3-2 after Smith died in Paris."
first = events.event_features(text, text, cache=False)
print(kinds())
print(events.event_features(text, text, cache=False) == first)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == str([False] * 5)
    assert out[1] == "False"  # nor is the stemmer loaded
    assert out[2] == str([True] * 5)
    assert out[3] == "True"
