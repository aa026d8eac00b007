"""The planner behind :func:`aggregator.store.search.search`: find, count, rank and order stories.

Internal to :mod:`aggregator.store.search`. Read-only SQL on one connection; the
standard library only: ``aggregator search`` must answer quickly, and every
import adds to its start-up time (see docs/design.md, Start-up time).

How a search stays fast at a million stories
--------------------------------------------

The obvious ``... WHERE stories_fts MATCH ? ORDER BY rank LIMIT 20`` computes
``bm25()`` for every matching story, and ``bm25()`` first reads every story
that has each word of the query to weigh it (its IDF): a common word costs
hundreds of milliseconds at 1M stories. Reading a story's row is costly too
(a 16 KiB page per scattered story). So a search asks SQLite for as little as
it can, and plans each step by rough costs (the ``_*_US`` constants):

1. **Candidates, newest first.** Matches are read in archive order, newest
   first: FTS5 walks its posting lists backwards by rowid, reading only what
   is fetched, so this stops once :data:`CANDIDATES` are found (more when
   paging deeper). Filters shape the walk. A ``--since``/``--until`` range of
   up to 50,000 stories, or a ``--feed``'s stories, become a set of ids read
   from an index (``stories(published)``, ``sources(feed_id, ...)``): the
   walk keeps to their rowid window, or checks the ids one by one when that
   is cheaper. A longer date range (told by the ids of its first and last
   story, without counting it) is walked by date, slice by slice through the
   published index, each slice as large as the word's density says the
   candidates need, the matches in its run of ids kept if they are in the
   slice (in SQL or in Python, whichever reads fewer rows into Python
   objects: :func:`_in_sql`). ``--category`` (and what no index narrows) is checked
   story by story. Checking one by one (a row read or an index seek each)
   stops after about 1,000 stories once the page is full: candidates are then
   the matches among those, and the count says "at least" (after about 125
   seeks when the query matches most stories: each seek into the posting
   list of such a word costs tens of microseconds at 1M stories, and such a
   word ranks by title hits and recency, so its page comes from its newest
   stories anyway).
2. **Count.** The candidates are the count: exact below :data:`CANDIDATES`,
   else "at least" (``SearchResults.exact_total``, shown as "2,000+").
3. **Rank** (``--sort relevance``). ``bm25()`` with the title weighted 10,
   the body 1 and the questions 0.5, over the rowid window of the candidates
   only, for the query without its exclusions (each excluded word would cost
   an IDF pass for nothing). When a word's IDF pass would cost too much (a
   word in a third of all stories, a phrase made of common words), it is left
   out of ``bm25()`` and counts only where it is in the title, weighted by
   its IDF as estimated from the newest :data:`SAMPLE` stories, which is small
   for exactly these words; when title hits alone rank, they are checked
   newest first, 256 candidates at a time (a seek each, or a walk of their
   window), only until enough stories hit every term (the stories left
   unchecked could not rank among the best). Prefix terms filter but do not
   rank (SQLite merges
   the postings of every word a prefix matches again in each statement that
   names it). The best by bm25 are then reordered by a mild recency factor:
   up to :data:`RECENCY_BOOST` more for today's stories, halving every
   :data:`RECENCY_HALF_LIFE_DAYS` days.
4. **Date order** (``--sort date``). The newest candidates by archive order,
   sorted by date; then one probe of the published index finds the stories
   archived earlier but dated later than the page's last one (late arrivals,
   imports), which are checked too, so the order is exact.
5. **The page.** Snippets (``snippet()``), sources and the other fields are
   read for the shown rows only: two statements, never one per hit. For a
   prefix query, snippets are cut from the text instead (``snippet()`` would
   expand the prefix once more).

The trade-off, for users: when a query matches more than :data:`CANDIDATES`
stories, relevance picks the best of the *newest* :data:`CANDIDATES` matches,
so a perfect match from years ago loses to this month's news; add words, or
``--until``, to reach back. Queries with fewer matches (most of those with two
or more words) are ranked over all of them. Very common words rank by title
hits rather than by how often they occur. Costs that still grow with the
archive: a short prefix that cannot be written out (:func:`expand_prefixes`)
merges the postings of every word it matches, whatever the rowid range asked
for; a phrase of common
words reads their positions; a rare ``--category`` with a very common word is
checked story by story, and a ``--feed`` with one is checked a seek per story
(up to about :data:`_CHECKED` of them).
"""

from __future__ import annotations

import heapq
import math
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from aggregator.search.query import (
    positive_expression,
    positive_terms,
    uses_prefix,
    uses_scripts,
)
from aggregator.store._prefixes import expand_prefixes
from aggregator.store.compact import Date, date_bounds, order_key, sorts_before

