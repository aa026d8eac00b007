"""The archive's connection: settings, error messages, transactions, schema version.

Every connection has a busy timeout and foreign keys on; a writer's also WAL
mode, ``synchronous = NORMAL`` and a large page cache. SQLite's errors become
one-line :class:`~aggregator.errors.ArchiveError` messages (:func:`map_error`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Self

from aggregator.dedupe import neardup
from aggregator.dedupe.events import EventParams
from aggregator.defaults import MAX_PAGE_COUNT_ENV
from aggregator.errors import ArchiveError
from aggregator.store import scripts_index, stem_index
from aggregator.store.compact import ArchiveConnection, keeps_text_dates
from aggregator.store.links import links_column
from aggregator.store.schema import MIGRATIONS

if TYPE_CHECKING:
    import sqlite_utils

__all__ = [
    "MAX_PAGE_COUNT_ENV",
    "SCHEMA_VERSION",
    "ArchiveBase",
    "connect",
    "map_error",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 10
BUSY_TIMEOUT_MS = 10_000
#: New archives' page size. Every table and index holds at least one page, and story
#: rows (2-3 KB) leave part of a page unused: 4 KiB pages left a third of the file slack,
#: 32 KiB pages cost 32 KiB for each of the archive's twenty-odd tables and indexes
#: however small. 16 KiB: 3,274 bytes a story at 5,000 stories (32 KiB: 3,316) and
#: 3,135 at 85,000 (32 KiB: 3,081), the writer's CPU the same (benchmarks/ingest.py).
PAGE_SIZE = 16_384
#: The writer's page cache. 8 MiB holds the pages a poll's writes touch again (the
#: URL-key, fingerprint, band and source indexes, the FTS5 pending data): at 85,000
#: stories (benchmarks/poll.py --memory) the writer's CPU time was 1.6% more with 16 MiB
#: than with 64 MiB, for 48 MiB less memory in the daemon; in a first poll of 100,000
#: stories 8 MiB instead of 16 took 7 MiB less and the same writer CPU (within 0.5%).
WRITER_CACHE_KIB = 8_192
_INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """Open a connection with the archive's settings (autocommit, WAL, busy timeout).

    A writer's connection is capped at ``$AGGREGATOR_MAX_PAGE_COUNT`` pages when
    that is set (:data:`MAX_PAGE_COUNT_ENV`).

    Args:
        path: the SQLite file.
        readonly: open read-only (the file must exist).

    Returns:
        The connection; transactions are explicit (``BEGIN IMMEDIATE``).

    Raises:
        ArchiveError: the file cannot be opened, or the page cap is not a number.
    """
    cap = 0 if readonly else _page_count(os.environ.get(MAX_PAGE_COUNT_ENV, ""))
    try:
        if readonly:
            uri = Path(path).resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(
                uri,
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                factory=ArchiveConnection,
            )
        else:
            conn = sqlite3.connect(
                str(path),
                isolation_level=None,
                check_same_thread=False,
                factory=ArchiveConnection,
            )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            # The writer's index pages stay cached as the archive grows (benchmarks/
            # dedupe_scale.py: a third less time per story at 50k stories than the 2 MiB
            # default; more than WRITER_CACHE_KIB gains little, see there).
            conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
            if cap:
                conn.execute(f"PRAGMA max_page_count = {cap}")
    except sqlite3.Error as exc:
        raise ArchiveError(f"cannot open archive {path}: {_explain(exc)}") from exc
    return conn


def _page_count(value: str) -> int:
    """The page cap of :data:`MAX_PAGE_COUNT_ENV` (0: none)."""
    value = value.strip()
    if value and (not (value.isascii() and value.isdigit()) or int(value) < 1):
        raise ArchiveError(f"{MAX_PAGE_COUNT_ENV}={value!r}: a number of pages (1 or more)")
    return int(value or 0)


def _explain(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "unable to open" in text:
        # In WAL mode SQLite keeps <archive>-wal and -shm beside the file, even to read.
        text += " (the archive's folder must be writable, and the file readable)"
    return text


def map_error(exc: sqlite3.Error, path: Path) -> ArchiveError:
    """The one-line :class:`ArchiveError` for a failed SQLite call on the archive at ``path``."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return ArchiveError(f"archive {path} is busy (database is locked); try again")
    if "full" in text:
        return ArchiveError(f"archive {path}: disk full; nothing was written")
    if "readonly" in text or "read-only" in text:
        return ArchiveError(f"archive {path} is read-only; nothing was written")
    if "malformed" in text or "not a database" in text:
        return ArchiveError(f"archive {path} is damaged or not an archive: {text}")
    return ArchiveError(f"archive {path}: {_explain(exc)}")


