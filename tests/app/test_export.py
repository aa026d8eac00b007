"""`aggregator export` as JSON Lines and as documents, and the round trip through `import`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.feeds import rss
from support.httpserver import FeedServer

from aggregator.cli.main import cli
from aggregator.store.archive import Archive

ATP = "atp-podcast_2019__netnewswire-atp.rss"
HN = "hackernews_2025__newsyacht-hn.xml"


@pytest.fixture
def archive_cfg(
    corpus: Path, feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> Path:
    """An archive of real podcast and Hacker News feeds plus a generated one."""
    feeds = []
    for name, category in ((ATP, "podcasts"), (HN, "technology")):
        feed_server.add_file(f"/{name}", corpus / "real-feeds" / name, content_type="text/xml")
        feeds.append({"url": feed_server.url(f"/{name}"), "category": category})
    feed_server.add("/news.xml", rss("news", 12))
    feeds.append({"url": feed_server.url("/news.xml"), "category": "business"})
    cfg = write_config(feeds)
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.output
    return cfg


def snapshot(db: Path, *, exact_time: bool) -> list[tuple[Any, ...]]:
    """Every story's own fields and links, without ids or archive times."""
    with Archive(db, readonly=True) as archive:
        first, last = archive.published_range()
        assert first is not None and last is not None
        stories = archive.stories_between(first, last.replace(year=last.year + 1))
    out = []
    for s in stories:
        st = s.story
        published = st.published if exact_time else st.published.date()
        # A document shows durations in minutes, and sizes only without a duration.
        enclosures = tuple(
            (e.url, e.type)
            + ((e.duration, e.length) if exact_time else (round((e.duration or 0) / 60),))
            for e in st.enclosures
        )
        extra = (st.author, st.tags, st.actions) if exact_time else ()
        out.append(
            (st.category, st.title, published, st.body, st.questions, st.url)
            + (enclosures, st.comments)
            + extra
        )
    return sorted(out, key=repr)


def test_jsonl_round_trip(archive_cfg: Path, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "stories.jsonl"
    result = runner.invoke(cli, ["--config", str(archive_cfg), "export", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    with sqlite3.connect("archive/news.db") as conn:
        total = conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
    assert len(lines) == total > 100
    assert f"Exported {total} stories to {out}" in result.stderr
    records = [json.loads(line) for line in lines]
    assert [r["published"] for r in records] == sorted(r["published"] for r in records)
    episode = next(r for r in records if r["url"] == "http://atp.fm/episodes/311")
    assert episode["enclosures"] == [
        {
            "url": "http://traffic.libsyn.com/atpfm/atp311.mp3",
            "type": "audio/mpeg",
            "length": 54919661,
            "duration": 6849,
        }
    ]
    assert episode["sources"][0]["feed"].endswith(ATP)
    result = runner.invoke(cli, ["--db", "copy.db", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"1\tnew\t{out}:1"
    assert snapshot(Path("copy.db"), exact_time=True) == snapshot(
        Path("archive/news.db"), exact_time=True
    )
    # Importing it again adds nothing.
    again = runner.invoke(cli, ["--db", "copy.db", "import", str(out)])
    assert again.exit_code == 0 and "\tnew\t" not in again.stdout


def test_documents_round_trip(archive_cfg: Path, runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    args = ["--config", str(archive_cfg), "export", "--format", "documents", str(folder)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    files = sorted(folder.glob("*.txt"))
    with sqlite3.connect("archive/news.db") as conn:
        assert len(files) == conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
    # Each document is what `show` prints, without the lines naming other stories.
    for path in files[:20]:
        shown = runner.invoke(cli, ["--config", str(archive_cfg), "show", path.stem]).stdout
        kept = [line for line in shown.split("\n") if not line.startswith("    Related: #")]
        assert path.read_text(encoding="utf-8") == "\n".join(kept)
    result = runner.invoke(cli, ["--db", "copy.db", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert snapshot(Path("copy.db"), exact_time=False) == snapshot(
        Path("archive/news.db"), exact_time=False
    )


def test_export_filters_and_stdout(archive_cfg: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["--config", str(archive_cfg), "export", "-", "--category", "PODCASTS"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 100 and {r["category"] for r in records} == {"PODCASTS"}
    result = runner.invoke(
        cli,
        [
            "--config",
            str(archive_cfg),
            "export",
            "-",
            "--since",
            "2025-12-13",
            "--until",
            "2025-12-14",
        ],
    )
    days = {json.loads(line)["published"][:10] for line in result.stdout.splitlines()}
    assert days == {"2025-12-13"}


def test_export_writes_nothing_to_the_archive(archive_cfg: Path, runner: CliRunner) -> None:
    db = Path("archive/news.db")
    before = db.read_bytes()
    result = runner.invoke(cli, ["--config", str(archive_cfg), "export", "-"])
    assert result.exit_code == 0
    assert db.read_bytes() == before


def test_export_and_import_errors(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--db", "none.db", "export", "out.jsonl"])
    assert result.exit_code == 1 and result.stderr.startswith("Error: no archive at none.db")
    reference = Path(__file__).parents[1] / "data" / "reference-story.txt"
    assert runner.invoke(cli, ["--db", "news.db", "import", str(reference)]).exit_code == 0
    (tmp_path / "file").write_text("x")
    result = runner.invoke(cli, ["--db", "news.db", "export", str(tmp_path / "file" / "out")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write") and len(result.stderr.splitlines()) == 1
    result = runner.invoke(cli, ["--db", "news.db", "export", "x", "--since", "someday"])
    assert result.exit_code == 2 and "--since" in result.stderr
    bad = tmp_path / "bad.jsonl"
    good = {"category": "X", "title": "T", "published": "2026-11-02T10:00:00Z", "body": "B."}
    bad.write_text(
        json.dumps(good) + "\n{not json\n" + json.dumps({**good, "title": 3}) + "\n[]\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["--db", "news.db", "import", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == f"2\tnew\t{bad}:1\n"  # the reference story is 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"{bad}:2: Expecting property name")
    assert errors[1] == f"{bad}:3: title: expected a string"
    assert errors[2] == f"{bad}:4: not a JSON object"
    assert errors[3] == "Error: 3 of 4 files not imported"
