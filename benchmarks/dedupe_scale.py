"""Duplicate detection at scale: time to archive 1,000 new stories into archives of growing size.

Builds archives of 10k, 100k and 1M generated stories (~1.5 KB of text each,
dated at a steady rate, with their FTS index and near-duplicate keys) with
bulk inserts, then times ``Archive.store_poll`` for one batch of 1,000 new
stories: 20 feeds x 50 stories, of which 15% are near duplicates of recent
stories (teasers, new intros), 10% exact or same-URL copies, the rest new.
Every size gets the same kind of batch; the timed rounds interleave the sizes
and the median is reported, in CPU time (this process's, SQLite's I/O calls
included) beside wall time, since the machine may be shared. The near-duplicate lookup must not
grow with the archive: the per-story cost at the largest size should be
within 1.5x of the smallest. The same batch is also timed with
near-duplicate detection off, to show what the lookup itself costs.

    python benchmarks/dedupe_scale.py [--sizes 10000,100000,1000000] [--per-day 2000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import ORGS, PRODUCTS, vocabulary  # noqa: E402

from aggregator.dedupe import neardup  # noqa: E402
from aggregator.dedupe.urls import canonical_url, fingerprint, url_key  # noqa: E402
from aggregator.models import (
    FeedConfig,  # noqa: E402
    Story,  # noqa: E402
)
from aggregator.store.archive import Archive, FeedUpdate  # noqa: E402
from aggregator.timeutil import to_db_seconds  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=UTC)
FEEDS = 20


class Texts:
    """Generated headlines and ~1.5 KB bodies with a Zipf vocabulary (as benchmarks/ingest.py)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab = vocabulary(self.rng)
        self.cum = list(_accumulate([1 / (r + 1) for r in range(len(self.vocab))]))

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=n)

    def title(self) -> str:
        org, prod = self.rng.choice(ORGS), self.rng.choice(PRODUCTS)
        return f"{org} {' '.join(self.words(6))} {prod}"

    def body(self) -> str:
        paragraphs = []
        for _ in range(5):
            text = self.words(self.rng.randint(40, 60))
            paragraphs.append(" ".join(text).capitalize() + ".")
        return "\n\n".join(paragraphs)


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for v in values:
        total += v
        out.append(total)
    return out


def build(path: Path, n: int, per_day: int, texts: Texts, params: neardup.Params) -> datetime:
    """Fill a fresh archive with ``n`` stories by bulk inserts; return the newest date."""
    with Archive(path, dedupe=params) as archive:
        archive.sync_feeds(
            [FeedConfig(url=f"https://site{f}.example/feed") for f in range(FEEDS)], now=START
        )
        feed_ids = [f.id for f in archive.list_feeds()]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -512000")
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'stories_ai'").fetchone()[0]
    conn.execute("DROP TRIGGER stories_ai")
    step = timedelta(days=1) / per_day
    chunk = 20_000
    newest = START
    for first in range(0, n, chunk):
        stories, sources, bands = [], [], []
        for i in range(first, min(n, first + chunk)):
            title, body = texts.title(), texts.body()
            published = START + i * step
            newest = published
            url = f"https://site{i % FEEDS}.example/{i}/story-{i}"
            fp = fingerprint(title, body)
            db_date = to_db_seconds(published)  # as the archive keeps dates (schema 10)
            stories.append(
                (i + 1, "TECHNOLOGY", title, body, db_date, url, url_key(canonical_url(url)), fp)
            )
            sources.append((i + 1, feed_ids[i % FEEDS], url, f"g{i}", fp, db_date))
            sig = neardup.signature(body, params=params)
            bands.extend((key, i + 1) for key in neardup.index_keys(sig.values, published))
        bands.sort()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO stories (id, category, title, body, published, url, url_key,"
            " fingerprint, generator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",  # NULL: offline
            stories,
        )
        conn.executemany(
            "INSERT INTO sources (story_id, feed_id, url, guid, fingerprint, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            sources,
        )
        conn.executemany("INSERT OR IGNORE INTO story_bands (key, story_id) VALUES (?, ?)", bands)
        conn.execute("COMMIT")
        print(f"\r  building {min(n, first + chunk):,}/{n:,}", end="", file=sys.stderr)
    print("\r  indexing text...              ", end="", file=sys.stderr)
    conn.execute("INSERT INTO stories_fts (stories_fts) VALUES ('rebuild')")
    conn.execute(trigger)
    conn.execute("ANALYZE")
    conn.close()
    print("\r" + " " * 40 + "\r", end="", file=sys.stderr)
    return newest


def batch(archive: Archive, texts: Texts, newest: datetime, n: int, tag: str) -> list[list[Story]]:
    """``n`` new stories for the feeds: new ones, near duplicates and copies of recent ones."""
    rng = texts.rng
    recent = archive.conn.execute(
        "SELECT title, body, url, published FROM stories WHERE published >= ? ORDER BY id DESC"
        " LIMIT 2000",
        (to_db_seconds(newest - timedelta(days=1)),),
    ).fetchall()
    out: list[Story] = []
    for i in range(n):
        published = newest + timedelta(minutes=rng.randint(1, 600))
        url = f"https://new{tag}.example/{i}"
        story = Story(
            category="TECHNOLOGY",
            title=texts.title(),
            published=published,
            body=texts.body(),
            url=url,
            canonical_url=canonical_url(url),
            guid=f"{tag}-{i}",
        )
        roll = rng.random()
        if roll < 0.25 and recent:
            title, body, old_url, _ = rng.choice(recent)
            if roll < 0.05:  # the same URL with tracking parameters
                story = replace(story, title=title, body=body, url=old_url + "?utm_source=x")
            elif roll < 0.10:  # the same text elsewhere
                story = replace(story, title=title, body=body)
            elif roll < 0.18:  # a teaser
                story = replace(story, title=title, body=" ".join(body.split()[:35]) + "…")
            else:  # a new intro paragraph
                story = replace(story, title=title, body=" ".join(texts.words(30)) + "\n\n" + body)
            story = replace(story, canonical_url=canonical_url(story.url))
        out.append(story)
    return [out[f::FEEDS] for f in range(FEEDS)]


