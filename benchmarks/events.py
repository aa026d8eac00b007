"""Event grouping, measured: cost per story at 10k-1M stories, and ingest beside the floor.

1. **Scale.** Builds archives of 10k, 100k and 1M stories dated at a steady
   rate (``--per-day``) with bulk inserts: the tables grouping reads
   (``stories``' title, body, date and link, ``sources``) and the event index.
   The stories older than the grouping window get index keys of random words
   (the lookup never reaches their days, but they fill the index as a real
   archive's history does); the last two days are grouped for real. The
   stories are in one language (``en``), as a monolingual archive's: the path
   for stories of another language (see
   :func:`aggregator.store.events._candidates`) reads the candidates'
   language and finds none. Then one
   batch of new stories (``--batch``; a quarter of them retell a recent
   story in other words, so events form) is grouped with
   :func:`aggregator.store.events.group_stored` inside a transaction that is
   rolled back, so every round sees the same archive; as at ingest, the
   stories' features come computed (by the parser processes) and the writer
   keeps the days' key counts (``DayCounts``). Rounds interleave the
   sizes (the machine is shared), the median is reported in CPU time beside
   wall time. Grouping must not grow with the archive: the per-story cost at
   1M should be within 1.5x of 10k.
2. **Ingest.** Serves the corpus of ``benchmarks/ingest.py`` on 127.0.0.1
   and polls it into fresh archives with ``[events]`` on and off, beside
   feedparser alone on the same bytes (the floor), all in this run; prints
   each rate, the ratio to the floor (target >= 1.2x), what grouping costs
   the poll, and the writer process's CPU time per story either way.

    python benchmarks/events.py [--sizes 10000,100000,1000000] [--per-day 2000]
        [--batch 1000] [--repeat 3] [--feeds 60] [--items 50] [--skip-ingest]
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

from ingest import ORGS, PRODUCTS, make_corpus, serve, vocabulary  # noqa: E402

from aggregator.dedupe.events import EventParams, day_bucket, event_features  # noqa: E402
from aggregator.models import Story  # noqa: E402
from aggregator.store import events  # noqa: E402
from aggregator.store.base import PAGE_SIZE  # noqa: E402
from aggregator.timeutil import to_db  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=UTC)
OUTLETS = 40
# One action in 13 is a kind of happening of the angle rule ("visits"), as about 6% of
# the real-feed corpus's titles tell one: those stories also seek candidates sharing one
# rare title key (see aggregator.store.events._candidates).
VERBS = "says plans wins loses buys sells cuts raises opens closes sues settles visits".split()


class Texts:
    """Headlines of an organisation, an action, a product and Zipf-distributed words."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab = vocabulary(self.rng)
        weights = [1 / (r + 1) for r in range(len(self.vocab))]
        total = 0.0
        self.cum = []
        for w in weights:
            total += w
            self.cum.append(total)

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=n)

    def title(self) -> str:
        rng = self.rng
        return (
            f"{rng.choice(ORGS)} {rng.choice(VERBS)} {' '.join(self.words(4))}"
            f" {rng.choice(PRODUCTS)} in {rng.choice(ORGS)}"
        )

    def retell(self, title: str) -> str:
        """The same happening in other words: the names and the action kept."""
        words = title.split()
        kept = [w for w in words if w[:1].isupper() or w in VERBS]
        return " ".join([*kept[:2], *self.words(3), *kept[2:]])

    def body(self, title: str) -> str:
        return (title + ". " + " ".join(self.words(50)).capitalize() + ".")[:600]


