"""``aggregator dedupe --rebuild`` and ``--explain`` end to end on a real archive."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli.main import cli

BODY = (
    "The Rust project released version 1.90 today with a borrow checker that is much faster"
    " on large crates. Compile times on the project's benchmark suite fell by a fifth, and"
    " several long-standing false positives are gone.\n\nMaintainers said the work took two"
    " years and touched most of the type checker, and that the next release will build on it."
)
OTHER = (
    "A small startup in Lisbon has built a battery for electric bicycles that charges in nine"
    " minutes and lasts for more than a thousand cycles, its founders said at a trade show."
)


def document(title: str, body: str, date: str = "Mon Apr 21 2025") -> str:
    return f"TECHNOLOGY\n\n{title}\n\n{date}\n{body}\n\nquestions\n\n    Who benefits?\n\nactions\n"


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def archive(runner: CliRunner, tmp_path: Path, write_config: Callable[..., Path]) -> Path:
    """An archive with three stories: 1 and 3 are one story that was stored apart."""
    config = write_config(dedupe={"near_duplicates": False})
    files = [
        ("a.txt", document("Rust 1.90 ships a faster borrow checker", " ".join(BODY.split()[:30]))),
        ("b.txt", document("Battery that charges in nine minutes", OTHER)),
        ("c.txt", document("Rust 1.90 ships a faster borrow checker", BODY)),
    ]
    for name, text in files:
        (tmp_path / name).write_text(text, encoding="utf-8")
        code, _, err = invoke(runner, "--config", str(config), "import", str(tmp_path / name))
        assert code == 0, err
    return config


def test_explain_says_why(
    runner: CliRunner, archive: Path, write_config: Callable[..., Path]
) -> None:
    config = write_config()
    code, out, _ = invoke(runner, "--config", str(config), "dedupe", "--explain", "1", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Stories 1 and 3: the same story (rule: containment)"
    assert "lead containment   1.00 (threshold 0.8;" in out
    assert lines[2] == "  1: Rust 1.90 ships a faster borrow checker"
    code, out, _ = invoke(
        runner, "--config", str(config), "dedupe", "--explain", "1", "2", "--json"
    )
    data = json.loads(out)
    assert (data["same"], data["rule"]) == (False, "scores")
    assert data["settings"]["window"] == 3 * 86400
    assert 0 <= data["scores"]["jaccard"] < 0.1


def test_explain_errors(runner: CliRunner, archive: Path) -> None:
    code, _, err = invoke(runner, "--config", str(archive), "dedupe", "--explain", "1", "9")
    assert code == 1
    assert err.strip() == "Error: no story with id 9"
    code, _, err = invoke(runner, "--config", str(archive), "dedupe")
    assert code == 2 and "give one of --rebuild or --explain" in err
    code, _, err = invoke(runner, "--config", str(archive), "dedupe", "--explain", "1")
    assert code == 2


def test_rebuild_merges_with_new_settings(
    runner: CliRunner, archive: Path, write_config: Callable[..., Path]
) -> None:
    code, out, _ = invoke(runner, "--config", str(archive), "dedupe", "--rebuild")
    assert code == 0
    assert out.startswith("Rebuilt the duplicate index of 3 stories in ")
    assert ": 0 merged into earlier stories" in out  # near duplicates are off in this config
    config = write_config()  # default settings: near duplicates on
    code, out, _ = invoke(runner, "--config", str(config), "dedupe", "--rebuild", "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["stories"], report["merged"], report["upgraded"]) == (3, 1, 1)
    code, out, _ = invoke(runner, "--config", str(config), "show", "1")
    assert "Maintainers said the work took two years" in out
    code, _, err = invoke(runner, "--config", str(config), "show", "3")
    assert code == 1 and "no story with id 3" in err


def test_bad_dedupe_setting_is_one_line(
    runner: CliRunner, write_config: Callable[..., Path]
) -> None:
    config = write_config(dedupe={"jaccard": 1.5})
    code, _, err = invoke(runner, "--config", str(config), "dedupe", "--rebuild")
    assert code == 1
    assert err.strip() == f"Error: {config}: dedupe.jaccard: must be above 0 and at most 1, got 1.5"
