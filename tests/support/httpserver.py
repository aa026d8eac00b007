"""A real HTTP server on 127.0.0.1 for tests: feeds, conditional GET, gzip, redirects, slowness.

Stdlib only (``http.server.ThreadingHTTPServer`` in a daemon thread, port 0),
so tests exercise real sockets without touching the internet::

    with FeedServer() as server:
        server.add("/feed.xml", b"<rss>...</rss>", gzip=True)
        server.add_redirect("/old.xml", "/feed.xml", status=301)
        server.add_trickle("/slow.xml")
        url = server.url("/feed.xml")
        ...
        assert server.count("/feed.xml") == 1

Static routes (:meth:`FeedServer.add`, :meth:`~FeedServer.add_file`,
:meth:`~FeedServer.serve_dir`) answer with an ``ETag`` and a ``Last-Modified``
and give a real 304 to a matching ``If-None-Match`` (or, without one, to an
``If-Modified-Since`` not older than the file). Unknown paths get a 404.

Thread rules: routes may be added while the server runs; :attr:`FeedServer.requests`
is appended to from handler threads (read it after the client is done).
"""

from __future__ import annotations

import email.utils
import gzip as gzip_module
import hashlib
import mimetypes
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

__all__ = ["FeedServer", "Handler", "closed_port"]

# A client that goes away mid-answer (a timeout, a size limit) is normal in
# these tests, not a server failure.
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)

_CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".json": "application/json",
    ".opml": "text/x-opml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

HandlerFn = Callable[["Handler"], None]


