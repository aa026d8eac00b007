"""Fetch feeds over HTTP: the only module of aggregator that talks HTTP.

Everything httpx stays in here: :class:`Fetcher` returns a plain
:class:`FetchResult` (bytes, a ``dict`` of headers, strings) and raises only
:class:`~aggregator.errors.FeedError` subclasses, so no ``httpx.Response`` or
httpx exception crosses the module boundary.

What a fetch does:

* conditional GET (``If-None-Match`` / ``If-Modified-Since``); a 304 is a
  result with ``not_modified=True``, not an error;
* redirects are followed here, not by httpx, so every hop is checked against
  the private-address rule and a chain of 301/308 only is reported as
  :attr:`FetchResult.permanent_redirect` (the URL to store);
* limits: a connect/read timeout per operation, a total deadline for all hops
  and the body (a server trickling one byte a second is cut off), and a size
  limit counted on the *decompressed* body while streaming (a gzip bomb stops
  as soon as it passes the limit);
* refusal to fetch private, loopback, link-local ... addresses unless
  :attr:`FetchSettings.allow_private_addresses` is set;
* a feed's :class:`~aggregator.ingest.credentials.Credentials`: its
  ``Authorization`` and custom headers go only to the origin (scheme, host,
  port) of the URL asked for, never to a redirect target elsewhere.

Errors raised (all carry ``url``, the URL that was asked for)::

    FeedError
    ├── FetchError                  network failure, timeout, too many redirects
    │   ├── HTTPStatusError(status, retry_after)   a 4xx/5xx (or unhandled 3xx) answer
    │   └── ResponseTooLarge(max_bytes)            the body passed FetchSettings.max_bytes
    └── InvalidFeedURL              not http(s), no host, or a private address
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import http
import importlib.util
import ipaddress
import logging
import os
import queue
import socket
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from types import TracebackType
from typing import Any, TypeVar, cast

if "httpx" not in sys.modules:
    # httpx imports its command-line client (rich and pygments: half of its import
    # time) only to offer ``httpx.main``, and falls back to a stub when that import
    # fails. None in sys.modules makes it fail, in this process only.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
import httpx  # noqa: E402

from aggregator.errors import FetchError, InvalidFeedURL
from aggregator.ingest.credentials import request_headers
from aggregator.models import Credentials

__all__ = [
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "HTTPStatusError",
    "Resolver",
    "ResponseTooLarge",
    "make_client",
    "parse_retry_after",
]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

Resolver = Callable[[str], Awaitable[list[str]]]
"""``async (host) -> [ip, ...]``: how :class:`Fetcher` resolves hosts for the address check."""

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
_SET_COOKIE = frozenset({b"set-cookie", b"set-cookie2"})
_MIB = 1024 * 1024

#: Connection limits of the clients a Fetcher makes for its other threads: a
#: thread sends one request at a time, so it needs a connection, plus one the
#: server may be closing; a few kept alive let it reuse them on hosts that
#: serve many feeds.
_THREAD_LIMITS = httpx.Limits(max_connections=2, max_keepalive_connections=2, keepalive_expiry=30)

_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "application/feed+json, application/json;q=0.8, */*;q=0.5"
)


def _default_user_agent() -> str:
    # The package's own constant: importlib.metadata would scan the installed
    # distributions at every poll (about 1 ms, and 5-20 ms to import).
    from aggregator import __version__

    return f"aggregator/{__version__} (+https://github.com/aggregator/aggregator)"


def _accept_encoding() -> str:
    # httpx decodes "br" only when one of these modules is installed; offering
    # it without them would hand us bytes we cannot read.
    for module in ("brotli", "brotlicffi"):
        if importlib.util.find_spec(module) is not None:
            return "gzip, deflate, br"
    return "gzip, deflate"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits and identity for fetching feeds. Immutable.

    Attributes:
        timeout_connect: seconds to wait for a connection (and for a free pool slot).
        timeout_read: seconds to wait for each read or write on the socket.
        timeout_total: seconds for one whole fetch: every redirect hop and the body.
        max_bytes: the largest (decompressed) body accepted.
        max_redirects: how many redirects one fetch follows.
        concurrency: how many fetches one :class:`Fetcher` runs at the same time.
        user_agent: the ``User-Agent`` header.
        allow_private_addresses: fetch private, loopback, link-local ... addresses
            too (tests and local setups); off by default.
    """

    timeout_connect: float = 10
    timeout_read: float = 30
    timeout_total: float = 60
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 8
    user_agent: str = field(default_factory=_default_user_agent)
    allow_private_addresses: bool = False

    def __post_init__(self) -> None:
        for name in ("timeout_connect", "timeout_read", "timeout_total"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)!r}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {self.max_bytes!r}")
        if self.max_redirects < 0:
            raise ValueError(f"max_redirects must not be negative, not {self.max_redirects!r}")
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {self.concurrency!r}")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The answer to one fetch: a feed body, or "not modified". Immutable.

    Attributes:
        url: the URL that was asked for.
        final_url: the URL that answered, after redirects.
        status: the final HTTP status (200, 304 ...).
        body: the decompressed body; ``b""`` when not modified.
        headers: the final response's headers, names lower-cased (repeated
            headers joined with ``", "``).
        etag: the ``ETag`` to send next time (on a 304 without one, the ETag sent).
        last_modified: the ``Last-Modified`` to send next time (likewise).
        not_modified: True on a 304 answer to a conditional GET.
        permanent_redirect: the URL to store instead of ``url`` when every
            redirect hop was a 301 or 308; else ``""``.
        retry_after: the ``Retry-After`` time (UTC), or ``None``. Mostly useful
            on errors (see :class:`HTTPStatusError`); kept here when a success has one.
        elapsed: seconds the fetch took, all hops included.
    """

    url: str
    final_url: str
    status: int
    body: bytes
    headers: dict[str, str]
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False
    permanent_redirect: str = ""
    retry_after: datetime | None = None
    elapsed: float = 0.0


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx/5xx, or a 3xx we cannot follow).

    Attributes:
        url: the URL that was asked for.
        status: the HTTP status code.
        retry_after: when the server asked us to come back (UTC), or ``None``.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        url: str = "",
        status: int,
        retry_after: datetime | None = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(message or f"HTTP {status} {_reason(status)}".rstrip(), url=url)


class ResponseTooLarge(FetchError):
    """The (decompressed) body is larger than :attr:`FetchSettings.max_bytes`.

    Attributes:
        url: the URL that was asked for.
        max_bytes: the limit that was passed.
    """

    def __init__(self, message: str | None = None, *, url: str = "", max_bytes: int) -> None:
        self.max_bytes = max_bytes
        super().__init__(message or f"response larger than {max_bytes / _MIB:.1f} MiB", url=url)


_GZIP_MAGIC = b"\x1f\x8b"


def _gunzip(data: bytes, *, limit: int, url: str) -> bytes:
    """Decompress gzip bytes, refusing more than ``limit`` bytes of output."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise FetchError(f"body looks gzip-compressed but is not: {exc}", url=url) from exc
    if len(out) > limit:
        raise ResponseTooLarge(url=url, max_bytes=limit)
    return out


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def parse_retry_after(value: str, *, now: datetime) -> datetime | None:
    """Parse a ``Retry-After`` header value into a UTC time. Pure.

    Args:
        value: the header value: delay seconds (``"120"``) or an HTTP-date
            (``"Wed, 21 Oct 2015 07:28:00 GMT"``).
        now: the current time (timezone-aware), the base for delay seconds.

    Returns:
        The time to retry at, in UTC, or ``None`` when the value is empty or
        cannot be read.
    """
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        try:
            return (now + timedelta(seconds=int(value))).astimezone(UTC)
        except OverflowError:
            return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC with no known local offset (RFC 5322)
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


