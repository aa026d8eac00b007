"""Fetching over TLS: roots loaded at the first TLS connection, certificates checked.

A real HTTPS server on 127.0.0.1 with a self-signed certificate
(``tests/data/tls``, made with ``openssl req -x509 ... -addext
subjectAltName=IP:127.0.0.1``); the fetches run in a fresh interpreter, since
the process's TLS context is built once.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

TLS = Path(__file__).resolve().parents[1] / "data" / "tls"
FEED = b"<rss version='2.0'><channel><title>t</title></channel></rss>"

CLIENT = """
import asyncio, json, sys
from aggregator.errors import FetchError
from aggregator.ingest.fetch import Fetcher, FetchSettings, _ssl_context, make_client

async def main():
    settings = FetchSettings(allow_private_addresses=True)
    out = {}
    async with Fetcher(make_client(settings), settings=settings) as fetcher:
        out["http"] = (await fetcher.fetch(sys.argv[1])).status
        out["roots_after_http"] = _ssl_context().cert_store_stats()["x509_ca"]
        try:
            out["https"] = (await fetcher.fetch(sys.argv[2])).status
        except FetchError as exc:
            out["https"] = str(exc)
        out["roots_after_https"] = _ssl_context().cert_store_stats()["x509_ca"]
    print(json.dumps(out))

asyncio.run(main())
"""


class _Feed(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args: object) -> None:
        pass


def _serve(tls: bool) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    server.daemon_threads = True
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "https" if tls else "http"
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}/feed.xml"


@pytest.fixture
def servers() -> Iterator[tuple[str, str]]:
    plain, plain_url = _serve(tls=False)
    secure, secure_url = _serve(tls=True)
    try:
        yield plain_url, secure_url
    finally:
        for server in (plain, secure):
            server.shutdown()
            server.server_close()


def _client(urls: tuple[str, str], **env: str) -> dict[str, object]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SSL_CERT_")}
    environ.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", CLIENT, *urls],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=True,
    )
    answer: dict[str, object] = json.loads(proc.stdout)
    return answer


def test_roots_load_at_the_first_tls_connection_from_ssl_cert_file(
    servers: tuple[str, str],
) -> None:
    out = _client(servers, SSL_CERT_FILE=str(TLS / "cert.pem"))
    assert out["http"] == 200
    assert out["roots_after_http"] == 0  # a plain-HTTP fetch never loads them
    assert out["https"] == 200  # trusted through SSL_CERT_FILE, read at first use
    assert out["roots_after_https"] == 1


def test_a_certificate_outside_the_roots_is_refused(servers: tuple[str, str]) -> None:
    out = _client(servers)  # certifi's roots: the self-signed certificate is not among them
    assert out["http"] == 200
    assert "CERTIFICATE_VERIFY_FAILED" in str(out["https"])
    assert int(str(out["roots_after_https"])) > 100
