"""Search end to end on real archives: filters, ranking, snippets, counts, output safety.

The query language itself is tested in test_query.py; here every test goes
through :func:`aggregator.store.search.search` or the CLI (both paths) on real SQLite
files, and the planner's answers are checked against plain SQL.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from conftest import fresh_database

import aggregator.store._searchplan as plan_module
from aggregator.cli.main import cli
from aggregator.cli.search import parse, run
from aggregator.models import FeedConfig, Story
from aggregator.search.query import to_fts5
from aggregator.store.archive import Archive, FeedUpdate
from aggregator.store.engine import open_archive
from aggregator.store.search import SearchResults, search
from aggregator.timeutil import to_db_seconds

NOW = datetime.now(UTC).replace(microsecond=0)
ESC_LIKE = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e")

LWN = "https://lwn.example/headlines/rss"
ARS = "https://ars.example/feed"


def words(seed: int, n: int = 40) -> str:
    """Distinct filler text, so near-duplicate detection keeps every story apart."""
    rng = random.Random(seed)
    syllables = "ka lo mi nu pe ra si to vu ze ba de fi go hu".split()
    return " ".join(
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(n)
    )


def story(n: int, title: str, body: str, *, age: timedelta, category: str = "TECHNOLOGY") -> Story:
    return Story(
        category=category,
        title=title,
        published=NOW - age,
        body=f"{body}\n\n{words(n)}",
        questions=(f"What does {title.split()[0]} change?",),
        url=f"https://news.example/{n}",
        canonical_url=f"https://news.example/{n}",
        guid=f"g{n}",
    )


STORIES = {
    "rust_async": story(
        1,
        "Rust 1.80 ships async closures",
        "The Rust release brings async closures.",
        age=timedelta(days=2),
    ),
    "rust_safety": story(
        2,
        "Memory safety: Rust and C++ compared",
        "Rust checks borrows; C++ relies on discipline. Rust wins on safety, rust fans say.",
        age=timedelta(days=40),
        category="SECURITY",
    ),
    "go": story(3, "Go 1.23 released", "Range over functions lands.", age=timedelta(hours=1)),
    "python": story(
        4, "Python 3.13 drops the GIL", "Free threading arrives.", age=timedelta(days=10)
    ),
    "hostile": story(
        5,
        "Evil \x1b[31mred\x1b[0m rust \x1b]0;pwned\x07 title",
        "Click \x1b]8;;http://evil.example\x1b\\here\x1b]8;;\x1b\\ for rust news"
        " \x9b31m and \u202eesrever text",
        age=timedelta(days=5),
        category="SECURITY",
    ),
    "roundup": story(
        7,
        "Weekly news roundup",
        "Among many things this week, one note about rust tooling.",
        age=timedelta(days=1),
    ),
    "kernel_old": story(
        8,
        "Kernel maintainers on the kernel scheduler",
        "The kernel scheduler, kernel locks and kernel memory: kernel hackers met.",
        age=timedelta(days=700),
    ),
    "kernel_new": story(
        9, "Desktop news", "A laptop review mentions the kernel once.", age=timedelta(days=1)
    ),
}
IMPORTED = {
    "rust_old": story(
        6, "Rust in the Linux kernel", "Rust drivers merged.", age=timedelta(days=700)
    ),
}
FEEDS = {
    "rust_async": LWN,
    "go": LWN,
    "python": LWN,
    "roundup": LWN,
    "kernel_old": LWN,
    "kernel_new": LWN,
    "rust_safety": ARS,
    "hostile": ARS,
}


def build_small(path: Path | str) -> dict[str, int]:
    """The small archive: two feeds, one imported story; returns ids by name."""
    ids: dict[str, int] = {}
    with open_archive(path) as archive:
        archive.sync_feeds(
            [
                FeedConfig(url=LWN, category="technology", title="LWN.net"),
                FeedConfig(url=ARS, category="security", title="Ars Technica"),
            ],
            now=NOW,
        )
        by_url = {f.url: f for f in archive.list_feeds()}
        update = FeedUpdate(status="new", fetched_at=NOW, next_fetch=NOW + timedelta(hours=1))
        for name, s in STORIES.items():
            archive.store_poll(by_url[FEEDS[name]], [s], update)
        archive.import_stories(IMPORTED.values(), now=NOW)
        for name, s in {**STORIES, **IMPORTED}.items():
            row = archive.conn.execute("SELECT id FROM stories WHERE url = ?", (s.url,)).fetchone()
            ids[name] = row[0]
    return ids


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def small(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[Path, dict[str, int]]:
    """The small archive on each engine (a file, or a database's URL passed as the path)."""
    if request.param == "postgresql":
        url = fresh_database(request.getfixturevalue("pg_server"))
        return url, build_small(url)  # type: ignore[return-value]
    path = tmp_path_factory.mktemp("small") / "news.db"
    return path, build_small(path)


def found(results: SearchResults, ids: dict[str, int]) -> list[str]:
    names = {v: k for k, v in ids.items()}
    return [names.get(h.id, str(h.id)) for h in results.hits]


# -- the query forms through search() -------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rust async", {"rust_async"}),
        ('"async closures"', {"rust_async"}),
        ("go OR python", {"go", "python"}),
        ("rust -kernel -safety -roundup -evil", {"rust_async"}),
        ("rust NOT c++", {"rust_async", "hostile", "roundup", "rust_old"}),
        ("pyth*", {"python"}),
        ("title:kernel", {"kernel_old", "rust_old"}),
        ("title:rust release", {"rust_async"}),
        ("C++", {"rust_safety"}),
        ("multi-agent", set()),
    ],
)
def test_query_forms(small: tuple[Path, dict[str, int]], query: str, expected: set[str]) -> None:
    path, ids = small
    results = search(path, query, now=NOW)
    assert set(found(results, ids)) == expected
    assert results.total == len(expected) and results.exact_total


