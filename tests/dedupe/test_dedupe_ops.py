"""Near duplicates in a real archive: merges, the window, body upgrades, rebuild and explain."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.feeds import rss

from aggregator.dedupe.events import EventParams
from aggregator.dedupe.neardup import Params, index_keys, signature
from aggregator.dedupe.urls import canonical_url, fingerprint
from aggregator.errors import StoryNotFound
from aggregator.ingest.worker import process_feed
from aggregator.models import FeedConfig, FeedState, Story
from aggregator.store import dedupe as dedupe_ops
from aggregator.store.archive import SCHEMA_VERSION, Archive, FeedUpdate
from aggregator.store.engine import open_archive as open_either

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)

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
OTHER = (
    "A small startup in Lisbon has built a battery for electric bicycles that charges in"
    " nine minutes and lasts for more than a thousand cycles, its founders said at a trade"
    " show where they showed prototypes to investors and to a handful of manufacturers."
)
INTRO = (
    "Update: the company has since said it will appeal the decision in court, and its chief"
    " executive called the fine unjust in a letter to employees on Wednesday."
)
TEASER = " ".join(BODY.split()[:32]) + "…"


def make(n: int = 1, **changes: object) -> Story:
    url = str(changes.pop("url", f"https://site{n}.example/news/eu-fine-{n}"))
    base = Story(
        category="TECHNOLOGY",
        title="EU fines chip maker 1.2 billion euros over rebates",
        published=NOW,
        body=BODY,
        questions=("Who pays?",),
        url=url,
        canonical_url=canonical_url(url),
        guid=f"guid-{n}",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def update() -> FeedUpdate:
    return FeedUpdate(status="new", fetched_at=NOW, next_fetch=NOW + timedelta(hours=1))


def open_archive(path: Path | str, params: Params | None = None) -> Archive:
    archive = open_either(path, dedupe=params)
    archive.sync_feeds(
        [FeedConfig(url="https://one.example/feed"), FeedConfig(url="https://two.example/feed")],
        now=NOW,
    )
    return archive


@pytest.fixture
def archive(archive_at: Path | str, tmp_path: Path) -> Iterator[Archive]:
    """An archive with two feeds, on each engine."""
    a = open_archive(archive_at if isinstance(archive_at, str) else tmp_path / "a.db")
    yield a
    a.close()


def feeds(archive: Archive) -> tuple[FeedState, FeedState]:
    one, two = archive.list_feeds()
    return one, two


def count(archive: Archive, table: str = "stories") -> int:
    return int(archive.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def fts(archive: Archive, word: str) -> list[int]:
    """The stories the search index finds ``word`` in (FTS5, or PostgreSQL's tsvector)."""
    if not isinstance(archive, Archive):
        found = archive.conn.execute(
            "SELECT id FROM stories WHERE search @@ plainto_tsquery('aggregator', ?) ORDER BY id",
            (word,),
        )
        return [r[0] for r in found]
    rows = archive.conn.execute(
        "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? ORDER BY rowid", (word,)
    )
    return [r[0] for r in rows]


def keys_of(archive: Archive, story_id: int) -> set[int]:
    rows = archive.conn.execute("SELECT key FROM story_bands WHERE story_id = ?", (story_id,))
    return {r[0] for r in rows}


def test_schema_has_the_index_tables(archive: Archive) -> None:
    assert SCHEMA_VERSION >= 2
    for table in ("story_bands", "dedupe_meta"):
        assert archive.conn.execute(f"SELECT count(*) FROM {table}").fetchone() is not None
    index_id = archive.conn.execute("SELECT value FROM dedupe_meta").fetchone()[0]
    assert index_id == Params().index_id


def test_a_near_duplicate_from_another_feed_is_a_source(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [make(1)], update())
    copy = make(
        2, title="Brussels hits processor giant with record fine", body=f"{INTRO}\n\n{BODY}"
    )
    copy = replace(copy, published=NOW - timedelta(hours=5))
    c = archive.store_poll(two, [copy], update())
    assert (c.new, c.duplicate) == (0, 1)
    stored = archive.get_story(1)
    assert [s.url for s in stored.sources] == [make(1).url, copy.url]
    assert stored.story.published == NOW - timedelta(hours=5)  # the earliest date
    assert stored.story.body == BODY  # not substantially fuller: the text stays
    assert keys_of(archive, 1) == set(
        index_keys(signature(BODY, params=Params()).values, NOW - timedelta(hours=5))
    )
    assert archive.integrity_errors() == []


def test_stories_outside_the_window_stay_apart(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [make(1)], update())
    late = make(2, body=f"{INTRO}\n\n{BODY}", published=NOW + timedelta(days=3, hours=1))
    assert archive.store_poll(two, [late], update()).new == 1
    inside = make(3, body=f"{INTRO}\n\n{BODY}", published=NOW + timedelta(days=2, hours=23))
    assert archive.store_poll(two, [inside], update()).duplicate == 1
    assert count(archive) == 2


def test_the_window_is_a_setting(tmp_path: Path) -> None:
    with open_archive(tmp_path / "w.db", Params(window=timedelta(days=10))) as archive:
        one, two = feeds(archive)
        archive.store_poll(one, [make(1)], update())
        late = make(2, body=f"{INTRO}\n\n{BODY}", published=NOW + timedelta(days=9))
        assert archive.store_poll(two, [late], update()).duplicate == 1


def test_a_teaser_then_the_full_text_upgrades_the_body(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [make(1, body=TEASER, questions=("Teaser question?",))], update())
    assert fts(archive, "retailers") == []
    full = make(2, published=NOW + timedelta(hours=2), questions=("Full question?",))
    c = archive.store_poll(two, [full], update())
    assert (c.new, c.duplicate) == (0, 1)
    stored = archive.get_story(1)
    assert stored.story.body == BODY
    assert stored.story.questions == ("Full question?",)
    assert stored.story.url == make(1).url  # the first publisher's link stays
    assert stored.story.published == NOW
    assert fts(archive, "retailers") == [1]  # the index follows the fuller text
    fp = archive.conn.execute("SELECT fingerprint FROM stories").fetchone()[0]
    assert fp == fingerprint(full.title, BODY)
    assert keys_of(archive, 1) == set(index_keys(signature(BODY, params=Params()).values, NOW))
    assert archive.integrity_errors() == []
    # The second feed's later edit of the full text now updates the story.
    edited = replace(full, body=BODY + " Analysts expect a long appeal.")
    assert archive.store_poll(two, [edited], update()).updated == 1
    assert archive.get_story(1).story.body.endswith("long appeal.")


def test_the_full_text_then_a_teaser_is_a_source_only(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [make(1)], update())
    c = archive.store_poll(two, [make(2, title="World › " + make().title, body=TEASER)], update())
    assert c.duplicate == 1
    assert archive.get_story(1).story.body == BODY


def test_different_stories_about_one_company_stay_apart(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [make(1)], update())
    other = make(2, title="EU fines chip maker 1.2 billion euros over rebates", body=OTHER)
    assert archive.store_poll(two, [other], update()).new == 1  # same title, other text


def test_short_identical_items_merge_only_across_feeds_in_the_window(archive: Archive) -> None:
    one, two = feeds(archive)
    thread = make(1, title="Open thread", body="What are you working on this week? Tell us.")
    archive.store_poll(one, [thread], update())
    again = make(2, title="Open thread", body=thread.body, published=NOW + timedelta(days=1))
    assert archive.store_poll(one, [again], update()).new == 1  # one feed: distinct items
    elsewhere = replace(again, guid="x", url="https://other.example/t", canonical_url="")
    assert archive.store_poll(two, [elsewhere], update()).duplicate == 1
    later = replace(elsewhere, guid="y", published=NOW + timedelta(days=30))
    assert archive.store_poll(two, [later], update()).new == 1
    # Long identical texts are one story whenever they appear.
    archive.store_poll(one, [make(5)], update())
    old_copy = make(6, published=NOW - timedelta(days=400))
    assert archive.store_poll(two, [old_copy], update()).duplicate == 1


def test_links_to_anchors_of_one_page_are_different_items(archive: Archive) -> None:
    one, _ = feeds(archive)
    page = "http://scripting.com/2017/06/22.html"
    a = make(1, url=page + "#a090644", body="Future-of-journalism conferences ignore blogging.")
    b = make(2, url=page + "#a120633", title="githubpub", body="A new Node web server.")
    assert archive.store_poll(one, [a, b], update()).new == 2
    c = make(3, url=page + "#a090644", title="Again", body="Something else entirely here.")
    assert archive.store_poll(one, [c], update()).duplicate == 1
    d = make(4, url="https://site4.example/x", body=BODY)
    e = make(5, url="https://site4.example/x#comments", body=OTHER, title="Other")
    assert archive.store_poll(one, [d, e], update()).duplicate == 1


def test_a_precomputed_signature_of_another_body_is_not_trusted(archive: Archive) -> None:
    one, two = feeds(archive)
    params = archive.dedupe
    archive.store_poll(one, [make(1)], update(), signatures=[signature(OTHER, params=params)])
    assert keys_of(archive, 1) == set(index_keys(signature(BODY, params=params).values, NOW))
    copy = make(2, body=f"{INTRO}\n\n{BODY}")
    sig = signature(copy.body, params=params)
    c = archive.store_poll(two, [copy], update(), signatures=[sig])
    assert c.duplicate == 1


def test_an_update_replaces_the_keys(archive: Archive) -> None:
    one, _ = feeds(archive)
    archive.store_poll(one, [make(1)], update())
    archive.store_poll(one, [make(1, body=OTHER)], update())
    assert keys_of(archive, 1) == set(index_keys(signature(OTHER, params=Params()).values, NOW))


def test_near_duplicates_can_be_switched_off(tmp_path: Path) -> None:
    with open_archive(tmp_path / "off.db", Params(enabled=False)) as archive:
        one, two = feeds(archive)
        archive.store_poll(one, [make(1)], update())
        assert archive.store_poll(two, [make(2, body=f"{INTRO}\n\n{BODY}")], update()).new == 1
        assert archive.store_poll(two, [make(3)], update()).duplicate == 1  # exact still merges


def test_rebuild_merges_what_the_new_settings_call_one_story(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with open_archive(path, Params(enabled=False)) as archive:
        one, two = feeds(archive)
        archive.store_poll(one, [make(1, body=TEASER)], update())
        archive.store_poll(two, [make(2, published=NOW - timedelta(hours=1))], update())
        archive.store_poll(two, [make(3, title="Battery startup", body=OTHER)], update())
        tracked = make(4, title="Other", body=OTHER + " More.", url="https://x.example/a?src=rss")
        archive.store_poll(one, [tracked], update())
        plain = make(5, title="Another", body=BODY[:300], url="https://x.example/a")
        archive.store_poll(two, [replace(plain, published=NOW - timedelta(days=20))], update())
        assert count(archive) == 5
    seen: list[tuple[int, int]] = []
    with open_archive(path) as archive:
        report = dedupe_ops.rebuild(
            archive,
            params=archive.dedupe,
            tracking_params=frozenset({"src"}),
            on_progress=lambda done, total: seen.append((done, total)),
        )
        assert (report.stories, report.merged, report.upgraded) == (5, 2, 1)
        assert report.canonical_changed == 0  # the merged story carried the changed URL
        assert seen[0] == (0, 5) and seen[-1] == (5, 5)
        assert count(archive) == 3
        stored = archive.get_story(1)
        assert stored.story.body == BODY  # the teaser took the full text
        assert stored.story.published == NOW - timedelta(hours=1)
        assert len(stored.sources) == 2
        assert len(archive.get_story(3).sources) == 2  # same canonical URL once src= is dropped
        assert archive.conn.execute("SELECT value FROM dedupe_meta").fetchone()[0] == (
            archive.dedupe.index_id
        )
        assert fts(archive, "retailers") == [1]
        assert archive.integrity_errors() == []
        assert report.keys == count(archive, "story_bands")


def test_rebuild_is_one_transaction(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [make(1)], update())
    archive.store_poll(two, [make(2, body=OTHER, title="Battery startup")], update())
    before = sorted(archive.conn.execute("SELECT key, story_id FROM story_bands").fetchall())

    def boom(done: int, total: int) -> None:
        if done == 1:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        dedupe_ops.rebuild(
            archive, params=replace(archive.dedupe, shingle_size=3), on_progress=boom
        )
    after = sorted(archive.conn.execute("SELECT key, story_id FROM story_bands").fetchall())
    assert after == before
    assert archive.conn.execute("SELECT value FROM dedupe_meta").fetchone()[0] == Params().index_id


def test_changed_index_settings_ask_for_a_rebuild(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "c.db"
    with open_archive(path) as archive:
        archive.store_poll(feeds(archive)[0], [make(1)], update())
    other = Params(shingle_size=3)
    with caplog.at_level(logging.WARNING, logger="aggregator.store.archive"):
        archive = Archive(path, dedupe=other)
    assert "dedupe --rebuild" in caplog.text and "was built with" in caplog.text
    dedupe_ops.rebuild(archive, params=other)
    archive.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="aggregator.store.archive"):
        Archive(path, dedupe=other).close()
    assert caplog.text == ""


def test_a_version_1_archive_is_migrated(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "v1.db"
    with open_archive(path) as archive:
        archive.store_poll(feeds(archive)[0], [make(1)], update())
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE story_bands")
    conn.execute("DROP TABLE dedupe_meta")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with caplog.at_level(logging.WARNING, logger="aggregator.store.archive"):
        archive = Archive(path)
    assert "was never built" in caplog.text
    assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    report = dedupe_ops.rebuild(archive, params=archive.dedupe)
    assert report.keys == len(signature(BODY, params=archive.dedupe).values)
    _, two = feeds(archive)
    assert archive.store_poll(two, [make(2, body=f"{INTRO}\n\n{BODY}")], update()).duplicate == 1
    archive.close()


def test_explain(archive: Archive, tmp_path: Path) -> None:
    one, two = feeds(archive)
    archive.store_poll(one, [make(1)], update())
    archive.store_poll(two, [make(2, title="Battery startup", body=OTHER)], update())
    e = dedupe_ops.explain(archive, 1, 2, params=archive.dedupe)
    assert (e.same, e.rule) == (False, "scores")
    assert e.verdict.jaccard == 0.0 and e.verdict.title_similarity < 0.2
    assert e.titles == (make().title, "Battery startup")
    # What ingest would have decided for a near duplicate stored apart (detection was off).
    with open_archive(tmp_path / "b.db", Params(enabled=False)) as other:
        o1, o2 = feeds(other)
        other.store_poll(o1, [make(1, body=TEASER)], update())
        other.store_poll(o2, [make(2, published=NOW + timedelta(hours=30))], update())
        e = dedupe_ops.explain(other, 1, 2, params=Params())
        assert (e.same, e.rule) == (True, "containment")
        assert e.verdict.lead_containment == 1.0 and e.shared_bands > 0
        e = dedupe_ops.explain(other, 1, 2, params=Params(window=timedelta(hours=12)))
        assert (e.same, e.rule) == (False, "window")
        e = dedupe_ops.explain(other, 1, 2, params=Params(enabled=False))
        assert (e.same, e.rule) == (False, "disabled")
    with pytest.raises(StoryNotFound, match="42"):
        dedupe_ops.explain(archive, 1, 42, params=archive.dedupe)
    with pytest.raises(StoryNotFound):
        dedupe_ops.explain_path(tmp_path / "none.db", 1, 2, params=Params())


def test_explain_same_url_and_same_text(archive: Archive) -> None:
    one, two = feeds(archive)
    archive.conn.execute("DELETE FROM dedupe_meta")
    with archive.transaction() as conn:  # two rows that ingest would have merged
        for n, url in ((1, "https://a.example/x?utm_source=rss"), (2, "http://www.a.example/x/")):
            conn.execute(
                "INSERT INTO stories (id, category, title, body, published, url)"
                " VALUES (?, 'T', ?, ?, ?, ?)",
                (n, make().title, BODY, "2026-03-04T12:00:00Z", url),
            )
    e = dedupe_ops.explain(archive, 1, 2, params=archive.dedupe)
    assert (e.same, e.rule, e.same_url, e.same_fingerprint) == (True, "canonical-url", True, True)


def test_process_feed_computes_signatures_in_the_worker() -> None:
    params = Params()
    done = process_feed(
        rss("w", 3), {}, "https://w.example/feed", category="tech", now=NOW, dedupe=params
    )
    assert len(done.signatures) == len(done.stories) == 3
    for story, sig in zip(done.stories, done.signatures, strict=True):
        assert sig == signature(story.body, params=params)
    assert (
        process_feed(rss("w", 1), {}, "https://w.example/feed", category="t", now=NOW).signatures
        == ()
    )


def test_one_feeds_items_sharing_a_teaser_stay_apart(archive: Archive) -> None:
    # One feed's podcast episode and video with the same teaser paragraph, titles unalike.
    one, two = feeds(archive)
    video = make(1, title="Does Mark Zuckerberg really believe AI is for everyone?", body=TEASER)
    podcast = make(2, title="Meta's open AI, and a $250M deal gone very wrong", body=TEASER)
    archive.store_poll(one, [video, podcast], update())
    assert count(archive) == 2
    assert fts(archive, '"gone very wrong"') == [2]
    # Another feed's copy of the same text under another title is still a re-publication.
    archive.store_poll(two, [make(3, title="Zuckerberg: AI for everyone", body=TEASER)], update())
    assert count(archive) == 2


def test_the_teaser_pair_of_a_real_feed_stays_apart(corpus: Path, tmp_path: Path) -> None:
    path = corpus / "real-feeds" / "sameday-2026-08-18_ai-news" / "techcrunch.xml"
    processed = process_feed(
        path.read_bytes(), {}, "https://techcrunch.com/feed/", category="tech", now=NOW
    )
    titles = [s.title for s in processed.stories]
    assert any("gone very wrong" in t for t in titles)
    with open_archive(tmp_path / "tc.db") as archive:
        one, _ = feeds(archive)
        counts = archive.store_poll(one, list(processed.stories), update())
        assert counts.new == len(processed.stories)
        assert len(fts(archive, '"gone very wrong"')) == 1
        assert len(fts(archive, '"really believe"')) == 1


def test_rebuild_takes_merged_stories_out_of_their_events(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    with Archive(path, dedupe=Params(enabled=False), events=EventParams()) as archive:
        archive.sync_feeds(
            [FeedConfig(url="https://one.example/feed"), FeedConfig(url="https://two.example/f")],
            now=NOW,
        )
        one, two = feeds(archive)
        archive.store_poll(one, [make(1)], update())
        archive.store_poll(two, [make(2, body=TEASER)], update())
        grouped = archive.conn.execute("SELECT story_id FROM story_events ORDER BY 1").fetchall()
        assert grouped == [(1,), (2,)]  # two outlets' articles on one happening: one event
    with open_archive(path) as archive:
        report = dedupe_ops.rebuild(archive, params=archive.dedupe, tracking_params=None)
        assert report.merged == 1  # the teaser is a copy of the first
        assert count(archive, "story_events") == 0  # an event of one story dissolves
        assert count(archive, "events") == 0
