"""The archive: one SQLite file, schema and migrations, every write and read.

:class:`Archive` is the one type the rest of the code uses. It composes the
domain modules of this package over one connection: :mod:`~aggregator.store.base`
(connection, errors, transactions, migrations), :mod:`~aggregator.store.feeds`,
:mod:`~aggregator.store.stories` (with the near-duplicate index in
:mod:`~aggregator.store.bands`), :mod:`~aggregator.store.related` and
:mod:`~aggregator.store.maintenance`. Schema and FTS5 index are created through
sqlite-utils (so ``sqlite-utils search`` and Datasette recognise the index);
the hot write path uses prepared statements on the same connection.

Invariants:

- WAL mode, ``busy_timeout``, foreign keys on. One writer (the daemon or a CLI
  ``fetch``) and any number of readers at the same time.
- Every write that belongs together is one transaction: all of one feed's
  poll (its stories, sources, FTS rows and the feed's state) or none of it.
- The FTS5 index ``stories_fts`` (title, body, questions) is external-content
  over ``stories`` and kept in sync by triggers inside those transactions.
- Timestamps are UTC text (:mod:`aggregator.timeutil`).

An :class:`Archive` is used from the thread that opened it.
"""

from __future__ import annotations

import logging

from aggregator.store import bands
from aggregator.store.base import MAX_PAGE_COUNT_ENV, SCHEMA_VERSION, connect
from aggregator.store.feeds import FeedsMixin, FeedUpdate
from aggregator.store.maintenance import MaintenanceMixin
from aggregator.store.related import RelatedMixin
from aggregator.store.stories import StoreCounts, StoriesMixin

__all__ = [
    "MAX_PAGE_COUNT_ENV",
    "SCHEMA_VERSION",
    "Archive",
    "FeedUpdate",
    "StoreCounts",
    "connect",
]

log = logging.getLogger(__name__)


class Archive(FeedsMixin, StoriesMixin, RelatedMixin, MaintenanceMixin):
    """The archive file: schema, writes and reads.

    Use as a context manager, or call :meth:`close`. Not thread-safe: use it
    from one thread at a time.
    """

    def _opened(self) -> None:
        """Warn when the near-duplicate index was built with other settings."""
        warning = bands.check_index(self.conn, params=self.dedupe)
        if warning:
            log.warning("archive %s: %s", self.path, warning)
