"""Every HTTP case of a poll, each against a real route on 127.0.0.1, through the App."""

from __future__ import annotations

import concurrent.futures
import gc
import gzip
import logging
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import brotli
import pytest
from support.feeds import rss
from support.httpserver import FeedServer, Handler

import aggregator.ingest.parse
import aggregator.poll.poller
from aggregator.app.config import load
from aggregator.app.core import App, open_app
from aggregator.models import FeedState


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_app(write_config: Callable[..., Path], clock: Clock) -> Callable[..., App]:
    apps: list[App] = []

    def make(*urls: str, **sections: dict[str, object]) -> App:
        sections.setdefault("schedule", {"jitter": "0s"})
        cfg = write_config([{"url": u} for u in urls], **sections)
        app = open_app(load(cfg), clock=clock)
        apps.append(app)
        return app

    yield make  # type: ignore[misc]
    for app in apps:
        app.close()


def feed(app: App, url: str) -> FeedState:
    return app.archive.get_feed(url)


def test_304_costs_no_parse_and_writes_only_the_feed_state(
    feed_server: FeedServer,
    make_app: Callable[..., App],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_server.add("/a.xml", rss("a", 3))
    app = make_app(feed_server.url("/a.xml"))
    parsed: list[str] = []
    real = aggregator.ingest.parse.parse_feed
    monkeypatch.setattr(
        aggregator.ingest.parse,  # the parser process's job imports it from there as it runs
        "parse_feed",
        lambda body, **kw: parsed.append("x") or real(body, **kw),
    )
    [first] = app.poll()
    assert first.outcome == "new" and first.counts.new == 3 and parsed == ["x"]
    clock.now += timedelta(hours=1)
    [second] = app.poll()
    assert second.outcome == "not_modified"
    assert parsed == ["x"]  # nothing parsed
    state = feed(app, feed_server.url("/a.xml"))
    assert state.last_status == "not_modified"
    assert state.last_fetched == clock.now
    assert app.archive.count_stories() == 3
    assert feed_server.requests[-1][2]["if-none-match"]


def test_a_poll_of_unchanged_feeds_starts_no_parser_process(
    feed_server: FeedServer,
    make_app: Callable[..., App],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_server.add("/u.xml", rss("u", 2))
    app = make_app(feed_server.url("/u.xml"), fetch={"workers": 2})
    pools: list[object] = []
    real = concurrent.futures.ProcessPoolExecutor

    def counting(*args: object, **kwargs: object) -> object:
        pools.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return pools[-1]

    # The poller imports the pool where it starts one (a poll of unchanged feeds never does).
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counting)
    [first] = app.poll()
    assert first.outcome == "new" and len(pools) == 1  # parsed in a process pool
    clock.now += timedelta(hours=1)
    [second] = app.poll()
    # Starting (and stopping) the parser processes would cost more than a poll of
    # unchanged feeds: they start only when a feed needs parsing.
    assert second.outcome == "not_modified" and len(pools) == 1


def test_parser_processes_keep_their_inherited_objects_out_of_the_collector(
    feed_server: FeedServer, make_app: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The modules a parser process imports as it starts live as long as it: the
    # parsers freeze them, so that full collections do not walk them again.
    feed_server.add("/g.xml", rss("g", 2))
    app = make_app(feed_server.url("/g.xml"), fetch={"workers": 2})
    frozen: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    def probing(*args: object, **kwargs: object) -> object:
        pool = real(*args, **kwargs)  # type: ignore[arg-type]
        frozen.append(pool.submit(gc.get_freeze_count).result(timeout=60))
        return pool

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", probing)
    [result] = app.poll()
    assert result.outcome == "new"
    # Measured: over 20,000 objects (the modules imported to start); 0 unfrozen.
    assert len(frozen) == 1 and frozen[0] > 10_000, frozen


def test_fetched_documents_wait_for_the_parsers_in_bounded_numbers(
    feed_server: FeedServer, make_app: Callable[..., App]
) -> None:
    paths = [f"/m{i}.xml" for i in range(40)]
    for p in paths:
        feed_server.add(p, rss(p.strip("/"), 30))
    app = make_app(*(feed_server.url(p) for p in paths), fetch={"concurrency": 2, "workers": 2})
    started: list[str] = []
    peak = [0]

    def fetching(feed: FeedState) -> None:
        started.append(feed.url)
        peak[0] = max(peak[0], len(started) - len(done))

    done: list[str] = []
    results = app.poll(on_fetch=fetching, on_result=lambda r: done.append(r.feed.url))
    assert [r.outcome for r in results] == ["new"] * len(paths)
    # Fetching outruns parsing: without a bound all 40 documents would wait in memory.
    assert peak[0] <= 2 + 2 * 2


def test_parsed_feeds_wait_for_the_writer_in_bounded_numbers(
    feed_server: FeedServer, make_app: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [f"/w{i}.xml" for i in range(24)]
    for p in paths:
        feed_server.add(p, rss(p.strip("/"), 20))
    app = make_app(*(feed_server.url(p) for p in paths), fetch={"concurrency": 8, "workers": 2})
    poller = aggregator.poll.poller.Poller
    real_process, real_store = poller._process, poller._store
    held, peak = [0], [0]

    async def parsing(self: object, *args: object, **kwargs: object) -> object:
        held[0] += 1
        peak[0] = max(peak[0], held[0])
        return await real_process(self, *args, **kwargs)  # type: ignore[arg-type]

    def storing(self: object, *args: object, **kwargs: object) -> object:
        # A writer slower than the two parsers together, as on a first poll.
        time.sleep(0.08)
        try:
            return real_store(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            held[0] -= 1

    monkeypatch.setattr(poller, "_process", parsing)
    monkeypatch.setattr(poller, "_store", storing)
    results = app.poll()
    assert [r.outcome for r in results] == ["new"] * len(paths)
    # Without the bound, every feed in flight (8 + 2 x 2) would be parsed and held
    # until the writer stores it.
    assert peak[0] <= aggregator.poll.poller.PARSED_PER_WORKER * 2, peak


def test_a_poll_of_unchanged_feeds_reuses_connections(
    feed_server: FeedServer, make_app: Callable[..., App], clock: Clock
) -> None:
    paths = [f"/f{i}.xml" for i in range(12)]
    for p in paths:
        feed_server.add(p, rss(p.strip("/"), 2))
    app = make_app(*(feed_server.url(p) for p in paths), fetch={"concurrency": 2})
    assert all(r.outcome == "new" for r in app.poll())
    clock.now += timedelta(hours=1)
    before = feed_server.connections
    results = app.poll()
    assert [r.outcome for r in results] == ["not_modified"] * len(paths)
    # Each 304 is read to its end, so its connection serves the next request
    # (at most 2 x concurrency connections), instead of one connection per feed.
    assert feed_server.connections - before <= 4
    for p in paths:  # every feed's state was written (in batches)
        state = feed(app, feed_server.url(p))
        assert (state.last_status, state.last_fetched) == ("not_modified", clock.now)
        assert state.next_fetch is not None and state.next_fetch > clock.now


def test_unchanged_feeds_are_written_in_batches(
    feed_server: FeedServer,
    make_app: Callable[..., App],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = [f"/b{i}.xml" for i in range(5)]
    for p in paths:
        feed_server.add(p, rss(p.strip("/"), 1))
    app = make_app(*(feed_server.url(p) for p in paths))
    app.poll()
    monkeypatch.setattr(aggregator.poll.poller, "NOT_MODIFIED_BATCH", 2)
    statements: list[str] = []
    app.archive.conn.set_trace_callback(statements.append)
    app.sync_feeds()
    syncing = statements.count("BEGIN IMMEDIATE")  # the poll syncs the config's feeds first
    statements.clear()
    clock.now += timedelta(hours=1)
    assert {r.outcome for r in app.poll()} == {"not_modified"}
    app.archive.conn.set_trace_callback(None)
    # Two full batches of 2, then the last feed when the poll ends: 3 transactions, not 5.
    assert statements.count("BEGIN IMMEDIATE") - syncing == 3
    assert {feed(app, feed_server.url(p)).last_fetched for p in paths} == {clock.now}


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_updates_the_stored_url(
    feed_server: FeedServer,
    make_app: Callable[..., App],
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    feed_server.add("/new.xml", rss("a", 2))
    feed_server.add_redirect("/old.xml", feed_server.url("/new.xml"), status=status)
    app = make_app(feed_server.url("/old.xml"))
    with caplog.at_level(logging.INFO):
        [result] = app.poll()
    assert result.outcome == "new"
    assert feed(app, feed_server.url("/old.xml")).url == feed_server.url("/new.xml")
    assert any("moved permanently" in r.getMessage() for r in caplog.records)
    app.poll()
    assert feed_server.count("/old.xml") == 1  # the next poll goes straight to the new URL


@pytest.mark.parametrize("status", [302, 307])
def test_temporary_redirect_keeps_the_url(
    feed_server: FeedServer, make_app: Callable[..., App], status: int
) -> None:
    feed_server.add("/new.xml", rss("a", 2))
    feed_server.add_redirect("/old.xml", feed_server.url("/new.xml"), status=status)
    app = make_app(feed_server.url("/old.xml"))
    [result] = app.poll()
    assert result.outcome == "new" and result.counts.new == 2
    assert feed(app, feed_server.url("/old.xml")).url == feed_server.url("/old.xml")


def test_410_disables_the_feed(
    feed_server: FeedServer, make_app: Callable[..., App], clock: Clock
) -> None:
    feed_server.add("/gone.xml", b"gone", status=410)
    app = make_app(feed_server.url("/gone.xml"))
    [result] = app.poll()
    assert result.outcome == "error" and "410" in result.error
    state = feed(app, feed_server.url("/gone.xml"))
    assert state.enabled is False
    detail = app.archive.feed_details()[0]
    assert detail["disabled_reason"].startswith("410 Gone")
    clock.now += timedelta(days=2)
    assert app.poll() == []  # disabled feeds are not polled
    assert feed_server.count("/gone.xml") == 1


@pytest.mark.parametrize("status", [404, 500, 502])
def test_errors_back_off_exponentially_and_reset_on_success(
    feed_server: FeedServer, make_app: Callable[..., App], clock: Clock, status: int
) -> None:
    feed_server.add("/a.xml", b"nope", status=status)
    app = make_app(feed_server.url("/a.xml"), schedule={"interval": "30m", "jitter": "0s"})
    url = feed_server.url("/a.xml")
    waits = []
    for _ in range(3):
        [result] = app.poll()
        assert result.outcome == "error" and str(status) in result.error
        state = feed(app, url)
        assert state.next_fetch is not None
        waits.append(state.next_fetch - clock.now)
        clock.now = state.next_fetch
    assert waits == [timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2)]
    assert feed(app, url).error_count == 3
    assert app.archive.feed_details()[0]["next_reason"] == "backoff"
    feed_server.add("/a.xml", rss("a", 1))
    [result] = app.poll()
    assert result.outcome == "new"
    state = feed(app, url)
    assert state.error_count == 0 and state.last_error == ""
    assert state.next_fetch - clock.now == timedelta(minutes=30)  # type: ignore[operator]


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("form", ["seconds", "date"])
def test_retry_after_is_honoured(
    feed_server: FeedServer,
    make_app: Callable[..., App],
    clock: Clock,
    status: int,
    form: str,
) -> None:
    retry = clock.now + timedelta(hours=5)
    value = "18000" if form == "seconds" else format_datetime(retry, usegmt=True)
    feed_server.add("/a.xml", b"slow down", status=status, headers={"Retry-After": value})
    app = make_app(feed_server.url("/a.xml"))
    [result] = app.poll()
    assert result.outcome == "error"
    state = feed(app, feed_server.url("/a.xml"))
    assert state.next_fetch is not None and state.next_fetch >= retry
    assert app.archive.feed_details()[0]["next_reason"] == "retry-after"
    # The daemon asks the archive for due feeds: not before the server's time.
    assert app.archive.list_feeds(due_before=retry - timedelta(seconds=1)) == []
    assert [f.url for f in app.archive.list_feeds(due_before=retry + timedelta(minutes=2))] == [
        state.url
    ]


def test_html_page_names_the_feeds_it_advertises(
    feed_server: FeedServer, make_app: Callable[..., App]
) -> None:
    page = (
        b"<!doctype html><html><head><title>Site</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/feed.rss">'
        b'<link rel="alternate" type="application/atom+xml" href="https://x.example/atom">'
        b"</head><body>hello</body></html>"
    )
    feed_server.add("/", page, content_type="text/html; charset=utf-8")
    app = make_app(feed_server.url("/"))
    [result] = app.poll()
    assert result.outcome == "error"
    assert "HTML page" in result.error
    assert feed_server.url("/feed.rss") in result.error
    assert "https://x.example/atom" in result.error


def _encoded(encoding: str) -> Callable[[Handler], None]:
    body = rss("enc", 2)
    data = {
        "gzip": gzip.compress(body),
        "deflate": zlib.compress(body),
        "br": brotli.compress(body),
    }[encoding]

    def handle(h: Handler) -> None:
        h.respond(
            200, data, headers={"Content-Encoding": encoding}, content_type="application/rss+xml"
        )

    return handle


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compressed_bodies(
    feed_server: FeedServer, make_app: Callable[..., App], encoding: str
) -> None:
    feed_server.add_handler("/a.xml", _encoded(encoding))
    app = make_app(feed_server.url("/a.xml"))
    [result] = app.poll()
    assert result.outcome == "new" and result.counts.new == 2, result.error
    assert "br" in feed_server.requests[0][2]["accept-encoding"]


LATIN1 = (
    '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>t</title>'
    "<item><title>Caf\u00e9 cr\u00e8me</title><link>https://c.example/1</link>"
    "<description>Na\u00efve r\u00e9sum\u00e9</description></item></channel></rss>"
).encode("latin-1")


@pytest.mark.parametrize(
    "content_type",
    ["application/rss+xml", "text/xml", "application/xml; charset=utf-8", None],
    ids=["no-charset", "text-xml", "wrong-utf8", "no-header"],
)
def test_charset_missing_or_wrong(
    feed_server: FeedServer, make_app: Callable[..., App], content_type: str | None
) -> None:
    def handle(h: Handler) -> None:
        h.respond(200, LATIN1, content_type=content_type)

    feed_server.add_handler("/a.xml", handle)
    app = make_app(feed_server.url("/a.xml"))
    [result] = app.poll()
    assert result.outcome == "new", result.error
    story = app.show(1).story
    assert story.title == "Caf\u00e9 cr\u00e8me"
    assert story.body == "Na\u00efve r\u00e9sum\u00e9"


def test_max_age_and_ttl_are_floors(
    feed_server: FeedServer, make_app: Callable[..., App], clock: Clock
) -> None:
    feed_server.add("/a.xml", rss("a", 1), headers={"Cache-Control": "max-age=7200"})
    ttl_feed = rss("b", 1).replace(
        b"<description>test</description>", b"<description>test</description><ttl>180</ttl>", 1
    )
    feed_server.add("/b.xml", ttl_feed)
    app = make_app(feed_server.url("/a.xml"), feed_server.url("/b.xml"))
    app.poll()
    a, b = app.archive.list_feeds()
    assert a.next_fetch - clock.now == timedelta(hours=2)  # type: ignore[operator]
    assert b.next_fetch - clock.now == timedelta(hours=3)  # type: ignore[operator]
    reasons = [d["next_reason"] for d in app.archive.feed_details()]
    assert reasons == ["max-age", "ttl"]


def test_one_broken_feed_does_not_stop_the_others(
    feed_server: FeedServer, make_app: Callable[..., App]
) -> None:
    feed_server.add("/good.xml", rss("good", 4))
    feed_server.add("/junk.xml", b"\x00\x01 not xml at all", content_type="text/plain")
    app = make_app(
        feed_server.url("/good.xml"), feed_server.url("/junk.xml"), "http://127.0.0.1:1/closed.xml"
    )
    results = {r.feed.url: r for r in app.poll()}
    assert results[feed_server.url("/good.xml")].counts.new == 4
    assert results[feed_server.url("/junk.xml")].outcome == "error"
    assert results["http://127.0.0.1:1/closed.xml"].outcome == "error"
    errors = {f.url: f.last_error for f in app.archive.list_feeds()}
    assert "not a feed" in errors[feed_server.url("/junk.xml")]
    assert errors["http://127.0.0.1:1/closed.xml"]


def test_private_addresses_refused_by_default(
    feed_server: FeedServer, make_app: Callable[..., App]
) -> None:
    feed_server.add("/a.xml", rss("a", 1))
    app = make_app(feed_server.url("/a.xml"), fetch={"allow_private_addresses": False})
    [result] = app.poll()
    assert result.outcome == "error"
    assert "allow_private_addresses" in result.error
    assert feed_server.count("/a.xml") == 0
