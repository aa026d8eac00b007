"""Config loading and validation: every error names the file, the key and what is allowed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aggregator.app.config import Config, load, parse_duration, parse_size
from aggregator.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_is_valid_and_has_enough_feeds() -> None:
    config = load(REPO / "config" / "aggregator.toml")
    assert len(config.feeds) >= 20
    publishers = {f.url.split("/")[2].removeprefix("www.").split(".")[-2] for f in config.feeds}
    assert len(publishers) >= 15
    assert all(f.category for f in config.feeds)
    assert config.fetch.allow_private_addresses is False
    assert config.archive.path == Path("archive/news.db")


def test_defaults_without_a_file() -> None:
    config = load(None)
    assert config == Config()
    assert config.schedule.interval == timedelta(minutes=30)
    assert config.feeds == ()


def test_full_config(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[archive]
path = "data/x.db"
[fetch]
allow_private_addresses = true
max_size = "1MiB"
total_timeout = "90s"
[schedule]
interval = "45s"
min_interval = "10s"
max_interval = "2h"
[[feeds]]
url = "https://example.com/feed.xml"
category = "science"
interval = "1h"
title = "Example"
""",
    )
    config = load(path)
    assert config.archive.path == Path("data/x.db")
    assert config.fetch.max_size == 1024 * 1024
    assert config.fetch.total_timeout == 90
    assert config.schedule.interval == timedelta(seconds=45)
    assert config.feeds[0].interval == timedelta(hours=1)
    assert config.feeds[0].category == "science"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[fetch]\ntimeuot = 3\n", "fetch.timeuot: unknown key (allowed:"),
        ("[fetch]\nallow_private_addresses = 'yes'\n", "fetch.allow_private_addresses: expected"),
        ("[schedule]\ninterval = 'soon'\n", "schedule.interval: 'soon' is not a duration"),
        ("[[feeds]]\nurl = 'ftp://example.com/x'\n", "feeds[0].url: 'ftp://example.com/x' is not"),
        ("[[feeds]]\ncategory = 'x'\n", "feeds[0].url: missing"),
        ("[[feeds]]\nurl = 'https://a.example/f g'\n", "contains whitespace"),
        ('[[feeds]]\nurl = "https://a.example/f\\u00a0g"\n', "contains whitespace"),
        ("[[feeds]]\nurl = 'https://a.example/f'\ncolour = 1\n", "feeds[0].colour: unknown key"),
        (
            "[[feeds]]\nurl = 'https://a.example/f'\n[[feeds]]\nurl = 'https://a.example/f'\n",
            "feeds[1].url: 'https://a.example/f' is already feeds[0]",
        ),
        ("[bogus]\nx = 1\n", "bogus: unknown key (allowed:"),
        ("[fetch]\nconcurrency = 0\n", "fetch.concurrency: must be positive"),
        ("[schedule]\nmin_interval = '2d'\n", "schedule.min_interval: must not be longer"),
        ("[questions]\ngenerator = 'gpt'\n", "questions.generator: 'gpt' is unknown"),
        ("[fetch]\nmax_size = 'huge'\n", "fetch.max_size: 'huge' is not a size"),
        ("not toml = = 1\n", "not valid TOML"),
    ],
)
def test_errors_name_file_key_and_allowed(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(str(path) + ": ")
    assert expected in message
    assert "\n" not in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("value", "seconds"), [("45s", 45), ("30m", 1800), ("2h", 7200), ("1d", 86400), (90, 90)]
)
def test_parse_duration(value: object, seconds: int) -> None:
    assert parse_duration(value).total_seconds() == seconds


@pytest.mark.parametrize("value", ["", "5", "m", "-1s", True, "1y", None])
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


def test_parse_size() -> None:
    assert parse_size("10MiB") == 10 * 1024 * 1024
    assert parse_size("512 KB") == 512_000
    assert parse_size(2048) == 2048
    with pytest.raises(ValueError):
        parse_size("0")
