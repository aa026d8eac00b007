"""A throwaway PostgreSQL server for the tests: ``initdb`` and ``pg_ctl`` in a temporary folder.

The server listens on a Unix socket in its own folder and on 127.0.0.1 at a
free port, trusts local connections, and is stopped (``pg_ctl stop -m
immediate``) and deleted afterwards. PostgreSQL refuses to run as root, so
when the tests run as root the cluster belongs to the ``postgres`` user
(created by Debian's package) and its commands run through ``runuser``.

:func:`find_binaries` says why a server cannot be had (no ``initdb``, no
user to run it as), so the tests that need one skip with that reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PostgresServer", "find_binaries"]

_SEARCH = ("/usr/lib/postgresql/*/bin",)


def find_binaries() -> tuple[Path | None, str]:
    """The folder holding ``initdb``/``pg_ctl``/``postgres``, or ``None`` and why not."""
    candidates: list[Path] = []
    env = os.environ.get("AGGREGATOR_PG_BIN")
    if env:
        candidates.append(Path(env))
    for pattern in _SEARCH:
        root = Path("/")
        candidates.extend(sorted(root.glob(pattern.lstrip("/")), reverse=True))
    which = shutil.which("initdb")
    if which:
        candidates.append(Path(which).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            if os.geteuid() == 0 and _uid("postgres") is None:
                return None, "running as root and there is no 'postgres' user to run PostgreSQL"
            return folder, ""
    return None, "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"


def _uid(name: str) -> int | None:
    import pwd

    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A running throwaway server; use as a context manager.

    Attributes:
        folder: the temporary folder holding the cluster and its socket.
        port: the TCP port on 127.0.0.1.
    """

    bin: Path
    folder: Path
    port: int
    user: str

    @classmethod
    def start(cls, bin_folder: Path) -> PostgresServer:
        """Create a cluster in a new temporary folder and start it."""
        folder = Path(tempfile.mkdtemp(prefix="aggregator-pg-"))
        as_root = os.geteuid() == 0
        user = "postgres" if as_root else (os.environ.get("USER") or "postgres")
        server = cls(bin=bin_folder, folder=folder, port=_free_port(), user=user)
        if as_root:
            uid, gid = _uid("postgres"), _gid("postgres")
            os.chown(folder, uid or 0, gid or 0)
        server._run(
            "initdb",
            "-D",
            str(folder / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        server._run(
            "pg_ctl",
            "-D",
            str(folder / "data"),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=200 -c shared_buffers=128MB",
            "start",
        )
        return server

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq URL for a database of this server (user ``postgres``, no password)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.dsn(name)

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, program: str, *args: str) -> None:
        cmd = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        started = time.monotonic()
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.folder)
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise subprocess.CalledProcessError(
                result.returncode,
                cmd,
                output=result.stdout,
                stderr=f"{result.stderr}\n{tail}\n({time.monotonic() - started:.1f}s)",
            )


def _gid(name: str) -> int | None:
    import grp

    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return None
