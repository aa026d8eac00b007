"""Shared pytest fixtures: a loopback feed server, an isolated working folder,
a config writer, the CLI runner and the shared corpus."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.httpserver import FeedServer
from support.pgserver import PostgresServer, find_binaries

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("AGGREGATOR_CORPUS") or REPO.parent / "shared" / "corpus")
if not CORPUS.is_absolute():
    CORPUS = (REPO / CORPUS).resolve()
REFERENCE = CORPUS.parent / "seed-format" / "reference-story.txt"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A :class:`httpserver.FeedServer` on 127.0.0.1, closed after the test."""
    with FeedServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder with no AGGREGATOR_* variables set."""
    for name in list(os.environ):
        if name.startswith("AGGREGATOR_") and name != "AGGREGATOR_CORPUS":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def corpus() -> Path:
    """The shared feed corpus; the test is skipped where it is absent."""
    if not (CORPUS / "real-feeds").is_dir():
        pytest.skip(f"feed corpus not found at {CORPUS} (set AGGREGATOR_CORPUS)")
    return CORPUS


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_config_text(feeds: list[dict[str, Any]], **sections: dict[str, Any]) -> str:
    """A config file's text: ``[fetch] allow_private_addresses = true`` plus the given sections."""
    sections.setdefault("fetch", {})
    sections["fetch"] = {"allow_private_addresses": True, "workers": 1, **sections["fetch"]}
    lines: list[str] = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
        lines.append("")
    for feed in feeds:
        lines.append("[[feeds]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in feed.items()]
        lines.append("")
    return "\n".join(lines)


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config file under tmp_path and return its path."""

    def write(feeds: list[dict[str, Any]] | None = None, **sections: dict[str, Any]) -> Path:
        path = tmp_path / "aggregator.toml"
        path.write_text(make_config_text(feeds or [], **sections), encoding="utf-8")
        return path

    return write


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner (stdout and stderr kept apart)."""
    return CliRunner()


# -- both storage engines ----------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole session (skips where none can be had)."""
    folder, why = find_binaries()
    if folder is None:
        pytest.skip(f"no PostgreSQL server: {why}")
    try:
        server = PostgresServer.start(folder)
    except Exception as exc:  # initdb or pg_ctl failed: say why, run the rest
        pytest.skip(f"no PostgreSQL server: it did not start ({str(exc)[:200]})")
    try:
        yield server
    finally:
        from aggregator.store.pg.connection import close_pools

        close_pools()
        server.stop()


_databases = iter(range(1, 1_000_000))


def fresh_database(server: PostgresServer) -> str:
    """A new empty database on the session's server; its URL."""
    import psycopg

    name = f"archive_{next(_databases)}"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.dsn(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    """The storage engine a test runs on: ``sqlite`` or ``postgresql``."""
    return str(request.param)


@pytest.fixture
def archive_at(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where the test's archive is: a file (SQLite) or a fresh database's URL (PostgreSQL)."""
    if engine == "sqlite":
        return tmp_path / "archive" / "news.db"
    return fresh_database(request.getfixturevalue("pg_server"))
