"""A small OpenAI-compatible chat-completions server on 127.0.0.1 for tests.

Answers ``POST /v1/chat/completions`` from a script of behaviours (one per
request, the last repeating), records every request and the most requests it
had in flight at once::

    with LLMServer() as server:
        server.script = [server.malformed(), server.ok()]
        settings = LLMSettings(base_url=server.base_url, model="test-model")
        ...
        assert len(server.requests) == 2
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["Answer", "LLMServer"]


@dataclass(frozen=True)
class Answer:
    """What the server does with one request."""

    status: int = 200
    content: str | None = None  # the message content; None: questions about the title
    raw: bytes | None = None  # a body sent as it is
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


def default_questions(title: str, count: int) -> str:
    subject = title.split()[0] if title.split() else "It"
    angles = ("really gains", "is leaving out", "happens next", "paid for it", "said no")
    return "\n".join(
        f"{i + 1}. Who {angles[i % len(angles)]} in this story about {subject} (#{i})?"
        for i in range(count)
    )


class LLMServer:
    """The server; a context manager. ``script`` may be changed between requests."""

    def __init__(self) -> None:
        self.script: list[Answer] = [Answer()]
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._served = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"{}")
                answer = server._next(payload, {k.lower(): v for k, v in self.headers.items()})
                try:
                    if self.path.rstrip("/") != "/v1/chat/completions":
                        answer = Answer(status=404, raw=b'{"error": "not found"}')
                    if answer.delay:
                        time.sleep(answer.delay)
                    body = answer.raw
                    if body is None:
                        content = answer.content
                        if content is None:
                            count = _asked_count(payload)
                            content = default_questions(_title(payload), count)
                        body = json.dumps(
                            {
                                "id": "chatcmpl-test",
                                "object": "chat.completion",
                                "choices": [
                                    {
                                        "index": 0,
                                        "message": {"role": "assistant", "content": content},
                                        "finish_reason": "stop",
                                    }
                                ],
                            }
                        ).encode()
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    for name, value in answer.headers:
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)
                finally:
                    with server._lock:
                        server.in_flight -= 1

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        """The API's base URL, ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def _next(self, payload: dict[str, Any], headers: dict[str, str]) -> Answer:
        with self._lock:
            self.requests.append(payload)
            self.headers.append(headers)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            answer = self.script[min(self._served, len(self.script) - 1)]
            self._served += 1
            return answer

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LLMServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Behaviours ---------------------------------------------------------------

    @staticmethod
    def ok(content: str | None = None) -> Answer:
        """A good answer (questions about the story's title unless ``content`` is given)."""
        return Answer(content=content)

    @staticmethod
    def malformed() -> Answer:
        """An answer whose content is prose, not questions."""
        return Answer(content="Sure! Here are some thoughts about the story. It is interesting.")

    @staticmethod
    def error(status: int = 500, **kw: Any) -> Answer:
        """An HTTP error."""
        return Answer(status=status, raw=b'{"error": {"message": "boom"}}', **kw)

    @staticmethod
    def slow(seconds: float) -> Answer:
        """A good answer after a delay."""
        return Answer(delay=seconds)


def _title(payload: dict[str, Any]) -> str:
    messages = payload.get("messages") or [{}]
    user = str(messages[-1].get("content", ""))
    return user.split("\n", 1)[0]


def _asked_count(payload: dict[str, Any]) -> int:
    system = str((payload.get("messages") or [{}])[0].get("content", ""))
    words = system.split("exactly ", 1)
    try:
        return int(words[1].split()[0]) if len(words) > 1 else 3
    except ValueError:
        return 3
