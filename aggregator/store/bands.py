"""The near-duplicate index in SQL: band keys, the candidates of a decision, merges.

The SQL side of :mod:`aggregator.dedupe.decide` and :mod:`aggregator.dedupe.neardup`
(which stay pure): :func:`resolve` fetches the candidates a copy's decision
asks for, stage by stage, and :func:`apply_absorb` writes what a duplicate
changes in its story. Every function runs inside the caller's transaction
(the archive's ``store_poll`` and ``import_stories``, or ``dedupe --rebuild``).

Tables (schema version 2):

- ``story_bands(key, story_id)``, ``WITHOUT ROWID``, primary key
  ``(key, story_id)``: each story's band keys (:func:`neardup.index_keys`),
  a few 4-byte integers per story. There is no index on ``story_id``: the
  keys of a story are recomputed from its text when they must go, which
  keeps the table at one B-tree. Keys of a deleted story stay until the
  next rebuild; they cost a probe, never a wrong merge (candidates are read
  from ``stories``).
- ``dedupe_meta(name, value)``: ``index_id``, the :attr:`neardup.Params.index_id`
  the keys were computed with.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime

from aggregator.dedupe import decide, neardup
from aggregator.dedupe.decide import (
    AddSource,
    Decision,
    Found,
    Incoming,
    NearCandidate,
    Need,
    Sighting,
    Step,
    Target,
    TextCandidate,
    UrlCandidate,
)
from aggregator.dedupe.neardup import Params
from aggregator.dedupe.urls import guid_key
from aggregator.store.compact import date_param, stored_generator
from aggregator.timeutil import from_db, utcnow

__all__ = [
    "apply_absorb",
    "check_index",
    "index_story",
    "reindex_text",
    "resolve",
    "sighting",
]

#: At most this many stories are read per URL key or fingerprint.
_SAME_KEY_LIMIT = 16
_NO_LIMIT = 2**62


def check_index(conn: sqlite3.Connection, *, params: Params) -> str:
    """Compare the stored index's settings with ``params``; adopt them on an empty archive.

    Args:
        conn: the archive's connection (outside a transaction).
        params: the settings in use.

    Returns:
        ``""`` when the index matches, else a one-line warning that asks for a rebuild.
    """
    row = conn.execute("SELECT value FROM dedupe_meta WHERE name = 'index_id'").fetchone()
    if row is not None and row[0] == params.index_id:
        return ""
    if conn.execute("SELECT 1 FROM stories LIMIT 1").fetchone() is None:
        conn.execute(
            "INSERT OR REPLACE INTO dedupe_meta (name, value) VALUES ('index_id', ?)",
            (params.index_id,),
        )
        return ""
    built = f"was built with {row[0]}" if row is not None else "was never built"
    return (
        f"the near-duplicate index {built}, settings are {params.index_id}:"
        " run 'aggregator dedupe --rebuild'"
    )


def index_story(
    conn: sqlite3.Connection, story_id: int, values: Collection[int], published: datetime
) -> int:
    """Store a story's band keys.

    Args:
        conn: the connection, in a transaction.
        story_id: the story.
        values: its :attr:`Signature.values`.
        published: its date (UTC), which picks the keys' bucket.

    Returns:
        The number of keys written.
    """
    keys = neardup.index_keys(tuple(values), published)
    if keys:
        # One statement for all of them: a story has about ten keys.
        conn.execute(_insert_keys_sql(len(keys)), [v for key in keys for v in (key, story_id)])
    return len(keys)


@functools.lru_cache(maxsize=64)
def _insert_keys_sql(n: int) -> str:
    return "INSERT OR IGNORE INTO story_bands (key, story_id) VALUES " + ",".join(["(?, ?)"] * n)


def _unindex(
    conn: sqlite3.Connection, story_id: int, values: Collection[int], published: datetime
) -> None:
    keys = neardup.index_keys(tuple(values), published)
    conn.executemany(
        "DELETE FROM story_bands WHERE key = ? AND story_id = ?",
        [(key, story_id) for key in keys],
    )


def reindex_text(
    conn: sqlite3.Connection, story_id: int, new_values: Collection[int], *, params: Params
) -> None:
    """Replace a story's keys before its text changes (call it before the UPDATE).

    Args:
        conn: the connection, in a transaction.
        story_id: the story.
        new_values: the band values of its new text.
        params: the settings.
    """
    row = conn.execute("SELECT body, published FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        return
    published = from_db(row[1]) or utcnow()
    _unindex(conn, story_id, neardup.signature(row[0], params=params).values, published)
    index_story(conn, story_id, new_values, published)


# -- the candidates a decision asks for --------------------------------------


def resolve(
    conn: sqlite3.Connection, incoming: Incoming, params: Params, *, before: int | None = None
) -> tuple[Decision, Found]:
    """Decide what to do with a copy, fetching the candidates :func:`decide.decide` asks for.

    Stage by stage: a copy matched by its canonical URL costs no fingerprint
    or band query.

    Args:
        conn: the connection.
        incoming: the copy.
        params: the settings.
        before: only stories with a smaller id (``rebuild`` walks the archive in id order).

    Returns:
        The decision, and what was fetched for it (the matched story's row included).
    """
    found = Found()
    limit = before if before is not None else _NO_LIMIT
    while True:
        step = decide.decide(incoming, found, params)
        if not isinstance(step, Need):
            return step, found
        found = _fetch(conn, step, incoming, found, params, limit)


def _fetch(
    conn: sqlite3.Connection,
    need: Need,
    incoming: Incoming,
    found: Found,
    params: Params,
    before: int,
) -> Found:
    # Found is built field by field: dataclasses.replace costs more than the queries
    # of a new story's stages together save on this hot path.
    f = found
    if need.step in _EXACT_STEPS:
        return _fetch_exact(conn, incoming, found, before)
    same_feed, feeds = _same_feed_sql(incoming.feeds)
    if need.step is Step.NEAR:
        near = _near_candidates(conn, incoming, params, before, same_feed, feeds)
        return Found(f.sighting, f.url, f.text, near, f.match, f.target)
    assert need.match is not None  # Step.TARGET names its story
    return Found(f.sighting, f.url, f.text, f.near, need.match, _target(conn, need, incoming))


_EXACT_STEPS = frozenset((Step.SIGHTING, Step.URL, Step.TEXT))


def _fetch_exact(conn: sqlite3.Connection, incoming: Incoming, found: Found, before: int) -> Found:
    """The sighting, URL and fingerprint candidates a copy may need, in one statement.

    Whichever of the three stages :func:`decide.decide` may still ask for
    (the copy has a guid and a feed, a usable URL key, a fingerprint) is read
    at once, with ``UNION ALL``: a new story costs one statement here instead
    of three. A stage the decision does not reach is read for nothing, but
    each part is one index probe.
    """
    parts: list[str] = []
    params: list[object] = []
    want_sighting = found.sighting is None and bool(incoming.guid and incoming.feeds)
    want_url = found.url is None and incoming.url_key is not None
    want_text = found.text is None and bool(incoming.fingerprint)
    if want_sighting:
        parts.append(
            "SELECT 0, s.id, s.story_id, s.fingerprint, t.fingerprint FROM sources s"
            " JOIN stories t ON t.id = s.story_id"
            " WHERE s.feed_id = ? AND s.guid_key = ? AND s.guid = ?"
        )
        params += (incoming.feeds[0], guid_key(incoming.guid), incoming.guid)
    if want_url:
        parts.append(
            "SELECT * FROM (SELECT 1, id, url, NULL, NULL FROM stories"
            " WHERE url_key = ? AND id < ? ORDER BY id LIMIT ?)"
        )
        params += (incoming.url_key, before, _SAME_KEY_LIMIT)
    if want_text:
        same_feed, feeds = _same_feed_sql(incoming.feeds)
        parts.append(
            f"SELECT * FROM (SELECT 2, id, published, {same_feed}, NULL FROM stories"
            " WHERE fingerprint = ? AND id < ? ORDER BY id LIMIT ?)"
        )
        params += (*feeds, incoming.fingerprint, before, _SAME_KEY_LIMIT)
    # Sorted here: the order of a compound's parts is not guaranteed (oldest first).
    rows = sorted(conn.execute(" UNION ALL ".join(parts), params).fetchall()) if parts else []
    sightings = tuple(Sighting(r[1], r[2], r[3], r[4]) for r in rows if r[0] == 0)
    url = tuple(UrlCandidate(r[1], r[2] or "") for r in rows if r[0] == 1)
    text = tuple(TextCandidate(r[1], from_db(r[2]), bool(r[3])) for r in rows if r[0] == 2)
    return Found(
        sightings[:1] if want_sighting else found.sighting,
        url if want_url else found.url,
        text if want_text else found.text,
        found.near,
        found.match,
        found.target,
    )


def sighting(conn: sqlite3.Connection, feed_id: int, guid: str) -> Sighting | None:
    """The source of (feed, guid) with its story's fingerprint, ``None`` when new to the feed."""
    row = conn.execute(
        "SELECT s.id, s.story_id, s.fingerprint, t.fingerprint FROM sources s"
        " JOIN stories t ON t.id = s.story_id"
        " WHERE s.feed_id = ? AND s.guid_key = ? AND s.guid = ?",
        (feed_id, guid_key(guid), guid),
    ).fetchone()
    return Sighting(row[0], row[1], row[2], row[3]) if row is not None else None


def _same_feed_sql(feeds: Sequence[int]) -> tuple[str, tuple[int, ...]]:
    """A column telling whether one of ``feeds`` carries the row's story, and its parameters."""
    if not feeds:
        return "0", ()
    marks = ",".join("?" * len(feeds))
    return (
        "EXISTS (SELECT 1 FROM sources WHERE sources.story_id = stories.id"
        f" AND sources.feed_id IN ({marks}))",
        tuple(feeds),
    )


def _near_candidates(
    conn: sqlite3.Connection,
    incoming: Incoming,
    params: Params,
    before: int,
    same_feed: str,
    feeds: tuple[int, ...],
) -> tuple[NearCandidate, ...]:
    """Stories sharing the most band keys with the copy, published within the window.

    One statement: the candidates (most keys shared first) and their rows.
    """
    keys = neardup.lookup_keys(incoming.signature.values, incoming.published, params.window)
    marks = ",".join("?" * len(keys))
    published = incoming.published
    rows = conn.execute(
        f"SELECT id, title, body, published, {same_feed} FROM stories WHERE id IN"
        f" (SELECT story_id FROM story_bands WHERE key IN ({marks}) AND story_id < ?"
        " GROUP BY story_id ORDER BY COUNT(*) DESC, story_id DESC LIMIT ?)"
        " AND published BETWEEN ? AND ? ORDER BY id",
        (
            *feeds,
            *keys,
            before,
            params.max_candidates,
            date_param(conn, published - params.window),
            date_param(conn, published + params.window),
        ),
    ).fetchall()
    return tuple(NearCandidate(r[0], r[1], r[2], from_db(r[3]), bool(r[4])) for r in rows)


def _target(conn: sqlite3.Connection, need: Need, incoming: Incoming) -> Target:
    assert need.match is not None
    story_id = need.match.story_id
    row = conn.execute(
        "SELECT title, body, published FROM stories WHERE id = ?", (story_id,)
    ).fetchone()
    imported_here = incoming.imported and (
        conn.execute(
            "SELECT 1 FROM sources s JOIN stories t ON t.id = s.story_id"
            " WHERE s.story_id = ? AND s.feed_id IS NULL AND COALESCE(s.url, t.url) = ?",
            (story_id, incoming.url),
        ).fetchone()
        is not None
    )
    # The matched id was read in this transaction, so the row is there.
    return Target(story_id, row[0], row[1], from_db(row[2]), imported_here)


def apply_absorb(
    conn: sqlite3.Connection,
    add: AddSource,
    target: Target,
    incoming: Incoming,
    *,
    questions: Sequence[str],
    generator: str,
    now: str | None,
    params: Params,
) -> bool:
    """Write what an archived story takes from a duplicate copy (:func:`decide.absorb`).

    The earlier date; the copy's title, body, questions and fingerprint when
    it is substantially fuller (the FTS index follows through its trigger);
    the band keys follow the text and the date's bucket.

    Args:
        conn: the connection, in a transaction.
        add: the decision.
        target: the story's row as it was read for the decision.
        incoming: the copy.
        questions: the copy's questions.
        generator: who wrote them.
        now: when the copy was seen (database text).
        params: the settings.

    Returns:
        True when the story's text was upgraded.
    """
    a, story_id = add.absorb, add.story_id
    if not a.changes:
        return False
    if a.rekey:
        old_values = neardup.signature(target.body, params=params).values
        _unindex(conn, story_id, old_values, a.was)
        new_values = incoming.signature.values if a.upgrade else old_values
        index_story(conn, story_id, new_values, a.published)
    if a.upgrade:
        conn.execute(
            "UPDATE stories SET title = ?, body = ?, questions = ?, fingerprint = ?,"
            " generator = ?, updated_at = ?, published = ? WHERE id = ?",
            (
                incoming.title,
                incoming.body,
                "\n".join(questions),
                incoming.fingerprint or None,
                stored_generator(generator),
                now,
                date_param(conn, a.published),
                story_id,
            ),
        )
    else:
        conn.execute(
            "UPDATE stories SET published = ? WHERE id = ?",
            (date_param(conn, a.published), story_id),
        )
    return a.upgrade
