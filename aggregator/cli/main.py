"""The command line: a thin click layer over :mod:`aggregator.app.core`.

No logic of its own: each command parses its arguments, calls one library
function and renders the result (data on stdout, progress and logs on
stderr). Every :class:`~aggregator.errors.AggregatorError` becomes one
``Error: ...`` line on stderr and exit code 1, in :class:`_Group`.
Heavy modules (rich, httpx, feedparser) are imported inside the commands
that need them, so ``aggregator search`` starts fast.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from aggregator import defaults
from aggregator.cli.output import safe as _safe
from aggregator.errors import AggregatorError

if TYPE_CHECKING:
    from aggregator.app.config import Config
    from aggregator.app.core import App

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])


class _UsageError(click.ClickException):
    """A usage error as one ``Error: ...`` line like every other error, exit code 2."""

    exit_code = 2


def _one_line(exc: click.UsageError) -> _UsageError:
    message = exc.format_message()
    if exc.ctx is not None:
        message += f" (see '{exc.ctx.command_path} --help')"
    return _UsageError(message)


class _Group(click.Group):
    """A group that turns library errors into one clear line and exit code 1, and
    usage errors into one line too (exit code 2)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from exc
        except AggregatorError as exc:
            # Messages may quote a feed or a server (a URL, a title): hostile text.
            raise click.ClickException(_safe(exc.message)) from exc


class _SafeFormatter(logging.Formatter):
    """Log lines quote feeds and servers too: no terminal control characters in them."""

    def format(self, record: logging.LogRecord) -> str:
        return _safe(super().format(record))


class _ArchiveParam(click.ParamType):  # type: ignore[type-arg]
    """``--db``: a ``postgresql://`` URL as typed, else a file path (not a folder)."""

    name = "PATH|URL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Path) or defaults.is_database_url(value):
            return value
        return click.Path(path_type=Path, dir_okay=False).convert(value, param, ctx)


class _Env:
    """What the top-level options chose; the config is loaded on first use."""

    def __init__(self, config_path: Path | None, db: Path | str | None) -> None:
        self.config_path = config_path
        self.db = db
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from aggregator.app.config import load

            self._config = load(self.config_path)
        return self._config

    @property
    def db_path(self) -> Path | str:
        return self.db or self.config.archive.location


def _warn(message: str) -> None:
    click.echo(_safe(f"Warning: {message}"), err=True)


