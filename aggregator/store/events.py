"""Events in the archive: the tables, the incremental grouping and the rebuild (all SQL).

The rules are pure (:mod:`aggregator.dedupe.events`); this module keeps

- ``events(id, headline_story, first_seen, last_seen, stories, outlets)``:
  one row per event of two or more stories (a story alone is its own event
  and has no row);
- ``story_events(story_id PRIMARY KEY, event_id, outlet)``: which event a story
  is in, and its outlet (so joining costs no scan of the event's stories);
- ``event_keys(key, story_id)``, ``WITHOUT ROWID``: the inverted index of a
  story's title keys, the UTC day in the high bits (like ``story_bands`` is
  bucketed by week), so a new story costs a few index probes on the pages of
  its days whatever the archive's size; the probe also gives each key's
  document frequency among the stories of those days, its rarity;
- ``event_days(day, stories)``: stories indexed per day (the idf's total);
- ``event_meta(name, value)``: ``last_story``, the highest story id indexed.

:func:`group_stored` groups the new stories of a poll or an import, and
:func:`assign` one stored story (inside the caller's write transaction);
:func:`rebuild` recomputes everything; :func:`forget_story_events` keeps
events consistent when stories are deleted (their keys are recomputed from
the text, so the story rows must still exist when it is called).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from aggregator.dedupe.events import (
    APART_KINDS,
    LEAD_CHARS,
    EventFeatures,
    EventParams,
    EventVerdict,
    commentary_url,
    compare,
    event_features,
    idf_from_counts,
    index_keys,
    key_hash,
    lookup_buckets,
    names_retold,
    remember,
    tells_happening,
)
from aggregator.models import Story
from aggregator.timeutil import text_of_db

__all__ = [
    "DayCounts",
    "EventInfo",
    "EventLink",
    "SCHEMA",
    "assign",
    "count_events",
    "coverage",
    "event_totals",
    "create_tables",
    "event_members",
    "events_of",
    "explain",
    "link",
    "forget_story_events",
    "group_stored",
    "outlet_of",
    "rebuild",
]

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, headline_story INTEGER NOT NULL,"
    " first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, stories INTEGER NOT NULL,"
    " outlets INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS story_events (story_id INTEGER PRIMARY KEY,"
    " event_id INTEGER NOT NULL, outlet TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS story_events_event ON story_events(event_id)",
    "CREATE TABLE IF NOT EXISTS event_keys (key INTEGER NOT NULL, story_id INTEGER NOT NULL,"
    " PRIMARY KEY (key, story_id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS event_days (day INTEGER PRIMARY KEY, stories INTEGER NOT NULL)",
    # WITHOUT ROWID: one B-tree (a page) instead of a table and the index of its key.
    "CREATE TABLE IF NOT EXISTS event_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
    " WITHOUT ROWID",
)

#: Stories per key and day from which a key finds no candidates: it is no evidence.
_POSTINGS = 64

#: Stories per key and day counted at most for a key's rarity (a key this common
#: weighs little either way, and counting further would cost a row read per story).
_COUNTED = 128

#: The counts of common keys (:data:`_CACHED` a day or more) by window, kept for
#: :data:`_COUNT_REFRESH` stories: counting them is the costly part of a lookup, and
#: a few stories more or less do not change the rarity of a word that common.
_CACHED = 16
_COMMON_COUNTS: dict[tuple[tuple[int, int], str], int] = {}
_COUNT_REFRESH = 500
_COUNT_USES = 0


def create_tables(conn: sqlite3.Connection) -> None:
    """Create the event tables when missing (inside the caller's transaction)."""
    for statement in SCHEMA:
        conn.execute(statement)


def has_tables(conn: sqlite3.Connection) -> bool:
    """True when the archive holds the event tables (older archives, read-only, may not)."""
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'story_events'"
    ).fetchone()
    return row is not None


def outlet_of(url: str, feed_url: str = "") -> str:
    """The outlet of a story: its link's host without ``www.``-like prefixes, else the feed's."""
    for candidate in (url, feed_url):
        host = (urlsplit(candidate).hostname or "") if candidate else ""
        for prefix in ("www.", "m.", "amp.", "rss.", "feeds.", "feed."):
            if host.startswith(prefix):
                host = host[len(prefix) :]
        if host:
            return host
    return ""


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    title: str
    body: str
    published: datetime
    outlet: str
    lang: str = ""
    url: str = ""


def _other_language(a: _Row, b: _Row) -> bool:
    return bool(a.lang and b.lang and a.lang != b.lang)


def _parse_time(value: str | int) -> datetime:
    """A stored ``published``: Unix seconds (schema 10) or ``to_db`` text."""
    if isinstance(value, int):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(value).astimezone(UTC)


