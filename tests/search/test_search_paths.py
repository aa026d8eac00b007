"""The search paths for a million stories: prefixes written out, a feed's stories by index.

Each optimised path is compared with the plain one on a real archive: a prefix
of common words written out as its words (``search_terms``) finds the same
stories in the same order as the prefix itself; ``--feed`` and ``latest
--feed`` find the same stories as a straightforward SQL filter; an archive of
schema 7 is migrated in place.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import aggregator.store._searchplan as plan_module
from aggregator.search.query import to_fts5
from aggregator.store import search_terms
from aggregator.store.archive import SCHEMA_VERSION, Archive
from aggregator.store.search import SearchResults, latest, search
from aggregator.timeutil import to_db_seconds

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
N = 2400
FEEDS = 6

# Common words that start with "priv" and "agr" ("agreed" is stored as its stem
# "agre", which is not its own stem: written out, it would change), rare ones,
# and words glued to Chinese text (one token each in stories_fts).
COMMON = ["privacy", "private", "agreed", "the", "report"]
RARE = ["privilege", "privy", "prive", "privateers", "agrarian", "agreements", "agrees"]
GLUED = ["privacy与铜", "Private市场", "agreed了"]


def _fill(path: Path, first: int, last: int, *, extra: str = "") -> None:
    """Stories ``first`` to ``last`` with known words, feeds, dates; some arrive late."""
    rng = random.Random(first)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for i in range(first, last + 1):
        age = timedelta(hours=(N - i) * 3)
        if rng.random() < 0.1:
            age += timedelta(days=rng.uniform(0, 40))  # archived late, or imported
        if rng.random() < 0.02:
            age -= timedelta(days=rng.uniform(0, 20))  # dated later than archived
        if rng.random() < 0.02:  # archived long ago, dated in the last weeks
            age = timedelta(hours=rng.uniform(0, 600))
        words = [w for w in COMMON if rng.random() < 0.3]
        words += [w for w in RARE if rng.random() < 0.003]
        words += [w for w in GLUED if rng.random() < 0.003]
        filler = " ".join(f"w{rng.randrange(50_000)}" for _ in range(12))
        title = " ".join(rng.sample(words, min(2, len(words))) + [f"t{i}"])
        published = to_db_seconds(NOW - age)  # as the archive keeps it (schema 10)
        conn.execute(
            "INSERT INTO stories (id, category, title, body, published, url)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                i,
                rng.choice(["TECHNOLOGY", "SECURITY"]),
                title,
                f"{' '.join(words)} {filler} {extra}",
                published,
                f"u{i}",
            ),
        )
        feed = rng.randint(1, FEEDS)
        conn.execute(
            "INSERT INTO sources (story_id, feed_id, url, guid, seen_at) VALUES (?, ?, ?, ?, ?)",
            (i, feed, f"u{i}", f"g{i}", published),
        )
        if rng.random() < 0.2:  # also carried by another feed
            conn.execute(
                "INSERT INTO sources (story_id, feed_id, url, guid, seen_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (i, feed % FEEDS + 1, f"v{i}", f"h{i}", published),
            )
    conn.execute("COMMIT")
    conn.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("paths") / "news.db"
    Archive(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executemany(
        "INSERT INTO feeds (id, url, config_url, category, title, added_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (f, f"https://f{f}.example/rss", f"https://f{f}.example/rss", "x", f"Feed {f}", "x")
            for f in range(1, FEEDS + 1)
        ],
    )
    conn.close()
    _fill(path, 1, N - 100)
    with Archive(path) as a:
        a.maintain()  # counts the common words
    # Stories archived since: a word the count has not seen ("privquux").
    _fill(path, N - 99, N, extra="privquux")
    return path


def plain_sql(path: Path, query: str, feed: int | None = None) -> list[int]:
    """Every match (and of a feed), newest first by date: plain SQL."""
    sql = (
        "SELECT s.published, s.id FROM stories_fts f JOIN stories s ON s.id = f.rowid"
        " WHERE stories_fts MATCH ?"
    )
    params: list[object] = [to_fts5(query)]
    if feed is not None:
        sql += " AND s.id IN (SELECT story_id FROM sources WHERE feed_id = ?)"
        params.append(feed)
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(sql, params).fetchall()
    finally:
        conn.close()
    return [i for _, i in sorted(rows, reverse=True)]


def test_common_words_are_counted(archive: Path) -> None:
    conn = sqlite3.connect(archive)
    try:
        terms = dict(conn.execute("SELECT term, docs FROM search_terms").fetchall())
    finally:
        conn.close()
    # Stems, as the index has them; about 30% of the stories each.
    assert {"privaci", "privat", "agre", "the", "report"} <= set(terms)
    assert all(400 < terms[t] < 1100 for t in ("privaci", "privat", "agre"))
    assert not {"privileg", "privi", "w1"} & set(terms)


@pytest.mark.parametrize(
    ("prefix", "written"),
    [
        ("priv*", True),
        ("pri*", True),
        ("privat*", True),
        # "agre" (from "agreed") is not its own stem, and no narrower prefix covers it.
        ("agr*", False),
        ("agre*", False),
        ("title:priv*", True),
        ("rep*", True),
        ("w12*", False),  # no common word: the prefix costs little as it is
        ('"the priv"*', False),  # a phrase's last word
    ],
)
def test_prefixes_of_common_words_are_written_out(
    archive: Path, prefix: str, written: bool
) -> None:
    expr = to_fts5(prefix)
    conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    try:
        out, glued = plan_module.expand_prefixes(conn, expr)
        plain = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? ORDER BY rowid DESC",
                (expr,),
            )
        ]
        # Written out without the words glued to Chinese text: their stories come
        # from stories_cjk, where those words stand apart.
        fast = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? UNION"
                " SELECT rowid FROM stories_cjk WHERE stories_cjk MATCH ? AND ?"
                " ORDER BY 1 DESC",
                (out, expr, glued),
            )
        ]
    finally:
        conn.close()
    assert (out != expr) == written, out
    assert fast == plain
    assert plain, "the case should match something"
    # "privacy与铜" and "private市场" are left out of the prefixes that start them.
    assert glued == (written and prefix.startswith(("pri", "title:pri"))), out
    assert "与" not in out and "市" not in out


def test_words_archived_after_the_count_are_found(archive: Path) -> None:
    expr = to_fts5("priv*")
    conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    try:
        out, glued = plan_module.expand_prefixes(conn, expr)
    finally:
        conn.close()
    assert glued, "the words glued to Chinese text are left out"
    assert "与" not in out and "市" not in out
    assert '"privat"' in out and '"privquux"' in out
    # Every one of them has the new word, about half of them no other word of the prefix.
    conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    try:
        found = {
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? AND rowid > ?",
                (out, N - 100),
            )
        }
    finally:
        conn.close()
    assert found == set(range(N - 99, N + 1))


CASES = [
    ("priv*", {}),
    ("agr*", {}),
    ("pri* report", {}),
    ("priv* -agreed", {}),
    ("title:priv*", {}),
    ("priv*", {"feed": "Feed 3"}),
    ("agre*", {"since": NOW - timedelta(days=60)}),
    ("priv*", {"until": NOW - timedelta(days=150)}),
    ("rep*", {"category": "security"}),
]


def two_pages(
    archive: Path, query: str, sort: str, filters: dict[str, object]
) -> list[SearchResults]:
    """The first two pages of 15 of a search, as the plans being compared give them."""
    return [
        search(archive, query, sort=sort, limit=15, offset=offset, now=NOW, **filters)  # type: ignore[arg-type]
        for offset in (0, 15)
    ]


@pytest.mark.parametrize(("query", "filters"), CASES)
@pytest.mark.parametrize("sort", ["date", "relevance"])
def test_written_out_prefixes_give_the_same_pages(
    archive: Path,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    filters: dict[str, object],
    sort: str,
) -> None:
    pages = []
    for expand in (True, False):
        if not expand:
            monkeypatch.setattr(plan_module, "expand_prefixes", lambda conn, expr: (expr, False))
        pages.append(two_pages(archive, query, sort, filters))
    assert pages[0] == pages[1]
    assert pages[0][0].hits


@pytest.mark.parametrize("query", ["priv*", "privat*", "pri* report", "priv* -report"])
@pytest.mark.parametrize("feed", [None, 2])
def test_prefixes_find_the_stories_of_glued_words(
    archive: Path, query: str, feed: int | None
) -> None:
    # Every match, in date order: the stories where the prefix starts only a word
    # glued to Chinese text ("privacy与铜") come from stories_cjk, merged in.
    want = plain_sql(archive, query, feed)
    glued = set(plain_sql(archive, "privacy与铜 OR Private市场"))
    assert len(want) < 2000 and glued & set(want), "the case should hold glued words"
    found = search(
        archive,
        query,
        sort="date",
        limit=2000,
        now=NOW,
        feed=None if feed is None else f"Feed {feed}",
    )
    assert [h.id for h in found.hits] == want
    assert found.total == len(want) and found.exact_total
    ranked = search(archive, query, limit=2000, now=NOW)
    assert sorted(h.id for h in ranked.hits) == sorted(plain_sql(archive, query))


@pytest.mark.parametrize("query", ["the", "report", "privacy", "agr*"])
@pytest.mark.parametrize("feed", [1, 4])
def test_feed_search_finds_what_sql_finds(archive: Path, query: str, feed: int) -> None:
    want = plain_sql(archive, query, feed)
    found = search(archive, query, sort="date", feed=f"Feed {feed}", limit=25, now=NOW)
    assert [h.id for h in found.hits] == want[:25]
    relevant = search(archive, query, feed=f"Feed {feed}", limit=25, now=NOW)
    assert {h.id for h in relevant.hits} <= set(want)
    assert len(relevant.hits) == min(25, len(want))


def _latest_sql(path: Path, feed: int, **where: str | int) -> list[int]:
    sql = "SELECT id FROM stories WHERE id IN (SELECT story_id FROM sources WHERE feed_id = ?)"
    params: list[object] = [feed]
    for cond, value in where.items():
        sql += {"since": " AND published >= ?", "until": " AND published < ?"}.get(
            cond, " AND category = ?"
        )
        params.append(value)
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute(sql + " ORDER BY published DESC, id DESC", params)]
    finally:
        conn.close()


@pytest.mark.parametrize("feed", [1, 2, 5])
def test_latest_of_a_feed_is_what_sql_lists(archive: Path, feed: int) -> None:
    want = _latest_sql(archive, feed)
    assert len(want) > 402, "the feed should be longer than the newest ids read first"
    for offset in (0, 20, 180, 390):
        page = latest(archive, feed=f"Feed {feed}", limit=20, offset=offset)
        assert [h.id for h in page.hits] == want[offset : offset + 20]
    first = latest(archive, feed=f"Feed {feed}")
    assert first.total == 200 and not first.exact_total
    until = NOW - timedelta(days=100)
    page = latest(archive, feed=f"Feed {feed}", until=until, limit=30)
    assert [h.id for h in page.hits] == _latest_sql(archive, feed, until=to_db_seconds(until))[:30]
    page = latest(archive, feed=f"Feed {feed}", category="security", limit=30)
    assert [h.id for h in page.hits] == _latest_sql(archive, feed, category="SECURITY")[:30]


def test_an_archive_of_schema_7_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Archive(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO feeds (id, url, config_url, category, title, added_at)"
        " VALUES (1, 'https://f.example/rss', 'https://f.example/rss', 'x', 'Feed 1', 'x')"
    )
    conn.close()
    _fill(path, 1, 300)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP INDEX sources_feed_story")
    conn.execute("DROP TABLE IF EXISTS search_terms")
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    before = search(path, "priv*", sort="date", limit=50, now=NOW)
    before_feed = latest(path, feed="Feed 1", limit=50)
    assert before.hits and before_feed.hits
    with Archive(path) as a:
        version = a.conn.execute("PRAGMA user_version").fetchone()[0]
        indexes = {r[1] for r in a.conn.execute("PRAGMA index_list(sources)")}
        terms = {r[0] for r in a.conn.execute("SELECT term FROM search_terms")}
    assert version == SCHEMA_VERSION == 10
    assert "sources_feed_story" in indexes
    assert {"privaci", "privat", "agre"} <= terms
    assert search(path, "priv*", sort="date", limit=50, now=NOW) == before
    assert latest(path, feed="Feed 1", limit=50) == before_feed


def test_maintain_recounts_the_common_words(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    Archive(path).close()
    _fill(path, 1, 200)
    conn = sqlite3.connect(path, isolation_level=None)
    # A new archive has no table of common words (an empty one would cost a page): the
    # first maintain creates it.
    assert (
        conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_terms'").fetchone() is None
    )
    conn.close()
    with Archive(path) as a:
        a.maintain()
        terms = {r[0] for r in a.conn.execute("SELECT term FROM search_terms")}
        # Only the newest stories are read: the count is an estimate for the planner.
        assert search_terms.refresh(a.conn, sample=10) >= 1
    assert {"privaci", "privat", "the"} <= terms


def test_the_recency_clock_holds_still_for_an_hour() -> None:
    # Scores (and so the order of equal-looking hits, page after page) must not change
    # between two runs of one query a moment apart: the clock is this hour, not this
    # microsecond, unless a time is given.
    before = datetime.now(UTC)
    clock = plan_module.recency_clock()
    assert (clock.minute, clock.second, clock.microsecond) == (0, 0, 0)
    assert before - timedelta(hours=1) < clock <= before
    given = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert plan_module.recency_clock(given) == given


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("the", {}),
        ("the", {"feed": "Feed 3"}),
        ("report privacy", {}),
        ("privacy -agreed", {"feed": "Feed 1"}),
        ('"the report" privacy', {"until": NOW - timedelta(days=60)}),
        ("title:report the", {}),
    ],
)
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_leaving_out_absent_hashtag_twins_changes_no_page(
    archive: Path,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    filters: dict[str, object],
    sort: str,
) -> None:
    # No story of this archive has a hashtag: every twin ("#the") is left out of
    # the statements. Pages, scores, snippets and totals are those of the
    # expressions with their twins.
    conn = sqlite3.connect(archive)
    try:
        plan = plan_module.Plan(conn, query, to_fts5(query), plan_module.Filters())
        assert '"#' in plan.expr and '"#' not in plan.lean(plan.expr)
    finally:
        conn.close()
    pages = []
    for lean in (True, False):
        if not lean:
            monkeypatch.setattr(plan_module.Plan, "lean", lambda self, expr: expr)
        pages.append(two_pages(archive, query, sort, filters))
    assert pages[0] == pages[1]
    assert pages[0][0].hits


def test_hashtag_twins_in_the_index_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "tags.db"
    Archive(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    for i, (title, body) in enumerate(
        [("Rust 2.0", "rust is out"), ("Crab day", "#rust fans met"), ("Go", "go is out")], 1
    ):
        conn.execute(
            "INSERT INTO stories (id, category, title, body, published, url)"
            " VALUES (?, 'TECHNOLOGY', ?, ?, ?, ?)",
            (i, title, body, f"2026-10-0{i}T00:00:00Z", f"u{i}"),
        )
    plan = plan_module.Plan(conn, "rust", to_fts5("rust"), plan_module.Filters())
    assert plan.lean(plan.expr) == plan.expr
    assert plan.lean('("go" OR "#go")') == '("go")'
    conn.close()
    assert sorted(h.id for h in search(path, "rust", now=NOW).hits) == [1, 2]
    assert sorted(h.id for h in search(path, "#rust", now=NOW).hits) == [1, 2]
