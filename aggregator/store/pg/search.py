"""Full-text search on PostgreSQL: the same query language and results as SQLite's search.

The query is parsed by :mod:`aggregator.search.query` (the same parser as for
FTS5) and compiled to a ``tsquery``: each word or phrase is turned into
lexemes by PostgreSQL itself (``phraseto_tsquery`` in the ``aggregator``
configuration, after :data:`~aggregator.store.pg.schema.TEXT_FUNCTION`), so
a query is tokenized exactly as the stories were indexed and user text is
never ``tsquery`` syntax. ``title:``/``body:``/``questions:`` restrict lexemes
to weights A/B/C; ``prefix*`` is ``:*``; ``-word`` is ``!``; ``OR`` is ``|``.

Ordering follows SQLite's rules, with fewer candidates: they are the newest
:data:`CANDIDATES` matches by ``(published, id)`` (:func:`candidates`, which
reads the month partitions newest first), counted exactly below that;
relevance ranks them with ``ts_rank`` (title 1.0, body 0.1, questions 0.05:
the ratios of SQLite's bm25 weights) times the same recency factor; ``--sort
date`` is their order, so exact. Snippets are cut from the text around the
query's terms (body, else title, else questions), as SQLite's search does for
``stories_cjk``.

Where the engines differ (docs/scaling.md): SQLite's candidates are the
newest 2,000 by id (archive order), these the newest 500 by date;
``ts_rank`` weighs how often a word occurs, not how rare it is across the
archive (bm25's IDF), so among equally recent stories the order of hits can
differ; a term in a script
written without spaces matches whole runs of that script (SQLite's
``stories_cjk`` matches any two-character pair inside them).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aggregator.errors import ArchiveError, SearchError
from aggregator.search.query import _And, _Node, _Or, _parse, _Term, highlight_terms, to_fts5
from aggregator.store._searchplan import RECENCY_BOOST, RECENCY_HALF_LIFE_DAYS, recency_clock
from aggregator.store.pg import connection, partitions
from aggregator.store.pg.dialect import PgConnection
from aggregator.store.pg.schema import TEXT_FUNCTION, TITLE_SEARCH, TS_CONFIG

__all__ = [
    "CANDIDATES",
    "Compiled",
    "Page",
    "candidates",
    "compile_query",
    "compile_search",
    "latest",
    "search",
    "weighted",
]

Row = tuple[Any, ...]
"""A shown story: id, title, url, published, category, sources (one per line), lang,
its body, title and questions, its score, and
its links as ``(kind, url, type, length, duration)`` tuples."""


class Page:
    """What a search or a listing found: the count and the page's rows (see :data:`Row`)."""

    __slots__ = ("exact", "groups", "rows", "terms", "total")

    def __init__(self, total: int, exact: bool, rows: list[Row], *, terms: tuple[str, ...]) -> None:
        self.total = total
        self.exact = exact
        self.rows = rows
        self.terms = terms
        self.groups: dict[int, tuple[int, int]] = {}


_SORTS = ("relevance", "date")
_WEIGHTS = "'{0.0, 0.05, 0.1, 1.0}'::float4[]"  # D (unused), C questions, B body, A title
_COLUMN_WEIGHT = {"title": "A", "body": "B", "questions": "C"}
_LEXEME = re.compile(r"'((?:[^']|'')*)'(:\*)?")
_SOURCES = (
    "(SELECT string_agg(name, chr(10) ORDER BY first) FROM (SELECT"
    " COALESCE(NULLIF(f.config_title, ''), NULLIF(f.title, ''), f.url,"
    " NULLIF(so.feed_url, ''), 'imported') AS name, min(so.id) AS first"
    " FROM sources so LEFT JOIN feeds f ON f.id = so.feed_id WHERE so.story_id = s.id"
    " GROUP BY 1) AS names)"
)


_LINKS = (
    "(SELECT json_agg(json_build_array(l.kind, l.url, l.type, l.length, l.duration)"
    " ORDER BY l.id) FROM story_links l WHERE l.story_id = s.id)"
)


def weighted(tsquery: str, weight: str, *, prefix: bool = False) -> str:
    """Restrict every lexeme of a ``tsquery`` text to a weight; make the last one a prefix.

    Args:
        tsquery: a ``tsquery`` as PostgreSQL prints it (``'rust' <-> 'async'``).
        weight: ``A``, ``B``, ``C`` or ``""`` (any).
        prefix: the last lexeme matches as a prefix.

    Returns:
        The ``tsquery`` text.
    """
    found = list(_LEXEME.finditer(tsquery))
    out, pos = [], 0
    for i, m in enumerate(found):
        star = "*" if m.group(2) or (prefix and i == len(found) - 1) else ""
        label = f":{star}{weight}" if star or weight else ""
        out.append(tsquery[pos : m.start()] + f"'{m.group(1)}'{label}")
        pos = m.end()
    return "".join(out) + tsquery[pos:]


class Compiled:
    """A query compiled for PostgreSQL.

    Attributes:
        full: the ``tsquery`` over ``stories.search`` (``""``: nothing can match).
        positive: the one of its positive terms only, for ranking.
        title: a ``tsquery`` over the title alone (:data:`TITLE_SEARCH`, without
            weights) that every match satisfies: the whole query when each of
            its terms is a ``title:`` term, else the ``title:`` terms it
            requires; ``""`` when it has none.
        title_only: ``title`` is the whole query (a story matches exactly when
            its title does, so ``stories.search`` need not be read to check).
    """

    __slots__ = ("full", "positive", "title", "title_only")

    def __init__(self, full: str, positive: str, title: str, title_only: bool) -> None:
        self.full = full
        self.positive = positive
        self.title = title
        self.title_only = title_only


def compile_query(conn: PgConnection, query: str) -> tuple[str, str]:
    """The ``tsquery`` of a query, and the one of its positive terms only (for ranking).

    Args:
        conn: a connection (PostgreSQL turns the terms into lexemes).
        query: what the user typed.

    Returns:
        ``(tsquery text, positive tsquery text)``; ``("", "")`` when no term
        has anything PostgreSQL indexes (punctuation only, say).

    Raises:
        InvalidQueryError: the query is empty or only excludes.
    """
    compiled = compile_search(conn, query)
    return compiled.full, compiled.positive