class ArchiveBase:
    """The archive file opened: its connection, schema version and transactions.

    The domain modules of this package add their methods to it;
    :class:`aggregator.store.archive.Archive` composes them. Use as a context
    manager, or call :meth:`close`. Not thread-safe: use it from one thread at
    a time.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        readonly: bool = False,
        dedupe: neardup.Params | None = None,
        events: EventParams | None = None,
    ) -> None:
        """Open (and, unless read-only, create or migrate) an archive.

        Args:
            path: the SQLite file; its folder is created if missing.
            readonly: open without writing anything (no migration).
            dedupe: near-duplicate settings (``[dedupe]``); ``None`` for the defaults.
            events: event grouping settings (``[events]``): the stories a poll or an
                import stores are grouped into events when given and enabled.

        Raises:
            ArchiveError: the file cannot be opened, or it was written by a newer version.
        """
        self.path = Path(path)
        self.readonly = readonly
        # A read-only archive of an older schema has no retired_at column yet.
        self._retired_column = "f.retired_at"
        # Nor, before schema 4, a lang column on stories.
        self._lang_column = "lang"
        # Nor, before schema 5, story links (enclosures, comments) or filter counts.
        self._links_column = links_column("stories.id")
        self._filtered_column = "f.filtered"
        self.dedupe = dedupe or neardup.Params()
        self.events = events
        self._event_tables = False
        if self.path.is_dir():
            raise ArchiveError(f"archive {self.path} is a folder, not a file")
        if not readonly:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ArchiveError(f"cannot create folder {self.path.parent}: {exc}") from exc
        elif not self.path.exists():
            raise ArchiveError(f"no archive at {self.path} (run 'aggregator fetch' first)")
        self.conn = connect(self.path, readonly=readonly)
        try:
            if not readonly:
                self._migrate()
                self._opened()
            else:
                version = self._check_version()
                if version < 3:
                    self._retired_column = "NULL"
                if version < 4:
                    self._lang_column = "''"
                if version < 5:
                    self._links_column = "NULL"
                    self._filtered_column = "0"
                if version < 10:
                    self.conn.dates_as_text = keeps_text_dates(self.conn)  # type: ignore[attr-defined]
        except sqlite3.Error as exc:
            self.conn.close()
            raise map_error(exc, self.path) from exc
        except BaseException:
            self.conn.close()
            raise

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Close the connection (when writable, free pages go back to the file system and
        the query planner is optimized first)."""
        try:
            if not self.readonly:
                # Not worth a wait: while another process writes, the pages stay
                # for later writes to reuse.
                self.conn.execute("PRAGMA busy_timeout = 0")
                self.release_free_pages()
                self.conn.execute("PRAGMA optimize")
        except (sqlite3.Error, ArchiveError):
            pass
        self.conn.close()

    def release_free_pages(self) -> int:
        """Shorten the file by its free pages (an archive created with ``auto_vacuum``).

        Pages freed by a write (merged FTS5 segments, emptied queues) stay in the
        file until a later write reuses them; in an archive created by this version
        (``PRAGMA auto_vacuum = INCREMENTAL``) they are given back here, so the
        file holds what the archive holds. An older archive keeps its free pages
        for reuse (only a ``VACUUM`` could change its mode); nothing is done.

        Returns:
            The number of pages given back (0 inside a transaction).

        Raises:
            ArchiveError: the archive is busy or read-only.
        """
        try:
            if self.conn.execute("PRAGMA auto_vacuum").fetchone()[0] != _INCREMENTAL:
                return 0
            free = int(self.conn.execute("PRAGMA freelist_count").fetchone()[0])
            if not free or self.conn.in_transaction:
                return 0
            # execute() steps this pragma once, which frees one page;
            # executescript() steps it to the end.
            self.conn.executescript("PRAGMA incremental_vacuum")
        except sqlite3.Error as exc:
            raise map_error(exc, self.path) from exc
        return free

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``).

        Yields:
            The connection.

        Raises:
            ArchiveError: the transaction failed (locked, full, read-only); it was rolled back.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise map_error(exc, self.path) from exc
        try:
            yield self.conn
            if self._scripts_indexed():
                scripts_index.sync(self.conn)
            if self._stems_indexed():
                stem_index.sync(self.conn)
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise map_error(exc, self.path) from exc
        except BaseException:
            self._rollback()
            raise

    def _schema_version(self) -> int:
        """The archive's schema version as it stands (``PRAGMA user_version``)."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _scripts_indexed(self) -> bool:
        """Whether the archive has ``stories_cjk`` yet (not while migrating to it)."""
        return self._schema_version() >= 4

    def _stems_indexed(self) -> bool:
        """Whether the archive has ``stories_stem`` yet (not while migrating to it)."""
        return self._schema_version() >= 7

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("rollback failed")

    def _opened(self) -> None:
        """Called once a writable archive is migrated, inside the open's error mapping."""

    # -- schema ------------------------------------------------------------

    @property
    def db(self) -> sqlite_utils.Database:
        """The archive's connection as sqlite-utils sees it (migrations use it).

        sqlite-utils is imported here, not with the module: about 30 ms, a tenth
        of the start of a command that polls unchanged feeds and migrates nothing.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def _check_version(self) -> int:
        version = self._schema_version()
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"archive {self.path} has schema version {version}; this aggregator "
                f"knows up to {SCHEMA_VERSION} (upgrade aggregator)"
            )
        return version

    def _migrate(self) -> None:
        fresh = self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
        if fresh:
            # Must precede WAL mode and the first table (see PAGE_SIZE).
            self.conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            # Also only before the first table: free pages can then be given back
            # (release_free_pages), for a pointer-map page per ~6,500 pages.
            self.conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            # Again: a cache size in KiB was turned into pages of the size at the time
            # (4 KiB), so a new archive's cache held PAGE_SIZE / 4 KiB times its share
            # (with 32 KiB pages 512 MiB, and a daemon that created its archive grew with
            # it to the archive's size).
            self.conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        try:
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            raise map_error(exc, self.path) from exc
        if str(mode).lower() != "wal":
            log.warning("archive %s: journal mode is %s, not WAL", self.path, mode)
        self.conn.execute("PRAGMA synchronous = NORMAL")
        version = self._check_version()
        if version == SCHEMA_VERSION:
            return
        db = self.db
        with self.transaction():
            # Re-read inside the write lock: another process may have migrated.
            version = self._check_version()
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](db)
                self.conn.execute(f"PRAGMA user_version = {target}")
                log.info("archive %s migrated to schema version %d", self.path, target)
