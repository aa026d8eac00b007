"""The command line: click commands, terminal and JSON output, the fast search path.

Presentation only: commands parse their arguments, call one library or
:class:`~aggregator.app.core.App` method, and render the result. Nothing here
runs SQL. ``cli.search`` is the click-free start-up path for ``aggregator
search`` and must stay light (no click, rich, httpx or sqlite-utils), so this
package's ``__init__`` imports nothing.
"""
