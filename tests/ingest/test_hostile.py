"""Hostile feeds: nothing let in, nothing breaks, every refusal is a clear error.

Every file of the corpus's ``hostile/`` and ``problem-feeds/`` folders, plus
generated attacks (XXE against a planted secret file and /etc/passwd, entity
bombs, terminal escapes, ``javascript:`` links, odd bytes), is served on
127.0.0.1 and polled through the real pipeline. Then the archive and every
command's output are checked (see :mod:`reliability` for the rules).

What "within the limits" means for a feed with 100,000 entries: the body
must fit ``[fetch] max_size`` (10 MiB by default, after decompression), or
the fetch is refused with "response larger than"; a body that fits is parsed
in full, and at most :data:`aggregator.ingest.worker.MAX_ENTRIES` of its entries
(the newest) are archived in one poll, with a warning on the feed. How long
such a poll takes is a benchmark's question, not a test's: on a loaded machine
it ranged from half a minute to three.
"""

from __future__ import annotations

import html
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.httpserver import FeedServer
from support.reliability import (
    LIMITS,
    TAG,
    HostileCase,
    archive_problems,
    big_feed,
    corpus_cases,
    document_cases,
    limit_cases,
    output_problems,
    run_cli,
)

from aggregator.app.config import load
from aggregator.app.core import open_app
from aggregator.cli.main import cli
from aggregator.digest.formats import RENDERERS
from aggregator.digest.select import Window, build_digest
from aggregator.ingest.normalize import clean_title, html_to_text
from aggregator.ingest.worker import MAX_ENTRIES
from aggregator.poll.poller import FeedResult

PASSWD = "root:x:0:0"
# What the entity bombs would expand to (billion laughs, quadratic blow-up).
EXPANSIONS = ("lollollollol", "B" * 1000)
# Posts whose code samples quote HTML (escaped, inside <pre>/<code>): the markup is the text.
QUOTES_HTML_IN_CODE = frozenset(
    {
        "AtomEscapedHTMLInPreTag__feedjira.xml",
        "invalid-published-dates__stringer-feed02.xml",
        "cowboyprogrammer_full__feeder-atom.xml",
    }
)


def _secret(tmp_path: Path) -> tuple[Path, str]:
    token = "xxesecret" + secrets.token_hex(12)
    path = tmp_path / "secret.txt"
    path.write_text(f"{token}\n{PASSWD}:root:/root:/bin/bash\n", encoding="utf-8")
    return path, token


def _outcomes(
    cases: Sequence[HostileCase], results: Sequence[FeedResult], server: FeedServer
) -> list[str]:
    """Problems with the per-feed results: each one stored, or a one-line error as expected."""
    by_url = {r.feed.url: r for r in results}
    problems = []
    for case in cases:
        r = by_url.get(server.url(case.path))
        if r is None:
            problems.append(f"{case.name}: no result")
            continue
        if r.outcome == "error":
            if case.expect == "stored":
                problems.append(f"{case.name}: failed: {r.error}")
            if not r.error or "\n" in r.error or "Traceback" in r.error:
                problems.append(f"{case.name}: unclear error {r.error!r}")
            if case.error_has and case.error_has not in r.error:
                problems.append(f"{case.name}: error {r.error!r} lacks {case.error_has!r}")
        elif case.expect == "error":
            problems.append(f"{case.name}: expected an error, got {r.outcome}")
    return problems


