"""The application layer: configuration, the :class:`App` façade, the daemon.

``config`` reads the TOML file at the edge and builds each consumer's own
settings type; ``core`` wires the archive, the fetcher, the poller and the
question generators into one :class:`~aggregator.app.core.App` that the CLI
and the daemon use; ``daemon`` runs the scheduler. May import every other
subpackage except ``cli``.
"""