def test_title_matches_rank_above_body_matches(small: tuple[Path, dict[str, int]]) -> None:
    path, ids = small
    names = found(search(path, "rust", now=NOW), ids)
    assert names[-1] == "roundup"  # "rust" only in its body
    assert set(names[:-1]) == {"rust_async", "rust_safety", "hostile", "rust_old"}


def test_recency_preference_is_mild(small: tuple[Path, dict[str, int]]) -> None:
    path, ids = small
    # The old story is about the kernel; the new one mentions it once: relevance wins.
    assert found(search(path, "kernel", now=NOW), ids)[0] == "kernel_old"
    # Equally relevant stories: the newer first.
    scores = {h.id: h.score for h in search(path, "kernel", now=NOW).hits}
    assert scores[ids["kernel_old"]] > scores[ids["kernel_new"]] > 0


def test_equal_relevance_prefers_the_newer_story(tmp_path: Path) -> None:
    with Archive(tmp_path / "n.db") as archive:
        archive.import_stories(
            [
                story(2, "Zig 0.15 out", "Zig compiler news.", age=timedelta(days=3)),
                story(1, "Zig 0.14 out", "Zig compiler news.", age=timedelta(days=300)),
                *(story(10 + i, f"Other {i}", "Unrelated.", age=timedelta(0)) for i in range(4)),
            ],
            now=NOW,
        )
    hits = search(tmp_path / "n.db", "zig", now=NOW).hits
    assert [h.title for h in hits] == ["Zig 0.15 out", "Zig 0.14 out"]
    assert hits[0].score > hits[1].score


# -- filters ----------------------------------------------------------------------------


def test_since_and_until(small: tuple[Path, dict[str, int]]) -> None:
    path, ids = small
    week = set(found(search(path, "rust", since=NOW - timedelta(days=7), now=NOW), ids))
    assert week == {"rust_async", "hostile", "roundup"}
    old = set(found(search(path, "rust", until=NOW - timedelta(days=30), now=NOW), ids))
    assert old == {"rust_safety", "rust_old"}
    both = search(
        path, "rust", since=NOW - timedelta(days=6), until=NOW - timedelta(days=3), now=NOW
    )
    assert found(both, ids) == ["hostile"]
    assert search(path, "rust", since=NOW + timedelta(days=1), now=NOW).total == 0


def test_category_is_case_insensitive(small: tuple[Path, dict[str, int]]) -> None:
    path, ids = small
    assert set(found(search(path, "rust", category="security", now=NOW), ids)) == {
        "rust_safety",
        "hostile",
    }
    assert search(path, "rust", category="sports", now=NOW).total == 0


