"""Full-text search over the archive: filters, ranking, snippets with highlights.

Read-only, and deliberately light: it imports only the stdlib and
:mod:`aggregator.query`, because ``aggregator search`` is a command people
run many times a day and its start-up time counts. FTS5 syntax errors never
reach the user: queries are translated by :func:`aggregator.query.to_fts5`,
and any SQLite error left is mapped to :class:`~aggregator.errors.SearchError`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import ArchiveError, SearchError
from .query import to_fts5

__all__ = ["HIGHLIGHT_END", "HIGHLIGHT_START", "SearchHit", "SearchResults", "search"]

# Private-use characters mark highlights inside snippets; feed text cannot
# contain them (normalize strips nothing of the kind, so they are removed below).
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"

# bm25 column weights: title above body, questions below it.
_WEIGHTS = (10.0, 1.0, 0.5)
_SORTS = ("relevance", "date")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result.

    Attributes:
        id: the story's id.
        title: its title.
        url: its link.
        published: its date, ISO 8601 UTC text.
        category: its category.
        snippet: an excerpt around the matches, plain text.
        highlights: ``(start, end)`` character offsets of the matches in ``snippet``.
        score: the bm25 relevance (higher is better).
        sources: the feeds that carried it (titles, else URLs).
    """

    id: int
    title: str
    url: str
    published: str
    category: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    score: float
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of search results.

    Attributes:
        total: how many stories match in all.
        hits: the stories of this page, best first.
    """

    total: int
    hits: tuple[SearchHit, ...]


def search(
    path: Path | str,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    since: datetime | None = None,
    until: datetime | None = None,
    category: str | None = None,
    feed: str | None = None,
    sort: str = "relevance",
) -> SearchResults:
    """Search the archive.

    Args:
        path: the archive file.
        query: the user's query (see :mod:`aggregator.query` for the language).
        limit: at most this many hits.
        offset: skip this many hits (paging).
        since: only stories published at or after this time (UTC).
        until: only stories published before this time (UTC).
        category: only this category (case-insensitive).
        feed: only stories one of whose sources is this feed URL (or contains this text).
        sort: ``relevance`` or ``date`` (newest first).

    Returns:
        The total count and this page's hits.

    Raises:
        InvalidQueryError: the query has nothing to search for.
        SearchError: the archive cannot be searched.
        ArchiveError: there is no archive at ``path``.
    """
    if sort not in _SORTS:
        raise SearchError(f"unknown sort {sort!r} (allowed: {', '.join(_SORTS)})")
    if limit < 1 or offset < 0:
        raise SearchError("--limit must be at least 1 and --offset not negative")
    match = to_fts5(query)
    where = ["stories_fts MATCH ?"]
    params: list[object] = [match]
    if since is not None:
        where.append("s.published >= ?")
        params.append(since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if until is not None:
        where.append("s.published < ?")
        params.append(until.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if category:
        where.append("s.category = ?")
        params.append(category.strip().upper())
    if feed:
        where.append(
            "s.id IN (SELECT so.story_id FROM sources so LEFT JOIN feeds f ON f.id = so.feed_id"
            " WHERE so.feed_url = ? OR f.url = ? OR instr(COALESCE(f.title, ''), ?) > 0"
            " OR instr(COALESCE(f.config_title, ''), ?) > 0)"
        )
        params.extend([feed, feed, feed, feed])
    cond = " AND ".join(where)
    rank = f"bm25(stories_fts, {', '.join(str(w) for w in _WEIGHTS)})"
    order = f"{rank}, s.published DESC" if sort == "relevance" else "s.published DESC, s.id DESC"
    sql_page = (
        f"SELECT s.id, s.title, s.url, s.published, s.category,"
        f" snippet(stories_fts, -1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', 24),"
        f" -{rank},"
        " (SELECT group_concat(name, char(10)) FROM (SELECT DISTINCT"
        "   COALESCE(NULLIF(f.config_title, ''), NULLIF(f.title, ''), f.url,"
        "   NULLIF(so.feed_url, ''), 'imported') AS name"
        "   FROM sources so LEFT JOIN feeds f ON f.id = so.feed_id WHERE so.story_id = s.id))"
        f" FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid WHERE {cond}"
        f" ORDER BY {order} LIMIT ? OFFSET ?"
    )
    sql_count = (
        f"SELECT COUNT(*) FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid WHERE {cond}"
    )
    conn = _open(path)
    try:
        total = int(conn.execute(sql_count, params).fetchone()[0])
        rows = conn.execute(sql_page, [*params, limit, offset]).fetchall() if total else []
    except sqlite3.Error as exc:
        raise SearchError(f"search failed: {exc}") from exc
    finally:
        conn.close()
    hits = []
    for row in rows:
        snippet, marks = _highlights(row[5] or "")
        hits.append(
            SearchHit(
                id=row[0],
                title=row[1],
                url=row[2] or "",
                published=row[3],
                category=row[4],
                snippet=snippet,
                highlights=marks,
                score=round(float(row[6]), 4),
                sources=tuple((row[7] or "").split("\n")) if row[7] else (),
            )
        )
    return SearchResults(total=total, hits=tuple(hits))


def _open(path: Path | str) -> sqlite3.Connection:
    p = Path(path)
    if not p.exists():
        raise ArchiveError(f"no archive at {p} (run 'aggregator fetch' first)")
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("PRAGMA busy_timeout = 10000")
    except sqlite3.Error as exc:
        raise ArchiveError(f"cannot open archive {p}: {exc}") from exc
    return conn


def _highlights(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Turn marker characters into plain text plus highlight offsets."""
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    pos = 0
    start = -1
    for ch in marked.replace("\n", " "):
        if ch == HIGHLIGHT_START:
            start = pos
        elif ch == HIGHLIGHT_END:
            if start >= 0:
                marks.append((start, pos))
            start = -1
        else:
            out.append(ch)
            pos += 1
    return "".join(out), tuple(marks)