def compile_search(conn: PgConnection, query: str) -> Compiled:
    """As :func:`compile_query`, with the query's condition on the title (:class:`Compiled`)."""
    tree, terms = _terms(query)
    row = conn.execute(f"SELECT {_lexemes_sql(terms)}", [t.text for t in terms]).fetchone()
    return _compiled(tree, terms, row or ())


def _terms(query: str) -> tuple[_And, list[_Term]]:
    """The parsed query and its terms, in the order :func:`_lexemes_sql` asks for them."""
    to_fts5(query)  # the same errors as on SQLite (empty, only exclusions)
    tree = _parse(query)
    terms: list[_Term] = []
    _collect(tree, terms)
    return tree, terms


def _lexemes_sql(terms: Sequence[_Term]) -> str:
    """The select list that has PostgreSQL turn each term (one ``?`` each) into a ``tsquery``."""
    return ", ".join(f"phraseto_tsquery('{TS_CONFIG}', {TEXT_FUNCTION}(?))::text" for _ in terms)


def _compiled(tree: _And, terms: Sequence[_Term], row: Sequence[Any]) -> Compiled:
    """The :class:`Compiled` query from its terms' ``tsquery`` texts (``row``, in term order)."""
    lexemes = {id(t): str(q or "") for t, q in zip(terms, row, strict=True)}
    full = _render(tree, lexemes, positive_only=False)
    positive = _render(tree, lexemes, positive_only=True)
    title_only = bool(full) and all(t.column == "title" for t in terms)
    if title_only:
        title = _render(tree, lexemes, positive_only=False, weights=False)
    else:  # the title: terms every match has (those the top level requires)
        required = [
            _render(t, lexemes, positive_only=False, weights=False)
            for t in tree.positives
            if isinstance(t, _Term) and t.column == "title"
        ]
        title = " & ".join(r for r in required if r) if full else ""
    return Compiled(full, positive, title, title_only)


def _collect(node: _Node, out: list[_Term]) -> None:
    if isinstance(node, _Term):
        out.append(node)
    elif isinstance(node, _Or):
        for child in node.children:
            _collect(child, out)
    else:
        for child in (*node.positives, *node.negatives):
            _collect(child, out)


def _render(
    node: _Node, lexemes: dict[int, str], *, positive_only: bool, weights: bool = True
) -> str:
    """The ``tsquery`` of a parsed query; ``weights=False`` drops the columns' weights."""
    if isinstance(node, _Term):
        text = lexemes[id(node)]
        if not text:
            return ""
        weight = _COLUMN_WEIGHT.get(node.column or "", "") if weights else ""
        return "(" + weighted(text, weight, prefix=node.prefix) + ")"
    if isinstance(node, _Or):
        parts = [
            _render(c, lexemes, positive_only=positive_only, weights=weights) for c in node.children
        ]
        kept = [p for p in parts if p]
        return "(" + " | ".join(kept) + ")" if kept else ""
    positives = [
        _render(c, lexemes, positive_only=positive_only, weights=weights) for c in node.positives
    ]
    if any(not p for p in positives):
        return ""  # a required word that nothing can contain: no story matches
    expr = " & ".join(positives)
    if not positive_only:
        negatives = [
            _render(c, lexemes, positive_only=False, weights=weights) for c in node.negatives
        ]
        negatives = [n for n in negatives if n]
        if negatives:
            expr += " & !(" + " | ".join(negatives) + ")"
    return "(" + expr + ")"


def _open(url: str) -> PgConnection:
    """A pooled read-only connection (autocommit) to the archive's database."""
    return PgConnection(connection.borrow(url, readonly=True), connection.describe(url))


def _why(conn: PgConnection, exc: ArchiveError) -> ArchiveError:
    """The error to raise for a failed statement: "no archive" when there is none.

    Whether the database holds an archive is asked only after a failure (a
    round trip fewer on every search); the connection is in autocommit, so a
    failed statement leaves it usable.
    """
    if "connect" in str(exc):
        return exc
    try:
        exists = conn.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename = 'aggregator_meta'"
        ).fetchone()
    except ArchiveError:
        return exc
    if exists is None:
        return ArchiveError(f"no archive in {conn.where} (run 'aggregator fetch' first)")
    return exc


def _filters(
    conn: PgConnection,
    *,
    since: datetime | None,
    until: datetime | None,
    category: str | None,
    feed: str | None,
    feed_ids: list[int] | None = None,
) -> tuple[list[str], list[Any]] | None:
    """SQL conditions on ``stories s`` for the filters, or ``None`` when nothing can pass.

    ``feed_ids``: the feeds ``feed`` names when already looked up (else they are here).
    """
    conds: list[str] = []
    params: list[Any] = []
    if since is not None:
        conds.append("s.published >= ?")
        params.append(_date(since))
    if until is not None:
        conds.append("s.published < ?")
        params.append(_date(until))
    if category:
        conds.append("s.category = ?")
        params.append(category.strip().upper())
    if feed:
        if feed_ids is None:
            feed_ids = _feed_ids(conn, feed)
        if feed_ids:
            marks = ", ".join("?" * len(feed_ids))
            conds.append(
                "EXISTS (SELECT 1 FROM sources so WHERE so.story_id = s.id"
                f" AND so.feed_id IN ({marks}))"
            )
            params += feed_ids
        else:  # a removed feed: its sources keep its URL
            conds.append(
                "EXISTS (SELECT 1 FROM sources so WHERE so.story_id = s.id"
                " AND so.feed_id IS NULL AND so.feed_url = ?)"
            )
            params.append(feed)
    return conds, params


_FEEDS_NAMED = (
    "SELECT id FROM feeds WHERE url = ? OR config_url = ? OR id = ?"
    " OR strpos(lower(title), lower(?)) > 0"
    " OR strpos(lower(config_title), lower(?)) > 0"
)


def _feeds_named(feed: str) -> list[Any]:
    """The parameters of :data:`_FEEDS_NAMED` for what ``--feed`` says."""
    number = int(feed) if feed.isascii() and feed.isdigit() else -1
    return [feed, feed, number, feed, feed]