class _RootsOnFirstUse(ssl.SSLContext):
    """A client TLS context whose trusted roots are loaded by its first TLS connection.

    Loading the roots (certifi's bundle) costs about 25 ms of CPU, a tenth of
    a command's start-up, which a poll of ``http://`` feeds would pay for
    nothing. The roots are those httpx loads for ``verify=True``:
    ``SSL_CERT_FILE`` when set, else ``SSL_CERT_DIR``, else certifi's bundle,
    read from the environment at that first connection. Everything else is
    what ``ssl.create_default_context`` sets for a client (certificate and host
    name checked, ``SSLKEYLOGFILE`` honoured). Threads may share it: the roots
    are loaded once, under a lock, before any handshake.
    """

    _roots_lock = threading.Lock()
    _roots_loaded = False

    def _load_roots(self) -> None:
        if self._roots_loaded:
            return
        with self._roots_lock:
            if self._roots_loaded:
                return
            cafile = os.environ.get("SSL_CERT_FILE")
            capath = os.environ.get("SSL_CERT_DIR")
            if cafile:
                self.load_verify_locations(cafile=cafile)
            elif capath:
                self.load_verify_locations(capath=capath)
            else:
                import certifi

                self.load_verify_locations(cafile=certifi.where())
            self._roots_loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._load_roots()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._load_roots()
        return super().wrap_bio(*args, **kwargs)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """The TLS settings of every client of this process, built once.

    What httpx builds for ``verify=True``, its roots loaded at the first TLS
    connection (:class:`_RootsOnFirstUse`): every client (one per fetch thread,
    new ones at every poll) shares it. An environment change after that first
    connection is not seen.
    """
    context = _RootsOnFirstUse(ssl.PROTOCOL_TLS_CLIENT)
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:
        context.keylog_filename = keylog
    return context


