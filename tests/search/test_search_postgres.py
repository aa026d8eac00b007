"""PostgreSQL search's plans against the plain query, on a real archive.

The archive: English feeds of the shared corpus, polled through the CLI into a
fresh database of the session's throwaway server, once with every story still
in the default partition (as fetched: the months have no partition yet) and
once after ``aggregator maintain`` has given each month its partition. Each
plan that :func:`aggregator.store.pg.search.candidates` can choose (walking
the date index, a GIN bitmap per partition, one bitmap over all) is forced in
turn through its cost constants, and must return exactly what the plain query
returns: every match, newest ``(published, id)`` first, with its ``ts_rank``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from click.testing import CliRunner
from conftest import CORPUS, fresh_database, make_config_text
from support.httpserver import FeedServer
from support.pgserver import PostgresServer

from aggregator.cli.main import cli
from aggregator.store.engine import open_archive
from aggregator.store.pg import search as pg
from aggregator.store.pg.dialect import PgConnection
from aggregator.store.search import search

FEEDS = (
    "404media_2026__fastfeedparser.xml",
    "arch-linux-news_2025__newsyacht-arch.xml",
    "cloudflare-blog__feed-rs-rss_2.0_cloudflare.xml",
    "daringfireball_2017__netnewswire-DaringFireball.atom",
    "google-blog_2013__picofeed-googleblog.xml",
    "guardian-world_2022__feeder-rss_theguardian.xml",
    "hackernews_2025__newsyacht-hn.xml",
    "kottke_2026__fastfeedparser.xml",
    "macworld_2017__netnewswire-macworld.rss",
    "nyt-technology_2017__rubycocos-nytimes-tech.rss",
    "openstreetmap-blog_2017__rubycocos.rss",
    "restofworld_2026__fastfeedparser.xml",
    "scripting-news_2017__netnewswire-scriptingNews.rss",
    "slashdot_2024__feeder-rdf_slashdot.xml",
    "stratechery_2026__fastfeedparser.xml",
    "techcrunch_2011__feedjira-TechCrunch.xml",
    "theverge-allposts_2017__codehollow-AtomVergeAllPosts.xml",
    "tpm-news_2017__node-feedparser-tpm.atom",
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)

PLANS = {
    # Walking each partition's date index, newest first.
    "walk": {"_WALK_US": 0.0, "_FEW": 0.0},
    # Every match of each partition from its GIN index, partition by partition.
    "bitmap": {"_MATCH_US": 0.0, "_RECHECK_US": 0.0, "_FEW": 0.0},
    # One bitmap over every partition in the range.
    "one": {"_FEW": 1e12},
    # Each partition's bitmap in two: its newest stories first, then the older ones.
    "slices": {
        "_MATCH_US": 0.0,
        "_RECHECK_US": 0.0,
        "_FEW": 0.0,
        "_AHEAD": 1e-9,
        "_SLICE": 1.0,
        "_SLICE_MIN": 0,
        "_EDGES": (1, 3),
        "_HEADS": 1000,
    },
}


@pytest.fixture(scope="module")
def fetched(pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The corpus feeds polled into a fresh database (stories in the default partition)."""
    if not (CORPUS / "real-feeds").is_dir():
        pytest.skip(f"feed corpus not found at {CORPUS} (set AGGREGATOR_CORPUS)")
    url = fresh_database(pg_server)
    folder = tmp_path_factory.mktemp("pgsearch")
    with FeedServer() as server:
        for i, name in enumerate(FEEDS):
            server.add(f"/f{i}.xml", (CORPUS / "real-feeds" / name).read_bytes())
        feeds = [{"url": server.url(f"/f{i}.xml")} for i in range(len(FEEDS))]
        config = folder / "aggregator.toml"
        config.write_text(make_config_text(feeds, archive={"url": url}), encoding="utf-8")
        failed: dict[str, str] = {}
        ok: set[str] = set()
        for _ in range(3):  # a busy machine may time out a connection: poll again
            result = CliRunner().invoke(cli, ["--config", str(config), "fetch", "--json"])
            assert result.exit_code == 0, result.stderr
            outcomes = json.loads(result.stdout)
            ok |= {r["feed"] for r in outcomes if r["outcome"] != "error"}
            failed = {r["feed"]: r["error"] for r in outcomes if r["feed"] not in ok}
            if not failed:
                break
    assert not failed, failed
    return url


