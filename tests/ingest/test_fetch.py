"""Tests for aggregator.ingest.fetch: MockTransport unit tests, then a real loopback server."""

from __future__ import annotations

import asyncio
import base64
import gzip
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support.httpserver import FeedServer, Handler, closed_port

from aggregator.errors import FeedError, FetchError, InvalidFeedURL
from aggregator.ingest.fetch import (
    Fetcher,
    FetchResult,
    FetchSettings,
    HTTPStatusError,
    Resolver,
    ResponseTooLarge,
    _header_dict,
    make_client,
    parse_retry_after,
)

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
PUBLIC_IP = "93.184.216.34"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

MockHandler = Callable[[httpx.Request], httpx.Response]


async def public_resolver(host: str) -> list[str]:
    """Resolve every name to one public address (no DNS in unit tests)."""
    return [PUBLIC_IP]


def fetch(
    handler: MockHandler,
    url: str = "https://feed.example/rss",
    *,
    settings: FetchSettings | None = None,
    resolver: Resolver | None = None,
    **kwargs: str,
) -> FetchResult:
    """Run one fetch against a MockTransport, closing everything afterwards."""
    settings = settings or FetchSettings()

    async def run() -> FetchResult:
        client = make_client(settings, transport=httpx.MockTransport(handler))
        async with Fetcher(
            client,
            settings=settings,
            resolver=resolver or public_resolver,
            clock=lambda: NOW,
        ) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(run())


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=FEED)


# -- success and conditional GET ----------------------------------------------


def test_200_captures_body_etag_last_modified_and_headers() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=FEED,
            headers={
                "ETag": '"abc"',
                "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT",
                "Content-Type": "application/rss+xml",
            },
        )

    result = fetch(handler)

    assert result.status == 200
    assert result.body == FEED
    assert result.etag == '"abc"'
    assert result.last_modified == "Wed, 01 May 2024 10:00:00 GMT"
    assert not result.not_modified
    assert result.url == result.final_url == "https://feed.example/rss"
    assert result.permanent_redirect == ""
    assert type(result.headers) is dict
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.elapsed >= 0


def test_conditional_headers_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=FEED)

    fetch(handler, etag='"abc"', last_modified="Wed, 01 May 2024 10:00:00 GMT")

    assert seen[0].headers["If-None-Match"] == '"abc"'
    assert seen[0].headers["If-Modified-Since"] == "Wed, 01 May 2024 10:00:00 GMT"


def test_no_conditional_headers_without_validators() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=FEED)

    fetch(handler)

    assert "If-None-Match" not in seen[0].headers
    assert "If-Modified-Since" not in seen[0].headers


def test_304_is_not_modified_and_keeps_validators() -> None:
    result = fetch(lambda request: httpx.Response(304), etag='"abc"', last_modified="lm")

    assert result.not_modified
    assert result.status == 304
    assert result.body == b""
    assert result.etag == '"abc"'
    assert result.last_modified == "lm"


def test_client_sends_user_agent_accept_and_encoding() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=FEED)

    fetch(handler)

    assert seen[0].headers["User-Agent"].startswith("aggregator/")
    assert "+https://github.com/aggregator/aggregator" in seen[0].headers["User-Agent"]
    assert seen[0].headers["Accept"].startswith("application/atom+xml, application/rss+xml")
    assert "gzip" in seen[0].headers["Accept-Encoding"]


def test_custom_user_agent() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["User-Agent"])
        return httpx.Response(200, content=FEED)

    fetch(handler, settings=FetchSettings(user_agent="test-agent/1"))

    assert seen == ["test-agent/1"]


# -- redirects ----------------------------------------------------------------