def pass_app(fn: F) -> F:
    """Build the :class:`App` for a command and close it when the command ends."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from aggregator.app.core import open_app

        ctx = click.get_current_context()
        env: _Env = ctx.find_object(_Env)  # type: ignore[assignment]
        app = open_app(env.config, db_path=env.db_path, warn=_warn)
        ctx.call_on_close(app.close)
        return fn(app, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


# JSON escapes C0 controls itself; C1 controls (U+009B is CSI) and bidi overrides can
# only occur inside JSON strings, where their \u escapes mean the same, and a
# terminal that shows the JSON is not driven by them.
_JSON_UNSAFE = (*range(0x7F, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in _JSON_UNSAFE}


class _DigestFormat(click.Choice):  # type: ignore[type-arg]
    """The digest formats, read from the renderer registry when click first needs them.

    Reading them at import time would load the configuration module (and the
    renderers) whenever the CLI starts, ``--help`` included.
    """

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from aggregator.app.config import DIGEST_FORMATS

        return DIGEST_FORMATS

    @choices.setter
    def choices(self, value: object) -> None:
        pass


def _json(data: Any) -> None:
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    click.echo(text.translate(_JSON_ESCAPES))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar=defaults.CONFIG_ENV,
    help=f"Config file (default: ${defaults.CONFIG_ENV}, else {defaults.CONFIG_PATH}).",
)
@click.option(
    "--db",
    type=_ArchiveParam(),
    envvar=defaults.DB_ENV,
    help="Archive file, or a postgresql:// URL"
    f" (default: [archive] url, else [archive] path, {defaults.ARCHIVE_PATH}).",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    default=None,
    help="Logging level on stderr (default: info for run, warning otherwise).",
)
@click.option("--log-file", type=click.Path(path_type=Path, dir_okay=False), help="Log here.")
@click.version_option(package_name="aggregator")
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: Path | None,
    db: Path | str | None,
    log_level: str | None,
    log_file: Path | None,
) -> None:
    """Poll news feeds, archive every story as article-plus-questions, search it."""
    if config_path is None:
        from aggregator.app.config import default_config_path

        config_path = default_config_path()
    ctx.obj = _Env(config_path, db)
    level = log_level or ("info" if ctx.invoked_subcommand == "run" else "warning")
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler()
    )
    handler.setFormatter(_SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    if level != "debug":
        # One line per feed poll is ours to write; the libraries' per-request lines are noise.
        for noisy in ("httpx", "httpcore", "apscheduler"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


@cli.command()
@click.option("--workers", type=click.IntRange(min=0), help="Parser processes (0 = per core).")
@click.option("--json", "as_json", is_flag=True, help="Print per-feed results as JSON.")
@pass_app
def fetch(app: App, workers: int | None, as_json: bool) -> None:
    """Poll every feed once now and archive what is new."""
    import gc

    from aggregator.cli.output import FetchProgress, fetch_summary, results_json

    # A one-shot process: what start-up built (modules, the config of every feed)
    # lives to the end, and full collections during the poll need not walk it
    # again and again (about 3% of the CPU of a poll where every feed answers 304).
    gc.freeze()
    poller_log = logging.getLogger("aggregator.poll.poller")
    level = poller_log.level
    if not poller_log.isEnabledFor(logging.INFO):
        # Failures are listed once, in the summary, not also as log lines across the bar.
        poller_log.setLevel(logging.ERROR)
    try:
        with FetchProgress(enabled=not as_json) as progress:
            results = app.poll(
                on_start=progress.start,
                on_result=progress.advance,
                on_fetch=progress.fetching,
                workers=workers,
            )
    finally:
        poller_log.setLevel(level)
    if as_json:
        _json(results_json(results))
    else:
        for line in fetch_summary(results):
            click.echo(_safe(line), err=line.startswith("  "))
    polled = [r for r in results if r.outcome != "skipped"]
    if polled and all(r.outcome == "error" for r in polled):
        raise click.ClickException(f"no feed could be fetched ({len(polled)} failed)")


@cli.command()
@pass_app
def run(app: App) -> None:
    """Run the daemon: poll feeds on schedule until SIGINT or SIGTERM."""
    from aggregator.app.daemon import Daemon

    env: _Env = click.get_current_context().find_object(_Env)  # type: ignore[assignment]
    Daemon(app, config_path=env.config_path).run()


def _search_options(fn: F) -> F:
    """Add the options of ``search`` from :data:`aggregator.cli.search.OPTIONS` (one table)."""
    return _options_of_search(fn, skip=())


def _latest_options(fn: F) -> F:
    """Add the options of ``search`` but ``--sort`` (``latest`` is by date) and ``--events``."""
    return _options_of_search(fn, skip=("sort", "events"))


def _options_of_search(fn: F, *, skip: tuple[str, ...]) -> F:
    """Add click options made from :data:`aggregator.cli.search.OPTIONS`, but those in ``skip``."""
    from aggregator.cli.search import OPTIONS

    for option in reversed([o for o in OPTIONS if o.dest not in skip]):
        if option.kind is bool:
            fn = click.option(*option.names, option.dest, is_flag=True, help=option.help)(fn)
            continue
        kind: Any = click.STRING
        if option.kind is int:
            kind = click.IntRange(min=option.minimum)
        elif isinstance(option.kind, tuple):
            kind = click.Choice(option.kind)
        fn = click.option(
            *option.names,
            option.dest,
            type=kind,
            default=option.default,
            show_default=option.default is not None,
            help=option.help,
        )(fn)
    return fn


class _SearchCommand(click.Command):
    """``search``, whose query may start with ``-`` (``-opinion`` excludes a word)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from aggregator.cli.search import query_first

        return super().parse_args(ctx, query_first(args))