@lru_cache(maxsize=4096)
def _outlet(url: str) -> str:
    return outlet_of(url)


def _row_of(values: tuple[Any, ...]) -> _Row:
    """A story read as ``(id, title, lead, published, url, lang)``."""
    sid, title, body, published, url, lang = values
    url = url or ""
    return _Row(sid, title or "", body or "", _parse_time(published), _outlet(url), lang or "", url)


def _rows(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, _Row]:
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    out: dict[int, _Row] = {}
    statement = (
        f"SELECT id, title, substr(body, 1, {LEAD_CHARS}), published, url, lang FROM stories"  # noqa: S608
        f" WHERE id IN ({marks})"
    )
    try:
        rows = conn.execute(statement, list(ids)).fetchall()
    except sqlite3.OperationalError:  # an archive read as it is, from before languages
        rows = conn.execute(statement.replace(", lang FROM", ", '' FROM"), list(ids)).fetchall()
    for values in rows:
        row = _row_of(values)
        out[row.id] = row
    return out


class DayCounts:
    """How many titles hold each key, per UTC day, kept in memory by the writer.

    Counting a key's postings costs a statement per story (:func:`_count`);
    the writer indexes every story itself, so it can keep the counts of the
    days it groups instead: a day's counts are read in one statement the
    first time it is needed (its postings grouped by key), then kept up to
    date as stories are indexed (:meth:`indexed`), so a story's lookup costs
    dictionary reads. ``event_days`` checks them: when a day's total there
    differs from the one kept (a rolled-back transaction, a prune, a
    rebuild, another process's poll), the day is read again, at most once
    per :data:`_RELOAD_EVERY` lookups when other writers only add stories
    (PostgreSQL archives polled by several workers), the rarity of a word
    then lagging by their few stories. Days far from the last ones looked
    up are dropped.

    One instance belongs to one archive's writing connection (the archive
    object keeps it); :func:`rebuild` makes its own.
    """

    def __init__(self) -> None:
        self._days: dict[int, _Day] = {}
        self._lookups = 0
        # The days' counts summed per window of days looked up (a few: stories of a
        # poll are mostly of one or two windows), so that a key costs one lookup.
        self._windows: dict[tuple[int, ...], dict[int, int]] = {}

    def total(self, conn: sqlite3.Connection, days: Sequence[int]) -> int:
        """Stories indexed on ``days``, after bringing those days' counts up to date."""
        self._lookups += 1
        stored = dict(
            conn.execute(
                "SELECT day, stories FROM event_days WHERE day BETWEEN ? AND ?", (days[0], days[-1])
            ).fetchall()
        )
        for day in days:
            n = int(stored.get(day, 0))
            kept = self._days.get(day)
            due = kept is not None and self._lookups - kept.read >= _RELOAD_EVERY
            if kept is not None and kept.stories == n and not (kept.behind and due):
                continue
            if kept is not None and n > kept.stories and not due:
                kept.stories = n  # other writers' stories: their keys are counted when due
                kept.behind = True
                continue
            lo = day << 32
            for window in [w for w in self._windows if day in w]:
                del self._windows[window]
            self._days[day] = _Day(
                n,
                {
                    int(h): int(c)
                    for h, c in conn.execute(
                        "SELECT key & 4294967295, COUNT(*) FROM event_keys"
                        " WHERE key BETWEEN ? AND ? GROUP BY key",
                        (lo, lo | 0xFFFFFFFF),
                    )
                },
                self._lookups,
                False,
            )
        for day in [d for d in self._days if not days[0] - 4 <= d <= days[-1] + 4]:
            del self._days[day]
        window = tuple(days)
        if window not in self._windows:
            if len(self._windows) >= _WINDOWS:
                del self._windows[next(iter(self._windows))]
            merged: dict[int, int] = {}
            for day in days:
                for h, n in self._days[day].keys.items():
                    merged[h] = merged.get(h, 0) + n
            self._windows[window] = merged
        return sum(int(stored.get(d, 0)) for d in days)

    def count(self, keys: Iterable[str], days: Sequence[int], counts: dict[str, int]) -> None:
        """Add to ``counts`` the titles holding each of ``keys`` on ``days`` (see :meth:`total`)."""
        merged = self._windows[tuple(days)]
        for k in keys:
            if k not in counts:
                counts[k] = merged.get(key_hash(k), 0)

    def indexed(self, day: int, hashes: Iterable[int]) -> None:
        """Note a story indexed on ``day`` under its keys' ``hashes``."""
        kept = self._days.get(day)
        if kept is None:
            return  # read from the index when first needed
        kept.stories += 1
        hashes = list(hashes)
        for counted in [kept.keys, *(m for w, m in self._windows.items() if day in w)]:
            for h in hashes:
                counted[h] = counted.get(h, 0) + 1


