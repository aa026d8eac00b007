"""The archive on PostgreSQL: choosing the engine, errors, the commands on both engines,
concurrent writers, and the claims that let several workers share the feeds.

Every test here that needs a server uses the session's throwaway PostgreSQL
(tests/support/pgserver.py) and a fresh database; where none can be had they
skip with the reason.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import fresh_database
from support.feeds import rss
from support.httpserver import FeedServer
from support.pgserver import PostgresServer

from aggregator.cli.main import cli
from aggregator.errors import ArchiveError
from aggregator.models import Story
from aggregator.store.engine import open_archive
from aggregator.store.feeds import FeedUpdate
from aggregator.store.pg.connection import too_old
from aggregator.store.pg.dialect import translate

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- choosing the engine, and its errors ------------------------------------------------


def test_a_password_in_the_url_is_refused_and_never_shown(runner: CliRunner) -> None:
    code, out, err = invoke(runner, "--db", "postgresql://news:hunter2@127.0.0.1:1/news", "status")
    assert code == 1 and not out
    assert err.count("\n") == 1 and err.startswith("Error: ")
    assert "PGPASSWORD" in err and "hunter2" not in err


def test_a_password_in_the_config_is_refused(
    runner: CliRunner, write_config: Callable[..., Path]
) -> None:
    config = write_config(archive={"url": "postgresql://news:hunter2@db.example/news"})
    code, _, err = invoke(runner, "--config", str(config), "status")
    assert code == 1 and "PGPASSWORD" in err and "hunter2" not in err
    assert "Traceback" not in err


def test_a_refused_connection_is_one_line(runner: CliRunner) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    code, _, err = invoke(runner, "--db", f"postgresql://news@127.0.0.1:{port}/news", "status")
    assert code == 1 and err.count("\n") == 1
    assert "connection refused" in err and f"127.0.0.1:{port}" in err


def test_a_missing_database_is_named(runner: CliRunner, pg_server: PostgresServer) -> None:
    code, _, err = invoke(runner, "--db", pg_server.dsn("no_such_archive"), "fetch")
    assert code == 1 and err.count("\n") == 1
    assert "'no_such_archive' does not exist" in err and "createdb" in err


def test_reading_an_empty_database_says_there_is_no_archive(
    runner: CliRunner, pg_server: PostgresServer
) -> None:
    url = fresh_database(pg_server)
    for args in (["status"], ["search", "rust"], ["show", "1"]):
        code, _, err = invoke(runner, "--db", url, *args)
        assert code == 1 and "no archive in" in err and "aggregator fetch" in err, args
    with open_archive(url) as archive:  # a writer creates it
        assert archive.count_stories() == 0


def test_a_server_too_old_is_refused_with_its_version() -> None:
    assert too_old(150000) == "" and too_old(170002) == ""
    assert too_old(140011) == "PostgreSQL 14.11 is too old; aggregator needs 15 or later"


def test_the_environment_selects_postgresql(
    runner: CliRunner, pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_database(pg_server)
    monkeypatch.setenv("AGGREGATOR_DB", url)
    code, out, err = invoke(runner, "status", "--json")
    assert code == 1 and "no archive in" in err  # read-only: it did not create one
    with open_archive(url):
        pass
    code, out, err = invoke(runner, "status", "--json")
    assert code == 0, err
    assert json.loads(out)["archive"] == url
    assert not Path("archive").exists()  # no SQLite file was made beside


def test_translation_of_the_sqlite_dialect() -> None:
    assert translate("INSERT OR IGNORE INTO story_bands (key, story_id) VALUES (?, ?)") == (
        "INSERT INTO story_bands (key, story_id) VALUES (%s, %s) ON CONFLICT DO NOTHING"
    )
    assert translate("INSERT OR REPLACE INTO dedupe_meta (name, value) VALUES ('x', ?)") == (
        "INSERT INTO dedupe_meta (name, value) VALUES ('x', %s)"
        " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
    )
    assert translate("INSERT INTO feeds (url) VALUES (?)").endswith(" RETURNING id")
    # An event's span at ingest: SQLite's two-argument MIN and MAX.
    assert translate("UPDATE events SET first_seen = MIN(first_seen, ?), x = MAX(x, ?)") == (
        "UPDATE events SET first_seen = LEAST(first_seen, %s), x = GREATEST(x, %s)"
    )
    assert translate("SELECT '50%' FROM stories s WHERE s.title LIKE '%?%' AND id = ?") == (
        "SELECT '50%%' FROM stories s WHERE s.title LIKE '%%?%%' AND id = %s"
    )
    assert translate("SELECT count(*) FROM (SELECT 1 FROM stories LIMIT ?)") == (
        "SELECT count(*) FROM (SELECT 1 FROM stories LIMIT %s) AS _sub1"
    )
    assert translate("SELECT * FROM (SELECT id FROM stories) AS t") == (
        "SELECT * FROM (SELECT id FROM stories) AS t"
    )


# -- every command on both engines ------------------------------------------------------


def test_the_commands_on_both_engines(
    engine: str,
    archive_at: Path | str,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    runner: CliRunner,
) -> None:
    feed_server.add("/a.xml", rss("alpha", 6), content_type="application/rss+xml")
    feed_server.add("/b.xml", rss("alpha", 3), content_type="application/rss+xml")
    config = write_config(
        [
            {"url": feed_server.url("/a.xml"), "category": "tech", "title": "Alpha"},
            {"url": feed_server.url("/b.xml"), "category": "tech", "title": "Alpha copy"},
        ]
    )
    base = ["--config", str(config), "--db", str(archive_at)]
    code, out, err = invoke(runner, *base, "fetch", "--json")
    assert code == 0, err
    # Feed b carries the first three items of a: the same stories, a second source each.
    code, out, err = invoke(runner, *base, "status", "--json")
    assert code == 0, err
    status = json.loads(out)
    assert status["stories"] == 6 and status["sources"] == 9, status
    pollers = {f.get("polled_by") for f in status["feed"]}
    # Which daemon polled each feed: shown where several may (PostgreSQL).
    assert pollers == ({None} if engine == "sqlite" else {f"{socket.gethostname()}:{os.getpid()}"})
    code, out, err = invoke(runner, *base, "status")
    assert code == 0 and ("polled by" in out) == (engine == "postgresql"), out
    code, out, err = invoke(runner, *base, "search", "alpha", "--json")
    assert code == 0, err
    hits = json.loads(out)
    assert len(hits) == 6
    copied = [h for h in hits if len(h["sources"]) == 2]
    assert len(copied) == 3 and {tuple(sorted(h["sources"])) for h in copied} == {
        ("Alpha", "Alpha copy")
    }
    assert all(h["highlights"] and h["score"] > 0 for h in hits)
    code, out, err = invoke(runner, *base, "show", str(hits[0]["id"]))
    assert code == 0 and hits[0]["title"] in out, err
    code, out, err = invoke(runner, *base, "latest", "--json")
    assert code == 0 and len(json.loads(out)) == 6, err
    code, out, err = invoke(runner, *base, "feeds", "list", "--json")
    assert code == 0 and len(json.loads(out)) == 2, err
    code, out, err = invoke(runner, *base, "maintain")
    assert code == 0, err
    code, out, err = invoke(runner, *base, "dedupe", "--rebuild", "--json")
    assert code == 0, err
    code, out, err = invoke(runner, *base, "events", "--rebuild")
    assert code == 0 and "Grouped 6 stories" in out, err
    code, out, err = invoke(runner, *base, "status", "--json")
    assert json.loads(out)["stories"] == 6
    code, out, err = invoke(
        runner, *base, "digest", "--since", "2026-10-01", "--until", "2026-12-01"
    )
    assert code == 0, err
    assert hits[0]["title"] in out
    # A second fetch finds nothing new (304s or the same items).
    code, out, err = invoke(runner, *base, "fetch", "--json")
    assert code == 0, err
    code, out, err = invoke(runner, *base, "status", "--json")
    assert json.loads(out)["stories"] == 6 and json.loads(out)["sources"] == 9


# -- several writers ---------------------------------------------------------------------


def _story(n: int, feed: str) -> Story:
    body = " ".join(f"word{n}x{i}" for i in range(60))
    return Story(
        category="WORLD",
        title=f"Copies of story {n}",
        body=body,
        published=NOW,
        url=f"https://wire.example/{n}?utm_source={feed}",
        canonical_url=f"https://wire.example/{n}",
        guid=f"{feed}-{n}",
    )


def test_two_workers_storing_copies_at_once_make_one_story_each(
    pg_server: PostgresServer,
) -> None:
    url = fresh_database(pg_server)
    with open_archive(url) as archive:
        first = archive.add_feed("https://a.example/rss")
        second = archive.add_feed("https://b.example/rss")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(feed_url: str, name: str) -> None:
        try:
            with open_archive(url) as archive:
                feed = archive.get_feed(feed_url)
                update = FeedUpdate(status="new", fetched_at=NOW, next_fetch=NOW)
                start.wait()
                for n in range(40):
                    archive.store_poll(feed, [_story(n, name)], update)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(first.url, "a")),
        threading.Thread(target=worker, args=(second.url, "b")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with open_archive(url, readonly=True) as archive:
        assert archive.count_stories() == 40
        assert archive.count_sources() == 80


def test_claims_give_each_due_feed_to_one_worker_until_its_lease_ends(
    pg_server: PostgresServer,
) -> None:
    url = fresh_database(pg_server)
    lease = timedelta(minutes=10)
    with open_archive(url) as setup:
        for i in range(30):
            setup.add_feed(f"https://feeds.example/{i}.xml")
    one, two = open_archive(url), open_archive(url)
    try:
        one.worker, two.worker = "host-a:1", "host-b:2"  # type: ignore[attr-defined]
        first = one.claim_due_feeds(now=NOW, lease=lease, limit=20)  # type: ignore[attr-defined]
        second = two.claim_due_feeds(now=NOW, lease=lease)  # type: ignore[attr-defined]
        assert len(first) == 20 and len(second) == 10
        assert not {f.id for f in first} & {f.id for f in second}
        assert two.claim_due_feeds(now=NOW, lease=lease) == []  # type: ignore[attr-defined]
        # Worker one records a poll of one feed: not due again, its claim ended.
        update = FeedUpdate(status="not_modified", fetched_at=NOW, next_fetch=NOW + lease * 6)
        one.record_feed(first[0], update)
        # Worker one dies: after the lease, its other feeds go to worker two.
        later = NOW + lease + timedelta(seconds=1)
        taken = two.claim_due_feeds(now=later, lease=lease)  # type: ignore[attr-defined]
        assert {f.id for f in taken} == {f.id for f in first[1:]} | {f.id for f in second}
        details = {d["id"]: d for d in one.feed_details()}
        assert details[first[0].id]["polled_by"] == "host-a:1"
        assert details[first[0].id]["claimed_by"] is None
        assert details[first[1].id]["claimed_by"] == "host-b:2"
    finally:
        one.close()
        two.close()


def test_a_scheduled_digest_run_is_claimed_once(pg_server: PostgresServer) -> None:
    url = fresh_database(pg_server)
    with open_archive(url) as one, open_archive(url) as two:
        end = datetime(2026, 11, 2, tzinfo=UTC)
        assert one.claim_digest("daily", end, now=NOW)  # type: ignore[attr-defined]
        assert not two.claim_digest("daily", end, now=NOW)  # type: ignore[attr-defined]
        assert two.claim_digest("daily", end + timedelta(days=1), now=NOW)  # type: ignore[attr-defined]


def test_a_reader_never_writes(pg_server: PostgresServer) -> None:
    url = fresh_database(pg_server)
    with open_archive(url):
        pass
    with open_archive(url, readonly=True) as reader:
        with pytest.raises(ArchiveError, match="read-only"):
            reader.add_feed("https://feeds.example/x.xml")


def test_sqlite_users_never_load_the_postgresql_driver(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = str(tmp_path / "n.db")
    code = (
        "import sys, pathlib\n"
        "from aggregator.app.core import open_app\n"
        "from aggregator.app.config import Config\n"
        "from aggregator.store.search import search\n"
        f"app = open_app(Config(), db_path=pathlib.Path({db!r}))\n"
        "app.archive.count_stories()\n"
        f"search({db!r}, 'rust')\n"
        "loaded = [m for m in sys.modules if m.startswith(('psycopg', 'aggregator.store.pg'))]\n"
        "print(sorted(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_config_selects_postgresql_and_refuses_other_urls(
    runner: CliRunner, write_config: Callable[..., Path], pg_server: PostgresServer
) -> None:
    url = fresh_database(pg_server)
    with open_archive(url):
        pass
    config = write_config(archive={"url": url, "path": "unused.db"})
    code, out, err = invoke(runner, "--config", str(config), "status", "--json")
    assert code == 0 and json.loads(out)["archive"] == url, err
    code, out, err = invoke(runner, "--config", str(config), "search", "anything", "--json")
    assert code == 0 and out.strip() == "[]", err
    assert not Path("unused.db").exists()
    config = write_config(archive={"url": "mysql://news@db.example/news"})
    code, _, err = invoke(runner, "--config", str(config), "status")
    assert code == 1 and "archive.url" in err and "not a postgresql:// URL" in err


def test_a_manual_fetch_leaves_the_feeds_other_workers_hold(
    pg_server: PostgresServer, runner: CliRunner, tmp_path: Path
) -> None:
    url = fresh_database(pg_server)
    with FeedServer() as server:
        server.add("/a.xml", rss("feed-a", 3), content_type="application/rss+xml")
        server.add("/b.xml", rss("feed-b", 3), content_type="application/rss+xml")
        config = tmp_path / "aggregator.toml"
        config.write_text(
            "[archive]\n"
            f'url = "{url}"\n'
            "[fetch]\nallow_private_addresses = true\n"
            f'[[feeds]]\nurl = "{server.url("/a.xml")}"\n'
            f'[[feeds]]\nurl = "{server.url("/b.xml")}"\n',
            encoding="utf-8",
        )
        code, out, err = invoke(runner, "--config", str(config), "fetch", "--json")
        assert code == 0, err
        assert len(json.loads(out)) == 2
        held_until = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        with open_archive(url) as archive:
            before = dict(archive.conn.execute("SELECT url, last_fetched FROM feeds").fetchall())
            with archive.transaction() as conn:
                conn.execute(
                    "UPDATE feeds SET claimed_by = 'other-host:1', claimed_until = ? WHERE url = ?",
                    (held_until, server.url("/b.xml")),
                )
        code, out, err = invoke(runner, "--config", str(config), "fetch", "--json")
    assert code == 0, err
    assert [r["feed"] for r in json.loads(out)] == [server.url("/a.xml")]
    assert "1 feeds are being polled by other workers" in err
    with open_archive(url, readonly=True) as archive:
        rows = {
            r[0]: r[1:]
            for r in archive.conn.execute(
                "SELECT url, last_fetched, claimed_by, claimed_until FROM feeds"
            ).fetchall()
        }
    # The held feed was not polled and keeps its claim; the polled one's claim ended.
    assert rows[server.url("/b.xml")] == (
        before[server.url("/b.xml")],
        "other-host:1",
        held_until,
    )
    assert rows[server.url("/a.xml")][1:] == (None, None)