@cli.command(cls=_SearchCommand)
@click.argument("query", required=False)
@_search_options
@click.pass_obj
def search(env: _Env, /, query: str | None, **options: Any) -> None:
    """Full-text search of the archive (words, "phrases", OR, -word, prefix*, title:word).

    Without a query: the newest stories that pass the filters (as ``latest``).
    """
    # A plain `aggregator search` runs cli.search.run without click, to start fast.
    from aggregator.cli.search import parse_times, run
    from aggregator.timeutil import utcnow

    try:
        parse_times(options["since"], options["until"], now=utcnow())
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    run(config=env.config_path, db=env.db, query=query, **options)


@cli.command()
@_latest_options
@click.pass_obj
def latest(env: _Env, /, **options: Any) -> None:
    """The newest stories, newest first, with the filters, paging and --json of search."""
    from aggregator.cli.search import parse_times, run
    from aggregator.timeutil import utcnow

    try:
        parse_times(options["since"], options["until"], now=utcnow())
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    run(config=env.config_path, db=env.db, query=None, **options)


@cli.command()
@click.argument("story_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_app
def show(app: App, story_id: int, fmt: str) -> None:
    """Show one story as an article-plus-questions document (or JSON)."""
    stored = app.show(story_id)
    if fmt == "json":
        from aggregator.cli.output import story_json

        _json(story_json(stored, app.render(stored)))
    else:
        click.echo(_safe(app.render(stored)))


@cli.command()
@click.option("--since", help="Published at or after: YYYY-MM-DD, an ISO time or a duration (24h).")
@click.option("--until", help="Published before: YYYY-MM-DD, an ISO time or a duration ago.")
@click.option("--date", "day", help="The period ending with this day (YYYY-MM-DD, UTC).")
@click.option(
    "--period",
    type=click.Choice(["daily", "weekly"]),
    default="daily",
    show_default=True,
    help="The window's length with --date, or when --since or --until is missing.",
)
@click.option("--category", multiple=True, help="Only this category (repeat for several).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many stories, best first.")
@click.option(
    "--format",
    "fmt",
    type=_DigestFormat(),
    default="text",
    show_default=True,
    help="text: article-plus-questions blocks; html: one self-contained page; atom: a feed.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file (default: stdout).",
)
@pass_app
def digest(
    app: App,
    since: str | None,
    until: str | None,
    day: str | None,
    period: str,
    category: tuple[str, ...],
    limit: int | None,
    fmt: str,
    output: Path | None,
) -> None:
    """A digest of a window: stories grouped by category, most covered first."""
    _check_output(output)
    try:
        text, warning = app.digest(
            fmt=fmt,
            since=since,
            until=until,
            day=day,
            period=period,
            categories=category,
            limit=limit,
            output=output,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if warning:
        _warn(warning)
    if output is None:
        # On a terminal, feed text must not drive it (control and bidi characters).
        click.echo(_safe(text) if sys.stdout.isatty() else text, nl=False)


def _check_output(output: Path | None) -> None:
    """Refuse an ``--output`` whose folder is missing (only the file is ever created)."""
    if output is not None and not output.resolve().parent.is_dir():
        raise click.ClickException(_safe(f"cannot write {output}: no folder {output.parent}"))


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@pass_app
def import_(app: App, paths: tuple[Path, ...]) -> None:
    """Archive article-plus-questions documents (files, or folders of *.txt)."""
    results = app.import_paths(paths)
    for r in results:
        if r.outcome == "error":
            click.echo(_safe(f"{r.path}: {r.error}"), err=True)
        else:
            click.echo(f"{r.story_id}\t{r.outcome}\t{r.path}")
    if any(r.outcome == "error" for r in results):
        raise click.ClickException(
            f"{sum(r.outcome == 'error' for r in results)} of {len(results)} files not imported"
        )


@cli.command()
@click.option("--regenerate", is_flag=True, help="Rewrite the stored questions.")
@click.option("--since", help="Only stories published since: YYYY-MM-DD or a duration (7d).")
@click.option(
    "--generator",
    type=click.Choice(["offline", "llm"]),
    help="The generator to use (default: [questions] generator).",
)
@click.option("--imported", is_flag=True, help="Also rewrite imported documents' questions.")
@click.option(
    "--explain",
    "explain_id",
    type=int,
    metavar="ID",
    help="Show what the offline generator reads in one story (language, kind, subject, facts).",
)
@pass_app
def questions(
    app: App,
    regenerate: bool,
    since: str | None,
    generator: str | None,
    imported: bool,
    explain_id: int | None,
) -> None:
    """Regenerate the discussion questions of archived stories (progress on stderr)."""
    from aggregator.timeutil import parse_when, utcnow

    if explain_id is not None:
        if regenerate:
            raise click.UsageError("--explain and --regenerate do not go together")
        seen = app.explain_questions(explain_id)
        for label, value in seen.facts:
            click.echo(_safe(f"{label + ':':<10} {value}"))
        click.echo(_safe(f"stored questions ({seen.generator or 'unknown'}):"))
        for question in seen.stored:
            click.echo(_safe(f"  {question}"))
        click.echo("offline questions now:")
        for question in seen.offline:
            click.echo(_safe(f"  {question}"))
        return
    if not regenerate:
        raise click.UsageError("nothing to do: pass --regenerate or --explain ID")
    try:
        lo = parse_when(since, now=utcnow()) if since else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from exc

    def progress(done: int, total: int) -> None:
        click.echo(f"questions: {done}/{total} stories", err=True)

    result = app.regenerate_questions(
        generator=generator, since=lo, include_imported=imported, on_progress=progress
    )
    used = ", ".join(f"{n} by {name}" for name, n in sorted(result.by_generator.items()))
    click.echo(f"Regenerated the questions of {result.total} stories ({used or 'none'})")
    if result.fallbacks and result.fallbacks == result.total:
        raise click.ClickException(
            _safe(f"the LLM endpoint gave no questions ({result.llm_error}); offline ones kept")
        )
    if result.fallbacks:
        _warn(f"{result.fallbacks} stories got offline questions: {result.llm_error}")


@cli.group(cls=_Group)
def feeds() -> None:
    """List, add and remove feeds."""


@feeds.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def feeds_list(app: App, as_json: bool) -> None:
    """List feeds with their health at a glance."""
    from aggregator.cli.output import feeds_json, feeds_table

    if as_json:
        _json(feeds_json(app.list_feeds()))
    else:
        feeds_table(app.list_feeds())


@feeds.command(name="add")
@click.argument("url")
@click.option("--category", default="general", show_default=True, help="Category of its stories.")
@click.option("--title", default="", help="A display title.")
@click.option(
    "--no-check", is_flag=True, help="Add the URL as it is, without fetching it (offline)."
)
@pass_app
def feeds_add(app: App, url: str, category: str, title: str, no_check: bool) -> None:
    """Add a feed by URL, or by a site's page URL (its advertised feed is found)."""
    feed = app.add_feed(url, category=category, title=title, discover=not no_check)
    click.echo(_safe(f"Added {feed.url} ({feed.category})"))


@feeds.command(name="import")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@pass_app
def feeds_import(app: App, path: Path) -> None:
    """Add the feeds of an OPML file (nested outlines become categories)."""
    results, skipped = app.import_opml(path)
    for url, outcome in results:
        click.echo(_safe(f"{outcome}\t{url}"))
    for message in skipped:
        click.echo(_safe(f"skipped: {message}"), err=True)
    added = sum(o == "added" for _, o in results)
    click.echo(f"{added} added, {len(results) - added} already there", err=True)


@feeds.command(name="export")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write here.")
@pass_app
def feeds_export(app: App, output: Path | None) -> None:
    """Write every feed as OPML 2.0 (stdout, or --output FILE)."""
    _check_output(output)
    text = app.export_opml(output=output)
    if output is None:
        click.echo(text, nl=False)


@cli.command(name="export")
@click.argument("output")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "documents"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines (a file, - for stdout) or one document per story (a folder).",
)
@click.option("--since", help="Published at or after: YYYY-MM-DD, an ISO time or a duration (7d).")
@click.option("--until", help="Published before: YYYY-MM-DD, an ISO time or a duration ago.")
@click.option("--category", "categories", multiple=True, help="Only this category (repeatable).")
@pass_app
def export_(
    app: App, output: str, fmt: str, since: str | None, until: str | None, categories: tuple[str]
) -> None:
    """Write stories as JSON Lines or documents that 'aggregator import' reads back."""
    from aggregator.timeutil import parse_when, utcnow

    bounds = []
    for name, value in (("--since", since), ("--until", until)):
        try:
            bounds.append(parse_when(value, now=utcnow()) if value else None)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=name) from exc
    result = app.export(
        fmt=fmt, output=output, since=bounds[0], until=bounds[1], categories=categories
    )
    where = "stdout" if output == "-" else output
    click.echo(f"Exported {result.stories} stories to {_safe(where)}", err=True)


