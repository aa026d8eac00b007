"""Digests: choosing a window's stories, the output formats, scheduled jobs and mail.

``select`` builds a :class:`~aggregator.digest.select.Digest` from the archive
(through the store's methods), ``formats`` renders it (one module per format,
registered in ``formats.RENDERERS``), ``jobs`` runs the scheduled digests and
``mail`` delivers them; ``cron`` reads cron expressions. The settings types
(``jobs.DigestJob``, ``mail.EmailSettings``) live here and the config loader
builds them. A service layer: may import store, the pure domain packages
(story, dedupe, search, questions, ingest) and the foundation, never app or
cli. ``formats`` is presentation: it renders what it is given and never
imports the application or the store.
"""
