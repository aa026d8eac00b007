"""The CLI end to end on a real archive: import, show, search, feeds, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REFERENCE

from aggregator.cli.main import cli

DATA = Path(__file__).parents[1] / "data"


def reference_path() -> Path:
    return REFERENCE if REFERENCE.exists() else DATA / "reference-story.txt"


@pytest.fixture
def on_engine(archive_at: Path | str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test's commands on each engine: PostgreSQL through ``AGGREGATOR_DB``."""
    if isinstance(archive_at, str):
        monkeypatch.setenv("AGGREGATOR_DB", archive_at)


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("on_engine")
def test_import_then_show_gives_the_reference_back_byte_for_byte(runner: CliRunner) -> None:
    ref = reference_path()
    code, out, err = invoke(runner, "import", str(ref))
    assert code == 0, err
    story_id = out.split("\t")[0]
    assert out.split("\t")[1] == "new"
    code, out, err = invoke(runner, "show", story_id)
    assert code == 0, err
    expected = ref.read_text(encoding="utf-8")
    assert out in (expected, expected + "\n")


@pytest.mark.usefixtures("on_engine")
def test_import_twice_is_one_story(runner: CliRunner) -> None:
    ref = str(reference_path())
    invoke(runner, "import", ref)
    code, out, _ = invoke(runner, "import", ref)
    assert code == 0
    assert out.split("\t")[:2] == ["1", "duplicate"]


@pytest.mark.usefixtures("on_engine")
def test_show_json_fields(runner: CliRunner) -> None:
    invoke(runner, "import", str(reference_path()))
    code, out, _ = invoke(runner, "show", "1", "--format", "json")
    assert code == 0
    data = json.loads(out)
    for key in (
        "id",
        "category",
        "title",
        "published",
        "body",
        "questions",
        "actions",
        "url",
        "sources",
    ):
        assert key in data
    assert data["category"] == "TECHNOLOGY"
    assert data["title"] == "Why is Meta Seeking Allies for its AI Dreams?"
    assert data["published"].startswith("2025-04-21")
    assert len(data["questions"]) == 3


@pytest.mark.usefixtures("on_engine")
def test_search_finds_imported_story(runner: CliRunner) -> None:
    invoke(runner, "import", str(reference_path()))
    code, out, _ = invoke(runner, "search", "Llama", "--json")
    assert code == 0
    hits = json.loads(out)
    assert [h["id"] for h in hits] == [1]
    for key in ("id", "title", "url", "published", "category", "snippet"):
        assert key in hits[0]
    code, out, _ = invoke(runner, "search", "Llama")
    assert "Why is Meta Seeking Allies" in out
    assert "[Llama]" in out  # highlighted with plain markers when piped
    code, out, _ = invoke(runner, "search", "nonexistentword", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "999"], "Error: no story with id 999"),
        (["search", "   "], "Error: empty query"),
        (["--config", "missing.toml", "fetch"], "Error: missing.toml: no such file"),
        (["feeds", "add", "ftp://example.com/feed"], "Error: 'ftp://example.com/feed' is not"),
        (["feeds", "remove", "https://nowhere.example/feed"], "Error: no such feed"),
    ],
)
@pytest.mark.usefixtures("on_engine")
def test_errors_are_one_line_and_exit_1(runner: CliRunner, args: list[str], message: str) -> None:
    invoke(runner, "import", str(reference_path()))
    code, _, err = invoke(runner, *args)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(message), err


def test_bad_config_key_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[fetch]\nspeed = 3\n", encoding="utf-8")
    code, _, err = invoke(runner, "--config", str(cfg), "feeds", "list")
    assert code == 1
    assert (
        err.strip()
        == f"Error: {cfg}: fetch.speed: unknown key (allowed: " + err.split("(allowed: ")[1].strip()
    )


def test_config_from_environment(
    runner: CliRunner, write_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = write_config(
        [{"url": "https://example.com/feed.xml", "category": "science"}],
        archive={"path": "env.db"},
    )
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(cfg))
    # Listing only reads: the archive the config names is created by a writing command.
    code, _, err = invoke(runner, "import", str(reference_path()))
    assert code == 0, err
    assert Path("env.db").exists()
    code, out, err = invoke(runner, "feeds", "list", "--json")
    assert code == 0, err
    feeds = json.loads(out)
    assert [f["url"] for f in feeds] == ["https://example.com/feed.xml"]
    assert feeds[0]["category"] == "science"


@pytest.mark.usefixtures("on_engine")
def test_feeds_add_list_remove(runner: CliRunner) -> None:
    code, out, err = invoke(
        runner, "feeds", "add", "https://example.com/a.xml", "--category", "ai", "--no-check"
    )
    assert code == 0, err
    code, _, err = invoke(runner, "feeds", "add", "https://example.com/a.xml")
    assert code == 1
    assert "already" in err
    code, out, _ = invoke(runner, "feeds", "list", "--json")
    assert [(f["url"], f["category"]) for f in json.loads(out)] == [
        ("https://example.com/a.xml", "ai")
    ]
    code, out, _ = invoke(runner, "feeds", "list")
    assert "example.com/a.xml" in out
    code, out, _ = invoke(runner, "feeds", "remove", "https://example.com/a.xml")
    assert code == 0
    code, out, _ = invoke(runner, "feeds", "list", "--json")
    assert json.loads(out) == []


def test_db_flag_chooses_the_archive(runner: CliRunner, tmp_path: Path) -> None:
    code, _, _ = invoke(runner, "--db", str(tmp_path / "other.db"), "import", str(reference_path()))
    assert code == 0
    assert (tmp_path / "other.db").exists()
    assert not (tmp_path / "archive" / "news.db").exists()


def test_import_reports_bad_documents(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not a story\n", encoding="utf-8")
    code, out, err = invoke(runner, "import", str(bad), str(reference_path()))
    assert code == 1
    assert "bad.txt" in err and "Error: 1 of 2 files not imported" in err
    assert "\tnew\t" in out  # the good one was archived anyway


def test_every_command_has_help() -> None:
    import click

    def walk(cmd: click.Command, name: str) -> None:
        assert cmd.help, f"{name} has no help text"
        if isinstance(cmd, click.Group):
            for sub_name, sub in cmd.commands.items():
                walk(sub, f"{name} {sub_name}")

    walk(cli, "aggregator")
