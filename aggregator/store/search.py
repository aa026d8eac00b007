"""Full-text search over the archive: filters, ranking, snippets with highlights.

Read-only, and deliberately light: it imports only the stdlib and
:mod:`aggregator.search.query`, because ``aggregator search`` is a command people
run many times a day and its start-up time counts. FTS5 syntax errors never
reach the user: queries are translated by :func:`aggregator.search.query.to_fts5`,
and any SQLite error left is mapped to :class:`~aggregator.errors.SearchError`.

How a search stays fast at a million stories, and what it trades for it, is
described in :mod:`aggregator.store._searchplan`: newest-first candidates, a capped
count, bm25 over the candidates' window, exact date order, snippets for the
shown rows only.

A query that needs a word in a script written without spaces (Chinese,
Japanese, Korean, Thai...) is answered the same way from ``stories_cjk``
(:mod:`aggregator.store.scripts_index`), which keeps no text: its snippets
are cut from the story's text here (:func:`text_snippet`). Snippets come
from the body when it matches, else the title, else the questions.
:func:`latest` lists the newest stories for the same filters without a query.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from aggregator.defaults import is_database_url
from aggregator.errors import ArchiveError, SearchError
from aggregator.search.query import highlight_terms, to_fts5
from aggregator.search.scripts import has_no_space_script
from aggregator.store._searchplan import (
    CANDIDATES,
    RECENCY_BOOST,
    RECENCY_HALF_LIFE_DAYS,
    SAMPLE,
    Filters,
    Plan,
    date_text,
)

__all__ = [
    "CANDIDATES",
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "LATEST_COUNT",
    "RECENCY_BOOST",
    "RECENCY_HALF_LIFE_DAYS",
    "SAMPLE",
    "HitEnclosure",
    "SearchHit",
    "SearchResults",
    "latest",
    "search",
    "text_snippet",
]

TYPE_CHECKING = False  # no typing import at run time: start-up time (docs/design.md)
if TYPE_CHECKING:
    from aggregator.store.pg.search import Page

# Private-use characters mark highlights inside snippets; feed text cannot
# contain them (they are removed from the snippet text below).
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"

_SORTS = ("relevance", "date")
_MMAP_BYTES = 1 << 30
# The body's, the title's and the questions' snippets: the first with a match is
# shown, so the article wins over the machine-written questions whenever it matches.
_SNIPPETS = tuple(
    f"snippet(stories_fts, {column}, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', 24)"
    for column in (1, 0, 2)
)
_SNIPPET = ", ".join(_SNIPPETS)
_SNIPPET_CHARS = 160  # a snippet cut from the text itself (stories_cjk, latest)
_SOURCES = (
    "(SELECT group_concat(name, char(10)) FROM (SELECT DISTINCT"
    " COALESCE(NULLIF(f.config_title, ''), NULLIF(f.title, ''), f.url,"
    " NULLIF(so.feed_url, ''), 'imported') AS name"
    " FROM sources so LEFT JOIN feeds f ON f.id = so.feed_id WHERE so.story_id = s.id))"
)


class _Record:
    """An immutable value with named fields, compared and shown by them.

    What a frozen slotted dataclass gives, without its cost at start-up:
    importing :mod:`dataclasses` (and :mod:`inspect`) and building each class
    take milliseconds that ``aggregator search`` cannot spare (its start-up time
    is most of a search: see docs/design.md, Start-up time).
    """

    __slots__: tuple[str, ...] = ()

    def _set(self, **fields: object) -> None:
        """Set every field once, in ``__init__``."""
        for name in self.__slots__:
            object.__setattr__(self, name, fields[name])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self.__slots__))

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def as_dict(self) -> dict[str, object]:
        """The fields by name, nested records and tuples of them included (for JSON).

        Returns:
            A new dict.
        """
        return {n: _plain(getattr(self, n)) for n in self.__slots__}


def _plain(value: object) -> object:
    """A field value for JSON: records as dicts, tuples as lists."""
    if isinstance(value, _Record):
        return value.as_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


class SearchHit(_Record):
    """One search result (immutable).

    Attributes:
        id: the story's id.
        title: its title.
        url: its link.
        published: its date, ISO 8601 UTC text.
        category: its category.
        snippet: an excerpt around the matches, plain text (newlines as spaces).
        highlights: ``(start, end)`` character offsets of the matches in ``snippet``.
        score: relevance (higher is better; see the module docstring), ``0.0``
            for stories ranked only by date.
        sources: the feeds that carried it (titles, else URLs).
        lang: its language, an ISO 639-1 code (``""``: unknown).
        enclosures: its media files.
        comments: the link to its discussion, or ``""``.
    """

    __slots__ = (
        "id",
        "title",
        "url",
        "published",
        "category",
        "snippet",
        "highlights",
        "score",
        "sources",
        "lang",
        "enclosures",
        "comments",
    )
    id: int
    title: str
    url: str
    published: str
    category: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    score: float
    sources: tuple[str, ...]
    lang: str
    enclosures: tuple[HitEnclosure, ...]
    comments: str

    def __init__(
        self,
        *,
        id: int,
        title: str,
        url: str,
        published: str,
        category: str,
        snippet: str,
        highlights: tuple[tuple[int, int], ...],
        score: float,
        sources: tuple[str, ...],
        lang: str = "",
        enclosures: tuple[HitEnclosure, ...] = (),
        comments: str = "",
    ) -> None:
        self._set(
            id=id,
            title=title,
            url=url,
            published=published,
            category=category,
            snippet=snippet,
            highlights=highlights,
            score=score,
            sources=sources,
            lang=lang,
            enclosures=enclosures,
            comments=comments,
        )


class HitEnclosure(_Record):
    """A media file of a search result (immutable).

    Attributes:
        url: its link.
        type: its MIME type, or ``""``.
        length: its size in bytes, or ``None``.
        duration: its playing time in seconds, or ``None``.
    """

    __slots__ = ("url", "type", "length", "duration")
    url: str
    type: str
    length: int | None
    duration: int | None

    def __init__(self, *, url: str, type: str, length: int | None, duration: int | None) -> None:
        self._set(url=url, type=type, length=length, duration=duration)


class SearchResults(_Record):
    """A page of search results (immutable).

    Attributes:
        total: how many stories match in all, or at least (see ``exact_total``).
        hits: the stories of this page, in order.
        exact_total: ``False`` when more stories than ``total`` match (the
            count stops at :data:`CANDIDATES` or the page's end).
    """

    __slots__ = ("total", "hits", "exact_total")
    total: int
    hits: tuple[SearchHit, ...]
    exact_total: bool

    def __init__(
        self, *, total: int, hits: tuple[SearchHit, ...], exact_total: bool = True
    ) -> None:
        self._set(total=total, hits=hits, exact_total=exact_total)


def search(
    path: str | os.PathLike[str],
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    since: datetime | None = None,
    until: datetime | None = None,
    category: str | None = None,
    feed: str | None = None,
    sort: str = "relevance",
    now: datetime | None = None,
) -> SearchResults:
    """Search the archive.

    Args:
        path: the archive file, or a ``postgresql://`` URL (:mod:`aggregator.store.pg.search`).
        query: the user's query (see :mod:`aggregator.search.query` for the language).
        limit: at most this many hits.
        offset: skip this many hits (paging).
        since: only stories published at or after this time (UTC).
        until: only stories published before this time (UTC).
        category: only this category (case-insensitive).
        feed: only stories one of whose sources is this feed: its URL, or text
            in its title (case-insensitive).
        sort: ``relevance`` (best first, mildly preferring recent stories) or
            ``date`` (newest first).
        now: the current time, for the recency preference (default: now).

    Returns:
        The total count and this page's hits.

    Raises:
        InvalidQueryError: the query has nothing to search for.
        SearchError: bad arguments, or the archive cannot be searched.
        ArchiveError: there is no archive at ``path``.
    """
    if is_database_url(path):
        from aggregator.store.pg import search as pg

        return _from_page(
            pg.search(
                str(path),
                query,
                limit=limit,
                offset=offset,
                since=since,
                until=until,
                category=category,
                feed=feed,
                sort=sort,
                now=now,
            )
        )
    if sort not in _SORTS:
        raise SearchError(f"unknown sort {sort!r} (allowed: {', '.join(_SORTS)})")
    if limit < 1 or offset < 0:
        raise SearchError("--limit must be at least 1 and --offset not negative")
    expr = to_fts5(query)
    need = offset + limit
    conn = _open(path)
    try:
        flt = Filters.build(conn, since=since, until=until, category=category, feed=feed)
        if flt.empty:
            return SearchResults(total=0, hits=())
        plan = Plan(conn, query, expr, flt)
        if _schema(conn) < 4:  # not migrated yet: no stories_cjk, no lang
            plan.table = "stories_fts"
        cands, exhausted = plan.candidates(need)
        scores: dict[int, float] = {}
        if sort == "date":
            order = plan.by_date(cands, need, complete=exhausted)
        else:
            order, scores = plan.by_relevance(cands, need, now=now or datetime.now(UTC))
        hits = _page(conn, plan, order[offset:need], scores)
    except sqlite3.Error as exc:
        raise SearchError(f"search failed: {exc}") from exc
    finally:
        conn.close()
    return SearchResults(total=len(cands), hits=hits, exact_total=exhausted)


def latest(
    path: str | os.PathLike[str],
    *,
    limit: int = 20,
    offset: int = 0,
    since: datetime | None = None,
    until: datetime | None = None,
    category: str | None = None,
    feed: str | None = None,
) -> SearchResults:
    """The newest stories, with the filters of :func:`search` and no query.

    Newest first by publication date (then by id). Each hit's snippet is the
    start of its body, without highlights, and its score ``0.0``.

    Args:
        path: the archive file.
        limit: at most this many hits.
        offset: skip this many hits (paging).
        since, until, category, feed: as for :func:`search`.

    Returns:
        The count (exact up to :data:`LATEST_COUNT` or the page's end, else
        "at least": counting further would cost a row read per story) and
        this page's hits.

    Raises:
        SearchError: bad arguments, or the archive cannot be read.
        ArchiveError: there is no archive at ``path``.
    """
    if is_database_url(path):
        from aggregator.store.pg import search as pg

        return _from_page(
            pg.latest(
                str(path),
                limit=limit,
                offset=offset,
                since=since,
                until=until,
                category=category,
                feed=feed,
                count=LATEST_COUNT,
            )
        )
    if limit < 1 or offset < 0:
        raise SearchError("--limit must be at least 1 and --offset not negative")
    want = max(LATEST_COUNT, offset + limit)
    conn = _open(path)
    try:
        # The date range is a condition of the walk by date, not a set of ids.
        flt = Filters.build(conn, since=None, until=None, category=category, feed=feed)
        if flt.empty:
            return SearchResults(total=0, hits=())
        ids = _newest(conn, flt, want + 1, since=since, until=until)
        hits = _page(conn, None, ids[offset : offset + limit], {})
    except sqlite3.Error as exc:
        raise SearchError(f"reading the newest stories failed: {exc}") from exc
    finally:
        conn.close()
    return SearchResults(total=min(len(ids), want), hits=hits, exact_total=len(ids) <= want)


LATEST_COUNT = 200
"""``latest`` counts at most this many stories (more when paging deeper); past it, "200+"."""

_LATEST_BY_ID = 20_000  # a filter's id set up to this size is sorted by date in Python


def _newest(
    conn: sqlite3.Connection,
    flt: Filters,
    count: int,
    *,
    since: datetime | None,
    until: datetime | None,
) -> list[int]:
    """The ids of the ``count`` newest stories that pass ``flt``, newest first.

    A short id set (a feed's stories, a short date range) has its dates read
    and sorted; otherwise the published index is walked from the newest end,
    and the per-story conditions are checked on the way.
    """
    low = date_text(since) if since is not None else ""
    high = date_text(until) if until is not None else "\uffff"
    params = [low, high, *flt.params]
    if flt.ids is not None and len(flt.ids) <= _LATEST_BY_ID:
        # "+": the ids are looked up by rowid, not through the published index.
        conds = " AND ".join(["+s.published >= ? AND +s.published < ?", *flt.conds])
        ordered = sorted(flt.ids)
        dated: list[tuple[str, int]] = []
        for start in range(0, len(ordered), 512):
            chunk = ordered[start : start + 512]
            marks = ", ".join("?" * len(chunk))
            dated += [
                (r[1], r[0])
                for r in conn.execute(
                    f"SELECT s.id, s.published FROM stories s WHERE s.id IN ({marks}) AND {conds}",
                    [*chunk, *params],
                )
            ]
        dated.sort(reverse=True)
        return [story_id for _, story_id in dated[:count]]
    conds = " AND ".join(["s.published >= ? AND s.published < ?", *flt.conds])
    cursor = conn.execute(
        f"SELECT s.id FROM stories s INDEXED BY stories_published WHERE {conds}"
        " ORDER BY s.published DESC, s.id DESC",
        params,
    )
    out: list[int] = []
    while len(out) < count and (rows := cursor.fetchmany(512)):
        out += [r[0] for r in rows if flt.ids is None or r[0] in flt.ids]
    return out[:count]


# -- the page -------------------------------------------------------------------------


def _page(
    conn: sqlite3.Connection, plan: Plan | None, ids: Sequence[int], scores: dict[int, float]
) -> tuple[SearchHit, ...]:
    """The shown hits: fields, sources and snippets, two statements in all.

    Args:
        conn: the connection.
        plan: the search, or ``None`` for :func:`latest` (snippets without highlights).
        ids: the page's stories, in order.
        scores: their relevance (missing: ``0.0``).
    """
    if not ids:
        return ()
    marks = ", ".join("?" * len(ids))
    lang = "s.lang" if _schema(conn) >= 4 else "''"
    rows = {
        r[0]: r
        for r in conn.execute(
            f"SELECT s.id, s.title, s.url, s.published, s.category, {_SOURCES},"
            f" {lang} FROM stories s WHERE s.id IN ({marks})",
            ids,
        )
    }
    snippets: dict[int, tuple[str, tuple[tuple[int, int], ...]]] = {}
    if plan is None or plan.table != "stories_fts":
        # No snippet(): stories_cjk holds no text, and ``latest`` has no query.
        terms = highlight_terms(plan.query) if plan is not None else ()
        for story_id, title, body, questions in conn.execute(
            f"SELECT id, title, body, questions FROM stories WHERE id IN ({marks})", ids
        ):
            snippets[story_id] = text_snippet((body, title, questions), terms)
    elif plan.prefix:
        # One walk over the page's id range; snippet() only for the page's rows.
        wanted = set(ids)
        cases = ", ".join(f"CASE WHEN rowid IN ({marks}) THEN {one} END" for one in _SNIPPETS)
        snippets = {
            r[0]: _first_match(r[1:])
            for r in conn.execute(
                f"SELECT rowid, {cases}"
                " FROM stories_fts WHERE stories_fts MATCH ? AND rowid BETWEEN ? AND ?",
                [*ids, *ids, *ids, plan.expr, min(ids), max(ids)],
            )
            if r[0] in wanted
        }
    else:
        snippets = {
            r[0]: _first_match(r[1:])
            for r in conn.execute(
                f"SELECT rowid, {_SNIPPET} FROM stories_fts"
                f" WHERE stories_fts MATCH ? AND rowid IN ({marks})",
                [plan.expr, *ids],
            )
        }
    links = _links(conn, ids)
    hits = []
    for story_id in ids:
        row = rows.get(story_id)
        if row is None:
            continue
        snippet, marks_at = snippets.get(story_id) or ("", ())
        hits.append(
            SearchHit(
                id=row[0],
                title=row[1],
                url=row[2] or "",
                published=row[3],
                category=row[4],
                snippet=snippet,
                highlights=marks_at,
                score=float(f"{scores.get(story_id, 0.0):.6g}"),
                sources=tuple(row[5].split("\n")) if row[5] else (),
                lang=row[6] or "",
                enclosures=tuple(e for e in links.get(story_id, ()) if isinstance(e, HitEnclosure)),
                comments=next((e for e in links.get(story_id, ()) if isinstance(e, str)), ""),
            )
        )
    return tuple(hits)


def _from_page(page: Page) -> SearchResults:
    """The results of a search or listing in a PostgreSQL archive (see :mod:`.pg.search`)."""
    hits = []
    for row in page.rows:
        fields = (row[7] or "", row[8] or "", row[9] or "")
        snippet, marks_at = text_snippet(fields, page.terms)
        enclosures = tuple(
            HitEnclosure(url=url, type=kind_type, length=length, duration=duration)
            for kind, url, kind_type, length, duration in row[11]
            if kind == "enclosure"
        )
        comments = next((link[1] for link in row[11] if link[0] != "enclosure"), "")
        hits.append(
            SearchHit(
                id=int(row[0]),
                title=row[1],
                url=row[2] or "",
                published=row[3],
                category=row[4],
                snippet=snippet,
                highlights=marks_at,
                score=float(f"{row[10]:.6g}"),
                sources=tuple(row[5].split("\n")) if row[5] else (),
                lang=row[6] or "",
                enclosures=enclosures,
                comments=comments,
            )
        )
    return SearchResults(total=page.total, hits=tuple(hits), exact_total=page.exact)


def _first_match(marked: Sequence[str | None]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The first snippet with a highlight (body, title, questions), else the body's."""
    for text in marked:
        if text and HIGHLIGHT_START in text:
            return _highlights(text)
    return _highlights(marked[0] or "")


def text_snippet(
    fields: Sequence[str], terms: Sequence[str]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet cut from a story's text, around the first field that has one of ``terms``.

    What ``snippet()`` does for ``stories_fts``, for the stories found in
    ``stories_cjk`` (which keeps no text) and for ``latest`` (no terms: the
    body's start). A term in a script written without spaces is found
    anywhere; another one where a word starts (any case).

    Args:
        fields: the texts in order of preference (body, title, questions).
        terms: the query's terms, lower-cased (:func:`~aggregator.search.query.highlight_terms`).

    Returns:
        The snippet (newlines as spaces, ``…`` where cut) and the character
        offsets of the terms in it.
    """
    chosen, found = fields[0] if fields else "", []
    for text in fields:
        found = _occurrences(text, terms)
        if found:
            chosen = text
            break
    start = 0
    if found:
        start = max(0, found[0][0] - _SNIPPET_CHARS // 4)
        space = chosen.rfind(" ", max(0, start - 12), found[0][0])
        start = space + 1 if space >= 0 and start > 0 else start
    end = min(len(chosen), start + _SNIPPET_CHARS)
    if end < len(chosen):
        space = chosen.rfind(" ", end - 12, end)
        end = space if space > start else end
    head = "…" if start > 0 else ""
    tail = "…" if end < len(chosen) else ""
    shift = len(head) - start
    marks = tuple((a + shift, b + shift) for a, b in found if a >= start and b <= end)
    text = head + chosen[start:end].replace("\n", " ").replace("\r", " ") + tail
    return text, marks


def _occurrences(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where ``terms`` occur in ``text``, in order, without overlaps."""
    if not text or not terms:
        return []
    lower = text.lower()
    if len(lower) != len(text):  # a case mapping changed the length: match as typed
        lower = text
    spans: list[tuple[int, int]] = []
    for term in terms:
        anywhere = has_no_space_script(term)
        at = lower.find(term)
        while at >= 0:
            if anywhere or at == 0 or not lower[at - 1].isalnum():
                spans.append((at, at + len(term)))
            at = lower.find(term, at + 1)
    spans.sort()
    kept: list[tuple[int, int]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _schema(conn: sqlite3.Connection) -> int:
    """The archive's schema version: a search reads archives that no writer has migrated yet.

    Version 4 added ``stories.lang`` and ``stories_cjk``; before it, searches
    use ``stories_fts`` alone and hits have no language.
    """
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _links(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[HitEnclosure | str]]:
    """The enclosures and comments links of a page of stories (``story_links``), by id.

    An archive written before that table existed (and opened only to read
    since) has none.
    """
    marks = ", ".join("?" * len(ids))
    try:
        rows = conn.execute(
            "SELECT story_id, kind, url, type, length, duration FROM story_links"
            f" WHERE story_id IN ({marks}) ORDER BY story_id, rowid",
            list(ids),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        return {}
    out: dict[int, list[HitEnclosure | str]] = {}
    for story_id, kind, url, kind_type, length, duration in rows:
        item: HitEnclosure | str = url
        if kind == "enclosure":
            item = HitEnclosure(url=url, type=kind_type, length=length, duration=duration)
        out.setdefault(story_id, []).append(item)
    return out


def _open(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read-only connection (``os.path`` rather than pathlib, which costs start-up time)."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise ArchiveError(f"no archive at {name} (run 'aggregator fetch' first)")
    if os.path.isdir(name):
        raise ArchiveError(f"archive {name} is a folder, not a file")
    # An SQLite URI: a path with "%", "?" or "#" escaped, then the read-only mode.
    where = os.path.abspath(name).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    try:
        conn = sqlite3.connect(f"file:{where}?mode=ro", uri=True)
        conn.execute("PRAGMA busy_timeout = 10000")
        # Reading the rows of scattered stories from a memory map halves its cost.
        conn.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
    except sqlite3.Error as exc:
        raise ArchiveError(f"cannot open archive {name}: {exc}") from exc
    return conn


def _highlights(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Turn marker characters into plain text plus highlight offsets.

    Each highlight runs from a start marker to the next end marker; a marker
    without its partner is dropped.
    """
    parts = marked.replace("\n", " ").split(HIGHLIGHT_START)
    out = [parts[0].replace(HIGHLIGHT_END, "")]
    pos = len(out[0])
    marks: list[tuple[int, int]] = []
    for part in parts[1:]:
        inside, end, after = part.partition(HIGHLIGHT_END)
        inside = inside.replace(HIGHLIGHT_END, "")
        if end:
            marks.append((pos, pos + len(inside)))
        after = after.replace(HIGHLIGHT_END, "")
        out += [inside, after]
        pos += len(inside) + len(after)
    return "".join(out), tuple(marks)
