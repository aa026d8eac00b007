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
                               [--cache DIR] [--pg-dir DIR [--leave-running]] [--slowest N]

``--pg-dir`` keeps the cluster and the loaded archives between runs (loading
a million stories takes many minutes); ``--leave-running`` leaves its server
up for the next run; ``--slowest`` names the slowest queries of each engine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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
from aggregator.store.migrate import TABLES  # noqa: E402
from aggregator.store.pg import partitions  # noqa: E402
from aggregator.store.pg.schema import TITLE_SEARCH  # noqa: E402
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


_BULK_INDEXES = (
    "CREATE INDEX stories_url_key ON stories (url_key)",
    "CREATE INDEX stories_fingerprint ON stories (fingerprint)",
    "CREATE INDEX stories_published ON stories (published, id)",
    "CREATE INDEX stories_search ON stories USING GIN (search)",
    f"CREATE INDEX stories_title_search ON stories USING GIN (({TITLE_SEARCH}))",
    "CREATE INDEX sources_feed_story ON sources (feed_id, story_id)",
)


def bulk_load(path: Path, url: str) -> None:
    """Load a SQLite archive into an empty PostgreSQL archive with COPY (the benchmark's loader).

    What ``aggregator migrate`` does row batch by row batch (about 400 stories a
    second here, an hour and more for 1M stories), in bulk: the schema made by
    aggregator itself (partitions included), the secondary indexes dropped and
    built again after the rows, the story triggers off (``story_ids`` filled in
    one statement), the stories copied by two connections at once.
    """
    import sqlite3
    import threading

    from aggregator.timeutil import text_of_db, utcnow

    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    months = [
        r[0]
        for r in source.execute(
            # Unix seconds since schema 10; text before.
            "SELECT DISTINCT CASE WHEN typeof(published) = 'integer'"
            " THEN strftime('%Y-%m', published, 'unixepoch') ELSE substr(published, 1, 7) END"
            " FROM stories WHERE published GLOB '[0-9]*'"
        )
    ]
    with open_archive(url) as target:  # the schema, exactly as aggregator makes it
        with target.transaction() as conn:  # type: ignore[attr-defined]
            partitions.ensure_partitions(conn, utcnow(), months)  # type: ignore[arg-type]
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in _BULK_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {sql.split()[2]}")
        conn.execute("DELETE FROM dedupe_meta")  # the source's settings replace the new ones
        columns: dict[str, list[str]] = {}
        for table in TABLES:
            have = {
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                    " AND is_generated = 'NEVER'",
                    (table,),
                )
            }
            columns[table] = [
                r[1] for r in source.execute(f"PRAGMA table_info({table})") if r[1] in have
            ]

    def copy(table: str, where: str = "") -> None:
        names = ", ".join(columns[table])
        # PostgreSQL keeps published as text (its partition key); SQLite seconds.
        dated = columns[table].index("published") if table == "stories" else -1
        rows = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True).execute(
            f"SELECT {names} FROM {table} {where}"
        )
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")  # no row triggers
            with conn.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as out:
                for row in rows:
                    if dated >= 0:
                        row = (*row[:dated], text_of_db(row[dated]), *row[dated + 1 :])
                    out.write_row(row)

    for table in TABLES:
        if table != "stories":
            copy(table)
            continue
        threads = [
            threading.Thread(target=copy, args=(table, f"WHERE id % 2 = {k}")) for k in (0, 1)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("INSERT INTO story_ids (id, published) SELECT id, published FROM stories")
        for sql in _BULK_INDEXES:
            conn.execute(sql)
        for table in ("feeds", "stories", "sources"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" GREATEST((SELECT max(id) FROM {table}), 1))"
            )
        for table in TABLES:
            have = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            want = int(source.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            if have != want:
                raise SystemExit(f"bulk load: {table} has {have} rows, the source {want}")
        conn.execute("CREATE TABLE bench_loaded (source TEXT)")
        conn.execute("INSERT INTO bench_loaded VALUES (%s)", (path.name,))
    source.close()
    with open_archive(url) as target:
        target.maintain()  # VACUUM ANALYZE after the bulk load


def cached_database(server: PostgresServer, path: Path, n: int) -> str:
    """The database of ``n`` stories, loaded from the SQLite archive unless already there."""
    name = f"search_{n}"
    url = server.dsn(name)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute("SELECT source FROM bench_loaded").fetchone()
        if row and row[0] == path.name:
            print(f"  PostgreSQL archive of {n:,} stories: cached")
            return url
    except psycopg.Error:
        pass
    url = new_database(server, name)
    t0 = time.perf_counter()
    bulk_load(path, url)
    print(f"  loaded {n:,} stories into PostgreSQL in {time.perf_counter() - t0:.0f}s")
    return url


def sqlite_archive(n: int, cache: Path) -> Path:
    """The SQLite archive of ``n`` stories in ``cache``, built there if missing.

    A finished archive (its ``.done`` marker written) is only read: another
    benchmark may be reading the same cache, and the PostgreSQL copy needs no
    maintenance of the source.
    """
    path = cache / f"search-{n}-cjk{bench.CJK_SHARE:g}-v{bench.FORMAT_VERSION}.db"
    if path.exists() and path.with_suffix(".done").exists():
        return path
    return bench.archive_for(n, cache=cache)


def search_sizes(
    server: PostgresServer, sizes: list[int], repeat: int, cache: Path, slowest: int = 0
) -> None:
    mix = bench.query_mix(bench.vocabulary(random.Random(bench.SEED)))
    for n in sizes:
        path = sqlite_archive(n, cache)
        url = cached_database(server, path, n)
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
            if slowest:
                named = sorted(zip(times, mix, strict=True), key=lambda t: t[0], reverse=True)
                for ms, (query, kwargs) in named[:slowest]:
                    flags = " ".join(f"--{k} {v}" for k, v in kwargs.items())
                    print(f"  {engine:<10} {ms:8.1f} ms  {query} {flags}".rstrip())
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


@contextlib.contextmanager
def kept_server(
    bin_folder: Path, folder: Path, *, leave_running: bool = False
) -> Iterator[PostgresServer]:
    """A server whose cluster stays in ``folder`` between runs (loaded archives are cached).

    Created on first use like the tests' throwaway server, started if it is not
    running (and then stopped at the end, unless ``leave_running``), never deleted.
    """
    folder.mkdir(parents=True, exist_ok=True)
    port_file = folder / "port"
    port = int(port_file.read_text()) if port_file.exists() else 55433
    server = PostgresServer(bin=bin_folder, folder=folder, port=port, user="postgres")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    if not (folder / "data").exists():
        server._run(
            "initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        port_file.write_text(str(port))
    started = not (folder / "data" / "postmaster.pid").exists()
    if started:
        server._run(
            "pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w",
            "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB"
            " -c max_wal_size=4GB -c max_connections=200",
            "start",
        )  # fmt: skip
    try:
        yield server
    finally:
        if started and not leave_running:
            server._run("pg_ctl", "-D", str(folder / "data"), "-m", "fast", "stop")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--feeds", type=int, default=400)
    parser.add_argument("--items", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument(
        "--slowest", type=int, default=0, help="print this many slowest queries per engine"
    )
    parser.add_argument(
        "--leave-running",
        action="store_true",
        help="with --pg-dir: leave the server running afterwards (the next run finds it warm)",
    )
    parser.add_argument(
        "--cache", type=Path, default=bench.CACHE, help="where the SQLite archives are kept"
    )
    parser.add_argument(
        "--pg-dir",
        type=Path,
        help="keep the PostgreSQL cluster (and the loaded archives) in this folder"
        " between runs; default: a throwaway server",
    )
    args = parser.parse_args()
    folder, why = find_binaries()
    if folder is None:
        raise SystemExit(f"no PostgreSQL server: {why}")
    servers = (
        kept_server(folder, args.pg_dir, leave_running=args.leave_running)
        if args.pg_dir
        else PostgresServer.start(folder)
    )
    with servers as server:
        if not args.skip_ingest:
            workers = [int(w) for w in args.workers.split(",")]
            ingest(server, workers, args.feeds, args.items)
        if args.sizes:
            sizes = [int(s) for s in args.sizes.split(",")]
            search_sizes(server, sizes, args.repeat, args.cache, args.slowest)


if __name__ == "__main__":
    main()
