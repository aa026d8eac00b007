"""Tests for aggregator.dedupe.neardup: shingles, band keys and the same-story rules (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.dedupe import neardup
from aggregator.dedupe.neardup import (
    BUCKET,
    Params,
    bucket,
    compare,
    containment,
    features,
    index_keys,
    is_fuller,
    lookup_keys,
    signature,
)

P = Params()
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)

STORY = (
    "The European Commission fined the chip maker 1.2 billion euros on Tuesday for abusing"
    " its dominant position in the market for processors, the largest penalty it has ever"
    " imposed on a single company for breaking competition rules.\n\n"
    "Regulators said the company had paid computer makers to delay or cancel the launch of"
    " products that used rival chips, and had given rebates to retailers that sold only"
    " computers built with its processors.\n\n"
    "The company said it would appeal. Its shares fell two percent in early trading in New"
    " York, while those of its main rival rose by almost four percent on the news."
)
OTHER = (
    "A small startup in Lisbon has built a battery for electric bicycles that charges in"
    " nine minutes and lasts for more than a thousand cycles, its founders said at a trade"
    " show where they showed prototypes to investors and to a handful of manufacturers.\n\n"
    "The founders plan to sell the first batteries to delivery companies next spring and"
    " want to open a factory near Porto by the end of the decade."
)
TITLE = "EU fines chip maker 1.2 billion euros over rebates"


def f(title: str, body: str) -> neardup.Features:
    return features(title, body, shingle_size=P.shingle_size)


def test_identical_texts_are_one_story() -> None:
    v = compare(f(TITLE, STORY), f(TITLE, STORY), params=P)
    assert (v.same, v.rule) == (True, "resemblance")
    assert v.jaccard == v.containment == v.lead_containment == v.title_similarity == 1.0


def test_a_new_title_does_not_hide_the_same_text() -> None:
    v = compare(
        f(TITLE, STORY), f("Brussels hits processor giant with record fine", STORY), params=P
    )
    assert v.same and v.rule == "resemblance"


def test_a_new_intro_paragraph_keeps_the_story() -> None:
    intro = (
        "Update: the company has since said it will appeal the decision in court, and"
        " its chief executive called the fine unjust in a letter to employees on Wednesday."
    )
    v = compare(f(TITLE, STORY), f(TITLE, f"{intro}\n\n{STORY}"), params=P)
    assert v.same and v.rule == "resemblance"
    assert v.lead_containment == 0.0  # the original no longer starts the text


def test_teaser_and_full_text_match_by_containment() -> None:
    teaser = " ".join(STORY.split()[:30]) + "…"
    v = compare(f(TITLE, teaser), f(TITLE, STORY), params=P)
    assert (v.same, v.rule) == (True, "containment")
    assert v.jaccard < P.jaccard  # overlap alone would miss it
    assert v.lead_containment == 1.0


def test_a_teaser_after_a_byline_and_dateline_is_still_the_lead() -> None:
    teaser = " ".join(STORY.split()[:30])
    full = f"By Jane Doe and John Roe\n\nBRUSSELS, March 3 (Reuters) - {STORY}"
    v = compare(f(TITLE, teaser), f(TITLE, full), params=P)
    assert v.same and v.lead_containment == 1.0


def test_a_follow_up_quoting_the_original_later_is_not_the_lead() -> None:
    brief = " ".join(STORY.split()[:45])
    news = " ".join(OTHER.split()[:30])
    follow = f"{news}\n\n{brief}\n\n{OTHER}"
    v = compare(f(TITLE, brief), f("Chip maker appeals EU fine", follow), params=P)
    assert v.containment == 1.0  # all of the brief is in there ...
    assert v.lead_containment == 0.0  # ... but not at the start
    assert not v.same


def test_containment_needs_agreeing_titles() -> None:
    teaser = " ".join(STORY.split()[:30])
    v = compare(f("Weather for the weekend", teaser), f(TITLE, STORY), params=P)
    assert (v.same, v.rule) == (False, "title")


def test_title_similarity_alone_never_merges() -> None:
    v = compare(f(TITLE, STORY), f(TITLE, OTHER), params=P)
    assert v.title_similarity == 1.0
    assert not v.same and v.rule == "scores"
    v = compare(f(TITLE, ""), f(TITLE, ""), params=P)
    assert (v.same, v.rule) == (False, "no-text")
    v = compare(f(TITLE, "Comments"), f(TITLE, "Comments"), params=P)
    assert (v.same, v.rule) == (False, "too-short")


def test_the_window_keeps_stories_apart() -> None:
    a, b = f(TITLE, STORY), f(TITLE, STORY)
    assert compare(a, b, params=P, gap=P.window).same
    v = compare(a, b, params=P, gap=P.window + timedelta(seconds=1))
    assert (v.same, v.rule) == (False, "window")
    assert compare(a, b, params=replace(P, window=timedelta(days=10)), gap=timedelta(days=9)).same


def test_short_items_need_similar_titles_and_other_feeds() -> None:
    text = "Apple has released iOS 26.1 with fixes for the keyboard and for battery drain."
    assert compare(f("Apple releases iOS 26.1", text), f("iOS 26.1 is out", text), params=P).same
    generic = "Read the full story on our website, with photos and video from the scene."
    v = compare(f("Fire in the harbour", generic), f("Election results", generic), params=P)
    assert (v.same, v.rule) == (False, "title")
    v = compare(f("Open thread", generic), f("Open thread", generic), params=P, same_feed=True)
    assert (v.same, v.rule) == (False, "same-feed-short")


def test_titles_with_different_numbers_are_different_items() -> None:
    boiler = "This week in the project: " + " ".join(OTHER.split()[:40])
    a = f("This Week in Rust 512", boiler + " " + " ".join(STORY.split()[:10]))
    b = f("This Week in Rust 513", boiler + " " + " ".join(STORY.split()[40:50]))
    v = compare(a, b, params=P)
    assert v.jaccard >= P.jaccard and (v.same, v.rule) == (False, "numbers")
    assert compare(f("Rust 1.75 released", STORY), f("Rust 1.75.0 released", STORY), params=P).same


def test_near_identical_long_bodies_merge_whatever_the_titles_say() -> None:
    v = compare(
        f("276: Observing a Black Hole", STORY), f("Two things happened in 2025", STORY), params=P
    )
    assert v.same  # a re-publication under a headline taken from the text


def test_recurring_columns_with_one_prefix_do_not_merge() -> None:
    intro = "Here is our weekly look back at the stories that mattered most this week."
    a = f("Week in review: chip maker fined", f"{intro} {' '.join(STORY.split()[:12])}")
    b = f("Week in review: battery startup", f"{intro} {' '.join(OTHER.split()[:12])}")
    v = compare(a, b, params=P)
    assert (v.same, v.rule) == (False, "column")


def test_a_headline_before_its_publisher_is_no_column() -> None:
    a = f("Fed raises rates again to curb inflation - The Washington Post", STORY)
    b = f("Fed raises rates again to curb inflation - CNN", STORY)
    assert a.prefix == ""
    assert compare(a, b, params=P).same


def test_edited_wire_copies_with_the_same_title_are_corroborated() -> None:
    words = STORY.split()[:40]
    edited = list(words)
    for i, new in ((8, "firm"), (18, "their"), (28, "levied")):
        edited[i] = new
    a, b = f(TITLE, " ".join(words)), f("World › " + TITLE, " ".join(edited) + " It will appeal.")
    v = compare(a, b, params=P)
    assert v.jaccard < P.jaccard and v.lead_containment < P.containment
    assert (v.same, v.rule) == (True, "corroborated")
    assert not compare(a, b, params=P, same_feed=True).same


def test_abbreviations_and_punctuation_do_not_matter() -> None:
    a = f(
        TITLE, "The U.S. government said on Tuesday that it would appeal the ruling of the court."
    )
    b = f(TITLE, "The US government said on Tuesday that it would appeal the ruling of the court")
    assert a.shingles == b.shingles


def test_is_fuller() -> None:
    teaser = f(TITLE, " ".join(STORY.split()[:30]))
    full = f(TITLE, STORY)
    assert is_fuller(full, teaser, params=P)
    assert not is_fuller(teaser, full, params=P)
    assert not is_fuller(full, full, params=P)  # not longer
    assert not is_fuller(f(TITLE, STORY + " " + OTHER), f(TITLE, OTHER[:200]), params=P) or (
        containment(f(TITLE, OTHER[:200]), f(TITLE, STORY + " " + OTHER)) >= P.containment
    )
    assert not is_fuller(f(TITLE, OTHER * 3), teaser, params=P)  # longer, but another text


def test_signature_is_versioned_and_deterministic() -> None:
    sig = signature(STORY, params=P)
    assert sig == signature(STORY, params=P)
    assert sig.index_id == P.index_id and P.index_id.startswith("v1:k4:")
    assert len(sig.values) == P.bands + P.lead_bands
    assert sig.words == f(TITLE, STORY).words == len(STORY.split()) + 1  # "1.2" is two words
    assert sig.body_crc == neardup.body_crc(STORY)
    other = replace(P, shingle_size=3)
    assert other.index_id != P.index_id and signature(STORY, params=other).values != sig.values
    # Thresholds and the window do not change what is stored.
    assert replace(P, jaccard=0.9, window=timedelta(days=1)).index_id == P.index_id
    assert signature("", params=P).values == ()
    assert signature("!!! ...", params=P).words == 0


def test_similar_texts_share_keys_and_different_ones_do_not() -> None:
    a = set(index_keys(signature(STORY, params=P).values, NOW))
    probe = set(lookup_keys(signature(STORY + " More.", params=P).values, NOW, P.window))
    assert len(a & probe) >= P.bands  # most bands agree
    other = set(lookup_keys(signature(OTHER, params=P).values, NOW, P.window))
    assert not a & other


def test_keys_carry_the_week_and_lookups_cover_the_window() -> None:
    values = signature(STORY, params=P).values
    keys = index_keys(values, NOW)
    assert {k >> 32 for k in keys} == {bucket(NOW)}
    assert all(0 < k < 2**47 for k in keys)  # a 6-byte SQLite integer
    for hours in range(0, int(P.window.total_seconds() // 3600) + 1, 7):
        for sign in (1, -1):
            other = NOW + sign * timedelta(hours=hours)
            assert set(index_keys(values, other)) <= set(lookup_keys(values, NOW, P.window))
    far = NOW + 3 * BUCKET
    assert not set(index_keys(values, far)) & set(lookup_keys(values, NOW, P.window))


@given(st.text(max_size=300), st.text(max_size=60))
def test_property_features_and_signature_never_raise(body: str, title: str) -> None:
    sig = signature(body, params=P)
    feat = features(title, body)
    assert sig.words == feat.words
    v = compare(feat, feat, params=P)
    assert 0.0 <= v.jaccard <= 1.0
    assert 0.0 <= v.lead_containment <= 1.0


def test_all_is_sorted() -> None:
    assert neardup.__all__ == sorted(neardup.__all__)


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_short_texts_have_shingles_at_any_size(size: int) -> None:
    feat = features("t", "just three words", shingle_size=size)
    assert feat.words == 3
    assert len(feat.shingles) == max(1, 3 - size + 1)
