"""The command line: click commands, terminal and JSON output, the fast search path.

Presentation only: commands parse their arguments, call one
:class:`~aggregator.app.core.App` method, and render the result. Nothing here
runs SQL. May import app, story, search, the foundation and, for the fast
search path only, ``store.search``; never the services (poll, digest) or the
rest of the store. ``cli.search`` is the click-free start-up path for ``aggregator
search`` and must stay light (no click, rich, httpx or sqlite-utils), so this
package's ``__init__`` imports nothing.
"""
