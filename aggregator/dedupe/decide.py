"""What the archive does with one arriving story: the dedupe decision, pure.

The archive holds each story once, with one source per sighting. When a copy
arrives (from a feed's poll, an import, or ``dedupe --rebuild`` replaying the
archive), one of these happens, in this order:

1. The same feed carried the same entry (feed, guid) before, a *sighting*:
   unchanged when its text is the same; an update of the story's text when
   the story shows this sighting's text; otherwise only the sighting's
   fingerprint is refreshed (the story shows another source's text, which
   this change does not touch).
2. An archived story has the same canonical URL (below a site's root, and no
   conflicting ``#fragment``): the copy is a new source of it.
3. An archived story has the same exact fingerprint (normalized title and
   body). Texts shorter than :attr:`Params.short_words` match only within the
   window and never a story the same feed already carries.
4. A near duplicate: band candidates confirmed by :func:`neardup.compare`.
5. Otherwise a new story.

A duplicate adds a source (not when an import of the same URL was archived
before) and the story *absorbs* the copy: it keeps the earlier date, and
takes the copy's title, body and questions when the copy is substantially
fuller (:func:`neardup.is_fuller`), so its text is always one source's text.

The store fetches stage by stage, as :func:`decide` asks (a :class:`Need`),
so a story matched by URL costs no text or band query:

    found = Found()
    while isinstance(step := decide(incoming, found, params), Need):
        found = fetch(step, found)   # the store's SQL

No I/O here: every input is a frozen dataclass, every output too.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aggregator.dedupe import neardup
from aggregator.dedupe.neardup import Params, Signature, Verdict

__all__ = [
    "Absorb",
    "AddSource",
    "Decision",
    "Found",
    "Incoming",
    "Match",
    "NearCandidate",
    "Need",
    "NewStory",
    "RefreshSighting",
    "Sighting",
    "Step",
    "Target",
    "TextCandidate",
    "Unchanged",
    "UpdateText",
    "UrlCandidate",
    "absorb",
    "decide",
    "fragment",
    "near_match",
    "on_sighting",
    "same_page",
    "signature_for",
    "text_match",
    "url_match",
    "usable_canonical",
    "wants_near",
]


# -- inputs ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Incoming:
    """The keys of an arriving copy of a story.

    Attributes:
        title, body: its text.
        url: its link as the feed gave it.
        url_key: the key of its canonical URL, ``None`` when that URL is not
            usable (:func:`usable_canonical`).
        fingerprint: its exact fingerprint (0: none).
        published: its date (UTC).
        signature: its near-duplicate signature (computed with the archive's settings).
        feeds: the feeds carrying it: the polled feed, none for an import, all
            of a story's feeds in a rebuild.
        guid: its id in the polled feed; ``""`` skips the sighting stage.
        imported: it comes from a document, not a feed.
    """

    title: str
    body: str
    url: str
    url_key: int | None
    fingerprint: int
    published: datetime
    signature: Signature
    feeds: tuple[int, ...] = ()
    guid: str = ""
    imported: bool = False


@dataclass(frozen=True, slots=True)
class Sighting:
    """The source row of (feed, guid) and its story's fingerprint.

    Attributes:
        source_id: the source row.
        story_id: its story.
        source_fingerprint: the fingerprint of the text this feed last carried.
        story_fingerprint: the fingerprint of the text the story shows.
    """

    source_id: int
    story_id: int
    source_fingerprint: int | None
    story_fingerprint: int | None


@dataclass(frozen=True, slots=True)
class UrlCandidate:
    """An archived story with the copy's canonical URL key.

    Attributes:
        story_id: the story.
        url: its link.
    """

    story_id: int
    url: str


@dataclass(frozen=True, slots=True)
class TextCandidate:
    """An archived story with the copy's exact fingerprint.

    Attributes:
        story_id: the story.
        published: its date (``None`` when unreadable).
        same_feed: one of the copy's feeds carries it already.
    """

    story_id: int
    published: datetime | None
    same_feed: bool


@dataclass(frozen=True, slots=True)
class NearCandidate:
    """An archived story that shares a band with the copy, published within the window.

    Attributes:
        story_id: the story.
        title, body: its text.
        published: its date (``None`` when unreadable).
        same_feed: one of the copy's feeds carries it already.
    """

    story_id: int
    title: str
    body: str
    published: datetime | None
    same_feed: bool


@dataclass(frozen=True, slots=True)
class Target:
    """The archived story a copy duplicates, as it is now.

    Attributes:
        story_id: the story.
        title, body: its text.
        published: its date (``None`` when unreadable).
        imported_here: an earlier import of the copy's URL is a source of it
            (only looked up for imports).
    """

    story_id: int
    title: str
    body: str
    published: datetime | None
    imported_here: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """The story a copy duplicates, and the rule that found it.

    Attributes:
        story_id: the story.
        rule: ``canonical-url``, ``fingerprint`` or a :attr:`Verdict.rule`.
    """

    story_id: int
    rule: str


class Step(enum.Enum):
    """What the store fetches next."""

    SIGHTING = "sighting"  #: the source of (feed, guid), zero or one
    URL = "url"  #: stories with the copy's canonical URL key
    TEXT = "text"  #: stories with the copy's fingerprint
    NEAR = "near"  #: band candidates within the window, with their texts
    TARGET = "target"  #: the matched story's row


@dataclass(frozen=True, slots=True)
class Need:
    """The store must fetch something before :func:`decide` can answer.

    Attributes:
        step: what to fetch.
        match: for :attr:`Step.TARGET`, the story to read.
    """

    step: Step
    match: Match | None = None


# The needs without a match, made once (decide runs a few times for every story stored).
_NEED_SIGHTING = Need(Step.SIGHTING)
_NEED_URL = Need(Step.URL)
_NEED_TEXT = Need(Step.TEXT)
_NEED_NEAR = Need(Step.NEAR)


@dataclass(frozen=True, slots=True)
class Found:
    """What the store fetched so far (``None``: not fetched yet).

    Attributes:
        sighting: the source of (feed, guid): empty, or one row.
        url: stories at the copy's canonical URL key, oldest first.
        text: stories with the copy's fingerprint, oldest first.
        near: band candidates within the window.
        match: the match a :attr:`Step.TARGET` need named.
        target: that story's row.
    """

    sighting: tuple[Sighting, ...] | None = None
    url: tuple[UrlCandidate, ...] | None = None
    text: tuple[TextCandidate, ...] | None = None
    near: tuple[NearCandidate, ...] | None = None
    match: Match | None = None
    target: Target | None = None


# -- outputs -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unchanged:
    """The feed carried this entry as it is: nothing to write.

    Attributes:
        story_id: its story.
    """

    story_id: int


@dataclass(frozen=True, slots=True)
class RefreshSighting:
    """The entry's text changed, but its story shows another source's text.

    Record the new fingerprint on the source; the story stays (counted unchanged).

    Attributes:
        story_id: the story.
        source_id: the source to refresh.
    """

    story_id: int
    source_id: int


@dataclass(frozen=True, slots=True)
class UpdateText:
    """The entry's text changed and its story shows it: the story takes the new text.

    Attributes:
        story_id: the story.
        source_id: the source to refresh.
    """

    story_id: int
    source_id: int


@dataclass(frozen=True, slots=True)
class Absorb:
    """What an archived story takes from a duplicate copy.

    Attributes:
        upgrade: take the copy's title, body, questions and fingerprint.
        was: the story's date now (its band keys are bucketed by it).
        published: its date afterwards: the earlier of the two.
        rekey: its band keys must be rewritten (new text, or a date in another bucket).
    """

    upgrade: bool
    was: datetime
    published: datetime
    rekey: bool

    @property
    def changes(self) -> bool:
        """Whether the story row changes at all."""
        return self.upgrade or self.published != self.was


@dataclass(frozen=True, slots=True)
class AddSource:
    """The copy duplicates an archived story: a new source of it.

    Attributes:
        story_id: the story.
        rule: the rule that matched (:attr:`Match.rule`).
        new_source: add a source row (``False``: an import of a URL imported before).
        absorb: what the story takes from the copy.
    """

    story_id: int
    rule: str
    new_source: bool
    absorb: Absorb


@dataclass(frozen=True, slots=True)
class NewStory:
    """The archive lacks this story: insert it, its first source and its band keys."""


Decision = Unchanged | RefreshSighting | UpdateText | AddSource | NewStory


# -- the rules ---------------------------------------------------------------


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


def fragment(url: str) -> str:
    """The ``#fragment`` of a URL, ``""`` when none."""
    return url.partition("#")[2].strip()


def same_page(url: str, other: str) -> bool:
    """Whether two links with one canonical URL point at the same item.

    Canonical URLs drop fragments (``#comments``), but two links into one page
    with different fragments (``2017/06/22.html#a090644``, ``#a120633``: the
    posts of a daily page) are different items.
    """
    mine, theirs = fragment(url), fragment(other)
    return not (mine and theirs and mine != theirs)


def on_sighting(fingerprint: int, sighting: Sighting) -> Unchanged | RefreshSighting | UpdateText:
    """The decision for an entry its feed carried before.

    Args:
        fingerprint: the entry's fingerprint now.
        sighting: its source row.

    Returns:
        :class:`Unchanged`, :class:`RefreshSighting` or :class:`UpdateText`.
    """
    if sighting.source_fingerprint == fingerprint:
        return Unchanged(sighting.story_id)
    if sighting.story_fingerprint != sighting.source_fingerprint:
        return RefreshSighting(sighting.story_id, sighting.source_id)
    return UpdateText(sighting.story_id, sighting.source_id)


def url_match(incoming: Incoming, candidates: Sequence[UrlCandidate]) -> int | None:
    """The first story at the copy's canonical URL that is the same item (:func:`same_page`)."""
    for c in candidates:
        if same_page(incoming.url, c.url):
            return c.story_id
    return None


def text_match(
    incoming: Incoming, candidates: Sequence[TextCandidate], params: Params
) -> int | None:
    """The first story with the copy's exact fingerprint that the rules let it join.

    Texts of ``short_words`` or more words match anywhere in time. Shorter ones
    ("Open thread", "Photos of the day") match only within the window and
    never a story the same feed already carries: such a feed's items are
    distinct items however alike.
    """
    if not incoming.fingerprint:
        return None
    for c in candidates:
        if incoming.signature.words >= params.short_words:
            return c.story_id
        gap = abs((c.published or incoming.published) - incoming.published)
        if gap <= params.window and not c.same_feed:
            return c.story_id
    return None


def wants_near(incoming: Incoming, params: Params) -> bool:
    """Whether the copy is long enough, and detection on, to look for near duplicates."""
    sig = incoming.signature
    return params.enabled and bool(sig.values) and sig.words >= params.min_words


def near_match(
    incoming: Incoming, candidates: Sequence[NearCandidate], params: Params
) -> tuple[int, Verdict] | None:
    """The best near duplicate among the candidates, confirmed on the texts.

    Returns:
        ``(story id, verdict)`` of the strongest match, or ``None``.
    """
    if not candidates:
        return None
    size = params.shingle_size
    new = neardup.features(incoming.title, incoming.body, shingle_size=size)
    best: tuple[int, Verdict] | None = None
    for c in candidates:
        old = neardup.features(c.title, c.body, shingle_size=size)
        verdict = neardup.compare(
            old,
            new,
            params=params,
            gap=abs((c.published or incoming.published) - incoming.published),
            same_feed=c.same_feed,
        )
        if verdict.same and (best is None or _strength(verdict) > _strength(best[1])):
            best = (c.story_id, verdict)
    return best


def _strength(v: Verdict) -> tuple[float, float]:
    return (max(v.jaccard, v.lead_containment), v.title_similarity)


def absorb(incoming: Incoming, target: Target, params: Params) -> Absorb:
    """What an archived story takes from a duplicate copy: the earlier date, a fuller text.

    Args:
        incoming: the copy.
        target: the story.
        params: the settings.

    Returns:
        The change to apply.
    """
    was = target.published or incoming.published
    published = min(was, incoming.published)
    upgrade = False
    if incoming.body and len(incoming.body) >= params.upgrade_ratio * len(target.body):
        size = params.shingle_size
        upgrade = neardup.is_fuller(
            neardup.features(incoming.title, incoming.body, shingle_size=size),
            neardup.features(target.title, target.body, shingle_size=size),
            params=params,
        )
    moved = neardup.bucket(published) != neardup.bucket(was)
    return Absorb(upgrade=upgrade, was=was, published=published, rekey=upgrade or moved)


def decide(incoming: Incoming, found: Found, params: Params) -> Decision | Need:
    """Decide what the archive does with a copy, or ask for the next candidates.

    Stages run in the order of this module's rules; a stage's candidates are
    asked for only when the earlier stages found nothing.

    Args:
        incoming: the copy.
        found: what the store fetched so far.
        params: the settings.

    Returns:
        The decision, or what to fetch first.
    """
    if found.match is not None and found.target is not None:
        return AddSource(
            story_id=found.match.story_id,
            rule=found.match.rule,
            new_source=not (incoming.imported and found.target.imported_here),
            absorb=absorb(incoming, found.target, params),
        )
    if incoming.guid and incoming.feeds:
        if found.sighting is None:
            return _NEED_SIGHTING
        if found.sighting:
            return on_sighting(incoming.fingerprint, found.sighting[0])
    match: Match | None = None
    if incoming.url_key is not None:
        if found.url is None:
            return _NEED_URL
        story_id = url_match(incoming, found.url)
        if story_id is not None:
            match = Match(story_id, "canonical-url")
    if match is None and incoming.fingerprint:
        if found.text is None:
            return _NEED_TEXT
        story_id = text_match(incoming, found.text, params)
        if story_id is not None:
            match = Match(story_id, "fingerprint")
    if match is None and wants_near(incoming, params):
        if found.near is None:
            return _NEED_NEAR
        near = near_match(incoming, found.near, params)
        if near is not None:
            match = Match(near[0], near[1].rule)
    if match is None:
        return NewStory()
    return Need(Step.TARGET, match)
