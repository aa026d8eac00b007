"""The archive: every SQL statement of the project lives in this package.

``archive.Archive`` is the one type the rest of the code uses; the modules
beside it hold one domain each (schema and connection, feeds, stories, the
dedupe index, search, maintenance). May import dedupe, search.query, story
and the foundation. This ``__init__`` imports nothing, so the fast search path
can use ``store.search`` without sqlite-utils.
"""
