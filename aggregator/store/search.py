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

import heapq
import os
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime

from aggregator.defaults import is_database_url
from aggregator.errors import ArchiveError, SearchError
from aggregator.search.query import highlight_terms, to_fts5
from aggregator.search.scripts import has_no_space_script
from aggregator.search.stemming import STEM_LANGUAGES, stem_spans
from aggregator.search.stemming import tokens as stem_tokens
from aggregator.store import scripts_index
from aggregator.store._searchplan import (
    CANDIDATES,
    RECENCY_BOOST,
    RECENCY_HALF_LIFE_DAYS,
    SAMPLE,
    Filters,
    Plan,
    recency_clock,
)
from aggregator.store.compact import ArchiveConnection, date_bounds, keeps_text_dates, order_key
from aggregator.timeutil import text_of_db

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
        event_stories: the articles of the event it belongs to, itself included (0: none;
            filled in by a search that collapses events).
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
        "event_stories",
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
    event_stories: int

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
        event_stories: int = 0,
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
            event_stories=event_stories,
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
    events: bool = False,
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
        events: one hit per event (the best-ranked of the articles that report one
            happening, see ``aggregator events``), with the event's size; the total
            then counts events and stories alone.

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
                collapse=_one_per_event if events else None,
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
        if plan.table == "stories_cjk" and not scripts_index.exists(conn):
            # Not migrated yet (schema < 4), or no story with such text (the index
            # is created with the first): what stories_fts has is all there is.
            plan.table = "stories_fts"
        cands, exhausted = plan.candidates(need)
        groups = _events_of(conn, cands) if events else {}
        # Collapsing events drops hits: rank enough for the page to fill.
        rank = min(len(cands), 4 * need) if groups else need
        scores: dict[int, float] = {}
        when = recency_clock(now)
        if sort == "date":
            order = plan.by_date(cands, rank, complete=exhausted)
        else:
            order, scores = plan.by_relevance(cands, rank, now=when)
        stem = _stem_plan(conn, plan, flt)
        by_stem: set[int] = set()
        total = len(cands)
        if stem is not None:
            # The stories of stemmed languages found by another form of the words:
            # merged with the others by score (or date), counted once.
            more, done = stem.candidates(need)
            exhausted = exhausted and done
            by_stem = set(more).difference(cands)
            total += len(by_stem)
            if events and by_stem:
                groups.update(_events_of(conn, sorted(by_stem)))
            if sort == "date":
                extra = stem.by_date(more, rank, complete=done)
                dates = {**plan.dates(order), **stem.dates(extra)}
                order = heapq.nlargest(
                    rank, dict.fromkeys([*order, *extra]), key=lambda i: (order_key(dates[i]), i)
                )
            else:
                extra, more_scores = stem.by_relevance(more, rank, now=when)
                for story_id in extra:
                    scores[story_id] = max(scores.get(story_id, 0.0), more_scores[story_id])
                order = heapq.nlargest(
                    rank, dict.fromkeys([*order, *extra]), key=lambda i: (scores[i], i)
                )
        if groups:
            order = _one_per_event(order, groups)
            total = len({groups.get(i, (-i, 0))[0] for i in [*cands, *by_stem]})
        hits = _page(conn, plan, order[offset:need], scores, by_stem)
        if groups:
            hits = tuple(_with_event(h, groups) for h in hits)
    except sqlite3.Error as exc:
        raise SearchError(f"search failed: {exc}") from exc
    finally:
        conn.close()
    return SearchResults(total=total, hits=hits, exact_total=exhausted)


def _stem_plan(conn: sqlite3.Connection, plan: Plan, flt: Filters) -> Plan | None:
    """The search of ``stories_stem`` beside ``plan``, or ``None`` when it cannot add a story.

    Only for queries answered from ``stories_fts``, in archives with stories in
    stemmed languages (:mod:`aggregator.store.stem_index`); others never import
    the stemmers.
    """
    if plan.table != "stories_fts" or _schema(conn) < 7:
        return None
    try:  # created with the archive's first story in such a language
        if conn.execute("SELECT 1 FROM stories_stem_docsize LIMIT 1").fetchone() is None:
            return None
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        return None
    return Plan(conn, plan.query, to_fts5(plan.query, stemmed=True), flt, stemmed=True)


