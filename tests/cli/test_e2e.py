"""End to end: the real feeds of the corpus served on 127.0.0.1, polled through the CLI."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.httpserver import FeedServer

from aggregator.cli.main import cli

# Real HTML elements only: feed text may legitimately say "[tourist attractions <city name>]".
_ELEMENTS = (
    "a|abbr|article|aside|audio|b|blockquote|body|br|button|canvas|caption|code|dd|del|details|"
    "div|dl|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|"
    "img|input|ins|label|li|link|main|meta|nav|noscript|object|ol|p|picture|pre|q|s|script|"
    "section|small|source|span|strong|style|sub|sup|svg|table|tbody|td|th|thead|time|tr|u|ul|video"
)
TAG = re.compile(rf"</?(?:{_ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
# Posts whose code samples quote HTML (inside <pre>/<code>): there the markup is the text.
QUOTES_HTML_IN_CODE = {
    "research-rsc_2019__netnewswire-russcox.atom",
    "signalvsnoise_2009__feedjira.xml",
}
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]{2,8});")


def fetch_json(runner: CliRunner, cfg: Path) -> list[dict[str, object]]:
    result = runner.invoke(cli, ["--config", str(cfg), "fetch", "--json"])
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_real_feeds_end_to_end(
    corpus: Path,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    runner: CliRunner,
) -> None:
    real = corpus / "real-feeds"
    files = sorted(p for p in real.iterdir() if p.is_file())
    assert len(files) >= 20
    feed_server.serve_dir("/feeds", real)
    feed_server.serve_dir("/mirror", real)
    feeds = [{"url": feed_server.url(f"/feeds/{p.name}"), "category": "technology"} for p in files]
    cfg = write_config(feeds, fetch={"workers": 2})

    first = fetch_json(runner, cfg)
    assert len(first) == len(files)
    errors = {r["feed"]: r["error"] for r in first if r["outcome"] == "error"}
    assert errors == {}
    assert sum(int(r["new"]) for r in first) > 500  # type: ignore[call-overload]

    db = sqlite3.connect("archive/news.db")
    try:
        # Every feed contributed stories (as new stories or as sources of one already there).
        per_feed = dict(
            db.execute(
                "SELECT f.url, COUNT(s.id) FROM feeds f LEFT JOIN sources s ON s.feed_id = f.id"
                " GROUP BY f.id"
            ).fetchall()
        )
        assert all(n > 0 for n in per_feed.values()), [u for u, n in per_feed.items() if not n]
        rows = db.execute(
            "SELECT s.id, s.title, s.body, s.questions, (SELECT f.url FROM sources so"
            " JOIN feeds f ON f.id = so.feed_id WHERE so.story_id = s.id ORDER BY so.id LIMIT 1)"
            " FROM stories s"
        ).fetchall()
        for story_id, title, body, questions, feed_url in rows:
            if feed_url.rsplit("/", 1)[-1] not in QUOTES_HTML_IN_CODE:
                assert not TAG.search(body), (story_id, TAG.search(body))
            assert not ENTITY.search(body) or html.unescape(body) == body, story_id
            assert not TAG.search(title), story_id
            assert 1 <= len(questions.split("\n")) <= 3, (story_id, questions)
        total = len(rows)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.execute("INSERT INTO stories_fts(stories_fts) VALUES ('integrity-check')")
    finally:
        db.close()

    # A second poll archives nothing new (the server answers 304 to conditional GETs).
    second = fetch_json(runner, cfg)
    assert sum(int(r["new"]) for r in second) == 0  # type: ignore[call-overload]
    assert {r["outcome"] for r in second} == {"not_modified"}

    # The same feeds under second URLs add sources, not stories.
    mirrors = [
        {"url": feed_server.url(f"/mirror/{p.name}"), "category": "technology"} for p in files
    ]
    cfg2 = write_config(feeds + mirrors, fetch={"workers": 2})
    third = fetch_json(runner, cfg2)
    mirrored = [r for r in third if "/mirror/" in str(r["feed"])]
    assert sum(int(r["new"]) for r in mirrored) == 0  # type: ignore[call-overload]
    assert sum(int(r["duplicate"]) for r in mirrored) > 500  # type: ignore[call-overload]
    db = sqlite3.connect("archive/news.db")
    try:
        assert db.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == total
        multi = db.execute(
            "SELECT COUNT(*) FROM (SELECT story_id FROM sources GROUP BY story_id"
            " HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        assert multi > 500
        titled = db.execute("SELECT id, title FROM stories ORDER BY id").fetchall()
        sample = [(i, t) for i, t in titled if len(re.findall(r"[^\W\d_]{5,}", t)) >= 2][:40]
    finally:
        db.close()

    # search finds stories by words from their titles.
    found = 0
    for story_id, title in sample:
        words = re.findall(r"[^\W\d_]{5,}", title)[:3]
        result = runner.invoke(
            cli, ["--config", str(cfg2), "search", " ".join(words), "--json", "--limit", "50"]
        )
        assert result.exit_code == 0, result.stderr
        found += story_id in [h["id"] for h in json.loads(result.stdout)]
    assert len(sample) == 40
    assert found >= 36
