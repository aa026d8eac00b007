"""Archive maintenance: integrity checks, and merging the FTS5 index's segments."""

from __future__ import annotations

import sqlite3
import time

from aggregator.store import scripts_index, search_terms, stem_index
from aggregator.store.base import ArchiveBase, map_error

__all__ = ["MaintenanceMixin"]

_MERGE_PAGES = 2000  # FTS5 leaf pages merged per maintenance step


class MaintenanceMixin(ArchiveBase):
    """The archive's maintenance methods."""

    def _fts_tables(self) -> tuple[str, ...]:
        """The archive's FTS5 indexes (older schemas have fewer)."""
        tables: tuple[str, ...] = ("stories_fts",)
        if self._scripts_indexed() and scripts_index.exists(self.conn):
            tables += ("stories_cjk",)
        if self._stems_indexed() and stem_index.exists(self.conn):
            tables += ("stories_stem",)
        return tables

    def integrity_errors(self) -> list[str]:
        """Run SQLite's and FTS5's integrity checks.

        Returns:
            The problems found; empty when the archive is sound.
        """
        problems = [
            r[0] for r in self.conn.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"
        ]
        for table in self._fts_tables():
            try:
                self.conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
            except sqlite3.Error as exc:
                problems.append(f"{table}: {exc}")
        return problems

    def maintain(self, *, seconds: float | None = None) -> bool:
        """Keep search fast: merge the FTS5 index's segments, refresh the planner's statistics.

        Also recounts the index's common words (``search_terms``, about a
        second: :mod:`aggregator.store.search_terms`), which prefix searches use.

        Every write adds a small segment to the index, and FTS5 merges them only
        now and then; a search reads every segment. ``PRAGMA optimize`` refreshes
        what the query planner knows of the indexes. The pages the merges free
        are given back to the file system (:meth:`release_free_pages`). Run daily by the daemon
        (with a time budget) and by ``aggregator maintain``, so a search reads
        few segments. Each merge step is its own short transaction, so other
        writers wait at most one step.

        Args:
            seconds: stop merging after about this long (the rest is left for next
                time); ``None`` merges the whole index into one segment.

        Returns:
            Whether the index is now one segment.

        Raises:
            ArchiveError: the archive is read-only or busy.
        """
        deadline = None if seconds is None else time.monotonic() + seconds
        # The main index, then those of text in scripts without spaces (stories_cjk)
        # and of stemmed languages (stories_stem).
        done = True
        for table in self._fts_tables():
            while True:
                before = self.conn.total_changes
                with self.transaction() as conn:
                    # A negative 'merge' is an incremental 'optimize' (about so many pages a step).
                    conn.execute(
                        f"INSERT INTO {table}({table}, rank) VALUES ('merge', ?)",
                        (-_MERGE_PAGES,),
                    )
                done = self.conn.total_changes - before < 2  # FTS5's sign that nothing was left
                if done or (deadline is not None and time.monotonic() >= deadline):
                    break
            if not done:
                break
        if self._schema_version() >= 8:
            try:  # counted outside the write lock (temporary tables only), then swapped in
                terms = search_terms.common_terms(self.conn)
            except sqlite3.Error as exc:
                raise map_error(exc, self.path) from exc
            with self.transaction() as conn:
                search_terms.replace(conn, terms)
        # A merge frees the pages of the segments it replaced: the whole index's
        # worth after a full one, given back to the file system here.
        self.release_free_pages()
        try:
            self.conn.execute("PRAGMA optimize")
        except sqlite3.Error as exc:
            raise map_error(exc, self.path) from exc
        return done
