"""The README's examples for filters, private feeds, retention and export, run as written."""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.feeds import rss
from support.httpserver import FeedServer

from aggregator.app.config import from_dict
from aggregator.cli.main import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def blocks(title: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section(title), flags=re.S)


@pytest.mark.parametrize("title", ["Filters", "Private and picky feeds", "Retention"])
def test_config_examples_are_valid(title: str) -> None:
    (block,) = blocks(title, "toml")
    config = from_dict(tomllib.loads(block), path="README.md")
    if title == "Filters":
        assert [r.action for r in config.filters] == ["drop", "keep"]
    elif title == "Retention":
        assert config.archive.keep is not None and config.feeds[0].keep_last == 500
    else:
        assert config.feeds[1].credentials.token_env == "GITLAB_TOKEN"


def test_filters_example_output(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    (block,) = blocks("Filters", "toml")
    (example,) = blocks("Filters", "sh")
    command, dropped, summary = example.strip().splitlines()
    doc = rss("hn", 19).replace(
        b"<item>",
        b"<item><title>Ask HN: Which laptop for Linux?</title><link>https://n.example/1</link>"
        b"<description>Looking for advice.</description></item><item>",
        1,
    )
    feed_server.add("/newest", doc)
    cfg = write_config([])
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n" + block, encoding="utf-8")
    args = shlex.split(command.removeprefix("$ aggregator "))
    args[-1] = feed_server.url("/newest")
    result = runner.invoke(cli, ["--config", str(cfg), *args])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [dropped]
    assert result.stderr.strip() == summary


def test_export_and_retention_examples_run(
    feed_server: FeedServer, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    feed_server.add("/a.xml", rss("a", 5))
    cfg = write_config(
        [{"url": feed_server.url("/a.xml"), "category": "technology"}], archive={"keep": "365d"}
    )
    assert runner.invoke(cli, ["--config", str(cfg), "fetch"]).exit_code == 0
    (commands,) = blocks("Export", "sh")
    for line in commands.strip().splitlines():
        args = shlex.split(line.split("#")[0].removeprefix("$ aggregator "))
        result = runner.invoke(cli, ["--config", str(cfg), *args])
        assert result.exit_code == 0, (line, result.output)
    assert len(Path("stories.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    assert len(list(Path("docs").glob("*.txt"))) == 5
    (example,) = blocks("Retention", "sh")
    command, output = example.strip().splitlines()
    result = runner.invoke(cli, ["--config", str(cfg), *shlex.split(command)[2:]])
    shape = re.sub(r"\d+", r"\\d+", re.escape(output))
    assert re.fullmatch(shape, result.stdout.strip()), result.stdout