__all__ = [
    "CANDIDATES",
    "RECENCY_BOOST",
    "RECENCY_HALF_LIFE_DAYS",
    "recency_clock",
    "SAMPLE",
    "WEIGHTS",
    "Filters",
    "Plan",
    "expand_prefixes",
]

CANDIDATES = 2000
"""Relevance ranks at most this many matches, the newest (more when paging deeper)."""

SAMPLE = 4096
"""How many of the newest stories are read to estimate how common a word is."""

RECENCY_BOOST = 0.2
"""Relevance of a story published now is multiplied by ``1 + RECENCY_BOOST``."""

RECENCY_HALF_LIFE_DAYS = 30.0
"""The recency bonus halves every so many days."""

WEIGHTS = (10.0, 1.0, 0.5)
"""bm25 column weights: title, body, questions."""

_ID_SET_CAP = 50_000  # a filter that keeps more stories than this is checked story by story
_CHECKED = 1000  # matches checked story by story before the walk may stop
_CHUNK = 512  # ids per statement when walking a feed's stories
_SLICE = 4096  # the fewest stories in a slice of a walk by date
_DENSE = 0.5  # a query matching this share of stories stops checking ids sooner
_RERANKED = 128  # the best this many by bm25 are reordered by recency
_COLUMNS = ("title :", "body :", "questions :")
_TWIN = ' OR "#'  # what starts a word's hashtag twin in an expression of to_fts5
# Rough costs, in microseconds, that plans compare (measured at 100k-1M stories).
_SEEK_US = 12.0  # checking one story id against a MATCH (a seek per word)
_SEEK_GROWS = 200_000  # a word in more stories than this costs more per seek, in proportion
_STEP_US = 0.35  # reading one more match while walking the index
_POSTING_US = 0.06  # reading one posting of a word inside SQLite (IDF pass, walks)
_COLUMN_US = 0.1  # the same with a column filter (positions decoded)
_PHRASE_US = 1.0  # the same for a phrase, per story with all its words (positions matched)
_BM25_US = 1.0  # bm25 of one row
_ROW_US = 4.0  # reading one story's row (scattered rows: a page each)
_KEPT_US = 0.26  # keeping one id in a temporary b-tree, for a check in SQL
_PROBE_US = 0.12  # checking one match against such a b-tree (instead of in Python)
_DATE_STEP_US = 0.3  # walking one story of a date range by date
_RANK_BUDGET_US = 8000.0  # a ranking plan this cheap is taken without looking further