def _feed_ids(conn: PgConnection, feed: str) -> list[int]:
    """The feeds ``--feed`` names: by URL, id or a part of the title."""
    return [int(r[0]) for r in conn.execute(_FEEDS_NAMED, _feeds_named(feed))]


FEED_STORIES = 50_000
"""Up to this many stories, a ``--feed`` search looks among the feed's stories by id.

Past it (a feed holding much of the archive) the feed is checked per story
instead, while walking or after the GIN index: its stories are then dense
enough among the others.
"""


class _Prelude:
    """What a search reads before it can plan, read in one statement (one round trip).

    Attributes:
        compiled: the query (:func:`compile_search`).
        parts: the partitions of ``stories`` (:func:`partitions.partitions`).
        feed_ids: the feeds ``--feed`` names (``None`` without ``--feed``).
        dated: the ``(id, published)`` of their stories within the dates asked
            for, newest first; ``None`` without ``--feed`` or past
            :data:`FEED_STORIES` (read from the index ``sources_feed_story
            (feed_id, story_id)``, the dates from ``story_ids``; a removed
            feed's stories by the URL its sources keep).
    """

    __slots__ = ("compiled", "dated", "feed_ids", "parts")

    def __init__(
        self,
        conn: PgConnection,
        query: str,
        *,
        feed: str | None,
        bounds: Sequence[tuple[str, str]],
    ) -> None:
        tree, terms = _terms(query)
        params: list[Any] = [t.text for t in terms]
        head = ""
        select = [
            _lexemes_sql(terms),
            "(SELECT json_agg(json_build_array(p.name, p.bound, p.size)) FROM"
            f" ({partitions.PARTITIONS_SQL}) AS p(name, bound, size))",
        ]
        if feed:
            head = (
                f"WITH f AS ({_FEEDS_NAMED}), st AS ((SELECT story_id FROM sources"
                " WHERE feed_id IN (SELECT id FROM f) UNION SELECT story_id FROM sources"
                " WHERE feed_id IS NULL AND feed_url = ? AND NOT EXISTS (SELECT 1 FROM f))"
                " LIMIT ?) "
            )
            params = [*_feeds_named(feed), feed, FEED_STORIES + 1, *params]
            select += [
                "(SELECT json_agg(id) FROM f)",
                f"(SELECT count(*) FROM st) <= {FEED_STORIES}",
                "(SELECT json_agg(json_build_array(i.id, i.published)"
                " ORDER BY i.published DESC, i.id DESC) FROM story_ids i"
                " WHERE i.id = ANY(ARRAY(SELECT story_id FROM st))"
                + "".join(f" AND i.{sql}" for sql, _ in bounds)
                + f" AND (SELECT count(*) FROM st) <= {FEED_STORIES})",
            ]
            params += [value for _, value in bounds]
        row = conn.execute(f"{head}SELECT {', '.join(select)}", params).fetchone() or ()
        self.compiled = _compiled(tree, terms, row[: len(terms)])
        rest = [_json(v) for v in row[len(terms) :]]
        self.parts = partitions.from_rows(rest[0] or [])
        self.feed_ids: list[int] | None = None
        self.dated: list[tuple[int, str]] | None = None
        if feed:
            self.feed_ids = [int(i) for i in rest[1] or []]
            if rest[2] in (True, "t", "true"):
                self.dated = [(int(i), str(p)) for i, p in rest[3] or []]


def _json(value: Any) -> Any:
    """A JSON column's value (the connection may read it as text)."""
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


CANDIDATES = 500
"""Relevance ranks at most this many matches, the newest by date (more when paging deeper).

SQLite ranks the newest 2,000 (:data:`aggregator.store._searchplan.CANDIDATES`);
here each candidate costs a read of its ``tsvector`` out of line (TOAST)
twice, to check and to rank it, so fewer keep a common word's search within
50 ms at a million stories. The count says "at least" past it, as on SQLite.
"""


def search(
    url: str,
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
    collapse: Callable[[Sequence[int], dict[int, tuple[int, int]]], list[int]] | None = None,
) -> Page:
    """Search the archive in a PostgreSQL database.

    Arguments as :func:`aggregator.store.search.search`; ``collapse``, for
    ``--events``, keeps the first story of each event in the ranked ids (the
    page's ``groups`` then say each story's event and its size).

    Raises:
        InvalidQueryError: the query has nothing to search for.
        SearchError: bad arguments, or the archive cannot be searched.
        ArchiveError: there is no archive in the database, or no server.
    """
    if sort not in _SORTS:
        raise SearchError(f"unknown sort {sort!r} (allowed: {', '.join(_SORTS)})")
    if limit < 1 or offset < 0:
        raise SearchError("--limit must be at least 1 and --offset not negative")
    to_fts5(query)
    need = offset + limit
    conn = _open(url)
    span = [("published >= ?", since), ("published < ?", until)]
    bounds = [(sql, _date(value)) for sql, value in span if value is not None]
    try:
        prelude = _Prelude(conn, query, feed=feed, bounds=bounds)
        compiled = prelude.compiled
        flt = _filters(
            conn,
            since=since,
            until=until,
            category=category,
            feed=feed if prelude.dated is None else None,
            feed_ids=prelude.feed_ids,
        )
        if not compiled.full or flt is None:
            return Page(0, True, [], terms=())
        conds, params = flt
        want = max(CANDIDATES, need)
        cands = candidates(
            conn,
            compiled.full,
            conds,
            params,
            want + 1,
            rank=compiled.positive if sort == "relevance" else "",
            since=_date(since) if since else None,
            until=_date(until) if until else None,
            title=compiled.title,
            title_only=compiled.title_only,
            dated=prelude.dated,
            parts=prelude.parts,
        )
        exhausted = len(cands) <= want
        cands = cands[:want]
        published = {int(r[0]): str(r[1]) for r in cands}
        scores: dict[int, float] = {}
        if sort == "date":  # the candidates are the newest matches, in date order
            order = [int(r[0]) for r in cands]
        else:
            order, scores = _by_relevance(cands, recency_clock(now))
        groups: dict[int, tuple[int, int]] = {}
        total = len(cands)
        if collapse is not None:
            groups = _events_of(conn, [int(r[0]) for r in cands])
            if groups:
                order = collapse(order, groups)
                total = len({groups.get(int(r[0]), (-int(r[0]), 0))[0] for r in cands})
        shown = order[offset:need]
        rows = _page(conn, [(i, published[i]) for i in shown], scores)
    except ArchiveError as exc:
        why = _why(conn, exc)
        if why is not exc or "connect" in str(exc):
            raise why from None
        raise SearchError(f"search failed: {exc}") from exc
    finally:
        _close(url, conn)
    page = Page(total, exhausted, rows, terms=highlight_terms(query))
    page.groups = groups
    return page


