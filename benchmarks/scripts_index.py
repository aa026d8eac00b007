"""Which index finds words in Chinese, Japanese, Korean and Thai text: measured on real stories.

Polls the corpus's feeds in those scripts (the ones ``tests/search/test_search_scripts.py``
uses) from a server on 127.0.0.1 into a fresh archive, cuts queries from the
stories' own titles and bodies with ``tests/support/scriptqueries.py``, and compares
three ways to index them, each in its own FTS5 table over the same stories:

* ``unicode61``: as the main index tokenizes (whole runs are tokens), contentless;
* ``trigram``: FTS5's trigram tokenizer, contentless;
* ``pairs``: :mod:`aggregator.search.scripts` (what ``stories_cjk`` holds).

For each: recall (the share of queries whose story is found), index bytes
per story (``dbstat``), and the median time of a query.

    AGGREGATOR_CORPUS=/path/to/corpus python benchmarks/scripts_index.py
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "search"))  # the script tests' feed list

from click.testing import CliRunner  # noqa: E402
from conftest import make_config_text  # noqa: E402
from support.httpserver import FeedServer  # noqa: E402
from support.scriptqueries import queries  # noqa: E402
from test_search_scripts import SCRIPT_FEEDS  # noqa: E402

from aggregator.cli.main import cli  # noqa: E402
from aggregator.search.query import FTS_TOKENIZE, to_fts5  # noqa: E402
from aggregator.search.scripts import GLOB_PATTERN, index_text  # noqa: E402


def build(folder: Path, corpus: Path) -> Path:
    """Poll the corpus feeds into ``folder/news.db`` through the CLI."""
    with FeedServer() as server:
        for i, name in enumerate(SCRIPT_FEEDS):
            server.add(f"/f{i}.xml", (corpus / name).read_bytes())
        feeds = [{"url": server.url(f"/f{i}.xml")} for i in range(len(SCRIPT_FEEDS))]
        config = folder / "aggregator.toml"
        text = make_config_text(feeds, archive={"path": str(folder / "news.db")})
        config.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["--config", str(config), "fetch", "--json"])
    assert result.exit_code == 0, result.stderr
    assert all(r["outcome"] != "error" for r in json.loads(result.stdout))
    return folder / "news.db"


def main() -> None:
    corpus = Path(os.environ.get("AGGREGATOR_CORPUS") or REPO.parent / "shared" / "corpus")
    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp), corpus)
        conn = sqlite3.connect(db)
        cases = queries(conn)
        rows = conn.execute(
            "SELECT id, title, body, questions FROM stories WHERE title GLOB ? OR body GLOB ?",
            (GLOB_PATTERN, GLOB_PATTERN),
        ).fetchall()
        tokenize = FTS_TOKENIZE.replace("'", "''")
        tables = {
            "unicode61": (f"tokenize='{tokenize}', content=''", lambda t: t, lambda q: to_fts5(q)),
            "trigram": ("tokenize='trigram', content=''", lambda t: t, _trigram_query),
            "pairs": (f"tokenize='{tokenize}', content=''", index_text, lambda q: to_fts5(q)),
        }
        text = sum(len("".join(r[1:]).encode()) for r in rows) / len(rows)
        print(
            f"{len(rows)} stories in those scripts ({text:,.0f} bytes of text each),"
            f" {len(cases)} queries"
        )
        print(f"{'index':<10} {'recall':>7} {'bytes/story':>12} {'query p50':>10}")
        for name, (options, prepare, query) in tables.items():
            conn.execute(
                f"CREATE VIRTUAL TABLE x_{name} USING fts5(title, body, questions, {options})"
            )
            conn.executemany(
                f"INSERT INTO x_{name} (rowid, title, body, questions) VALUES (?, ?, ?, ?)",
                [(r[0], *(prepare(v) for v in r[1:])) for r in rows],
            )
            conn.execute(f"INSERT INTO x_{name} (x_{name}) VALUES ('optimize')")
            size = conn.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE ?", (f"x_{name}%",)
            ).fetchone()[0]
            found, times = 0, []
            for text, story_id, _ in cases:
                t0 = time.perf_counter()
                try:
                    got = conn.execute(
                        f"SELECT rowid FROM x_{name} WHERE x_{name} MATCH ?", (query(text),)
                    ).fetchall()
                except (sqlite3.Error, ValueError):
                    got = []
                times.append((time.perf_counter() - t0) * 1000)
                found += (story_id,) in got
            print(
                f"{name:<10} {found / len(cases):7.2f} {size / len(rows):12,.0f}"
                f" {statistics.median(times):8.2f} ms"
            )
        conn.close()


def _trigram_query(text: str) -> str:
    """Each word of the query as a quoted trigram string (shorter ones cannot match)."""
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in text.split())


if __name__ == "__main__":
    main()