@pytest.mark.parametrize("feed", [ARS, "ars technica", "Technica"])
def test_feed_by_url_or_title(small: tuple[Path, dict[str, int]], feed: str) -> None:
    path, ids = small
    assert set(found(search(path, "rust", feed=feed, now=NOW), ids)) == {"rust_safety", "hostile"}


def test_unknown_feed_matches_nothing(small: tuple[Path, dict[str, int]]) -> None:
    assert search(small[0], "rust", feed="https://nowhere.example/rss", now=NOW).total == 0


def test_sort_date_is_newest_first(small: tuple[Path, dict[str, int]]) -> None:
    path, ids = small
    names = found(search(path, "rust", sort="date", now=NOW), ids)
    assert names == ["roundup", "rust_async", "hostile", "rust_safety", "rust_old"]
    assert all(h.score == 0.0 for h in search(path, "rust", sort="date", now=NOW).hits)


def test_pages_partition_the_results(small: tuple[Path, dict[str, int]]) -> None:
    path, _ = small
    everything = [h.id for h in search(path, "rust", now=NOW).hits]
    pages = [
        [h.id for h in search(path, "rust", limit=2, offset=o, now=NOW).hits] for o in (0, 2, 4)
    ]
    assert [i for page in pages for i in page] == everything
    assert search(path, "rust", limit=2, offset=6, now=NOW).hits == ()
    assert search(path, "rust", limit=2, offset=6, now=NOW).total == 5


# -- output -----------------------------------------------------------------------------


def test_snippets_and_highlight_offsets(small: tuple[Path, dict[str, int]]) -> None:
    path, ids = small
    for hit in search(path, "rust OR closures", now=NOW).hits:
        assert hit.highlights, hit
        for start, end in hit.highlights:
            assert hit.snippet[start:end].lower() in {"rust", "closures"}
        assert "\ue000" not in hit.snippet and "\ue001" not in hit.snippet
    # Stemmed matches are highlighted as written.
    hit = search(path, "release", now=NOW).hits[0]
    assert {hit.snippet[s:e].lower() for s, e in hit.highlights} <= {"release", "released"}


def test_prefix_snippets_mark_whole_words_from_the_body(small: tuple[Path, dict[str, int]]) -> None:
    # A prefix is not expanded a second time for snippets: they are cut from the text.
    path, ids = small
    [hit] = search(path, "clos*", now=NOW).hits
    assert hit.id == ids["rust_async"]
    assert hit.snippet.startswith("The Rust release brings async closures.")
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["closures"]
    [hit] = search(path, "title:pyth* thread*", now=NOW).hits
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["threading"]


