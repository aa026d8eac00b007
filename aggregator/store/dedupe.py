"""Near duplicates across the whole archive: ``dedupe --rebuild`` and ``dedupe --explain``.

:func:`rebuild` replays the archive through the same decision as ingest
(:mod:`aggregator.dedupe.decide`, candidates from :mod:`aggregator.store.bands`)
after a change of settings; :func:`explain` shows the scores and the rule that
decides for two archived stories.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aggregator.dedupe import neardup
from aggregator.dedupe.decide import AddSource, Incoming, same_page, usable_canonical
from aggregator.dedupe.neardup import Params, Verdict
from aggregator.dedupe.urls import canonical_url, fingerprint, url_key
from aggregator.errors import StoryNotFound
from aggregator.store.bands import apply_absorb, index_story, resolve
from aggregator.store.base import ArchiveBase
from aggregator.store.compact import GENERATOR_SQL
from aggregator.store.events import forget_story_events
from aggregator.timeutil import from_db, to_db, utcnow

__all__ = [
    "Explanation",
    "RebuildReport",
    "explain",
    "explain_path",
    "rebuild",
]


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


def rebuild(
    archive: ArchiveBase,
    *,
    params: Params,
    tracking_params: frozenset[str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RebuildReport:
    """Recompute canonical URLs, fingerprints, band keys and clusters of the whole archive.

    After a change of settings. One transaction: the archive is rebuilt
    completely or not at all. Stories are visited in id order (the order the
    archive saw them); each is compared with the earlier ones as if it were
    arriving now (:func:`resolve`, without the sighting stage), and merged
    into the story it duplicates (its sources move there, the earliest date
    and the fuller text win, and the merged story row is deleted). Merges are
    never undone: sources do not keep their own text, so a stricter setting
    cannot split a story again.

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
                f" {GENERATOR_SQL} FROM stories WHERE id = ?",
                (story_id,),
            ).fetchone()
            title, body, questions, published_text, url, old_curl, old_fp, gen = row
            published = from_db(published_text) or utcnow()
            curl = canonical_url(url or "", tracking_params=tracking_params) if url else ""
            curl_value = url_key(curl) if usable_canonical(curl) else None
            fp = fingerprint(title, body)
            feed_ids = tuple(
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT feed_id FROM sources"
                    " WHERE story_id = ? AND feed_id IS NOT NULL",
                    (story_id,),
                )
            )
            incoming = Incoming(
                title=title,
                body=body,
                url=url or "",
                url_key=curl_value,
                fingerprint=fp,
                published=published,
                signature=neardup.signature(body, params=params),
                feeds=feed_ids,
            )
            decision, found = resolve(conn, incoming, params, before=story_id)
            if isinstance(decision, AddSource):
                assert found.target is not None  # read for the decision
                conn.execute(
                    # A NULL source url means "the story's url": spell it out before the move.
                    "UPDATE sources SET url = COALESCE(url, ?), story_id = ? WHERE story_id = ?",
                    (url, decision.story_id, story_id),
                )
                forget_story_events(conn, [story_id])  # its copy keeps the grouping
                conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))
                if apply_absorb(
                    conn,
                    decision,
                    found.target,
                    incoming,
                    questions=[q for q in (questions or "").split("\n") if q],
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
                keys += index_story(conn, story_id, incoming.signature.values, published)
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
    if not path.exists():
        raise StoryNotFound(f"no archive at {path} (run 'aggregator fetch' first)")
    with ArchiveBase(path, readonly=True) as archive:
        return explain(archive, first, second, params=params, tracking_params=tracking_params)


def explain(
    archive: ArchiveBase,
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
    same_url = usable_canonical(c1) and c1 == c2 and same_page(u1 or "", u2 or "")
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
    shared_feed = bool(feeds1) and (
        conn.execute(
            "SELECT 1 FROM sources WHERE story_id = ?"
            f" AND feed_id IN ({','.join('?' * len(feeds1))}) LIMIT 1",
            (second, *feeds1),
        ).fetchone()
        is not None
    )
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