def _guess_type(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    return _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(str(path))[0] or "text/plain"


@dataclass
class _Static:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml"
    gzip: bool = False
    last_modified: float = field(default_factory=time.time)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class _Dir:
    directory: Path
    gzip: bool = False


class Handler(BaseHTTPRequestHandler):
    """The request handler; custom route functions receive it.

    A custom function (see :meth:`FeedServer.add_handler`) may use the
    standard ``send_response``/``send_header``/``end_headers``/``wfile``
    API, or :meth:`respond`. The connection is closed after it returns, so a
    body without ``Content-Length`` is fine.
    """

    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 10  # a stuck client must not hold a server thread forever

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: no access log on stderr."""

    def handle(self) -> None:
        """Handle the connection, ignoring clients that disconnect."""
        with self.server.feed_server._lock:
            self.server.feed_server.connections += 1
        try:
            super().handle()
        except _DISCONNECTS:
            self.close_connection = True

    def do_GET(self) -> None:
        """Dispatch a GET to its route."""
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        """Dispatch a HEAD to its route (static routes send no body)."""
        self._dispatch(head=True)

    def respond(
        self,
        status: int = 200,
        body: bytes = b"",
        *,
        headers: dict[str, str] | None = None,
        content_type: str | None = "text/plain; charset=utf-8",
        head: bool = False,
    ) -> None:
        """Send a complete answer with a ``Content-Length``.

        Args:
            status: the HTTP status.
            body: the body bytes (as sent; not compressed here).
            headers: extra headers.
            content_type: the ``Content-Type``, or ``None`` to send none.
            head: send the headers only (a HEAD request).
        """
        self.send_response(status)
        if content_type is not None and status != 304:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and not head and status != 304:
            self.wfile.write(body)

    def _dispatch(self, *, head: bool) -> None:
        server = self.server.feed_server
        path = urlsplit(self.path).path
        server._log(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        route = server._routes.get(self.path) or server._routes.get(path)
        if route is None:
            for prefix, directory in server._dirs:
                if path.startswith(prefix):
                    route = self._from_dir(directory, path[len(prefix) :])
                    break
        if route is None:
            self.respond(404, b"not found\n", head=head)
        elif isinstance(route, _Static):
            self._static(route, head=head)
        else:
            self.close_connection = True
            route(self)
            self.wfile.flush()

    def _from_dir(self, spec: _Dir, relative: str) -> _Static | None:
        root = spec.directory.resolve()
        target = (root / relative.lstrip("/")).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None
        return _Static(
            target.read_bytes(),
            content_type=_guess_type(target),
            gzip=spec.gzip,
            last_modified=target.stat().st_mtime,
        )

    def _static(self, route: _Static, *, head: bool) -> None:
        headers = dict(route.headers)
        if route.status == 200:
            lower = {k.lower() for k in headers}
            if "etag" not in lower:
                headers["ETag"] = route.etag
            if "last-modified" not in lower:
                headers["Last-Modified"] = email.utils.formatdate(route.last_modified, usegmt=True)
            if self._not_modified(route):
                self.respond(304, headers=headers, content_type=None, head=head)
                return
        body = route.body
        if route.gzip:
            headers["Vary"] = "Accept-Encoding"
            if _accepts_gzip(self.headers.get("Accept-Encoding", "")):
                body = gzip_module.compress(body)
                headers["Content-Encoding"] = "gzip"
        self.respond(
            route.status, body, headers=headers, content_type=route.content_type, head=head
        )

    def _not_modified(self, route: _Static) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in wanted or route.etag in wanted
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError):
                return False
            return int(route.last_modified) <= since
        return False


def _accepts_gzip(accept_encoding: str) -> bool:
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    feed_server: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], _DISCONNECTS):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class FeedServer:
    """An HTTP server on 127.0.0.1 (random port) that serves registered routes.

    Start it by creating it; stop it with :meth:`close` or by leaving ``with``.

    Attributes:
        requests: every request seen, as ``(method, path with query, headers)``;
            header names are lower-cased.
        connections: how many TCP connections clients opened (keep-alive reuses one).
    """

    def __init__(self) -> None:
        """Start the server in a daemon thread."""
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.connections = 0
        self._routes: dict[str, _Static | HandlerFn] = {}
        self._dirs: list[tuple[str, _Dir]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.feed_server = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FeedServer:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def __enter__(self) -> FeedServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving (ending trickle routes) and close the listening socket."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server.

        Args:
            path: a path, with or without the leading slash (a query is kept).

        Returns:
            ``http://127.0.0.1:<port>/<path>``.
        """
        return self.base_url + "/" + path.lstrip("/")

    def add(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str = "application/rss+xml",
        gzip: bool = False,
    ) -> None:
        """Serve ``body`` at ``path``, with ETag/Last-Modified and 304s when status is 200.

        Args:
            path: the path (an exact match; a path with a query matches only that query).
            body: the bytes to send. Pass already-compressed bytes with
                ``headers={"Content-Encoding": "gzip"}`` to send them as they are.
            status: the status to answer with.
            headers: extra headers; an ``ETag`` or ``Last-Modified`` here replaces ours.
            content_type: the ``Content-Type``.
            gzip: gzip the body when the client accepts gzip.
        """
        self._routes[_path(path)] = _Static(
            body, status=status, headers=dict(headers or {}), content_type=content_type, gzip=gzip
        )

    def add_file(
        self,
        path: str,
        file_path: str | Path,
        *,
        content_type: str | None = None,
        gzip: bool = False,
    ) -> None:
        """Serve the contents of a file (read now) at ``path``.

        Args:
            path: the path to serve it at.
            file_path: the file to read.
            content_type: the ``Content-Type``; guessed from the suffix by default.
            gzip: gzip the body when the client accepts gzip.
        """
        file_path = Path(file_path)
        self._routes[_path(path)] = _Static(
            file_path.read_bytes(),
            content_type=content_type or _guess_type(file_path),
            gzip=gzip,
            last_modified=file_path.stat().st_mtime,
        )

    def serve_dir(self, prefix: str, directory: str | Path, *, gzip: bool = False) -> None:
        """Serve every file under ``directory`` at ``prefix`` + its relative path.

        Files are read at request time; ``..`` cannot escape the directory.

        Args:
            prefix: the URL path prefix, e.g. ``"/feeds/"``.
            directory: the directory to serve.
            gzip: gzip bodies when the client accepts gzip.
        """
        prefix = _path(prefix)
        if not prefix.endswith("/"):
            prefix += "/"
        self._dirs.append((prefix, _Dir(Path(directory), gzip=gzip)))

    def add_redirect(self, path: str, location: str, status: int = 301) -> None:
        """Answer ``path`` with a redirect.

        Args:
            path: the path that redirects.
            location: the ``Location`` header, absolute or relative (sent as given).
            status: 301, 302, 303, 307 or 308.
        """
        self.add(
            path,
            b"",
            status=status,
            headers={"Location": location},
            content_type="text/plain; charset=utf-8",
        )

    def add_handler(self, path: str, fn: HandlerFn) -> None:
        """Answer ``path`` with custom code.

        Args:
            path: the path to handle.
            fn: called with the :class:`Handler` in a server thread; it writes
                the whole answer. The connection is closed afterwards.
        """
        self._routes[_path(path)] = fn

    def add_trickle(
        self,
        path: str,
        interval: float = 0.2,
        *,
        content_type: str = "application/rss+xml",
    ) -> None:
        """Answer ``path`` with a 200 that sends one byte every ``interval`` seconds, forever.

        It stops when the client disconnects or the server closes.

        Args:
            path: the path of the slow route.
            interval: seconds between bytes.
            content_type: the ``Content-Type``.
        """

        def trickle(handler: Handler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(b"<")
            handler.wfile.flush()
            while not self._stop.wait(interval):
                handler.wfile.write(b" ")
                handler.wfile.flush()

        self.add_handler(path, trickle)

    def count(self, path: str) -> int:
        """How many requests asked for ``path``.

        Args:
            path: a path; without a query it counts every query of that path.

        Returns:
            The number of requests seen.
        """
        path = _path(path)
        with self._lock:
            return sum(
                1 for _, seen, _ in self.requests if seen == path or urlsplit(seen).path == path
            )

    def _log(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((method, path, headers))


def _path(path: str) -> str:
    return "/" + path.lstrip("/")


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for "connection refused" tests).

    Returns:
        The port number of a socket that was bound and then closed.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