class Filters:
    """The filters of one search: what bounds the walk, what is checked per story.

    Attributes:
        conds: SQL conditions on ``stories s`` that need the story's row (joined
            with AND), with ``params``; checked only for candidates.
        lo, hi: every story that passes has ``lo <= id <= hi`` (``None``: unbounded).
        ids: the only story ids that can pass, or ``None`` (any).
        dates: a long ``[since, until)`` range as archive text (its condition is
            the first of ``conds``), else ``None``.
        empty: nothing can pass.
    """

    __slots__ = ("conds", "dates", "empty", "hi", "ids", "lo", "params")

    def __init__(self) -> None:
        self.conds: list[str] = []
        self.params: list[object] = []
        self.lo: int | None = None
        self.hi: int | None = None
        self.ids: frozenset[int] | None = None
        self.dates: tuple[Date, Date] | None = None
        self.empty = False

    @classmethod
    def build(
        cls,
        conn: sqlite3.Connection,
        *,
        since: datetime | None,
        until: datetime | None,
        category: str | None,
        feed: str | None,
    ) -> Filters:
        """Turn the user's filters into id sets, bounds and per-story conditions.

        Args:
            conn: the connection.
            since, until: the date range (UTC), or ``None``.
            category: a category (any case), or ``None``.
            feed: a feed's URL, id or text in its title, or ``None``.

        Returns:
            The filters (``empty`` when nothing can pass).
        """
        flt = cls()
        if since is not None or until is not None:
            flt.time_range(conn, since, until)
        if category:
            flt.conds.append("s.category = ?")
            flt.params.append(category.strip().upper())
        if feed and not flt.empty:
            flt.feed(conn, feed)
        return flt

    def restrict(self, ids: Iterable[int]) -> None:
        """Only these story ids can pass (intersected with what was set before)."""
        kept = frozenset(ids) if self.ids is None else self.ids.intersection(ids)
        self.ids = kept
        if not kept:
            self.empty = True
            return
        self.lo = max(self.lo if self.lo is not None else 0, min(kept))
        self.hi = min(self.hi if self.hi is not None else max(kept), max(kept))

    def time_range(
        self, conn: sqlite3.Connection, since: datetime | None, until: datetime | None
    ) -> None:
        """Add a date range: its ids if it is short, else its condition (see the module docs)."""
        low, high = date_bounds(conn, since, until)
        # Index-only walks of stories(published): a short range becomes its set of
        # ids (read as one string: a Python object per id costs twice as much);
        # a long one is walked by date, or its candidates' dates are checked.
        count = _ID_SET_CAP + 1
        if not _clearly_long(conn, low, high):
            count = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM stories INDEXED BY stories_published"
                " WHERE published >= ? AND published < ? LIMIT ?)",
                (low, high, _ID_SET_CAP + 1),
            ).fetchone()[0]
        if count <= _ID_SET_CAP:
            ids = conn.execute(
                "SELECT group_concat(id) FROM stories INDEXED BY stories_published"
                " WHERE published >= ? AND published < ?",
                (low, high),
            ).fetchone()[0]
            self.restrict(_ids(ids))
            return
        # "+" keeps SQLite from reading the range through the published index
        # when it checks candidates by id.
        self.conds.insert(0, "+s.published >= ? AND +s.published < ?")
        self.params[:0] = [low, high]
        self.dates = (low, high)

    def feed(self, conn: sqlite3.Connection, feed: str) -> None:
        """Add a feed (by URL, id, or text in its title): its stories' ids (a removed
        feed's too), or a per-story check if many."""
        feed_ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM feeds WHERE url = ? OR config_url = ? OR id = ?"
                " OR instr(lower(title), lower(?)) > 0 OR instr(lower(config_title), lower(?)) > 0",
                (feed, feed, int(feed) if feed.isascii() and feed.isdigit() else -1, feed, feed),
            )
        ]
        if not feed_ids:  # a removed feed: its sources keep its URL
            rows = conn.execute("SELECT story_id FROM sources WHERE feed_url = ?", (feed,))
            self.restrict(r[0] for r in rows)
            return
        marks = ", ".join("?" * len(feed_ids))
        count = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM sources WHERE feed_id IN ({marks}) LIMIT ?)",
            (*feed_ids, _ID_SET_CAP + 1),
        ).fetchone()[0]
        if count <= _ID_SET_CAP:
            ids = conn.execute(
                f"SELECT group_concat(story_id) FROM sources WHERE feed_id IN ({marks})", feed_ids
            ).fetchone()[0]
            self.restrict(_ids(ids))
            return
        self.conds.append(
            "EXISTS (SELECT 1 FROM sources so WHERE so.story_id = s.id"
            f" AND so.feed_id IN ({marks}))"
        )
        self.params += feed_ids


def _clearly_long(conn: sqlite3.Connection, low: Date, high: Date) -> bool:
    """Whether ``[low, high)`` surely holds far more than :data:`_ID_SET_CAP` stories.

    Counting them up to the cap reads that many index entries; stories are
    archived roughly in date order, so the ids of the first and last story of
    the range (two index probes) tell a range many times the cap apart from a
    short one. Late arrivals only blur the estimate; near the cap, count.
    """
    first = conn.execute(
        "SELECT id FROM stories INDEXED BY stories_published WHERE published >= ?"
        " ORDER BY published LIMIT 1",
        (low,),
    ).fetchone()
    last = conn.execute(
        "SELECT id FROM stories INDEXED BY stories_published WHERE published < ?"
        " ORDER BY published DESC LIMIT 1",
        (high,),
    ).fetchone()
    return first is not None and last is not None and last[0] - first[0] > 4 * _ID_SET_CAP


def _seek_us(stories: float) -> float:
    """The cost of checking one story id against a word in this many stories.

    A seek starts again from the top of the word's postings: a few more pages
    to read in a long list (measured at 1M stories: about 20 microseconds up
    to 200,000 stories, 110 for a word in 950,000).
    """
    return _SEEK_US * max(1.0, stories / _SEEK_GROWS)


def _one_string(expr: str) -> str:
    """``expr`` without the parentheses around a single FTS5 string (``("the")``)."""
    inner = expr[1:-1]
    if (
        expr.startswith('("')
        and expr.endswith('")')
        and len(inner) >= 2
        and '"' not in inner[1:-1].replace('""', "")
    ):
        return inner
    return expr


def _in_sql(matches: float, ids: int) -> bool:
    """Whether to keep a walk's matches that are among ``ids`` in SQL rather than in Python.

    Python pays for every match the walk reads (a row object each); SQL for
    keeping the ids in a temporary b-tree, then a cheaper check per match.

    Args:
        matches: the matches the walk reads (estimated).
        ids: how many ids to keep.
    """
    return matches * (_STEP_US - _PROBE_US) > ids * _KEPT_US