@cli.command()
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def prune(app: App, dry_run: bool, as_json: bool) -> None:
    """Delete the stories no feed keeps any more ([archive] keep, per-feed keep/keep_last)."""
    from dataclasses import asdict

    report = app.prune(dry_run=dry_run)
    if as_json:
        _json(asdict(report))
        return
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb} {report.stories} stories ({report.sources} sources); "
        f"{report.kept_by_other_feeds} stories past a feed's limit kept by another feed"
    )


@cli.group()
def filters() -> None:
    """Try the [[filters]] rules of the config."""


@filters.command(name="test")
@click.argument("url")
@click.option("--all", "show_all", is_flag=True, help="List the kept items too.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def filters_test(app: App, url: str, show_all: bool, as_json: bool) -> None:
    """Fetch a feed and show which of its items the rules would drop (writes nothing)."""
    from dataclasses import asdict

    from aggregator.app.filtertest import try_filters

    report = try_filters(app, url)
    if as_json:
        _json({**asdict(report), "dropped": report.dropped})
        return
    for item in report.items:
        if show_all or not item.keep:
            verdict = "keep" if item.keep else "drop"
            reason = f"  [{item.reason}]" if item.reason else ""
            click.echo(_safe(f"{verdict}\t{item.title}{reason}"))
    click.echo(
        f"{report.dropped} of {len(report.items)} items would be dropped"
        f" ({report.rules} rules in the config)",
        err=True,
    )


@feeds.command(name="remove")
@click.argument("url", metavar="URL|ID")
@pass_app
def feeds_remove(app: App, url: str) -> None:
    """Remove a feed (its stories stay in the archive)."""
    feed = app.remove_feed(url)
    click.echo(_safe(f"Removed {feed.url}"))


@feeds.command(name="pause")
@click.argument("ref", metavar="URL|ID")
@pass_app
def feeds_pause(app: App, ref: str) -> None:
    """Stop polling a feed until `feeds resume` (its stories stay)."""
    feed = app.pause_feed(ref, paused=True)
    click.echo(_safe(f"Paused {feed.id} {feed.url}"))


@feeds.command(name="resume")
@click.argument("ref", metavar="URL|ID")
@pass_app
def feeds_resume(app: App, ref: str) -> None:
    """Poll a paused (or disabled) feed again, from the next fetch."""
    feed = app.pause_feed(ref, paused=False)
    click.echo(_safe(f"Resumed {feed.id} {feed.url}"))


@feeds.command(name="edit")
@click.argument("ref", metavar="URL|ID")
@click.option("--category", help="Category of its stories.")
@click.option("--title", help='A display title ("" for the feed\'s own).')
@click.option("--interval", help="Its own poll interval (30m, 2h; 0 for the default).")
@pass_app
def feeds_edit(
    app: App, ref: str, category: str | None, title: str | None, interval: str | None
) -> None:
    """Change a hand-added feed's category, title or poll interval."""
    from aggregator.timeutil import parse_duration

    if category is None and title is None and interval is None:
        raise click.UsageError("nothing to change: give --category, --title or --interval")
    every = None
    if interval is not None:
        try:
            every = parse_duration(interval)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--interval") from exc
    feed = app.edit_feed(ref, category=category, title=title, interval=every)
    click.echo(_safe(f"Edited {feed.id} {feed.url} ({feed.category})"))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def status(app: App, as_json: bool) -> None:
    """Show each feed's last fetch, next fetch and why, errors and story counts."""
    from aggregator.cli.output import status_table

    data = app.status()
    if as_json:
        _json(data)
    else:
        status_table(data)


@cli.command()
@click.option(
    "--seconds",
    type=click.FloatRange(min=0),
    help="Stop merging after about this long (default: merge the whole index).",
)
@pass_app
def maintain(app: App, seconds: float | None) -> None:
    """Merge the search index and refresh the query planner's statistics (the daemon: daily)."""
    import time

    start = time.monotonic()
    done = app.maintain(seconds=seconds)
    state = "merged into one segment" if done else "partly merged (run again to finish)"
    click.echo(f"Search index {state}; statistics refreshed ({time.monotonic() - start:.1f}s)")


@cli.command()
@click.option(
    "--to",
    "target",
    required=True,
    type=_ArchiveParam(),
    help="The archive to copy into: a postgresql:// URL, or an SQLite file.",
)
@pass_app
def migrate(app: App, target: Path | str) -> None:
    """Copy the archive to PostgreSQL (or back to an SQLite file); run again to resume."""
    from aggregator.cli.output import CopyProgress

    with CopyProgress() as progress:
        report = app.migrate(target, progress=progress.table)
    copied = sum(report.copied.values())
    counts = ", ".join(f"{n} {table}" for table, n in report.counts.items())
    click.echo(_safe(f"Copied {copied} rows to {target}; verified: {counts}"))


@cli.command()
@click.option("--rebuild", is_flag=True, help="Recompute fingerprints, keys and merges for all.")
@click.option("--explain", nargs=2, type=int, metavar="ID1 ID2", help="Why two stories are one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def dedupe(app: App, rebuild: bool, explain: tuple[int, int] | None, as_json: bool) -> None:
    """Rebuild the duplicate index after changing [dedupe], or explain a decision."""
    from aggregator.cli import dedupe_view

    if rebuild == bool(explain):
        raise click.UsageError("give one of --rebuild or --explain ID1 ID2")
    if explain:
        e = app.dedupe_explain(*explain)
        lines = dedupe_view.explanation_lines(e)
        _json(dedupe_view.explanation_json(e)) if as_json else click.echo(_safe("\n".join(lines)))
        return
    with dedupe_view.RebuildProgress(enabled=not as_json) as progress:
        report = app.dedupe_rebuild(on_progress=progress.update)
    _json(dedupe_view.rebuild_json(report)) if as_json else click.echo(
        dedupe_view.rebuild_summary(report)
    )


@cli.command()
@click.option("--rebuild", is_flag=True, help="Regroup every story into events.")
@click.option(
    "--explain", nargs=2, type=int, metavar="ID1 ID2", help="Why two stories are one event."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def events(app: App, rebuild: bool, explain: tuple[int, int] | None, as_json: bool) -> None:
    """Group the articles that report the same happening across outlets, or explain a decision."""
    if rebuild == bool(explain):
        raise click.UsageError("give one of --rebuild or --explain ID1 ID2")
    if explain:
        from aggregator.cli import events_view

        e = app.events_explain(*explain)
        _json(e) if as_json else click.echo(_safe("\n".join(events_view.explain_lines(e))))
        return
    show = not as_json and sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            click.echo(f"\rgrouping {done}/{total}", nl=False, err=True)

    stories, formed = app.events_rebuild(on_progress=progress)
    if show:
        click.echo("", err=True)
    if as_json:
        _json({"stories": stories, "events": formed})
    else:
        click.echo(f"Grouped {stories} stories: {formed} events of two or more stories")


def main() -> None:
    """Run the click CLI (the console script is :func:`aggregator._entry.main`)."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli(prog_name="aggregator")