# Costs the candidate plans compare, in microseconds (measured at 100k-1M stories
# on a busy two-core machine; only their ratios matter).
_WALK_US = 13.0  # checking one story while walking the date index (its tsvector read)
_MATCH_US = 3.0  # one match of a GIN bitmap (its row read, the tsvector not)
_RECHECK_US = 11.0  # more per match when the index cannot decide (phrase, column)
_FEW = 2.0  # a query matching at most this many times the count: one bitmap over all
_AHEAD = 2.0  # partitions in a statement: until this many times the count is expected
_TITLE_S = TITLE_SEARCH.replace("(title)", "(s.title)")  # of the story ``s``
_SET_LOCAL = ("SET LOCAL enable_seqscan = off", "SET LOCAL jit = off")
_SETTINGS = "".join(f"{s}; " for s in _SET_LOCAL).rstrip()
_AMONG_BITMAP = 0.05  # up to this density, a feed's stories are checked by bitmaps
_BATCH = 50  # stories more in each batch of a list of ids than the matches should need
_PHRASE = 0.25  # the share of the stories holding a phrase's words assumed to hold it
_SLICE = 0.5  # a bitmap of a month's newest stories only when they are at most this share
_SLICE_MIN = 100  # stories more in such a slice than the matches wanted should need
_EDGES = (1_000, 2_000, 4_000, 8_000)  # the sizes of those slices (each costs its index scan)
_HEADS = 1  # the newest months whose slices are looked up
_SAMPLE = 300  # the newest stories of a month read to measure a lazy query (see candidates)
_COUNT_UP_TO = 200  # a word's matches in the sample month counted up to this many
_SAMPLE_HITS = 10  # matches among them enough to measure it by
_COUNTED = 10_000  # up to this many stories in the sample month, a lazy query's matches are counted
_PHRASES = re.compile(r"<\d*-?>")  # phrase operators
_LABEL = re.compile(r":?[A-D]+")  # weight labels after a lexeme
_RECHECKED = re.compile(r"<\d*-?>|:\*?[ABC]")  # phrase operators, weight labels


