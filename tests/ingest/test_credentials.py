"""Private and picky feeds: basic auth, bearer tokens, custom headers and User-Agent,
secrets read from the environment only, never logged, exported or sent to another host."""

from __future__ import annotations

import base64
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.feeds import rss
from support.httpserver import FeedServer, Handler

from aggregator.cli.main import cli

PASSWORD = "s3cret-Pa55word"
TOKEN = "tok-0123456789abcdef"
API_KEY = "key-fedcba9876543210"
SECRETS = (PASSWORD, TOKEN, API_KEY)


def guarded(body: bytes, check: Callable[[dict[str, str]], bool]) -> Callable[[Handler], None]:
    """A route that serves ``body`` only when ``check`` accepts the request's headers."""

    def handle(h: Handler) -> None:
        headers = {k.lower(): v for k, v in h.headers.items()}
        if check(headers):
            h.respond(200, body, content_type="application/rss+xml")
        else:
            h.respond(401, b"unauthorized\n", headers={"WWW-Authenticate": 'Basic realm="x"'})

    return handle


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def stories_of(db: Path = Path("archive/news.db")) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0])


def feed_errors(db: Path = Path("archive/news.db")) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT config_url, last_error FROM feeds"))


def test_basic_auth_bearer_token_and_headers(
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("FEED_PASSWORD", PASSWORD)
    monkeypatch.setenv("FEED_TOKEN", TOKEN)
    monkeypatch.setenv("FEED_API_KEY", API_KEY)
    feed_server.add_handler(
        "/basic.xml",
        guarded(rss("basic", 2), lambda h: h.get("authorization") == basic("reader", PASSWORD)),
    )
    feed_server.add_handler(
        "/token.xml",
        guarded(
            rss("token", 3),
            lambda h: (
                h.get("authorization") == f"Bearer {TOKEN}"
                and h.get("x-api-key") == f"k={API_KEY}"
                and h.get("x-tenant") == "acme"
                and h.get("user-agent") == "PickyReader/1.0"
            ),
        ),
    )
    feed_server.add("/open.xml", rss("open", 1))
    cfg = write_config(
        [
            {
                "url": feed_server.url("/basic.xml"),
                "username": "reader",
                "password_env": "FEED_PASSWORD",
            },
            {
                "url": feed_server.url("/token.xml"),
                "token_env": "FEED_TOKEN",
                "user_agent": "PickyReader/1.0",
            },
            {"url": feed_server.url("/open.xml")},
        ]
    )
    # An inline table for headers, with a secret taken from the environment.
    text = cfg.read_text(encoding="utf-8").replace(
        'user_agent = "PickyReader/1.0"',
        'user_agent = "PickyReader/1.0"\n'
        'headers = { X-Api-Key = "k=${FEED_API_KEY}", X-Tenant = "acme" }',
    )
    cfg.write_text(text, encoding="utf-8")
    log = tmp_path / "fetch.log"
    # A real process, logging everything at debug level to a file.
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", "--config", str(cfg), "--log-level", "debug"]
        + ["--log-file", str(log), "fetch"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert stories_of() == 6
    assert set(feed_errors().values()) == {""}
    # The open feed got no credentials of the others.
    (open_request,) = [r for r in feed_server.requests if r[1] == "/open.xml"]
    assert "authorization" not in open_request[2] and "x-api-key" not in open_request[2]
    # Secrets never reach the output, the log or the archive.
    written = result.stdout + result.stderr + log.read_text(encoding="utf-8")
    assert "/token.xml" in written  # the log is there, and says what was fetched
    written += Path("archive/news.db").read_bytes().decode("latin-1")
    assert not [s for s in SECRETS if s in written]
    # ... nor the OPML export.
    exported = runner.invoke(cli, ["--config", str(cfg), "feeds", "export"])
    assert exported.exit_code == 0, exported.stderr
    assert "/basic.xml" in exported.stdout
    assert not [s for s in (*SECRETS, "FEED_PASSWORD", "reader") if s in exported.stdout]


def test_a_missing_secret_fails_that_feed_only(
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NOT_SET_TOKEN", raising=False)
    feed_server.add_handler("/token.xml", guarded(rss("token", 1), lambda h: "authorization" in h))
    feed_server.add("/open.xml", rss("open", 2))
    cfg = write_config(
        [
            {"url": feed_server.url("/token.xml"), "token_env": "NOT_SET_TOKEN"},
            {"url": feed_server.url("/open.xml")},
        ]
    )
    result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert "Traceback" not in result.output
    assert stories_of() == 2
    errors = feed_errors()
    assert errors[feed_server.url("/token.xml")] == (
        "environment variable NOT_SET_TOKEN (token_env) is not set"
    )
    # Nothing was sent without the token.
    assert not [r for r in feed_server.requests if r[1] == "/token.xml"]


def test_a_wrong_password_is_an_http_error_of_that_feed(
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEED_PASSWORD", "wrong")
    feed_server.add_handler(
        "/basic.xml",
        guarded(rss("basic", 1), lambda h: h.get("authorization") == basic("reader", PASSWORD)),
    )
    cfg = write_config(
        [
            {
                "url": feed_server.url("/basic.xml"),
                "username": "reader",
                "password_env": "FEED_PASSWORD",
            }
        ]
    )
    runner.invoke(cli, ["--config", str(cfg), "fetch"])
    assert "401" in feed_errors()[feed_server.url("/basic.xml")]
    assert stories_of() == 0


def test_a_redirect_to_another_host_does_not_carry_credentials(
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEED_TOKEN", TOKEN)
    monkeypatch.setenv("FEED_API_KEY", API_KEY)
    with FeedServer() as other:
        other.add("/moved.xml", rss("moved", 2))
        # Same origin first (credentials kept), then another host (dropped).
        feed_server.add_handler(
            "/private.xml", lambda h: h.respond(302, headers={"Location": "/hop.xml"})
        )
        feed_server.add_handler(
            "/hop.xml",
            lambda h: h.respond(
                302, headers={"Location": f"http://localhost:{other.port}/moved.xml"}
            ),
        )
        cfg = write_config(
            [
                {
                    "url": feed_server.url("/private.xml"),
                    "token_env": "FEED_TOKEN",
                    "user_agent": "PickyReader/1.0",
                }
            ]
        )
        text = cfg.read_text(encoding="utf-8") + 'headers = { X-Api-Key = "${FEED_API_KEY}" }\n'
        cfg.write_text(text, encoding="utf-8")
        result = runner.invoke(cli, ["--config", str(cfg), "fetch"])
        assert result.exit_code == 0, result.output
        assert stories_of() == 2
        requests = {path: headers for _, path, headers in feed_server.requests}
        for path in ("/private.xml", "/hop.xml"):
            assert requests[path]["authorization"] == f"Bearer {TOKEN}"
            assert requests[path]["x-api-key"] == API_KEY
        ((_, _, moved),) = other.requests
        assert "authorization" not in moved and "x-api-key" not in moved
        assert not [s for s in SECRETS if s in str(moved)]
        assert moved["user-agent"] == "PickyReader/1.0"  # not a secret: it follows


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        ({"username": "reader"}, "feeds[0].password_env: missing"),
        ({"password_env": "P"}, "feeds[0].username: missing"),
        (
            {"username": "a", "password_env": "P", "token_env": "T"},
            "feeds[0].token_env: use either",
        ),
        ({"token_env": "not a name"}, "feeds[0].token_env: 'not a name' is not an environment"),
        ({"username": "a:b", "password_env": "P"}, "feeds[0].username: must be one line"),
    ],
)
def test_credential_config_errors(
    feed: dict[str, str], message: str, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    cfg = write_config([{"url": "https://example.com/feed.xml", **feed}])
    result = runner.invoke(cli, ["--config", str(cfg), "feeds", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {cfg}: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ('{ Host = "x" }', "feeds[0].headers.Host: is set by aggregator itself"),
        ('{ User-Agent = "x" }', "feeds[0].headers.User-Agent: is set by aggregator itself (use"),
        ('{ "Bad Name" = "x" }', "feeds[0].headers.Bad Name: is not a header name"),
        ("{ X-Count = 3 }", "feeds[0].headers.X-Count: expected a one-line string"),
        ('"X-A: b"', "feeds[0].headers: expected a table"),
    ],
)
def test_header_config_errors(
    headers: str, message: str, write_config: Callable[..., Path], runner: CliRunner
) -> None:
    cfg = write_config([{"url": "https://example.com/feed.xml"}])
    cfg.write_text(cfg.read_text(encoding="utf-8") + f"headers = {headers}\n", encoding="utf-8")
    result = runner.invoke(cli, ["--config", str(cfg), "feeds", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {cfg}: {message}"), result.stderr
