"""The ``search`` command: its options (one table for both parsers), its run and its output.

``aggregator search`` is run many times a day, so the whole process must
start about as fast as a bare ``python -c`` running the same FTS5 query.
The console script (:mod:`aggregator._entry`) therefore hands a
plain search invocation to :func:`parse` and :func:`main` here, which import
neither click nor rich, nor the config module with its validators: only this
module, :mod:`aggregator.store.search`, :mod:`aggregator.defaults` (the
default paths and environment variables) and the standard library. Anything else
(``--help``, another command, a value that does not parse) goes to the click
CLI, whose ``search`` command is built from the same :data:`OPTIONS` and runs
the same :func:`run`, so the two paths cannot drift apart and click stays the
one place that words usage errors.

Search reads only ``[archive] path`` from the config file: it needs nothing
else, and reading the file is all the cost it should pay for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from aggregator import defaults
from aggregator.cli.terminal import json_safe, safe
from aggregator.errors import AggregatorError, ConfigError

# No pathlib, typing or dataclasses at run time here: each costs start-up time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, TypeAlias

    from aggregator.store.search import SearchResults

    StrPath: TypeAlias = "str | os.PathLike[str]"

__all__ = [
    "OPTIONS",
    "Invocation",
    "Option",
    "archive_path",
    "main",
    "parse",
    "parse_times",
    "run",
    "search_lines",
]


class Option:
    """One option of ``search``, described once for both parsers.

    Attributes:
        names: its spellings, e.g. ``("--feed", "--source")``.
        dest: the keyword argument of :func:`run` it fills.
        kind: ``int``, ``str``, ``bool`` (a flag) or a tuple of allowed strings.
        default: its value when not given.
        minimum: the smallest value allowed (ints).
        help: the help text.
    """

    __slots__ = ("default", "dest", "help", "kind", "minimum", "names")

    def __init__(
        self,
        names: tuple[str, ...],
        dest: str,
        kind: type[int] | type[str] | type[bool] | tuple[str, ...],
        default: object,
        help: str,
        *,
        minimum: int | None = None,
    ) -> None:
        self.names = names
        self.dest = dest
        self.kind = kind
        self.default = default
        self.help = help
        self.minimum = minimum

    def convert(self, text: str) -> object:
        """Turn the text given on the command line into the option's value.

        Args:
            text: what followed the option.

        Returns:
            The value.

        Raises:
            ValueError: it is not a valid value (click words the error).
        """
        if self.kind is int:
            value = int(text)
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"{value} is smaller than {self.minimum}")
            return value
        if isinstance(self.kind, tuple) and text not in self.kind:
            raise ValueError(f"{text!r} is not one of {', '.join(self.kind)}")
        return text


OPTIONS: tuple[Option, ...] = (
    Option(("--limit",), "limit", int, 20, "Stories per page.", minimum=1),
    Option(("--page",), "page", int, 1, "Page to show (1 is the first).", minimum=1),
    Option(
        ("--since",),
        "since",
        str,
        None,
        "Published at or after: YYYY-MM-DD or a duration (24h, 7d).",
    ),
    Option(("--until",), "until", str, None, "Published before: YYYY-MM-DD or a duration ago."),
    Option(("--category",), "category", str, None, "Only this category."),
    Option(
        ("--feed", "--source"), "feed", str, None, "Only stories from this feed (URL, id or title)."
    ),
    Option(
        ("--sort",),
        "sort",
        ("relevance", "date"),
        "relevance",
        "Best first (mildly preferring recent stories), or newest first.",
    ),
    Option(
        ("--events",),
        "events",
        bool,
        False,
        "One hit per event: the best match among the articles that report one happening.",
    ),
    Option(("--json",), "as_json", bool, False, "Print a JSON array."),
)
"""The options of ``aggregator search``; :mod:`aggregator.cli.main` makes click options of them."""

_BY_NAME = {name: option for option in OPTIONS for name in option.names}
_GLOBAL = {"--config": "config", "--db": "db"}


class Invocation:
    """A parsed ``aggregator [--config FILE] [--db FILE] search QUERY [options]``.

    Attributes:
        config: ``--config``, else ``None``.
        db: ``--db``, else ``None``.
        query: the query; ``None`` when none was given (the newest stories).
        options: :data:`OPTIONS` values by ``dest`` (defaults filled in).
    """

    __slots__ = ("config", "db", "options", "query")

    def __init__(
        self, config: str | None, db: str | None, query: str | None, options: dict[str, object]
    ) -> None:
        self.config = config
        self.db = db
        self.query = query
        self.options = options


def parse(argv: Sequence[str]) -> Invocation | None:
    """Parse a plain search invocation without click.

    Args:
        argv: the arguments after the program name.

    Returns:
        The invocation; ``None`` for anything else (another command, help,
        an unknown option, a value that does not parse, a second query), which
        click then handles, errors and help included.
    """
    globals_: dict[str, str] = {}
    i = 0
    while i < len(argv) and argv[i] != "search":
        name, eq, value = argv[i].partition("=")
        if name not in _GLOBAL:
            return None
        if not eq:
            i += 1
            if i == len(argv):
                return None
            value = argv[i]
        if not value:
            return None
        globals_[_GLOBAL[name]] = value
        i += 1
    if i == len(argv):
        return None
    values: dict[str, object] = {o.dest: o.default for o in OPTIONS}
    query: str | None = None
    rest = list(argv[i + 1 :])
    options_done = False
    while rest:
        arg = rest.pop(0)
        if options_done or arg == "-" or not arg.startswith("-"):
            if query is not None:
                return None
            query = arg
            continue
        if arg == "--":
            options_done = True
            continue
        name, eq, text = arg.partition("=")
        option = _BY_NAME.get(name)
        if option is None:
            if query is None and is_negated_word(arg):
                query = arg  # `search -opinion`: a query that excludes a word
                continue
            return None  # -h, --help, typos: click answers
        if option.kind is bool:
            if eq:
                return None
            values[option.dest] = True
            continue
        if not eq:
            if not rest:
                return None
            text = rest.pop(0)
        try:
            values[option.dest] = option.convert(text)
        except ValueError:
            return None
    try:
        parse_times(values.get("since"), values.get("until"), now=datetime.now(UTC))
    except ValueError:
        return None
    return Invocation(globals_.get("config"), globals_.get("db"), query, values)


def is_negated_word(arg: str) -> bool:
    """Whether a command-line argument is a query starting with ``-word`` (not an option).

    Options of ``search`` are long (``--limit``); ``-h`` is help. Any other argument
    that starts with one ``-`` and a character other than ``-`` is the query.

    Args:
        arg: the argument.

    Returns:
        True for a query such as ``-opinion`` or ``-opinion rust``.
    """
    return len(arg) > 1 and arg[0] == "-" and arg[1] != "-" and arg != "-h"


def query_first(argv: Sequence[str]) -> list[str]:
    """Reorder ``search``'s arguments so that a query starting with ``-`` reaches click
    as the query rather than as an unknown option: it is moved after ``--``.

    Args:
        argv: the arguments after ``search``.

    Returns:
        The arguments for click.
    """
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return args
        option = _BY_NAME.get(arg.partition("=")[0])
        if option is not None:
            i += 1 if option.kind is bool or "=" in arg else 2
            continue
        if is_negated_word(arg):
            return [*args[:i], *args[i + 1 :], "--", arg]
        if not arg.startswith("-"):
            return args  # the query came first: the rest are options
        i += 1
    return args


def parse_times(
    since: object, until: object, *, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """``--since`` and ``--until`` as UTC datetimes (``ValueError`` if one does not parse)."""
    from aggregator.timeutil import parse_when

    lo = parse_when(since, now=now) if isinstance(since, str) and since else None
    hi = parse_when(until, now=now) if isinstance(until, str) and until else None
    return lo, hi


def archive_path(config: StrPath | None, db: StrPath | None) -> StrPath:
    """The archive a search reads: ``--db``, else the config's ``[archive] url``, else its ``path``.

    Args:
        config: the config file (``--config`` or ``AGGREGATOR_CONFIG``), or
            ``None`` for ``config/aggregator.toml`` if it exists.
        db: ``--db`` or ``AGGREGATOR_DB``, if given.

    Returns:
        The archive's path.

    Raises:
        ConfigError: the config file cannot be read, is not TOML, or its
            ``[archive] path`` is not a string.
    """
    if db is not None:
        return db
    if config is None:
        if not os.path.isfile(defaults.CONFIG_PATH):
            return defaults.ARCHIVE_PATH
        config = defaults.CONFIG_PATH
    from aggregator.tomlfile import read_toml

    name = os.fspath(config)
    data = read_toml(name)
    archive = data.get("archive", {})
    if not isinstance(archive, dict):
        raise ConfigError("must be a table", path=name, key="archive")
    url = archive.get("url")
    if url is not None:
        if not defaults.is_database_url(url):
            raise ConfigError(f"{url!r} is not a postgresql:// URL", path=name, key="archive.url")
        return str(url)
    path = archive.get("path", defaults.ARCHIVE_PATH)
    if not isinstance(path, str):
        raise ConfigError(f"expected a string, got {path!r}", path=name, key="archive.path")
    return path


def run(
    *,
    config: StrPath | None,
    db: StrPath | None,
    query: str | None,
    limit: int = 20,
    page: int = 1,
    since: str | None = None,
    until: str | None = None,
    category: str | None = None,
    feed: str | None = None,
    sort: str = "relevance",
    events: bool = False,
    as_json: bool = False,
    out: IO[str] | None = None,
    color: bool | None = None,
) -> None:
    """Search the archive and print a page of results (both CLI paths end here).

    Args:
        config: the config file, or ``None`` (see :func:`archive_path`).
        db: the archive, overriding the config.
        query: the query; ``None`` lists the newest stories that pass the
            filters instead (``aggregator latest``; ``sort`` is then ignored).
        limit, page, since, until, category, feed, sort, events: see :data:`OPTIONS`
            (``events`` applies to a query).
        as_json: print a JSON array of hits instead of the readable list.
        out: where to print (default: stdout).
        color: highlight with ANSI styles (default: when ``out`` is a terminal).

    Raises:
        ValueError: ``since`` or ``until`` is not a date or a duration.
        AggregatorError: the search failed (one line for the user).
    """
    from aggregator.store.search import latest, search

    out = out or sys.stdout
    lo, hi = parse_times(since, until, now=datetime.now(UTC))
    path = archive_path(config, db)
    offset = (page - 1) * limit
    filters = {"since": lo, "until": hi, "category": category, "feed": feed}
    if query is None:
        results = latest(path, limit=limit, offset=offset, **filters)  # type: ignore[arg-type]
    else:
        results = search(
            path,
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            events=events,
            **filters,  # type: ignore[arg-type]
        )
    if as_json:
        import json

        text = json.dumps([h.as_dict() for h in results.hits], indent=2, ensure_ascii=False)
        out.write(json_safe(text))
        out.write("\n")
        return
    if color is None:
        color = out.isatty()
    out.writelines(
        line + "\n" for line in search_lines(results, color=color, page=page, limit=limit)
    )


def search_lines(
    results: SearchResults, *, color: bool, page: int = 1, limit: int = 20
) -> Iterator[str]:
    """A readable list of search hits, with highlights (ANSI when ``color``, else ``[...]``).

    Feed text passes through :func:`aggregator.cli.terminal.safe`: no escape
    sequence from a feed reaches the terminal.

    Args:
        results: the search results.
        color: style for a terminal.
        page: the page shown.
        limit: hits per page.

    Yields:
        Lines for stdout.
    """
    first = (page - 1) * limit + 1
    shown = len(results.hits)
    total = f"{results.total:,}" + ("" if results.exact_total else "+")
    if not shown:
        yield f"No stories match ({total} in all)." if results.total else "No stories match."
        return
    noun = "story matches" if total == "1" else "stories match"
    yield f"{total} {noun}; showing {first}-{first + shown - 1}"
    on, off = ("\x1b[1;33m", "\x1b[0m") if color else ("[", "]")
    for hit in results.hits:
        title = safe(hit.title)
        yield ""
        yield f"[{hit.id}] " + (f"\x1b[1m{title}\x1b[0m" if color else title)
        sources = ", ".join(safe(s) for s in hit.sources) or "-"
        yield f"    {hit.published[:10]} · {safe(hit.category)} · {sources}"
        if hit.event_stories > 1:
            more = hit.event_stories - 1
            yield f"    + {more} more article{'s' if more > 1 else ''} on this event"
        snippet, parts, last = hit.snippet, [], 0
        for start, end in hit.highlights:
            parts += [safe(snippet[last:start]), on, safe(snippet[start:end]), off]
            last = end
        parts.append(safe(snippet[last:]))
        yield "    " + "".join(parts)


def main(inv: Invocation) -> int:
    """Run a parsed invocation the way the click CLI would, without click.

    Args:
        inv: from :func:`parse`.

    Returns:
        The exit code: 0, or 1 after one ``Error: ...`` line on stderr.
    """
    env_config = os.environ.get(defaults.CONFIG_ENV) or None
    env_db = os.environ.get(defaults.DB_ENV) or None
    config = inv.config or env_config
    db = inv.db or env_db
    try:
        run(config=config, db=db, query=inv.query, **inv.options)  # type: ignore[arg-type]
        sys.stdout.flush()
    except AggregatorError as exc:
        sys.stderr.write(f"Error: {exc.message}\n")
        return 1
    except BrokenPipeError:
        # The reader went away (| head): quietly, like any Unix tool.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0
