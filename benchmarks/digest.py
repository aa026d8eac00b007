"""Digest build time: a week's digest from an archive of 100k stories, in each format.

Builds an archive of ``--stories`` stories (default 100,000) spread evenly over
``--weeks`` weeks (default 52, a year of a 25-feed setup), written through
``Archive.store_poll`` in batches from ``--feeds`` feeds, with one story in
``--shared`` also carried by a second feed (so sources and "also covered by"
are real). Then, for the last full week, it times the archive query plus
selection (``load_digest``) and each renderer, and prints seconds, output
size and stories per second. Figures are medians of ``--repeat`` runs.

    python benchmarks/digest.py [--stories 100000] [--weeks 52] [--db PATH]

With ``--db PATH`` the archive is kept there and reused by the next run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from aggregator.digest.formats import RENDERERS
from aggregator.digest.select import Window, load_digest, render_digest
from aggregator.models import FeedConfig, Story
from aggregator.store.archive import Archive, FeedUpdate

T = TypeVar("T")
END = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday: the last full week ends here
CATEGORIES = ["TECHNOLOGY", "SCIENCE", "BUSINESS", "SECURITY", "WORLD"]
WORDS = (
    "the chip maker said on Tuesday that demand for its data centre products kept growing"
    " while analysts expect competitors to respond with cheaper parts and regulators in"
    " several countries are looking at the deal which could reshape the market for cloud"
    " services developers welcomed the change but warned about prices and open standards"
).split()


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def build(path: Path, *, stories: int, weeks: int, feeds: int, shared: int) -> float:
    """Write the archive; returns the seconds it took."""
    rng = random.Random(7)
    started = time.perf_counter()
    span = timedelta(weeks=weeks).total_seconds()
    configs = [
        FeedConfig(url=f"https://feed{i}.example/rss", title=f"Feed {i}", category="x")
        for i in range(feeds)
    ]
    with Archive(path) as archive:
        archive.sync_feeds(configs, now=END)
        states = archive.list_feeds()
        batch: dict[int, list[Story]] = {}
        for n in range(stories):
            published = END - timedelta(seconds=span * (n + 0.5) / stories)
            url = f"https://news.example/{n}"
            story = Story(
                category=CATEGORIES[n % len(CATEGORIES)],
                title=text(rng, 10),
                published=published,
                body="\n\n".join(text(rng, 45) for _ in range(5)),
                questions=tuple(text(rng, 12)[:-1] + "?" for _ in range(3)),
                url=url,
                canonical_url=url,
                guid=url,
            )
            batch.setdefault(n % feeds, []).append(story)
            if shared and n % shared == 0:
                batch.setdefault((n + 1) % feeds, []).append(story)
            if (n + 1) % 5000 == 0 or n + 1 == stories:
                for index, items in batch.items():
                    update = FeedUpdate(status="new", fetched_at=END, next_fetch=END)
                    archive.store_poll(states[index], items, update, generator="bench")
                batch = {}
                print(f"  {n + 1} stories written", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    return time.perf_counter() - started


def timed(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The median time of ``repeat`` calls, and the last result."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--feeds", type=int, default=25)
    parser.add_argument("--shared", type=int, default=5, help="1 in N stories on two feeds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, help="keep the archive here (reused if present)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "news.db"
        if not db.exists():
            print(f"building an archive of {args.stories} stories at {db} ...", file=sys.stderr)
            seconds = build(
                db, stories=args.stories, weeks=args.weeks, feeds=args.feeds, shared=args.shared
            )
            print(f"archive built in {seconds:.1f} s ({args.stories / seconds:,.0f} stories/s)")
        with Archive(db, readonly=True) as archive:
            total = archive.count_stories()
        size = db.stat().st_size / 1e6
        print(f"archive: {total:,} stories, {size:,.0f} MB")
        week = Window(END - timedelta(days=7), END)
        seconds, digest = timed(lambda: load_digest(db, week), args.repeat)
        count, groups = digest.count, len(digest.categories)
        print(f"window {week.label}: {count:,} stories in {groups} categories")
        print()
        print(f"{'step':<22}{'seconds':>9}{'MB':>8}{'stories/s':>12}")
        print(f"{'query + select':<22}{seconds:>9.3f}{'':>8}{count / seconds:>12,.0f}")
        for fmt in RENDERERS:
            seconds, out = timed(lambda fmt=fmt: render_digest(digest, fmt), args.repeat)
            mb = len(out.encode()) / 1e6
            print(f"{'render ' + fmt:<22}{seconds:>9.3f}{mb:>8.2f}{count / seconds:>12,.0f}")
        for fmt in RENDERERS:
            seconds, _ = timed(
                lambda fmt=fmt: render_digest(load_digest(db, week), fmt), args.repeat
            )
            print(f"{'whole digest ' + fmt:<22}{seconds:>9.3f}{'':>8}{count / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
