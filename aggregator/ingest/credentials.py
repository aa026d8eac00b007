"""Per-feed credentials and request headers: what a private or picky feed needs.

A feed's ``[[feeds]]`` entry may name HTTP basic auth (``username`` +
``password_env``), a bearer token (``token_env``), extra ``headers`` and its
own ``user_agent``. Secrets are never in the config file: only the names of
the environment variables holding them, read at each fetch (so a daemon
reloaded with SIGHUP sees new values). A header value may use ``${NAME}`` to
take a variable's value, e.g. ``Cookie = "session=${SITE_SESSION}"``.

:func:`request_headers` splits what it builds in two: the User-Agent,
sent on every hop, and the private headers (``Authorization`` and the custom
headers), which :class:`aggregator.ingest.fetch.Fetcher` sends only to the
feed's own origin (scheme, host and port): a redirect to another host, or
from https to http, does not carry them. No value is ever logged or shown.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping

from aggregator.errors import FetchError
from aggregator.models import Credentials

__all__ = ["ENV_NAME", "HEADER_NAME", "request_headers"]

#: What an environment variable's name may be.
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: What an HTTP header's name may be (an RFC 9110 token).
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def request_headers(
    credentials: Credentials, environ: Mapping[str, str] | None = None, *, url: str = ""
) -> tuple[dict[str, str], dict[str, str]]:
    """The headers to send to a feed, with secrets read from the environment now.

    Args:
        credentials: the feed's credentials (names of variables only).
        environ: the environment (``os.environ`` by default).
        url: the feed's URL, for error messages.

    Returns:
        ``(headers for every hop, headers for the feed's own origin only)``.

    Raises:
        FetchError: a variable named here is not set (the message names the
            variable, never a value).
    """
    env = os.environ if environ is None else environ
    public: dict[str, str] = {}
    private: dict[str, str] = {}
    if credentials.user_agent:
        public["User-Agent"] = credentials.user_agent
    if credentials.username:
        password = _read(env, credentials.password_env, "password_env", url=url)
        pair = f"{credentials.username}:{password}".encode()
        private["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    elif credentials.token_env:
        token = _read(env, credentials.token_env, "token_env", url=url)
        private["Authorization"] = "Bearer " + token
    for name, value in credentials.headers:
        private[name] = _expand(env, value, f"headers.{name}", url=url)
    return public, private


def _expand(env: Mapping[str, str], value: str, key: str, *, url: str) -> str:
    """A header value with each ``${NAME}`` replaced by that variable's value."""
    return _REFERENCE.sub(lambda m: _read(env, m[1], key, url=url), value)


def _read(env: Mapping[str, str], name: str, key: str, *, url: str) -> str:
    value = env.get(name, "")
    if not value:
        raise FetchError(f"environment variable {name} ({key}) is not set", url=url)
    if any(c in value for c in "\r\n\x00"):
        raise FetchError(f"environment variable {name} ({key}) holds a line break", url=url)
    return value
