"""Past one machine: ingest with 1, 2 and 4 workers on PostgreSQL vs one SQLite daemon,
search p50/p95 on both engines, and archive bytes per story, in one run.

Starts a throwaway PostgreSQL server (``tests/support/pgserver.py``: ``initdb``
and ``pg_ctl`` in a temporary folder, deleted afterwards).

Ingest: ``--feeds`` synthetic RSS feeds of ``--items`` distinct items each
(a quarter of the feeds carry copies of another's items, so dedupe works) on
a loopback server; each run starts the daemons (``aggregator run``, ``[fetch]
workers = 1`` so one daemon is one parsing process) on an empty archive and
times until every feed is polled. Figures: stories stored per second and the
speed-up over one PostgreSQL worker. On a machine with fewer cores than
workers, more workers share the same cores: the figures say what this machine
allows, not what N machines would.

Search: the cached archives of ``benchmarks/search.py`` (100k and 1M stories
of realistic text, built on first use), copied into PostgreSQL with
``aggregator migrate``'s copy, then the same 50-query mix through
:func:`aggregator.store.search.search` on both engines; p50/p95 per size.
Last, bytes per story on disk for both (PostgreSQL: the stories, sources,
band keys and their indexes, the tsvector and its GIN index included).

    python benchmarks/scale.py [--sizes 100000,1000000] [--workers 1,2,4]
                               [--feeds 400] [--items 25] [--repeat 3] [--skip-ingest]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import psycopg  # noqa: E402
import search as bench  # noqa: E402  benchmarks/search.py
from support.feeds import rss  # noqa: E402
from support.httpserver import FeedServer  # noqa: E402
from support.pgserver import PostgresServer, find_binaries  # noqa: E402

from aggregator.store.engine import open_archive  # noqa: E402
from aggregator.store.migrate import copy_archive  # noqa: E402
from aggregator.store.search import search  # noqa: E402

PG_TARGET_P95_MS = 50.0  # at 1M stories


def new_database(server: PostgresServer, name: str) -> str:
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return server.dsn(name)


def count(url: str, sql: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            return int(conn.execute(sql).fetchone()[0])  # type: ignore[index]
        except psycopg.errors.UndefinedTable:
            return 0


def sqlite_count(path: Path, sql: str) -> int:
    import sqlite3

    if not path.exists():
        return 0
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def write_config(path: Path, server: FeedServer, feeds: int, archive: str) -> None:
    lines = [
        "[archive]",
        archive,
        "[fetch]",
        "allow_private_addresses = true",
        "workers = 1",
        "concurrency = 8",
        "[schedule]",
        'interval = "2h"',
        'min_interval = "1s"',
        'max_interval = "2h"',
        'jitter = "0s"',
        'tick = "1s"',
    ]
    for i in range(feeds):
        lines += ["[[feeds]]", f'url = "{server.url(f"/f{i}.xml")}"', 'interval = "2h"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def ingest_run(config: Path, daemons: int, polled: callable, feeds: int) -> float:  # type: ignore[valid-type]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "aggregator", "--config", str(config), "run"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        for _ in range(daemons)
    ]
    t0 = time.perf_counter()
    try:
        while polled() < feeds:
            if time.perf_counter() - t0 > 900:
                raise SystemExit("ingest did not finish in 15 minutes")
            time.sleep(0.1)
        return time.perf_counter() - t0
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)


def ingest(server: PostgresServer, workers: list[int], feeds: int, items: int) -> None:
    with FeedServer() as feed_server, tempfile.TemporaryDirectory() as tmp:
        for i in range(feeds):
            # Every fourth feed carries the items of the feed before it: copies to dedupe.
            name = f"feed{i - 1}" if i % 4 == 3 else f"feed{i}"
            feed_server.add(f"/f{i}.xml", rss(name, items), content_type="application/rss+xml")
        stories = (
            len({(f"feed{i - 1}" if i % 4 == 3 else f"feed{i}") for i in range(feeds)}) * items
        )
        config = Path(tmp) / "aggregator.toml"
        db = Path(tmp) / "news.db"
        write_config(config, feed_server, feeds, f'path = "{db}"')
        seconds = ingest_run(
            config,
            1,
            lambda: sqlite_count(db, "SELECT count(*) FROM feeds WHERE last_fetched IS NOT NULL"),
            feeds,
        )
        stored = sqlite_count(db, "SELECT count(*) FROM stories")
        base = stored / seconds
        print(
            f"ingest {feeds} feeds, {stories:,} stories: SQLite, 1 daemon:"
            f" {seconds:6.1f} s  {base:7.0f} stories/s  ({stored:,} stored)"
        )
        one = 0.0
        for n in workers:
            url = new_database(server, f"ingest_{n}")
            write_config(config, feed_server, feeds, f'url = "{url}"')
            seconds = ingest_run(
                config,
                n,
                lambda u=url: count(u, "SELECT count(*) FROM feeds WHERE last_fetched IS NOT NULL"),
                feeds,
            )
            stored = count(url, "SELECT count(*) FROM stories")
            failed = count(url, "SELECT count(*) FROM feeds WHERE last_status = 'error'")
            rate = stored / seconds
            one = one or rate
            print(
                f"{'':>6} PostgreSQL, {n} worker{'s' if n > 1 else ' '}:"
                f" {seconds:6.1f} s  {rate:7.0f} stories/s  ({stored:,} stored)"
                f"  x{rate / one:.2f} of 1 worker, x{rate / base:.2f} of SQLite"
                + (f"  ({failed} feeds failed)" if failed else "")
            )
    print(f"{'':>6} (this machine has {os.cpu_count()} cores, shared with other work)")


def pg_bytes(url: str) -> tuple[int, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        stories = int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])  # type: ignore[index]
        size = int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])  # type: ignore[index]
        empty = int(
            conn.execute("SELECT pg_database_size('template1')").fetchone()[0]  # type: ignore[index]
        )
    return stories, size - empty


def search_sizes(server: PostgresServer, sizes: list[int], repeat: int) -> None:
    mix = bench.query_mix(bench.vocabulary(random.Random(bench.SEED)))
    for n in sizes:
        path = bench.archive_for(n)
        url = new_database(server, f"search_{n}")
        t0 = time.perf_counter()
        with open_archive(path, readonly=True) as source, open_archive(url) as target:
            copy_archive(source, target, batch=5000)
            target.maintain()  # VACUUM ANALYZE after the bulk load
        print(f"  copied {n:,} stories into PostgreSQL in {time.perf_counter() - t0:.0f}s")
        for engine, where in (("SQLite", path), ("PostgreSQL", url)):
            times = []
            for query, kwargs in mix:
                search(where, query, now=bench.NOW, **kwargs)  # type: ignore[arg-type]
                times.append(
                    bench.timed(
                        lambda q=query, k=kwargs, w=where: search(w, q, now=bench.NOW, **k),  # type: ignore[arg-type, misc]
                        repeat,
                    )
                )
            p50, p95 = bench.percentile(times, 50), bench.percentile(times, 95)
            goal = ""
            if engine == "PostgreSQL" and n >= 1_000_000:
                ok = "ok" if p95 <= PG_TARGET_P95_MS else "MISSED"
                goal = f" (goal <= {PG_TARGET_P95_MS:.0f} ms: {ok})"
            print(
                f"search {n:>9,} stories {engine:<10}: p50 {p50:6.1f} ms"
                f"  p95 {p95:6.1f} ms  max {max(times):6.1f} ms{goal}"
            )
        stories, size = pg_bytes(url)
        print(
            f"bytes  {n:>9,} stories: SQLite {path.stat().st_size / n:6.0f} bytes/story,"
            f" PostgreSQL {size / stories:6.0f} bytes/story"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--feeds", type=int, default=400)
    parser.add_argument("--items", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args()
    folder, why = find_binaries()
    if folder is None:
        raise SystemExit(f"no PostgreSQL server: {why}")
    with PostgresServer.start(folder) as server:
        if not args.skip_ingest:
            workers = [int(w) for w in args.workers.split(",")]
            ingest(server, workers, args.feeds, args.items)
        if args.sizes:
            search_sizes(server, [int(s) for s in args.sizes.split(",")], args.repeat)


if __name__ == "__main__":
    main()
