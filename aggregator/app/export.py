"""``aggregator export``: the archive, or a part of it, as JSON Lines or as documents.

Two formats, both read back by ``aggregator import``:

- ``jsonl``: one JSON object per line and story, oldest first, with every
  stored field: ``id, category, title, published, first_seen, updated_at,
  url, canonical_url, author, tags, body, questions, actions, enclosures
  [{url, type, length, duration}], comments, generator, sources [{feed,
  feed_title, url, guid, seen_at}]``. Times are ISO 8601 UTC (``...Z``);
  ``actions`` are the stored ones (the derived ones follow from the rest).
- ``documents``: a folder with one article-plus-questions document per story,
  ``<id>.txt``, as ``aggregator show`` prints it without its ``Related:``
  lines (which name other stories of this archive).

Stories are read a month at a time (bounded memory whatever the archive's
size); files are written atomically (a temporary file renamed into place).
Reading only: the archive is never written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from aggregator.errors import ExportError, StoryFormatError
from aggregator.models import Enclosure, StoredStory, Story
from aggregator.store.archive import Archive

__all__ = ["EXPORT_FORMATS", "ExportResult", "export", "story_from_record", "story_record"]

EXPORT_FORMATS = ("jsonl", "documents")
_CHUNK = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote.

    Attributes:
        stories: how many stories.
        output: the file or folder written (``-`` for stdout).
    """

    stories: int
    output: str


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def story_record(stored: StoredStory) -> dict[str, Any]:
    """A stored story as one JSON Lines record.

    Args:
        stored: the story with its sources.

    Returns:
        A dict of plain JSON types (see the module docstring).
    """
    s = stored.story
    return {
        "id": stored.id,
        "category": s.category,
        "title": s.title,
        "published": _iso(s.published),
        "first_seen": _iso(stored.first_seen),
        "updated_at": _iso(stored.updated_at),
        "url": s.url,
        "canonical_url": s.canonical_url,
        "author": s.author,
        "tags": list(s.tags),
        "body": s.body,
        "questions": list(s.questions),
        "actions": list(s.actions),
        "enclosures": [
            {"url": e.url, "type": e.type, "length": e.length, "duration": e.duration}
            for e in s.enclosures
        ],
        "comments": s.comments,
        "generator": stored.generator,
        "sources": [
            {
                "feed": src.feed_url,
                "feed_title": src.feed_title,
                "url": src.url,
                "guid": src.guid,
                "seen_at": _iso(src.seen_at),
            }
            for src in stored.sources
        ],
    }


