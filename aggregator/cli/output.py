"""Terminal and JSON rendering for the CLI: progress, tables, summaries.

Only the CLI imports this module (it imports rich). Data goes to stdout,
progress to stderr. Feed text is hostile: everything shown passes through
:func:`safe`, which removes terminal control sequences.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from aggregator.cli.terminal import safe
from aggregator.timeutil import to_db

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from aggregator.models import FeedState, StoredStory
    from aggregator.poll.poller import FeedResult

__all__ = [
    "FetchProgress",
    "StderrProgress",
    "feeds_json",
    "feeds_table",
    "fetch_summary",
    "results_json",
    "safe",
    "status_table",
    "story_json",
]


def _console() -> Any:
    from rich.console import Console

    # Piped output is not cut to 80 columns.
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def _when(value: datetime | str | None) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        return value.replace("T", " ").replace("Z", "")[:16]
    return value.strftime("%Y-%m-%d %H:%M")


class StderrProgress:
    """A progress bar on stderr (silent when stderr is not a terminal); a context manager."""

    description = "Working"

    def __init__(self, *, enabled: bool = True) -> None:
        """Prepare the bar.

        Args:
            enabled: False to show nothing.
        """
        self.enabled = enabled and sys.stderr.isatty()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._progress = Progress(console=Console(stderr=True), transient=True)
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start(self, total: int) -> None:
        """Begin: ``total`` items are about to be processed."""
        if self._progress is not None and self._task is None:
            self._task = self._progress.add_task(self.description, total=total)

    def update(self, done: int, total: int) -> None:
        """``done`` of ``total`` items are processed."""
        self.start(total)
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done)


class CopyProgress(StderrProgress):
    """One progress bar per table on stderr for ``migrate`` (silent when not a terminal)."""

    def __init__(self, *, enabled: bool = True) -> None:
        super().__init__(enabled=enabled)
        self._tasks: dict[str, TaskID] = {}

    def table(self, table: str, done: int, total: int) -> None:
        """``done`` of ``total`` rows of ``table`` are copied."""
        if self._progress is None:
            return
        if table not in self._tasks:
            self._tasks[table] = self._progress.add_task(f"Copying {table}", total=total)
        self._progress.update(self._tasks[table], completed=done)


class FetchProgress(StderrProgress):
    """The progress of ``fetch``: one step per feed, naming the feeds in flight."""

    description = "Polling feeds"

    def __init__(self, *, enabled: bool = True) -> None:
        super().__init__(enabled=enabled)
        self._inflight: dict[int, str] = {}

    def fetching(self, feed: FeedState) -> None:
        """A feed's request has begun."""
        self._inflight[feed.id] = feed.title or feed.url
        self._describe()

    def advance(self, result: FeedResult) -> None:
        """One feed is done."""
        self._inflight.pop(result.feed.id, None)
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1)
        self._describe()

    def _describe(self) -> None:
        if self._progress is None or self._task is None:
            return
        from rich.markup import escape

        names = list(self._inflight.values())
        text = safe(names[0])[:40] if names else "Polling feeds"
        if len(names) > 1:
            text += f" (+{len(names) - 1} in flight)"
        self._progress.update(self._task, description=escape(text))


def fetch_summary(results: Sequence[FeedResult]) -> Iterator[str]:
    """Lines summarising a poll: one line of totals, then one indented line per failed feed.

    Args:
        results: the poll's results.

    Yields:
        The lines (indented ones are for stderr).
    """
    ok = sum(r.outcome == "new" for r in results)
    nm = sum(r.outcome == "not_modified" for r in results)
    failed = [r for r in results if r.outcome == "error"]
    new = sum(r.counts.new for r in results)
    updated = sum(r.counts.updated for r in results)
    dup = sum(r.counts.duplicate for r in results)
    filtered = sum(r.filtered for r in results)
    yield (
        f"Polled {len(results)} feeds: {ok} ok, {nm} not modified, {len(failed)} failed; "
        f"stories: {new} new, {updated} updated, {dup} duplicate"
        + (f", {filtered} dropped by filters" if filtered else "")
    )
    for r in failed:
        yield f"  {r.feed.url}: {r.error}"


def results_json(results: Sequence[FeedResult]) -> list[dict[str, Any]]:
    """Per-feed poll results as JSON-ready dicts.

    Args:
        results: the poll's results.

    Returns:
        One dict per feed.
    """
    return [
        {
            "feed": r.feed.url,
            "outcome": r.outcome,
            **asdict(r.counts),
            "error": r.error,
            "warning": r.warning,
            "filtered": r.filtered,
            "next_fetch": to_db(r.next_fetch),
        }
        for r in results
    ]


def story_json(stored: StoredStory, text: str) -> dict[str, Any]:
    """A stored story as a JSON-ready dict.

    Args:
        stored: the story.
        text: its rendered article-plus-questions document.

    Returns:
        ``id, category, title, published, body, questions, actions, url, sources`` and more.
    """
    from aggregator.story.document import document_for

    s = stored.story
    doc = document_for(stored)
    return {
        "id": stored.id,
        "category": s.category,
        "title": s.title,
        "published": to_db(s.published),
        "body": s.body,
        "questions": list(s.questions),
        "actions": list(doc.actions),
        "url": s.url,
        "enclosures": [
            {"url": e.url, "type": e.type, "length": e.length, "duration": e.duration}
            for e in s.enclosures
        ],
        "comments": s.comments,
        "canonical_url": s.canonical_url,
        "author": s.author,
        "tags": list(s.tags),
        "lang": s.lang,
        "generator": stored.generator,
        "first_seen": to_db(stored.first_seen),
        "updated_at": to_db(stored.updated_at),
        "sources": [
            {
                "feed": src.feed_url,
                "feed_title": src.feed_title,
                "url": src.url,
                "guid": src.guid,
                "seen_at": to_db(src.seen_at),
            }
            for src in stored.sources
        ],
        "event": [
            {"id": other_id, "title": title, "outlet": outlet, "url": url}
            for other_id, title, outlet, url in stored.event
        ],
        "text": text,
    }