@dataclass(slots=True)
class _Day:
    stories: int  # the day's total in event_days as last seen
    keys: dict[int, int]  # titles holding each key hash
    read: int  # the lookup that read the day from the index
    behind: bool  # other writers added stories whose keys are not counted yet


#: Lookups between two readings of a day that only other writers added stories to.
_RELOAD_EVERY = 200

#: Windows of days whose summed counts are kept (see :class:`DayCounts`).
_WINDOWS = 8


def _idf(
    conn: sqlite3.Connection,
    features: EventFeatures,
    published: datetime,
    params: EventParams,
    *,
    indexed: bool = False,
    cache: DayCounts | None = None,
) -> tuple[dict[str, int], int, list[int], set[str]]:
    """The title keys' rarity among the stories of the window's days, from the index.

    Returns:
        The keys' counts (:func:`_count`; the story's own keys once more, as it
        will be indexed, unless ``indexed``), the stories of the days (with this one), the days
        probed, and the keys too common to find candidates with (found
        :data:`_POSTINGS` times a day or more). The candidates' keys are
        counted by :func:`_match` when there are candidates.
    """
    days = lookup_buckets(published, params.window)
    cap = _POSTINGS * len(days)
    counts: dict[str, int] = {}
    if cache is not None:
        total = cache.total(conn, days)
        cache.count(features.title_keys, days, counts)
    else:
        total = conn.execute(
            "SELECT COALESCE(SUM(stories), 0) FROM event_days WHERE day BETWEEN ? AND ?",
            (days[0], days[-1]),
        ).fetchone()[0]
        global _COUNT_USES
        _COUNT_USES += 1
        if _COUNT_USES >= _COUNT_REFRESH:
            _COMMON_COUNTS.clear()
            _COUNT_USES = 0
        _count(conn, features.title_keys, days, counts)
    common = {k for k, n in counts.items() if n >= cap}
    if indexed:
        return counts, int(total), days, common
    # The story itself counts in the totals and its keys' counts, as it will once indexed.
    counts = {k: n + 1 for k, n in counts.items()}
    return counts, int(total) + 1, days, common


def _count(
    conn: sqlite3.Connection, keys: Iterable[str], days: Sequence[int], counts: dict[str, int]
) -> dict[str, int]:
    """Add to ``counts`` the titles holding each of ``keys`` on ``days`` (one statement).

    Postings are counted up to :data:`_COUNTED` a day (SQLite walks them in
    the index: a common key costs no Python per posting); a common key's
    count is reused for a while (:data:`_COMMON_COUNTS`).
    """
    span = (days[0], len(days))
    wanted: list[str] = []
    for k in keys:
        if k in counts:
            continue
        known = _COMMON_COUNTS.get((span, k))
        if known is None:
            wanted.append(k)
        else:
            counts[k] = known
    if wanted:
        marks = ",".join("?" for _ in days)
        count = (
            "SELECT {i}, (SELECT COUNT(*) FROM (SELECT 1 FROM event_keys"
            f" WHERE key IN ({marks}) LIMIT {_COUNTED * len(days)}))"
        )
        statement = " UNION ALL ".join(count.format(i=i) for i in range(len(wanted)))
        probes = [(d << 32) | key_hash(k) for k in wanted for d in days]
        for i, n in conn.execute(statement, probes):
            counts[wanted[i]] = int(n)
            if n >= _CACHED * len(days):
                _COMMON_COUNTS[span, wanted[i]] = int(n)
    return counts