def story_from_record(record: Any) -> Story:
    """Read a story back from a JSON Lines record (as :func:`story_record` writes them).

    Only ``category``, ``title``, ``published`` and ``body`` are required; ids,
    sources and times of the other archive are not carried over.

    Args:
        record: one parsed JSON line.

    Returns:
        The story.

    Raises:
        StoryFormatError: the record is not an object, or a field is missing or
            of the wrong type (the message names it).
    """
    from aggregator.dedupe.urls import canonical_url
    from aggregator.ingest.normalize import clean_enclosures, clean_url
    from aggregator.story.format import validate

    if not isinstance(record, dict):
        raise StoryFormatError("not a JSON object")

    def text(key: str, *, required: bool = False) -> str:
        value = record.get(key, "")
        if required and key not in record:
            raise StoryFormatError(f"{key}: missing")
        if not isinstance(value, str):
            raise StoryFormatError(f"{key}: expected a string")
        return value

    def lines(key: str) -> tuple[str, ...]:
        value = record.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise StoryFormatError(f"{key}: expected an array of strings")
        return tuple(value)

    try:
        published = datetime.fromisoformat(text("published", required=True).replace("Z", "+00:00"))
    except ValueError as exc:
        raise StoryFormatError(f"published: not an ISO 8601 time ({exc})") from exc
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    raw_enclosures = record.get("enclosures", [])
    if not isinstance(raw_enclosures, list) or not all(
        isinstance(e, dict) and isinstance(e.get("url"), str) for e in raw_enclosures
    ):
        raise StoryFormatError("enclosures: expected an array of objects with a url")
    enclosures = clean_enclosures(
        [
            Enclosure(
                url=e["url"],
                type=e.get("type") if isinstance(e.get("type"), str) else "",
                length=_count(e.get("length")),
                duration=_count(e.get("duration")),
            )
            for e in raw_enclosures
        ]
    )
    url = clean_url(text("url"))
    story = Story(
        category=text("category", required=True).strip().upper(),
        title=text("title", required=True),
        published=published.astimezone(UTC),
        body=text("body", required=True),
        questions=lines("questions"),
        actions=lines("actions"),
        url=url,
        canonical_url=canonical_url(url) if url else "",
        author=text("author"),
        tags=lines("tags"),
        enclosures=enclosures,
        comments=clean_url(text("comments")),
    )
    from aggregator.story.format import from_story

    validate(from_story(story))
    return story


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def export(
    archive: Archive,
    *,
    fmt: str,
    output: str,
    since: datetime | None = None,
    until: datetime | None = None,
    categories: Sequence[str] = (),
    stdout: IO[str] | None = None,
) -> ExportResult:
    """Write the archive's stories published in ``[since, until)`` in one format.

    Args:
        archive: the archive (only read).
        fmt: ``jsonl`` or ``documents``.
        output: the file (``jsonl``; ``-`` for ``stdout``) or folder (``documents``).
        since: the first instant included (UTC); ``None`` from the oldest story.
        until: the first instant excluded (UTC); ``None`` up to the newest.
        categories: only these categories (any case); empty for all.
        stdout: where ``-`` writes.

    Returns:
        How many stories were written, and where.

    Raises:
        ExportError: an unknown format, or the output cannot be written.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown format {fmt!r} (allowed: {', '.join(EXPORT_FORMATS)})")
    stories = _stories(archive, since=since, until=until, categories=categories)
    try:
        if fmt == "documents":
            if output == "-":
                raise ExportError("documents go to a folder: name one instead of '-'")
            return ExportResult(_write_documents(stories, Path(output)), output)
        if output == "-":
            out = stdout
            assert out is not None
            return ExportResult(_write_jsonl(stories, out), output)
        return ExportResult(_atomic(Path(output), lambda f: _write_jsonl(stories, f)), output)
    except OSError as exc:
        raise ExportError(f"cannot write {output}: {exc.strerror or exc}") from exc


def _stories(
    archive: Archive,
    *,
    since: datetime | None,
    until: datetime | None,
    categories: Sequence[str],
) -> Iterator[StoredStory]:
    """The stories in the window, oldest first, read a month at a time."""
    first, last = archive.published_range()
    if first is None or last is None:
        return
    start = max(since, first) if since is not None else first
    end = min(until, last + timedelta(seconds=1)) if until is not None else last + timedelta(1)
    while start < end:
        stop = min(start + _CHUNK, end)
        chunk = archive.stories_between(start, stop, categories=categories)
        chunk.sort(key=lambda s: (s.story.published, s.id))
        yield from chunk
        start = stop


def _write_jsonl(stories: Iterator[StoredStory], out: IO[str]) -> int:
    count = 0
    for stored in stories:
        out.write(json.dumps(story_record(stored), ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_documents(stories: Iterator[StoredStory], folder: Path) -> int:
    from aggregator.story.document import document_for
    from aggregator.story.format import render

    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for stored in stories:
        text = render(document_for(replace(stored, related=())))
        _atomic(folder / f"{stored.id}.txt", lambda f, text=text: f.write(text + "\n"))
        count += 1
    return count


def _atomic(path: Path, write: Any) -> Any:
    """Write a file through a temporary one in the same folder, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            result = write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result