def _health(f: FeedState) -> str:
    if f.retired:
        return "retired"
    if not f.enabled:
        return "disabled"
    if not f.last_status:
        return "new"
    if f.last_status == "error":
        return f"failing ({f.error_count})"
    return "ok"


def feeds_json(feeds: Sequence[FeedState]) -> list[dict[str, Any]]:
    """Feeds as JSON-ready dicts.

    Args:
        feeds: the feeds.

    Returns:
        One dict per feed, with ``health``.
    """
    out = []
    for f in feeds:
        d = asdict(f)
        # One format for times in every JSON output (UTC, "...Z"), durations in seconds.
        for key in ("last_fetched", "next_fetch"):
            d[key] = to_db(d[key])
        for key in ("interval", "adaptive_interval", "ttl"):
            d[key] = int(d[key].total_seconds()) if d[key] is not None else None
        d["health"] = _health(f)
        out.append(d)
    return out


TSV_COLUMNS = (
    "id",
    "health",
    "category",
    "stories",
    "url",
    "last_fetched",
    "next_fetch",
    "last_error",
)
"""The columns of ``feeds list`` when piped (its first line names them)."""


def feeds_table(feeds: Sequence[FeedState]) -> None:
    """Print feeds as a table on stdout.

    Args:
        feeds: the feeds.
    """
    if not sys.stdout.isatty():
        # Piped: a header, then one tab-separated line per feed, for scripts (no folded URLs).
        print("\t".join(TSV_COLUMNS))
        for f in feeds:
            print(
                "\t".join(
                    [
                        str(f.id),
                        _health(f),
                        safe(f.category),
                        str(f.stories),
                        safe(f.url),
                        _when(f.last_fetched),
                        _when(f.next_fetch),
                        safe(f.last_error),
                    ]
                )
            )
        return
    from rich.table import Table

    table = Table(title=f"{len(feeds)} feeds")
    for col in (
        "id",
        "health",
        "category",
        "feed",
        "stories",
        "last fetch",
        "next fetch",
        "last error",
    ):
        table.add_column(col, overflow="fold")
    for f in feeds:
        _add_row(
            table,
            str(f.id or "-"),
            _health(f),
            safe(f.category),
            safe(f.title or f.url) + ("" if not f.title else f"\n{safe(f.url)}"),
            str(f.stories),
            _when(f.last_fetched),
            _when(f.next_fetch),
            safe(f.last_error)[:80],
        )
    _console().print(table)


def _add_row(table: Any, *cells: str) -> None:
    """Add a row of plain text: rich markup in feed text (``[link=...]``, ``[/]``) is
    shown as it is, never interpreted (it could break the table or emit a hyperlink)."""
    from rich.text import Text

    table.add_row(*(Text(cell) for cell in cells))


def status_table(data: dict[str, Any]) -> None:
    """Print the status as totals plus a table on stdout.

    Args:
        data: what :meth:`aggregator.app.core.App.status` returned.
    """
    from rich.table import Table

    console = _console()
    t = data["feeds"]
    console.print(
        f"Archive {safe(data['archive'])}: {data['stories']} stories, {data['sources']} sources, "
        f"{data.get('events', 0)} events ({data.get('stories_in_events', 0)} stories); "
        f"{t['total']} feeds ({t['enabled']} enabled, {t['retired']} retired, "
        f"{t['failing']} failing, {t['never_fetched']} never fetched)",
        markup=False,
    )
    # Feeds by title (URLs are in --json and `feeds list`); long cells are cut with an
    # ellipsis rather than folded, so each feed stays one line at any terminal width.
    table = Table()
    table.add_column("feed", overflow="ellipsis", no_wrap=True, ratio=3)
    table.add_column("last fetch", no_wrap=True)
    table.add_column("result", overflow="ellipsis", no_wrap=True, ratio=2)
    table.add_column("next fetch (why)", overflow="ellipsis", no_wrap=True)
    table.add_column("errors", justify="right")
    table.add_column("stories", justify="right")
    workers = any("polled_by" in f for f in data["feed"])  # several daemons (PostgreSQL)
    if workers:
        table.add_column("polled by", overflow="ellipsis", no_wrap=True)
    for f in data["feed"]:
        result = f["last_status"] or "-"
        if f["last_error"]:
            result += f": {safe(f['last_error'])[:60]}"
        if not f["enabled"]:
            result = f"disabled {safe(f['disabled_reason'])}".strip()
        nxt = _when(f["next_fetch"]) if f["next_fetch"] else "due now"
        if f["next_reason"]:
            nxt += f" ({f['next_reason']})"
        if f["retired"]:
            result, nxt = "retired (not in the config)", "never"
        _add_row(
            table,
            safe(f["title"] or f["url"]),
            _when(f["last_fetched"]),
            result,
            nxt,
            str(f["error_count"]),
            str(f["stories"]) + (f" ({f['filtered']} filtered)" if f.get("filtered") else ""),
            *([safe(f.get("polled_by") or "-")] if workers else []),
        )
    console.print(table)
    for d in data.get("digests", []):
        mail = f", mailed to {', '.join(d['email'])}" if d["email"] else ""
        console.print(
            f"Next digest {safe(d['name'])}: {_when(d['next_run']) if d['next_run'] else 'never'}"
            f" UTC ({d['window']}, {', '.join(d['formats'])} to {safe(d['output'])}{mail})",
            markup=False,
        )
