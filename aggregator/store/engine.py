"""Which engine holds an archive: SQLite for a path, PostgreSQL for a ``postgresql://`` URL.

:func:`open_archive` is how the rest of the code opens an archive. The
PostgreSQL engine (:mod:`aggregator.store.pg`) and its driver are imported
only when a URL asks for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from aggregator.defaults import is_database_url
from aggregator.store.archive import Archive

if TYPE_CHECKING:
    from aggregator.dedupe import neardup
    from aggregator.dedupe.events import EventParams

__all__ = ["is_database_url", "open_archive"]


def open_archive(
    where: Path | str,
    *,
    readonly: bool = False,
    dedupe: neardup.Params | None = None,
    events: EventParams | None = None,
) -> Archive:
    """Open the archive at a path (SQLite) or in a PostgreSQL database.

    Args:
        where: the SQLite file, or a ``postgresql://`` URL.
        readonly: open without writing anything (no migration).
        dedupe: near-duplicate settings (``[dedupe]``); ``None`` for the defaults.
        events: event grouping settings (``[events]``); ``None``: no grouping at ingest.

    Returns:
        The archive. A PostgreSQL archive is a
        :class:`~aggregator.store.pg.archive.PgArchive`, which has every method of
        :class:`Archive` (the same domain mixins) and the claims of several workers.

    Raises:
        ArchiveError: the archive cannot be opened (one line saying why).
    """
    if is_database_url(where):
        from aggregator.store.pg.archive import PgArchive

        return cast(Archive, PgArchive(str(where), readonly=readonly, dedupe=dedupe, events=events))
    return Archive(where, readonly=readonly, dedupe=dedupe, events=events)