def candidates(
    conn: PgConnection,
    tsquery: str,
    conds: Sequence[str],
    params: Sequence[Any],
    count: int,
    *,
    rank: str = "",
    since: str | None = None,
    until: str | None = None,
    title: str = "",
    title_only: bool = False,
    dated: Sequence[tuple[int, str]] | None = None,
    parts: Sequence[partitions.Partition] | None = None,
) -> list[tuple[Any, ...]]:
    """The ``count`` newest matches by date: ``(id, published[, rank])``, newest first.

    ``dated``: when given, the matches are looked for among these stories
    only, ``(id, published)`` newest first (a feed's, within the dates asked
    for). ``parts``: the partitions of ``stories`` when already read.

    Newest means by ``(published, id)``: stories are partitioned by month of
    ``published`` (:mod:`~aggregator.store.pg.partitions`), so the newest
    matches are in the newest partitions, and a date bound skips the
    partitions outside it. Two ways to read a partition's newest matches:

    - **walk** its ``(published, id)`` index newest first, checking each
      story's ``tsvector`` (read out of line, about 13 us), until enough
      match: cheap for a common word, whose matches are dense;
    - **bitmap**: the matches from its GIN index (a row read each; the
      ``tsvector`` too when the index cannot decide: phrases, columns), then
      the newest: cheap for a rarer word. When the month is large, its
      newest stories first (from the date where they start, read with the
      estimate: the date index's bitmap ANDed with the GIN one), then the
      older ones, read only when those were not enough.

    The density of the query (the planner's estimate of its matches in one
    partition, over its stories, or measured for a query the index cannot
    decide) picks one per partition; a month counts by the share of its time
    inside the dates asked for. The partitions go
    into one statement, newest first, as a ``UNION ALL`` under a ``LIMIT``:
    PostgreSQL runs them in order and stops once enough rows came, so the
    older partitions cost their planning only. Each branch is written so
    that only its plan is possible (the walk's match is ``ts_match_vq()``,
    which no index serves; the bitmap's order is ``published || ''``, which
    no index gives; sequential scans are off): the planner, seeing the
    ``LIMIT``, would walk for rare words too. A query with few matches in all
    is one bitmap over every partition in the range. Stories in the default
    partition (dated in months without one) are merged by date. ``ts_rank``
    (``rank``: the positive ``tsquery``, or ``""`` for none) is computed for
    the rows returned only. Each statement is one round trip: on a busy
    machine each costs more than the work. The result is exactly the
    ``count`` newest matches whichever plans ran (``tests/search`` compares
    it with the plain query).
    """
    cond = " AND ".join(conds)
    # What a story must match: stories.search, or its title's tsvector when the
    # query is about the title only; a title: term the query requires is what
    # the bitmap looks up (the title's index), stories.search checked after.
    if title_only:
        walk_match, walk_values = f"ts_match_vq({_TITLE_S}, ?::tsquery)", [title]
        gin_match, gin_values = f"{_TITLE_S} @@ ?::tsquery", [title]
    elif title:
        walk_match, walk_values = "ts_match_vq(s.search, ?::tsquery)", [tsquery]
        gin_match = f"{_TITLE_S} @@ ?::tsquery AND s.search @@ ?::tsquery"
        gin_values = [title, tsquery]
    else:
        walk_match, walk_values = "ts_match_vq(s.search, ?::tsquery)", [tsquery]
        gin_match, gin_values = "s.search @@ ?::tsquery", [tsquery]
    walk_where = walk_match + (f" AND {cond}" if cond else "")
    gin_where = gin_match + (
        " AND " + cond.replace("s.published ", "(s.published || '') ") if cond else ""
    )
    known = partitions.partitions(conn) if parts is None else parts
    ranged = [
        p
        for p in known
        if p.low is None
        or ((until is None or p.low < until) and (since is None or (p.high or "") > since))
    ]
    months = [p for p in ranged if p.low is not None]
    default = [p for p in ranged if p.low is None]
    inside = {p.name: p.size * _overlap(p, since, until) for p in ranged}  # stories in range
    stories = max(1.0, sum(inside.values()))
    # The query's density among the newest stories: in the largest of the three
    # newest partitions that hold any (the coming months' are empty), by its
    # stories inside the dates asked for (a month a bound only touches is no sample).
    filled = [p for p in months if p.size > 0][:3] or ranged
    sample = max(filled, key=lambda p: (inside[p.name], p.size))
    # Lazy: the bitmap is of a query the GIN indexes decide alone (the words
    # anywhere, the title: terms in the title), and the query itself is checked
    # on its newest rows only, as many as needed.
    lazy = "!" not in tsquery and (
        (bool(title) and not title_only) or (not title and _RECHECKED.search(tsquery) is not None)
    )
    superset = _superset(tsquery) if lazy else ""
    lazy_values = [*([title] if title else []), superset, *params]  # gin_where's, loosened
    # Of the stories matching the bitmap's query, the share that match the query.
    share = _PHRASE if _PHRASES.search(tsquery) else 1.0
    # Where the newest stories of the newest months start (read with the
    # estimate, in the same round trip): a bitmap then reads only those.
    dates, date_values = _only_dates(conds, params)
    heads = [p for p in months if p.size > 0 and inside[p.name] > 0][:_HEADS]
    # Only the slices a month can have (at most half of it: see pick).
    sizes = [k for k in _EDGES if heads and k <= _SLICE * inside[heads[0].name]]
    edges = _edges(heads, sizes, dates, date_values) if sizes else None
    if lazy:
        # The planner's guess for words outside its statistics can be far off
        # either way ('vision' & 'pro': 17 a month guessed, 700 found), and it
        # cannot guess a phrase's share of its words. In a small month (or for
        # a title: term) the words' matches are counted and the query checked
        # on the newest 100 of them; in a large one both are measured on its
        # newest stories (each read back: a bounded cost), and the matches
        # counted only when too few of them are there (a rare query: counting
        # its matches is cheap).
        checked = _SAMPLE_HITS * 10
        loose = "s.search @@ ?::tsquery" + (f" AND {_TITLE_S} @@ ?::tsquery" if title else "")
        loose += f" AND {cond}" if cond else ""
        loose_values = [superset, *([title] if title else []), *params]
        # A title: term's matches are few (the title's index finds them).
        small = sample.size <= _COUNTED or bool(title)
        first_rows, edge_rows = _together(
            conn,
            [
                (
                    f"SELECT count(*), count(*) FILTER (WHERE x.n <= {checked} AND"
                    " ts_match_vq(x.search, ?::tsquery)) FROM (SELECT s.search, row_number()"
                    " OVER (ORDER BY s.published || '' DESC, s.id DESC) AS n"
                    f" FROM {sample.name} s WHERE {gin_where}) AS x",
                    [tsquery, *lazy_values],
                )
                if small
                else (
                    f"SELECT count(*), count(*) FILTER (WHERE {loose}), count(*) FILTER"
                    f" (WHERE {loose} AND ts_match_vq(s.search, ?::tsquery)) FROM (SELECT *"
                    f" FROM {sample.name} s ORDER BY s.published DESC, s.id DESC"
                    f" LIMIT {_SAMPLE}) AS s",
                    [*loose_values, *loose_values, tsquery],
                ),
                edges,
            ],
        )
        seen = [float(v) for v in (first_rows[0] if first_rows else (0, 0, 0))]
        if small:
            rows = seen[0]
            if rows:
                share = max(seen[1], 0.5) / min(rows, checked)
        elif seen[1] >= _SAMPLE_HITS:
            rows = seen[1] / seen[0] * sample.size
            share = max(seen[2], 0.5) / seen[1]
        else:
            total = conn.execute(
                f"{_SETTINGS} SELECT count(*) FROM {sample.name} s WHERE {gin_where}",
                lazy_values,
            ).fetchone()
            rows = float(total[0]) if total else 1.0
    else:
        # Without the date bounds: the months' overlap with them is counted
        # apart (_overlap), and the planner would guess a third for each.
        other, other_values = _without_dates(conds, params)
        match = " AND ".join([gin_match, *other])
        # And the matches counted up to _COUNT_UP_TO: a rare word's count
        # replaces the planner's guess ('raorno': 108 a month guessed, 12
        # found), which cost a statement per dozen months.
        first_rows, few_rows, edge_rows = _together(
            conn,
            [
                (
                    f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {sample.name} s WHERE {match}",
                    [*gin_values, *other_values],
                ),
                (
                    f"SELECT count(*) FROM (SELECT 1 FROM {sample.name} s WHERE {match}"
                    f" LIMIT {_COUNT_UP_TO}) AS x",
                    [*gin_values, *other_values],
                ),
                edges,
            ],
        )
        plan = first_rows[0] if first_rows else None
        rows = float(json.loads(plan[0])[0]["Plan"]["Plan Rows"]) if plan else 1.0
        if few_rows and int(few_rows[0][0]) < _COUNT_UP_TO:
            rows = float(few_rows[0][0])
    edge_row = edge_rows[0] if edge_rows else ()
    edge_at = {
        p.name: [(k, v) for k, v in zip(sizes, edge_row[i * len(sizes) :], strict=False) if v]
        for i, p in enumerate(heads)
    }
    density = min(1.0, max(rows, 1.0) / max(sample.size, 1.0))
    if title and not title_only:  # each match of the title read back for the rest
        per_match = _MATCH_US + _RECHECK_US
    else:
        per_match = _MATCH_US + (_RECHECK_US if _RECHECKED.search(title or tsquery) else 0.0)
    # A phrase or a column the GIN index cannot decide: the bitmap is of a query
    # it can (the words, anywhere), its matches sorted by date and only as many
    # checked as needed (their tsvector read), not every one of them.
    matches = density * share
    head = (
        f"SELECT c.id, c.published{f', ts_rank({_WEIGHTS}, c.search, ?::tsquery)' if rank else ''}"
    )
    first = [rank] if rank else []

    def walk(table: str) -> tuple[str, list[Any]]:
        return (
            f"(SELECT s.id, s.published, s.search FROM {table} s WHERE {walk_where}"
            " ORDER BY s.published DESC, s.id DESC LIMIT ?)",
            [*walk_values, *params, count],
        )

    def one(table: str, bound: str, bound_values: list[Any]) -> tuple[str, list[Any]]:
        where = gin_where + bound
        if lazy:  # OFFSET 0: the check stays above the sort, stopped by the LIMIT
            return (
                "(SELECT * FROM (SELECT s.id, s.published, s.search FROM"
                f" {table} s WHERE {where} ORDER BY s.published || '' DESC, s.id DESC"
                " OFFSET 0) AS b WHERE ts_match_vq(b.search, ?::tsquery) LIMIT ?)",
                [*lazy_values, *bound_values, tsquery, count],
            )
        return (
            f"(SELECT s.id, s.published, s.search FROM {table} s WHERE {where}"
            " ORDER BY s.published || '' DESC, s.id DESC LIMIT ?)",
            [*gin_values, *params, *bound_values, count],
        )

    def bitmap(table: str, edge: str = "") -> tuple[str, list[Any]]:
        if not edge:
            return one(table, "", [])
        # The partition's newest stories first (from ``edge`` on: the date
        # index's bitmap ANDed with the query's), then the older ones, read
        # only when those were not enough.
        recent = one(table, " AND s.published >= ?", [edge])
        older = one(table, " AND s.published < ?", [edge])
        return f"{recent[0]} UNION ALL {older[0]}", [*recent[1], *older[1]]

    def bitmap_us(size: float, remaining: float) -> float:
        if lazy:  # every row of the words read (not its tsvector), the newest checked
            return (
                density * size * _MATCH_US
                + min(density * size, remaining / matches * density) * _WALK_US
            )
        return density * size * per_match

    def run(sql: str, values: list[Any]) -> list[tuple[Any, ...]]:
        # No JIT: the forced plans' estimates pass jit_above_cost, and compiling
        # the expressions of forty partitions took a second at 1M stories.
        return [tuple(r) for r in conn.execute(f"{_SETTINGS} {sql}", values)]

    if dated is not None:  # among the given stories only, newest first
        where, values = (
            (gin_where, [*gin_values, *params])
            if density <= _AMONG_BITMAP
            else (walk_where, [*walk_values, *params])
        )
        return _among(run, head, first, where, values, dated, known, density, count)
    if density * stories <= _FEW * count:  # few: one bitmap over every partition in the range
        sql, values = bitmap("stories")
        where = gin_where.replace("(s.published || '') ", "s.published ")  # prunes partitions
        sql = sql.replace(gin_where, where)
        return run(f"{head} FROM {sql} AS c", [*first, *values])

    def pick(part: partitions.Partition, remaining: float) -> tuple[str, list[Any]]:
        # A walk starts at the dates asked for; a bitmap reads the month's every
        # match, or those among its newest stories that should hold what is wanted.
        need = _AHEAD * remaining / matches + _SLICE_MIN
        newest, edge = next(
            (
                (k, v)
                for k, v in edge_at.get(part.name, [])
                if need <= k <= _SLICE * inside[part.name]
            ),
            (part.size, ""),
        )
        walk_us = min(inside[part.name], remaining / matches) * _WALK_US
        walking = walk_us < bitmap_us(newest, remaining)
        return walk(part.name) if walking else bitmap(part.name, edge)

    extra = [pick(p, count) for p in default]
    return _newest(
        run,
        head,
        first,
        months,
        extra,
        pick,
        lambda part: matches * inside[part.name],
        count,
    )