def _ids(joined: str | None) -> list[int]:
    """The ids of a ``group_concat(id)``."""
    return [int(i) for i in joined.split(",")] if joined else []


class Plan:
    """One search on one connection: the query in its forms, the filters, and the steps.

    Attributes:
        conn: the read-only connection.
        query: what the user typed.
        expr: its FTS5 expression.
        prefix: the query has a prefix term.
        table: the FTS5 index searched: ``stories_fts``, or ``stories_cjk``
            when the query needs a word in a script written without spaces,
            or ``stories_stem`` for a plan with ``stemmed``.
        stemmed: the plan searches the stories of stemmed languages by stem
            (``expr`` from ``to_fts5(query, stemmed=True)``).
        cjk_expr: when a prefix was written out without the words glued to text
            in a script written without spaces (:func:`expand_prefixes`), the
            query's expression for ``stories_cjk``, whose matches are added;
            else ``None``.
        published: the dates read so far, by story id.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        query: str,
        expr: str,
        flt: Filters,
        *,
        stemmed: bool = False,
    ) -> None:
        self.conn = conn
        self.query = query
        self.expr = expr
        self.flt = flt
        self.prefix = uses_prefix(query)
        # Words in scripts written without spaces are found in their own index
        # (aggregator.store.scripts_index); so is the rest of such a query.
        self.table = "stories_cjk" if uses_scripts(query) else "stories_fts"
        self.stemmed = stemmed
        if stemmed:  # the stories of stemmed languages, by stem (aggregator.store.stem_index)
            self.table = "stories_stem"
        self.cjk_expr: str | None = None
        if not stemmed and self.prefix and self.table == "stories_fts":
            # The prefix's common words, written out, are read lazily. Words glued
            # to Chinese (...) text are left out: their stories are matched in
            # stories_cjk, where such words stand apart, and added.
            self.expr, glued = expand_prefixes(conn, expr)
            self.cjk_expr = expr if glued else None
        self.positive = positive_expression(query, stemmed=stemmed)
        self.published: dict[int, Date] = {}  # read so far
        self.by_dates = False  # the walk goes through a long date range by date
        self.checked = 0  # stories checked one by one so far
        self.dense = False  # checked by seeks, and the query matches most stories
        self._top: int | None = None
        self._densities: dict[str, float] = {}
        self._indexed_phrases: dict[tuple[str, str], bool] = {}

    @property
    def top(self) -> int:
        """The highest story id (the archive's size, near enough)."""
        if self._top is None:
            self._top = int(self.conn.execute("SELECT max(id) FROM stories").fetchone()[0] or 0)
        return self._top

    def density(self, expr: str) -> float:
        """The share of the newest :data:`SAMPLE` stories that ``expr`` matches."""
        # Counted once for a word however it comes: ``("the" OR "#the")`` is
        # ``"the"`` when no story has the twin.
        key = _one_string(self.lean(expr))
        known = self._densities.get(key)
        if known is not None:
            return known
        top = self.top
        window = min(SAMPLE, top) or 1
        count = self.conn.execute(
            f"SELECT count(*) FROM {self.table} WHERE {self.table} MATCH ? AND rowid > ?",
            (key, top - window),
        ).fetchone()[0]
        self._densities[key] = float(count) / window
        return self._densities[key]

    def lean(self, expr: str) -> str:
        """``expr`` without the hashtag twins (``... OR "#word")``) that no story has.

        Every word is searched with its hashtag twin (``("said" OR "#said")``,
        see :data:`aggregator.search.query.FTS_TOKENIZE`), and most twins are in
        no story at all. Such a twin matches nothing and scores nothing, yet
        FTS5 looks it up again in every statement and, worse, at every story id
        checked one by one (a fifth of the cost of such a check at 1M
        stories). Whether the index has the twin is one lookup, made once per
        search; twins of prefixes (``"#app"*``) are left as they are.
        """
        if _TWIN not in expr:
            return expr
        parts: list[str] = []
        start = 0
        while (at := expr.find(_TWIN, start)) >= 0:
            # The twin's closing quote: the first one not doubled (an escaped quote).
            end = at + len(_TWIN)
            while True:
                end = expr.find('"', end)
                if end < 0 or not expr.startswith('""', end):
                    break
                end += 2
            if end < 0:  # cannot happen in an expression of to_fts5: keep it whole
                break
            twin = expr[at + 4 : end + 1]
            gone = expr.startswith(")", end + 1) and not self._indexed(twin)
            parts.append(expr[start:at] if gone else expr[start : end + 1])
            start = end + 1
        parts.append(expr[start:])
        return "".join(parts)

    def _indexed(self, phrase: str) -> bool:
        """Whether any story of :attr:`table` matches ``phrase`` (asked once per search)."""
        key = (self.table, phrase)
        known = self._indexed_phrases.get(key)
        if known is None:
            known = (
                self.conn.execute(
                    f"SELECT 1 FROM {self.table} WHERE {self.table} MATCH ? LIMIT 1", (phrase,)
                ).fetchone()
                is not None
            )
            self._indexed_phrases[key] = known
        return known

    def rows(self, ids: Sequence[int]) -> list[int]:
        """Which of ``ids`` pass the per-story conditions (their dates are kept)."""
        conds, params = self.flt.conds, self.flt.params
        if self.by_dates and self.flt.dates is not None:
            conds, params = conds[1:], params[2:]  # the walk kept to the range already
        if not conds:
            return list(ids)
        self.checked += len(ids)
        passed: set[int] = set()
        where = " AND ".join(conds)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for story_id, published in self.conn.execute(
                f"SELECT s.id, s.published FROM stories s WHERE s.id IN ({marks}) AND {where}",
                [*chunk, *params],
            ):
                passed.add(story_id)
                self.published[story_id] = published
        return [i for i in ids if i in passed]

    def dates(self, ids: Iterable[int]) -> dict[int, Date]:
        """The publication dates of ``ids`` (read once per search)."""
        missing = [i for i in ids if i not in self.published]
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            self.published.update(
                self.conn.execute(
                    f"SELECT id, published FROM stories WHERE id IN ({marks})", chunk
                ).fetchall()
            )
        return self.published

    # 1. candidates

    def candidates(self, need: int) -> tuple[list[int], bool]:
        """The newest matches that pass the filters, newest first by id.

        Args:
            need: the hits the page needs (offset + limit); at least
                :data:`CANDIDATES` are found if there are that many.

        Returns:
            The candidates, and whether they are all the matches.
        """
        want = max(CANDIDATES, need)
        out: list[int] = []
        for batch in self._walk():
            out.extend(self.rows(batch))
            if len(out) >= want:
                return out[:want], False
            # Stories checked one by one (a row read or a seek each): a word in most
            # stories costs the most per seek and tells the least per check.
            enough = max(_CHECKED // 8 if self.dense else _CHECKED, need)
            if self.checked >= enough and len(out) >= need:
                return out, False
        return out, True

    def _walk(self) -> Iterator[list[int]]:
        """Matching ids newest first, within the filters' bounds and id set."""
        flt = self.flt
        if flt.ids is not None and not self.prefix and self._ids_cheaper(flt.ids):
            ordered = sorted(flt.ids, reverse=True)
            self.dense = self.density(self.expr) >= _DENSE
            start, size = 0, _CHUNK // 4
            while start < len(ordered):
                chunk = ordered[start : start + size]
                self.checked += len(chunk)
                yield sorted(self._match(chunk), reverse=True)
                start, size = start + size, min(max(size, self.checked), _CHUNK)
            return
        if flt.dates is not None and not self.prefix and self._dates_cheaper():
            self.by_dates = True
            yield from self._walk_dates(*flt.dates)
            return
        bounds = ""
        params: list[object] = [self.lean(self.expr)]
        if flt.lo is not None:
            bounds += " AND rowid >= ?"
            params.append(flt.lo)
        if flt.hi is not None:
            bounds += " AND rowid <= ?"
            params.append(flt.hi)
        # FTS5 walks its posting lists backwards: rows arrive newest first and
        # only as fetched, so the walk costs what is read, not what matches.
        sql = f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH ?{bounds}"
        if self.cjk_expr is not None:
            # Both walks merged newest first (SQLite merges two ordered selects).
            sql += f" UNION SELECT rowid FROM stories_cjk WHERE stories_cjk MATCH ?{bounds}"
            params += [self.cjk_expr, *params[1:]]
        cursor = self.conn.execute(sql + " ORDER BY 1 DESC", params)
        size = 256
        while rows := cursor.fetchmany(size):
            ids = [r[0] for r in rows]
            yield ids if flt.ids is None else [i for i in ids if i in flt.ids]
            size = min(size * 2, 4096)

    def _walk_dates(self, low: Date, high: Date) -> Iterator[list[int]]:
        """Matching ids in a long date range, newest first by date, a slice at a time.

        Each slice holds the next stories by date (all of them for its oldest
        date, so none is skipped): about as many as should hold the
        candidates at the query's density, so that one slice is usually
        enough. Its oldest date is found by stepping over the slice in the
        published index (``OFFSET``: the entries are not kept), its ids are
        read as one string, and they bound one walk of the index of words,
        newest first, whose matches are kept if they are in the slice. Late
        arrivals stretch that run of ids over stories dated after the slice,
        whose matches the walk reads too: when they are many (a common word),
        the slice is checked in SQL (its ids kept in a temporary b-tree, rows
        fetched only as the caller needs them), else in Python (see :func:`_in_sql`).
        """
        density = self.density(self.expr) or 1.0 / max(self.top, 1)
        size = int(min(max(1.25 * CANDIDATES / density, _SLICE), 16 * _SLICE))
        while sorts_before(low, high):
            row = self.conn.execute(
                "SELECT published FROM stories INDEXED BY stories_published"
                " WHERE published >= ? AND published < ? ORDER BY published DESC"
                " LIMIT 1 OFFSET ?",
                (low, high, size - 1),
            ).fetchone()
            floor = low if row is None else row[0]  # fewer stories left than a slice
            # Stories of the oldest date past the size belong to the slice too.
            ids = _ids(
                self.conn.execute(
                    "SELECT group_concat(id) FROM stories INDEXED BY stories_published"
                    " WHERE published >= ? AND published < ?",
                    (floor, high),
                ).fetchone()[0]
            )
            if ids:
                lo, hi = min(ids), max(ids)
                if _in_sql(density * (hi - lo + 1), len(ids)):
                    cursor = self.conn.execute(
                        f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH ?"
                        " AND rowid BETWEEN ? AND ? AND +rowid IN (SELECT id FROM stories"
                        " INDEXED BY stories_published WHERE published >= ? AND published < ?)"
                        " ORDER BY rowid DESC",
                        (self.lean(self.expr), lo, hi, floor, high),
                    )
                    while rows := cursor.fetchmany(512):
                        yield [r[0] for r in rows]
                else:
                    inside = set(ids)
                    found = self.conn.execute(
                        f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH ?"
                        " AND rowid BETWEEN ? AND ? ORDER BY rowid DESC",
                        (self.lean(self.expr), lo, hi),
                    )
                    yield [r[0] for r in found if r[0] in inside]
            high, size = floor, max(size, 4 * _SLICE)

    def _dates_cheaper(self) -> bool:
        """Whether walking a long date range by date beats walking all the matches."""
        top = max(self.top, 1)
        density = self.density(self.expr) or 1.0 / top
        by_date = min(top, CANDIDATES / density) * _DATE_STEP_US
        by_match = density * top * _ROW_US
        return by_date < by_match

    def _ids_cheaper(self, ids: frozenset[int]) -> bool:
        """Whether checking a set of stories one by one beats walking the matches around them."""
        top = max(self.top, 1)
        density = self.density(self.expr) or 1.0 / top
        lo = self.flt.lo if self.flt.lo is not None else 1
        hi = self.flt.hi if self.flt.hi is not None else top
        window = max(hi - lo + 1, len(ids), 1)
        by_id = min(len(ids), CANDIDATES / density) * _seek_us(density * top)
        by_match = min(density * window, CANDIDATES * window / len(ids)) * _STEP_US
        return by_id < by_match

    def _match(self, ids: Sequence[int]) -> list[int]:
        """Which of ``ids`` match the query (id filters not applied)."""
        # A prefix would be expanded again for every id: one walk of their window instead.
        return self._hits(self.expr, ids, walk=self.prefix)

    # 3. relevance

    def by_relevance(
        self, cands: list[int], need: int, *, now: datetime
    ) -> tuple[list[int], dict[int, float]]:
        """The best ``need`` candidates, best first, and their scores.

        The recency factor needs each story's date, a read of its row (scattered
        rows cost microseconds each): dates are read in bm25 order until no later
        candidate could still make the page, and for at most :data:`_RERANKED`
        (or four pages) of them, so recency reorders only the best by bm25.
        """
        shown = max(_RERANKED, 4 * need)
        base = self._bm25(cands, shown)
        order = sorted(cands, key=lambda i: (base[i], i), reverse=True)
        order = order[:shown]
        best: list[tuple[float, int]] = []  # min-heap of (final score, id)
        scores: dict[int, float] = {}
        top = 1.0 + RECENCY_BOOST
        for start in range(0, len(order), 64):
            chunk = order[start : start + 64]
            if len(best) >= need and (base[chunk[0]] * top, chunk[0]) < best[0]:
                break
            dates = self.dates(chunk)
            for story_id in chunk:
                score = base[story_id] * _recency(dates.get(story_id, ""), now)
                scores[story_id] = score
                if len(best) < need:
                    heapq.heappush(best, (score, story_id))
                elif (score, story_id) > best[0]:
                    heapq.heapreplace(best, (score, story_id))
        ranked = sorted(best, reverse=True)
        return [story_id for _, story_id in ranked], scores

    def _bm25(self, cands: list[int], best: int) -> dict[int, float]:
        """Base relevance of each candidate: bm25 where affordable, else IDF-weighted title hits.

        bm25 runs over the candidates' rowid window only. Its cost is the IDF
        pass (SQLite reads every story that has the words of each ranked term,
        positions too for phrases and column filters), the walk of the window,
        and one evaluation per matching row. Terms left out of it score what
        bm25 gives one hit in a title of average length, where they are in the
        title. The plan ranks the most terms (leaving out the costliest first)
        whose estimated cost is under :data:`_RANK_BUDGET_US`, else the cheapest.

        Args:
            cands: the candidates.
            best: how many of the best are used; when title hits alone rank and
                each costs a seek, stories past the best are left unchecked
                (their scores stay ``0.0``).
        """
        scores = dict.fromkeys(cands, 0.0)
        if not cands:
            return scores
        lo, hi = min(cands), max(cands)
        span = hi - lo + 1
        top = max(self.top, 1)
        terms = positive_terms(self.query, stemmed=self.stemmed)
        # (term, stories it is in, cost of its IDF pass, cost of walking it in the window)
        counted: list[tuple[str, float, float, float]] = []
        for term, prefix, words in terms:
            if prefix:
                continue
            stories = self.density(term) * top
            reads = stories if words == term else self.density(words) * top
            if " AND " in words:
                unit = _PHRASE_US  # positions are decoded, not just ids
            else:
                unit = _COLUMN_US if term.startswith(_COLUMNS) else _POSTING_US
            counted.append((term, stories, reads * unit, reads * span / top * unit))
        counted.sort(key=lambda t: t[2])

        def title_cost(walk: float, stories: float) -> float:
            return min(walk, len(cands) * _seek_us(stories))

        plan: tuple[float, int, str] | None = None  # (cost, terms ranked, expression)
        for keep in range(len(counted), -1, -1):
            cost = sum(title_cost(t[3], t[1]) for t in counted[keep:])
            expr = ""
            if keep:
                ranked = {t[0] for t in counted[:keep]}
                expr = positive_expression(
                    self.query,
                    without=[t[0] for t in terms if t[0] not in ranked],
                    stemmed=self.stemmed,
                )
                rows = max(len(cands), self.density(expr) * span)
                cost += sum(t[2] + t[3] for t in counted[:keep]) + rows * _BM25_US
            if plan is None or cost < plan[0] or cost <= _RANK_BUDGET_US:
                plan = (cost, keep, expr)
            if cost <= _RANK_BUDGET_US:
                break
        assert plan is not None
        _, keep, expr = plan
        if expr:
            weights = ", ".join(str(w) for w in WEIGHTS)
            for rowid, score in self.conn.execute(
                f"SELECT rowid, -bm25({self.table}, {weights}) FROM {self.table}"
                f" WHERE {self.table} MATCH ? AND rowid BETWEEN ? AND ?",
                (self.lean(expr), lo, hi),
            ):
                if rowid in scores:
                    scores[rowid] = score
        titled = [
            (
                term if term.startswith("title :") else f"title : ({term})",
                WEIGHTS[0] * max(math.log((top - stories + 0.5) / (stories + 0.5)), 1e-6),
                stories,
                walk,
            )
            for term, stories, _, walk in counted[keep:]
            if not term.startswith(("body :", "questions :"))
        ]
        if expr:
            for title, weight, stories, walk in titled:
                sought = walk > len(cands) * _seek_us(stories)
                for rowid in self._hits(title, cands, walk=not sought):
                    scores[rowid] += weight
            return scores
        # Title hits alone: newest first, and only until ``best`` stories hit
        # every term. Those outrank, in (score, id) order, every story not
        # checked yet (older, at most as many hits), so the best ``best`` are the
        # same as if all had been checked. Each slice of candidates is checked
        # a seek each, or by a walk of its window (of the title's postings
        # there) when that is cheaper.
        full = 0
        newest = sorted(cands, reverse=True)
        for start in range(0, len(newest), _CHUNK // 2):
            chunk = newest[start : start + _CHUNK // 2]
            share = (chunk[0] - chunk[-1] + 1) / span
            hits = dict.fromkeys(chunk, 0)
            for title, weight, stories, walk in titled:
                cheaper = walk * share <= len(chunk) * _seek_us(stories)
                for rowid in self._hits(title, chunk, walk=cheaper):
                    scores[rowid] += weight
                    hits[rowid] += 1
            full += sum(1 for n in hits.values() if n == len(titled))
            if full >= best:
                break
        return scores

    def _hits(self, expr: str, ids: Sequence[int], *, walk: bool) -> list[int]:
        """Which of ``ids`` match ``expr``.

        Args:
            expr: the FTS5 expression.
            ids: the story ids.
            walk: walk their rowid window (else seek each id, a statement per chunk).
        """
        if not ids:
            return []
        if walk:
            lo, hi = min(ids), max(ids)
            sql = f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH ?"
            sql += " AND rowid BETWEEN ? AND ?"
            params: list[object] = [self.lean(expr), lo, hi]
            if expr == self.expr and self.cjk_expr is not None:  # see _walk
                sql += " UNION SELECT rowid FROM stories_cjk WHERE stories_cjk MATCH ?"
                sql += " AND rowid BETWEEN ? AND ?"
                params += [self.cjk_expr, lo, hi]
            elif _in_sql(self.density(expr) * (hi - lo + 1), len(ids)):
                # The ids as one JSON array: kept in SQL, only the hits become rows.
                try:
                    return [
                        r[0]
                        for r in self.conn.execute(
                            sql + " AND +rowid IN (SELECT value FROM json_each(?))",
                            [*params, "[" + ",".join(map(str, ids)) + "]"],
                        )
                    ]
                except sqlite3.OperationalError as exc:
                    if "json_each" not in str(exc):  # an SQLite built without JSON
                        raise
            wanted = set(ids)
            return [r[0] for r in self.conn.execute(sql, params) if r[0] in wanted]
        out: list[int] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = (
                f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH ? AND rowid IN ({marks})"
            )
            out += [r[0] for r in self.conn.execute(sql, [self.lean(expr), *chunk])]
        return out

    # 4. date order

    def by_date(self, cands: list[int], need: int, *, complete: bool) -> list[int]:
        """The first ``need`` matches by date, newest first (exact, see the module docstring).

        Args:
            cands: the newest matches by id that pass the filters.
            need: how many to return.
            complete: ``cands`` holds every match.
        """
        if complete:
            dates = self.dates(cands)
            return heapq.nlargest(need, cands, key=lambda i: (order_key(dates[i]), i))
        # Stories archived before the first ``m`` candidates but dated after the
        # page's last one among them (late arrivals, imports) are the only others
        # that can still belong on the page. Late arrivals among the first few
        # make that date old and the list long: then look at more candidates.
        m = min(max(2 * need, 64), len(cands))
        while True:
            first = cands[:m]
            dates = self.dates(first)
            floor = heapq.nlargest(need, (dates[i] for i in first), key=order_key)[-1]
            late = [
                r[0]
                for r in self.conn.execute(
                    "SELECT id FROM stories INDEXED BY stories_published"
                    " WHERE published > ? AND id < ? LIMIT ?",
                    (floor, min(first), 4 * m + 1),
                )
            ]
            if len(late) <= 4 * m or m == len(cands):
                break
            m = min(4 * m, len(cands))
        if len(late) > 4 * m:  # every candidate read: take the whole list
            late = [
                r[0]
                for r in self.conn.execute(
                    "SELECT id FROM stories INDEXED BY stories_published"
                    " WHERE published > ? AND id < ?",
                    (floor, min(first)),
                )
            ]
        if late and self.flt.ids is not None:
            late = [i for i in late if i in self.flt.ids]
        more = self.rows(self._match(late)) if late else []
        dates = self.dates(more)
        return heapq.nlargest(need, [*first, *more], key=lambda i: (order_key(dates[i]), i))

    # 5. the page


def recency_clock(now: datetime | None = None) -> datetime:
    """The time the recency preference is measured from: ``now``, else this hour.

    Truncated to the hour so that the same query gives the same scores (and the same
    order, page after page) for an hour, whichever engine or code path runs it; the
    preference halves over days, so the hour changes nothing a reader could see.
    """
    if now is not None:
        return now
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _recency(published: Date, now: datetime) -> float:
    """The mild recency factor: ``1 + RECENCY_BOOST`` today, halving every half-life."""
    if isinstance(published, int):
        when = datetime.fromtimestamp(published, UTC)
    else:
        try:
            when = datetime.fromisoformat(published.replace("Z", "+00:00"))
        except ValueError:
            return 1.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    age_days = max((now - when).total_seconds() / 86400.0, 0.0)
    return 1.0 + RECENCY_BOOST * math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)
