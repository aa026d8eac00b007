"""The archive on PostgreSQL: the same :class:`~aggregator.store.archive.Archive`, another engine.

A ``postgresql://`` URL (``[archive] url``, ``--db`` or ``AGGREGATOR_DB``)
selects this engine; a path selects SQLite as before. The domain modules of
``store/`` (feeds, stories, bands, links, dedupe, retention, events) run
unchanged over a connection that speaks their SQLite dialect
(:mod:`~aggregator.store.pg.dialect`); what really differs between the engines
has its own module here:

- :mod:`~aggregator.store.pg.connection`: the driver (psycopg 3, imported only
  when a PostgreSQL archive is opened), its connection pool, and one-line
  errors for a refused connection, a wrong password, a missing database or a
  server too old;
- :mod:`~aggregator.store.pg.dialect`: the statement translation and the
  connection wrapper the domain modules write through;
- :mod:`~aggregator.store.pg.schema`: the tables and their migrations,
  versioned like SQLite's;
- :mod:`~aggregator.store.pg.archive`: :class:`PgArchive`, the archive's
  lifecycle, transactions, locks, maintenance, and the feed claims that let
  several workers share one archive;
- :mod:`~aggregator.store.pg.search`: the search language compiled to
  ``tsquery`` over a weighted, GIN-indexed ``tsvector``.

See docs/design.md, "PostgreSQL".
"""