def _among(
    run: Callable[[str, list[Any]], list[tuple[Any, ...]]],
    head: str,
    first: list[Any],
    where: str,
    values: list[Any],
    dated: Sequence[tuple[int, str]],
    parts: Sequence[partitions.Partition],
    density: float,
    count: int,
) -> list[tuple[Any, ...]]:
    """The ``count`` newest matches among the stories ``dated`` (see :func:`candidates`).

    ``dated``: ``(id, published)`` of the stories, newest first (``story_ids``
    gives each story's date); ``where``: the match on ``stories s`` (the one
    the GIN indexes serve up to :data:`_AMONG_BITMAP`, else the walk's), with
    ``values``; ``parts``: the partitions of ``stories``.

    The stories are taken a batch at a time (as many as should hold the
    matches still wanted). Each story's date names its partition, so a
    batch is one bitmap per partition: the bitmap of its stories' ids (the
    primary key) and the query's GIN bitmap, ANDed, so only the stories that
    match are read (a story that does not is never read back, nor its
    ``tsvector``; a phrase or a column is checked on those the index keeps).
    For a query denser than :data:`_AMONG_BITMAP` (a common word: building
    its GIN bitmap in forty months costs more than reading the stories),
    each batch is joined on ``(id, published)`` to ``stories``, which prunes
    every other partition at run time, and each story is checked.
    """
    ranges = sorted((p.low, p.high or "", p.name) for p in parts if p.low is not None)
    lows = [low for low, _, _ in ranges]
    default = next((p.name for p in parts if p.low is None), partitions.DEFAULT)

    def partition_of(published: str) -> str:
        i = bisect.bisect_right(lows, published) - 1
        if i >= 0 and published < ranges[i][1]:
            return ranges[i][2]
        return default

    found: list[tuple[Any, ...]] = []
    start = 0
    while start < len(dated) and len(found) < count:
        size = int((count - len(found)) / max(density, 1e-6) * _AHEAD) + _BATCH
        batch = dated[start : start + size]
        start += size
        if density > _AMONG_BITMAP:  # each story read and checked: most of them match
            found += run(
                "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;"
                f" {head} FROM (SELECT s.id, s.published, s.search"
                " FROM unnest(?::bigint[], ?::text[]) AS f(id, published)"
                f" JOIN stories s ON s.id = f.id AND s.published = f.published WHERE {where})"
                " AS c ORDER BY c.published DESC, c.id DESC LIMIT ?",
                [*first, [r[0] for r in batch], [r[1] for r in batch], *values, count - len(found)],
            )
            continue
        groups: dict[str, list[int]] = {}
        for story_id, published in batch:
            groups.setdefault(partition_of(published), []).append(story_id)
        union = " UNION ALL ".join(
            f"(SELECT s.id, s.published, s.search FROM {name} s"
            f" WHERE s.id = ANY(?::bigint[]) AND {where})"
            for name in groups
        )
        found += run(
            "SET LOCAL enable_indexscan = off; SET LOCAL max_parallel_workers_per_gather = 0;"
            f" {head} FROM ({union}) AS c ORDER BY c.published DESC, c.id DESC LIMIT ?",
            [*first, *(v for ids in groups.values() for v in (ids, *values)), count - len(found)],
        )
    return found[:count]


