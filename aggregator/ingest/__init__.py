"""From bytes on the wire to normalized stories: fetch, parse, normalize, clean, categorize.

``fetch`` is the only module that talks HTTP, ``parse`` the only one that
imports feedparser; ``normalize``, ``cleanup`` and ``categories`` are pure;
``worker`` is what the parser processes run; ``fulltext`` extracts article
pages. May import dedupe, questions, story and the foundation; never store.
"""
