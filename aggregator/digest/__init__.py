"""Digests: choosing a window's stories, the output formats, scheduled jobs and mail.

``select`` builds a :class:`~aggregator.digest.select.Digest` from the archive
(through the store's methods), ``formats`` renders it (one module per format,
registered in ``formats.RENDERERS``), ``jobs`` runs the scheduled digests and
``mail`` delivers them. May import story, store and the foundation.
"""