def _candidates(
    conn: sqlite3.Connection,
    features: EventFeatures,
    idf: Callable[[str], float],
    days: Sequence[int],
    common: set[str],
    params: EventParams,
    story_id: int,
    kinds: frozenset[str],
    lang: str = "",
) -> list[_Row]:
    """Stories of the window's days sharing two title keys or more, best shared weight first.

    One statement finds them and reads their rows (title, the body's first
    :data:`~aggregator.dedupe.events.LEAD_CHARS` characters, date, link, language).

    A story whose title tells a kind of happening (``kinds``, see
    :func:`~aggregator.dedupe.events.tells_happening`) also finds the stories
    sharing just one of its title keys when that key is at least
    ``one_key_idf`` rare: the angle rule may join those (one outlet's "Death
    toll rises to 43 in blast in Syrian town" and another's "Syrien:
    Autobombe tötet Dutzende Menschen"). They come after the stories sharing
    two keys, within ``max_candidates``, and the bound below does not apply to them.
    A story of a known language (``lang``) then finds, within ``max_candidates``,
    the stories of another known language sharing one title key at least
    ``one_key_idf`` rare and held by at most ``max_candidates`` titles of the
    days (see :func:`_other_languages`).

    A key found in :data:`_POSTINGS` stories a day or more (``common``) is no
    evidence and finds no candidates. The titles' weighted agreement (see
    :func:`~aggregator.dedupe.events.compare`) is at most the shared keys'
    weight over this title's own, since the union of two titles weighs at
    least one of them: candidates below ``min_title`` by that bound are left
    out. SQLite sums the weights, so a common key costs no Python per posting.
    """
    own = sum(idf(k) for k in features.title_keys)
    usable = [k for k in features.title_keys if k not in common]
    single = [k for k in usable if idf(k) >= params.one_key_idf] if kinds else []
    if (len(usable) < 2 and not single) or own <= 0:
        return _other_languages(conn, features, idf, days, common, params, story_id, lang, [])
    hashes = [key_hash(k) for k in usable]
    cases = " ".join("WHEN ? THEN ?" for _ in usable)
    marks = ",".join("?" for _ in range(len(usable) * len(days)))
    args: list[object] = []
    for h, k in zip(hashes, usable, strict=True):
        args += [h, idf(k)]
    args += [(d << 32) | h for h in hashes for d in days]
    args.append(story_id)
    rare = [key_hash(k) for k in single]
    if rare:
        # Two shared keys first, then one rare key; the bound only for two.
        one = ",".join("?" for _ in rare)
        having = (
            f"COUNT(*) >= 2 OR MAX(CASE WHEN (key & 4294967295) IN ({one}) THEN 1 ELSE 0 END) = 1"
        )
        args += [*rare, params.max_candidates, params.min_title * own]
        inner, order = "COUNT(*) >= 2 DESC, w DESC", "c.n >= 2 DESC, c.w DESC"
        bound = "(c.w >= ? OR c.n < 2)"
    else:
        having = "COUNT(*) >= 2"
        args += [params.max_candidates, params.min_title * own]
        inner, order = "w DESC", "c.w DESC"
        bound = "c.w >= ?"
    # The best by shared weight, then those above the bound (the same set as the
    # best above the bound, as they come in that order; no column alias in a HAVING).
    statement = (
        f"SELECT t.id, t.title, substr(t.body, 1, {LEAD_CHARS}), t.published, t.url, t.lang"  # noqa: S608
        " FROM (SELECT story_id, SUM(CASE key & 4294967295"
        f" {cases} ELSE 0 END) AS w{', COUNT(*) AS n' if rare else ''} FROM event_keys"
        f" WHERE key IN ({marks}) AND story_id != ? GROUP BY story_id HAVING {having}"
        f" ORDER BY {inner}, story_id DESC LIMIT ?)"
        f" AS c JOIN stories t ON t.id = c.story_id WHERE {bound} ORDER BY {order}, c.story_id DESC"
    )
    try:
        rows = conn.execute(statement, args).fetchall()
    except sqlite3.OperationalError:  # a stories table from before languages
        rows = conn.execute(statement.replace(", t.lang FROM", ", '' FROM"), args).fetchall()
    found = [_row_of(values) for values in rows]
    return _other_languages(conn, features, idf, days, common, params, story_id, lang, found)


def _other_languages(
    conn: sqlite3.Connection,
    features: EventFeatures,
    idf: Callable[[str], float],
    days: Sequence[int],
    common: set[str],
    params: EventParams,
    story_id: int,
    lang: str,
    found: list[_Row],
) -> list[_Row]:
    """``found`` and, up to ``max_candidates``, the stories of another language sharing a few key.

    A retelling in another language may keep just one title word ("Kältewelle
    in Europa" / "Vague de froid en Europe") and its names (see
    :func:`~aggregator.dedupe.events.names_retold`). A key at least
    ``one_key_idf`` rare that at most ``max_candidates`` titles of the days hold
    (its count read back from its rarity) finds them in one statement, which
    reads those few stories' language: an archive of one language reads a few
    rows more per story, and gets no more candidates.
    """
    room = params.max_candidates - len(found)
    if not lang or room <= 0:
        return found
    ceiling = idf("")  # the rarity of a key no title holds: see _stories_with
    few = [
        k
        for k in features.title_keys
        if k not in common
        and idf(k) >= params.one_key_idf
        and math.exp(ceiling - idf(k)) - 1 < params.max_candidates + 0.5
    ]
    if not few:
        return found
    probes = [(d << 32) | key_hash(k) for k in few for d in days]
    marks = ",".join("?" for _ in probes)
    statement = (
        f"SELECT t.id, t.title, substr(t.body, 1, {LEAD_CHARS}), t.published, t.url, t.lang"  # noqa: S608
        f" FROM event_keys k JOIN stories t ON t.id = k.story_id WHERE k.key IN ({marks})"
        " AND k.story_id != ? AND t.lang NOT IN ('', ?) ORDER BY k.story_id DESC LIMIT ?"
    )
    try:
        rows = conn.execute(statement, [*probes, story_id, lang, room]).fetchall()
    except sqlite3.OperationalError:  # a stories table from before languages: none known
        return found
    seen = {row.id for row in found}
    for values in rows:
        if values[0] not in seen:
            seen.add(values[0])
            found.append(_row_of(values))
    return found


