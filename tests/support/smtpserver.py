"""A small real SMTP server on 127.0.0.1 for tests (stdlib sockets, one thread per client).

Speaks enough of RFC 5321 for smtplib: EHLO/HELO, STARTTLS (with a TLS
context), implicit TLS, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA (with dot
unstuffing), RSET, NOOP, QUIT. Received messages are kept in
:attr:`SMTPServer.messages`::

    with SMTPServer(users={"me": "secret"}) as server:
        ... send to 127.0.0.1:server.port ...
        server.wait_for(1)
        message = server.messages[0]
"""

from __future__ import annotations

import base64
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO

__all__ = ["Received", "SMTPServer"]


@dataclass
class Received:
    """One message as the server received it."""

    mail_from: str
    rcpt_to: list[str]
    data: bytes
    login: tuple[str, str] | None
    tls: bool


@dataclass
class _Session:
    conn: socket.socket
    file: BinaryIO
    tls: bool = False
    login: tuple[str, str] | None = None
    mail_from: str = ""
    rcpt_to: list[str] = field(default_factory=list)


class SMTPServer:
    """An SMTP server in daemon threads; use as a context manager."""

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        tls_context: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        greeting_delay: float = 0.0,
    ) -> None:
        self.users = users or {}
        # Seconds each client waits for the greeting: a mail still being sent when the
        # test acts (a slow server), for as long as it needs.
        self.greeting_delay = greeting_delay
        self.connections = 0
        self.tls_context = tls_context
        self.implicit_tls = implicit_tls
        self.messages: list[Received] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> SMTPServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.sock.close()

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        """Wait until ``count`` messages have arrived."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} of {count} messages arrived")
            time.sleep(0.05)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        session: _Session | None = None
        try:
            if self.implicit_tls:
                assert self.tls_context is not None
                conn = self.tls_context.wrap_socket(conn, server_side=True)
            session = _Session(conn, conn.makefile("rb"), tls=self.implicit_tls)
            time.sleep(self.greeting_delay)
            self._send(session, "220 127.0.0.1 ESMTP test server")
            while self._command(session):
                pass
        except (OSError, ssl.SSLError):
            pass
        finally:
            if session is not None:
                session.file.close()
                session.conn.close()
            conn.close()

    def _send(self, s: _Session, line: str) -> None:
        s.conn.sendall(line.encode() + b"\r\n")

    def _line(self, s: _Session) -> str:
        raw = s.file.readline(65536)
        if not raw:
            raise ConnectionResetError("client went away")
        return raw.decode("utf-8", "replace").rstrip("\r\n")

    def _command(self, s: _Session) -> bool:
        line = self._line(s)
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        if verb in ("EHLO", "HELO"):
            lines = ["127.0.0.1 hello"]
            if self.tls_context is not None and not s.tls:
                lines.append("STARTTLS")
            if self.users:
                lines.append("AUTH PLAIN LOGIN")
            lines.append("8BITMIME")
            for i, text in enumerate(lines):
                self._send(s, f"250{'-' if i < len(lines) - 1 else ' '}{text}")
        elif verb == "STARTTLS" and self.tls_context is not None and not s.tls:
            self._send(s, "220 go ahead")
            s.file.close()
            s.conn = self.tls_context.wrap_socket(s.conn, server_side=True)
            s.file = s.conn.makefile("rb")
            s.tls = True
        elif verb == "AUTH" and self.users:
            mechanism, _, initial = arg.partition(" ")
            if mechanism.upper() == "PLAIN":
                if not initial:
                    self._send(s, "334 ")
                    initial = self._line(s)
                _, user, password = base64.b64decode(initial).decode().split("\0")
            elif mechanism.upper() == "LOGIN":
                self._send(s, "334 VXNlcm5hbWU6")
                user = base64.b64decode(self._line(s)).decode()
                self._send(s, "334 UGFzc3dvcmQ6")
                password = base64.b64decode(self._line(s)).decode()
            else:
                self._send(s, "504 unknown mechanism")
                return True
            if self.users.get(user) == password:
                s.login = (user, password)
                self._send(s, "235 authenticated")
            else:
                self._send(s, "535 authentication failed")
        elif verb == "MAIL":
            if self.users and s.login is None:
                self._send(s, "530 authentication required")
            else:
                s.mail_from, s.rcpt_to = arg.partition(":")[2].strip().strip("<>"), []
                self._send(s, "250 ok")
        elif verb == "RCPT":
            s.rcpt_to.append(arg.partition(":")[2].strip().strip("<>"))
            self._send(s, "250 ok")
        elif verb == "DATA":
            self._send(s, "354 end with <CRLF>.<CRLF>")
            lines = []
            while True:
                raw = s.file.readline(1 << 20)
                if not raw or raw == b".\r\n":
                    break
                lines.append(raw[1:] if raw.startswith(b"..") else raw)
            self.messages.append(
                Received(s.mail_from, list(s.rcpt_to), b"".join(lines), s.login, s.tls)
            )
            self._send(s, "250 queued")
        elif verb in ("RSET", "NOOP"):
            self._send(s, "250 ok")
        elif verb == "QUIT":
            self._send(s, "221 bye")
            return False
        else:
            self._send(s, "502 not implemented")
        return True