def _events_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Each given story's event and the event's size, for those in one (``{}``: no events)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'story_events'"
    ).fetchone()
    if found is None:
        return {}
    out: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for story_id, event_id, size in conn.execute(
            "SELECT e.story_id, e.event_id, v.stories FROM story_events e"
            f" JOIN events v ON v.id = e.event_id WHERE e.story_id IN ({marks})",
            list(chunk),
        ):
            out[story_id] = (event_id, size)
    return out


def _one_per_event(order: Sequence[int], groups: dict[int, tuple[int, int]]) -> list[int]:
    """The ranked ids with only the first (best) article of each event kept."""
    seen: set[int] = set()
    kept: list[int] = []
    for story_id in order:
        group = groups.get(story_id)
        if group is not None:
            if group[0] in seen:
                continue
            seen.add(group[0])
        kept.append(story_id)
    return kept


def _with_event(hit: SearchHit, groups: dict[int, tuple[int, int]]) -> SearchHit:
    group = groups.get(hit.id)
    if group is None:
        return hit
    fields = {n: getattr(hit, n) for n in SearchHit.__slots__}
    fields["event_stories"] = group[1]
    return SearchHit(**fields)


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
    low, high = date_bounds(conn, since, until)
    params = [low, high, *flt.params]
    if flt.ids is not None and len(flt.ids) <= _LATEST_BY_ID:
        # "+": the ids are looked up by rowid, not through the published index.
        conds = " AND ".join(["+s.published >= ? AND +s.published < ?", *flt.conds])

        def dated(ids: Sequence[int]) -> list[tuple[int | str, int]]:
            out: list[tuple[int | str, int]] = []
            for start in range(0, len(ids), 512):
                chunk = ids[start : start + 512]
                marks = ", ".join("?" * len(chunk))
                out += [
                    (r[1], r[0])
                    for r in conn.execute(
                        f"SELECT s.id, s.published FROM stories s WHERE s.id IN ({marks})"
                        f" AND {conds}",
                        [*chunk, *params],
                    )
                ]
            return out

        # The newest ids first (stories are archived roughly in date order): their
        # dates, then the stories archived before them but dated later than the
        # count-th of them (late arrivals, imports), found in the published index.
        ordered = sorted(flt.ids, reverse=True)
        m = min(len(ordered), max(2 * count, 64))
        found = dated(ordered[:m])
        while m < len(ordered):
            if len(found) >= count:
                floor = heapq.nlargest(count, found, key=_by_date)[-1][0]
                late = [
                    r[0]
                    for r in conn.execute(
                        "SELECT id FROM stories INDEXED BY stories_published"
                        " WHERE published > ? AND published < ? AND id < ? LIMIT ?",
                        (floor, high, ordered[m - 1], 4 * m + 1),
                    )
                ]
                if len(late) <= 4 * m:
                    found += dated(sorted(i for i in late if i in flt.ids))
                    break
            more = min(len(ordered), 4 * m)
            found += dated(ordered[m:more])
            m = more
        return [story_id for _, story_id in heapq.nlargest(count, found, key=_by_date)]
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


def _by_date(found: tuple[int | str, int]) -> tuple[tuple[bool, int | str], int]:
    """``(date, id)`` ordered as SQLite orders them."""
    return order_key(found[0]), found[1]


# -- the page -------------------------------------------------------------------------