def test_json_fields(small: tuple[Path, dict[str, int]], runner: CliRunner) -> None:
    path, ids = small
    result = runner.invoke(cli, ["--db", str(path), "search", "rust", "--json"])
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    keys = {
        "id",
        "title",
        "url",
        "published",
        "category",
        "snippet",
        "score",
        "sources",
        "highlights",
    }
    assert all(keys <= set(h) for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    by_id = {h["id"]: h for h in hits}
    assert by_id[ids["rust_safety"]]["sources"] == ["Ars Technica"]
    assert by_id[ids["rust_old"]]["sources"] == ["imported"]
    for h in hits:
        for start, end in h["highlights"]:
            assert h["snippet"][start:end].lower() == "rust"


def test_readable_list_with_total_and_markers(small: tuple[Path, dict[str, int]]) -> None:
    path, _ = small
    out = CliRunner().invoke(cli, ["--db", str(path), "search", "rust", "--limit", "2"]).stdout
    lines = out.splitlines()
    assert lines[0] == "5 stories match; showing 1-2"
    assert "[Rust]" in out or "[rust]" in out  # plain markers when piped
    assert "LWN.net" in out or "Ars Technica" in out
    page3 = CliRunner().invoke(
        cli, ["--db", str(path), "search", "rust", "--limit", "2", "--page", "3"]
    )
    assert page3.stdout.splitlines()[0] == "5 stories match; showing 5-5"
    none = CliRunner().invoke(cli, ["--db", str(path), "search", "zebra"])
    assert none.stdout == "No stories match.\n"


def test_feed_escape_sequences_never_reach_the_terminal(
    small: tuple[Path, dict[str, int]],
) -> None:
    path, ids = small
    outputs = []
    for color in (False, True):
        buf = _Buffer()
        run(config=None, db=path, query="rust", out=buf, color=color)
        outputs.append(buf.getvalue())
    buf = _Buffer()
    run(config=None, db=path, query="evil", as_json=True, out=buf)
    outputs.append(buf.getvalue())
    plain, colored, as_json = outputs
    assert "red" in plain and "esrever" in plain  # the text stays, the controls go
    for text in (plain, as_json):
        assert not any(c in text for c in ESC_LIKE), repr(text)
    # In color, the only escape sequences are ours: bold titles and yellow highlights.
    stripped = colored
    for ours in ("\x1b[1;33m", "\x1b[1m", "\x1b[0m"):
        stripped = stripped.replace(ours, "")
    assert not any(c in stripped for c in ESC_LIKE), repr(stripped)
    assert json.loads(as_json)[0]["id"] == ids["hostile"]
    assert "\\u202e" in as_json or "\u202e" not in json.loads(as_json)[0]["snippet"]


class _Buffer:
    """A text stream that is not a terminal."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def writelines(self, lines: Iterator[str]) -> None:
        self.parts.extend(lines)

    def isatty(self) -> bool:
        return False

    def getvalue(self) -> str:
        return "".join(self.parts)


# -- both command-line paths --------------------------------------------------------------


def aggregator(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["rust"],
        ["rust", "--sort", "date", "--limit", "2", "--page", "2"],
        ["rust", "--since", "7d", "--json"],
        ["--source=Ars", "rust", "--category", "SECURITY"],
        ["--until", "2000-01-01", "rust"],
    ],
)
def test_fast_path_prints_what_click_prints(
    small: tuple[Path, dict[str, int]], tmp_path: Path, args: list[str]
) -> None:
    path, _ = small
    assert parse(["--db", str(path), "search", *args]) is not None  # the click-free path
    fast = aggregator("--db", str(path), "search", *args, cwd=tmp_path)
    slow = CliRunner().invoke(cli, ["--db", str(path), "search", *args])
    assert fast.returncode == slow.exit_code == 0, fast.stderr
    assert fast.stdout == slow.stdout


def test_archive_path_comes_from_the_config(
    small: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    path, _ = small
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "aggregator.toml").write_text(
        f'[archive]\npath = "{path}"\n\n[fetch]\nunknown_key_search_ignores = 1\n',
        encoding="utf-8",
    )
    result = aggregator("search", "python", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Python 3.13 drops the GIL" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["search", "   "], 1, "Error: empty query"),
        (["search", "--", "-!?"], 1, "Error: empty query"),
        (["--db", "missing.db", "search", "rust"], 1, "Error: no archive at missing.db"),
        (["--config", "missing.toml", "search", "rust"], 1, "Error: missing.toml: no such file"),
        (["search", "rust", "--since", "yesterday"], 2, "Error: Invalid value"),
        (["search", "rust", "--limit", "0"], 2, "Error: Invalid value for '--limit'"),
        (["search", "rust", "--sort", "random"], 2, "Error: Invalid value for '--sort'"),
    ],
)
def test_errors(
    small: tuple[Path, dict[str, int]], tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    path, _ = small
    if "--db" not in args and "--config" not in args:
        args = ["--db", str(path), *args]
    result = aggregator(*args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if code == 1:
        assert result.stderr.count("\n") == 1


# -- other tools read the same index --------------------------------------------------------


def test_sqlite_utils_cli_search_and_datasette_detection(
    small: tuple[Path, dict[str, int]],
) -> None:
    path, _ = small
    if isinstance(path, str):
        pytest.skip("sqlite-utils and Datasette read SQLite files only")
    tool = Path(sys.executable).with_name("sqlite-utils")
    result = subprocess.run(
        [str(tool), "search", str(path), "stories", "python", "--csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Python 3.13 drops the GIL" in result.stdout
    db = sqlite_utils.Database(path)
    try:
        # Datasette shows a search box when this finds the index (its own detection).
        assert db["stories"].detect_fts() == "stories_fts"
    finally:
        db.close()


# -- the planner against plain SQL on a bigger archive ---------------------------------------


BIG_N = 3000
TOPICS = ["rust", "kernel", "python", "quantum", "browser", "database", "privacy", "robot"]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 stories with known topics, feeds, categories and dates; some arrive late."""
    path = tmp_path_factory.mktemp("big") / "news.db"
    Archive(path).close()
    rng = random.Random(6)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO feeds (id, url, config_url, category, title, added_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (f, f"https://f{f}.example/rss", f"https://f{f}.example/rss", "x", f"Feed {f}", "x")
            for f in range(1, 6)
        ],
    )
    for i in range(1, BIG_N + 1):
        age = timedelta(hours=(BIG_N - i) * 3)
        if rng.random() < 0.1:
            age += timedelta(days=rng.uniform(0, 40))  # archived late, or imported
        if rng.random() < 0.02:
            age -= timedelta(days=rng.uniform(0, 20))  # dated later than archived
        topics = rng.sample(TOPICS, rng.choice([1, 1, 2, 3]))
        title = " ".join(topics[:1] + words(i, 5).split())
        body = " ".join(topics * rng.randint(1, 3)) + " " + words(i + 10_000, 30)
        published = to_db_seconds(NOW - age)  # as the archive keeps it (schema 10)
        conn.execute(
            "INSERT INTO stories (id, category, title, body, published, url)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                i,
                rng.choice(["TECHNOLOGY", "SECURITY", "SCIENCE"]),
                title,
                body,
                published,
                f"u{i}",
            ),
        )
        conn.execute(
            "INSERT INTO sources (story_id, feed_id, url, guid, seen_at) VALUES (?, ?, ?, ?, ?)",
            (i, rng.randint(1, 5), f"u{i}", f"g{i}", published),
        )
    conn.execute("COMMIT")
    conn.close()
    return path


