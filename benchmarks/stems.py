"""What stemming German, French and Spanish stories costs and finds: measured on real stories.

Polls the corpus's German, French and Spanish feeds (the ones
``tests/search/test_search_stems.py`` uses) from a server on 127.0.0.1 into a
fresh archive through ``aggregator fetch``, then prints:

* recall of queries that are other inflections of the stories' words
  (``tests/support/stemqueries.py``): through ``search()``, and with
  ``stories_fts`` (Porter) alone;
* bytes per stemmed story: its text, and its share of ``stories_stem``;
* the cost at ingest: the time :mod:`aggregator.store.stem_index` takes per
  story (stems with cold caches, and warm, plus the index writes), beside the
  whole poll's time per story;
* the median and worst time of ``search()`` over those queries.

    AGGREGATOR_CORPUS=/path/to/corpus python benchmarks/stems.py
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
sys.path.insert(0, str(REPO / "tests" / "search"))

from click.testing import CliRunner  # noqa: E402
from conftest import make_config_text  # noqa: E402
from support.httpserver import FeedServer  # noqa: E402
from support.stemqueries import queries  # noqa: E402
from test_search_stems import STEM_FEEDS  # noqa: E402

from aggregator.cli.main import cli  # noqa: E402
from aggregator.search import stemming  # noqa: E402
from aggregator.search.query import to_fts5  # noqa: E402
from aggregator.store import stem_index  # noqa: E402
from aggregator.store.search import search  # noqa: E402


def build(folder: Path, corpus: Path) -> tuple[Path, float]:
    """Poll the feeds into ``folder/news.db`` through the CLI; returns it and the seconds taken."""
    with FeedServer() as server:
        for i, name in enumerate(STEM_FEEDS):
            server.add(f"/f{i}.xml", (corpus / name).read_bytes())
        feeds = [{"url": server.url(f"/f{i}.xml")} for i in range(len(STEM_FEEDS))]
        config = folder / "aggregator.toml"
        text = make_config_text(feeds, archive={"path": str(folder / "news.db")})
        config.write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        result = CliRunner().invoke(cli, ["--config", str(config), "fetch", "--json"])
        secs = time.perf_counter() - t0
    assert result.exit_code == 0, result.stderr
    assert all(r["outcome"] != "error" for r in json.loads(result.stdout))
    return folder / "news.db", secs


def main() -> None:
    corpus = Path(os.environ.get("AGGREGATOR_CORPUS") or REPO.parent / "shared" / "corpus")
    with tempfile.TemporaryDirectory() as tmp:
        db, poll_secs = build(Path(tmp), corpus)
        conn = sqlite3.connect(db, isolation_level=None)
        total = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        langs = dict(conn.execute("SELECT lang, count(*) FROM stories GROUP BY 1").fetchall())
        stemmed = conn.execute(
            f"SELECT count(*), avg(length(CAST(title || body || questions AS BLOB)))"
            f" FROM stories WHERE lang IN {stem_index.LANGS_SQL}"
        ).fetchone()
        shares = ", ".join(f"{lang or '?'}: {n}" for lang, n in langs.items())
        print(f"{total} stories ({shares})")
        # The index as ingest left it (segments merged, as `aggregator maintain` does).
        conn.execute("INSERT INTO stories_stem (stories_stem) VALUES ('optimize')")
        size, payload = conn.execute(
            "SELECT sum(pgsize), sum(payload) FROM dbstat WHERE name LIKE 'stories_stem%'"
        ).fetchone()
        print(
            f"stemmed stories: {stemmed[0]}, {stemmed[1]:,.0f} bytes of text each;"
            f" stories_stem {size / stemmed[0]:,.0f} bytes each"
            f" ({size / stemmed[1] / stemmed[0]:.2f}x their text; {payload / stemmed[0]:,.0f}"
            " bytes of payload, the rest is the pages of a small archive)"
        )
        timings = []
        for label in ("cold", "warm"):
            if label == "cold":
                stemming._caches.clear()
            conn.execute("BEGIN")
            t0 = time.perf_counter()
            stem_index.rebuild(conn)
            timings.append((label, (time.perf_counter() - t0) / stemmed[0] * 1000))
            conn.execute("COMMIT")
        print(
            "stem_index per story: "
            + ", ".join(f"{label} caches {ms:.2f} ms" for label, ms in timings)
            + f"; the whole poll (fetch, parse, write...): {poll_secs / total * 1000:.2f} ms"
        )
        cases = queries(conn)
        found = by_fts = 0
        times = []
        for query, story_id, _ in cases:
            t0 = time.perf_counter()
            search(db, query)  # a page of 20, as the CLI shows
            times.append((time.perf_counter() - t0) * 1000)
            found += story_id in {h.id for h in search(db, query, limit=500).hits}
            by_fts += (story_id,) in conn.execute(
                "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?", (to_fts5(query),)
            ).fetchall()
        print(
            f"{len(cases)} inflection queries: recall {found / len(cases):.2f} with stems,"
            f" {by_fts / len(cases):.2f} with stories_fts (Porter) alone;"
            f" search p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
        )
        slow = sorted(zip(times, (c[0] for c in cases), strict=True), reverse=True)[:3]
        print("slowest: " + ", ".join(f"{q} {ms:.1f} ms" for ms, q in slow))
        conn.close()


if __name__ == "__main__":
    main()
