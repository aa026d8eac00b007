"""Near-duplicate stories: shingles, MinHash band keys and the same-story rules (no I/O).

Two copies of one story rarely hash alike: a wire copy gains a dateline, a
re-publication a new title or intro, a teaser is the first lines of the full
text. This module decides whether two texts are the same story, and computes
the small set of integer keys (LSH bands) under which the archive indexes a
story, so that finding the candidates for a new story costs a few index
probes however large the archive is. Everything here is pure and
deterministic; :mod:`aggregator.dedupe.decide` holds the rules that use it,
and :mod:`aggregator.store.bands` does the SQL.

Scheme, version 1 (:data:`SCHEME_VERSION`; :attr:`Params.index_id` names it
with every setting the stored keys depend on):

1. The body is folded as for the exact fingerprint (:func:`aggregator.dedupe.urls.fold`:
   NFKC, case-folded, punctuation removed; here "U.S." is also "US") and
   split into words. Each word
   is hashed with CRC-32 of its UTF-8 bytes; each run of ``shingle_size``
   consecutive words (a shingle) is hashed as the tuple of its word hashes
   with Python's tuple hash, which is deterministic for integers (the index
   id carries a check value, so an interpreter that hashes differently asks
   for a rebuild instead of silently missing matches).
2. One-permutation MinHash: a shingle hash ``h`` falls into slot
   ``h % slots`` and each slot keeps its minimum; empty slots borrow from
   the next filled slot (rotation densification). The probability that two
   texts agree on a slot is their Jaccard resemblance.
3. Band values: ``bands`` groups of ``rows`` slots over the whole body (they
   find copies that share most of their text), plus ``lead_bands`` groups of
   ``lead_rows`` slots over the shingles of the first ``lead_words`` words
   (they find a teaser and its full text, which share the lead).
4. Stored keys: the story's week (``published`` in 7-day buckets,
   :data:`BUCKET`) in the high bits and 32 bits of the band value below it,
   a 6-byte SQLite integer. A lookup asks for the buckets that the time
   window touches (one or two for windows up to 3.5 days), so candidates
   come only from stories near in time. Because the week leads the key, a
   week's keys are neighbours in the index: new stories insert into and
   probe the same few pages whether the archive holds ten thousand or ten
   million stories.

A signature costs about 0.1 ms per story of 1.5 KB in pure Python (one hash
per word and per shingle, then one pass for the minima), so it needs no
numpy; the pipeline computes it in the parser workers
(``ProcessedFeed.signatures``). MinHash rather than SimHash: its bands
answer resemblance directly, and the lead bands answer containment.

Candidates are then verified on the full texts by :func:`compare`, whose
rules favour precision: title similarity alone never merges; short items
need matching titles, another feed and very close text; titles that
disagree on numbers ("Episode 41" / "Episode 42", "5 dead" / "7 dead") or that
share a column's prefix but differ after it never merge unless the bodies
are near-identical; containment (a teaser in its full text) counts only when
the smaller text is the lead of the larger, so a follow-up that quotes the
original after its own news stays apart; an edited wire copy from another
feed needs nearly the same title and most of the same lead.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aggregator.dedupe.urls import fold

__all__ = [
    "BUCKET",
    "Features",
    "Params",
    "SCHEME_VERSION",
    "Signature",
    "Verdict",
    "body_crc",
    "bucket",
    "compare",
    "containment",
    "features",
    "index_keys",
    "is_fuller",
    "lookup_keys",
    "signature",
]

#: Version of the shingling/MinHash/keys scheme; part of :attr:`Params.index_id`.
SCHEME_VERSION = 1
#: Width of the time buckets that the stored keys carry.
BUCKET = timedelta(days=7)

_BUCKET_SECONDS = int(BUCKET.total_seconds())
_KEY_MASK = 0xFFFF_FFFF  # the band value's 32 bits under the bucket's number
_EMPTY = 1 << 64  # above every hash() value
# Changes if the interpreter's tuple hash changes (CPython 3.8+ uses xxHash's mixing).
_HASH_CHECK = hash((SCHEME_VERSION, 2, 3, 4)) & 0xFFFF
_LEAD_SLACK = 15  # words a teaser may start into its full text (bylines, datelines)
_PREFIX_WORDS = 4  # longest column name before a title's separator
_NEAR_IDENTICAL = 0.9  # resemblance above which titles no longer veto
_LEAD_PROBE = 8  # the teaser's first shingles looked for near the start of the full text
# "U.S." and "US", "U.K." and "UK" are one word here (the exact fingerprint keeps
# its own normalization: changing it would change every stored fingerprint).
_ABBREV_RE = re.compile(r"\b[^\W\d_]\.(?:[^\W\d_]\.)+")
_ABBREV_HINT_RE = re.compile(r"\.[^\W\d_]\.")
# Where a column's name ends and the item's own title begins: "Week in review: ...".
_TITLE_SEPARATOR_RE = re.compile(r"\s*(?::|\||›|»|\s[-–—]\s)\s*")
_DIGITS_RE = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Params:
    """Settings of near-duplicate detection (``[dedupe]`` in the config).

    Immutable. Thresholds and the window apply when stories are compared and
    may change at any time; the shingle and band settings shape the stored
    index (:attr:`index_id`), and changing them needs
    ``aggregator dedupe --rebuild``.

    Attributes:
        enabled: look for near duplicates at all (exact ones are always merged).
        window: only stories published at most this far apart can be near duplicates.
        shingle_size: words per shingle.
        bands: MinHash bands over the whole body.
        rows: MinHash slots per body band.
        lead_words: the lead is the body's first this many words.
        lead_bands: MinHash bands over the lead.
        lead_rows: MinHash slots per lead band.
        jaccard: shingle resemblance (intersection over union) that makes two stories one.
        containment: share of the smaller text's shingles found in the larger's lead
            that makes a teaser and its full text one story.
        title_similarity: word resemblance of the titles required with containment
            and for short items (never enough on its own).
        title_strong: titles at least this alike, from two feeds, merge with only
            ``partial_lead`` of lead containment (an edited wire copy).
        partial_lead: the lead containment that suffices with ``title_strong`` titles.
        min_words: bodies shorter than this never merge as near duplicates.
        short_words: bodies shorter than this need ``short_jaccard`` and similar titles.
        short_jaccard: shingle resemblance required of short items.
        upgrade_ratio: a duplicate whose body is this many times longer (and contains
            the stored body) replaces the stored text.
        max_candidates: most candidates verified per new story (best band agreement first).
    """

    enabled: bool = True
    window: timedelta = timedelta(days=3)
    shingle_size: int = 4
    bands: int = 5
    rows: int = 2
    lead_words: int = 30
    lead_bands: int = 4
    lead_rows: int = 1
    jaccard: float = 0.6
    containment: float = 0.8
    title_similarity: float = 0.4
    title_strong: float = 0.7
    partial_lead: float = 0.6
    min_words: int = 8
    short_words: int = 25
    short_jaccard: float = 0.85
    upgrade_ratio: float = 1.5
    max_candidates: int = 32

    @property
    def index_id(self) -> str:
        """What the stored keys depend on; archives record it to detect a needed rebuild."""
        return (
            f"v{SCHEME_VERSION}:k{self.shingle_size}:b{self.bands}x{self.rows}"
            f":l{self.lead_words}x{self.lead_bands}x{self.lead_rows}:h{_HASH_CHECK:04x}"
        )


@dataclass(frozen=True, slots=True)
class Signature:
    """A story's band values, computed once (in a parser worker) and stored by the archive.

    Attributes:
        index_id: the :attr:`Params.index_id` they were computed with.
        body_crc: CRC-32 of the body they were computed from (the archive checks it, so a
            body replaced after the worker, e.g. by full text, is never indexed wrongly).
        words: the body's word count.
        values: the band values, body bands first (empty when the body has no words);
            :func:`index_keys` turns them into stored keys.
    """

    index_id: str
    body_crc: int
    words: int
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Features:
    """What :func:`compare` looks at in one story.

    Attributes:
        words: the body's word count.
        shingles: the body's shingle hashes, in text order (repeats kept).
        title: the title's folded words.
        numbers: the numbers in the title.
        prefix: the folded title before its first separator (a column's name), or ``""``.
        rest: the title's words after that separator (all of them when there is none).
    """

    words: int
    shingles: tuple[int, ...]
    title: frozenset[str]
    numbers: frozenset[str]
    prefix: str
    rest: frozenset[str]


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether two stories are one, with the scores and the rule that decided.

    Attributes:
        same: they are the same story.
        rule: the deciding rule: ``resemblance``, ``containment``, ``short`` or
            ``corroborated`` when same; otherwise ``window``, ``no-text``,
            ``too-short``, ``teaser``, ``numbers``, ``column``, ``same-feed-short``,
            ``title`` or ``scores``.
        reason: the decision in one line of words.
        jaccard: shingle resemblance of the bodies.
        containment: share of the smaller body's shingles found in the larger body.
        lead_containment: the same, counting only the larger body's lead.
        title_similarity: word resemblance of the titles.
        words: the two bodies' word counts, in argument order.
        gap: how far apart they were published.
    """

    same: bool
    rule: str
    reason: str
    jaccard: float
    containment: float
    lead_containment: float
    title_similarity: float
    words: tuple[int, int]
    gap: timedelta


def _folded(text: str) -> str:
    # "or": a None that slipped past the types is empty text; the archive's NOT NULL
    # constraint is what reports it (as for dedupe.fingerprint).
    text = text or ""
    if _ABBREV_HINT_RE.search(text):  # a quick scan first: most texts have none
        text = _ABBREV_RE.sub(_undot, text)
    return fold(text)


def _words(text: str) -> list[str]:
    return _folded(text).split()


def _body_words(text: str) -> list[bytes]:
    # Folded text has single spaces only, so splitting the UTF-8 bytes gives the same
    # words as splitting the text, without encoding each word on its own.
    folded = _folded(text)
    return folded.encode("utf-8", "surrogatepass").split(b" ") if folded else []


def _undot(match: re.Match[str]) -> str:
    return match.group().replace(".", "") + " "


def _shingles(words: list[bytes], size: int) -> tuple[int, ...]:
    if not words:
        return ()
    hashes = list(map(zlib.crc32, words))
    if len(hashes) <= size:
        return (hash(tuple(hashes)),)
    return tuple(map(hash, zip(*(hashes[i:] for i in range(size)), strict=False)))


def features(title: str, body: str, *, shingle_size: int = 4) -> Features:
    """Compute what :func:`compare` needs of one story.

    Args:
        title: the story's title.
        body: the story's body (plain text).
        shingle_size: words per shingle (``Params.shingle_size``).

    Returns:
        The features.
    """
    words = _body_words(body)
    title_words = _words(title)
    parts = _TITLE_SEPARATOR_RE.split(title or "", maxsplit=1)
    # A column's name is short ("Week in review", "Show HN"); a long head is the
    # headline itself, as in "Headline - Publisher".
    head = _words(parts[0]) if len(parts) == 2 else []
    prefix = " ".join(head) if 0 < len(head) <= _PREFIX_WORDS else ""
    rest = _words(parts[1]) if prefix else title_words
    return Features(
        words=len(words),
        shingles=_shingles(words, shingle_size),
        title=frozenset(title_words),
        numbers=frozenset(_DIGITS_RE.findall(" ".join(title_words))),
        prefix=prefix,
        rest=frozenset(rest),
    )


def signature(body: str, *, params: Params) -> Signature:
    """Compute a story's band values (the costly part of indexing, done off the writer).

    Args:
        body: the story's body (plain text).
        params: the settings (shingle and band settings matter).

    Returns:
        The signature; its ``values`` are empty when the body has no words.
    """
    words = _body_words(body)
    crc = body_crc(body)
    return _signature(crc, len(words), _shingles(words, params.shingle_size), params)


def body_crc(body: str) -> int:
    """The check value of a body that :attr:`Signature.body_crc` holds.

    Args:
        body: the story's body.

    Returns:
        CRC-32 of its UTF-8 bytes.
    """
    return zlib.crc32((body or "").encode("utf-8", "surrogatepass"))


def _signature(crc: int, n_words: int, shingles: Sequence[int], params: Params) -> Signature:
    if not shingles:
        return Signature(params.index_id, crc, n_words, ())
    values = _bands(shingles, params.bands, params.rows, 0)
    lead = shingles[: max(1, params.lead_words - params.shingle_size + 1)]
    values += _bands(lead, params.lead_bands, params.lead_rows, 1)
    return Signature(params.index_id, crc, n_words, values)


def _bands(shingles: Sequence[int], bands: int, rows: int, kind: int) -> tuple[int, ...]:
    slots = bands * rows
    if not slots:
        return ()
    mins = [_EMPTY] * slots
    missing = slots
    for h in sorted(set(shingles)):  # ascending: a slot's first value is its minimum
        i = h % slots
        if mins[i] == _EMPTY:
            mins[i] = h
            missing -= 1
            if not missing:
                break
    if _EMPTY in mins:  # fewer shingles than slots: borrow from the next filled slot
        filled = list(mins)
        for j in range(slots):
            if mins[j] == _EMPTY:
                d = 1
                while mins[(j + d) % slots] == _EMPTY:
                    d += 1
                filled[j] = hash((mins[(j + d) % slots], d))
        mins = filled
    return tuple(
        hash((SCHEME_VERSION, kind, b, *mins[b * rows : (b + 1) * rows])) for b in range(bands)
    )


def bucket(published: datetime) -> int:
    """The time bucket (:data:`BUCKET` wide) that a story's keys carry.

    Args:
        published: the story's date (UTC).

    Returns:
        The bucket's number (weeks since the epoch).
    """
    return int(published.timestamp()) // _BUCKET_SECONDS


def index_keys(values: Sequence[int], published: datetime) -> tuple[int, ...]:
    """The keys a story is stored under: its band values in its week's bucket.

    Args:
        values: the story's :attr:`Signature.values`.
        published: the story's date (UTC).

    Returns:
        One key per band value: ``bucket << 32 | (value & 0xFFFFFFFF)`` (duplicates
        removed, order kept).
    """
    high = bucket(published) << 32
    return tuple(dict.fromkeys(high | (v & _KEY_MASK) for v in values))


def lookup_keys(values: Sequence[int], published: datetime, window: timedelta) -> tuple[int, ...]:
    """The keys to probe for a story's candidates: every bucket the window touches.

    Args:
        values: the new story's :attr:`Signature.values`.
        published: its date (UTC).
        window: how far apart near duplicates may be published.

    Returns:
        The keys (duplicates removed).
    """
    first, last = bucket(published - window), bucket(published + window)
    return tuple(
        dict.fromkeys(
            (week << 32) | (v & _KEY_MASK) for week in range(first, last + 1) for v in values
        )
    )


def containment(small: Features, large: Features) -> float:
    """Share of ``small``'s body shingles that occur anywhere in ``large``'s body.

    Args:
        small: the text that may be contained.
        large: the text that may contain it.

    Returns:
        A number from 0 to 1 (0 when ``small`` has no shingles).
    """
    inner = set(small.shingles)
    if not inner:
        return 0.0
    return len(inner.intersection(large.shingles)) / len(inner)


def is_fuller(new: Features, old: Features, *, params: Params) -> bool:
    """Whether a new copy's body should replace the stored one (substantially fuller).

    Args:
        new: the new copy.
        old: the stored story.
        params: the settings (``upgrade_ratio``, ``containment``).

    Returns:
        True when the new body is at least ``upgrade_ratio`` times as long in
        words and holds at least ``containment`` of the stored body's shingles.
    """
    if not old.words or new.words < params.upgrade_ratio * old.words:
        return False
    return containment(old, new) >= params.containment


def _jaccard(a: frozenset[str] | set[int], b: frozenset[str] | set[int]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def compare(
    a: Features,
    b: Features,
    *,
    params: Params,
    gap: timedelta = timedelta(0),
    same_feed: bool = False,
) -> Verdict:
    """Decide whether two stories are the same story, and say why.

    The rules, in order:

    1. Stories further apart than ``window``, without body text, or with
       fewer than ``min_words`` words are not merged (titles alone never merge);
       nor are one feed's two items whose titles are less than
       ``title_similarity`` alike (a shared teaser paragraph or a show's blurb
       is not one article).
    2. Unless the bodies are near-identical (resemblance 0.9 or more), titles
       whose numbers disagree, or that share a column's prefix ("Week in
       review: ...") but differ after it, are not merged.
    3. Short bodies (under ``short_words`` words) merge only from different
       feeds and with titles at least ``title_similarity`` alike, when the
       bodies are ``short_jaccard`` alike or the smaller is the larger's lead
       (``containment``).
    4. Longer bodies merge when their shingle resemblance reaches ``jaccard``
       (``resemblance``), or when the smaller one lies in the larger one's
       lead at least ``containment`` and the titles are ``title_similarity``
       alike (``containment``: a teaser and its full text).
    5. From different feeds, titles at least ``title_strong`` alike with a lead
       containment of ``partial_lead`` merge too (``corroborated``: an edited
       wire copy).

    Args:
        a: one story's features (the stored one, by convention).
        b: the other's.
        params: thresholds and window.
        gap: how far apart they were published (absolute).
        same_feed: whether one feed carries both (short items from one feed are
            different items, e.g. daily threads).

    Returns:
        The verdict with every score.
    """
    set_a, set_b = set(a.shingles), set(b.shingles)
    small, large = (a, b) if len(set_a) <= len(set_b) else (b, a)
    small_set = set_a if small is a else set_b
    inter = len(set_a & set_b)
    union = len(set_a | set_b)
    jac = inter / union if union else 0.0
    con = inter / len(small_set) if small_set else 0.0
    lead = _lead_containment(small, large, small_set)
    title = _jaccard(a.title, b.title)
    gap = abs(gap)

    def verdict(same: bool, rule: str, reason: str) -> Verdict:
        return Verdict(same, rule, reason, jac, con, lead, title, (a.words, b.words), gap)

    p = params
    if gap > p.window:
        return verdict(False, "window", f"published {_span(gap)} apart (window {_span(p.window)})")
    if not a.words or not b.words:
        return verdict(False, "no-text", "a body is empty: titles alone never merge")
    if min(a.words, b.words) < p.min_words:
        return verdict(False, "too-short", f"a body has fewer than {p.min_words} words")
    # A teaser paragraph or a show's blurb is not an article: one feed's two items that
    # share only that, under titles that differ, are two items (a podcast episode and a
    # video with one teaser). Another feed's copy under a new title is a re-publication.
    if same_feed and title < p.title_similarity:
        return verdict(
            False,
            "teaser",
            f"one feed's items with titles that differ ({title:.2f} < {p.title_similarity}):"
            " a shared teaser or blurb is not one article",
        )
    # Near-identical long bodies are one text whatever the titles say (a re-publication
    # under a new headline); below that, titles that tell items apart veto.
    if not (jac >= _NEAR_IDENTICAL and small.words >= p.short_words):
        if a.numbers and b.numbers and not (a.numbers <= b.numbers or b.numbers <= a.numbers):
            return verdict(
                False,
                "numbers",
                f"the titles' numbers differ ({' '.join(sorted(a.numbers))}"
                f" / {' '.join(sorted(b.numbers))})",
            )
        if a.prefix and a.prefix == b.prefix and _jaccard(a.rest, b.rest) < p.title_similarity:
            return verdict(False, "column", f"same column {a.prefix!r}, different items")
    if small.words < p.short_words:
        if same_feed:
            return verdict(False, "same-feed-short", "short items from one feed are distinct items")
        if title < p.title_similarity:
            return verdict(
                False, "title", f"short item and titles differ ({title:.2f} < {p.title_similarity})"
            )
        if jac >= p.short_jaccard:
            return verdict(True, "short", f"short item, jaccard {jac:.2f} >= {p.short_jaccard}")
        if lead >= p.containment:
            return verdict(
                True,
                "containment",
                f"short teaser of the larger text's lead ({lead:.2f} >= {p.containment}),"
                f" titles agree ({title:.2f} >= {p.title_similarity})",
            )
    else:
        if jac >= p.jaccard:
            return verdict(True, "resemblance", f"jaccard {jac:.2f} >= {p.jaccard}")
        if lead >= p.containment and title >= p.title_similarity:
            return verdict(
                True,
                "containment",
                f"the smaller text is the larger one's lead ({lead:.2f} >= {p.containment})"
                f" and the titles agree ({title:.2f} >= {p.title_similarity})",
            )
    if not same_feed and title >= p.title_strong and lead >= p.partial_lead:
        return verdict(
            True,
            "corroborated",
            f"nearly the same title ({title:.2f} >= {p.title_strong}) and the same lead"
            f" ({lead:.2f} >= {p.partial_lead}) from another feed",
        )
    if lead >= p.containment:
        return verdict(
            False,
            "title",
            f"lead containment {lead:.2f} but titles differ ({title:.2f} < {p.title_similarity})",
        )
    return verdict(
        False,
        "scores",
        f"jaccard {jac:.2f} < {p.jaccard}, lead containment {lead:.2f} < {p.containment}"
        f" (or < {p.partial_lead} with titles {title:.2f} < {p.title_strong})",
    )


def _lead_containment(small: Features, large: Features, small_set: set[int]) -> float:
    """Share of the smaller text's shingles in the larger text's lead, if it starts there.

    The smaller text must begin (one of its first shingles) within
    ``_LEAD_SLACK`` words of the larger text's start: a teaser is the lead of
    its full text, while a follow-up quotes the original after its own news.
    """
    if not small_set:
        return 0.0
    head: dict[int, int] = {}
    for j, h in enumerate(small.shingles[:_LEAD_PROBE]):
        head.setdefault(h, j)
    start: int | None = None
    for i, h in enumerate(large.shingles[: _LEAD_SLACK + _LEAD_PROBE]):
        if h in head:
            start = i - head[h]
            break
    if start is None or start > _LEAD_SLACK:
        return 0.0
    end = max(start, 0) + len(small.shingles) + _LEAD_SLACK
    return len(small_set.intersection(large.shingles[:end])) / len(small_set)


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f}d" if hours >= 48 else f"{hours:.1f}h"