def make_client(
    settings: FetchSettings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    cookies: CookieJar | None = None,
    limits: httpx.Limits | None = None,
) -> httpx.Client | httpx.AsyncClient:
    """Build the httpx client a :class:`Fetcher` expects.

    Without ``transport`` (the network), a synchronous ``httpx.Client``: the
    :class:`Fetcher` runs each request in one of its threads, which costs about
    a third of the CPU of httpx's asynchronous client (whose anyio streams and
    pool bookkeeping were 90% of a re-poll of unchanged feeds). With a
    ``transport`` (tests), an ``httpx.AsyncClient`` over it, which the Fetcher
    drives on the event loop; every fetch rule holds on both.

    Redirects are off on purpose: :meth:`Fetcher.fetch` follows them itself to
    tell 301 from 302 and to check every hop against the private-address rule.

    Args:
        settings: timeouts, connection limits and the User-Agent.
        transport: an asynchronous transport to use instead of the network (e.g.
            ``httpx.MockTransport`` in tests).
        cookies: a cookie jar to share with other clients (a :class:`Fetcher`
            gives each of its threads a client, all with one jar); a new one by default.
        limits: connection limits instead of those derived from ``settings``.

    Returns:
        A new client; the caller (or the :class:`Fetcher` it is given to) closes it.
    """
    timeout = httpx.Timeout(
        connect=settings.timeout_connect,
        read=settings.timeout_read,
        write=settings.timeout_read,
        pool=settings.timeout_connect,
    )
    if limits is None:
        limits = httpx.Limits(
            max_connections=settings.concurrency * 2,
            max_keepalive_connections=settings.concurrency,
            keepalive_expiry=30,
        )
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": _ACCEPT,
        "Accept-Encoding": _accept_encoding(),
    }
    options: dict[str, Any] = {
        "timeout": timeout,
        "follow_redirects": False,  # hop by hop, each hop checked (see Fetcher)
        "max_redirects": settings.max_redirects,
        "limits": limits,
        "headers": headers,
    }
    if cookies is not None:
        options["cookies"] = cookies
    if transport is None:
        return httpx.Client(**options, verify=_ssl_context())
    return httpx.AsyncClient(**options, transport=transport)


def _stale_connection(exc: httpx.HTTPError) -> bool:
    """True when a request failed before any answer on a connection the server had closed.

    Servers close idle keep-alive connections whenever they like (and some after
    every answer without saying so); taking one from the pool just as its close
    arrives fails the request with nothing received. Browsers send such a request
    again; so does :meth:`Fetcher.fetch`, once.
    """
    if isinstance(exc, httpx.WriteError):
        return True
    return "without sending a response" in str(exc)


