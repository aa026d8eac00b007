"""Actions derived when a story is shown (read the original, also covered by, related
stories) and importing documents with or without actions, errors naming file and line."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from support.feeds import rss
from support.httpserver import FeedServer

from aggregator.cli.main import cli
from aggregator.story.format import Document, parse, render
from aggregator.story.related import is_close, key_terms

BODY = "The story's body, one paragraph long, says what happened and who said what."
QUESTIONS = (
    "Who gains most from this move?",
    "What is the company not telling its customers?",
    "What happens next for the people affected?",
)


def doc(title: str, day: date, *, actions: tuple[str, ...] = ()) -> str:
    return render(
        Document(
            category="TECHNOLOGY",
            title=title,
            date=day,
            # Distinct text per story: near-duplicate detection must not merge them.
            body=f"{title}. " + " ".join(reversed(title.split())) + f". {BODY} {title}.",
            questions=QUESTIONS,
            actions=actions,
        )
    )


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--db", "news.db", *args])
    return result.exit_code, result.stdout, result.stderr


def import_docs(runner: CliRunner, tmp_path: Path, docs: dict[str, str]) -> dict[str, int]:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for name, text in docs.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    code, out, err = run(runner, "import", str(folder))
    assert code == 0, err
    ids = {}
    for line in out.splitlines():
        story_id, outcome, path = line.split("\t")
        assert outcome == "new"
        ids[Path(path).stem] = int(story_id)
    return ids


def actions_of(runner: CliRunner, story_id: int) -> list[str]:
    code, out, err = run(runner, "show", str(story_id))
    assert code == 0, err
    return list(parse(out).actions)


# --- related stories ---------------------------------------------------------------


def test_key_terms_and_closeness() -> None:
    assert key_terms("Apple raises iPhone prices in Europe") == [
        "apple",
        "raise",
        "iphone",
        "price",
        "europe",
    ]
    terms = key_terms("Apple raises iPhone prices in Europe")
    assert is_close(terms, "iPhone prices climb across Europe")
    assert not is_close(terms, "Apple opens a store in Mumbai")
    assert not is_close([], "Anything")


def test_related_stories_are_close_matches_within_a_week(runner: CliRunner, tmp_path: Path) -> None:
    ids = import_docs(
        runner,
        tmp_path,
        {
            "a": doc("Apple raises iPhone prices in Europe", date(2025, 4, 21)),
            "b": doc("iPhone prices climb across Europe after tariffs", date(2025, 4, 23)),
            "c": doc("Apple opens its first store in Mumbai", date(2025, 4, 22)),
            "d": doc("Europe iPhone prices steady, analysts say", date(2025, 5, 20)),
            "e": doc("Rust 1.86 released with trait upcasting", date(2025, 4, 21)),
        },
    )
    actions = actions_of(runner, ids["a"])
    assert actions == [f"Related: #{ids['b']} iPhone prices climb across Europe after tariffs"]
    assert actions_of(runner, ids["b"]) == [
        f"Related: #{ids['a']} Apple raises iPhone prices in Europe"
    ]
    assert actions_of(runner, ids["e"]) == []  # none: the actions section is empty

    code, out, _ = run(runner, "show", str(ids["a"]), "--format", "json")
    assert json.loads(out)["actions"] == actions


def test_actions_of_a_polled_story(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    site = "https://news.example"
    feed_server.add("/one.xml", rss("one", 1, site=site))
    feed_server.add(
        "/two.xml",
        rss("one", 1, site=site).replace(b"<title>one</title>", b"<title>Two</title>", 1),
    )
    one = {"url": feed_server.url("/one.xml"), "title": "Feed One"}
    # Feed One first, then both: which feed saw the story first must not depend on
    # which of two concurrent fetches finished first.
    cfg = write_config([one])
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    cfg = write_config([one, {"url": feed_server.url("/two.xml"), "title": "Feed Two"}])
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(cli, ["--config", str(cfg), "show", "1"])
    assert result.exit_code == 0, result.stderr
    assert parse(result.stdout).actions == (
        f"Read the original: {site}/one/0",
        "Also covered by: Feed Two",
    )
    assert result.stdout.endswith(
        f"\nactions\n    Read the original: {site}/one/0\n    Also covered by: Feed Two\n"
    )


# --- import ----------------------------------------------------------------------


def test_import_with_and_without_actions(runner: CliRunner, tmp_path: Path) -> None:
    with_actions = doc(
        "Apple raises iPhone prices in Europe",
        date(2025, 4, 21),
        actions=(
            "Read the original: https://example.com/apple-prices",
            "Compare with last year's prices",
            "Also covered by: Some Feed",
            "Related: #99 Some old story",
        ),
    )
    empty_actions = doc("Rust 1.86 released with trait upcasting", date(2025, 4, 21))
    no_actions_line = doc("Firefox ships a rebuilt tab manager", date(2025, 4, 22))
    no_actions_line = no_actions_line.removesuffix("\n\nactions")
    assert not no_actions_line.endswith("actions")
    ids = import_docs(
        runner,
        tmp_path,
        {
            "with": with_actions,
            "empty": empty_actions,
            "none": no_actions_line,
        },
    )
    with sqlite3.connect("news.db") as conn:
        rows = dict(conn.execute("SELECT id, actions FROM stories").fetchall())
        urls = dict(conn.execute("SELECT id, url FROM stories").fetchall())
    # Derived actions are not stored: they are derived again when shown.
    assert rows[ids["with"]] == "Compare with last year's prices"
    assert urls[ids["with"]] == "https://example.com/apple-prices"
    assert rows[ids["empty"]] == rows[ids["none"]] == ""
    assert actions_of(runner, ids["with"]) == [
        "Read the original: https://example.com/apple-prices",
        "Compare with last year's prices",
    ]


def test_import_errors_name_the_file_and_the_line(runner: CliRunner, tmp_path: Path) -> None:
    good = doc("Apple raises iPhone prices in Europe", date(2025, 4, 21))
    lines = good.split("\n")
    lines[4] = "Someday in April"  # the date line
    (tmp_path / "bad-date.txt").write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "lowercase.txt").write_text(good.replace("TECHNOLOGY", "technology", 1))
    (tmp_path / "good.txt").write_text(good, encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("TECHNOLOGY\n\nCaf\xe9\n".encode("latin-1"))

    code, out, err = run(
        runner,
        "import",
        str(tmp_path / "bad-date.txt"),
        str(tmp_path / "lowercase.txt"),
        str(tmp_path / "good.txt"),
        str(tmp_path / "latin1.txt"),
    )
    assert code == 1
    assert out.endswith(f"\tnew\t{tmp_path / 'good.txt'}\n")  # the good one is archived
    err_lines = err.splitlines()
    assert f"{tmp_path / 'bad-date.txt'}: line 5: " in err
    assert f"{tmp_path / 'lowercase.txt'}: line 1: expected the category in upper case" in err
    assert f"{tmp_path / 'latin1.txt'}: cannot read: " in err
    assert err_lines[-1] == "Error: 3 of 4 files not imported"
    assert "Traceback" not in err
