"""The archive's near-duplicate index: candidates, merges, ``dedupe --rebuild`` and ``--explain``.

The SQL side of :mod:`aggregator.dedupe.neardup` (which stays pure). Together with
:mod:`aggregator.store.archive`, the only module that writes SQL: the functions
taking a connection run inside the caller's transaction (the archive's
``_store_story``); :func:`rebuild` and :func:`explain` take the
:class:`~aggregator.store.archive.Archive` itself.

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

Which story a new copy joins, in order: the same canonical URL; the same
exact fingerprint (short texts only within the window and from another
feed); a near duplicate found through the bands and confirmed by
:func:`neardup.compare`. A duplicate adds a source; the story keeps its
earliest date, and takes the new copy's title, body and questions when the
copy is substantially fuller (:func:`neardup.is_fuller`), so that its text is
always one source's text.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator.dedupe import neardup
from aggregator.dedupe.neardup import Params, Signature, Verdict
from aggregator.dedupe.urls import canonical_url, fingerprint, url_key
from aggregator.errors import StoryNotFound
from aggregator.models import Story
from aggregator.timeutil import from_db, to_db, utcnow

if TYPE_CHECKING:
    from aggregator.store.archive import Archive

__all__ = [
    "Explanation",
    "RebuildReport",
    "absorb",
    "check_index",
    "exact_match",
    "explain",
    "explain_path",
    "index_story",
    "near_match",
    "rebuild",
    "reindex_text",
    "signature_for",
    "url_match",
    "usable_canonical",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What ``dedupe --rebuild`` did.

    Attributes:
        stories: stories in the archive before the rebuild.
        merged: stories merged into an earlier story (their sources moved there).
        upgraded: stories whose text was replaced by a fuller merged copy's.
        canonical_changed: stories whose canonical URL changed (tracking parameters).
        fingerprint_changed: stories whose exact fingerprint changed.
        keys: band keys stored.
        index_id: the index scheme and settings now recorded.
        seconds: how long it took.
    """

    stories: int
    merged: int
    upgraded: int
    canonical_changed: int
    fingerprint_changed: int
    keys: int
    index_id: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why two archived stories are or are not the same story (``dedupe --explain``).

    Attributes:
        first, second: the story ids.
        titles: their titles.
        same: whether the current settings make them one story.
        rule: the deciding rule: ``canonical-url``, ``fingerprint``, or a
            :attr:`neardup.Verdict.rule`.
        reason: the decision in one line of words.
        same_url: their canonical URLs are equal (and below a site root).
        same_fingerprint: their exact fingerprints are equal.
        shared_feed: one feed carried both.
        shared_bands: band keys they share (the index finds a candidate with one).
        verdict: the near-duplicate comparison with every score.
        params: the settings used.
    """

    first: int
    second: int
    titles: tuple[str, str]
    same: bool
    rule: str
    reason: str
    same_url: bool
    same_fingerprint: bool
    shared_feed: bool
    shared_bands: int
    verdict: Verdict
    params: Params


def usable_canonical(url: str) -> bool:
    """Whether a canonical URL identifies a story: it must point below a site's root.

    Feeds that link every item to their home page must not merge their items.

    Args:
        url: a canonical URL.

    Returns:
        True when it has a path or a query.
    """
    if not url:
        return False
    rest = url.split("://", 1)[-1]
    path = rest.split("/", 1)[1] if "/" in rest else ""
    return bool(path.strip("/")) or "?" in rest


def signature_for(body: str, signature: Signature | None, *, params: Params) -> Signature:
    """A story's signature: the one a parser worker computed, if it fits these settings and body.

    Args:
        body: the story's body.
        signature: the precomputed signature, or ``None``.
        params: the archive's settings.

    Returns:
        A signature computed with ``params``.
    """
    if (
        signature is not None
        and signature.index_id == params.index_id
        and signature.body_crc == neardup.body_crc(body)
    ):
        return signature
    return neardup.signature(body, params=params)


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
    conn.executemany(
        "INSERT OR IGNORE INTO story_bands (key, story_id) VALUES (?, ?)",
        [(key, story_id) for key in keys],
    )
    return len(keys)


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


def url_match(
    conn: sqlite3.Connection, curl: str, url: str, *, before: int | None = None
) -> int | None:
    """Find the archived story at a canonical URL.

    Canonical URLs drop fragments (``#comments``), but two links into one page
    with different fragments (``2017/06/22.html#a090644``, ``#a120633``: the
    posts of a daily page) are different items.

    Args:
        conn: the connection.
        curl: the new copy's canonical URL (usable: below a site root).
        url: its URL as the feed gave it.
        before: only stories with a smaller id.

    Returns:
        The story's id, or ``None``.
    """
    fragment = _fragment(url)
    for story_id, story_url in conn.execute(
        "SELECT id, url FROM stories WHERE url_key = ? AND id < ? ORDER BY id LIMIT 16",
        (url_key(curl), before if before is not None else 2**62),
    ):
        other = _fragment(story_url or "")
        if fragment and other and fragment != other:
            continue
        return int(story_id)
    return None


def _fragment(url: str) -> str:
    return url.partition("#")[2].strip()


def _shares_feed(conn: sqlite3.Connection, story_id: int, feed_ids: Collection[int]) -> bool:
    ids = [f for f in feed_ids if f is not None]
    if not ids:
        return False
    marks = ",".join("?" * len(ids))
    return (
        conn.execute(
            f"SELECT 1 FROM sources WHERE story_id = ? AND feed_id IN ({marks}) LIMIT 1",
            (story_id, *ids),
        ).fetchone()
        is not None
    )


def exact_match(
    conn: sqlite3.Connection,
    *,
    fp: int,
    published: datetime,
    words: int,
    feed_ids: Collection[int],
    params: Params,
    before: int | None = None,
) -> int | None:
    """Find an archived story with the same exact fingerprint.

    Texts of ``short_words`` or more words match anywhere in time. Shorter ones
    ("Open thread", "Photos of the day") match only within the window and
    never a story the same feed already carries: such a feed's items are
    distinct items however alike.

    Args:
        conn: the connection.
        fp: the new copy's :func:`~aggregator.dedupe.urls.fingerprint`.
        published: its date (UTC).
        words: its body's word count.
        feed_ids: the feeds carrying it.
        params: the settings.
        before: only stories with a smaller id (``rebuild`` walks the archive in id order).

    Returns:
        The story's id, or ``None``.
    """
    if not fp:
        return None
    rows = conn.execute(
        "SELECT id, published FROM stories WHERE fingerprint = ? AND id < ? ORDER BY id LIMIT 16",
        (fp, before if before is not None else 2**62),
    ).fetchall()
    for story_id, story_published in rows:
        if words >= params.short_words:
            return int(story_id)
        gap = abs((from_db(story_published) or published) - published)
        if gap <= params.window and not _shares_feed(conn, story_id, feed_ids):
            return int(story_id)
    return None


def near_match(
    conn: sqlite3.Connection,
    *,
    title: str,
    body: str,
    published: datetime,
    signature: Signature,
    feed_ids: Collection[int],
    params: Params,
    before: int | None = None,
) -> tuple[int, Verdict] | None:
    """Find an archived near duplicate: candidates through the bands, confirmed on the texts.

    Args:
        conn: the connection.
        title: the new copy's title.
        body: its body.
        published: its date (UTC).
        signature: its signature (computed with ``params``).
        feed_ids: the feeds carrying it.
        params: the settings.
        before: only stories with a smaller id.

    Returns:
        ``(story id, verdict)`` of the best match, or ``None``.
    """
    if not params.enabled or not signature.values or signature.words < params.min_words:
        return None
    keys = neardup.lookup_keys(signature.values, published, params.window)
    marks = ",".join("?" * len(keys))
    candidates = [
        r[0]
        for r in conn.execute(
            f"SELECT story_id FROM story_bands WHERE key IN ({marks}) AND story_id < ?"
            " GROUP BY story_id ORDER BY COUNT(*) DESC, story_id DESC LIMIT ?",
            (*keys, before if before is not None else 2**62, params.max_candidates),
        )
    ]
    if not candidates:
        return None
    marks = ",".join("?" * len(candidates))
    rows = conn.execute(
        f"SELECT id, title, body, published FROM stories WHERE id IN ({marks})"
        " AND published BETWEEN ? AND ?",
        (*candidates, to_db(published - params.window), to_db(published + params.window)),
    ).fetchall()
    if not rows:
        return None
    new = neardup.features(title, body, shingle_size=params.shingle_size)
    best: tuple[int, Verdict] | None = None
    for story_id, old_title, old_body, old_published in rows:
        old = neardup.features(old_title, old_body, shingle_size=params.shingle_size)
        verdict = neardup.compare(
            old,
            new,
            params=params,
            gap=abs((from_db(old_published) or published) - published),
            same_feed=_shares_feed(conn, story_id, feed_ids),
        )
        if verdict.same and (best is None or _strength(verdict) > _strength(best[1])):
            best = (int(story_id), verdict)
    return best


def _strength(v: Verdict) -> tuple[float, float]:
    return (max(v.jaccard, v.lead_containment), v.title_similarity)


def absorb(
    conn: sqlite3.Connection,
    story_id: int,
    copy: Story,
    *,
    fp: int,
    signature: Signature,
    generator: str,
    now: str | None,
    params: Params,
) -> bool:
    """Let an archived story take in a duplicate copy: earliest date, fuller text.

    Call it after the copy's source row is added. The story keeps the
    earlier of the two dates; when the copy's body is substantially fuller
    (:func:`neardup.is_fuller`), the story takes the copy's title, body,
    questions and fingerprint (the FTS index follows through its trigger), and
    its band keys follow.

    Args:
        conn: the connection, in a transaction.
        story_id: the archived story.
        copy: the duplicate copy.
        fp: the copy's fingerprint.
        signature: the copy's signature (computed with ``params``).
        generator: who wrote the copy's questions.
        now: when it was seen (database text).
        params: the settings.

    Returns:
        True when the story's text was upgraded.
    """
    row = conn.execute(
        "SELECT title, body, published FROM stories WHERE id = ?", (story_id,)
    ).fetchone()
    if row is None:
        return False
    old_title, old_body, old_published_text = row
    old_published = from_db(old_published_text) or copy.published
    published = min(old_published, copy.published)
    upgrade = False
    if copy.body and len(copy.body) >= params.upgrade_ratio * len(old_body):
        size = params.shingle_size
        upgrade = neardup.is_fuller(
            neardup.features(copy.title, copy.body, shingle_size=size),
            neardup.features(old_title, old_body, shingle_size=size),
            params=params,
        )
    moved = neardup.bucket(published) != neardup.bucket(old_published)
    if not upgrade and published == old_published:
        return False
    if upgrade or moved:
        old_values = neardup.signature(old_body, params=params).values
        _unindex(conn, story_id, old_values, old_published)
        index_story(conn, story_id, signature.values if upgrade else old_values, published)
    if upgrade:
        conn.execute(
            "UPDATE stories SET title = ?, body = ?, questions = ?, fingerprint = ?,"
            " generator = ?, updated_at = ?, published = ? WHERE id = ?",
            (
                copy.title,
                copy.body,
                "\n".join(copy.questions),
                fp or None,
                generator,
                now,
                to_db(published),
                story_id,
            ),
        )
    else:
        conn.execute("UPDATE stories SET published = ? WHERE id = ?", (to_db(published), story_id))
    return upgrade


def rebuild(
    archive: Archive,
    *,
    params: Params,
    tracking_params: frozenset[str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RebuildReport:
    """Recompute canonical URLs, fingerprints, band keys and clusters of the whole archive.

    After a change of settings. One transaction: the archive is rebuilt
    completely or not at all. Stories are visited in id order (the order the
    archive saw them); each is compared with the earlier ones as if it were
    arriving now, and merged into the story it duplicates (its sources move
    there, the earliest date and the fuller text win, and the merged story
    row is deleted). Merges are never undone: sources do not keep their own
    text, so a stricter setting cannot split a story again.

    Args:
        archive: the archive, opened for writing.
        params: the settings to apply.
        tracking_params: extra URL parameters to drop from canonical URLs.
        on_progress: called with ``(done, total)`` as stories are processed.

    Returns:
        What changed.

    Raises:
        ArchiveError: nothing was changed (locked, full, read-only).
    """
    started = time.perf_counter()
    merged = upgraded = canonical_changed = fingerprint_changed = keys = 0
    with archive.transaction() as conn:
        conn.execute("DELETE FROM story_bands")
        ids = [r[0] for r in conn.execute("SELECT id FROM stories ORDER BY id")]
        total = len(ids)
        if on_progress is not None:
            on_progress(0, total)
        for done, story_id in enumerate(ids, start=1):
            row = conn.execute(
                "SELECT title, body, questions, published, url, url_key, fingerprint,"
                " generator FROM stories WHERE id = ?",
                (story_id,),
            ).fetchone()
            title, body, questions, published_text, url, old_curl, old_fp, gen = row
            published = from_db(published_text) or utcnow()
            curl = canonical_url(url or "", tracking_params=tracking_params) if url else ""
            curl_value = url_key(curl) if usable_canonical(curl) else None
            fp = fingerprint(title, body)
            sig = neardup.signature(body, params=params)
            feed_ids = [
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT feed_id FROM sources"
                    " WHERE story_id = ? AND feed_id IS NOT NULL",
                    (story_id,),
                )
            ]
            target = None
            if curl_value is not None:
                target = url_match(conn, curl, url or "", before=story_id)
            if target is None:
                target = exact_match(
                    conn,
                    fp=fp,
                    published=published,
                    words=sig.words,
                    feed_ids=feed_ids,
                    params=params,
                    before=story_id,
                )
            if target is None:
                near = near_match(
                    conn,
                    title=title,
                    body=body,
                    published=published,
                    signature=sig,
                    feed_ids=feed_ids,
                    params=params,
                    before=story_id,
                )
                target = near[0] if near else None
            if target is not None:
                conn.execute(
                    # A NULL source url means "the story's url": spell it out before the move.
                    "UPDATE sources SET url = COALESCE(url, ?), story_id = ? WHERE story_id = ?",
                    (url, target, story_id),
                )
                copy = Story(
                    category="",
                    title=title,
                    published=published,
                    body=body,
                    questions=tuple(q for q in (questions or "").split("\n") if q),
                )
                conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))
                if absorb(
                    conn,
                    target,
                    copy,
                    fp=fp,
                    signature=sig,
                    generator=gen or "",
                    now=to_db(utcnow()),
                    params=params,
                ):
                    upgraded += 1
                merged += 1
            else:
                if curl_value != old_curl:
                    canonical_changed += 1
                if (fp or None) != old_fp:
                    fingerprint_changed += 1
                if curl_value != old_curl or (fp or None) != old_fp:
                    conn.execute(
                        "UPDATE stories SET url_key = ?, fingerprint = ? WHERE id = ?",
                        (curl_value, fp or None, story_id),
                    )
                keys += index_story(conn, story_id, sig.values, published)
            if on_progress is not None:
                on_progress(done, total)
        conn.execute(
            "INSERT OR REPLACE INTO dedupe_meta (name, value) VALUES ('index_id', ?)",
            (params.index_id,),
        )
    return RebuildReport(
        stories=total,
        merged=merged,
        upgraded=upgraded,
        canonical_changed=canonical_changed,
        fingerprint_changed=fingerprint_changed,
        keys=keys,
        index_id=params.index_id,
        seconds=time.perf_counter() - started,
    )


def explain_path(
    path: Path,
    first: int,
    second: int,
    *,
    params: Params,
    tracking_params: frozenset[str] | None = None,
) -> Explanation:
    """:func:`explain` on an archive file, opened read-only (the daemon may be writing).

    Args:
        path: the archive file.
        first: one story's id.
        second: the other's.
        params: the settings.
        tracking_params: extra URL parameters dropped from canonical URLs.

    Returns:
        The explanation.

    Raises:
        StoryNotFound: either story does not exist, or there is no archive at ``path``.
        ArchiveError: the archive cannot be read.
    """
    from aggregator.store.archive import Archive

    if not path.exists():
        raise StoryNotFound(f"no archive at {path} (run 'aggregator fetch' first)")
    with Archive(path, readonly=True) as archive:
        return explain(archive, first, second, params=params, tracking_params=tracking_params)


def explain(
    archive: Archive,
    first: int,
    second: int,
    *,
    params: Params,
    tracking_params: frozenset[str] | None = None,
) -> Explanation:
    """Say why two archived stories are or are not the same story under the current settings.

    Args:
        archive: the archive.
        first: one story's id.
        second: the other's.
        params: the settings.
        tracking_params: extra URL parameters dropped from canonical URLs.

    Returns:
        The scores, thresholds and the rule that decides.

    Raises:
        StoryNotFound: either story does not exist.
    """
    conn = archive.conn
    rows = {}
    for story_id in (first, second):
        row = conn.execute(
            "SELECT title, body, published, url FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            raise StoryNotFound(f"no story with id {story_id}")
        rows[story_id] = row
    (t1, b1, p1, u1), (t2, b2, p2, u2) = rows[first], rows[second]
    pub1, pub2 = from_db(p1) or utcnow(), from_db(p2) or utcnow()
    c1 = canonical_url(u1 or "", tracking_params=tracking_params) if u1 else ""
    c2 = canonical_url(u2 or "", tracking_params=tracking_params) if u2 else ""
    frag1, frag2 = _fragment(u1 or ""), _fragment(u2 or "")
    same_url = usable_canonical(c1) and c1 == c2 and not (frag1 and frag2 and frag1 != frag2)
    fp1, fp2 = fingerprint(t1, b1), fingerprint(t2, b2)
    size = params.shingle_size
    f1, f2 = (
        neardup.features(t1, b1, shingle_size=size),
        neardup.features(t2, b2, shingle_size=size),
    )
    feeds1 = {
        r[0]
        for r in conn.execute(
            "SELECT feed_id FROM sources WHERE story_id = ? AND feed_id IS NOT NULL", (first,)
        )
    }
    shared_feed = _shares_feed(conn, second, feeds1)
    gap = abs(pub1 - pub2)
    verdict = neardup.compare(f1, f2, params=params, gap=gap, same_feed=shared_feed)
    s1 = neardup.signature(b1, params=params)
    s2 = neardup.signature(b2, params=params)
    shared_bands = len(
        set(neardup.lookup_keys(s2.values, pub2, params.window))
        & set(neardup.index_keys(s1.values, pub1))
    )
    short = min(f1.words, f2.words) < params.short_words
    if same_url:
        same, rule, reason = True, "canonical-url", f"same canonical URL {c1}"
    elif fp1 and fp1 == fp2 and (not short or (gap <= params.window and not shared_feed)):
        same, rule, reason = True, "fingerprint", "same normalized title and body"
    elif fp1 and fp1 == fp2:
        same, rule, reason = (
            False,
            "fingerprint-short",
            "same short text, but from one feed or outside the window: distinct items",
        )
    elif not params.enabled:
        same, rule, reason = False, "disabled", "near-duplicate detection is off"
    else:
        same, rule, reason = verdict.same, verdict.rule, verdict.reason
        if verdict.same and not shared_bands:
            reason += " (but the index shares no band: ingest would not have found it)"
    return Explanation(
        first=first,
        second=second,
        titles=(t1, t2),
        same=same,
        rule=rule,
        reason=reason,
        same_url=same_url,
        same_fingerprint=bool(fp1) and fp1 == fp2,
        shared_feed=shared_feed,
        shared_bands=shared_bands,
        verdict=verdict,
        params=params,
    )