def _match(
    conn: sqlite3.Connection, row: _Row, params: EventParams, cache: DayCounts | None
) -> tuple[list[tuple[int, EventVerdict]], EventFeatures]:
    features = event_features(row.title, row.body)
    if features.kind in APART_KINDS or commentary_url(row.url):
        return [], features  # a roundup or a column joins no event (see compare)
    counts, total, days, common = _idf(conn, features, row.published, params, cache=cache)
    idf = idf_from_counts(counts, total)
    kinds = tells_happening(features)
    others = [
        (cand, event_features(cand.title, cand.body))
        for cand in _candidates(conn, features, idf, days, common, params, row.id, kinds, row.lang)
        # a story never joins an event through its own outlet's stories
        if not (row.outlet and cand.outlet == row.outlet)
    ]
    if kinds or row.lang:
        # A candidate sharing one title key is kept only when it tells the same kind of
        # happening (compare asks it the angle rule), or is in another language and one
        # title's names are told in the other story: no keys counted, no compare else.
        keys = set(features.title_keys)
        others = [
            (cand, f)
            for cand, f in others
            if len(keys.intersection(f.title_keys)) >= 2
            or (kinds & tells_happening(f))
            or (_other_language(row, cand) and names_retold(features, f))
        ]
    if others:
        # The rules weigh the candidates' title keys and the names both hold too.
        needed: set[str] = set()
        for _, f in others:
            needed.update(f.title_keys)
            needed.update((f.names | features.names) & f.lead_keys & features.lead_keys)
        if cache is not None:
            cache.count(needed, days, counts)
        else:
            _count(conn, sorted(needed), days, counts)
        idf = idf_from_counts(counts, total)
    matches: list[tuple[int, EventVerdict]] = []
    for cand, cand_features in others:
        verdict = compare(
            features,
            cand_features,
            published_a=row.published,
            published_b=cand.published,
            idf=idf,
            params=params,
            other_language=_other_language(row, cand),
            url_a=row.url,
            url_b=cand.url,
        )
        if verdict.same:
            matches.append((cand.id, verdict))
    return matches, features


def _refresh(conn: sqlite3.Connection, event_id: int) -> None:
    """Recompute an event's row from its stories (headline: best covered, then earliest)."""
    # Dates as text, which events.first_seen and last_seen keep (published may be seconds).
    members = [
        (m[0], text_of_db(m[1]), m[2], m[3])
        for m in conn.execute(
            "SELECT t.id, t.published, t.url, (SELECT COUNT(DISTINCT COALESCE(feed_id, -id))"
            " FROM sources WHERE story_id = t.id) AS coverage"
            " FROM story_events e JOIN stories t ON t.id = e.story_id WHERE e.event_id = ?",
            (event_id,),
        )
    ]
    if len(members) < 2:
        conn.execute("DELETE FROM story_events WHERE event_id = ?", (event_id,))
        conn.execute("DELETE FROM events WHERE id = ?", (event_id,))
        return
    headline = min(members, key=lambda m: (-m[3], m[1], m[0]))[0]
    outlets = len({outlet_of(m[2] or "") or f"#{m[0]}" for m in members})
    conn.execute(
        "INSERT OR REPLACE INTO events"
        " (id, headline_story, first_seen, last_seen, stories, outlets)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            event_id,
            headline,
            min(m[1] for m in members),
            max(m[1] for m in members),
            len(members),
            outlets,
        ),
    )


def assign(
    conn: sqlite3.Connection,
    story_id: int,
    params: EventParams | None = None,
    cache: DayCounts | None = None,
) -> int | None:
    """Index a stored story and join it to the event it reports, if any (caller's transaction).

    The story joins the event of the candidate it agrees with best; a
    candidate not yet in an event forms one with it. Events are never merged
    through a new story (a wrong link would join two happenings).

    Args:
        conn: the archive's writing connection, inside a transaction.
        story_id: the story, already stored.
        params: the ``[events]`` settings.
        cache: the writer's :class:`DayCounts`, if it keeps them (else the index is probed).

    Returns:
        The event's id, or ``None`` when the story stays alone.
    """
    row = _rows(conn, [story_id]).get(story_id)
    if row is None:
        return None
    return _assign_row(conn, row, params or EventParams(), cache)