def _tables(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE stories (id INTEGER PRIMARY KEY, title TEXT, body TEXT,"
        " published TEXT NOT NULL, url TEXT, lang TEXT NOT NULL DEFAULT 'en')"
    )
    conn.execute("CREATE TABLE sources (id INTEGER PRIMARY KEY, story_id INTEGER, feed_id INTEGER)")
    conn.execute("CREATE INDEX sources_story ON sources(story_id)")
    events.create_tables(conn)


def build(path: Path, n: int, per_day: int, texts: Texts, params: EventParams) -> datetime:
    """Fill a fresh file with ``n`` stories; return the newest date."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before WAL mode, as the archive's
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    _tables(conn)
    step = timedelta(days=1) / per_day
    recent = min(n, 2 * per_day)
    rng = texts.rng
    chunk = 50_000
    newest = START + (n - 1) * step
    for first in range(0, n - recent, chunk):
        rows, keys, days = [], [], {}
        for i in range(first, min(n - recent, first + chunk)):
            published = START + i * step
            title = texts.title()
            rows.append((i + 1, title, texts.body(title), to_db(published), _url(i)))
            day = day_bucket(published)
            days[day] = days.get(day, 0) + 1
            keys += [((day << 32) | rng.getrandbits(32), i + 1) for _ in range(8)]
        keys.sort()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO stories (id, title, body, published, url) VALUES (?, ?, ?, ?, ?)", rows
        )
        conn.executemany(
            "INSERT INTO sources (story_id, feed_id) VALUES (?, ?)",
            [(r[0], r[0] % OUTLETS) for r in rows],
        )
        conn.executemany("INSERT OR IGNORE INTO event_keys VALUES (?, ?)", keys)
        conn.executemany(
            "INSERT INTO event_days VALUES (?, ?)"
            " ON CONFLICT(day) DO UPDATE SET stories = stories + excluded.stories",
            list(days.items()),
        )
        conn.execute("COMMIT")
        print(f"\r  building {first + len(rows):,}/{n:,}", end="", file=sys.stderr)
    conn.execute("BEGIN")
    fresh = []
    for i in range(n - recent, n):
        published = START + i * step
        title = texts.title() if i % 4 or not fresh else texts.retell(rng.choice(fresh)[1].title)
        story = Story(
            category="NEWS",
            title=title,
            published=published,
            body=texts.body(title),
            url=_url(i),
            lang="en",
        )
        conn.execute(
            "INSERT INTO stories (id, title, body, published, url) VALUES (?, ?, ?, ?, ?)",
            (i + 1, title, story.body, to_db(published), story.url),
        )
        conn.execute("INSERT INTO sources (story_id, feed_id) VALUES (?, ?)", (i + 1, i % OUTLETS))
        fresh.append((i + 1, story))
    events.group_stored(conn, fresh, params)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    print("\r" + " " * 40 + "\r", end="", file=sys.stderr)
    return newest


def _url(i: int) -> str:
    return f"https://outlet{i % OUTLETS}.example/{i}/story"


def batch(conn: sqlite3.Connection, texts: Texts, newest: datetime, n: int) -> list[Story]:
    """``n`` new stories of the newest hour: a quarter retell a recent story."""
    recent = [
        r[0]
        for r in conn.execute(
            "SELECT title FROM stories WHERE published >= ? ORDER BY id DESC LIMIT 2000",
            (to_db(newest - timedelta(hours=12)),),
        )
    ]
    rng = texts.rng
    out = []
    for j in range(n):
        title = texts.retell(rng.choice(recent)) if j % 4 == 0 and recent else texts.title()
        out.append(
            Story(
                category="NEWS",
                title=title,
                published=newest + timedelta(seconds=3 * j),
                body=texts.body(title),
                url=f"https://late{j % OUTLETS}.example/{rng.getrandbits(40)}/story",
                lang="en",
            )
        )
    return out


def time_batch(
    path: Path, stories: list[Story], params: EventParams, cache: events.DayCounts
) -> tuple[float, float, int]:
    """Group one batch in a transaction that is rolled back: (wall s, CPU s, joined).

    The stories' features are computed first, untimed, as the parser processes
    compute them at ingest; ``cache`` is the archive's :class:`DayCounts`, kept
    across rounds as the writer keeps it (the rollback makes it read the
    newest day again, as a failed poll would).
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        base = conn.execute("SELECT MAX(id) FROM stories").fetchone()[0]
        fresh = []
        for j, story in enumerate(stories, 1):
            conn.execute(
                "INSERT INTO stories (id, title, body, published, url) VALUES (?, ?, ?, ?, ?)",
                (base + j, story.title, story.body, to_db(story.published), story.url),
            )
            conn.execute("INSERT INTO sources (story_id, feed_id) VALUES (?, ?)", (base + j, j))
            fresh.append((base + j, story))
        features = [event_features(s.title, s.body) for s in stories]
        wall, cpu = time.perf_counter(), time.process_time()
        joined = events.group_stored(conn, fresh, params, features, cache)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    return wall, cpu, joined


def scale(args: argparse.Namespace, params: EventParams) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        built: dict[int, tuple[Path, Texts, datetime]] = {}
        for size in sizes:
            path = Path(tmp) / f"events-{size}.db"
            texts = Texts(seed=size)
            t0 = time.perf_counter()
            newest = build(path, size, args.per_day, texts, params)
            print(
                f"built {size:,} stories: {path.stat().st_size / 1e6:,.0f} MB"
                f" in {time.perf_counter() - t0:.0f}s",
                file=sys.stderr,
            )
            built[size] = (path, texts, newest)
        timings: dict[int, list[tuple[float, float]]] = {}
        joins: dict[int, int] = {}
        caches = {size: events.DayCounts() for size in built}
        for r in range(args.repeat + 1):
            for size, (path, texts, newest) in built.items():
                conn = sqlite3.connect(path)
                stories = batch(conn, texts, newest, args.batch if r else 200)
                conn.close()
                wall, cpu, joined = time_batch(path, stories, params, caches[size])
                if r:  # round 0 warms the page cache
                    timings.setdefault(size, []).append((wall, cpu))
                    joins[size] = joined
        results = []
        for size, (path, _, _) in built.items():
            cpu = statistics.median(t[1] for t in timings[size]) / args.batch * 1000
            wall = statistics.median(t[0] for t in timings[size]) / args.batch * 1000
            keys = sqlite3.connect(path).execute("SELECT COUNT(*) FROM event_keys").fetchone()[0]
            results.append((size, cpu, wall))
            print(
                f"{size:>9,} stories ({path.stat().st_size / 1e6:,.0f} MB, {keys:,} event keys):"
                f" grouping {cpu:.3f} ms/story CPU ({wall:.3f} wall);"
                f" last batch: {joins[size]} of {args.batch} joined an event"
            )
    first, base_cpu, base_wall = results[0]
    for size, cpu, wall in results[1:]:
        print(
            f"per-story cost at {size:,} / at {first:,}: {cpu / base_cpu:.2f}x CPU,"
            f" {wall / base_wall:.2f}x wall (target <= 1.5x)"
        )


def ingest(args: argparse.Namespace, params: EventParams) -> None:
    import feedparser  # type: ignore[import-untyped]

    from aggregator.app.config import Config, FetchConfig, ScheduleConfig
    from aggregator.app.core import open_app
    from aggregator.models import FeedConfig

    feeds = make_corpus(args.feeds, args.items)
    server = serve(feeds)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    rates: dict[str, list[float]] = {"floor": [], "off": [], "on": []}
    cpu: dict[str, list[float]] = {"off": [], "on": []}
    try:
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            parsed = sum(len(feedparser.parse(body).entries) for body in feeds.values())
            rates["floor"].append(parsed / (time.perf_counter() - t0))
            for mode in ("off", "on"):
                with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
                    config = Config(
                        fetch=FetchConfig(allow_private_addresses=True, concurrency=16),
                        schedule=ScheduleConfig(),
                        feeds=tuple(
                            FeedConfig(url=url + path, category="technology") for path in feeds
                        ),
                        events=replace(params, enabled=mode == "on"),
                    )
                    with open_app(config, db_path=Path(tmp) / "ingest.db") as app:
                        app.sync_feeds()
                        t0, c0 = time.perf_counter(), time.process_time()
                        results = app.poll()
                        secs = time.perf_counter() - t0
                        new = sum(r.counts.new for r in results)
                        rates[mode].append(new / secs)
                        cpu[mode].append((time.process_time() - c0) / max(new, 1) * 1000)
    finally:
        server.shutdown()
    floor, off, on = (statistics.median(rates[k]) for k in ("floor", "off", "on"))
    print(
        f"ingest of {args.feeds * args.items:,} items (median of {args.repeat}):"
        f" feedparser alone {floor:,.0f} items/s (the floor);"
        f" pipeline without events {off:,.0f} stories/s = {off / floor:.2f}x,"
        f" with events {on:,.0f} stories/s = {on / floor:.2f}x the floor (target >= 1.2x);"
        f" grouping costs {(off / on - 1) * 100:.0f}% of the poll's time"
    )
    # The writer (this process) is the poll's critical path; its CPU time varies less
    # than wall time on a shared machine.
    cpu_off, cpu_on = (statistics.median(cpu[k]) for k in ("off", "on"))
    print(
        f"writer process CPU per story: {cpu_off:.3f} ms without events,"
        f" {cpu_on:.3f} ms with events (+{cpu_on - cpu_off:.3f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--per-day", type=int, default=2000, help="stories per day in the archive")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (median)")
    parser.add_argument("--feeds", type=int, default=60, help="feeds of the ingest corpus")
    parser.add_argument("--items", type=int, default=50, help="items per feed")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--dir", help="where to build the archives (default: a temporary folder)")
    args = parser.parse_args()
    params = EventParams()
    print(f"[events] {params}")
    if not args.skip_scale:
        scale(args, params)
    if not args.skip_ingest:
        ingest(args, params)


if __name__ == "__main__":
    main()
