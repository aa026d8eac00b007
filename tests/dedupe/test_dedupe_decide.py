"""The dedupe decision on its own: every branch, with candidates built in memory (no SQLite).

A small stand-in for the store answers each :class:`Need` from a dict of
candidates and records what it was asked, so the tests also check that a
stage is asked for only when the earlier ones found nothing.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.dedupe import decide
from aggregator.dedupe.decide import (
    AddSource,
    Decision,
    Found,
    Incoming,
    Match,
    NearCandidate,
    Need,
    NewStory,
    RefreshSighting,
    Sighting,
    Step,
    Target,
    TextCandidate,
    Unchanged,
    UpdateText,
    UrlCandidate,
)
from aggregator.dedupe.neardup import Params, bucket, signature
from aggregator.dedupe.urls import canonical_url, fingerprint, url_key

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
PARAMS = Params()

TITLE = "EU fines chip maker 1.2 billion euros over rebates"
BODY = (
    "The European Commission fined the chip maker 1.2 billion euros on Tuesday for abusing"
    " its dominant position in the market for processors, the largest penalty it has ever"
    " imposed on a single company for breaking competition rules.\n\n"
    "Regulators said the company had paid computer makers to delay or cancel the launch of"
    " products that used rival chips, and had given rebates to retailers that sold only"
    " computers built with its processors.\n\n"
    "The company said it would appeal. Its shares fell two percent in early trading in New"
    " York, while those of its main rival rose by almost four percent on the news."
)
INTRO = (
    "Update: the company has since said it will appeal the decision in court, and its chief"
    " executive called the fine unjust in a letter to employees on Wednesday."
)
OTHER_TITLE = "Lisbon startup shows a nine-minute e-bike battery"
OTHER = (
    "A small startup in Lisbon has built a battery for electric bicycles that charges in"
    " nine minutes and lasts for more than a thousand cycles, its founders said at a trade"
    " show where they showed prototypes to investors and to a handful of manufacturers."
)
TEASER = " ".join(BODY.split()[:32]) + "…"
SHORT_TITLE = "Open thread"
SHORT = "Talk about anything here."


def incoming(
    *,
    title: str = TITLE,
    body: str = BODY,
    url: str = "https://site.example/news/eu-fine",
    published: datetime = NOW,
    feeds: tuple[int, ...] = (1,),
    guid: str = "guid-1",
    params: Params = PARAMS,
) -> Incoming:
    """A copy as the store builds it from a story."""
    curl = canonical_url(url)
    return Incoming(
        title=title,
        body=body,
        url=url,
        url_key=url_key(curl) if decide.usable_canonical(curl) else None,
        fingerprint=fingerprint(title, body),
        published=published,
        signature=signature(body, params=params),
        feeds=feeds,
        guid=guid,
        imported=not feeds,
    )


@dataclass
class Store:
    """Answers the decision's needs from candidates given up front, and logs the steps."""

    sighting: tuple[Sighting, ...] = ()
    url: tuple[UrlCandidate, ...] = ()
    text: tuple[TextCandidate, ...] = ()
    near: tuple[NearCandidate, ...] = ()
    targets: dict[int, Target] = field(default_factory=dict)
    asked: list[Step] = field(default_factory=list)

    def run(self, copy: Incoming, params: Params = PARAMS) -> Decision:
        found = Found()
        while True:
            step = decide.decide(copy, found, params)
            if not isinstance(step, Need):
                return step
            self.asked.append(step.step)
            assert step.step not in self.asked[:-1], "a stage was asked for twice"
            if step.step is Step.TARGET:
                assert step.match is not None
                target = self.targets[step.match.story_id]
                found = dataclasses.replace(found, match=step.match, target=target)
            else:
                found = dataclasses.replace(
                    found, **{step.step.value: getattr(self, step.step.value)}
                )


def target(story_id: int, *, title: str = TITLE, body: str = BODY, **kw: object) -> Target:
    return Target(story_id, title, body, kw.pop("published", NOW), **kw)  # type: ignore[arg-type]


# -- the sighting stage --------------------------------------------------------


def test_an_unchanged_sighting_is_unchanged_and_asks_for_nothing_more() -> None:
    copy = incoming()
    store = Store(sighting=(Sighting(5, 9, copy.fingerprint, copy.fingerprint),))
    assert store.run(copy) == Unchanged(9)
    assert store.asked == [Step.SIGHTING]


def test_a_changed_sighting_whose_story_shows_another_sources_text_only_refreshes_it() -> None:
    copy = incoming(body=BODY + " Shares later recovered.")
    old = fingerprint(TITLE, BODY)
    fuller = fingerprint(TITLE, INTRO + BODY)
    store = Store(sighting=(Sighting(5, 9, old, fuller),))
    assert store.run(copy) == RefreshSighting(story_id=9, source_id=5)
    assert store.asked == [Step.SIGHTING]