def expected(path: Path, query: str, **filters: object) -> list[tuple[int, int]]:
    """Every match that passes the filters, as (published, id), newest first: plain SQL."""
    sql = (
        "SELECT s.published, s.id FROM stories_fts f JOIN stories s ON s.id = f.rowid"
        " WHERE stories_fts MATCH ?"
    )
    params: list[object] = [to_fts5(query)]
    if filters.get("since"):
        sql += " AND s.published >= ?"
        params.append(to_db_seconds(filters["since"]))  # type: ignore[arg-type]
    if filters.get("until"):
        sql += " AND s.published < ?"
        params.append(to_db_seconds(filters["until"]))  # type: ignore[arg-type]
    if filters.get("category"):
        sql += " AND s.category = ?"
        params.append(str(filters["category"]).upper())
    if filters.get("feed"):
        sql += " AND s.id IN (SELECT story_id FROM sources WHERE feed_id = ?)"
        params.append(int(str(filters["feed"]).split()[-1]))
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(sql, params).fetchall()
    finally:
        conn.close()
    return sorted(rows, reverse=True)


PLANS = {
    "default": {},
    # Small caps: counts stop early, date ranges are walked by date or checked per story,
    # and feeds become per-story checks: every strategy of the planner runs.
    "small caps": {"CANDIDATES": 40, "_ID_SET_CAP": 25, "_CHECKED": 30, "_SLICE": 16},
    # The same, with the walks' matches always kept in SQL, then always in Python.
    "small caps, kept in SQL": {
        "CANDIDATES": 40,
        "_ID_SET_CAP": 25,
        "_CHECKED": 30,
        "_SLICE": 16,
        "_KEPT_US": 0.0,
    },
    "small caps, kept in Python": {
        "CANDIDATES": 40,
        "_ID_SET_CAP": 25,
        "_CHECKED": 30,
        "_SLICE": 16,
        "_KEPT_US": 1e9,
    },
}
CASES = [
    ("rust", {}),
    ("rust kernel", {}),
    ("quantum OR robot", {}),
    ("priv*", {}),
    ("title:python", {}),
    ("rust", {"since": NOW - timedelta(days=30)}),
    ("kernel", {"since": NOW - timedelta(days=200), "until": NOW - timedelta(days=100)}),
    ("database", {"until": NOW - timedelta(days=300)}),
    ("python", {"category": "science"}),
    ("browser", {"feed": "Feed 3"}),
    ("rust", {"feed": "Feed 2", "since": NOW - timedelta(days=150)}),
    ("kern*", {"category": "security", "until": NOW - timedelta(days=50)}),
]


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize(("query", "filters"), CASES)
def test_planner_agrees_with_plain_sql(
    big: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan: str,
    query: str,
    filters: dict[str, object],
) -> None:
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(plan_module, name, value)
    want = expected(big, query, **filters)
    assert want, "the case should match something"
    everything = {i for _, i in want}
    limit = 15
    by_date = search(big, query, sort="date", limit=limit, now=NOW, **filters)  # type: ignore[arg-type]
    # Date order is exact whatever the plan: late arrivals included.
    assert [h.id for h in by_date.hits] == [i for _, i in want[:limit]]
    relevant = search(big, query, limit=limit, now=NOW, **filters)  # type: ignore[arg-type]
    assert {h.id for h in relevant.hits} <= everything
    assert len(relevant.hits) == min(limit, len(want))
    for results in (by_date, relevant):
        if results.exact_total:
            assert results.total == len(want)
        else:
            assert limit <= results.total < len(want)
    # The next page continues where this one ended.
    second = search(big, query, sort="date", limit=limit, offset=limit, now=NOW, **filters)  # type: ignore[arg-type]
    assert [h.id for h in second.hits] == [i for _, i in want[limit : 2 * limit]]