@pytest.mark.slow
def test_hostile_and_problem_feeds_are_archived_clean_or_refused_clearly(
    corpus: Path,
    feed_server: FeedServer,
    write_config: Callable[..., Path],
    tmp_path: Path,
    runner: CliRunner,
) -> None:
    secret_file, token = _secret(tmp_path)
    cases = corpus_cases(feed_server, corpus) + document_cases(feed_server, secret_file=secret_file)
    assert len(cases) >= 320
    feeds = [{"url": feed_server.url(c.path), "category": "technology"} for c in cases]
    cfg = write_config(feeds, fetch={"workers": 2, **LIMITS})

    started = time.monotonic()
    with open_app(load(cfg)) as app:
        results = app.poll()
    assert time.monotonic() - started < 120
    assert _outcomes(cases, results, feed_server) == []
    stored = [r for r in results if r.outcome == "new"]
    assert len(stored) > 200  # most problem feeds are feeds, and are archived
    assert sum(r.counts.new for r in results) > 1500

    db = tmp_path / "archive" / "news.db"
    forbidden = [token, PASSWD, *EXPANSIONS]
    assert archive_problems(db, secrets=forbidden, quoted_html=QUOTES_HTML_IN_CODE) == []
    assert feed_server.count("/evil.dtd") == 0  # no DTD or entity was ever fetched

    # Every command's output, as a script reads it (CliRunner: not a terminal).
    problems: list[str] = []
    conn = sqlite3.connect(db)
    # Every story of the generated attacks, and every fifth of the corpus's.
    ids = [
        story_id
        for story_id, generated in conn.execute(
            "SELECT s.id, MAX(f.url LIKE '%/gen/%') FROM stories s JOIN sources so"
            " ON so.story_id = s.id JOIN feeds f ON f.id = so.feed_id GROUP BY s.id"
        )
        if generated or story_id % 5 == 0
    ]
    conn.close()
    for story_id in ids:
        for fmt in ("text", "json"):
            out = runner.invoke(cli, ["--config", str(cfg), "show", str(story_id), "--format", fmt])
            assert out.exit_code == 0, out.stderr
            problems += output_problems(f"show {story_id} {fmt}", out.stdout)
    for query in ("escape", "link", "bomb", "script", "xxe", "title", "alert"):
        for extra in ([], ["--json"]):
            out = runner.invoke(
                cli, ["--config", str(cfg), "search", query, "--limit", "200", *extra]
            )
            assert out.exit_code == 0, out.stderr
            problems += output_problems(f"search {query} {extra}", out.stdout)
    for args in (["feeds", "list"], ["feeds", "list", "--json"], ["status"], ["status", "--json"]):
        out = runner.invoke(cli, ["--config", str(cfg), *args])
        assert out.exit_code == 0, out.stderr
        problems += output_problems(" ".join(args), out.stdout)
    assert problems == []

    # Digests in every format carry no script, event handler or javascript:/data: link.
    wide = Window(datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    for fmt in RENDERERS:
        text = build_digest(db, wide, fmt=fmt)
        if fmt in ("html", "atom"):
            markup = html.unescape(text) if fmt == "atom" else text
            assert not re.search(r"<script|<[^>]*\son\w+\s*=", markup, re.IGNORECASE), fmt
        assert output_problems(f"digest {fmt}", text) == []


@pytest.mark.slow
def test_terminal_output_of_hostile_feeds_has_no_foreign_escapes(
    feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    """On a real pseudo-terminal (rich tables, colours): only our own colour codes."""
    secret_file, _ = _secret(tmp_path)
    cases = [
        c
        for c in document_cases(feed_server, secret_file=secret_file)
        if c.name in ("controls-raw", "controls-refs", "rich-markup", "links", "markup-page")
    ]
    cfg = write_config([{"url": feed_server.url(c.path)} for c in cases], fetch={"workers": 1})
    run_cli(["--config", str(cfg), "fetch"], cwd=tmp_path)
    problems: list[str] = []
    for args in (
        ["search", "escape OR markup OR link"],
        ["show", "1"],
        ["show", "2"],
        ["feeds", "list"],
        ["status"],
        ["--log-level", "debug", "fetch"],
    ):
        out = run_cli(["--config", str(cfg), *args], cwd=tmp_path, tty=True)
        assert "Traceback" not in out, out
        problems += output_problems(" ".join(args), out, tty=True)
        # Rich markup from a feed is printed as it is, never interpreted.
        if args[0] in ("feeds", "status"):
            assert "\x1b]8;" not in out
    assert problems == []


@pytest.mark.parametrize(
    "name",
    [
        "gzip-bomb",
        "gzip-bomb-body",
        "gzip-twice",
        "deflate-bomb",
        "endless-fast",
        "endless-trickle",
        "silent",
        "endless-headers",
        "short-body",
        "redirect-loop",
        "redirect-to-file",
    ],
)
def test_limits_stop_bombs_endless_answers_and_stalls(
    name: str, feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    [case] = [c for c in limit_cases(feed_server) if c.name == name]
    cfg = write_config([{"url": feed_server.url(case.path)}], fetch={"workers": 1, **LIMITS})
    with open_app(load(cfg)) as app:
        started = time.monotonic()
        [result] = app.poll()
        elapsed = time.monotonic() - started
        state = app.archive.get_feed(feed_server.url(case.path))
    assert elapsed < case.max_seconds, elapsed
    assert _outcomes([case], [result], feed_server) == []
    assert state.last_status == "error" and state.last_error == result.error
    assert archive_problems(tmp_path / "archive" / "news.db") == []


@pytest.mark.slow
def test_a_feed_of_100000_entries_is_handled_within_the_limits(
    feed_server: FeedServer, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    body = big_feed(100_000)
    assert len(body) < 10 * 1024 * 1024  # it fits the size cap: the entry cap decides
    feed_server.add("/big.xml", body)
    feed_server.add("/bigger.xml", body.replace(b"<title>Story", b"<title>A longer story"))
    cfg = write_config(
        [{"url": feed_server.url("/big.xml")}, {"url": feed_server.url("/bigger.xml")}],
        fetch={"workers": 2, "max_size": "8MiB"},
    )
    with open_app(load(cfg)) as app:
        results = {r.feed.url.rsplit("/", 1)[1]: r for r in app.poll()}
    big, bigger = results["big.xml"], results["bigger.xml"]
    assert big.outcome == "new", big.error
    assert big.counts.new == MAX_ENTRIES
    assert "100000 entries" in big.warning
    assert bigger.outcome == "error" and "larger than 8.0 MiB" in bigger.error
    db = tmp_path / "archive" / "news.db"
    conn = sqlite3.connect(db)
    try:
        # The newest entries are kept: undated, so the first ones in the document.
        titles = {t for (t,) in conn.execute("SELECT title FROM stories")}
    finally:
        conn.close()
    assert "Story number 0 about topic 0" in titles
    assert f"Story number {MAX_ENTRIES} about topic {MAX_ENTRIES % 97}" not in titles


def test_error_lines_quoting_hostile_text_carry_no_control_characters(
    write_config: Callable[..., Path], runner: CliRunner
) -> None:
    cfg = write_config([])
    url = "https://evil.example/\x1b[2J\x1b]8;;https://x/\x07\u009b31m\u202e.xml"
    result = runner.invoke(cli, ["--config", str(cfg), "feeds", "remove", url])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: no such feed: https://evil.example/")
    assert output_problems("feeds remove", result.stderr) == []


@pytest.mark.parametrize(
    "markup",
    [
        "<<script>x</script>script>alert(1)<<script>x</script>/script>",
        "<<b></b>img src=x onerror=alert(1)>",
        "<<!-- x -->iframe src=javascript:alert(1)>",
        "1 &lt;<b></b>svg onload=alert(1)&gt;",
        "&lt<i></i>img src=x onerror=1>",
        "&#x3c;<i></i>svg/onload=x>",
        "&lt;<svg><x/></svg>img src=x onerror=1>",
        "1 comment</<script>alert(2)</script>a></p>",
    ],
)
def test_removed_markup_never_assembles_a_tag_from_the_text_around_it(markup: str) -> None:
    """A "<" before markup that normalize drops must not join the text after it."""
    for text in (html_to_text(markup), clean_title(markup)):
        assert not TAG.search(text), text
        assert re.search("</? ", text)  # the "<" stays, as text


def test_text_that_shows_angle_brackets_around_markup_keeps_them() -> None:
    assert html_to_text("<code>val f = &lt;<span>fun</span>&gt;</code>") == "val f = <fun>"