def redirects(chain: dict[str, tuple[int, str]]) -> MockHandler:
    """A handler that redirects per ``chain`` (path -> (status, location)), else 200."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path in chain:
            status, location = chain[request.url.path]
            return httpx.Response(status, headers={"Location": location})
        return httpx.Response(200, content=FEED)

    return handler


def test_301_chain_sets_permanent_redirect() -> None:
    handler = redirects({"/rss": (301, "/rss2"), "/rss2": (308, "https://new.example/feed")})

    result = fetch(handler)

    assert result.status == 200
    assert result.body == FEED
    assert result.final_url == "https://new.example/feed"
    assert result.permanent_redirect == "https://new.example/feed"


def test_302_does_not_set_permanent_redirect() -> None:
    result = fetch(redirects({"/rss": (302, "/elsewhere")}))

    assert result.final_url == "https://feed.example/elsewhere"
    assert result.permanent_redirect == ""


def test_301_then_302_does_not_set_permanent_redirect() -> None:
    result = fetch(redirects({"/rss": (301, "/a"), "/a": (302, "/b")}))

    assert result.final_url == "https://feed.example/b"
    assert result.permanent_redirect == ""


def test_redirect_keeps_conditional_headers_and_reaches_304() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/rss":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(304)

    result = fetch(handler, etag='"x"')

    assert result.not_modified
    assert result.permanent_redirect == "https://feed.example/new"
    assert [r.headers.get("If-None-Match") for r in seen] == ['"x"', '"x"']


def test_redirect_loop_is_fetch_error() -> None:
    with pytest.raises(FetchError, match="too many redirects") as info:
        fetch(redirects({"/rss": (302, "/loop"), "/loop": (302, "/rss")}))

    assert info.value.url == "https://feed.example/rss"


def test_redirects_up_to_the_limit_are_followed() -> None:
    chain = {f"/{i}": (301, f"/{i + 1}") for i in range(3)}

    result = fetch(
        redirects(chain), "https://feed.example/0", settings=FetchSettings(max_redirects=3)
    )

    assert result.final_url == "https://feed.example/3"
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(redirects(chain), "https://feed.example/0", settings=FetchSettings(max_redirects=2))


def test_redirect_without_location_is_fetch_error() -> None:
    with pytest.raises(FetchError, match="without a Location"):
        fetch(lambda request: httpx.Response(301))


def test_redirect_to_other_scheme_is_invalid() -> None:
    with pytest.raises(InvalidFeedURL, match="only http and https"):
        fetch(redirects({"/rss": (302, "ftp://feed.example/rss")}))


# -- HTTP errors and Retry-After ----------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_error_status_is_http_status_error(status: int, message: str) -> None:
    with pytest.raises(HTTPStatusError) as info:
        fetch(lambda request: httpx.Response(status, content=b"oops"))

    assert info.value.status == status
    assert str(info.value) == message
    assert info.value.retry_after is None
    assert info.value.url == "https://feed.example/rss"
    assert isinstance(info.value, FetchError)


def test_429_with_retry_after_seconds() -> None:
    with pytest.raises(HTTPStatusError) as info:
        fetch(lambda request: httpx.Response(429, headers={"Retry-After": "120"}))

    assert info.value.status == 429
    assert info.value.retry_after == NOW + timedelta(seconds=120)


def test_503_with_retry_after_http_date() -> None:
    headers = {"Retry-After": "Wed, 01 May 2024 13:30:00 GMT"}
    with pytest.raises(HTTPStatusError) as info:
        fetch(lambda request: httpx.Response(503, headers=headers))

    assert info.value.status == 503
    assert info.value.retry_after == datetime(2024, 5, 1, 13, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", NOW + timedelta(seconds=120)),
        (" 0 ", NOW),
        ("Wed, 01 May 2024 13:30:00 GMT", datetime(2024, 5, 1, 13, 30, tzinfo=UTC)),
        ("Wed, 01 May 2024 15:30:00 +0200", datetime(2024, 5, 1, 13, 30, tzinfo=UTC)),
        ("Wed, 01 May 2024 13:30:00 -0000", datetime(2024, 5, 1, 13, 30, tzinfo=UTC)),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("9" * 30, None),
    ],
)
def test_parse_retry_after(value: str, expected: datetime | None) -> None:
    result = parse_retry_after(value, now=NOW)

    assert result == expected
    if result is not None:
        assert result.tzinfo is UTC


# -- size limits --------------------------------------------------------------


def test_oversize_content_length_refused_before_reading() -> None:
    async def never_read() -> AsyncIterator[bytes]:
        raise AssertionError("the body must not be read")
        yield b""  # pragma: no cover

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "2000"}, content=never_read())

    with pytest.raises(ResponseTooLarge, match=r"response larger than 0\.0 MiB") as info:
        fetch(handler, settings=FetchSettings(max_bytes=1000))

    assert info.value.max_bytes == 1000


def test_oversize_streamed_body_stops_at_the_limit() -> None:
    chunks_sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal chunks_sent
        while True:
            chunks_sent += 1
            yield b"x" * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    with pytest.raises(ResponseTooLarge, match=r"response larger than 1\.0 MiB"):
        fetch(handler, settings=FetchSettings(max_bytes=1024 * 1024))

    assert chunks_sent == 1025


def test_body_of_exactly_max_bytes_is_accepted() -> None:
    result = fetch(
        lambda request: httpx.Response(200, content=b"x" * 1000),
        settings=FetchSettings(max_bytes=1000),
    )

    assert len(result.body) == 1000


def test_limit_counts_decompressed_bytes() -> None:
    packed = gzip.compress(b"x" * 5000)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=packed, headers={"Content-Encoding": "gzip"})

    assert len(packed) < 1000
    with pytest.raises(ResponseTooLarge):
        fetch(handler, settings=FetchSettings(max_bytes=1000))
    assert fetch(handler).body == b"x" * 5000


# -- URL validation and private addresses --------------------------------------


@pytest.mark.parametrize(
    "url", ["ftp://feed.example/rss", "file:///etc/passwd", "feed.xml", "http://", "http://[::1"]
)
def test_invalid_urls(url: str) -> None:
    with pytest.raises(InvalidFeedURL) as info:
        fetch(ok, url)

    assert info.value.url == url
    assert isinstance(info.value, FeedError)
    assert isinstance(info.value, ValueError)


def test_private_address_from_resolver_is_refused() -> None:
    requests: list[httpx.Request] = []

    async def resolver(host: str) -> list[str]:
        return ["10.0.0.1"]

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=FEED)

    with pytest.raises(InvalidFeedURL) as info:
        fetch(handler, "http://intranet.example/rss", resolver=resolver)

    assert str(info.value) == (
        "refusing to fetch http://intranet.example/rss: resolves to a private/loopback "
        "address 10.0.0.1 (set [fetch] allow_private_addresses = true to allow)"
    )
    assert requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/rss",
        "http://127.0.0.1:8080/rss",
        "http://[::1]/rss",
        "http://[::ffff:127.0.0.1]/rss",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/rss",
        "http://224.0.0.1/rss",
        "http://192.168.1.1/rss",
    ],
)
def test_literal_private_ip_refused_without_resolving(url: str) -> None:
    resolved: list[str] = []

    async def resolver(host: str) -> list[str]:
        resolved.append(host)
        return [PUBLIC_IP]

    with pytest.raises(InvalidFeedURL, match="private/loopback address"):
        fetch(ok, url, resolver=resolver)

    assert resolved == []


def test_any_private_address_among_several_is_refused() -> None:
    async def resolver(host: str) -> list[str]:
        return [PUBLIC_IP, "fe80::1%eth0"]

    with pytest.raises(InvalidFeedURL, match="fe80::1"):
        fetch(ok, resolver=resolver)


def test_redirect_to_private_address_is_refused() -> None:
    async def resolver(host: str) -> list[str]:
        return ["10.1.2.3"] if host == "internal.example" else [PUBLIC_IP]

    handler = redirects({"/rss": (302, "http://internal.example/admin")})
    with pytest.raises(InvalidFeedURL, match="internal.example/admin"):
        fetch(handler, resolver=resolver)


def test_private_address_allowed_with_setting() -> None:
    async def resolver(host: str) -> list[str]:
        raise AssertionError("no resolution when private addresses are allowed")

    settings = FetchSettings(allow_private_addresses=True)

    result = fetch(ok, "http://127.0.0.1/rss", settings=settings, resolver=resolver)

    assert result.body == FEED


def test_unresolvable_host_is_fetch_error() -> None:
    async def resolver(host: str) -> list[str]:
        raise OSError(-2, "Name or service not known")

    with pytest.raises(FetchError, match="could not resolve feed.example: Name or service"):
        fetch(ok, resolver=resolver)


# -- transport errors, mapped -------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "could not connect: .*refused"),
        (httpx.ConnectTimeout(""), "could not connect: timed out after 10s"),
        (httpx.ReadTimeout(""), "timed out reading https://feed.example/rss"),
        (httpx.RemoteProtocolError("peer closed connection"), "peer closed connection"),
    ],
)
def test_httpx_errors_are_mapped(exc: httpx.HTTPError, message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(FetchError, match=message) as info:
        fetch(handler)

    assert info.value.__cause__ is exc
    assert not isinstance(info.value, HTTPStatusError)


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        FetchSettings(concurrency=0)
    with pytest.raises(ValueError, match="timeout_total"):
        FetchSettings(timeout_total=0)


def test_concurrency_is_limited() -> None:
    settings = FetchSettings(concurrency=2)
    active = 0
    peak = 0

    async def run() -> None:
        async def handler(request: httpx.Request) -> httpx.Response:
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1
            return httpx.Response(200, content=FEED)

        client = make_client(settings, transport=httpx.MockTransport(handler))
        async with Fetcher(client, settings=settings, resolver=public_resolver) as fetcher:
            await asyncio.gather(*(fetcher.fetch(f"https://feed.example/{i}") for i in range(6)))

    asyncio.run(run())

    assert peak == 2


# -- integration: a real server on 127.0.0.1 ------------------------------------

LOCAL = FetchSettings(allow_private_addresses=True)


def fetch_live(url: str, *, settings: FetchSettings = LOCAL, **kwargs: str) -> FetchResult:
    """Fetch over real sockets."""

    async def run() -> FetchResult:
        async with Fetcher(make_client(settings), settings=settings) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(run())


def test_live_200_then_304(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", FEED)

    first = fetch_live(feed_server.url("/feed.xml"))
    second = fetch_live(
        feed_server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified
    )

    assert first.status == 200 and first.body == FEED
    assert first.etag and first.last_modified
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.etag == first.etag
    method, path, headers = feed_server.requests[-1]
    assert (method, path) == ("GET", "/feed.xml")
    assert headers["if-none-match"] == first.etag
    assert headers["user-agent"].startswith("aggregator/")
    assert feed_server.count("/feed.xml") == 2


def test_live_gzip_is_decompressed(feed_server: FeedServer) -> None:
    body = FEED * 200
    feed_server.add("/feed.xml", body, gzip=True)

    result = fetch_live(feed_server.url("/feed.xml"))

    assert result.headers["content-encoding"] == "gzip"
    assert int(result.headers["content-length"]) < len(body)
    assert result.body == body


def test_live_gzip_bomb_stops_at_limit(feed_server: FeedServer) -> None:
    bomb = gzip.compress(bytes(50 * 1024 * 1024), compresslevel=6)
    feed_server.add("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
    settings = FetchSettings(allow_private_addresses=True, max_bytes=1024 * 1024)

    with pytest.raises(ResponseTooLarge, match=r"response larger than 1\.0 MiB"):
        fetch_live(feed_server.url("/bomb.xml"), settings=settings)


def test_live_trickle_cut_off_by_total_timeout(feed_server: FeedServer) -> None:
    feed_server.add_trickle("/slow.xml", interval=0.1)
    settings = FetchSettings(allow_private_addresses=True, timeout_total=1.5)

    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 1\.5s") as info:
        fetch_live(feed_server.url("/slow.xml"), settings=settings)

    assert time.monotonic() - started < 3
    assert isinstance(info.value.__cause__, TimeoutError)


def test_live_redirect_to_another_route(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", FEED)
    feed_server.add_redirect("/old.xml", "/feed.xml", status=301)
    feed_server.add_redirect("/moved.xml", feed_server.url("/feed.xml"), status=302)

    permanent = fetch_live(feed_server.url("/old.xml"))
    temporary = fetch_live(feed_server.url("/moved.xml"))

    assert permanent.body == FEED
    assert permanent.permanent_redirect == feed_server.url("/feed.xml")
    assert temporary.final_url == feed_server.url("/feed.xml")
    assert temporary.permanent_redirect == ""


def test_live_404(feed_server: FeedServer) -> None:
    with pytest.raises(HTTPStatusError, match="HTTP 404 Not Found"):
        fetch_live(feed_server.url("/missing.xml"))


def test_live_custom_handler_retry_after(feed_server: FeedServer) -> None:
    def busy(handler: Handler) -> None:
        handler.respond(503, b"busy", headers={"Retry-After": "30"})

    feed_server.add_handler("/busy.xml", busy)

    with pytest.raises(HTTPStatusError) as info:
        fetch_live(feed_server.url("/busy.xml"))

    assert info.value.status == 503
    assert info.value.retry_after is not None


def test_live_a_cookie_set_in_one_thread_is_sent_from_the_others(feed_server: FeedServer) -> None:
    # Each fetch thread sends with a client of its own; they share one cookie jar, so
    # a cookie a server sets goes with every later request, whichever thread sends it.
    def login(handler: Handler) -> None:
        handler.respond(200, FEED, headers={"Set-Cookie": "session=s1; Path=/"})

    def slow(handler: Handler) -> None:
        time.sleep(0.05)  # four at a time: four threads, four clients
        handler.respond(200, FEED)

    feed_server.add_handler("/login.xml", login)
    feed_server.add_handler("/slow.xml", slow)
    settings = FetchSettings(allow_private_addresses=True, concurrency=4)

    async def run() -> None:
        async with Fetcher(make_client(settings), settings=settings) as fetcher:
            await fetcher.fetch(feed_server.url("/login.xml"))
            slow_url = feed_server.url("/slow.xml")
            await asyncio.gather(*(fetcher.fetch(slow_url) for _ in range(8)))

    asyncio.run(run())

    sent = [h.get("cookie") for _, path, h in feed_server.requests if path == "/slow.xml"]
    assert sent == ["session=s1"] * 8


def test_live_cookies_from_a_304_are_kept_and_answers_without_them_are_not_read(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading cookies from an answer is skipped only when it sets none: a cookie a
    # 304 sets still goes with the next request.
    from http.cookiejar import CookieJar

    reads: list[str] = []
    make_cookies = CookieJar.make_cookies

    def counted(self: CookieJar, response: Any, request: Any) -> Any:
        reads.append(request.get_full_url())
        return make_cookies(self, response, request)

    monkeypatch.setattr(CookieJar, "make_cookies", counted)

    def plain(handler: Handler) -> None:
        handler.respond(304)

    def sets(handler: Handler) -> None:
        handler.respond(304, headers={"Set-Cookie": "seen=1; Path=/"})

    feed_server.add_handler("/plain.xml", plain)
    feed_server.add_handler("/sets.xml", sets)
    settings = FetchSettings(allow_private_addresses=True, concurrency=1)

    async def run() -> None:
        async with Fetcher(make_client(settings), settings=settings) as fetcher:
            for _ in range(3):
                assert (await fetcher.fetch(feed_server.url("/plain.xml"), etag='"a"')).not_modified
            assert (await fetcher.fetch(feed_server.url("/sets.xml"), etag='"a"')).not_modified
            await fetcher.fetch(feed_server.url("/plain.xml"), etag='"a"')

    asyncio.run(run())

    assert reads == [feed_server.url("/sets.xml")]
    sent = [h.get("cookie") for _, path, h in feed_server.requests if path == "/plain.xml"]
    assert sent == [None, None, None, "seen=1"]


def test_live_requests_go_to_the_transport_without_the_clients_send(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fetch threads hand a request to the transport the client picks for its
    # URL; httpx.Client.send (auth and redirect machinery unused here) is not run.
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("httpx.Client.send was called")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    feed_server.add("/feed.xml", FEED)
    first = fetch_live(feed_server.url("/feed.xml"))
    assert first.status == 200 and first.body == FEED
    again = fetch_live(feed_server.url("/feed.xml"), etag=first.etag)
    assert again.not_modified


def test_live_a_user_name_in_the_url_is_sent_as_basic_auth(feed_server: FeedServer) -> None:
    # httpx sends a URL's user name and password as Basic auth; such a URL keeps
    # going through the client's own send.
    feed_server.add("/private.xml", FEED)
    url = feed_server.url("/private.xml").replace("http://", "http://reader:s%3Acret@")
    result = fetch_live(url)
    assert result.status == 200
    sent = [h.get("authorization") for _, path, h in feed_server.requests]
    assert sent == ["Basic " + base64.b64encode(b"reader:s:cret").decode()]


def test_live_every_thread_goes_through_the_proxy_from_the_environment(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loopback server plays the proxy: it gets each request in absolute form.
    def slow(handler: Handler) -> None:
        time.sleep(0.05)  # four at a time: four threads, four clients
        handler.respond(200, FEED)

    feed_server.add_handler("/slow.xml", slow)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", feed_server.url("/"))
    monkeypatch.delenv("http_proxy", raising=False)
    settings = FetchSettings(allow_private_addresses=True, concurrency=4)

    async def run() -> list[FetchResult]:
        async with Fetcher(make_client(settings), settings=settings) as fetcher:
            urls = [f"http://feeds{i}.invalid/slow.xml" for i in range(8)]
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls))

    results = asyncio.run(run())

    assert all(r.body == FEED for r in results)
    seen = sorted(path for _, path, _ in feed_server.requests)
    assert seen == sorted(f"http://feeds{i}.invalid/slow.xml" for i in range(8))


@pytest.mark.parametrize(
    "raw",
    [
        [(b"Content-Type", b"text/xml"), (b"X-Tag", b"a"), (b"x-tag", b"b"), (b"ETag", b'"1"')],
        [(b"X-Title", "caf\u00e9".encode()), (b"Last-Modified", b"Wed, 01 May 2024 12:00:00 GMT")],
        [(b"X-Title", "caf\u00e9".encode("latin-1"))],
        [],
    ],
)
def test_response_headers_as_a_dict(raw: list[tuple[bytes, bytes]]) -> None:
    headers = httpx.Headers(raw)

    answer = _header_dict(headers)

    # What httpx's own items() gives (same encoding guess), with lower-case names.
    assert answer == {k.lower(): v for k, v in headers.items()}
    if raw and raw[0][0] == b"Content-Type":
        assert answer["x-tag"] == "a, b" and answer["etag"] == '"1"'


def test_live_private_address_refused_by_default(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", FEED)

    with pytest.raises(InvalidFeedURL, match="127.0.0.1"):
        fetch_live(feed_server.url("/feed.xml"), settings=FetchSettings())

    assert feed_server.count("/feed.xml") == 0


def test_live_localhost_refused_through_default_resolver(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", FEED)

    with pytest.raises(InvalidFeedURL, match="resolves to a private/loopback address"):
        fetch_live(f"http://localhost:{feed_server.port}/feed.xml", settings=FetchSettings())

    assert feed_server.count("/feed.xml") == 0


def test_live_connection_refused() -> None:
    with pytest.raises(FetchError, match="could not connect"):
        fetch_live(f"http://127.0.0.1:{closed_port()}/feed.xml")


def test_gzip_file_served_as_the_body_is_unpacked(feed_server: FeedServer) -> None:
    doc = b"<?xml version='1.0'?><rss version='2.0'><channel><title>z</title></channel></rss>"
    feed_server.add("/feed.xml.gz", gzip.compress(doc), content_type="application/octet-stream")
    assert fetch_live(feed_server.url("/feed.xml.gz")).body == doc


def test_gzip_file_body_respects_the_size_cap(feed_server: FeedServer) -> None:
    feed_server.add("/bomb.gz", gzip.compress(b"\0" * (3 * 1024 * 1024)))
    settings = FetchSettings(allow_private_addresses=True, max_bytes=1024 * 1024)
    with pytest.raises(ResponseTooLarge):
        fetch_live(feed_server.url("/bomb.gz"), settings=settings)


def test_live_silent_server_cut_off_and_its_thread_does_not_hold_up_exit(
    feed_server: FeedServer,
) -> None:
    # The network client runs each request in one of the fetcher's threads; a thread
    # blocked on a server that never answers must not be one the interpreter joins at
    # exit (a daemon told to stop would wait for the read timeout).
    import threading

    release = threading.Event()

    def silent(handler: Handler) -> None:
        release.wait(30)

    feed_server.add_handler("/silent.xml", silent)
    settings = FetchSettings(allow_private_addresses=True, timeout_total=1, timeout_read=30)
    try:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"timed out after 1s"):
            fetch_live(feed_server.url("/silent.xml"), settings=settings)
        assert time.monotonic() - started < 5
        blocked = [t for t in threading.enumerate() if t.name == "fetch" and t.is_alive()]
        assert blocked  # still waiting on the silent server ...
        assert all(t.daemon for t in blocked)  # ... but never joined at exit
    finally:
        release.set()


def test_a_stale_keep_alive_connection_is_tried_once_more() -> None:
    # A server may close a kept-alive connection just as the pool hands it out: the
    # request fails with no answer at all, and a GET is sent again, once.
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return httpx.Response(200, content=FEED)

    assert fetch(flaky).body == FEED
    assert calls == 2

    def gone(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    calls = 0
    with pytest.raises(FetchError, match="broken HTTP answer"):
        fetch(gone)
    assert calls == 2  # once more only
