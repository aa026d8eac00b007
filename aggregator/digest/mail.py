"""Email delivery of digests over SMTP: one multipart/alternative message (text + HTML).

The text part is the text digest (article-plus-questions blocks) under a
heading line; the HTML part is the HTML digest. Security is ``starttls``
(upgrade a plain connection, port 587), ``tls`` (implicit TLS, port 465) or
``none``. The password is read from the environment variable the config
names, at send time, and never logged. Errors become one
:class:`~aggregator.errors.ExportError` naming the server.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import TYPE_CHECKING

from aggregator.errors import ExportError

if TYPE_CHECKING:
    from aggregator.digest.select import Digest

__all__ = ["EmailSettings", "build_message", "digest_message", "send_message"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """Delivery of a scheduled digest by SMTP (multipart text + HTML); ``[digests.email]``.

    Attributes:
        host: the SMTP server.
        port: its port (default 587 for ``starttls``, 465 for ``tls``, 25 for ``none``).
        security: ``starttls``, ``tls`` (implicit TLS) or ``none``.
        user: the login, or ``""`` to send without logging in.
        password_env: the environment variable holding the password (never the file).
        sender: the From address (TOML key ``from``).
        to: the recipients.
        subject: the subject, or ``""`` for the digest's heading.
        timeout: seconds to wait for the server.
    """

    host: str
    sender: str
    to: tuple[str, ...]
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password_env: str = ""
    subject: str = ""
    timeout: float = 30.0


def _one_line(text: str) -> str:
    return " ".join(text.split())


def build_message(
    *,
    subject: str,
    sender: str,
    to: tuple[str, ...],
    text: str,
    html: str,
    date: datetime | None = None,
) -> EmailMessage:
    """Build a multipart/alternative message: a text part, then an HTML part.

    Args:
        subject: the subject (folded onto one line).
        sender: the From address.
        to: the recipients.
        text: the plain-text body.
        html: the HTML body.
        date: the Date header (default: now).

    Returns:
        The message.
    """
    message = EmailMessage()
    message["Subject"] = _one_line(subject)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = (
        format_datetime(date) if date else format_datetime(datetime.now().astimezone())
    )
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(" >") or None)
    # RFC 3834: an automatic message; well-behaved responders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def digest_message(digest: Digest, settings: EmailSettings) -> EmailMessage:
    """The email of a digest: the text and HTML renderings as alternatives.

    Args:
        digest: the digest.
        settings: the delivery settings.

    Returns:
        The message.
    """
    from aggregator.digest.select import render_digest

    count = digest.count
    summary = f"{count} {'story' if count == 1 else 'stories'}"
    heading = f"{digest.heading} ({summary})"
    text = f"{heading}\n\n{render_digest(digest, 'text')}"
    return build_message(
        subject=settings.subject or heading,
        sender=settings.sender,
        to=settings.to,
        text=text,
        html=render_digest(digest, "html"),
    )


def send_message(
    message: EmailMessage,
    settings: EmailSettings,
    *,
    environ: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Send a message through the configured SMTP server.

    Args:
        message: the message.
        settings: server, security, login and addresses.
        environ: where ``settings.password_env`` is looked up (default ``os.environ``).
        ssl_context: TLS settings (default: the system's trust store, hostname checked).

    Raises:
        ExportError: the password variable is unset, or the server cannot be
            reached, refuses the login or refuses the message.
    """
    environ = os.environ if environ is None else environ
    where = f"{settings.host}:{settings.port}"
    password = ""
    if settings.user:
        password = environ.get(settings.password_env, "")
        if not password:
            raise ExportError(
                f"cannot send the digest via {where}: the environment variable "
                f"{settings.password_env} (the SMTP password) is not set"
            )
    context = ssl_context or ssl.create_default_context()
    recipients = [addr for _, addr in getaddresses(list(settings.to))]
    sender = getaddresses([settings.sender])[0][1]
    try:
        smtp: smtplib.SMTP
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            smtp.ehlo()
            if settings.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.user:
                smtp.login(settings.user, password)
            refused = smtp.send_message(message, from_addr=sender, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError as exc:
        raise ExportError(
            f"cannot send the digest via {where}: login refused for {settings.user!r}"
            f" ({exc.smtp_code})"
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ExportError(f"cannot send the digest via {where}: {exc}") from exc
    if refused:
        log.warning("digest mail refused for %s", ", ".join(sorted(refused)))
    log.info("digest mailed via %s to %s", where, ", ".join(recipients))