def group_stored(
    conn: sqlite3.Connection,
    stories: Sequence[tuple[int, Story]],
    params: EventParams | None = None,
    features: Sequence[EventFeatures | None] = (),
    cache: DayCounts | None = None,
) -> int:
    """Group stories just stored by a poll or an import (inside the same transaction).

    The stories' text is at hand, so nothing is read back; each is indexed
    and joins the event it reports, if any (see :func:`assign`).

    Args:
        conn: the writing connection, inside the transaction that stored them.
        stories: ``(story id, story)`` of the new stories, in the order stored.
        params: the ``[events]`` settings.
        features: each story's :func:`~aggregator.dedupe.events.event_features`, when a
            parser process computed them (``None`` or missing: computed here).
        cache: the writer's :class:`DayCounts` (the archive keeps one), so that a
            story's keys are counted without probing the index.

    Returns:
        How many stories joined an event.
    """
    if not stories:
        return 0
    params = params or EventParams()
    joined = 0
    for i, (story_id, story) in enumerate(stories):
        known = features[i] if i < len(features) else None
        if known is not None:
            remember(story.title, story.body, known)
        row = _Row(
            story_id,
            story.title,
            story.body[:LEAD_CHARS],
            _parse_time(_db_time(story.published)),
            _outlet(story.url),
            story.lang,
            story.url,
        )
        if _assign_row(conn, row, params, cache) is not None:
            joined += 1
    conn.execute(
        "INSERT INTO event_meta (name, value) VALUES ('last_story', ?)"
        " ON CONFLICT(name) DO UPDATE SET value = MAX(value, excluded.value)",
        (max(sid for sid, _ in stories),),
    )
    return joined


def _assign_row(
    conn: sqlite3.Connection, row: _Row, params: EventParams, cache: DayCounts | None = None
) -> int | None:
    story_id = row.id
    matches, features = _match(conn, row, params, cache)
    keys = index_keys(features, row.published)
    conn.executemany(
        "INSERT OR IGNORE INTO event_keys (key, story_id) VALUES (?, ?)",
        [(key, story_id) for key in keys],
    )
    day = int(row.published.timestamp()) // 86400
    if cache is not None:
        cache.indexed(day, [key & 0xFFFFFFFF for key in keys])
    conn.execute(
        "INSERT INTO event_days (day, stories) VALUES (?, 1)"
        " ON CONFLICT(day) DO UPDATE SET stories = stories + 1",
        (day,),
    )
    if not matches:
        return None
    best_id, _ = max(matches, key=lambda m: (m[1].score, -m[0]))
    if conn.execute("SELECT 1 FROM story_events WHERE story_id = ?", (story_id,)).fetchone():
        return None  # already grouped (a rebuild in progress never gets here twice)
    found = conn.execute(
        "SELECT event_id FROM story_events WHERE story_id = ?", (best_id,)
    ).fetchone()
    if found:
        event_id = int(found[0])
    else:
        best = _rows(conn, [best_id])[best_id]
        event_id = int(
            conn.execute(
                "INSERT INTO events (headline_story, first_seen, last_seen, stories, outlets)"
                " VALUES (?, ?, ?, 1, 1)",
                (best_id, _db_time(best.published), _db_time(best.published)),
            ).lastrowid
            or 0
        )
        conn.execute(
            "INSERT INTO story_events (story_id, event_id, outlet) VALUES (?, ?, ?)",
            (best_id, event_id, best.outlet),
        )
    _join(conn, event_id, row)
    return event_id


def _db_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _coverage(conn: sqlite3.Connection, story_id: int) -> int:
    row = conn.execute(
        "SELECT COUNT(DISTINCT COALESCE(feed_id, -id)) FROM sources WHERE story_id = ?",
        (story_id,),
    ).fetchone()
    return int(row[0]) if row else 0


def _join(conn: sqlite3.Connection, event_id: int, row: _Row) -> None:
    """Add a story to an event, updating its counts, span and headline without a scan."""
    new_outlet = (
        row.outlet == ""
        or not conn.execute(
            "SELECT 1 FROM story_events WHERE event_id = ? AND outlet = ? LIMIT 1",
            (event_id, row.outlet),
        ).fetchone()
    )
    conn.execute(
        "INSERT INTO story_events (story_id, event_id, outlet) VALUES (?, ?, ?)",
        (row.id, event_id, row.outlet),
    )
    head_id, first, last = conn.execute(
        "SELECT headline_story, first_seen, last_seen FROM events WHERE id = ?", (event_id,)
    ).fetchone()
    when = _db_time(row.published)
    head = (_coverage(conn, head_id), first)
    mine = (_coverage(conn, row.id), when)
    headline = row.id if (mine[0], head[1]) > (head[0], mine[1]) else head_id
    conn.execute(
        "UPDATE events SET headline_story = ?, first_seen = MIN(first_seen, ?),"
        " last_seen = MAX(last_seen, ?), stories = stories + 1, outlets = outlets + ?"
        " WHERE id = ?",
        (headline, when, when, 1 if new_outlet else 0, event_id),
    )


