"""The PostgreSQL driver: connections from a pool, and the one-line errors users see.

psycopg 3 is imported here and only when a PostgreSQL archive is opened, so
SQLite users never load it (and need not install the ``postgres`` extra).
Every process keeps one :class:`psycopg_pool.ConnectionPool` per archive URL
and mode (read-only or writer): an :class:`~aggregator.store.pg.archive.PgArchive`
borrows one connection while it is open, so the daemon's readers, digest jobs
and writer reuse a few server connections instead of opening one each time.

Secrets come only from the environment: a URL with a password is refused
(libpq reads ``PGPASSWORD``, ``PGPASSFILE`` or ``~/.pgpass``), so no password
is written in a config file or shown in a process list or a log line.
"""

from __future__ import annotations

import atexit
import threading
from typing import TYPE_CHECKING, Any

from aggregator.errors import ArchiveError

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

__all__ = [
    "MIN_SERVER_VERSION",
    "borrow",
    "close_pools",
    "describe",
    "explain_connect_error",
    "give_back",
    "too_old",
]

MIN_SERVER_VERSION = 150000
"""PostgreSQL 15, the oldest release this code was tested and measured with."""

POOL_SIZE = 8
"""Connections per pool at most (a daemon's writer, its tick's readers and digest jobs)."""

CONNECT_TIMEOUT = 10
"""Seconds to reach the server before a connection counts as refused."""

_pools: dict[tuple[str, bool], ConnectionPool[Any]] = {}
_lock = threading.Lock()


def _driver() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ArchiveError(
            "a postgresql:// archive needs the PostgreSQL driver:"
            " pip install 'aggregator[postgres]'"
        ) from exc
    return psycopg


def describe(url: str) -> str:
    """The URL as shown in messages: host, port and database, no options or user secrets."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # a URL libpq cannot read is shown as typed (it has no password)
        return url
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    return f"postgresql://{host}:{port}/{parts.get('dbname') or parts.get('user') or ''}"


def check_url(url: str) -> dict[str, Any]:
    """Parse an archive URL; refuse one that carries a password.

    Raises:
        ArchiveError: libpq cannot read it, or it has a password.
    """
    _driver()
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts: dict[str, Any] = conninfo_to_dict(url)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ArchiveError(f"archive URL {url!r} is not a PostgreSQL URL: {first}") from None
    if parts.get("password"):
        raise ArchiveError(
            "the archive URL contains a password; remove it and set PGPASSWORD"
            " (or use ~/.pgpass): secrets are read only from the environment"
        )
    return parts


def too_old(version: int) -> str:
    """The error for a server older than :data:`MIN_SERVER_VERSION`, ``""`` when it is not.

    Args:
        version: the server's ``server_version_num`` (e.g. 140011 for 14.11).
    """
    if version >= MIN_SERVER_VERSION:
        return ""
    return (
        f"PostgreSQL {version // 10000}.{version % 10000} is too old;"
        f" aggregator needs {MIN_SERVER_VERSION // 10000} or later"
    )


def explain_connect_error(url: str, exc: BaseException) -> str:
    """One line for a failed connection: refused, wrong password, missing database, other.

    Args:
        url: the archive URL.
        exc: the driver's error.
    """
    text = " ".join(str(exc).split())
    where = describe(url)
    parts = check_url(url)
    user = parts.get("user") or "(the login user)"
    database = parts.get("dbname") or user
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return (
            f"PostgreSQL at {where} refused the password of user {user}"
            " (set PGPASSWORD or ~/.pgpass)"
        )
    if "does not exist" in lowered and "database" in lowered:
        return f"PostgreSQL database {database!r} does not exist at {where} (createdb {database})"
    if "role" in lowered and "does not exist" in lowered:
        return f"PostgreSQL at {where} has no user {user}"
    if "connection refused" in lowered or "no such file or directory" in lowered:
        return (
            f"cannot connect to PostgreSQL at {where}: connection refused (is the server running?)"
        )
    if "timeout" in lowered or "timed out" in lowered:
        return f"cannot connect to PostgreSQL at {where}: no answer within {CONNECT_TIMEOUT} s"
    return f"cannot connect to PostgreSQL at {where}: {text[:300]}"


def _configure(readonly: bool) -> Any:
    def configure(conn: psycopg.Connection[Any]) -> None:
        conn.autocommit = True
        # Timestamps are text and times UTC; the session's time zone is not used.
        conn.execute("SET TIME ZONE 'UTC'")
        if readonly:
            # A command that only reads never writes: the server refuses any write.
            conn.execute("SET default_transaction_read_only = on")

    return configure


def _pool(url: str, readonly: bool) -> ConnectionPool[Any]:
    key = (url, readonly)
    with _lock:
        pool = _pools.get(key)
        if pool is not None:
            return pool
        driver = _driver()
        check_url(url)
        # A first connection outside the pool: the pool retries silently, but a
        # refused connection or a wrong password must be one clear line at once.
        try:
            probe = driver.connect(url, connect_timeout=CONNECT_TIMEOUT, autocommit=True)
        except driver.Error as exc:
            raise ArchiveError(explain_connect_error(url, exc)) from None
        try:
            message = too_old(probe.info.server_version)
        finally:
            probe.close()
        if message:
            raise ArchiveError(f"{describe(url)}: {message}")
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            kwargs={"connect_timeout": CONNECT_TIMEOUT},
            configure=_configure(readonly),
            reset=_reset,
            open=True,
            name=f"aggregator-{'ro' if readonly else 'rw'}",
        )
        _pools[key] = pool
        return pool


def _reset(conn: psycopg.Connection[Any]) -> None:
    """Leave a returned connection as the pool configured it (no open transaction)."""
    if conn.info.transaction_status != 0:  # not IDLE
        conn.rollback()
    conn.autocommit = True


def borrow(url: str, *, readonly: bool) -> psycopg.Connection[Any]:
    """A connection to the archive at ``url`` from this process's pool.

    Args:
        url: the archive URL (no password in it).
        readonly: a connection on which every transaction is read-only.

    Returns:
        An autocommit connection; give it back with :func:`give_back`.

    Raises:
        ArchiveError: the server cannot be reached, refused the login, has no
            such database, or is too old (one line each).
    """
    pool = _pool(url, readonly)
    driver = _driver()
    from psycopg_pool import PoolTimeout

    try:
        conn: psycopg.Connection[Any] = pool.getconn(timeout=CONNECT_TIMEOUT * 3)
    except PoolTimeout:
        raise ArchiveError(
            f"no connection to PostgreSQL at {describe(url)} within {CONNECT_TIMEOUT * 3} s"
            " (server gone, or every connection busy)"
        ) from None
    except driver.Error as exc:
        raise ArchiveError(explain_connect_error(url, exc)) from None
    return conn


def give_back(url: str, conn: psycopg.Connection[Any], *, readonly: bool) -> None:
    """Return a connection borrowed with :func:`borrow` (a broken one is discarded)."""
    pool = _pools.get((url, readonly))
    if pool is None:
        conn.close()
        return
    pool.putconn(conn)


@atexit.register
def close_pools() -> None:
    """Close every pool of this process (at exit, and in tests between servers)."""
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        try:
            pool.close(timeout=2)
        except Exception:  # pragma: no cover - closing at exit must not raise
            pass