@pytest.fixture(scope="module", params=["default", "partitioned"])
def archive(
    request: pytest.FixtureRequest, fetched: str, pg_server: PostgresServer
) -> Iterator[str]:
    """The fetched archive as fetched, or a copy after ``maintain`` partitioned it by month."""
    if request.param == "default":
        yield fetched
        return
    from aggregator.store.pg.connection import close_pools

    close_pools()  # a template database must have no connections
    name = f"{fetched.rsplit('/', 1)[1]}_by_month"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {fetched.rsplit('/', 1)[1]}")
    url = pg_server.dsn(name)
    with open_archive(url) as a:
        a.maintain()
    months = count(url, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'stories'::regclass")
    assert months > 12, "the corpus spans years: many partitions"
    assert count(url, "SELECT count(*) FROM stories_default") == 0
    yield url


def count(url: str, sql: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return int(conn.execute(sql).fetchone()[0])  # type: ignore[index]


def words(url: str) -> dict[str, str]:
    """Queries picked from the archive itself: its commonest word, a prefix, a rare word..."""
    with psycopg.connect(url, autocommit=True) as conn:
        stats = conn.execute(
            "SELECT word, ndoc FROM ts_stat('SELECT search FROM stories')"
            " WHERE word ~ '^[a-z]{4,}$' ORDER BY ndoc DESC, word"
        ).fetchall()
    common = str(stats[0][0])
    rare = next(str(w) for w, n in stats if 3 <= n <= 8)
    return {"common": common, "prefix": common[:3] + "*", "rare": rare}


def plain(
    conn: PgConnection, query: str, *, since: str | None = None, until: str | None = None
) -> list[tuple[int, str, float]]:
    """Every match, newest first, with its rank: the plain query."""
    full, positive = pg.compile_query(conn, query)
    sql = (
        "SELECT id, published, ts_rank('{0.0, 0.05, 0.1, 1.0}'::float4[], search, ?::tsquery)"
        " FROM stories WHERE search @@ ?::tsquery"
    )
    params: list[object] = [positive, full]
    if since:
        sql += " AND published >= ?"
        params.append(since)
    if until:
        sql += " AND published < ?"
        params.append(until)
    rows = conn.execute(sql + " ORDER BY published DESC, id DESC", params).fetchall()
    return [(int(r[0]), str(r[1]), float(r[2])) for r in rows]


def open_conn(url: str) -> PgConnection:
    return PgConnection(psycopg.connect(url, autocommit=True), "test")


QUERIES = [
    ("common", {}),
    ("prefix", {}),
    ("rare", {}),
    ('"of the"', {}),
    ("title:{common}", {}),
    ("title:{common} -title:{rare}", {}),
    ("{prefix} title:{common}", {}),
    ("body:{common}", {}),
    ('"of the" -{rare}', {}),
    ("{common} -{rare}", {}),
    ("{common}", {"since": "2017-01-01T00:00:00Z", "until": "2025-06-01T00:00:00Z"}),
]


@pytest.mark.parametrize("plan", sorted(PLANS))
@pytest.mark.parametrize(("shape", "dates"), QUERIES)
def test_every_plan_returns_the_newest_matches_of_the_plain_query(
    archive: str,
    monkeypatch: pytest.MonkeyPatch,
    plan: str,
    shape: str,
    dates: dict[str, str],
) -> None:
    picked = words(archive)
    query = picked.get(shape) or shape.format(**picked)
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(pg, name, value)
    conn = open_conn(archive)
    try:
        want = plain(conn, query, **dates)
        assert want, f"{query!r} should match something"
        full, positive = pg.compile_query(conn, query)
        conds = []
        params = []
        if dates.get("since"):
            conds.append("s.published >= ?")
            params.append(dates["since"])
        if dates.get("until"):
            conds.append("s.published < ?")
            params.append(dates["until"])
        for n in (1, 7, 40, len(want) + 5):
            got = pg.candidates(conn, full, conds, params, n, rank=positive, **dates)
            assert [(r[0], r[1]) for r in got] == [(i, p) for i, p, _ in want[:n]], n
            assert all(
                math.isclose(float(r[2]), rank, rel_tol=1e-6)
                for r, (_, _, rank) in zip(got, want, strict=False)
            )
    finally:
        conn.raw.close()  # type: ignore[union-attr]


@pytest.mark.parametrize("shape", ["common", "prefix", "rare"])
def test_search_ranks_the_newest_candidates_and_counts_them(
    archive: str, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    query = words(archive)[shape]
    monkeypatch.setattr(pg, "CANDIDATES", 30)
    conn = open_conn(archive)
    try:
        want = plain(conn, query)
    finally:
        conn.raw.close()  # type: ignore[union-attr]
    cands = want[:30]

    def score(published: str, rank: float) -> float:
        age = (NOW - datetime.fromisoformat(published)) / timedelta(days=1)
        return rank * 10.0 * (1.0 + 0.2 * 0.5 ** (max(0.0, age) / 30.0))

    best = sorted(cands, key=lambda c: (-score(c[1], c[2]), -c[0]))
    results = search(archive, query, limit=10, now=NOW)
    assert [h.id for h in results.hits] == [c[0] for c in best[:10]]
    assert results.total == len(cands)
    assert results.exact_total == (len(want) <= 30)
    by_date = search(archive, query, sort="date", limit=10, offset=5, now=NOW)
    assert [h.id for h in by_date.hits] == [c[0] for c in want[5:15]]
    if shape == "common":
        assert len(want) > 30 and not results.exact_total


def biggest_feed(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT feed_id FROM sources GROUP BY feed_id ORDER BY count(*) DESC, feed_id LIMIT 1"
        ).fetchone()
    return int(row[0])  # type: ignore[index]


@pytest.mark.parametrize("bitmaps", [True, False])
@pytest.mark.parametrize("by_ids", [True, False])
@pytest.mark.parametrize("shape", ["common", "rare-in-feed", '"of the"', "title:{common}"])
def test_a_feeds_search_returns_the_newest_matches_among_its_stories(
    archive: str, monkeypatch: pytest.MonkeyPatch, by_ids: bool, shape: str, bitmaps: bool
) -> None:
    """``--feed``: by the feed's story ids (through story_ids' dates) or checked per story.

    By ids, each batch of them is checked with one bitmap per month or by a
    join reading each story (``bitmaps``).
    """
    monkeypatch.setattr(pg, "_AMONG_BITMAP", 1.0 if bitmaps else 0.0)
    feed = biggest_feed(archive)
    picked = words(archive)
    with psycopg.connect(archive, autocommit=True) as conn:
        # A word of this feed's stories that few of them hold.
        picked["rare-in-feed"] = str(
            conn.execute(
                "SELECT word FROM ts_stat($$SELECT s.search FROM stories s WHERE s.id IN"
                f" (SELECT story_id FROM sources WHERE feed_id = {feed})$$)"
                " WHERE word ~ '^[a-z]{5,}$' AND ndoc BETWEEN 2 AND 6 ORDER BY word LIMIT 1"
            ).fetchone()[0]  # type: ignore[index]
        )
    query = picked.get(shape) or shape.format(**picked)
    monkeypatch.setattr(pg, "FEED_STORIES", 10**9 if by_ids else 0)
    monkeypatch.setattr(pg, "CANDIDATES", 25)
    want = feed_matches(archive, query, "so.feed_id = ?", feed)
    assert want, f"{query!r} should match something in feed {feed}"
    got = search(archive, query, feed=str(feed), sort="date", limit=10, now=NOW)
    assert [h.id for h in got.hits] == want[:10]
    assert got.total == min(len(want), 25)
    assert got.exact_total == (len(want) <= 25)
    small = {"_AHEAD": 1e-9, "_BATCH": 2}  # the feed's stories a few at a time, newest first
    for plan in [*PLANS.values(), small]:  # the density, whatever it is, only sizes batches
        with monkeypatch.context() as m:
            for name, value in plan.items():
                m.setattr(pg, name, value)
            again = search(archive, query, feed=str(feed), sort="date", limit=7, offset=3, now=NOW)
            assert [h.id for h in again.hits] == want[3:10]


def feed_matches(url: str, query: str, source: str, value: object) -> list[int]:
    """Ids of the plain query among stories with a source where ``source``, newest first."""
    conn = open_conn(url)
    try:
        full, _ = pg.compile_query(conn, query)
        return [
            int(r[0])
            for r in conn.execute(
                "SELECT id FROM stories s WHERE search @@ ?::tsquery AND EXISTS (SELECT 1"
                f" FROM sources so WHERE so.story_id = s.id AND {source})"
                " ORDER BY published DESC, id DESC",
                (full, value),
            )
        ]
    finally:
        conn.raw.close()  # type: ignore[union-attr]


@pytest.mark.parametrize("by_ids", [True, False])
def test_a_removed_feeds_stories_are_found_by_the_url_their_sources_keep(
    fetched: str, pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch, by_ids: bool
) -> None:
    """``--feed URL`` of a feed no longer in ``feeds``: its sources keep the URL."""
    from aggregator.store.pg.connection import close_pools

    close_pools()  # a template database must have no connections
    name = f"{fetched.rsplit('/', 1)[1]}_removed_{int(by_ids)}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {fetched.rsplit('/', 1)[1]}")
    url = pg_server.dsn(name)
    feed = biggest_feed(url)
    with psycopg.connect(url, autocommit=True) as conn:
        feed_url = str(conn.execute("SELECT url FROM feeds WHERE id = %s", (feed,)).fetchone()[0])  # type: ignore[index]
    with open_archive(url) as a:
        a.remove_feed(feed_url)  # type: ignore[attr-defined]
    query = words(url)["common"]
    want = feed_matches(url, query, "so.feed_id IS NULL AND so.feed_url = ?", feed_url)
    assert want, f"{query!r} should match stories of the removed feed"
    monkeypatch.setattr(pg, "FEED_STORIES", 10**9 if by_ids else 0)
    got = search(url, query, feed=feed_url, sort="date", limit=10, now=NOW)
    assert [h.id for h in got.hits] == want[:10]
    assert got.total == min(len(want), pg.CANDIDATES)


def test_a_months_overlap_with_the_dates_asked_for() -> None:
    """A month a bound only touches counts as none of its stories (its walk is then chosen)."""
    from aggregator.store.pg.partitions import Partition

    jan = Partition("stories_2025_01", "2025-01", "2025-02", 31.0)
    assert pg._overlap(jan, None, None) == 1.0
    assert pg._overlap(jan, None, "2025-01-01T00:00:00Z") == 0.0
    assert pg._overlap(jan, "2025-01-25T00:00:00Z", None) == pytest.approx(7 / 31)
    assert pg._overlap(jan, "2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z") == pytest.approx(1 / 31)
    assert (
        pg._overlap(Partition("stories_default", None, None, 5.0), "2025-01-02T00:00:00Z", None)
        == 1.0
    )
    conds = ["s.published >= ?", "s.published < ?", "s.category = ?"]
    assert pg._without_dates(conds, ["a", "b", "TECH"]) == (["s.category = ?"], ["TECH"])