@pytest.mark.parametrize("seek_us", [1e-6, 1e12])
def test_title_hits_checked_lazily_rank_as_if_all_were_checked(
    big: Path, monkeypatch: pytest.MonkeyPatch, seek_us: float
) -> None:
    # Very common words rank by title hits, newest first: the checks stop once
    # enough stories hit every term. Force that plan, each slice of candidates
    # checked a seek each (cheap seeks) or by a walk of its window (dear seeks),
    # then compare with every candidate checked in one chunk.
    monkeypatch.setattr(plan_module, "_RANK_BUDGET_US", 0.0)
    monkeypatch.setattr(plan_module, "_POSTING_US", 1e6)
    monkeypatch.setattr(plan_module, "_COLUMN_US", 1e6)
    monkeypatch.setattr(plan_module, "_PHRASE_US", 1e6)
    monkeypatch.setattr(plan_module, "_SEEK_US", seek_us)
    monkeypatch.setattr(plan_module, "_RERANKED", 8)
    checked: list[int] = []
    hits = plan_module.Plan._hits

    def counting(self: plan_module.Plan, expr: str, ids: list[int], *, walk: bool) -> list[int]:
        if expr.startswith("title :"):
            assert walk == (seek_us > 1), "the plan forced should be taken"
        checked.append(len(ids))
        return hits(self, expr, ids, walk=walk)

    monkeypatch.setattr(plan_module.Plan, "_hits", counting)
    cases = (("rust", {}, True), ("kernel python", {}, False), ("robot", {"feed": "Feed 3"}, True))
    for query, filters, stops_early in cases:
        monkeypatch.setattr(plan_module, "_CHUNK", 1 << 20)
        everything = search(big, query, limit=2, now=NOW, **filters)  # type: ignore[arg-type]
        all_checked = sum(checked)
        checked.clear()
        monkeypatch.setattr(plan_module, "_CHUNK", 8)
        lazy = search(big, query, limit=2, now=NOW, **filters)  # type: ignore[arg-type]
        assert [(h.id, h.score) for h in lazy.hits] == [(h.id, h.score) for h in everything.hits]
        assert lazy.total == everything.total
        # Few stories have both words in the title: then every one is checked.
        assert (sum(checked) < all_checked) == stops_early, query
        checked.clear()


