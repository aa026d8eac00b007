"""``aggregator questions --regenerate``: offline and LLM, --since, imported documents, FTS."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.feeds import rss
from support.httpserver import FeedServer
from support.llmserver import LLMServer

from aggregator.cli.main import cli
from aggregator.store.compact import GENERATOR_SQL
from aggregator.story.format import Document, render

OLD = "Is this the zanzibarquux question nobody asked?"


@pytest.fixture
def archive(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner, tmp_path: Path
) -> Path:
    """A config with one polled feed (4 stories, Nov 2026) and one imported document (2025)."""
    feed_server.add("/news.xml", rss("news", 4))
    cfg = write_config([{"url": feed_server.url("/news.xml")}])
    assert runner.invoke(cli, ["--config", str(cfg), "fetch"]).exit_code == 0
    document = Document(
        category="TECHNOLOGY",
        title="Meta seeks allies for its AI dreams",
        date=date(2025, 4, 21),
        body="Meta asked Amazon and Microsoft to help fund its Llama models.",
        questions=("Could this be a secret alliance to monopolize the AI market?",),
    )
    (tmp_path / "doc.txt").write_text(render(document), encoding="utf-8")
    assert (
        runner.invoke(cli, ["--config", str(cfg), "import", str(tmp_path / "doc.txt")]).exit_code
        == 0
    )
    with sqlite3.connect("archive/news.db") as conn:
        conn.execute(f"UPDATE stories SET questions = ? WHERE {GENERATOR_SQL} = 'offline'", (OLD,))
    return cfg


def rows() -> list[tuple[str, str, str]]:
    with sqlite3.connect("archive/news.db") as conn:
        return conn.execute(
            f"SELECT published, questions, {GENERATOR_SQL} FROM stories ORDER BY id"
        ).fetchall()


def search_count(runner: CliRunner, cfg: Path, query: str) -> int:
    result = runner.invoke(cli, ["--config", str(cfg), "search", query, "--json"])
    assert result.exit_code == 0, result.stderr
    return len(json.loads(result.stdout))


def test_regenerate_offline(archive: Path, runner: CliRunner) -> None:
    assert search_count(runner, archive, "zanzibarquux") == 4
    result = runner.invoke(cli, ["--config", str(archive), "questions", "--regenerate"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Regenerated the questions of 4 stories (4 by offline)\n"
    assert result.stderr.splitlines()[-1] == "questions: 4/4 stories"
    stored = rows()
    for _, questions, generator in stored[:4]:
        assert generator == "offline"
        assert 1 <= len(questions.split("\n")) <= 3 and OLD not in questions
    # The imported document keeps the questions a person wrote.
    assert stored[4][1:] == (
        "Could this be a secret alliance to monopolize the AI market?",
        "imported",
    )
    # The FTS index followed the update.
    assert search_count(runner, archive, "zanzibarquux") == 0


def test_regenerate_since_and_imported(archive: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        cli,
        ["--config", str(archive), "questions", "--regenerate", "--since", "2026-11-01T10:00:00"],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Regenerated the questions of 2 stories")
    assert [OLD in q for _, q, _ in rows()[:4]] == [True, True, False, False]

    result = runner.invoke(
        cli, ["--config", str(archive), "questions", "--regenerate", "--imported"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Regenerated the questions of 5 stories")
    assert rows()[4][2] == "offline"


def test_regenerate_with_the_llm(
    archive: Path, runner: CliRunner, write_config: Callable[..., Path], feed_server: FeedServer
) -> None:
    with LLMServer() as server:
        server.script = [server.ok(), server.error(500)]  # the first story, then failures
        llm = {"base_url": server.base_url, "model": "m1", "max_retries": 0, "concurrency": 1}
        cfg = write_config([{"url": feed_server.url("/news.xml")}], **{"questions.llm": llm})
        result = runner.invoke(
            cli, ["--config", str(cfg), "questions", "--regenerate", "--generator", "llm"]
        )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Regenerated the questions of 4 stories (1 by llm:m1, 3 by offline)\n"
    generators = [g for _, _, g in rows()[:4]]
    assert generators == ["llm:m1", "offline", "offline", "offline"]
    assert all(OLD not in q for _, q, _ in rows()[:4])


def test_questions_without_regenerate_is_a_usage_error(archive: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--config", str(archive), "questions"])
    assert result.exit_code == 2
    assert "pass --regenerate" in result.stderr


def test_bad_since(archive: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["--config", str(archive), "questions", "--regenerate", "--since", "someday"]
    )
    assert result.exit_code == 2
    assert "--since" in result.stderr and "Traceback" not in result.stderr


def test_regenerate_detects_the_language_again(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    # The language is detected again, not read from the archive: an English story stored
    # as Portuguese (an older detector counted its "a"s for Portuguese only) gets the
    # questions of an English story, not one on a fragment ("... change for REALLLLY").
    feed_server.add(
        "/whales.xml",
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        b"<title>whales</title><link>https://news.example/</link><description>t</description>"
        b"<item><title>Humpback whale gets REALLLLY close</title>"
        b"<link>https://news.example/whale</link><guid>https://news.example/whale</guid>"
        b"<pubDate>Sun, 01 Nov 2026 08:00:00 +0000</pubDate>"
        b"<description>A woman captures incredibly close footage of a humpback whale during"
        b" a sightseeing tour near San Juan Island, Washington.</description></item>"
        b"</channel></rss>",
    )
    cfg = write_config([{"url": feed_server.url("/whales.xml")}])
    assert runner.invoke(cli, ["--config", str(cfg), "fetch"]).exit_code == 0
    with sqlite3.connect("archive/news.db") as conn:
        assert conn.execute("UPDATE stories SET lang = 'pt', questions = ?", (OLD,)).rowcount == 1
    result = runner.invoke(cli, ["--config", str(cfg), "questions", "--regenerate"])
    assert result.exit_code == 0, result.stderr
    assert rows()[0][1] == (
        "What should readers make of the news that a woman captures incredibly close footage"
        " of a humpback whale during a sightseeing tour near San Juan Island, Washington?"
    )
