"""Ingest throughput: a full poll into a fresh archive vs feedparser alone on the same bytes.

Generates a corpus of RSS feeds (realistic HTML bodies of ~1.5 KB of text),
serves it on 127.0.0.1, runs one full poll (fetch, parse, normalize,
questions, dedupe, archive with FTS5) into a fresh archive, and prints
stories/second beside feedparser's single-core rate on the same bytes (the
floor), their ratio, and the archive's size per story.

    python benchmarks/ingest.py [--feeds 200] [--items 50] [--workers 0]

With ``--corpus DIR`` (a folder written by the shared ``gen_corpus.py``), the
corpus is served by its own ``serve.py`` (a subprocess) instead, and each of
``--runs`` runs polls it into a fresh archive; the floor is measured in the
same run and the medians are printed, with the CPU time of this process and
of the parser processes, and the SQL statements per item (counted in the first run:
tracing costs the writer CPU). ``--cli`` runs
``aggregator fetch`` as a subprocess (what users run) instead of polling in
this process.

    python benchmarks/ingest.py --corpus DIR [--runs 3] [--cli] [--profile FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aggregator.app.config import Config, FetchConfig, ScheduleConfig
from aggregator.app.core import open_app
from aggregator.models import FeedConfig

ORGS = [
    "Apple",
    "Google",
    "Microsoft",
    "Amazon",
    "Meta",
    "Nvidia",
    "OpenAI",
    "Anthropic",
    "Intel",
    "AMD",
    "Samsung",
    "TSMC",
    "Tesla",
    "SpaceX",
    "Netflix",
    "Oracle",
    "IBM",
    "Cisco",
    "Qualcomm",
    "Arm",
    "Mozilla",
    "Cloudflare",
    "GitHub",
    "Red Hat",
    "Canonical",
    "Valve",
    "Sony",
    "Huawei",
]
PRODUCTS = [
    "iPhone",
    "Android",
    "Windows",
    "Azure",
    "AWS",
    "Llama",
    "Gemini",
    "ChatGPT",
    "Claude",
    "Copilot",
    "Firefox",
    "Chrome",
    "Linux",
    "Kubernetes",
    "Rust",
    "Python",
    "Steam Deck",
]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    letters = "etaoinshrdlucmfwypvbgkjqxz"
    words = set()
    while len(words) < size:
        n = max(2, min(12, int(rng.gauss(6, 2.5))))
        words.add("".join(rng.choice(letters[: 10 + n]) for _ in range(n)))
    return sorted(words)


def make_corpus(n_feeds: int, n_items: int, seed: int = 7) -> dict[str, bytes]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = [1 / (r + 1) for r in range(len(vocab))]  # Zipf
    base = datetime(2026, 11, 1, tzinfo=UTC)
    feeds: dict[str, bytes] = {}
    for f in range(n_feeds):
        items = []
        for i in range(n_items):
            org, prod = rng.choice(ORGS), rng.choice(PRODUCTS)
            title = f"{org} {' '.join(rng.choices(vocab, weights, k=6))} {prod} {f}-{i}"
            paragraphs = []
            text_len = 0
            while text_len < 1380:
                words = rng.choices(vocab, weights, k=rng.randint(25, 45))
                words.insert(rng.randrange(len(words)), org)
                words.insert(rng.randrange(len(words)), prod)
                sentence = " ".join(words).capitalize() + "."
                paragraphs.append(f"<p>{sentence} <a href='https://x.example/{f}/{i}'>more</a></p>")
                text_len += len(sentence) + 6
            body = "".join(paragraphs) + '<img src="https://t.example/p.gif" width="1" height="1">'
            items.append(
                f"<item><title>{escape(title)}</title>"
                f"<link>https://site{f}.example/{2026}/{i}/story-{f}-{i}?utm_source=rss</link>"
                f"<guid isPermaLink='false'>site{f}-{i}</guid>"
                f"<pubDate>{format_datetime(base + timedelta(minutes=i * 7 + f))}</pubDate>"
                f"<description>{escape(body)}</description></item>"
            )
        feeds[f"/feed{f}.xml"] = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Site {f}</title><link>https://site{f}.example/</link>"
            f"<description>bench</description>{''.join(items)}</channel></rss>"
        ).encode()
    return feeds


def serve(feeds: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            body = feeds.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_corpus(args: argparse.Namespace) -> None:
    """Poll a generated corpus into fresh archives; print medians and the floor's ratio."""
    import corpus as bench  # benchmarks/corpus.py

    from aggregator.app.config import load

    data = bench.Corpus.load(args.corpus)
    bodies = data.bodies()
    print(
        f"corpus {args.corpus}: {len(data.paths)} feeds, {data.items} items, "
        f"{sum(map(len, bodies)) / 1e6:.1f} MB; {os.cpu_count()} cores, "
        f"load average {bench.load_average()}; "
        + ("CLI (aggregator fetch)" if args.cli else "in process")
    )
    cpu_floors: list[float] = []
    bounds: list[float] = []
    floors, rates, cpus, child_cpus, sizes, stmts = [], [], [], [], [], []
    with bench.serve(data, args.server or bench.default_server(args.corpus)) as url:
        for run in range(args.runs):
            items, fp_secs, fp_cpu = bench.feedparser_floor(bodies)
            floor, floor_cpu = items / fp_secs, items / fp_cpu
            with tempfile.TemporaryDirectory() as tmp:
                cfg, db = Path(tmp) / "c.toml", Path(tmp) / "a.db"
                bench.write_config(cfg, data, url, workers=args.workers)
                if args.cli:
                    secs, cpu, out = bench.run_cli(cfg, db, "fetch")
                    child = 0.0
                    n_stmts = 0
                    new = int(out.split("stories: ")[1].split()[0])
                else:
                    with open_app(load(cfg), db_path=db) as app:
                        app.sync_feeds()
                        # Counted in the first run only: the trace callback costs the
                        # writer about a tenth more CPU, which the other runs measure without.
                        counter = bench.statement_counter(app.archive.conn) if run == 0 else None
                        profile = None
                        if args.profile and run == 0:
                            import cProfile

                            profile = cProfile.Profile(time.process_time)
                            profile.enable()
                        c0 = time.process_time()
                        k0 = bench.children_cpu() + bench.descendants_cpu()
                        t0 = time.perf_counter()
                        results = app.poll()
                        secs = time.perf_counter() - t0
                        cpu = time.process_time() - c0
                        child = bench.children_cpu() + bench.descendants_cpu() - k0
                        if profile is not None:
                            profile.disable()
                            profile.dump_stats(args.profile)
                        n_stmts = counter[0] if counter is not None else 0
                        new = sum(r.counts.new for r in results)
                        failed = [r for r in results if r.outcome == "error"]
                        if failed:
                            raise SystemExit(
                                f"Error: {len(failed)} feeds failed: {failed[0].error}"
                            )
                size = bench.db_bytes(db)
            rate = data.items / secs
            # What an idle machine with this many cores would reach at best: the main
            # process alone, or all the CPU time spread over the cores.
            cores = os.cpu_count() or 1
            # Through the CLI only the total is known (the process and its parsers).
            bound = data.items / (cpu / cores if args.cli else max(cpu, (cpu + child) / cores))
            floors.append(floor)
            cpu_floors.append(floor_cpu)
            bounds.append(bound)
            rates.append(rate)
            cpus.append(cpu)
            child_cpus.append(child)
            sizes.append(size / data.items)
            if n_stmts:
                stmts.append(n_stmts / data.items)
            print(
                f"run {run + 1}: floor {floor:,.0f} items/s; "
                f"poll {secs:.2f}s = {rate:,.0f} items/s "
                f"({rate / floor:.2f}x floor), {new} stories new; CPU "
                + (
                    f"main {cpu:.2f}s + parsers {child:.2f}s"
                    if not args.cli
                    else f"{cpu:.2f}s (process + parsers)"
                )
                + f"; {size / data.items:,.0f} bytes/item"
                + (f"; {n_stmts / data.items:.2f} statements/item" if n_stmts else "")
            )
            print(
                f"       by CPU time: floor {floor_cpu:,.0f} items/s, pipeline's CPU bound "
                f"{bound:,.0f} items/s = {bound / floor_cpu:.2f}x"
            )
    floor, rate = bench.median(floors), bench.median(rates)
    print(
        f"median of {args.runs}: floor {floor:,.0f} items/s, pipeline {rate:,.0f} items/s = "
        f"{rate / floor:.2f}x floor (goal >= 1.2x); CPU "
        + (
            f"main {bench.median(cpus):.2f}s, parsers {bench.median(child_cpus):.2f}s"
            if not args.cli
            else f"{bench.median(cpus):.2f}s (process + parsers)"
        )
        + f"; {bench.median(sizes):,.0f} bytes/item (goal <= 3,300)"
        + (f"; {stmts[0]:.2f} statements/item (run 1)" if stmts else "")
        + f"; load average {bench.load_average()}"
    )
    f_cpu, b = bench.median(cpu_floors), bench.median(bounds)
    print(
        f"median by CPU time (load-independent): floor {f_cpu:,.0f} items/s, pipeline "
        f"bound {b:,.0f} items/s = {b / f_cpu:.2f}x floor"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--workers", type=int, default=0, help="0 = one per core")
    parser.add_argument("--corpus", type=Path, help="a folder written by gen_corpus.py")
    parser.add_argument("--server", type=Path, help="its serve.py (default: beside it)")
    parser.add_argument("--runs", type=int, default=3, help="runs on --corpus (median)")
    parser.add_argument("--cli", action="store_true", help="run 'aggregator fetch' (--corpus)")
    parser.add_argument("--profile", help="write a cProfile of the first run here (--corpus)")
    args = parser.parse_args()
    if args.corpus is not None:
        run_corpus(args)
        return

    feeds = make_corpus(args.feeds, args.items)
    total_items = args.feeds * args.items
    total_bytes = sum(len(b) for b in feeds.values())
    print(
        f"corpus: {args.feeds} feeds x {args.items} items = {total_items} items, "
        f"{total_bytes / 1e6:.1f} MB, {os.cpu_count()} cores"
    )

    t0 = time.perf_counter()
    parsed = 0
    for body in feeds.values():
        parsed += len(feedparser.parse(body).entries)
    fp_secs = time.perf_counter() - t0
    fp_rate = parsed / fp_secs
    print(f"feedparser alone (1 core): {parsed} items in {fp_secs:.2f}s = {fp_rate:,.0f} items/s")

    server = serve(feeds)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        url = f"http://127.0.0.1:{server.server_address[1]}"
        config = Config(
            fetch=FetchConfig(allow_private_addresses=True, concurrency=16, workers=args.workers),
            schedule=ScheduleConfig(),
            feeds=tuple(FeedConfig(url=url + path, category="technology") for path in feeds),
        )
        with open_app(config, db_path=db) as app:
            app.sync_feeds()
            t0 = time.perf_counter()
            results = app.poll()
            secs = time.perf_counter() - t0
            new = sum(r.counts.new for r in results)
            failed = sum(r.outcome == "error" for r in results)
            chars = app.archive.conn.execute("SELECT AVG(LENGTH(body)) FROM stories").fetchone()[0]
            try:
                parts = app.archive.conn.execute(
                    "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8"
                ).fetchall()
            except Exception:  # dbstat is a compile-time option of SQLite
                parts = []
        server.shutdown()
        size = db.stat().st_size + sum(
            p.stat().st_size for p in db.parent.glob("bench.db-*") if p.exists()
        )
        rate = new / secs
        print(
            f"pipeline (fetch+parse+normalize+questions+archive+FTS): {new} stories in "
            f"{secs:.2f}s = {rate:,.0f} stories/s, {failed} feeds failed"
        )
        print(f"ratio pipeline / feedparser-alone: {rate / fp_rate:.2f}x (target >= 1.2x)")
        print(
            f"archive: {size / 1e6:.1f} MB, {size / max(new, 1):,.0f} bytes/story "
            f"(avg body {chars:,.0f} chars; target <= 3,500 bytes/story)"
        )
        print(
            "  by table, bytes/story:", ", ".join(f"{n} {b / max(new, 1):,.0f}" for n, b in parts)
        )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