def _page(
    conn: sqlite3.Connection,
    plan: Plan | None,
    ids: Sequence[int],
    scores: dict[int, float],
    by_stem: Collection[int] = (),
) -> tuple[SearchHit, ...]:
    """The shown hits: fields, sources and snippets, two statements in all.

    Args:
        conn: the connection.
        plan: the search, or ``None`` for :func:`latest` (snippets without highlights).
        ids: the page's stories, in order.
        scores: their relevance (missing: ``0.0``).
        by_stem: the stories found only in ``stories_stem`` (their snippets are
            cut from their text, with the words of the query's stems highlighted).
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
    if plan is None or plan.table != "stories_fts" or plan.prefix:
        # No snippet(): stories_cjk holds no text, and ``latest`` has no query.
        # A prefix would be expanded again (every posting of every word it
        # matches), which costs as much as the whole walk: the words that start
        # with it are found in the text instead.
        terms = highlight_terms(plan.query) if plan is not None else ()
        whole = plan is not None and plan.prefix
        for story_id, title, body, questions in conn.execute(
            f"SELECT id, title, body, questions FROM stories WHERE id IN ({marks})", ids
        ):
            snippets[story_id] = text_snippet((body, title, questions), terms, words_end=whole)
    else:
        snippets = {
            r[0]: _first_match(r[1:])
            for r in conn.execute(
                f"SELECT rowid, {_SNIPPET} FROM stories_fts"
                f" WHERE stories_fts MATCH ? AND rowid IN ({marks})",
                [plan.lean(plan.expr), *ids],
            )
        }
    stemmed = [i for i in ids if i in by_stem]
    if stemmed and plan is not None:
        terms = highlight_terms(plan.query)
        words = [w for term in terms for w in stem_tokens(term)]
        stem_marks = ", ".join("?" * len(stemmed))
        for story_id, title, body, questions, story_lang in conn.execute(
            f"SELECT id, title, body, questions, lang FROM stories WHERE id IN ({stem_marks})",
            stemmed,
        ):
            snippets[story_id] = text_snippet(
                (body, title, questions), terms, lang=story_lang, words=words
            )
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
                published=text_of_db(row[3]),
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


def _word_end(text: str, end: int) -> int:
    while end < len(text) and text[end].isalnum():
        end += 1
    return end


def _from_page(page: Page) -> SearchResults:
    """The results of a search or listing in a PostgreSQL archive (see :mod:`.pg.search`)."""
    hits = []
    for row in page.rows:
        fields = (row[7] or "", row[8] or "", row[9] or "")
        snippet, marks_at = text_snippet(fields, page.terms)
        # A prefix or a stem matched the word it starts: mark the whole word.
        marks_at = tuple((a, _word_end(snippet, b)) for a, b in marks_at)
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
                published=text_of_db(row[3]),
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
    if page.groups:
        hits = [_with_event(h, page.groups) for h in hits]
    return SearchResults(total=page.total, hits=tuple(hits), exact_total=page.exact)


def _first_match(marked: Sequence[str | None]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The first snippet with a highlight (body, title, questions), else the body's."""
    for text in marked:
        if text and HIGHLIGHT_START in text:
            return _highlights(text)
    return _highlights(marked[0] or "")


def text_snippet(
    fields: Sequence[str],
    terms: Sequence[str],
    *,
    lang: str = "",
    words: Sequence[str] = (),
    words_end: bool = False,
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet cut from a story's text, around the first field that has one of ``terms``.

    What ``snippet()`` does for ``stories_fts``, for the stories found in
    ``stories_cjk`` (which keeps no text) and for ``latest`` (no terms: the
    body's start). A term in a script written without spaces is found
    anywhere; another one where a word starts (any case).

    Args:
        fields: the texts in order of preference (body, title, questions).
        terms: the query's terms, lower-cased (:func:`~aggregator.search.query.highlight_terms`).
        lang: the story's language; when it is stemmed
            (:data:`~aggregator.search.stemming.STEM_LANGUAGES`), the words
            with the stem of one of ``words`` are found too.
        words: the query's words, for ``lang``.
        words_end: a highlight runs to the end of the word it starts (for
            prefixes: ``app*`` marks all of "Apple").

    Returns:
        The snippet (newlines as spaces, ``…`` where cut) and the character
        offsets of the terms in it.
    """
    chosen, found = fields[0] if fields else "", []
    for text in fields:
        found = _occurrences(text, terms, words_end=words_end)
        if lang in STEM_LANGUAGES and words:
            found = _merge_spans(found, stem_spans(text, lang, list(words)))
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


def _merge_spans(
    first: list[tuple[int, int]], second: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Both lists of spans, in order, without overlaps."""
    kept: list[tuple[int, int]] = []
    for span in sorted([*first, *second]):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _occurrences(
    text: str, terms: Sequence[str], *, words_end: bool = False
) -> list[tuple[int, int]]:
    """Where ``terms`` occur in ``text``, in order, without overlaps (see :func:`text_snippet`)."""
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
                end = at + len(term)
                while words_end and not anywhere and end < len(lower) and lower[end].isalnum():
                    end += 1
                spans.append((at, end))
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
        conn = sqlite3.connect(f"file:{where}?mode=ro", uri=True, factory=ArchiveConnection)
        conn.execute("PRAGMA busy_timeout = 10000")
        # Never migrated here: an older archive keeps its dates as text.
        conn.dates_as_text = keeps_text_dates(conn)
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