# -- concurrency -----------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime, timedelta
    from aggregator.store.archive import Archive
    from aggregator.models import Story

    path, seconds = sys.argv[1], float(sys.argv[2])
    now = datetime.now(UTC)
    n = 0
    deadline = time.monotonic() + seconds
    with Archive(path) as archive:
        while time.monotonic() < deadline:
            batch = []
            for _ in range(20):
                n += 1
                batch.append(Story(
                    category="TECHNOLOGY",
                    title=f"Concurrent rust story {n} zq{n}x",
                    published=now - timedelta(seconds=n),
                    body=f"Body {n} about rust and writers. "
                    + " ".join(f"w{n}x{k}" for k in range(30)),
                    url=f"https://w.example/{n}",
                    canonical_url=f"https://w.example/{n}",
                ))
            archive.import_stories(batch, now=now)
    print(n)
    """
)

READER = textwrap.dedent(
    """
    import sys, time
    from aggregator.store.search import search
    path, seconds = sys.argv[1], float(sys.argv[2])
    deadline, runs = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        search(path, "rust writers", limit=5)
        search(path, "concurrent", sort="date", limit=5)
        runs += 1
    print(runs)
    """
)


@pytest.mark.slow
def test_searches_while_a_writer_archives(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    with Archive(path) as archive:
        archive.import_stories([story(1, "Seed rust story", "Rust seeds.", age=timedelta(0))])
    seconds = 4.0
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: list[BaseException] = []
    totals: list[int] = []

    def read() -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                totals.append(search(path, "rust", limit=3).total)
                search(path, "story", sort="date", limit=3, since=NOW - timedelta(days=1))
            except BaseException as exc:  # noqa: BLE001 -- any error fails the test
                errors.append(exc)
                return

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 30)
    written, werr = writer.communicate(timeout=seconds + 60)
    runs, rerr = reader.communicate(timeout=seconds + 60)
    assert writer.returncode == 0, werr
    assert reader.returncode == 0, rerr
    assert not errors, errors
    assert "locked" not in werr + rerr
    assert int(written) > 0 and int(runs) > 0
    assert totals and totals[-1] >= totals[0]  # the readers saw the archive grow
    assert search(path, "concurrent", limit=1).total == min(int(written), 2000)


# -- maintenance ------------------------------------------------------------------------------


def test_maintain_merges_the_index_and_search_still_works(
    tmp_path: Path, runner: CliRunner
) -> None:
    path = tmp_path / "m.db"
    with Archive(path) as archive:
        for i in range(30):  # one index segment per transaction
            archive.import_stories(
                [story(100 + i, f"Maintained story {i}", "Rust.", age=timedelta(hours=i))]
            )
        before = archive.conn.execute("SELECT count(*) FROM stories_fts_data").fetchone()[0]
        assert archive.maintain(seconds=None) is True
        after = archive.conn.execute("SELECT count(*) FROM stories_fts_data").fetchone()[0]
        assert after < before
        assert archive.integrity_errors() == []
        assert archive.maintain(seconds=0) is True  # nothing left to merge
    assert search(path, "maintained", now=NOW).total == 30
    result = runner.invoke(cli, ["--db", str(path), "maintain"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Search index merged into one segment")


def test_maintain_needs_a_writable_archive(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    Archive(path).close()
    with Archive(path, readonly=True) as archive, pytest.raises(Exception) as info:
        archive.maintain()
    assert "read-only" in str(info.value) or "readonly" in str(info.value)


def test_results_are_immutable_values(small: tuple[Path, dict[str, int]]) -> None:
    path, _ = small
    first = search(path, "rust", now=NOW)
    again = search(path, "rust", now=NOW)
    assert first == again and hash(first) == hash(again)
    with pytest.raises(AttributeError):
        first.total = 3  # type: ignore[misc]
    assert "SearchHit(id=" in repr(first.hits[0])


def test_the_daemons_daily_maintenance_merges_the_index(tmp_path: Path) -> None:
    import asyncio

    from aggregator.app.config import Config
    from aggregator.app.core import open_app
    from aggregator.app.daemon import Daemon

    path = tmp_path / "d.db"
    with Archive(path) as archive:
        for i in range(20):
            archive.import_stories([story(200 + i, f"Daily {i}", "Text.", age=timedelta(hours=i))])
        before = archive.conn.execute("SELECT count(*) FROM stories_fts_data").fetchone()[0]
    with open_app(Config(), db_path=path) as app:
        asyncio.run(Daemon(app, config_path=None)._maintain())
        after = app.archive.conn.execute("SELECT count(*) FROM stories_fts_data").fetchone()[0]
    assert after < before
    assert search(path, "daily", now=NOW).total == 20


def test_a_feed_filter_of_digits_from_other_scripts_is_text_not_an_id(tmp_path: Path) -> None:
    """'²' and '٣' are digits to str.isdigit() but not to int(): a feed title, not an id."""
    from aggregator.store.archive import Archive
    from aggregator.store.search import search as run_search

    db = tmp_path / "a.db"
    with Archive(db):
        pass
    for feed in ("²", "٣", "12"):
        assert run_search(db, "anything", feed=feed).total == 0