def _newest(
    run: Callable[[str, list[Any]], list[tuple[Any, ...]]],
    head: str,
    first: list[Any],
    todo: list[partitions.Partition],
    extra: list[tuple[str, list[Any]]],
    pick: Callable[[partitions.Partition, float], tuple[str, list[Any]]],
    expect: Callable[[partitions.Partition], float],
    count: int,
) -> list[tuple[Any, ...]]:
    """The ``count`` newest rows of the partitions' branches (see :func:`candidates`).

    ``todo``: the dated partitions, newest first; ``pick``: a partition's branch
    given how many rows are still wanted; ``expect``: its expected matches;
    ``extra``: the default partition's branches, merged by date.

    A statement takes partitions until they should hold :data:`_AHEAD` times
    the rows still wanted; once a statement has found fewer than expected
    (the planner's guess for a word outside its statistics can be ten times
    too many), the expectations are scaled by what was found, so that the
    next statement takes enough partitions at once (not one more round trip
    per guess).
    """
    found: list[tuple[Any, ...]] = []
    seen_expected, seen_found = 0.0, 0
    while todo or extra:
        factor = min(1.0, max(seen_found, 1) / seen_expected) if seen_expected else 1.0
        wanted = max(1.0, count - len(found))
        branches: list[tuple[str, list[Any]]] = []
        expected = 0.0
        while todo and (expected * factor < _AHEAD * wanted or not branches):
            part = todo.pop(0)
            branches.append(pick(part, max(1.0, wanted - expected * factor)))
            expected += expect(part)
        union = " UNION ALL ".join(b[0] for b in branches)
        values = [v for b in branches for v in b[1]]
        sql = f"(SELECT * FROM ({union}) AS dated LIMIT ?)" if branches else ""
        if branches:
            values.append(count)
        if extra:
            sql = " UNION ALL ".join([*([sql] if sql else []), *(e[0] for e in extra)])
            values += [v for e in extra for v in e[1]]
            extra = []
        got = run(
            f"{head} FROM ({sql}) AS c ORDER BY c.published DESC, c.id DESC LIMIT ?",
            [*first, *values, count],
        )
        seen_expected += expected
        seen_found += len(got)
        found = sorted([*found, *got], key=lambda r: (r[1], r[0]), reverse=True)[:count]
        if len(found) >= count and (not todo or str(found[-1][1]) >= str(todo[0].high)):
            break  # the older partitions hold nothing newer than the last one kept
    return found


def _edges(
    heads: Sequence[partitions.Partition],
    sizes: Sequence[int],
    dates: Sequence[str],
    values: Sequence[Any],
) -> tuple[str, list[Any]] | None:
    """The statement reading where each month's newest ``sizes`` stories start.

    One value per month and size: the date of its ``k``-th newest story
    within the dates asked for (``dates``, conditions on ``s.published``),
    ``NULL`` when it has fewer; read from the date index alone.
    """
    if not heads:
        return None
    where = "".join(
        f" {'AND' if i else 'WHERE'} {d.replace('s.published', 'x.published')}"
        for i, d in enumerate(dates)
    )
    return (
        "SELECT "
        + ", ".join(
            f"(SELECT x.published FROM {p.name} x{where}"
            f" ORDER BY x.published DESC, x.id DESC OFFSET {k} LIMIT 1)"
            for p in heads
            for k in sizes
        ),
        [v for _ in heads for _ in sizes for v in values],
    )


def _together(
    conn: PgConnection, statements: Sequence[tuple[str, list[Any]] | None]
) -> list[list[tuple[Any, ...]]]:
    """The rows of each statement (``[]`` for ``None``), in one round trip, under the settings."""
    given = [st for st in statements if st is not None]
    if len(given) == 1:
        rows = [conn.execute(f"{_SETTINGS} {given[0][0]}", given[0][1]).fetchall()]
    else:
        rows = conn.execute_together(given, settings=_SET_LOCAL)
    out = iter(rows)
    return [next(out) if st is not None else [] for st in statements]


def _without_dates(conds: Sequence[str], params: Sequence[Any]) -> tuple[list[str], list[Any]]:
    """The conditions (and their values) but those on ``s.published`` (one ``?`` each)."""
    return _split_dates(conds, params)[1]


def _only_dates(conds: Sequence[str], params: Sequence[Any]) -> tuple[list[str], list[Any]]:
    """The conditions on ``s.published`` (and their values)."""
    return _split_dates(conds, params)[0]


def _split_dates(
    conds: Sequence[str], params: Sequence[Any]
) -> tuple[tuple[list[str], list[Any]], tuple[list[str], list[Any]]]:
    dates: tuple[list[str], list[Any]] = ([], [])
    other: tuple[list[str], list[Any]] = ([], [])
    at = 0
    for cond in conds:
        n = cond.count("?")
        into = dates if cond.startswith("s.published ") else other
        into[0].append(cond)
        into[1].extend(params[at : at + n])
        at += n
    return dates, other