def test_a_changed_sighting_whose_story_shows_its_text_updates_the_story() -> None:
    copy = incoming(body=BODY + " Shares later recovered.")
    old = fingerprint(TITLE, BODY)
    store = Store(sighting=(Sighting(5, 9, old, old),))
    assert store.run(copy) == UpdateText(story_id=9, source_id=5)


def test_no_sighting_for_an_import_or_without_a_guid() -> None:
    for copy in (incoming(feeds=()), incoming(guid="")):
        store = Store()
        assert store.run(copy) == NewStory()
        assert Step.SIGHTING not in store.asked


# -- the matching stages -------------------------------------------------------


def test_a_new_story_asks_every_stage_in_order() -> None:
    store = Store()
    assert store.run(incoming()) == NewStory()
    assert store.asked == [Step.SIGHTING, Step.URL, Step.TEXT, Step.NEAR]


def test_the_same_canonical_url_is_a_new_source_without_text_or_band_queries() -> None:
    copy = incoming(title="EU fine: the chip maker will appeal", body=OTHER)
    store = Store(url=(UrlCandidate(7, "https://site.example/news/eu-fine?utm_source=x"),))
    store.targets[7] = target(7)
    decision = store.run(copy)
    assert isinstance(decision, AddSource)
    assert (decision.story_id, decision.rule, decision.new_source) == (7, "canonical-url", True)
    assert store.asked == [Step.SIGHTING, Step.URL, Step.TARGET]


def test_a_url_at_the_sites_root_identifies_nothing() -> None:
    copy = incoming(url="https://site.example/", body=OTHER, title=OTHER_TITLE)
    assert copy.url_key is None
    store = Store()
    assert store.run(copy) == NewStory()
    assert Step.URL not in store.asked


def test_anchors_into_one_page_are_different_items() -> None:
    copy = incoming(url="https://diary.example/2017/06/22.html#a120633", body=OTHER)
    other_item = UrlCandidate(3, "https://diary.example/2017/06/22.html#a090644")
    same_item = UrlCandidate(4, "https://diary.example/2017/06/22.html")
    store = Store(url=(other_item, same_item), targets={4: target(4, body=OTHER)})
    decision = store.run(copy)
    assert isinstance(decision, AddSource) and decision.story_id == 4
    assert Store(url=(other_item,)).run(copy) == NewStory()


def test_the_same_long_text_joins_anywhere_in_time_even_from_the_same_feed() -> None:
    copy = incoming()
    far = TextCandidate(8, NOW - timedelta(days=400), same_feed=True)
    store = Store(text=(far,), targets={8: target(8, published=far.published)})
    decision = store.run(copy)
    assert isinstance(decision, AddSource)
    assert (decision.story_id, decision.rule) == (8, "fingerprint")
    assert Step.NEAR not in store.asked


def test_the_same_short_text_joins_only_another_feeds_story_within_the_window() -> None:
    copy = incoming(title=SHORT_TITLE, body=SHORT, url="https://a.example/")
    assert copy.signature.words < PARAMS.short_words
    same_feed = TextCandidate(1, NOW - timedelta(hours=1), same_feed=True)
    too_far = TextCandidate(2, NOW - PARAMS.window - timedelta(hours=1), same_feed=False)
    fits = TextCandidate(3, NOW + timedelta(hours=5), same_feed=False)
    assert Store(text=(same_feed, too_far)).run(copy) == NewStory()
    decision = Store(text=(same_feed, too_far, fits), targets={3: target(3)}).run(copy)
    assert isinstance(decision, AddSource) and decision.story_id == 3


def test_a_near_duplicate_is_a_new_source_with_the_rule_that_matched() -> None:
    copy = incoming(body=f"{INTRO}\n\n{BODY}", feeds=(2,))
    unrelated = NearCandidate(1, OTHER_TITLE, OTHER, NOW, same_feed=False)
    close = NearCandidate(6, TITLE, BODY, NOW - timedelta(hours=3), same_feed=False)
    store = Store(near=(unrelated, close), targets={6: target(6)})
    decision = store.run(copy)
    assert isinstance(decision, AddSource)
    assert decision.story_id == 6
    assert decision.rule in {"resemblance", "containment", "corroborated"}
    assert store.asked == [Step.SIGHTING, Step.URL, Step.TEXT, Step.NEAR, Step.TARGET]


def test_the_strongest_near_duplicate_wins() -> None:
    copy = incoming(body=f"{INTRO}\n\n{BODY}", feeds=(2,))
    teaser = NearCandidate(4, TITLE, TEASER, NOW, same_feed=False)
    full = NearCandidate(5, TITLE, BODY, NOW, same_feed=False)
    decision = Store(near=(teaser, full), targets={4: target(4), 5: target(5)}).run(copy)
    assert isinstance(decision, AddSource) and decision.story_id == 5