def _header_dict(headers: httpx.Headers) -> dict[str, str]:
    """A response's headers as a dict: names lower-cased, repeated ones joined with ", ".

    What ``{k.lower(): v for k, v in headers.items()}`` gives, for a third of its
    CPU: the header block's encoding (ASCII, else UTF-8, else Latin-1, as httpx
    decides it) is looked up once, not twice per header.
    """
    encoding = headers.encoding
    answer: dict[str, str] = {}
    for raw_key, raw_value in headers.raw:
        key = raw_key.decode(encoding).lower()
        value = raw_value.decode(encoding)
        if key in answer:
            answer[key] += ", " + value
        else:
            answer[key] = value
    return answer


class _FetchThreads:
    """At most ``size`` daemon threads that run the synchronous requests.

    Not a ``ThreadPoolExecutor``: the interpreter joins that one's threads at
    exit, so a request blocked on a silent server (up to the read timeout)
    would hold up a daemon that was told to stop; a cancelled fetch's thread
    is simply abandoned here, and its socket closes with the process.

    Nor ``loop.run_in_executor``: that pairs each job with a
    ``concurrent.futures.Future`` chained to an asyncio one and wakes the event
    loop once per finished job. :meth:`run` hands back the asyncio future
    itself, and a thread that finishes a job while the loop has not yet taken
    the last results adds its own to them without waking the loop again: one
    wake-up delivers every result finished since the last (a re-poll of
    unchanged feeds finishes requests faster than the loop takes them).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._queue: queue.SimpleQueue[
            tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[], Any]] | None
        ] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()
        # Finished jobs not yet handed to their loop, by loop; a loop is in the map
        # while a wake-up to deliver its results is pending.
        self._finished: dict[
            asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]
        ] = {}

    def run(self, job: Callable[[], _T]) -> asyncio.Future[_T]:
        """Run ``job`` in one of the threads; its result (or exception) in an asyncio future.

        Cancelling the future before a thread takes the job skips it; a job
        already running finishes, and its result is dropped.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_T] = loop.create_future()
        with self._lock:
            self._queue.put((loop, future, job))
            # A thread more when the jobs waiting outnumber the threads waiting for one.
            if self._queue.qsize() > self._idle and len(self._threads) < self._size:
                thread = threading.Thread(target=self._work, name="fetch", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            item = self._queue.get()
            with self._lock:
                self._idle -= 1
            if item is None:
                return
            loop, future, job = item
            if future.cancelled():
                continue
            try:
                outcome: tuple[asyncio.Future[Any], bool, Any] = (future, True, job())
            except BaseException as exc:  # handed to the awaiting coroutine
                outcome = (future, False, exc)
            self._finish(loop, outcome)
            del outcome, item, future, job  # no reference to a result past its delivery

    def _finish(
        self, loop: asyncio.AbstractEventLoop, outcome: tuple[asyncio.Future[Any], bool, Any]
    ) -> None:
        """Queue a result for its loop, waking the loop unless a wake-up is already pending."""
        with self._lock:
            if loop.is_closed():  # nobody waits for the result any more
                self._finished.pop(loop, None)
                return
            pending = self._finished.get(loop)
            if pending is not None:
                pending.append(outcome)
                return
            self._finished[loop] = [outcome]
        try:
            loop.call_soon_threadsafe(self._deliver, loop)
        except RuntimeError:  # the loop is closed: nobody waits for the result any more
            with self._lock:
                self._finished.pop(loop, None)

    def _deliver(self, loop: asyncio.AbstractEventLoop) -> None:
        """On ``loop``: settle the futures of every result finished since the last delivery."""
        with self._lock:
            outcomes = self._finished.pop(loop, [])
        for future, ok, value in outcomes:
            if future.cancelled():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def shutdown(self) -> None:
        """Let every thread end once it has finished its current job (without waiting)."""
        for _ in self._threads:
            self._queue.put(None)


@functools.lru_cache(maxsize=4096)
def _url(raw: str) -> httpx.URL:
    """``httpx.URL(raw)``, remembered: the same feed URLs are parsed at every poll, and
    parsing one costs about as much as the rest of a 304's bookkeeping."""
    return httpx.URL(raw)


async def _resolve(host: str) -> list[str]:
    """Resolve ``host`` with the event loop's ``getaddrinfo``."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """The origin of a URL: scheme, host and port (default ports made explicit)."""
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), port


def _is_ip_literal(host: str) -> bool:
    """True when ``host`` is an IPv4 or IPv6 address rather than a name."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _is_forbidden(address: str) -> bool:
    """True when ``address`` (an IP literal) is not a public unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return True  # not an IP: refuse rather than guess
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _map_httpx_error(exc: Exception, *, url: str, hop: str, settings: FetchSettings) -> Exception:
    """Translate an httpx exception into our tree (the caller chains it)."""
    detail = str(exc)
    if isinstance(exc, httpx.InvalidURL):
        return InvalidFeedURL(f"invalid URL {hop!r}: {detail}", url=url)
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(
            f"could not connect: timed out after {settings.timeout_connect:g}s connecting to {hop}",
            url=url,
        )
    if isinstance(exc, httpx.ConnectError):
        return FetchError(f"could not connect: {detail or 'connection failed'} ({hop})", url=url)
    if isinstance(exc, httpx.ReadTimeout):
        return FetchError(
            f"timed out reading {hop} (no data for {settings.timeout_read:g}s)", url=url
        )
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError(f"too many redirects: {detail}", url=url)
    if isinstance(exc, httpx.RemoteProtocolError):
        # A body cut short, endless or oversized headers, garbage instead of HTTP.
        return FetchError(f"broken HTTP answer from {hop}: {detail or 'protocol error'}", url=url)
    return FetchError(f"{detail or type(exc).__name__} ({hop})", url=url)


def _send(client: httpx.Client, target: httpx.URL, headers: dict[str, str]) -> httpx.Response:
    """Send a GET with ``client`` and return the response unread (the caller closes it).

    What ``client.send(request, stream=True)`` does for the requests a
    :class:`Fetcher` sends (no redirects followed, no ``auth``, no event hooks),
    for three quarters of its CPU: the request is built by the client (its
    headers, cookies and timeouts), goes to the transport the client picks for
    its URL (a proxy from the environment, or the direct connection pool), and
    the cookies an answer sets go to the client's jar. Skipped are the auth and
    redirect machinery that would do nothing here, and httpx's log line of the
    request. A URL with a user name takes ``client.send`` (its Basic auth),
    as does an httpx without ``Client._transport_for_url``.
    """
    request = client.build_request("GET", target, headers=headers)
    transport_for_url = getattr(client, "_transport_for_url", None)
    if transport_for_url is None or target.userinfo:
        return client.send(request, stream=True, follow_redirects=False)
    if client.is_closed:
        raise RuntimeError("Cannot send a request, as the client has been closed.")
    response = cast(httpx.BaseTransport, transport_for_url(request.url)).handle_request(request)
    response.request = request
    # httpx hands every answer to the cookie jar, wrapped in urllib's types with all
    # its headers copied: a fifth of the cost of a 304, which almost never sets one.
    if any(key.lower() in _SET_COOKIE for key, _ in response.headers.raw):
        try:
            client.cookies.extract_cookies(response)
        except BaseException:
            response.close()
            raise
    return response


class Fetcher:
    """Fetch feed URLs with limits, conditional GET and redirect checks.

    One Fetcher runs at most :attr:`FetchSettings.concurrency` fetches at a
    time; it is meant for one event loop. It owns the client it is given:
    :meth:`aclose` (or leaving ``async with``) closes it.

    With a synchronous ``httpx.Client`` (what :func:`make_client` builds for
    the network), each hop's request and body are read in one of the
    Fetcher's threads (as many as ``concurrency``) while everything else (the
    redirect rules, the address check, the total deadline) stays on the event
    loop; the size cap and the deadline are also checked in the thread, between
    chunks, so that a fetch given up on stops reading soon after. With an
    ``httpx.AsyncClient`` the same steps run on the event loop.

    The private-address check resolves the host before each hop; httpx then
    resolves it again to connect, so a DNS answer that changes in between
    (rebinding) is not caught. It guards against configuration mistakes and
    plain hostile feed URLs, not against a hostile DNS server.
    """

    def __init__(
        self,
        client: httpx.Client | httpx.AsyncClient,
        *,
        settings: FetchSettings,
        resolver: Resolver | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Wrap ``client``.

        Args:
            client: the client to send requests with, usually from
                :func:`make_client`; the Fetcher closes it.
            settings: the limits to apply.
            resolver: ``async (host) -> [ip, ...]`` used for the private-address
                check; the event loop's ``getaddrinfo`` by default.
            clock: returns the current UTC time (for ``Retry-After`` seconds);
                ``datetime.now(UTC)`` by default.
        """
        self._client = client
        self._settings = settings
        self._resolver: Resolver = resolver or _resolve
        self._clock = clock or (lambda: datetime.now(UTC))
        self._semaphore = asyncio.Semaphore(settings.concurrency)
        self._threads: _FetchThreads | None = None
        # Each fetch thread sends with a client of its own (the first thread with
        # ``client``, the others with clients made like it, sharing its cookie jar):
        # one pool shared by all threads had them wait for its lock and walk all its
        # connections at every request, a sixth of the CPU of an unchanged feed.
        self._local = threading.local()
        self._thread_clients: list[httpx.Client] = []
        self._clients_lock = threading.Lock()
        self._client_taken = False
        self._closed = False
        if isinstance(client, httpx.Client):
            self._threads = _FetchThreads(settings.concurrency)

    @property
    def settings(self) -> FetchSettings:
        """The settings this fetcher applies."""
        return self._settings

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying client and its connections."""
        if isinstance(self._client, httpx.AsyncClient):
            await self._client.aclose()
            return
        if self._threads is not None:
            # A thread still reading (a fetch given up on) stops at its next chunk or
            # timeout; closing the client closes its connection under it.
            self._threads.shutdown()
        with self._clients_lock:
            self._closed = True
            clients = list(self._thread_clients)
        for client in clients:
            client.close()
        self._client.close()

    async def fetch(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        on_start: Callable[[], None] | None = None,
        credentials: Credentials | None = None,
    ) -> FetchResult:
        """Fetch ``url``, following redirects, within the configured limits.

        Args:
            url: the feed URL (http or https).
            on_start: called once a connection slot is free and the request begins.
            etag: the ETag from the last fetch, sent as ``If-None-Match``.
            last_modified: the Last-Modified from the last fetch, sent as
                ``If-Modified-Since``.
            credentials: the feed's credentials, headers and User-Agent; the
                private ones are sent to ``url``'s origin only.

        Returns:
            The result; ``not_modified`` is True (and ``body`` empty) on a 304.

        Raises:
            InvalidFeedURL: the URL (or a redirect target) is not http(s), has
                no host, or resolves to a private address that is not allowed.
            HTTPStatusError: the server answered 4xx/5xx (``status`` and
                ``retry_after`` tell more).
            ResponseTooLarge: the decompressed body passed ``max_bytes``.
            FetchError: connection failure, timeout, too many redirects, a
                credential's environment variable not set, or any other transport error.
        """
        public: dict[str, str] = {}
        private: dict[str, str] = {}
        if credentials:
            public, private = request_headers(credentials, url=url)
        total = self._settings.timeout_total
        async with self._semaphore:
            if on_start is not None:
                on_start()
            started = time.monotonic()
            deadline = asyncio.timeout(total)
            try:
                async with deadline:
                    return await self._fetch(
                        url, etag, last_modified, started, public=public, private=private
                    )
            except TimeoutError as exc:
                if not deadline.expired():
                    raise  # not our deadline: let it through untouched
                raise FetchError(f"timed out after {total:g}s", url=url) from exc

    async def _fetch(
        self,
        url: str,
        etag: str,
        last_modified: str,
        started: float,
        *,
        public: dict[str, str],
        private: dict[str, str],
    ) -> FetchResult:
        settings = self._settings
        current = self._parse_url(url, url=url)
        origin = _origin(current)
        headers: dict[str, str] = dict(public)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        hops: list[int] = []
        while True:
            await self._check_address(current, url=url)
            hop = str(current)
            # Credentials go to the feed's own origin only, not to where it redirects.
            sent = {**headers, **private} if private and _origin(current) == origin else headers
            try:
                try:
                    status, answer, body = await self._exchange(
                        current, sent, url=url, deadline=started + settings.timeout_total
                    )
                except (httpx.RemoteProtocolError, httpx.WriteError) as exc:
                    if not _stale_connection(exc):
                        raise
                    # A kept-alive connection the server closed as it was taken from the
                    # pool: no answer came, and a GET may be sent again (once, on another).
                    logger.debug("%s: connection closed before an answer; sent again", hop)
                    status, answer, body = await self._exchange(
                        current, sent, url=url, deadline=started + settings.timeout_total
                    )
            except httpx.HTTPError as exc:
                raise _map_httpx_error(exc, url=url, hop=hop, settings=settings) from exc
            except httpx.InvalidURL as exc:
                raise _map_httpx_error(exc, url=url, hop=hop, settings=settings) from exc
            if status in _REDIRECT_STATUSES:
                location = answer.get("location", "").strip()
                if not location:
                    raise FetchError(
                        f"HTTP {status} redirect without a Location header ({hop})",
                        url=url,
                    )
                if len(hops) >= settings.max_redirects:
                    raise FetchError(
                        f"too many redirects (more than {settings.max_redirects})",
                        url=url,
                    )
                hops.append(status)
                current = self._parse_url(location, url=url, base=current)
                logger.debug("%s: HTTP %d redirect to %s", hop, status, current)
                continue
            retry_after = parse_retry_after(answer.get("retry-after", ""), now=self._clock())
            if status != 304 and not 200 <= status < 300:
                raise HTTPStatusError(url=url, status=status, retry_after=retry_after)
            if body[:2] == _GZIP_MAGIC:
                # A gzip file served as the body itself (a stored .xml.gz, or a server that
                # compressed twice): unpack it, under the same limit.
                body = _gunzip(body, limit=settings.max_bytes, url=url)
            final_url = str(current)
            permanent = bool(hops) and all(s in _PERMANENT_REDIRECT_STATUSES for s in hops)
            return FetchResult(
                url=url,
                final_url=final_url,
                status=status,
                body=body,
                headers=answer,
                etag=answer.get("etag", etag if status == 304 else ""),
                last_modified=answer.get("last-modified", last_modified if status == 304 else ""),
                not_modified=status == 304,
                permanent_redirect=final_url if permanent and final_url != url else "",
                retry_after=retry_after,
                elapsed=time.monotonic() - started,
            )

    async def _exchange(
        self, target: httpx.URL, headers: dict[str, str], *, url: str, deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        """One request: its status, its headers (lower-case names) and its body.

        The body is read only for a 2xx answer (``b""`` otherwise): a redirect or an
        error is decided on its headers. A 304 has no body (h11 reads none whatever
        the headers say), but it is read to its end all the same: the connection
        goes back to the pool only then (unread, it is closed, and every re-poll of
        an unchanged feed would pay for a new connection).
        """
        client = self._client
        if isinstance(client, httpx.AsyncClient):
            async with client.stream(
                "GET", target, headers=headers, follow_redirects=False
            ) as response:
                status = response.status_code
                answer = _header_dict(response.headers)
                if status == 304:
                    await response.aread()
                if not 200 <= status < 300:
                    return status, answer, b""
                self._check_length(answer, url=url)
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    self._check_chunk(size, url=url, deadline=None)
                    chunks.append(chunk)
                return status, answer, b"".join(chunks)
        assert self._threads is not None
        job = functools.partial(
            self._exchange_sync, client, target, headers, url=url, deadline=deadline
        )
        return await self._threads.run(job)

    def _exchange_sync(
        self,
        client: httpx.Client,
        target: httpx.URL,
        headers: dict[str, str],
        *,
        url: str,
        deadline: float,
    ) -> tuple[int, dict[str, str], bytes]:
        """:meth:`_exchange` with a synchronous client, in one of the Fetcher's threads."""
        client = getattr(self._local, "client", None) or self._thread_client(client)
        with contextlib.closing(_send(client, target, headers)) as response:
            status = response.status_code
            answer = _header_dict(response.headers)
            if status == 304:
                # No body to decode: reading the raw stream to its end is enough to
                # hand the connection back to the pool.
                for _ in response.iter_raw():
                    pass
            if not 200 <= status < 300:
                return status, answer, b""
            self._check_length(answer, url=url)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                self._check_chunk(size, url=url, deadline=deadline)
                chunks.append(chunk)
            return status, answer, b"".join(chunks)

    def _thread_client(self, client: httpx.Client) -> httpx.Client:
        """The client of the current thread: ``client`` for the first, a new one for the others."""
        with self._clients_lock:
            if self._closed or not self._client_taken:
                # After aclose, the closed client: the request fails as it would have.
                own = client
                self._client_taken = True
            else:
                own = cast(
                    httpx.Client,
                    make_client(self._settings, cookies=client.cookies.jar, limits=_THREAD_LIMITS),
                )
                self._thread_clients.append(own)
        self._local.client = own
        return own

    def _check_length(self, answer: dict[str, str], *, url: str) -> None:
        """Refuse a body whose declared length already passes max_bytes."""
        length = answer.get("content-length", "").strip()
        if length.isascii() and length.isdigit() and int(length) > self._settings.max_bytes:
            raise ResponseTooLarge(url=url, max_bytes=self._settings.max_bytes)

    def _check_chunk(self, size: int, *, url: str, deadline: float | None) -> None:
        """Stop reading a body past max_bytes, or (in a thread) past the fetch's deadline.

        The size counts decompressed bytes (``iter_bytes`` decompresses), so it
        is what we would hold, not what crossed the wire: a gzip bomb stops at the
        limit. httpx inflates each network read (<= 64 KiB) whole, so one chunk can
        briefly be ~64 MiB (deflate tops out near 1032:1); the peak is bounded by
        that, not by the size of the bomb. Bounding it by max_bytes would need our
        own zlib decoder with max_length over the raw bytes.

        On the event loop the deadline is ``asyncio.timeout``'s; a thread cannot
        be cancelled, so it checks the same deadline itself (the fetch has already
        failed with "timed out" by then; this only stops the reading).
        """
        if size > self._settings.max_bytes:
            raise ResponseTooLarge(url=url, max_bytes=self._settings.max_bytes)
        if deadline is not None and time.monotonic() > deadline:
            total = self._settings.timeout_total
            raise FetchError(f"timed out after {total:g}s", url=url) from TimeoutError()

    def _parse_url(self, raw: str, *, url: str, base: httpx.URL | None = None) -> httpx.URL:
        """Parse (and resolve against ``base``) an http(s) URL with a host."""
        try:
            parsed = base.join(raw) if base is not None else _url(raw)
        except httpx.InvalidURL as exc:
            raise InvalidFeedURL(f"invalid URL {raw!r}: {exc}", url=url) from exc
        if parsed.scheme not in ("http", "https"):
            raise InvalidFeedURL(
                f"invalid URL {raw!r}: only http and https URLs can be fetched", url=url
            )
        if not parsed.host:
            raise InvalidFeedURL(f"invalid URL {raw!r}: no host", url=url)
        return parsed

    async def _check_address(self, target: httpx.URL, *, url: str) -> None:
        """Refuse ``target`` if its host is (or resolves to) a private address."""
        if self._settings.allow_private_addresses:
            return
        host = target.host
        if _is_ip_literal(host):
            addresses = [host]
        else:
            try:
                addresses = await self._resolver(host)
            except OSError as exc:
                reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
                raise FetchError(f"could not resolve {host}: {reason}", url=url) from exc
            if not addresses:
                raise FetchError(f"could not resolve {host}: no addresses", url=url)
        for address in addresses:
            if _is_forbidden(address):
                raise InvalidFeedURL(
                    f"refusing to fetch {target}: resolves to a private/loopback address "
                    f"{address} (set [fetch] allow_private_addresses = true to allow)",
                    url=url,
                )
