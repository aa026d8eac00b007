"""A story's enclosures and comments link: the ``story_links`` table.

One row per link, only for stories that have any, so an archive of plain news
costs nothing: ``kind`` is ``enclosure`` (a media file, with its MIME type,
size in bytes and duration in seconds when the feed gave them) or
``comments`` (the discussion page). Rows go with their story (``ON DELETE
CASCADE``). Called by :class:`aggregator.store.archive.Archive` inside its
transactions; no transaction of its own.
"""

from __future__ import annotations

import json
import sqlite3

from aggregator.models import Enclosure, Story

__all__ = [
    "COMMENTS",
    "ENCLOSURE",
    "add_links",
    "links_column",
    "parse_links",
    "replace_links",
]

ENCLOSURE = "enclosure"
COMMENTS = "comments"


def replace_links(conn: sqlite3.Connection, story_id: int, story: Story) -> None:
    """Make a story's links those of ``story`` (a new story, or its feed changed it).

    Args:
        conn: the connection, in a transaction.
        story_id: the archived story.
        story: the normalized story whose enclosures and comments link are kept.
    """
    conn.execute("DELETE FROM story_links WHERE story_id = ?", (story_id,))
    add_links(conn, story_id, story)


def add_links(conn: sqlite3.Connection, story_id: int, story: Story) -> None:
    """Add the links of another copy of a story that the story lacks.

    A copy's enclosures join the story's (one per URL); its comments link is
    taken only when the story has none (the first feed's discussion stays).

    Args:
        conn: the connection, in a transaction.
        story_id: the archived story.
        story: the copy.
    """
    if not story.enclosures and not story.comments:
        return
    rows = [
        (story_id, ENCLOSURE, e.url, e.type, e.length, e.duration)
        for e in story.enclosures
        if e.url
    ]
    if (
        story.comments
        and not conn.execute(
            "SELECT 1 FROM story_links WHERE story_id = ? AND kind = ?", (story_id, COMMENTS)
        ).fetchone()
    ):
        rows.append((story_id, COMMENTS, story.comments, "", None, None))
    conn.executemany(
        "INSERT OR IGNORE INTO story_links (story_id, kind, url, type, length, duration)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def links_column(story: str) -> str:
    """A SQL expression for a story row's links, read with the row (no second query).

    Args:
        story: the SQL name of the story's id (``stories.id``, ``s.id``).

    Returns:
        An expression giving a JSON array of ``[kind, url, type, length, duration]``
        in the order stored; :func:`parse_links` reads it.
    """
    return (
        "(SELECT json_group_array(json_array(kind, url, type, length, duration)) FROM"
        f" (SELECT * FROM story_links WHERE story_id = {story} ORDER BY rowid))"
    )


def parse_links(value: str | None) -> tuple[tuple[Enclosure, ...], str]:
    """The enclosures and comments link of a :func:`links_column` value.

    Args:
        value: the JSON text (``None`` or ``"[]"`` for none).

    Returns:
        ``(enclosures, comments link)``.
    """
    if not value or value == "[]":
        return (), ""
    enclosures = []
    comments = ""
    for kind, url, kind_type, length, duration in json.loads(value):
        if kind == ENCLOSURE:
            enclosures.append(
                Enclosure(url=url, type=kind_type or "", length=length, duration=duration)
            )
        elif kind == COMMENTS and not comments:
            comments = url
    return tuple(enclosures), comments