def test_a_near_candidate_outside_the_window_or_unrelated_is_not_a_match() -> None:
    copy = incoming(body=f"{INTRO}\n\n{BODY}", feeds=(2,))
    old = NearCandidate(6, TITLE, BODY, NOW - PARAMS.window * 2, same_feed=False)
    unrelated = NearCandidate(1, OTHER_TITLE, OTHER, NOW, same_feed=False)
    assert Store(near=(old, unrelated)).run(copy) == NewStory()


def test_near_duplicates_switched_off_or_too_short_ask_for_no_bands() -> None:
    off = Params(enabled=False)
    store = Store(near=(NearCandidate(6, TITLE, BODY, NOW, same_feed=False),))
    assert store.run(incoming(body=f"{INTRO}\n\n{BODY}", params=off), off) == NewStory()
    assert Step.NEAR not in store.asked
    short = incoming(title=SHORT_TITLE, body=SHORT, url="https://a.example/")
    assert not decide.wants_near(short, PARAMS)


# -- absorbing a duplicate -----------------------------------------------------


def test_a_fuller_copy_is_absorbed() -> None:
    copy = incoming(body=BODY, feeds=(2,))
    store = Store(near=(NearCandidate(4, TITLE, TEASER, NOW, same_feed=False),))
    store.targets[4] = target(4, body=TEASER)
    decision = store.run(copy)
    assert isinstance(decision, AddSource)
    assert decision.absorb.upgrade and decision.absorb.rekey and decision.absorb.changes
    assert decision.absorb.published == NOW


def test_a_teaser_after_the_full_text_adds_a_source_only() -> None:
    copy = incoming(body=TEASER, feeds=(2,))
    a = decide.absorb(copy, target(4, body=BODY), PARAMS)
    assert not a.upgrade and not a.rekey and not a.changes


def test_the_story_keeps_the_earliest_date_and_its_keys_follow_the_bucket() -> None:
    earlier = NOW - timedelta(days=8)
    assert bucket(earlier) != bucket(NOW)
    a = decide.absorb(incoming(published=earlier), target(4), PARAMS)
    assert (a.was, a.published, a.upgrade, a.rekey, a.changes) == (NOW, earlier, False, True, True)
    later = decide.absorb(incoming(published=NOW + timedelta(hours=1)), target(4), PARAMS)
    assert later.published == NOW and not later.changes
    same_week = NOW - timedelta(minutes=5)
    assert bucket(same_week) == bucket(NOW)
    a = decide.absorb(incoming(published=same_week), target(4), PARAMS)
    assert a.changes and not a.rekey


def test_an_import_of_a_url_imported_before_adds_no_second_source() -> None:
    copy = incoming(feeds=(), guid="")
    assert copy.imported
    url = UrlCandidate(2, copy.url)
    again = Store(url=(url,), targets={2: target(2, imported_here=True)}).run(copy)
    assert isinstance(again, AddSource) and not again.new_source
    first = Store(url=(url,), targets={2: target(2, imported_here=False)}).run(copy)
    assert isinstance(first, AddSource) and first.new_source
    polled = incoming()
    from_feed = Store(url=(url,), targets={2: target(2, imported_here=True)}).run(polled)
    assert isinstance(from_feed, AddSource) and from_feed.new_source


def test_a_target_without_a_match_is_not_a_decision() -> None:
    copy = incoming()
    found = Found(sighting=(), url=(), text=(), near=(), target=target(3))
    assert decide.decide(copy, found, PARAMS) == NewStory()
    with_match = dataclasses.replace(found, match=Match(3, "fingerprint"))
    assert isinstance(decide.decide(copy, with_match, PARAMS), AddSource)


# -- helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "usable"),
    [
        ("", False),
        ("https://site.example", False),
        ("https://site.example/", False),
        ("https://site.example/?p=12", True),
        ("https://site.example/news/1", True),
    ],
)
def test_usable_canonical(url: str, usable: bool) -> None:
    assert decide.usable_canonical(url) is usable


def test_a_precomputed_signature_is_used_only_when_it_fits() -> None:
    sig = signature(BODY, params=PARAMS)
    assert decide.signature_for(BODY, sig, params=PARAMS) is sig
    assert decide.signature_for(OTHER, sig, params=PARAMS) == signature(OTHER, params=PARAMS)
    other = Params(shingle_size=3)
    assert decide.signature_for(BODY, sig, params=other) == signature(BODY, params=other)


def _imports(path: Path) -> Sequence[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_the_decision_module_does_no_io() -> None:
    names = _imports(Path(decide.__file__))
    assert names, "the module was not parsed"
    for name in names:
        root = name.split(".")[0]
        assert root in {"__future__", "enum", "collections", "dataclasses", "datetime"} or (
            name.startswith("aggregator.dedupe")
        ), name