def rebuild(
    conn: sqlite3.Connection,
    params: EventParams | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Recompute every event from the stored stories, oldest first (caller's transaction).

    Returns:
        (stories indexed, events formed).
    """
    params = params or EventParams()
    create_tables(conn)
    _COMMON_COUNTS.clear()
    for table in ("events", "story_events", "event_keys", "event_days", "event_meta"):
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    ids = [r[0] for r in conn.execute("SELECT id FROM stories ORDER BY published, id")]
    cache = DayCounts()
    for done, sid in enumerate(ids, 1):
        assign(conn, sid, params, cache)
        if progress is not None and (done % 200 == 0 or done == len(ids)):
            progress(done, len(ids))
    if ids:
        conn.execute(
            "INSERT OR REPLACE INTO event_meta (name, value) VALUES ('last_story', ?)", (max(ids),)
        )
    return len(ids), count_events(conn)


def forget_story_events(conn: sqlite3.Connection, ids: Iterable[int]) -> None:
    """Take stories out of their events and the index before deletion (caller's transaction).

    Events left with fewer than two stories dissolve; the others get a new
    headline, span and counts. Call it while the story rows still exist.
    """
    ids = list(ids)
    if not ids or not has_tables(conn):
        return
    rows = _rows(conn, ids)
    events: set[int] = set()
    for sid in ids:
        found = conn.execute(
            "SELECT event_id FROM story_events WHERE story_id = ?", (sid,)
        ).fetchone()
        if found:
            events.add(int(found[0]))
        conn.execute("DELETE FROM story_events WHERE story_id = ?", (sid,))
        row = rows.get(sid)
        if row is not None:
            for key in index_keys(event_features(row.title, row.body), row.published):
                conn.execute("DELETE FROM event_keys WHERE key = ? AND story_id = ?", (key, sid))
            conn.execute(
                "UPDATE event_days SET stories = MAX(stories - 1, 0) WHERE day = ?",
                (int(row.published.timestamp()) // 86400,),
            )
    for event_id in events:
        _refresh(conn, event_id)


def event_totals(conn: sqlite3.Connection) -> tuple[int, int]:
    """Events of two or more stories, and the stories they hold (read-only)."""
    if not has_tables(conn):
        return 0, 0
    events = int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    grouped = int(conn.execute("SELECT COUNT(*) FROM story_events").fetchone()[0])
    return events, grouped


def coverage(conn: sqlite3.Connection, story_id: int) -> list[tuple[int, str, str, str]]:
    """The other articles of a story's event, earliest first (read-only).

    Returns:
        ``(id, title, outlet, url)`` of each; ``[]`` when the story is in no event.
    """
    if not has_tables(conn):
        return []
    return [
        (int(r[0]), r[1] or "", r[2] or outlet_of(r[3] or ""), r[3] or "")
        for r in conn.execute(
            "SELECT t.id, t.title, o.outlet, t.url FROM story_events e"
            " JOIN story_events o ON o.event_id = e.event_id AND o.story_id != e.story_id"
            " JOIN stories t ON t.id = o.story_id WHERE e.story_id = ?"
            " ORDER BY t.published, t.id",
            (story_id,),
        )
    ]


def count_events(conn: sqlite3.Connection) -> int:
    """Events of two or more stories."""
    if not has_tables(conn):
        return 0
    return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])


@dataclass(frozen=True, slots=True)
class EventInfo:
    """An event as readers see it.

    Attributes:
        id: the event's id.
        headline_story: the story whose title heads the event.
        first_seen: the earliest story's publication time (UTC text).
        last_seen: the latest story's publication time (UTC text).
        stories: the ids of its stories, earliest first.
        outlets: how many distinct outlets cover it.
    """

    id: int
    headline_story: int
    first_seen: str
    last_seen: str
    stories: tuple[int, ...]
    outlets: int


def events_of(conn: sqlite3.Connection, story_ids: Iterable[int]) -> dict[int, EventInfo]:
    """The event of each given story that is in one (read-only)."""
    ids = list(story_ids)
    if not ids or not has_tables(conn):
        return {}
    out: dict[int, EventInfo] = {}
    infos: dict[int, EventInfo] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        for sid, eid in conn.execute(
            f"SELECT story_id, event_id FROM story_events WHERE story_id IN ({marks})", chunk
        ).fetchall():
            if eid not in infos:
                info = event_members(conn, eid)
                if info is None:
                    continue
                infos[eid] = info
            out[sid] = infos[eid]
    return out


def event_members(conn: sqlite3.Connection, event_id: int) -> EventInfo | None:
    """One event with its stories, or ``None``."""
    row = conn.execute(
        "SELECT id, headline_story, first_seen, last_seen, outlets FROM events WHERE id = ?",
        (event_id,),
    ).fetchone()
    if row is None:
        return None
    members = tuple(
        r[0]
        for r in conn.execute(
            "SELECT e.story_id FROM story_events e JOIN stories t ON t.id = e.story_id"
            " WHERE e.event_id = ? ORDER BY t.published, t.id",
            (event_id,),
        )
    )
    return EventInfo(row[0], row[1], row[2], row[3], members, row[4])


def explain(
    conn: sqlite3.Connection, a: int, b: int, params: EventParams | None = None
) -> tuple[EventFeatures, EventFeatures, EventVerdict]:
    """Why two stored stories are, or are not, one event: their features and the verdict.

    Raises:
        KeyError: a story does not exist.
    """
    params = params or EventParams()
    rows = _rows(conn, [a, b])
    if a not in rows or b not in rows:
        missing = a if a not in rows else b
        raise KeyError(missing)
    return _pair(conn, rows[a], rows[b], params)


def _pair(
    conn: sqlite3.Connection, ra: _Row, rb: _Row, params: EventParams
) -> tuple[EventFeatures, EventFeatures, EventVerdict]:
    """The two stories' features and the rules' verdict, with rarity counted as it is now."""
    fa, fb = event_features(ra.title, ra.body), event_features(rb.title, rb.body)
    idf = idf_from_counts({}, 1)
    if has_tables(conn):
        # Both stories are indexed already: their own keys are not counted again.
        counts, total, days, _ = _idf(conn, fa, ra.published, params, indexed=True)
        needed = set(fb.title_keys) | ((fa.names | fb.names) & fa.lead_keys & fb.lead_keys)
        idf = idf_from_counts(_count(conn, sorted(needed), days, counts), total)
    verdict = compare(
        fa,
        fb,
        published_a=ra.published,
        published_b=rb.published,
        idf=idf,
        params=params,
        same_outlet=bool(ra.outlet) and ra.outlet == rb.outlet,
        other_language=_other_language(ra, rb),
        url_a=ra.url,
        url_b=rb.url,
    )
    return fa, fb, verdict


LINK_MEMBERS = 60
"""Members of an event :func:`link` searches at most (the earliest published)."""


@dataclass(frozen=True, slots=True)
class EventLink:
    """How two stories stored in one event are linked.

    A story joins the event of the one article it matches best, so an event
    grows story by story: two of its members may match only through a third
    ("Jesse Jackson dies at 84" and "A life in pictures" through "Tributes
    pour in after Jesse Jackson dies"), and each key's rarity is counted now
    over the archive as it is, not as it was when the story joined.

    Attributes:
        event_id: the event both stories are stored in.
        path: the stories from the first to the second, each matching the next by
            the rules now; empty when no chain of matching members is found now.
        rules: the deciding rule of each step of ``path``.
    """

    event_id: int
    path: tuple[int, ...]
    rules: tuple[str, ...]


def link(
    conn: sqlite3.Connection, a: int, b: int, params: EventParams | None = None
) -> EventLink | None:
    """How two stories of one stored event are linked, or ``None`` when they are not in one.

    Searches the event's members breadth first from ``a``, each step a pair the
    rules join now, so the path is the shortest chain of matches.
    """
    params = params or EventParams()
    if not has_tables(conn):
        return None
    found = dict(
        conn.execute(
            "SELECT story_id, event_id FROM story_events WHERE story_id IN (?, ?)", (a, b)
        ).fetchall()
    )
    if a == b or a not in found or found.get(b) != found[a]:
        return None
    event_id = int(found[a])
    info = event_members(conn, event_id)
    members = list(info.stories if info else ())
    members = [m for m in members if m not in (a, b)][: LINK_MEMBERS - 2] + [a, b]
    rows = _rows(conn, members)
    previous: dict[int, tuple[int, str]] = {}
    frontier = [a]
    seen = {a}
    while frontier and b not in previous:
        step: list[int] = []
        for x in frontier:
            for y in members:
                if y in seen or x not in rows or y not in rows:
                    continue
                verdict = _pair(conn, rows[x], rows[y], params)[2]
                if verdict.same:
                    seen.add(y)
                    previous[y] = (x, verdict.rule)
                    step.append(y)
        frontier = step
    if b not in previous:
        return EventLink(event_id, (), ())
    path, rules = [b], []
    while path[-1] != a:
        before, rule = previous[path[-1]]
        rules.append(rule)
        path.append(before)
    return EventLink(event_id, tuple(reversed(path)), tuple(reversed(rules)))