def store(
    archive: Archive, polls: list[list[Story]], when: datetime
) -> tuple[float, float, int, int]:
    """Store one poll per feed, as the writer does; fingerprints and signatures come
    precomputed, as the parser workers send them (not timed here)."""
    feeds = archive.list_feeds()
    update = FeedUpdate(status="new", fetched_at=when, next_fetch=when + timedelta(hours=1))
    prepared = [
        (
            stories,
            [fingerprint(s.title, s.body) for s in stories],
            [neardup.signature(s.body, params=archive.dedupe) for s in stories],
        )
        for stories in polls
    ]
    new = dup = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for feed, (stories, fps, sigs) in zip(feeds, prepared, strict=False):
        counts = archive.store_poll(feed, stories, update, fingerprints=fps, signatures=sigs)
        new += counts.new
        dup += counts.duplicate
    return time.perf_counter() - t0, time.process_time() - c0, new, dup


def worker_cost(texts: Texts, params: neardup.Params, n: int = 2000) -> tuple[float, float]:
    """Microseconds per story of the fingerprint and of the signature (in the parser workers)."""
    bodies = [texts.body() for _ in range(n)]
    t0 = time.perf_counter()
    for body in bodies:
        fingerprint("A title", body)
    t1 = time.perf_counter()
    for body in bodies:
        neardup.signature(body, params=params)
    t2 = time.perf_counter()
    return (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--per-day", type=int, default=2000, help="stories per day in the archive")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="timed batches per size")
    parser.add_argument("--cache-mb", type=int, default=0, help="SQLite page cache (0: as is)")
    parser.add_argument("--dir", help="where to build the archives (default: a temporary folder)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    params = neardup.Params()
    print(
        f"batch of {args.batch} stories (20 feeds x {args.batch // FEEDS}), archives dated at"
        f" {args.per_day:,} stories/day; {params.index_id}"
    )
    fp_us, sig_us = worker_cost(Texts(seed=1), params)
    print(
        f"in the parser workers, per story: fingerprint {fp_us:.0f} us,"
        f" near-duplicate signature {sig_us:.0f} us"
    )
    results = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        built: dict[int, tuple[Path, Texts, datetime]] = {}
        for size in sizes:
            path = Path(tmp) / f"scale-{size}.db"
            texts = Texts(seed=size)
            t0 = time.perf_counter()
            newest = build(path, size, args.per_day, texts, params)
            print(
                f"built {size:,} stories: {path.stat().st_size / 1e6:,.0f} MB"
                f" in {time.perf_counter() - t0:.0f}s",
                file=sys.stderr,
            )
            built[size] = (path, texts, newest)
        # Rounds interleave the sizes, so that a change of machine load (the machine is
        # shared) hits every size alike; the median of the rounds is reported.
        timings: dict[tuple[int, bool], list[tuple[float, float]]] = {}
        counts: dict[int, tuple[int, int, int]] = {}
        for r in range(args.repeat + 1):
            for size, (path, texts, newest) in built.items():
                with Archive(path, dedupe=params) as archive:
                    if args.cache_mb:
                        archive.conn.execute(f"PRAGMA cache_size = -{args.cache_mb * 1024}")
                    if r == 0:  # warm the page cache, not timed
                        store(archive, batch(archive, texts, newest, 200, "warm"), newest)
                        continue
                    for enabled in (True, False):
                        archive.dedupe = replace(params, enabled=enabled)
                        polls = batch(archive, texts, newest, args.batch, f"{enabled}{r}")
                        wall, cpu, new, dup = store(archive, polls, newest)
                        timings.setdefault((size, enabled), []).append((wall, cpu))
                        if enabled:
                            keys = archive.conn.execute(
                                "SELECT COUNT(*) FROM story_bands"
                            ).fetchone()[0]
                            counts[size] = (new, dup, keys)

        def ms(size: int, enabled: bool, which: int) -> float:
            values = [t[which] for t in timings[size, enabled]]
            return statistics.median(values) / args.batch * 1000

        for size, (path, _, _) in built.items():
            new, dup, keys = counts[size]
            results.append((size, ms(size, True, 1), ms(size, True, 0)))
            print(
                f"{size:>9,} stories ({path.stat().st_size / 1e6:,.0f} MB, {keys:,} band keys):"
                f" with near-duplicate lookup {ms(size, True, 1):.2f} ms/story CPU"
                f" ({ms(size, True, 0):.2f} wall), without {ms(size, False, 1):.2f} CPU"
                f" ({ms(size, False, 0):.2f} wall); last batch: {new} new, {dup} duplicate"
            )
    first, base_cpu, base_wall = results[0]
    for size, cpu, wall in results[1:]:
        print(
            f"per-story cost at {size:,} / at {first:,}: {cpu / base_cpu:.2f}x CPU,"
            f" {wall / base_wall:.2f}x wall (target <= 1.5x)"
        )


if __name__ == "__main__":
    main()
