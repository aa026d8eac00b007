"""No command loses what the archive knows: reading commands never write, feeds
that leave the config are retired (never deleted), and a random sequence of
commands run with different configs against one archive never loses a story,
a source or a feed row."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_config_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.feeds import rss
from support.httpserver import FeedServer

from aggregator.cli.main import cli

REPO = Path(__file__).resolve().parents[2]


def aggregator(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``aggregator ARGS`` as a real process (no AGGREGATOR_* variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    """Three feeds; ``/c.xml`` carries copies of ``/a.xml``'s items (more sources per story)."""
    with FeedServer() as s:
        s.add("/a.xml", rss("a", 3))
        s.add("/b.xml", rss("b", 2))
        s.add("/c.xml", rss("a", 2))
        yield s


def config(folder: Path, server: FeedServer, names: Sequence[str], db: Path) -> Path:
    path = folder / f"config-{''.join(names) or 'none'}.toml"
    feeds = [{"url": server.url(f"/{n}.xml"), "title": f"Feed {n.upper()}"} for n in names]
    path.write_text(make_config_text(feeds, archive={"path": str(db)}), encoding="utf-8")
    return path


def snapshot(db: Path) -> dict[str, object]:
    """Every story, source and feed row that must never be lost."""
    conn = sqlite3.connect(db)
    try:
        return {
            "stories": {r[0] for r in conn.execute("SELECT id FROM stories")},
            "sources": {r[0]: r[1] for r in conn.execute("SELECT id, feed_id FROM sources")},
            "feeds": {r[0]: r[1] for r in conn.execute("SELECT id, url FROM feeds")},
            "titles": {r[0]: r[1] for r in conn.execute("SELECT id, title FROM feeds")},
        }
    finally:
        conn.close()


def file_state(db: Path) -> tuple[str, ...]:
    """The bytes of the archive and its WAL (a read-only command changes neither; SQLite
    may leave an empty WAL file beside the archive after a read-only open)."""
    out = []
    for p in (db, Path(f"{db}-wal")):
        data = p.read_bytes() if p.exists() else b""
        out.append(hashlib.sha256(data).hexdigest() if data else "-")
    return tuple(out)