def _overlap(part: partitions.Partition, since: str | None, until: str | None) -> float:
    """The share of a month partition's time that lies between ``since`` and ``until``.

    1.0 for the default partition and without bounds; a month that only a
    bound's edge reaches (``--until 2025-01-01`` and January 2025) counts
    as none of its stories, so the months before it are read at once.
    """
    if part.low is None or part.high is None or (since is None and until is None):
        return 1.0
    try:
        low = datetime.fromisoformat(part.low + "-01").replace(tzinfo=UTC)
        high = datetime.fromisoformat(part.high + "-01").replace(tzinfo=UTC)
        start = max(low, datetime.fromisoformat(since)) if since else low
        end = min(high, datetime.fromisoformat(until)) if until else high
    except ValueError:
        return 1.0
    return max(0.0, (end - start) / (high - low))


def _superset(tsquery: str) -> str:
    """A ``tsquery`` the GIN index decides alone, matching at least what ``tsquery`` matches.

    Phrase operators become ``&`` and weight labels are dropped (prefixes
    stay); only for a ``tsquery`` without ``!``, whose negation would turn a
    looser match into a stricter one.
    """
    out, pos = [], 0
    for m in _LEXEME.finditer(tsquery):
        out.append(_PHRASES.sub("&", tsquery[pos : m.start()]))
        out.append(f"'{m.group(1)}'{m.group(2) or ''}")
        label = _LABEL.match(tsquery, m.end())  # the weights after the lexeme (or its :*)
        pos = label.end() if label else m.end()
    out.append(_PHRASES.sub("&", tsquery[pos:]))
    return "".join(out)


def _events_of(conn: PgConnection, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Each given story's event and the event's size, for those in one."""
    out: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        marks = ", ".join("?" * len(chunk))
        for story_id, event_id, size in conn.execute(
            "SELECT e.story_id, e.event_id, v.stories FROM story_events e"
            f" JOIN events v ON v.id = e.event_id WHERE e.story_id IN ({marks})",
            list(chunk),
        ):
            out[int(story_id)] = (int(event_id), int(size))
    return out


def _close(url: str, conn: PgConnection) -> None:
    if conn.raw is not None:
        connection.give_back(url, conn.raw, readonly=True)
        conn.raw = None


def _by_relevance(
    cands: Sequence[tuple[Any, ...]], now: datetime
) -> tuple[list[int], dict[int, float]]:
    """Order ``(id, published, ts_rank)`` candidates by rank times the recency factor.

    Best first, then newest.
    """
    scores: dict[int, float] = {}
    for story_id, published, rank in cands:
        age = _age_days(str(published), now)
        boost = 1.0 + RECENCY_BOOST * math.pow(0.5, age / RECENCY_HALF_LIFE_DAYS)
        scores[int(story_id)] = float(rank or 0.0) * 10.0 * boost
    order = sorted(scores, key=lambda i: (-scores[i], -i))
    return order, scores


def _age_days(published: str, now: datetime) -> float:
    try:
        when = datetime.fromisoformat(published)  # strptime costs 50 times as much
    except ValueError:
        return 365.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (now - when).total_seconds() / 86400)


def latest(
    url: str,
    *,
    limit: int = 20,
    offset: int = 0,
    since: datetime | None = None,
    until: datetime | None = None,
    category: str | None = None,
    feed: str | None = None,
    count: int,
) -> Page:
    """The newest stories without a query (arguments as :func:`aggregator.store.search.latest`).

    ``count``: how many stories are counted at most (the count's cap).
    """
    if limit < 1 or offset < 0:
        raise SearchError("--limit must be at least 1 and --offset not negative")
    want = max(count, offset + limit)
    conn = _open(url)
    try:
        flt = _filters(conn, since=since, until=until, category=category, feed=feed)
        if flt is None:
            return Page(0, True, [], terms=())
        conds, params = flt
        where = " AND ".join(conds) or "TRUE"
        ids = [
            (int(r[0]), str(r[1]))
            for r in conn.execute(
                f"SELECT s.id, s.published FROM stories s WHERE {where}"
                " ORDER BY s.published DESC, s.id DESC LIMIT ?",
                (*params, want + 1),
            )
        ]
        rows = _page(conn, ids[offset : offset + limit], {})
    except ArchiveError as exc:
        why = _why(conn, exc)
        if why is not exc or "connect" in str(exc):
            raise why from None
        raise SearchError(f"reading the newest stories failed: {exc}") from exc
    finally:
        _close(url, conn)
    return Page(min(len(ids), want), len(ids) <= want, rows, terms=())


def _page(
    conn: PgConnection, shown: Sequence[tuple[int, str]], scores: dict[int, float]
) -> list[Row]:
    """The shown stories in order: fields, sources, text and links (one statement).

    ``shown``: ``(id, published)`` pairs; the dates confine the read to their
    stories' partitions (a lookup by id alone probes every partition). The
    links come as a JSON array per story (a round trip fewer than a second
    statement). Snippets are cut from the text by
    :func:`aggregator.store.search.text_snippet` around the query's terms:
    ``ts_headline`` parses each whole text again and cost most of a search's time.
    """
    if not shown:
        return []
    ids = [i for i, _ in shown]
    dates = sorted({d for _, d in shown})
    marks = ", ".join("?" * len(ids))
    rows = {
        int(r[0]): r
        for r in conn.execute(
            f"SELECT s.id, s.title, s.url, s.published, s.category, {_SOURCES}, s.lang,"
            f" s.body, s.title, s.questions, {_LINKS} FROM stories s WHERE s.id IN ({marks})"
            f" AND s.published IN ({', '.join('?' * len(dates))})",
            [*ids, *dates],
        )
    }
    return [(*rows[i][:10], scores.get(i, 0.0), _links(rows[i][10])) for i in ids if i in rows]


def _links(value: Any) -> tuple[tuple[Any, ...], ...]:
    """A story's links from their JSON array (text, as the connection reads every column)."""
    if value is None:
        return ()
    links = json.loads(value) if isinstance(value, str) else value
    return tuple(tuple(link) for link in links)
