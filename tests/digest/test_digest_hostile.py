"""Hostile inputs (the corpus's hostile/ folder) never become script, event handlers or odd links.

Two ways in: the payloads written straight into stories in the archive (every
field: category, title, body, questions, actions, author, URL, feed titles),
and the hostile feeds fetched from a loopback server through the real poll.
Every format is then checked (see :mod:`digestcheck`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import jsonschema
import pytest
from support.digestcheck import atom_problems, html_problems, json_problems, markdown_problems
from support.httpserver import FeedServer

from aggregator.app.config import load
from aggregator.app.core import open_app
from aggregator.digest.formats import RENDERERS
from aggregator.digest.formats.text import split
from aggregator.digest.select import Window, load_digest, render_digest
from aggregator.models import FeedConfig, Story
from aggregator.store.archive import Archive, FeedUpdate
from aggregator.story.format import parse

DAY = datetime(2026, 11, 2, tzinfo=UTC)
SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "aggregator"
    / "digest"
    / "templates"
    / "digest.schema.json"
)
CONTROLS = "\x00\x01\x08\x0b\x0c\x1b[31m\x7f\x85\u200e\u202e\ufffe\uffff"


def payloads(corpus: Path) -> list[str]:
    """Every payload: lines of the XSS lists, bleach and html5lib inputs, whole SVG/XML files."""
    xss = corpus / "hostile" / "xss"
    out: list[str] = []
    for path in sorted(xss.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.parent.name == "bleach-data":
            out.append(text.split("\n--\n")[0])
        else:
            out += [line for line in text.split("\n") if line.strip()]
    cases = json.loads((xss / "html5lib-sanitizer-tests1.dat.json").read_text(encoding="utf-8"))
    out += [case["input"] for case in cases]
    for path in sorted([*xss.glob("*.svg"), *xss.glob("*.xml")]):
        out.append(path.read_text(encoding="utf-8", errors="replace"))
    return list(dict.fromkeys(out))


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check_all(db: Path, window: Window) -> int:
    """Render every format and assert each is safe; returns the number of stories."""
    digest = load_digest(db, window)
    assert digest.count > 0
    out = {fmt: render_digest(digest, fmt) for fmt in RENDERERS}
    assert html_problems(out["html"]) == []
    assert markdown_problems(out["markdown"]) == []
    assert atom_problems(out["atom"]) == []
    parsed = feedparser.parse(out["atom"].encode())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == digest.count
    assert json_problems(out["json"]) == []
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(out["json"]))
    blocks = split(out["text"])
    assert len(blocks) == digest.count
    for block in blocks:
        for action in parse(block).actions:
            if action.startswith("Read the original: "):
                assert action.startswith(
                    ("Read the original: http://", "Read the original: https://")
                )
    return digest.count


def test_hostile_strings_in_every_field_of_archived_stories(corpus: Path, tmp_path: Path) -> None:
    strings = payloads(corpus)
    assert len(strings) > 5000
    db = tmp_path / "news.db"
    feeds = [
        FeedConfig(url=f'https://evil.example/{i}?"><script>alert({i})</script>', title=title)
        for i, title in enumerate(strings[:40])
    ]
    with Archive(db) as archive:
        archive.sync_feeds(feeds, now=DAY)
        states = archive.list_feeds()
        for n, group in enumerate(chunks(strings, 12)):
            one = [" ".join(s.split()) or "x" for s in group] + ["x"] * 12
            stories = [
                Story(
                    category=one[0].upper() + CONTROLS,
                    title=one[1] + CONTROLS,
                    published=DAY + timedelta(seconds=n),
                    body="\n".join(group[2:8]) + CONTROLS,
                    questions=tuple(one[8:10]),
                    actions=(one[10],),
                    url=group[11] if len(group) > 11 else one[2],
                    canonical_url=one[3],
                    guid=f"g{n}",
                    author=one[4],
                    tags=(one[5],),
                )
            ]
            # Three feeds carry each story, so "also covered by" shows hostile names.
            for feed in (states[n % 40], states[(n + 1) % 40], states[(n + 2) % 40]):
                update = FeedUpdate(status="new", fetched_at=DAY, next_fetch=DAY)
                archive.store_poll(feed, stories, update)
    assert check_all(db, Window(DAY, DAY + timedelta(days=1))) > 400


@pytest.mark.slow
def test_hostile_feeds_fetched_through_the_pipeline(
    corpus: Path,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    tmp_path: Path,
) -> None:
    hostile = corpus / "hostile"
    files = sorted((hostile / "feedparser-sanitize").glob("*.xml")) + sorted(
        (hostile / "xss").glob("*.xml")
    )
    feeds = []
    for i, path in enumerate(files):
        feed_server.add(f"/{i}.xml", path.read_bytes())
        feeds.append({"url": feed_server.url(f"/{i}.xml"), "category": f"c{i % 3}"})
    cfg = load(write_config(feeds))
    with open_app(cfg) as app:
        results = app.poll(workers=1)
    assert sum(r.counts.new for r in results) > 20
    wide = Window(datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    assert check_all(tmp_path / "archive" / "news.db", wide) > 20