def test_a_feed_that_leaves_the_config_is_retired_and_comes_back_whole(
    server: FeedServer, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    both = config(tmp_path, server, ["a", "b"], db)
    only_a = config(tmp_path, server, ["a"], db)
    done = aggregator("--config", str(both), "fetch", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    before = snapshot(db)
    b_id = next(i for i, url in before["feeds"].items() if url.endswith("/b.xml"))  # type: ignore[union-attr]

    done = aggregator("--config", str(only_a), "fetch", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    after = snapshot(db)
    assert after["feeds"] == before["feeds"] and after["sources"] == before["sources"]
    listed = json.loads(
        aggregator("--config", str(only_a), "feeds", "list", "--json", cwd=tmp_path).stdout
    )
    assert {f["id"]: f["health"] for f in listed}[b_id] == "retired"
    status = json.loads(
        aggregator("--config", str(only_a), "status", "--json", cwd=tmp_path).stdout
    )
    assert [f["retired"] for f in status["feed"]] == [False, True]
    assert status["feeds"]["retired"] == 1
    text = aggregator("--config", str(only_a), "status", cwd=tmp_path).stdout
    assert "retired" in text and "Feed B" in text
    # Retired feeds are not polled.
    polls = server.count("/b.xml")
    assert aggregator("--config", str(only_a), "fetch", cwd=tmp_path).returncode == 0
    assert server.count("/b.xml") == polls

    # Listed again: the same row, its state and sources, polled again; no second source.
    done = aggregator("--config", str(both), "fetch", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    again = snapshot(db)
    assert again["feeds"] == before["feeds"] and again["sources"] == before["sources"]
    assert server.count("/b.xml") == polls + 1
    shown = aggregator("--config", str(both), "show", "1", cwd=tmp_path).stdout
    assert "Also covered by: Feed A" not in shown


def test_a_command_without_a_config_deletes_nothing(server: FeedServer, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    cfg = config(tmp_path, server, ["a", "b", "c"], db)
    assert aggregator("--config", str(cfg), "fetch", cwd=tmp_path).returncode == 0
    before = snapshot(db)
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    done = aggregator("--db", str(db), "status", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert "Warning: no config file config/aggregator.toml in " + str(elsewhere) in done.stderr
    assert "Feed A" in done.stdout
    # Without a config, loopback feeds are refused ([fetch] defaults): every feed fails.
    done = aggregator("--db", str(db), "fetch", cwd=elsewhere)
    assert done.returncode == 1
    assert done.stderr.endswith("Error: no feed could be fetched (3 failed)\n")
    assert snapshot(db)["feeds"] == before["feeds"]
    assert snapshot(db)["sources"] == before["sources"]
    # The next fetch with the config adds no second source to any story.
    assert aggregator("--config", str(cfg), "fetch", cwd=tmp_path).returncode == 0
    assert snapshot(db)["sources"] == before["sources"]


def test_a_named_config_that_is_missing_is_an_error(tmp_path: Path) -> None:
    done = aggregator("--config", "nope.toml", "fetch", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: nope.toml: no such file"
    assert not (tmp_path / "archive").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "--json"],
        ["search", "rust"],
        ["show", "1"],
        ["digest"],
        ["feeds", "list"],
        ["feeds", "export"],
        ["dedupe", "--explain", "1", "2"],
    ],
)
def test_reading_commands_never_create_an_archive(args: list[str], tmp_path: Path) -> None:
    done = aggregator("--db", "typo.db", *args, cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert done.stderr.strip().splitlines()[-1].startswith("Error: no archive at typo.db")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "typo.db").exists()


def test_reading_commands_never_write(server: FeedServer, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    both = config(tmp_path, server, ["a", "b"], db)
    other = config(tmp_path, server, ["c"], db)
    assert aggregator("--config", str(both), "fetch", cwd=tmp_path).returncode == 0
    db.chmod(0o444)
    state = file_state(db)
    for cfg in (both, other):
        for args in (
            ["status"],
            ["status", "--json"],
            ["search", "Nvidia"],
            ["show", "1"],
            ["digest", "--since", "2000-01-01"],
            ["feeds", "list", "--json"],
            ["feeds", "export"],
            ["dedupe", "--explain", "1", "2"],
        ):
            done = aggregator("--config", str(cfg), *args, cwd=tmp_path)
            assert done.returncode == 0, (args, done.stderr)
            assert file_state(db) == state, args
    db.chmod(0o644)
    # The other config's view: its feed not fetched yet (id 0), the archive's feeds retired.
    listed = json.loads(
        aggregator("--config", str(other), "feeds", "list", "--json", cwd=tmp_path).stdout
    )
    assert [(f["id"], f["health"]) for f in listed] == [(1, "retired"), (2, "retired"), (0, "new")]


COMMANDS = st.sampled_from(
    ["fetch", "status", "feeds list", "feeds export", "search", "digest", "add", "import"]
)
CONFIGS = st.sampled_from(["", "a", "b", "ab", "bc", "abc", None])


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(COMMANDS, CONFIGS), min_size=2, max_size=7))
def test_no_command_sequence_loses_a_row(
    server: FeedServer, steps: list[tuple[str, str | None]]
) -> None:
    """Any commands, any configs (``None``: no config file at all), one archive: every
    story, source and feed row, once there, stays, and a source never loses its feed."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "news.db"
        reference = REPO / "tests" / "data" / "reference-story.txt"
        seen: dict[str, dict[int, object]] = {"stories": {}, "sources": {}, "feeds": {}}
        for command, names in [("fetch", "abc"), *steps]:
            base = ["--db", str(db)]
            if names is not None:
                base = ["--config", str(config(folder, server, list(names), db)), *base]
            args = {
                "fetch": ["fetch"],
                "status": ["status", "--json"],
                "feeds list": ["feeds", "list", "--json"],
                "feeds export": ["feeds", "export"],
                "search": ["search", "Nvidia"],
                "digest": ["digest", "--since", "2000-01-01", "--format", "json"],
                "add": ["feeds", "add", server.url("/b.xml"), "--no-check"],
                "import": ["import", str(reference)],
            }[command]
            result = runner.invoke(cli, [*base, *args])
            assert "Traceback" not in result.stderr
            assert result.exit_code in (0, 1), (command, result.stderr)
            if command == "fetch" and names is None:
                # Without a config, loopback feeds are refused ([fetch] defaults): every
                # feed fails (exit 1), unless none is live (exit 0, with a warning).
                assert result.exit_code == 1 or "no feeds to poll" in result.stderr
            elif command != "add":
                assert result.exit_code == 0, (command, names, result.stderr)
            now = snapshot(db)
            stories: set[int] = now["stories"]  # type: ignore[assignment]
            sources: dict[int, int | None] = now["sources"]  # type: ignore[assignment]
            feeds: dict[int, str] = now["feeds"]  # type: ignore[assignment]
            assert set(seen["stories"]) <= stories, (command, names)
            assert set(seen["feeds"]) <= set(feeds), (command, names)
            for source_id, feed_id in seen["sources"].items():
                assert source_id in sources, (command, names)
                assert sources[source_id] == feed_id, (command, names)
            seen["stories"].update(dict.fromkeys(stories))
            seen["sources"].update(sources)
            seen["feeds"].update(feeds)
            # One feed's items are never archived twice as sources of the same story.
            conn = sqlite3.connect(db)
            twice = conn.execute(
                "SELECT COUNT(*) FROM (SELECT story_id, COALESCE(feed_id, feed_url) AS f"
                " FROM sources GROUP BY story_id, f HAVING COUNT(*) > 1)"
            ).fetchone()[0]
            conn.close()
            assert twice == 0, (command, names)
